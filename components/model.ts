import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Accelerator, ClusterProvider } from "./catalog/accelerators";
import { PresetName } from "./catalog/presets";
import { GatewayImplementation } from "./catalog/gateways";
import { withKindDependencies } from "./dependencies";
import { LlmdConfigError } from "./errors";
import { createK8sObject } from "./k8s-object";
import { ModelServer, ModelServerNetworkArgs } from "./model-server";
import { LlmdPlatformRef, PlatformState, namespaceWithLabels, plainPlatformRef, platformState } from "./platform";
import { outputsToRegister, whenPlain } from "./plain-inputs";
import { AcceleratorPool } from "./pool";
import { LlmdModelInput, LlmdModelPlan, RoleOverrides, claimedNames, resolveLlmdModel } from "./render/model";
import { checkPlatformRef } from "./render/platform";
import { modelNetworkPolicies } from "./render/model-network-policy";
import { renderOpenShiftScc, renderOpenShiftServiceAccount } from "./render/openshift";
import { tokenServiceAccount } from "./render/service-account-token";
import { AutoscalingSettings } from "./render/autoscaling";
import { ModelCacheArgs } from "./render/model-cache";
import { ModelMonitoringOptions } from "./render/model-operations";
import { WorkloadTimeoutsArgs } from "./render/timeouts";
import { K8sObject } from "./render/types";
import { FailureMode, InferenceRouter, RouterResources, SchedulerProfile } from "./router";
import { checkArgs } from "./strict";

/** Router settings of a model. */
export interface LlmdRouterArgs {
    /** Router replicas (more than one enables leader election). Default: the preset's. */
    replicas?: number;
    /** Router image override. */
    image?: string;
    /** Raw EndpointPickerConfig YAML replacing the preset's scheduler configuration. */
    schedulerConfig?: string;
    /** FailOpen (default) or FailClose when the router is unreachable. */
    failureMode?: FailureMode;
    /** Router container resources. Default: llm-d's guide sizes, or small ones with the simulator. */
    resources?: RouterResources;
}

/** Overrides for one model-server role of a model; unset fields keep the preset's values. */
export interface LlmdModelServerArgs extends RoleOverrides {}

/** One LoRA adapter served on a model. */
export interface LoraAdapterArgs {
    /** Name clients send as `"model"`; unique across the platform. */
    name: string;
    /**
     * Where vLLM loads it from at start-up: a Hugging Face repo id or a path in the pod. Leave unset for an adapter
     * loaded at run time (needs `runtimeLoading`); its name is still routed to this model.
     */
    source?: string;
}

/** LoRA adapters on a model (vLLM `--enable-lora`). */
export interface LoraArgs {
    /** The adapters; each name is routable through the platform's Gateway. */
    adapters?: LoraAdapterArgs[];
    /** vLLM `--max-loras`: adapters active in one batch. Default: the number of start-up adapters (at least 1). */
    maxLoras?: number;
    /** vLLM `--max-lora-rank` (1, 8, 16, 32, 64, 128, 256, 320 or 512). Default: vLLM's. */
    maxLoraRank?: number;
    /** vLLM `--max-cpu-loras`: adapters kept in CPU memory (at least `maxLoras`). Default: vLLM's. */
    maxCpuLoras?: number;
    /**
     * Load adapters at run time through vLLM's filesystem resolver (`VLLM_ALLOW_RUNTIME_LORA_UPDATING`), from
     * `/tmp/cache/lora/<name>` in the pod. Not with the simulator.
     */
    runtimeLoading?: boolean;
}

/** A priority requests can ask for with the `x-llm-d-inference-objective: <name>` header. */
export interface InferenceObjectiveArgs {
    /** Name of the objective, which requests send in the header (a DNS label). */
    name: string;
    /** Priority: higher is served first under load. Turns the router's flowControl feature gate on. */
    priority: number;
}

/** One target of a model rewrite. */
export interface ModelRewriteTargetArgs {
    /** Model (or adapter) name to send the request to; one this model serves. */
    model: string;
    /** Relative weight in a traffic split; required when there are several targets. */
    weight?: number;
}

/** A rewrite of the requested model name, optionally split by weight (e.g. a canary between adapter versions). */
export interface ModelRewriteArgs {
    /** Name of the InferenceModelRewrite (a DNS label). */
    name: string;
    /** Requested names it applies to (exact match); these names route to this model too. Default: every request. */
    models?: string[];
    /** Where requests go instead. */
    targets: ModelRewriteTargetArgs[];
}

/** Autoscaling of a model's servers with KEDA on the router's flow-control metrics (llm-d's recommended setup). */
export interface ModelAutoscalingArgs extends AutoscalingSettings {
    /**
     * URL of the Prometheus that scrapes the router, as KEDA reaches it. Default: the Prometheus the platform
     * installs (`operators.prometheusStack`); on the GKE stack without one, Managed Prometheus's query API
     * (`https://monitoring.googleapis.com/v1/projects/<project>/location/global/prometheus`), which KEDA reads
     * as its Google identity instead of with a bearer token. On OpenShift, the Thanos querier's tenancy port
     * `https://thanos-querier.openshift-monitoring.svc.cluster.local:9092` gives the model a ServiceAccount that
     * may read its own namespace's metrics, and KEDA (Red Hat's Custom Metrics Autoscaler) sends its token.
     */
    prometheusAddress?: string;
}

/**
 * A model's settings, shared by `LlmdModel` and the one-model `LlmdDeployment` (whose `namespace` and cluster
 * provider fields differ), so each field is documented once.
 */
export interface LlmdModelSettings {
    /** Well-lit path: optimized-baseline (default; former name inference-scheduling), pd-disaggregation, precise-prefix-cache, wide-ep or simulator. */
    preset?: PresetName;
    /** Hugging Face model id. Default: the preset's model. */
    model?: string;
    /** Where the weights come from: `hf://<repo>` (default, from `model`) or `pvc://<claim>/<path>`. */
    modelSource?: string;
    /** Model name clients send in requests; unique across the platform. Default: `model`. */
    servedModelName?: string;
    /** Accelerator to serve on. Default: the preset's, or the cluster's only accelerator kind. */
    accelerator?: Accelerator;
    /** Run the preset's model servers on the CPU-only llm-d inference simulator instead of vLLM. */
    simulate?: boolean;
    /** The cluster's accelerator pools (a cluster component's `pools` output), used to place model servers. */
    pools?: pulumi.Input<AcceleratorPool[]>;
    /** Kubernetes version of the cluster (e.g. `1.33`); below 1.33 the P/D sidecar runs as a plain container. */
    kubernetesVersion?: string;
    /** Hugging Face token (stored as a Kubernetes Secret from a Pulumi secret). */
    hfToken?: pulumi.Input<string>;
    /** Existing Secret with key `HF_TOKEN` to use instead of `hfToken` (llm-d's convention is `llm-d-hf-token`). */
    hfTokenSecretName?: string;
    /** Router settings. */
    router?: LlmdRouterArgs;
    /** Decode (or combined) model-server overrides. */
    decode?: LlmdModelServerArgs;
    /** Prefill model-server overrides (disaggregated presets). */
    prefill?: LlmdModelServerArgs;
    /** Fast-network settings for every model server (RDMA devices, Multus networks, or `allowTcp`). */
    network?: pulumi.Input<ModelServerNetworkArgs>;
    /** LoRA adapters served on the model. */
    lora?: LoraArgs;
    /** Request priorities (InferenceObjective) on the model's pool. */
    objectives?: InferenceObjectiveArgs[];
    /** Model-name rewrites and traffic splits (InferenceModelRewrite) on the model's pool. */
    rewrites?: ModelRewriteArgs[];
    /**
     * Monitors (Prometheus Operator PodMonitors and a ServiceMonitor, or GMP PodMonitorings on GKE), alert rules
     * and Grafana dashboards for the model. The cluster needs the CRDs (the platform's `operators.prometheusStack`
     * installs them; GKE has GMP's).
     */
    monitoring?: ModelMonitoringOptions;
    /** KEDA ScaledObjects for the model's servers on the router's flow-control metrics; turns the router's flowControl gate on. */
    autoscaling?: ModelAutoscalingArgs;
    /** A cache for the weights (a PVC mounted as HF_HOME, or GKE's GCS FUSE / Hyperdisk ML fast paths). */
    modelCache?: ModelCacheArgs;
    /** How long `pulumi up` waits for each model-server workload. Default: the startup probe's budget plus 15 minutes. */
    workloadTimeouts?: WorkloadTimeoutsArgs;
    /** Kubernetes provider for every child (a cluster component's `kubernetesProvider`). */
    kubernetesProvider?: k8s.Provider;
}

/** Arguments of `LlmdModel`. */
export interface LlmdModelArgs extends LlmdModelSettings {
    /** The platform the model joins: an `LlmdPlatform`'s `ref` (or the same plain values, for a platform in another stack). */
    platform: pulumi.Input<LlmdPlatformRef>;
    /** Namespace of the model's router, pool, route and servers. Default: the platform's namespace. */
    namespace?: string;
    /**
     * Create `namespace` (labelled for the platform's Gateway). Default: true when it is not the platform's. When
     * false it must exist, and llmd adds the Gateway-access label with a server-side-apply patch.
     */
    createNamespace?: boolean;
    /** The cluster's provider; `openshift` grants RDMA servers an SCC of their own. */
    clusterProvider?: ClusterProvider;
}

/** The resources a built model exposes to its component. */
export interface BuiltModel {
    router: InferenceRouter;
}

// Claims each name this model answers to on the platform; a clash names both places.
function claimNames(state: PlatformState, plan: LlmdModelPlan): void {
    const routesEverything = plan.platform.modelRouting === "none" && plan.platform.gatewayImplementation !== GatewayImplementation.None;
    if (routesEverything && state.servedNames.size > 0) {
        const [owner] = [...state.servedNames.values()];
        throw new LlmdConfigError(
            "platform",
            plan.platform.name,
            `platform ${plan.platform.name} routes every request to one model (modelRouting off) and ${owner} has it; turn modelRouting on to share the Gateway`,
        );
    }
    const fields = claimedNames(plan);
    for (const [served, field] of fields) {
        const owner = state.servedNames.get(served);
        if (owner !== undefined) {
            throw new LlmdConfigError(field, served, `already served on platform ${plan.platform.name} by ${owner}; model and adapter names must be unique on a platform`);
        }
    }
    for (const [served, field] of fields) {
        state.servedNames.set(served, `model ${plan.name} (${field})`);
    }
    plan.policies.objectiveNames.forEach((objective, i) => {
        const key = `${plan.namespace}/${objective}`;
        const owner = state.objectiveNames.get(key);
        if (owner !== undefined) {
            throw new LlmdConfigError(`objectives[${i}].name`, objective, `already defined in namespace ${plan.namespace} by ${owner}`);
        }
        state.objectiveNames.set(key, `model ${plan.name}`);
    });
}

/**
 * Creates a model's children under `parent`. Shared by `LlmdModel` and `LlmdDeployment`, whose children keep the
 * names (and so the URNs) they had before the platform/model split.
 */
export function buildModel(parent: pulumi.Resource, plan: LlmdModelPlan, hfToken: pulumi.Input<string> | undefined, provider: k8s.Provider | undefined): BuiltModel {
    const name = plan.name;
    plan.warnings.forEach((warning) => pulumi.log.warn(warning, parent));
    const state = platformState(plan.platform);
    if (state) {
        claimNames(state, plan);
    }
    const ownNamespace = plan.inPlatformNamespace
        ? undefined
        : namespaceWithLabels(name, plan.namespace, plan.namespaceLabels, plan.createNamespace, plan.podSecurity.level, { parent, provider });
    const namespaceDeps: pulumi.Resource[] = ownNamespace ? [ownNamespace] : state ? [state.namespace] : [];
    const crd = (kind: string): pulumi.Resource[] => {
        const found = state?.crds.get(kind);
        return found ? [found] : [];
    };

    const { name: routerName, ...routerArgs } = plan.router;
    const router = new InferenceRouter(
        routerName,
        {
            ...routerArgs,
            schedulerProfile: plan.router.schedulerProfile as SchedulerProfile | undefined,
            failureMode: plan.router.failureMode as FailureMode | undefined,
            gatewayImplementation: plan.router.gatewayImplementation as GatewayImplementation | undefined,
            kubernetesProvider: provider,
        },
        withKindDependencies({ parent }, (kind) => {
            switch (kind) {
                case "InferencePool":
                case "HTTPRoute":
                    return [...namespaceDeps, ...crd(kind)];
                case "DestinationRule":
                    // Istio's own CRD, from the platform's istio-base chart.
                    return [...namespaceDeps, ...(state?.controllerCharts ?? [])];
                case "ClusterRole":
                case "ClusterRoleBinding":
                    // Cluster-scoped: nothing to wait for.
                    return [];
                default:
                    return namespaceDeps;
            }
        }),
    );

    const operatorDeps = (object: K8sObject): pulumi.Resource[] => {
        const group = object.apiVersion.split("/")[0];
        const operator = group === "monitoring.coreos.com" ? state?.operators.get("prometheusStack") : group === "keda.sh" ? state?.operators.get("keda") : undefined;
        return [...(object.metadata.namespace ? namespaceDeps : []), ...(operator ? [operator] : [])];
    };
    const operations = [...plan.cacheObjects, ...plan.operations];
    const created = new Map<K8sObject, pulumi.Resource>();
    for (const object of operations) {
        const account = tokenServiceAccount(object, operations);
        const accountResource = account ? created.get(account) : undefined;
        if (account && !accountResource) {
            throw new Error(`llmd: token Secret ${object.metadata.name} is rendered before its ServiceAccount ${account.metadata.name}`);
        }
        const resource = createK8sObject(`${name}-${object.kind.toLowerCase()}-${object.metadata.name}`, object, {
            parent,
            provider,
            dependsOn: [...operatorDeps(object), ...(accountResource ? [accountResource] : [])],
        });
        created.set(object, resource);
    }

    if (plan.routingConfigMap) {
        createK8sObject(`${name}-model-routing`, plan.routingConfigMap, { parent, provider, dependsOn: state ? [state.namespace] : [] });
    }
    plan.policies.objects.forEach((object) => {
        const role = object.kind === "InferenceObjective" ? "objective" : "rewrite";
        createK8sObject(`${name}-${role}-${object.metadata.name}`, object, { parent, provider, dependsOn: [...namespaceDeps, ...crd(object.kind)] });
    });

    // OpenShift: the grant the RDMA model servers need to be admitted. The SCC and its ClusterRole are
    // cluster-scoped but named after the model, so two models never share one.
    let sccGrant: pulumi.Resource[] = [];
    if (plan.openShiftScc) {
        const [sccObject, clusterRoleObject, roleBindingObject] = renderOpenShiftScc(plan.openShiftScc);
        const serviceAccount = createK8sObject(`${name}-model-server-sa`, renderOpenShiftServiceAccount(plan.openShiftScc), {
            parent,
            provider,
            dependsOn: namespaceDeps,
        });
        const scc = createK8sObject(`${name}-scc`, sccObject, { parent, provider });
        const clusterRole = createK8sObject(`${name}-scc-role`, clusterRoleObject, { parent, provider, dependsOn: [scc] });
        const binding = createK8sObject(`${name}-scc-binding`, roleBindingObject, {
            parent,
            provider,
            dependsOn: [...namespaceDeps, clusterRole, serviceAccount],
        });
        sccGrant = [serviceAccount, binding];
    }

    modelNetworkPolicies(plan).forEach((object) => createK8sObject(`${name}-netpol-${object.metadata.name}`, object, { parent, provider, dependsOn: namespaceDeps }));

    for (const server of plan.modelServers) {
        const multiNode = (server.input.nodesPerReplica ?? 1) > 1;
        // A LeaderWorkerSet is admitted by its controller's webhook; Kueue must know the queue it joins. Pods
        // created before their account may use the SCC are rejected, and the workload stalls.
        const dependsOn = [
            ...namespaceDeps,
            ...(multiNode && state?.lws ? [state.lws] : []),
            ...(server.input.kueue && state?.kueue ? [state.kueue] : []),
            ...(server.input.serviceAccountName ? sccGrant : []),
        ];
        new ModelServer(
            `${name}-${server.role}`,
            { ...server.input, hfToken, autoscaled: plan.autoscaled, workloadTimeouts: plan.workloadTimeouts, kubernetesProvider: provider },
            { parent, dependsOn },
        );
    }
    return { router };
}

/**
 * One base model served on an `LlmdPlatform`, on one of llm-d's well-lit paths: its llm-d router (EPP) with its
 * scheduler config, RBAC and Service, the InferencePool, an HTTPRoute on the platform's shared Gateway matching
 * the model's name (and its LoRA adapters), the vLLM model servers (decode, prefill or both; Deployments or
 * LeaderWorkerSets), and its request priorities and rewrites. Any number of models share one platform; names
 * clash at construction, not in the cluster. Destroying a model touches nothing the platform or other models own.
 */
export class LlmdModel extends pulumi.ComponentResource {
    /** Namespace the model runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** The well-lit path deployed. */
    public readonly preset: pulumi.Output<string>;
    /** Model name clients send in requests (`"model"` in the OpenAI API). */
    public readonly servedModelName: pulumi.Output<string>;
    /** Every name this model answers to through the Gateway: its served name, then its adapters and rewrite names. */
    public readonly servedModels: pulumi.Output<string[]>;
    /** Name of the InferencePool. */
    public readonly poolName: pulumi.Output<string>;
    /** Name of the router's Service. */
    public readonly routerServiceName: pulumi.Output<string>;
    /**
     * In-cluster base URL of the model's own standalone router proxy when the platform has no Gateway
     * (implementation `none`); empty otherwise (clients call the platform's `baseUrl` with this model's name).
     */
    public readonly standaloneUrl: pulumi.Output<string>;

    /**
     * @param name Name of the model; children are named `${name}-<role>` and its pods carry `llm-d.ai/guide: <name>`.
     * @param args The platform, the preset and its overrides.
     * @param opts Pulumi options.
     */
    constructor(name: string, args: LlmdModelArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:LlmdModel", name, {}, opts);
        // A platform of this program keeps its identity (and so its exact dependency edges and name registry);
        // a platform ref from elsewhere (another language's output) is resolved with the other inputs.
        const known = pulumi.Output.isInstance(args.platform) ? plainPlatformRef(args.platform) : undefined;
        const built = whenPlain({ ...args, platform: known ?? args.platform }, ["hfToken", "kubernetesProvider", ...(known ? ["platform" as const] : [])], (plain) => {
            checkArgs("LlmdModel", plain, opts, this);
            const { hfToken, kubernetesProvider, platform, ...input } = plain;
            if (pulumi.Output.isInstance(platform)) {
                throw new LlmdConfigError("platform", "an output", "expected an LlmdPlatform's ref, or the plain ref values ({ name, namespace, gatewayImplementation, gatewayName, modelRouting, leaderWorkerSet })");
            }
            // Everything is decided and checked before the first child exists: bad input creates nothing.
            const plan = resolveLlmdModel(name, input as LlmdModelInput, checkPlatformRef("platform", platform), { hfTokenGiven: hfToken !== undefined });
            const { router } = buildModel(this, plan, hfToken, kubernetesProvider);
            return {
                namespace: plan.namespace,
                preset: plan.preset,
                servedModelName: plan.servedModelName,
                servedModels: plan.routedNames,
                poolName: router.poolName,
                routerServiceName: router.serviceName,
                standaloneUrl: router.endpoint,
            };
        });

        this.namespace = built.namespace;
        this.preset = built.preset;
        this.servedModelName = built.servedModelName;
        this.servedModels = built.servedModels;
        this.poolName = built.poolName;
        this.routerServiceName = built.routerServiceName;
        this.standaloneUrl = built.standaloneUrl;
        this.registerOutputs(outputsToRegister({
            namespace: this.namespace,
            preset: this.preset,
            servedModelName: this.servedModelName,
            servedModels: this.servedModels,
            poolName: this.poolName,
            routerServiceName: this.routerServiceName,
            standaloneUrl: this.standaloneUrl,
        }));
    }
}
