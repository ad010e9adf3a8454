/**
 * The baseline: a plain Pulumi program that registers the same custom resources llmd's program recorded,
 * flat, with the classes a user writing it by hand would import, and without llmd's components or render
 * functions. Comparing the two measures what llmd's own code adds to an evaluation, with the engine's cost
 * (serialising inputs, registering, resolving outputs) common to both.
 *
 * What "the same objects" means here, decided once:
 * - Kubernetes objects: the typed `@pulumi/kubernetes` class for the kind (`k8s.apps.v1.Deployment`), a
 *   `CustomResource` for kinds it has no class for, `helm.v4.Chart` / `helm.v3.Release` for charts, each
 *   with the same Kubernetes provider and the recorded inputs.
 * - Cloud resources (cluster, node pools, subnetwork, resource group): the cloud SDK's own generated class,
 *   from the same sub-module a hand-written program (and llmd's provider files) imports, e.g.
 *   `@pulumi/gcp/container` `Cluster`. Those classes create an Output per output property, which a generic
 *   `CustomResource` registered by token does not: the raw side must pay that too, or llmd looks slower
 *   for work any GKE program does.
 * - ComponentResources: none. llmd's components (`LlmdPlatform`, `LlmdModel`, `InferenceRouter`, the cluster
 *   components, ...) are llmd's cost and stay on llmd's side of the ratio; charts are the exception only
 *   because a raw program deploys the same chart through the same class.
 * - Inputs are the recorded, resolved values, and no `dependsOn`: the baseline does not wire one resource's
 *   outputs into another's inputs nor order them, so Output plumbing (a kubeconfig built from cluster
 *   outputs) and dependency edges are counted as llmd's cost.
 * - Module loading: neither side pays it in the timed runs. The bench evaluates each program once before
 *   timing, which loads every module either side needs (the cloud SDK sub-module included); start-up,
 *   module loading included, is measured separately (`bench/startup.ts`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RecordedResource } from "../stacks/mock-engine";

type Ctor = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.Resource;

/** The typed class a user would write for `kubernetes:<group>/<version>:<Kind>`, e.g. `k8s.apps.v1.Deployment`. */
function typedClass(type: string): Ctor | undefined {
    const [, module, kind] = type.split(":");
    const [group, version] = module.split("/");
    const namespace = (k8s as unknown as Record<string, Record<string, Record<string, Ctor>> | undefined>)[group.split(".")[0]];
    return namespace?.[version]?.[kind];
}

/**
 * The cloud SDK class a user would write for a cloud token, from the sub-module a hand-written program imports:
 * `gcp:container/cluster:Cluster` is `Cluster` of `@pulumi/gcp/container`, `azure-native:resources:ResourceGroup`
 * is `ResourceGroup` of `@pulumi/azure-native/resources`, and `digitalocean:index/kubernetesCluster:KubernetesCluster`
 * is `KubernetesCluster` of `@pulumi/digitalocean/kubernetesCluster`. `require` because which SDK a stack needs
 * is only known from its recording (and loading all three would cost every stack seconds).
 */
export function cloudClass(type: string): Ctor {
    const [pkg, module, className] = type.split(":");
    const [group, file] = module.split("/");
    const path =
        pkg === "azure-native" ? `@pulumi/azure-native/${group}` : pkg === "digitalocean" ? `@pulumi/digitalocean/${file}` : pkg === "gcp" ? `@pulumi/gcp/${group}` : undefined;
    const ctor = path === undefined ? undefined : (require(path) as Record<string, Ctor | undefined>)[className];
    if (ctor === undefined) {
        throw new Error(`bench: no SDK class for ${type}; add its package to cloudClass in bench/raw-program.ts`);
    }
    return ctor;
}

/** A program that registers `recorded` again as a hand-written `@pulumi/kubernetes` program would. */
export function rawProgram(recorded: RecordedResource[]): () => void {
    const replayed = recorded.filter((r) => r.custom || /^kubernetes:helm\.sh\//.test(r.type));
    return () => {
        const providers = new Map<string, k8s.Provider>();
        for (const r of replayed.filter((r) => r.type === "pulumi:providers:kubernetes")) {
            providers.set(r.urn, new k8s.Provider(r.name, r.inputs as k8s.ProviderArgs));
        }
        const providerOf = (r: RecordedResource) => (r.provider ? providers.get(r.provider.slice(0, r.provider.lastIndexOf("::"))) : undefined);
        for (const r of replayed) {
            if (r.type === "pulumi:providers:kubernetes") {
                continue;
            }
            const opts = { provider: providerOf(r) };
            if (r.type === "kubernetes:helm.sh/v4:Chart") {
                new k8s.helm.v4.Chart(r.name, r.inputs as unknown as k8s.helm.v4.ChartArgs, opts);
            } else if (r.type === "kubernetes:helm.sh/v3:Release") {
                new k8s.helm.v3.Release(r.name, r.inputs as unknown as k8s.helm.v3.ReleaseArgs, opts);
            } else if (r.type.startsWith("kubernetes:")) {
                const Typed = typedClass(r.type);
                if (Typed) {
                    new Typed(r.name, r.inputs, opts);
                } else {
                    new k8s.apiextensions.CustomResource(r.name, r.inputs as k8s.apiextensions.CustomResourceArgs, opts);
                }
            } else {
                const Cloud = cloudClass(r.type);
                new Cloud(r.name, r.inputs, opts);
            }
        }
    };
}
