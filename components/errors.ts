/**
 * Thrown at construction time when an argument is invalid. The message always names the field, the value
 * that was given and what would have been valid, so a user can fix the stack without reading our source.
 */
export class LlmdConfigError extends Error {
    /** Dotted path of the offending field, e.g. `modelServers[0].tensorParallelSize`. */
    readonly field: string;

    constructor(field: string, value: unknown, expected: string) {
        super(`${field}: got ${describe(value)}; ${expected}`);
        this.name = "LlmdConfigError";
        this.field = field;
    }

    /**
     * The same error for a field nested under `prefix`, so a composite component reports the path the user
     * wrote (`decode.tensorParallelSize`) rather than the inner component's (`tensorParallelSize`).
     */
    under(prefix: string): LlmdConfigError {
        const nested = new LlmdConfigError(`${prefix}.${this.field}`, undefined, "");
        nested.message = `${prefix}.${this.message}`;
        return nested;
    }
}

/** What an error says instead of a value that may be a secret. */
export const HIDDEN_VALUE = "a value (not shown: it may be a secret)";

/** An error that does not repeat the value: what was written under a secret-looking name may be the secret. */
export function hiddenValueError(field: string, expected: string): LlmdConfigError {
    const err = new LlmdConfigError(field, undefined, "");
    err.message = `${field}: got ${HIDDEN_VALUE}; ${expected}`;
    return err;
}

/** Runs `check`, re-raising its config errors as nested under `prefix`. */
export function checkUnder<T>(prefix: string, check: () => T): T {
    try {
        return check();
    } catch (err) {
        throw err instanceof LlmdConfigError ? err.under(prefix) : err;
    }
}

function describe(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    if (typeof value === "string") {
        return JSON.stringify(value);
    }
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}

/** Throws unless `value` is one of `allowed`; narrows the type on success. */
export function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
        throw new LlmdConfigError(field, value, `expected one of ${allowed.join(", ")}`);
    }
    return value as T;
}

/** `fallback` when `value` is unset; otherwise it must be a boolean. */
export function optionalBoolean(field: string, value: unknown, fallback = false): boolean {
    if (value === undefined) {
        return fallback;
    }
    if (typeof value !== "boolean") {
        throw new LlmdConfigError(field, value, "expected true or false");
    }
    return value;
}

/** Throws unless `value` is an integer within [min, max]. */
export function requireInteger(field: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
        throw new LlmdConfigError(field, value, `expected ${range}`);
    }
    return value;
}

/** Throws unless `value` is a non-empty string. */
export function requireNonEmpty(field: string, value: unknown): string {
    if (typeof value !== "string" || value.trim() === "") {
        throw new LlmdConfigError(field, value, "expected a non-empty string");
    }
    return value;
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Throws unless `value` is a valid Kubernetes object name segment (RFC 1123 label, at most `maxLength`). */
export function requireDnsLabel(field: string, value: unknown, maxLength = 63): string {
    if (typeof value !== "string" || value.length > maxLength || !dns1123Label.test(value)) {
        throw new LlmdConfigError(
            field,
            value,
            `expected lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${maxLength} characters`,
        );
    }
    return value;
}

/** Throws unless `value` is a Secret name (a DNS subdomain, at most 253 characters); `expected` says which Secret. */
export function requireSecretName(field: string, value: unknown, expected: string): string {
    const ok = typeof value === "string" && value.length <= 253 && value.split(".").every((label) => dns1123Label.test(label));
    if (!ok) {
        throw new LlmdConfigError(field, value, expected);
    }
    return value as string;
}

/** Parses a Kubernetes version such as `1.33`, `v1.33.4` or `1.33.4-gke.100`; returns the minor version. */
export function parseKubernetesMinor(field: string, value: unknown, minimumMinor = 29): number {
    const match = typeof value === "string" ? /^v?1\.(\d+)(\.\d+)?([-+].*)?$/.exec(value) : null;
    if (!match) {
        throw new LlmdConfigError(field, value, `expected a Kubernetes version such as "1.33" (1.${minimumMinor} or newer)`);
    }
    const minor = Number(match[1]);
    if (minor < minimumMinor) {
        throw new LlmdConfigError(field, value, `llm-d needs Kubernetes 1.${minimumMinor} or newer`);
    }
    return minor;
}
