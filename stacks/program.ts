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
import { gmpQueryAddress } from "../components/render/autoscaling";
import { checkStackConfig } from "./strict-config";

/** Values of `llmd:provider`. */
export const STACK_PROVIDERS = ["kind", "minikube", "openshift", "existing", "gke", "aks", "digitalocean", "baremetal"] as const;
type StackProvider = (typeof STACK_PROVIDERS)[number];

/** A cluster component as the program needs it: the shared outputs plus the version it was asked for. */
interface StackCluster extends ClusterOutputs {
    /** Kubernetes version requested in config (plain), which decides native-sidecar use. */
    requestedVersion?: string;
    /**
     * GKE, as plain values from the cluster's plan (its own outputs of the same names are Outputs): Managed
     * Prometheus's query API, where models autoscale by default, and the Google service account KEDA acts as.
     */
    managedPrometheus?: { queryUrl: string; kedaServiceAccountEmail?: string };
}

/**
 * GKE autoscaling on Managed Prometheus: when a model autoscales and the platform brings no Prometheus of its
 * own, the cluster gives KEDA a Google identity that may read Cloud Monitoring, the platform's KEDA acts as it,
 * and each autoscaling model queries Managed Prometheus unless it names another address.
 */
function gkeAutoscaling(provider: StackProvider, models: unknown[], operators: Record<string, any> | undefined): { kedaNamespace: string } | undefined {
    const autoscales = models.some((m) => scalesOnManagedPrometheus(m));
    if (provider !== "gke" || !autoscales || operators?.prometheusStack) {
        return undefined;
    }
    return { kedaNamespace: typeof operators?.kedaNamespace === "string" ? operators.kedaNamespace : "keda" };
}

/**
 * Whether a model entry autoscales on GMP: it asks for autoscaling and does not say its metrics go to a
 * Prometheus Operator instead (whose address it must then give itself).
 */
function scalesOnManagedPrometheus(entry: unknown): boolean {
    const e = entry as Record<string, any>;
    return typeof e === "object" && e !== null && typeof e.autoscaling === "object" && e.autoscaling !== null && e.monitoring?.provider !== "prometheus-operator";
}

/** The model entry with its autoscaling defaulted to Managed Prometheus (GKE without a platform Prometheus). */
function onManagedPrometheus<T>(entry: T, cluster: StackCluster): T {
    const e = entry as Record<string, any>;
    if (!scalesOnManagedPrometheus(entry) || cluster.managedPrometheus === undefined) {
        return entry;
    }
    return { ...e, autoscaling: { prometheusAddress: cluster.managedPrometheus.queryUrl, ...e.autoscaling } } as T;
}

/** The platform's operators with its KEDA acting as the cluster's Google identity for KEDA. */
function withKedaIdentity(operators: Record<string, any> | undefined, cluster: StackCluster): Record<string, any> | undefined {
    const email = cluster.managedPrometheus?.kedaServiceAccountEmail;
    if (!operators?.keda || !email || operators.kedaGcpServiceAccount !== undefined) {
        return operators;
    }
    return { ...operators, kedaGcpServiceAccount: email };
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
            const { GkeCluster, knownGkePlan } = require("../providers/gke") as typeof import("../providers/gke");
            const gke = new GkeCluster("gke", args as any);
            // Stack config is plain, so the plan is known now: the models are wired from plain values.
            const plan = knownGkePlan(gke);
            return Object.assign(gke, {
                requestedVersion: args.kubernetesVersion,
                ...(plan ? { managedPrometheus: { queryUrl: gmpQueryAddress(plan.project), kedaServiceAccountEmail: plan.kedaIdentity?.email } } : {}),
            });
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
    let clusterArgs = objectConfig(config, "cluster");
    const deploymentArgs = config.getObject<unknown>("deployment");
    const platformArgs = config.getObject<unknown>("platform");
    const modelsArgs = config.getObject<unknown>("models");
    if (deploymentArgs !== undefined && modelsArgs !== undefined) {
        throw new LlmdConfigError("llmd:models", modelsArgs, "set either llmd:deployment (one model) or llmd:models (a list), not both");
    }
    const oneModel = platformArgs === undefined && modelsArgs === undefined;
    const operatorsArgs = (oneModel ? (deploymentArgs as Record<string, any> | undefined)?.operators : (platformArgs as Record<string, any> | undefined)?.operators) as Record<string, any> | undefined;
    const allModels = Array.isArray(modelsArgs) ? modelsArgs : deploymentArgs === undefined ? [] : [deploymentArgs];
    const keda = gkeAutoscaling(provider, allModels, operatorsArgs);
    if (keda && clusterArgs.kedaWorkloadIdentity === undefined) {
        clusterArgs = { ...clusterArgs, kedaWorkloadIdentity: { namespace: keda.kedaNamespace } };
    }
    // Component errors name the stack key the user wrote: `llmd:cluster.pools[0].name`, not `pools[0].name`.
    const cluster = checkUnder("llmd:cluster", () => createCluster(provider, clusterArgs, config.getSecret("kubeconfig")));
    const clusterProvider = platformOf(provider, clusterArgs);
    const hfToken = config.getSecret("hfToken");

    const gmp = <T>(entry: T): T => (keda ? onManagedPrometheus(entry, cluster) : entry);
    if (oneModel) {
        const deployment = gmp(objectConfig(config, "deployment")) as LlmdDeploymentArgs & Record<string, any>;
        const operators = withKedaIdentity(deployment.operators, cluster);
        return runDeployment({ ...deployment, ...(operators ? { operators } : {}) }, cluster, clusterProvider, hfToken);
    }
    const platformConfig = objectConfig(config, "platform") as LlmdPlatformArgs & Record<string, any>;
    const platformOperators = withKedaIdentity(platformConfig.operators, cluster);
    const platformInput = { ...platformConfig, ...(platformOperators ? { operators: platformOperators } : {}) } as LlmdPlatformArgs;
    const rawModels = (modelsArgs ?? (deploymentArgs === undefined ? undefined : [{ name: "llmd", ...(objectConfig(config, "deployment") as object) }])) as unknown;
    const models = (Array.isArray(rawModels) ? rawModels.map(gmp) : rawModels) as unknown;
    const shared = { pools: stackPools(cluster), kubernetesVersion: cluster.requestedVersion, clusterProvider };
    const withShared = (entry: Record<string, unknown>) => ({
        ...entry,
        pools: shared.pools,
        kubernetesVersion: entry.kubernetesVersion ?? shared.kubernetesVersion,
        clusterProvider: entry.clusterProvider ?? clusterProvider,
    });
    const platformFull = { ...platformInput, clusterProvider: platformInput.clusterProvider ?? clusterProvider, pools: shared.pools };
    const modelsKey = modelsArgs === undefined ? "llmd:deployment" : "llmd:models";
    // Every model is checked against the platform and the others before the first resource exists.
    const plan = inStackConfig(modelsKey, () => {
        const entries = Array.isArray(models) ? models.map((m) => (typeof m === "object" && m !== null ? withShared(m) : m)) : models;
        return resolveMultiModel("llmd", platformFull as any, entries, { hfTokenGiven: hfToken !== undefined });
    });

    const platform = checkUnder("llmd:platform", () => new LlmdPlatform("llmd", {
        ...platformFull,
        leaderWorkerSet: plan.platform.installLeaderWorkerSet,
        // The level every pod placed in the platform namespace meets, from the plan of all of them.
        podSecurity: plan.platform.podSecurity,
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
