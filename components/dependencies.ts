/**
 * Exact dependency edges for the objects a component renders: each object waits for what it needs (its
 * namespace, the CRD serving its kind, the controller whose webhook admits it) and nothing more. A
 * component-level `dependsOn` would make every child wait for everything, which serialises `pulumi up` for
 * no reason, and children do not inherit it anyway.
 *
 * Composites (`LlmdModel`, `LlmdDeployment`) hand these edges to the components they build through
 * `withKindDependencies`, which keeps them out of the args (the multi-language schema cannot carry resources).
 */
import * as pulumi from "@pulumi/pulumi";

/** The resources an object of `kind` must wait for. */
export type KindDependencies = (kind: string) => pulumi.Resource[];

const registered = new WeakMap<object, KindDependencies>();

/** Returns `opts`, remembering `dependencies` for the component constructed with it. */
export function withKindDependencies<T extends pulumi.ComponentResourceOptions>(opts: T, dependencies: KindDependencies): T {
    registered.set(opts, dependencies);
    return opts;
}

/** The per-kind edges a composite registered for these options, if any. */
export function kindDependenciesOf(opts: pulumi.ComponentResourceOptions | undefined): KindDependencies | undefined {
    return opts === undefined ? undefined : registered.get(opts);
}

type DependsOn = pulumi.ResourceOptions["dependsOn"];

/** `external` (a caller's `dependsOn`, in any of its forms) plus `more`. */
export function plusDependencies(external: DependsOn, ...more: pulumi.Resource[]): DependsOn {
    if (external === undefined) {
        return more;
    }
    if (Array.isArray(external)) {
        return [...external, ...more];
    }
    if (pulumi.Resource.isInstance(external)) {
        return [external, ...more];
    }
    return pulumi.output(external as pulumi.Input<pulumi.Resource | pulumi.Resource[]>).apply((d) => [...(Array.isArray(d) ? d : [d]), ...more]);
}
