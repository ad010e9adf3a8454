/**
 * Plain data (the JSON kinds: maps, lists, strings, finite numbers, booleans, null) as block-style YAML text,
 * for the config files llmd writes into ConfigMaps: the router's scheduler config and the gateway's parameters.
 * Pure.
 *
 * Why not the `yaml` package's `stringify`:
 * - Those files are read by Go programs (the router through sigs.k8s.io/yaml, Istio), whose YAML is 1.1: a
 *   plain `on`, `no`, `y`, `12:30` or `2026-01-01` there is a boolean, a number or a date, not a string. The
 *   package's default output is YAML 1.2 and writes them plain; its 1.1 mode quotes them but costs the same.
 * - It costs about 0.2 ms per file even when warm (Document, schema and node objects for every value), about
 *   a third of llmd's own CPU in a one-model stack's evaluation; this is a few microseconds.
 *
 * A string is written plain only when every YAML 1.1 and 1.2 reader takes it back as that same string, and
 * in double quotes (JSON's escapes, which YAML shares, plus the characters YAML treats as line breaks or
 * non-printable) otherwise. For the files llmd renders the text is the same as `yaml`'s 1.1-mode output; a test
 * checks that, and that tricky strings read back unchanged under both versions.
 */

const INDENT = "  ";

// Words YAML 1.1 (and in part 1.2) resolves to booleans or null when plain.
const RESERVED_WORDS = new Set(
    ["y", "yes", "n", "no", "true", "false", "on", "off", "null"].flatMap((w) => [w, w.toUpperCase(), w[0].toUpperCase() + w.slice(1)]),
);

// Plain strings: start with a letter, `_` or `/`; go on with characters no reader gives a meaning there; no
// `: ` or ` #` (a key or a comment), no trailing `:` and no leading or trailing space.
const PLAIN_WORD = /^[A-Za-z_/][A-Za-z0-9_./:@,+=#%~ -]*$/;
// A leading digit is plain only as a Kubernetes quantity (`16Gi`, `100m`); `8`, `1e3`, `0x1F`, `1_000`,
// `12:30` and dates are numbers or timestamps to one YAML version or the other.
const PLAIN_QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P)$/;

function plainSafe(text: string): boolean {
    if (PLAIN_QUANTITY.test(text)) {
        return true;
    }
    return (
        PLAIN_WORD.test(text) &&
        !RESERVED_WORDS.has(text) &&
        !text.endsWith(" ") &&
        !text.endsWith(":") &&
        !text.includes(": ") &&
        !text.includes(" #")
    );
}

// Beyond what JSON escapes: DEL and the C1 controls (not printable in YAML), NEL, LS and PS (line breaks in
// YAML 1.1), and the byte-order mark.
const YAML_ONLY_ESCAPES = /[\u007f-\u009f\u2028\u2029\ufeff]/g;

function quoted(text: string): string {
    return JSON.stringify(text).replace(YAML_ONLY_ESCAPES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function scalar(value: unknown, path: string): string {
    switch (typeof value) {
        case "string":
            return plainSafe(value) ? value : quoted(value);
        case "number":
            if (!Number.isFinite(value)) {
                throw new TypeError(`yaml-text: ${path} is ${value}; only finite numbers have a YAML form every reader shares`);
            }
            return String(value);
        case "boolean":
            return String(value);
        default:
            if (value === null) {
                return "null";
            }
            throw new TypeError(`yaml-text: ${path} is a ${typeof value}; expected plain data (map, list, string, number, boolean, null)`);
    }
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return false;
    }
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
}

/** The value on the line of its key or dash, or undefined when it needs lines of its own. */
function inline(value: unknown, path: string): string | undefined {
    if (Array.isArray(value)) {
        return value.length === 0 ? "[]" : undefined;
    }
    if (value !== null && typeof value === "object") {
        if (!isPlainMap(value)) {
            throw new TypeError(`yaml-text: ${path} is a ${value.constructor?.name ?? "non-plain object"}; expected plain data`);
        }
        return Object.values(value).every((v) => v === undefined) ? "{}" : undefined;
    }
    return scalar(value, path);
}

function writeMap(map: Record<string, unknown>, indent: string, path: string, out: string[]): void {
    for (const [key, value] of Object.entries(map)) {
        if (value === undefined) {
            continue; // as JSON does: an absent field
        }
        const keyText = scalar(key, path);
        const childPath = `${path}.${key}`;
        const text = inline(value, childPath);
        if (text !== undefined) {
            out.push(`${indent}${keyText}: ${text}`);
        } else {
            out.push(`${indent}${keyText}:`);
            writeBlock(value, indent + INDENT, childPath, out);
        }
    }
}

function writeList(list: unknown[], indent: string, path: string, out: string[]): void {
    list.forEach((item, i) => {
        const childPath = `${path}[${i}]`;
        const value = item === undefined ? null : item;
        const text = inline(value, childPath);
        if (text !== undefined) {
            out.push(`${indent}- ${text}`);
            return;
        }
        // The item's first line goes after the dash; the rest keep the indent the dash takes.
        const start = out.length;
        writeBlock(value, indent + INDENT, childPath, out);
        out[start] = `${indent}- ${out[start].slice(indent.length + INDENT.length)}`;
    });
}

function writeBlock(value: unknown, indent: string, path: string, out: string[]): void {
    if (Array.isArray(value)) {
        writeList(value, indent, path, out);
    } else {
        writeMap(value as Record<string, unknown>, indent, path, out);
    }
}

/** `value` as a YAML document, ending in a newline. Throws a TypeError for anything that is not plain data. */
export function yamlText(value: unknown): string {
    const text = inline(value, "$");
    if (text !== undefined) {
        return `${text}\n`;
    }
    const out: string[] = [];
    writeBlock(value, "", "$", out);
    return `${out.join("\n")}\n`;
}
