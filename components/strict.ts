/**
 * Strict input: walks untyped args (YAML, Python, Go, stack config) against the declared shapes in shapes.ts
 * before anything is created. Unknown keys fail with a did-you-mean suggestion, wrong types fail (`"no"` is
 * not a boolean, a string is not a list, 3e9 is not an int32), and the values llmd renders into Kubernetes
 * objects are held to the API server's own rules (image references, env var names, label syntax, taint
 * effects, quantities, namespaces), so the error names the field the user wrote rather than a rejected
 * object later. Values that are Pulumi Outputs, Promises or resources are known only later and pass.
 */
import { POD_SECURITY_LEVELS } from "./render/pod-security-standards";
import * as pulumi from "@pulumi/pulumi";
import { HIDDEN_VALUE, LlmdConfigError, hiddenValueError, requireDnsLabel } from "./errors";
import { COMPONENTS, FieldShape, NAMESPACE_CREATION, ObjectShape, TYPES } from "./shapes";
import { closest } from "./suggest";
import { isLabelKey, isLabelValue } from "./render/label-syntax";
import { checkEnv, isSecretEnvName } from "./strict-env";
import { isQuantity, quantityValue } from "./strict-quantity";

const INT32_MAX = 2147483647;
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
// Docker's reference grammar (distribution/reference): an optional registry (a first component with a '.' or
// ':', or localhost), lowercase path components, an optional tag and an optional digest.
const domainComponent = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const IMAGE = new RegExp(
    `^(?:(?:${domainComponent}(?:\\.${domainComponent})+(?::[0-9]+)?|${domainComponent}:[0-9]+|localhost)/)?` +
        `${pathComponent}(?:/${pathComponent})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

/** Extra text for keys a caller does not take here, e.g. stack settings the program sets itself. */
export type KeyHints = Readonly<Record<string, string>>;

function isDeferred(value: unknown): boolean {
    return pulumi.Output.isInstance(value) || value instanceof Promise || pulumi.Resource.isInstance(value);
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(prefix: string, key: string): string {
    return prefix === "" ? key : `${prefix}.${key}`;
}

/**
 * Whether a key name suggests its value is a credential, so an error about it never prints the value. Generous
 * on purpose, since the key is often a typo (`hfTokn`, `privatekey`): hiding a harmless value costs nothing.
 */
export function looksSecret(key: string): boolean {
    return isSecretEnvName(key) || /tok|secret|passw|private|api_?key|credential/i.test(key);
}

/**
 * Throws `LlmdConfigError` unless `value` fits `shape` (a field kind, or an object shape). `field` is the
 * path the user wrote down to `value` (empty for a component's whole args); `hints` explain keys this
 * caller rejects on purpose.
 */
export function checkShape(field: string, value: unknown, shape: FieldShape | ObjectShape, hints: KeyHints = {}): void {
    if (value === undefined || value === null || isDeferred(value)) {
        return;
    }
    if (typeof shape !== "string") {
        checkObject(field, value, shape, hints);
        return;
    }
    if (shape.endsWith("[]")) {
        if (!Array.isArray(value)) {
            throw new LlmdConfigError(field, value, `expected a list (a YAML sequence)${typeof value === "string" ? ", one item per entry, not one string" : ""}`);
        }
        value.forEach((item, i) => checkShape(`${field}[${i}]`, item, shape.slice(0, -2)));
        return;
    }
    const type = TYPES[shape];
    if (type !== undefined) {
        checkObject(field, value, type, {});
        return;
    }
    checkScalar(field, value, shape);
}

/** The last segment of a dotted path, without a list index. */
function lastSegment(path: string): string {
    return path.split(".").pop()!.replace(/\[\d+\]$/, "");
}

function checkObject(field: string, value: unknown, shape: ObjectShape, hints: KeyHints): void {
    if (!isMapping(value)) {
        const expected = "expected an object (a YAML mapping)";
        // e.g. `apiKeys: sk-...` where { secretName } belongs.
        throw looksSecret(lastSegment(field)) ? hiddenValueError(field, expected) : new LlmdConfigError(field || "args", value, expected);
    }
    for (const [key, item] of Object.entries(value)) {
        const kind = shape[key];
        if (kind === undefined) {
            unknownKey(join(field, key), key, item, Object.keys(shape), field, hints[key]);
        }
        checkShape(join(field, key), item, kind);
    }
    for (const [nsField, createField] of NAMESPACE_CREATION) {
        const createdByDefault = shape[nsField] === "ownNamespace";
        if (value[nsField] === "default" && createField in shape && (value[createField] ?? createdByDefault) === true) {
            throw new LlmdConfigError(join(field, nsField), "default", `expected a namespace llmd may create: "default" exists in every cluster (set ${createField}: false to use it)`);
        }
    }
    if (typeof value.memoryRequest === "string" && typeof value.memoryLimit === "string" && quantityValue(value.memoryRequest) > quantityValue(value.memoryLimit)) {
        throw new LlmdConfigError(join(field, "memoryRequest"), value.memoryRequest, `expected at most memoryLimit (${value.memoryLimit}): the API server rejects requests above limits`);
    }
}

function unknownKey(path: string, key: string, value: unknown, known: string[], parent: string, hint: string | undefined): never {
    // Any key under a secret-looking parent (`apiKeys.key`) may hold the secret itself.
    const secret = looksSecret(key) || (parent !== "" && looksSecret(lastSegment(parent)));
    const err = new LlmdConfigError(path, secret ? undefined : value, "");
    const shown = secret ? HIDDEN_VALUE : err.message.slice(`${path}: got `.length, -2);
    const guess = closest(key, known);
    const suggestion = guess === undefined ? "" : ` (did you mean ${join(parent, guess)}?)`;
    const valid = hint ?? `expected a field ${parent === "" ? "these args take" : `${parent} takes`}${suggestion}: ${known.join(", ")}`;
    err.message = `${path}: got ${shown}; ${valid}`;
    throw err;
}

function checkScalar(field: string, value: unknown, kind: string): void {
    switch (kind) {
        case "string":
            if (typeof value !== "string") throw new LlmdConfigError(field, value, "expected a string");
            return;
        case "boolean":
            if (typeof value !== "boolean") throw new LlmdConfigError(field, value, "expected true or false (a YAML boolean, not a string)");
            return;
        case "number":
            if (typeof value !== "number" || !Number.isFinite(value)) throw new LlmdConfigError(field, value, "expected a number");
            return;
        case "int":
        case "signed": {
            const min = kind === "int" ? 0 : -INT32_MAX - 1;
            if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > INT32_MAX) {
                throw new LlmdConfigError(field, value, `expected an integer >= ${min} and <= ${INT32_MAX} (a Kubernetes int32)`);
            }
            return;
        }
        case "resource":
            throw new LlmdConfigError(field, value, "expected a Pulumi resource (e.g. a cluster component's kubernetesProvider)");
        case "any":
            if (!isMapping(value)) throw new LlmdConfigError(field, value, "expected an object (a YAML mapping)");
            return;
        case "map":
        case "labels":
        case "env":
            checkStringMap(field, value, kind);
            return;
        case "image":
            if (typeof value !== "string" || !IMAGE.test(value)) {
                throw new LlmdConfigError(field, value, "expected an image reference such as ghcr.io/llm-d/llm-d-cuda:v0.4.0 (lowercase repository, optional tag and @sha256 digest, no spaces)");
            }
            return;
        case "namespace":
        case "ownNamespace":
            requireDnsLabel(field, value);
            if ((value as string).startsWith("kube-")) {
                throw new LlmdConfigError(field, value, "expected a namespace outside kube-*, which Kubernetes reserves for its own components");
            }
            return;
        case "qualifiedName":
            if (typeof value !== "string" || !isLabelKey(value)) {
                throw new LlmdConfigError(field, value, "expected a qualified name such as rdma/ib or nvidia.com/gpu: an optional DNS-subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.'");
            }
            return;
        case "labelValue":
            if (!isLabelValue(value)) {
                throw new LlmdConfigError(field, value, "expected a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
            }
            return;
        case "effect":
            if (typeof value !== "string" || !TAINT_EFFECTS.includes(value)) throw new LlmdConfigError(field, value, `expected one of ${TAINT_EFFECTS.join(", ")}`);
            return;
        case "podSecurityLevel":
            if (typeof value !== "string" || !(POD_SECURITY_LEVELS as string[]).includes(value)) {
                throw new LlmdConfigError(field, value, `expected one of ${POD_SECURITY_LEVELS.join(", ")}`);
            }
            return;
        case "quantity":
            if (typeof value !== "string" || !isQuantity(value)) {
                throw new LlmdConfigError(field, value, 'expected a Kubernetes quantity string such as "4", "500m" or "16Gi" (quote numbers in YAML)');
            }
            return;
        default:
            throw new Error(`shapes.ts: unknown field kind ${kind} at ${field}`);
    }
}

function checkStringMap(field: string, value: unknown, kind: "map" | "labels" | "env"): void {
    if (!isMapping(value)) {
        throw new LlmdConfigError(field, value, "expected a mapping of names to string values");
    }
    for (const [key, item] of Object.entries(value)) {
        if (kind === "env") {
            checkEnv(field, key, item);
            continue;
        }
        if (typeof item !== "string") {
            throw new LlmdConfigError(join(field, key), item, "expected a string (quote numbers and booleans in YAML)");
        }
        if (kind === "labels" && !isLabelKey(key)) {
            throw new LlmdConfigError(field, key, "expected label keys of an optional DNS-subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
        }
        if (kind === "labels") {
            checkScalar(join(field, key), item, "labelValue");
        }
    }
}

// Composites whose args passed: the children they build get args the composite derived and already checked
// at its edge (plus internal settings, such as the route's model names, that no user sets).
const checkedComposites = new WeakSet<pulumi.Resource>();

/**
 * Checks a component's whole args against its declared shape; call first in its constructor. A composite
 * passes itself as `composite`, so its children skip the check for what it derived.
 */
export function checkArgs(component: keyof typeof COMPONENTS, args: unknown, opts?: pulumi.ComponentResourceOptions, composite?: pulumi.Resource): void {
    if (opts?.parent !== undefined && checkedComposites.has(opts.parent)) {
        return;
    }
    checkShape("", args ?? {}, COMPONENTS[component]);
    if (composite !== undefined) {
        checkedComposites.add(composite);
    }
}
