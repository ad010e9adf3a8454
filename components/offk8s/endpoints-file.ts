/**
 * The endpoints file the llm-d router reads in file-discovery mode (llm-d-router v0.10.0, plugin
 * `file-discovery`, `docs/discovery.md`): `endpoints: [{name, namespace?, address, port, labels?}]`.
 *
 * llmd writes it as JSON (valid YAML) with one entry per line: the launchers' updater (endpoints-updater.ts)
 * reads JSON with Python's standard library, so nodes without PyYAML can still rewrite a file llmd wrote.
 * The validator, and the updater when PyYAML is installed, accept any YAML or JSON layout.
 */
import { parse } from "yaml";
import { LlmdConfigError } from "../errors";

/** One model-server endpoint. */
export interface EndpointEntry {
    /** Unique (within its namespace) name of the endpoint. */
    name: string;
    /** Namespace label of the endpoint; the router defaults it to `default`. */
    namespace?: string;
    /** Literal IPv4 address: the router resolves no host names and v0.10.0 rejects IPv6. */
    address: string;
    /** Port as a decimal string, 1-65535: the router's schema types it as a string. */
    port: string;
    /** Labels scheduler plugins can filter on (e.g. `llm-d.ai/role`). */
    labels?: Record<string, string>;
}

/** The router refuses to start on a bigger file. */
export const ENDPOINTS_FILE_MAX_BYTES = 1024 * 1024;

const ENTRY_KEYS = new Set(["name", "namespace", "address", "port", "labels"]);
// Go's net.ParseIP (which the router uses) rejects octets with leading zeros since Go 1.17.
const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

/** Whether `value` is a literal IPv4 address the router accepts. */
export function isIPv4(value: unknown): value is string {
    return typeof value === "string" && IPV4.test(value);
}

/** Whether `value` is a port the router accepts: a string of decimal digits from 1 to 65535. */
export function isPortString(value: unknown): value is string {
    return typeof value === "string" && /^[1-9][0-9]{0,4}$/.test(value) && Number(value) <= 65535;
}

function entryErrors(entry: unknown, at: string): string[] {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        return [`${at}: expected a mapping with name, address and port`];
    }
    const e = entry as Record<string, unknown>;
    const errors: string[] = [];
    for (const key of Object.keys(e)) {
        if (!ENTRY_KEYS.has(key)) {
            // The router ignores unknown keys, so a typo (`adress`) would otherwise only show as a missing field.
            errors.push(`${at}.${key}: unknown field; expected name, namespace, address, port or labels`);
        }
    }
    if (typeof e.name !== "string" || e.name.trim() === "") {
        errors.push(`${at}.name: got ${JSON.stringify(e.name)}; expected a non-empty string`);
    }
    if (e.namespace !== undefined && (typeof e.namespace !== "string" || e.namespace.trim() === "")) {
        errors.push(`${at}.namespace: got ${JSON.stringify(e.namespace)}; expected a non-empty string when set`);
    }
    if (!isIPv4(e.address)) {
        errors.push(`${at}.address: got ${JSON.stringify(e.address)}; expected a literal IPv4 address such as "10.0.0.1" (no host names, no IPv6)`);
    }
    if (!isPortString(e.port)) {
        const hint = typeof e.port === "number" ? ' (quote it: the router reads port as a string, "8000")' : "";
        errors.push(`${at}.port: got ${JSON.stringify(e.port)}; expected a string holding an integer from 1 to 65535${hint}`);
    }
    if (e.labels !== undefined) {
        if (typeof e.labels !== "object" || e.labels === null || Array.isArray(e.labels)) {
            errors.push(`${at}.labels: expected a mapping of string keys to string values`);
        } else {
            for (const [key, value] of Object.entries(e.labels)) {
                if (typeof value !== "string") {
                    errors.push(`${at}.labels.${key}: got ${JSON.stringify(value)}; expected a string (quote numbers and booleans)`);
                }
            }
        }
    }
    return errors;
}

/**
 * Every problem in an endpoints file, [] when the router will load all of it. Stricter than the router:
 * it skips a bad entry with a log line and lets a duplicate name silently replace the earlier entry, both
 * of which lose a worker without an error; here both are errors.
 */
export function endpointsFileErrors(text: string): string[] {
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > ENDPOINTS_FILE_MAX_BYTES) {
        return [`file is ${bytes} bytes; the router refuses files over ${ENDPOINTS_FILE_MAX_BYTES} bytes (1 MiB)`];
    }
    let doc: unknown;
    try {
        doc = parse(text);
    } catch (err) {
        return [`not valid YAML or JSON: ${(err as Error).message.split("\n")[0]}`];
    }
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
        return ["expected a mapping with an `endpoints` list at the top"];
    }
    const endpoints = (doc as Record<string, unknown>).endpoints;
    if (!Array.isArray(endpoints)) {
        return [`endpoints: got ${JSON.stringify(endpoints)}; expected a list (use \`endpoints: []\` for none)`];
    }
    const errors = endpoints.flatMap((entry, i) => entryErrors(entry, `endpoints[${i}]`));
    const seen = new Map<string, number>();
    endpoints.forEach((entry, i) => {
        const e = entry as Partial<EndpointEntry> | null;
        if (typeof e?.name !== "string") {
            return;
        }
        const id = `${e.namespace ?? "default"}/${e.name}`;
        const first = seen.get(id);
        if (first !== undefined) {
            errors.push(`endpoints[${i}].name: ${JSON.stringify(id)} repeats endpoints[${first}]; names must be unique per namespace`);
        } else {
            seen.set(id, i);
        }
    });
    return errors;
}

/** Parses and validates an endpoints file; throws an `LlmdConfigError` listing every problem. */
export function parseEndpointsFile(field: string, text: string): EndpointEntry[] {
    const errors = endpointsFileErrors(text);
    if (errors.length > 0) {
        throw new LlmdConfigError(field, `${text.slice(0, 200)}${text.length > 200 ? "..." : ""}`, `the endpoints file is invalid: ${errors.join("; ")}`);
    }
    return (parse(text) as { endpoints: EndpointEntry[] }).endpoints;
}

/** One entry as llmd writes it: a single-line JSON object with keys in a fixed order. */
export function entryLine(entry: EndpointEntry): string {
    const ordered: Record<string, unknown> = { name: entry.name };
    if (entry.namespace !== undefined) ordered.namespace = entry.namespace;
    ordered.address = entry.address;
    ordered.port = entry.port;
    if (entry.labels !== undefined && Object.keys(entry.labels).length > 0) ordered.labels = entry.labels;
    return JSON.stringify(ordered);
}

/**
 * Renders entries as the launchers' updater writes them (JSON, one entry per line; none as `endpoints: []`); throws `LlmdConfigError`
 * (under `field`) for an entry the router would skip or a duplicate name.
 */
export function renderEndpointsFile(entries: EndpointEntry[], field = "endpoints"): string {
    // No entries stays the plain YAML every reader (and the updater without PyYAML) understands.
    const text = entries.length === 0 ? "endpoints: []\n" : `{"endpoints": [\n  ${entries.map(entryLine).join(",\n  ")}\n]}\n`;
    const errors = endpointsFileErrors(text);
    if (errors.length > 0) {
        throw new LlmdConfigError(field, entries, errors.join("; "));
    }
    return text;
}
