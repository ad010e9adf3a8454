/**
 * Kubernetes label syntax, as the API server checks it (apimachinery `validation.IsQualifiedName` and
 * `IsValidLabelValue`): an optional DNS-subdomain prefix, then a name of at most 63 characters; values may be
 * empty.
 */
const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelPrefix = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether `key` is a valid label key. */
export function isLabelKey(key: string): boolean {
    const parts = key.split("/");
    if (parts.length > 2) {
        return false;
    }
    const name = parts[parts.length - 1];
    const prefix = parts.length === 2 ? parts[0] : undefined;
    return name.length <= 63 && labelName.test(name) && (prefix === undefined || (prefix.length <= 253 && labelPrefix.test(prefix)));
}

/** Whether `value` is a valid label value. */
export function isLabelValue(value: unknown): boolean {
    return typeof value === "string" && value.length <= 63 && (value === "" || labelName.test(value));
}
