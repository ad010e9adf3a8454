/**
 * Components decide what to create from plain values, but from Python, Go or YAML (through the component
 * provider host) every input arrives wrapped as an Output, and a TypeScript user may pass another resource's
 * output (a cluster's `pools`, a platform's `ref`). `whenPlain` builds at once when nothing is wrapped (errors
 * throw at construction, as always) and otherwise once the values are known: in preview that is immediately
 * for values given in config, and never for values only a deployment will know, so the plan then shows the
 * component without its children rather than blocking.
 */
import * as pulumi from "@pulumi/pulumi";

/** Whether `value` holds an Output (or a Promise) anywhere inside; Resources are references and count as plain. */
export function hasOutputs(value: unknown): boolean {
    if (value === null || typeof value !== "object") {
        return false;
    }
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        return true;
    }
    if (pulumi.Resource.isInstance(value)) {
        return false;
    }
    return Object.values(value as object).some(hasOutputs);
}

/**
 * Runs `build` on `args` with every Output resolved, except the fields in `keep` (resources, and secrets that
 * must stay Outputs to stay secret), which are passed through as given. Returns what `build` returns, as an Output.
 */
export function whenPlain<A extends object, R>(args: A, keep: readonly (keyof A)[], build: (plain: A) => R): pulumi.Output<pulumi.Unwrap<R>> {
    const kept: Partial<A> = {};
    const rest: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(args)) {
        if (keep.includes(key as keyof A)) {
            (kept as Record<string, unknown>)[key] = value;
        } else {
            rest[key] = value;
        }
    }
    if (!hasOutputs(rest)) {
        return pulumi.output(build(args));
    }
    return pulumi.output(rest).apply((plain) => pulumi.output(build({ ...(plain as object), ...kept } as A))) as pulumi.Output<pulumi.Unwrap<R>>;
}
