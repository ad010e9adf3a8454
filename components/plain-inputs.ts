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

/** A build's result as its components expose it: one Output per field. */
export type BuiltFields<R> = { readonly [K in keyof R]-?: pulumi.Output<pulumi.Unwrap<R[K]>> };

/**
 * Runs `build` on `args` with every Output resolved, except the fields in `keep` (resources, and secrets that
 * must stay Outputs to stay secret), which are passed through as given. Returns each field of what `build`
 * returns as an Output of its own.
 *
 * Field by field, because that is what a component exposes, and because wrapping the whole result in one
 * Output and lifting each field out of it again costs two applies per field per component: for many models
 * on one platform that plumbing was a tenth of the evaluation (bench/models.ts). It also keeps one secret
 * field from making its siblings secret.
 */
export function whenPlain<A extends object, R extends object>(args: A, keep: readonly (keyof A)[], build: (plain: A) => R): BuiltFields<R> {
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
        const fields: Record<string, pulumi.Output<unknown>> = {};
        for (const [key, value] of Object.entries(build(args))) {
            fields[key] = pulumi.Output.isInstance(value) ? value : knownOutput(value);
        }
        return fields as unknown as BuiltFields<R>;
    }
    // The fields are only known once `build` has run; an Output lifts each one out on access.
    const later = pulumi.output(rest).apply((plain) => pulumi.output(build({ ...(plain as object), ...kept } as A)));
    return later as unknown as BuiltFields<R>;
}

// The values behind the Outputs `whenPlain` made from values it already had.
const knownValues = new WeakMap<pulumi.Output<unknown>, unknown>();

function knownOutput(value: unknown): pulumi.Output<unknown> {
    const output = pulumi.output(value);
    knownValues.set(output, value);
    return output;
}

/**
 * What a component passes to `registerOutputs`: each Output `whenPlain` made from a value it already had is
 * replaced by that value, the rest are kept. The engine records the same values, but the SDK awaits every
 * Output it is given, one stack-traced promise each (`debuggablePromise`): about 6 per component, 5% of the
 * promises of an evaluation with three models (gke-multi-model).
 */
export function outputsToRegister(outputs: Record<string, unknown>): Record<string, unknown> {
    const registered: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(outputs)) {
        registered[key] = pulumi.Output.isInstance(value) && knownValues.has(value) ? knownValues.get(value) : value;
    }
    return registered;
}
