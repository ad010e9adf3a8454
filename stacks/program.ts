/**
 * The stack program: reads the `llmd:*` config, creates (or connects to) the cluster for `llmd:provider`,
 * and puts an `LlmdDeployment` on it. Each provider module is loaded only when its stack uses it, so a
 * local stack never loads a cloud SDK.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterProvider } from "../components/catalog/accelerators";
import { ClusterOutputs } from "../components/cluster";
import { LlmdConfigError, requireOneOf } from "../components/errors";
import { LlmdDeployment, LlmdDeploymentArgs } from "../components/llmd";

/** Values of `llmd:provider`. */
export const STACK_PROVIDERS = ["kind", "minikube", "openshift", "existing", "gke", "aks", "digitalocean", "baremetal"] as const;
type StackProvider = (typeof STACK_PROVIDERS)[number];

/** A cluster component as the program needs it: the shared outputs plus the version it was asked for. */
interface StackCluster extends ClusterOutputs {
    /** Kubernetes version requested in config (plain), which decides native-sidecar use. */
    requestedVersion?: string;
}

function objectConfig(config: pulumi.Config, key: string): Record<string, any> {
    const value = config.getObject<unknown>(key) ?? {};
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new LlmdConfigError(`llmd:${key}`, value, "expected an object (a YAML mapping)");
    }
    return value as Record<string, any>;
}

// `require` rather than `import`: loading @pulumi/gcp or @pulumi/azure-native costs seconds and memory, and
// only the provider this stack names may pay it.
function createCluster(provider: Exclude<StackProvider, "baremetal">, args: Record<string, any>, kubeconfig: pulumi.Output<string> | undefined): StackCluster {
    switch (provider) {
        case "gke": {
            const { GkeCluster } = require("../providers/gke") as typeof import("../providers/gke");
            return Object.assign(new GkeCluster("gke", args as any), { requestedVersion: args.kubernetesVersion });
        }
        case "aks": {
            const { AksCluster } = require("../providers/aks") as typeof import("../providers/aks");
            return Object.assign(new AksCluster("aks", args as any), { requestedVersion: args.kubernetesVersion });
        }
        case "digitalocean": {
            const { DoksCluster } = require("../providers/digitalocean") as typeof import("../providers/digitalocean");
            return Object.assign(new DoksCluster("doks", args as any), { requestedVersion: args.version });
        }
        default: {
            const { ExistingCluster } = require("../providers/existing") as typeof import("../providers/existing");
            const kind = provider === "existing" ? (args.kind ?? "generic") : provider;
            return Object.assign(new ExistingCluster(provider, { ...args, kind, kubeconfig } as any), {
                requestedVersion: args.kubernetesVersion,
            });
        }
    }
}

/** The platform of the stack's cluster: the provider itself, or for `existing` the kind `llmd:cluster` names. */
function platformOf(provider: Exclude<StackProvider, "baremetal">, clusterArgs: Record<string, any>): ClusterProvider {
    if (provider !== "existing") {
        return provider;
    }
    return clusterArgs.kind === "openshift" || clusterArgs.kind === "minikube" || clusterArgs.kind === "kind" ? clusterArgs.kind : "existing";
}

/** The program `pulumi up` runs (see `stacks/index.ts`); also run in-process by `npm run plan` and the tests. */
export function runProgram(): Record<string, pulumi.Input<unknown>> {
    const config = new pulumi.Config("llmd");
    const provider = requireOneOf("llmd:provider", config.get("provider") ?? "kind", STACK_PROVIDERS);
    if (provider === "baremetal") {
        // No Kubernetes at all: the router runs on hosts and finds vLLM workers through an endpoints file.
        const { runBareMetalProgram } = require("./baremetal") as typeof import("./baremetal");
        return runBareMetalProgram(config);
    }
    const clusterArgs = objectConfig(config, "cluster");
    const deploymentArgs = objectConfig(config, "deployment") as LlmdDeploymentArgs;
    const cluster = createCluster(provider, clusterArgs, config.getSecret("kubeconfig"));

    const llmd = new LlmdDeployment("llmd", {
        ...deploymentArgs,
        pools: cluster.pools,
        kubernetesVersion: deploymentArgs.kubernetesVersion ?? cluster.requestedVersion,
        platform: deploymentArgs.platform ?? platformOf(provider, clusterArgs),
        hfToken: config.getSecret("hfToken"),
        kubernetesProvider: cluster.kubernetesProvider,
    });

    return {
        kubeconfig: cluster.kubeconfig,
        kubernetesVersion: cluster.kubernetesVersion,
        namespace: llmd.namespace,
        preset: llmd.preset,
        model: llmd.servedModelName,
        gateway: llmd.gatewayName,
        inferencePool: llmd.poolName,
    };
}
