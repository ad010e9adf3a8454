/**
 * The stack program: reads the `llmd:*` config, creates (or connects to) the cluster for `llmd:provider`, and
 * puts llm-d on it: an `LlmdPlatform` with the `LlmdModel`s of `llmd:models`, or, for `llmd:deployment` alone,
 * the one-model `LlmdDeployment` (unchanged, so stacks written before the split update in place). Each provider
 * module is loaded only when its stack uses it, so a local stack never loads a cloud SDK.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterProvider } from "../components/catalog/accelerators";
import { ClusterOutputs, knownPools } from "../components/cluster";
import { AcceleratorPool } from "../components/pool";
import { LlmdConfigError, checkUnder, requireOneOf } from "../components/errors";
import { LlmdDeployment, LlmdDeploymentArgs } from "../components/llmd";
import { LlmdModel, LlmdModelArgs } from "../components/model";
import { LlmdPlatform, LlmdPlatformArgs } from "../components/platform";
import { resolveMultiModel } from "../components/render/multi-model";
import { checkStackConfig } from "./strict-config";

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
    checkStackConfig(config, provider);
    if (provider === "baremetal") {
        // No Kubernetes at all: the router runs on hosts and finds vLLM workers through an endpoints file.
        const { runBareMetalProgram } = require("./baremetal") as typeof import("./baremetal");
        return runBareMetalProgram(config);
    }
    const clusterArgs = objectConfig(config, "cluster");
    const deploymentArgs = config.getObject<unknown>("deployment");
    const platformArgs = config.getObject<unknown>("platform");
    const modelsArgs = config.getObject<unknown>("models");
    if (deploymentArgs !== undefined && modelsArgs !== undefined) {
        throw new LlmdConfigError("llmd:models", modelsArgs, "set either llmd:deployment (one model) or llmd:models (a list), not both");
    }
    // Component errors name the stack key the user wrote: `llmd:cluster.pools[0].name`, not `pools[0].name`.
    const cluster = checkUnder("llmd:cluster", () => createCluster(provider, clusterArgs, config.getSecret("kubeconfig")));
    const clusterProvider = platformOf(provider, clusterArgs);
    const hfToken = config.getSecret("hfToken");

    if (platformArgs === undefined && modelsArgs === undefined) {
        return runDeployment(objectConfig(config, "deployment") as LlmdDeploymentArgs, cluster, clusterProvider, hfToken);
    }
    const platformInput = objectConfig(config, "platform") as LlmdPlatformArgs;
    const models = (modelsArgs ?? (deploymentArgs === undefined ? undefined : [{ name: "llmd", ...(objectConfig(config, "deployment") as object) }])) as unknown;
    const shared = { pools: stackPools(cluster), kubernetesVersion: cluster.requestedVersion, clusterProvider };
    const withShared = (entry: Record<string, unknown>) => ({
        ...entry,
        pools: shared.pools,
        kubernetesVersion: entry.kubernetesVersion ?? shared.kubernetesVersion,
        clusterProvider: entry.clusterProvider ?? clusterProvider,
    });
    const platformFull = { ...platformInput, clusterProvider: platformInput.clusterProvider ?? clusterProvider, pools: stackPools(cluster) };
    const modelsKey = modelsArgs === undefined ? "llmd:deployment" : "llmd:models";
    // Every model is checked against the platform and the others before the first resource exists.
    const plan = inStackConfig(modelsKey, () => {
        const entries = Array.isArray(models) ? models.map((m) => (typeof m === "object" && m !== null ? withShared(m) : m)) : models;
        return resolveMultiModel("llmd", platformFull as any, entries, { hfTokenGiven: hfToken !== undefined });
    });

    const platform = checkUnder("llmd:platform", () => new LlmdPlatform("llmd", {
        ...platformFull,
        leaderWorkerSet: plan.platform.installLeaderWorkerSet,
        kubernetesProvider: cluster.kubernetesProvider,
    }));
    const served = (models as Record<string, unknown>[]).map(({ name, ...entry }, i) => {
        const model = checkUnder(modelsKey === "llmd:models" ? `llmd:models[${i}]` : modelsKey, () => new LlmdModel(name as string, {
            ...(withShared(entry) as LlmdModelArgs),
            platform: platform.ref,
            hfToken,
            kubernetesProvider: cluster.kubernetesProvider,
        }));
        return { name: name as string, model };
    });

    return {
        kubeconfig: cluster.kubeconfig,
        kubernetesVersion: cluster.kubernetesVersion,
        namespace: platform.namespace,
        gateway: platform.gatewayName,
        url: platform.baseUrl,
        models: pulumi.all(served.map(({ model }) => model.servedModels)).apply((names) => names.flat()),
        modelEndpoints: pulumi
            .all(served.map(({ name, model }) => pulumi.all([model.namespace, model.poolName, model.servedModels, model.standaloneUrl]).apply(([namespace, pool, names, standaloneUrl]) => ({ name, namespace, inferencePool: pool, models: names, standaloneUrl }))))
            .apply((list) => list),
    };
}

/**
 * Runs `resolve`, renaming its errors to the stack config keys the user wrote: `models[i].x` under `modelsKey`
 * (`llmd:models[1].decode.replicas`, or `llmd:deployment.decode.replicas` for the one model of llmd:deployment),
 * anything else under `llmd:platform`.
 */
function inStackConfig<T>(modelsKey: string, resolve: () => T): T {
    try {
        return resolve();
    } catch (err) {
        if (!(err instanceof LlmdConfigError)) {
            throw err;
        }
        const match = /^models(\[(\d+)\])?(.*)$/.exec(err.field);
        const field = match
            ? modelsKey === "llmd:deployment"
                ? `llmd:deployment${match[3]}`
                : `llmd:models${match[1] ?? ""}${match[3]}`
            : `llmd:platform.${err.field.replace(/^platform\./, "")}`;
        const renamed = new LlmdConfigError(field, undefined, "");
        renamed.message = field + err.message.slice(err.field.length);
        throw renamed;
    }
}

/**
 * The cluster's pools as plain values: stack config is plain, so they are known at construction, and every
 * model is planned (and bad config rejected) before anything is created.
 */
function stackPools(cluster: StackCluster): AcceleratorPool[] {
    const pools = knownPools(cluster);
    if (pools === undefined) {
        throw new Error("the stack's cluster pools are not known at construction");
    }
    return pools;
}

function runDeployment(
    deploymentArgs: LlmdDeploymentArgs,
    cluster: StackCluster,
    clusterProvider: ClusterProvider,
    hfToken: pulumi.Output<string> | undefined,
): Record<string, pulumi.Input<unknown>> {
    const llmd = checkUnder("llmd:deployment", () => new LlmdDeployment("llmd", {
        ...deploymentArgs,
        pools: stackPools(cluster),
        kubernetesVersion: deploymentArgs.kubernetesVersion ?? cluster.requestedVersion,
        platform: deploymentArgs.platform ?? clusterProvider,
        hfToken,
        kubernetesProvider: cluster.kubernetesProvider,
    }));

    return {
        kubeconfig: cluster.kubeconfig,
        kubernetesVersion: cluster.kubernetesVersion,
        namespace: llmd.namespace,
        preset: llmd.preset,
        model: llmd.servedModelName,
        gateway: llmd.gatewayName,
        inferencePool: llmd.poolName,
        url: llmd.baseUrl,
        models: llmd.servedModelName.apply((name) => [name]),
    };
}
