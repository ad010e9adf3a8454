/**
 * Validators for custom resources, compiled with ajv from the `openAPIV3Schema` of the pinned CRDs inside
 * the project: the CRDs llmd installs (`components/crds/<pin>/`) and the ones whose controllers install
 * their own CRDs, vendored for tests only (`test/fixtures/crds/<pin>/`, see SOURCES.md there).
 *
 * The API server prunes unknown fields silently, which hides typos; these validators are stricter and
 * reject them: every object schema that lists `properties` is closed unless it says
 * `x-kubernetes-preserve-unknown-fields` or has its own `additionalProperties`.
 *
 * Not checked: `x-kubernetes-validations` (CEL rules), list-map key uniqueness, and defaults.
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import * as YAML from "yaml";
import { packageRoot } from "../../components/package-root";

/** Folders whose subfolders hold pinned CRD YAML. */
export function crdFolders(): string[] {
    const root = packageRoot();
    const out: string[] = [];
    for (const base of [path.join(root, "components", "crds"), path.join(root, "test", "fixtures", "crds")]) {
        if (!fs.existsSync(base)) {
            continue;
        }
        for (const entry of fs.readdirSync(base, { withFileTypes: true })) {
            if (entry.isDirectory()) {
                out.push(path.join(base, entry.name));
            }
        }
    }
    return out.sort();
}

interface CrdVersion {
    source: string;
    served: boolean;
    schema: Record<string, unknown>;
}

/** `${group}/${version}/${kind}` -> version entry, filled one YAML file at a time. */
const versions = new Map<string, CrdVersion>();
const parsedFiles = new Set<string>();
const validators = new Map<string, ValidateFunction>();

let files: string[] | undefined;

function yamlFiles(): string[] {
    files ??= crdFolders().flatMap((dir) =>
        fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f)),
    );
    return files;
}

function parseFile(file: string): void {
    if (parsedFiles.has(file)) {
        return;
    }
    parsedFiles.add(file);
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, "utf8"))) {
        const crd = doc.toJS() as any;
        if (crd?.kind !== "CustomResourceDefinition") {
            continue;
        }
        for (const v of crd.spec.versions ?? []) {
            const key = `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`;
            const prior = versions.get(key);
            if (prior !== undefined) {
                throw new Error(`${key} is defined by both ${prior.source} and ${file}`);
            }
            versions.set(key, {
                source: path.relative(packageRoot(), file),
                served: v.served !== false,
                schema: v.schema?.openAPIV3Schema ?? {},
            });
        }
    }
}

const fileGroups = new Map<string, string[]>();

/**
 * Parse the files that may define `group`. Parsing is the slow part (the LWS CRD alone is over a
 * megabyte), so files are picked by their `spec.group` line, read as text; a file where that line is not
 * found (a layout controller-gen does not write) is parsed anyway.
 */
function parseFilesOfGroup(group: string): void {
    for (const file of yamlFiles()) {
        let found = fileGroups.get(file);
        if (found === undefined) {
            found = [...fs.readFileSync(file, "utf8").matchAll(/^ {2}group: ["']?([^\s"']+)["']?\s*$/gm)].map((m) => m[1]);
            fileGroups.set(file, found);
        }
        if (found.length === 0 || found.includes(group)) {
            parseFile(file);
        }
    }
}

function findVersion(group: string, version: string, kind: string): CrdVersion | undefined {
    const key = `${group}/${version}/${kind}`;
    if (!versions.has(key)) {
        parseFilesOfGroup(group);
    }
    return versions.get(key);
}

/** True when some pinned CRD defines this group (any version or kind). */
export function hasGroup(group: string): boolean {
    parseFilesOfGroup(group);
    return [...versions.keys()].some((k) => k.startsWith(`${group}/`));
}

/**
 * Close every structural object schema in place (see the file comment). Branches of allOf/anyOf/oneOf/not are
 * left alone: in a structural schema they only add value checks on fields the main schema already names,
 * and a branch often lists just a subset of the fields.
 */
export function closeObjects(schema: any): void {
    if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
        return;
    }
    // controller-gen always pairs the flag with anyOf [integer, string]; a bare flag must still mean that.
    if (schema["x-kubernetes-int-or-string"] === true && schema.type === undefined && schema.anyOf === undefined) {
        schema.anyOf = [{ type: "integer" }, { type: "string" }];
    }
    const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
    if (schema["x-kubernetes-embedded-resource"] === true && schema.properties !== undefined) {
        schema.properties = { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, ...schema.properties };
    }
    if (schema.properties !== undefined && schema.additionalProperties === undefined && !preserve) {
        schema.additionalProperties = false;
    }
    for (const child of Object.values(schema.properties ?? {})) {
        closeObjects(child);
    }
    if (Array.isArray(schema.items)) {
        schema.items.forEach(closeObjects);
    } else {
        closeObjects(schema.items);
    }
    if (typeof schema.additionalProperties === "object") {
        closeObjects(schema.additionalProperties);
    }
    // allOf/anyOf/oneOf/not are deliberately not entered.
}

/** What we check of a custom resource's own metadata: the API server fills in the rest. */
const LOOSE_METADATA = {
    type: "object",
    required: ["name"],
    properties: {
        name: { type: "string", minLength: 1 },
        namespace: { type: "string", minLength: 1 },
        labels: { type: "object", additionalProperties: { type: "string" } },
        annotations: { type: "object", additionalProperties: { type: "string" } },
    },
};

/**
 * CRD patterns are Go (RE2) regular expressions; the one Go feature they use that JavaScript lacks is a
 * leading `(?i)` (the Prometheus Operator's PrometheusRule `partial_response_strategy`): turn it into the
 * `i` flag.
 */
const goRegExp = Object.assign(
    (pattern: string, flags: string) => (pattern.includes("(?i)") ? new RegExp(pattern.replace(/\(\?i\)/g, ""), `${flags}i`) : new RegExp(pattern, flags)),
    { code: "goRegExp" },
);

let ajv: Ajv | undefined;

function compiler(): Ajv {
    if (ajv === undefined) {
        // strict:false lets the x-kubernetes-* and `nullable`/`default` keywords through unchecked.
        // optimize:false: the LWS schema (two inlined pod templates) compiles in about a third of the time.
        // A format a future pin adds would otherwise be skipped with only a console line: fail instead.
        const logger = {
            log: console.log,
            warn: (...args: unknown[]) => {
                throw new Error(`ajv: ${args.join(" ")} (add it in test/support/crd-schemas.ts)`);
            },
            error: console.error,
        };
        ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, code: { optimize: false, regExp: goRegExp }, logger });
        const int = (bits: number) => ({
            type: "number" as const,
            validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** (bits - 1),
        });
        ajv.addFormat("int32", int(32));
        ajv.addFormat("int64", int(64));
        ajv.addFormat("date-time", (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(s));
        ajv.addFormat("ipv4", (s: string) => net.isIPv4(s));
        ajv.addFormat("ipv6", (s: string) => net.isIPv6(s));
        // kube-openapi's "duration" is Go's time.ParseDuration syntax (GMP's PodMonitoring intervals).
        ajv.addFormat("duration", (s: string) => /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(s));
    }
    return ajv;
}

function validatorFor(group: string, version: string, kind: string): ValidateFunction | string {
    const key = `${group}/${version}/${kind}`;
    const cached = validators.get(key);
    if (cached !== undefined) {
        return cached;
    }
    const entry = findVersion(group, version, kind);
    if (entry === undefined) {
        return `no schema for ${group}/${version}/${kind}`;
    }
    if (!entry.served) {
        return `${group}/${version} ${kind} is not served by the pinned CRD (${entry.source})`;
    }
    const schema: any = structuredClone(entry.schema);
    // The API server owns status; a rendered object must not carry one (and skipping it compiles faster).
    delete schema.properties?.status;
    closeObjects(schema);
    // Every object has apiVersion and kind at its root whether or not the CRD lists them (Istio's do not).
    schema.properties = { apiVersion: { type: "string" }, kind: { type: "string" }, ...(schema.properties ?? {}), metadata: LOOSE_METADATA };
    schema.required = [...new Set([...(schema.required ?? []), "apiVersion", "kind", "metadata"])];
    const validate = compiler().compile(schema);
    validators.set(key, validate);
    return validate;
}

export function formatAjvError(e: ErrorObject): string {
    const at = e.instancePath || "/";
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
        case "additionalProperties":
            return `${at}: unknown field "${p.additionalProperty}"`;
        case "enum":
            return `${at}: ${e.message} ${JSON.stringify(p.allowedValues)}`;
        default:
            return `${at}: ${e.message}`;
    }
}

/**
 * Errors of a custom resource against its pinned CRD, or undefined when no pinned CRD defines its
 * group (so the caller can report "no schema").
 */
export function validateCustomResource(obj: Record<string, unknown>, group: string, version: string, kind: string): string[] | undefined {
    if (!hasGroup(group)) {
        return undefined;
    }
    const validate = validatorFor(group, version, kind);
    if (typeof validate === "string") {
        return [validate];
    }
    if (validate(obj)) {
        return [];
    }
    return (validate.errors ?? []).map(formatAjvError);
}
