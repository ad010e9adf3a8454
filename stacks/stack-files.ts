import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { packageRoot } from "../components/package-root";

/** A stack's configuration as the engine would hand it to the program. */
export interface StackConfigFile {
    /** `namespace:key` -> value; structured values are JSON-encoded, as the engine passes them. */
    config: Record<string, string>;
    /** Keys whose values are secure (encrypted) in the file. */
    secretKeys: string[];
}

/** Placeholder for a `secure:` value: the plan has no key to decrypt it, and must not print it anyway. */
export const SECURE_PLACEHOLDER = "secure-value-not-decrypted-offline";

/** Stack names that have a `stacks/Pulumi.<name>.yaml`. */
export function listStacks(): string[] {
    return fs
        .readdirSync(path.join(packageRoot(), "stacks"))
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

function containsSecure(value: unknown): boolean {
    if (value === null || typeof value !== "object") {
        return false;
    }
    if ("secure" in (value as object) && Object.keys(value as object).length === 1) {
        return true;
    }
    return Object.values(value as object).some(containsSecure);
}

function replaceSecure(value: unknown): unknown {
    if (value === null || typeof value !== "object") {
        return value;
    }
    if ("secure" in (value as object) && Object.keys(value as object).length === 1) {
        return SECURE_PLACEHOLDER;
    }
    if (Array.isArray(value)) {
        return value.map(replaceSecure);
    }
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, replaceSecure(v)]));
}

/** Reads `stacks/Pulumi.<stack>.yaml`. Throws naming the stacks that exist when it is missing. */
export function readStackConfig(stack: string): StackConfigFile {
    const file = path.join(packageRoot(), "stacks", `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack "${stack}": expected one of ${listStacks().join(", ")}`);
    }
    return readStackConfigFile(file);
}

/** Reads a stack config file anywhere, in the `Pulumi.<stack>.yaml` format. */
export function readStackConfigFile(file: string): StackConfigFile {
    const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, raw] of Object.entries(doc.config ?? {})) {
        if (containsSecure(raw)) {
            secretKeys.push(key);
        }
        const value = replaceSecure(raw);
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { config, secretKeys };
}
