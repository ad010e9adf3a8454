/**
 * The baseline: a plain `@pulumi/kubernetes` program that registers the same resources llmd's program
 * recorded, flat and without components or render functions. Comparing the two measures what llmd's own
 * code adds to an evaluation, with the engine's cost (serialising inputs, registering) common to both.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RecordedResource } from "../stacks/mock-engine";

/** A cloud resource registered by its token, as the cloud SDK's generated classes do. */
class CloudResource extends pulumi.CustomResource {
    constructor(type: string, name: string, inputs: Record<string, unknown>) {
        super(type, name, inputs);
    }
}

type Ctor = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.Resource;

/** The typed class a user would write for `kubernetes:<group>/<version>:<Kind>`, e.g. `k8s.apps.v1.Deployment`. */
function typedClass(type: string): Ctor | undefined {
    const [, module, kind] = type.split(":");
    const [group, version] = module.split("/");
    const namespace = (k8s as unknown as Record<string, Record<string, Record<string, Ctor>> | undefined>)[group.split(".")[0]];
    return namespace?.[version]?.[kind];
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
                // Cloud resources (cluster, node pools): registered by token, as the cloud SDK's classes do.
                new CloudResource(r.type, r.name, r.inputs);
            }
        }
    };
}
