/**
 * Decides what one `LlmdModel` is made of: the preset's defaults overlaid with the user's overrides, checked
 * across components (roles against the preset, model servers against the cluster's pools, multi-node roles
 * against what the platform runs) and placed on its platform's shared Gateway. Pure: plain values in, plain
 * component arguments out.
 */
import { Accelerator, ClusterProvider, acceleratorSpec } from "../catalog/accelerators";
import { GatewayImplementation } from "../catalog/gateways";
import { PRESETS, RolePreset, WellLitPath, presetImage, presetResources, resolvePreset } from "../catalog/presets";
import { LlmdConfigError, checkUnder, optionalBoolean, parseKubernetesMinor, requireDnsLabel, requireInteger, requireNonEmpty, requireOneOf } from "../errors";
import { AcceleratorPool } from "../pool";
import { LoraInput, resolveLora } from "./lora";
import { ModelRouting, renderModelRoutingConfigMap, routedModelNames } from "./model-routing";
import { resolveModelServer } from "./model-server-resolve";
import { ModelServerInput, ModelServerNetworkArgs, ModelServerSpec } from "./model-server-types";
import { engineCapabilities } from "./model-server-pod";
import { FLOW_CONTROL_FEATURE_GATE, ObjectivesSpec, resolveObjectives } from "./objectives";
import { OpenShiftSccSpec, RDMA_POD_CAPABILITIES, openShiftSccSpec } from "./openshift";
import { GATEWAY_ACCESS_LABEL, LlmdPlatformRef } from "./platform";
import { presetKvEvents, routerListensForKvEvents } from "./kv-events";
import { poolTargetPorts } from "./model-server-ports";
import { RouterInput, RouterSpec, renderRouterWorkload, resolveRouterSpec, routerSelectorLabels } from "./router";
import { AutoscalingSettings, AutoscalingSpec, resolveAutoscaling, scaleTarget } from "./autoscaling";
import { checkAutoscalingCapacity, nodesForReplicas, packing } from "./autoscaling-capacity";
import { checkPodFitsNode } from "./node-allocatable";
import { ModelCacheArgs, planModelCache } from "./model-cache";
import { ModelMonitoringOptions, renderModelOperations } from "./model-operations";
import { MonitoringProvider } from "./monitoring";
import { WorkloadTimeoutsArgs } from "./timeouts";
import { K8sObject } from "./types";
import { LevelWithReason, lower, objectsPodSecurity } from "./namespace-pod-security";
import { meetsLevel } from "./pod-security-standards";
import { renderModelServer } from "./model-server";

/**
 * Overrides for one model-server role (decode or prefill); unset fields keep the preset's values. The
 * component's `LlmdModelServerArgs` is this interface, so the fields are documented once, here.
 */
export interface RoleOverrides {
    /** Replicas of this role (0 or more). */
    replicas?: number;
    /** vLLM tensor-parallel size (accelerators per replica on one node). */
    tensorParallelSize?: number;
    /** vLLM data-parallel size. */
    dataParallelSize?: number;
    /** Data-parallel ranks per pod. */
    dataParallelSizeLocal?: number;
    /** Nodes per replica; above 1 the role runs on a LeaderWorkerSet. */
    nodesPerReplica?: number;
    /** vLLM expert parallelism (MoE models). */
    enableExpertParallel?: boolean;
    /** Name of the cluster pool to run on. Default: the first pool with the deployment's accelerator. */
    pool?: string;
    /** vLLM image override. */
    image?: string;
    /** Container command override (replaces `vllm serve`). */
    command?: string[];
    /** Extra arguments passed through to `vllm serve`. */
    extraArgs?: string[];
    /** Extra environment variables. */
    env?: { [key: string]: string };
    /** CPU request per pod. */
    cpu?: string;
    /** Memory request per pod. */
    memory?: string;
    /** Size of the model cache volume (e.g. `200Gi`). */
    modelCacheSize?: string;
}


/** Router settings of a model, as the user gives them. */
export interface ModelRouterInput {
    replicas?: number;
    image?: string;
    schedulerConfig?: string;
    failureMode?: string;
    resources?: { cpuRequest?: string; memoryRequest?: string; memoryLimit?: string };
}

/** The plain part of `LlmdModelArgs`. */
export interface LlmdModelInput {
    preset?: string;
    namespace?: string;
    createNamespace?: boolean;
    model?: string;
    modelSource?: string;
    servedModelName?: string;
    accelerator?: string;
    simulate?: boolean;
    pools?: AcceleratorPool[];
    kubernetesVersion?: string;
    hfTokenSecretName?: string;
    router?: ModelRouterInput;
    decode?: RoleOverrides;
    prefill?: RoleOverrides;
    network?: ModelServerNetworkArgs;
    clusterProvider?: string;
    lora?: LoraInput;
    objectives?: unknown;
    rewrites?: unknown;
    monitoring?: ModelMonitoringOptions;
    autoscaling?: ModelAutoscalingInput;
    modelCache?: ModelCacheArgs;
    workloadTimeouts?: WorkloadTimeoutsArgs;
}

/** Autoscaling settings of a model: `AutoscalingArgs`, with Prometheus defaulting to the platform's. */
export interface ModelAutoscalingInput extends AutoscalingSettings {
    prometheusAddress?: string;
}

/** One model server to create. */
export interface PlannedModelServer {
    /** `decode`, `prefill` or `both`: also the child name suffix. */
    role: "decode" | "prefill" | "both";
    input: ModelServerInput;
}

/** Everything `LlmdModel` creates, resolved. */
export interface LlmdModelPlan {
    /** The model's name: prefix of every object, and the value of its pods' `llm-d.ai/guide` label. */
    name: string;
    preset: WellLitPath;
    namespace: string;
    /** Create the namespace (labelled for Gateway access); otherwise it must exist and is labelled by a patch. */
    createNamespace: boolean;
    /** Whether the namespace is the platform's own (then the platform creates and labels it). */
    inPlatformNamespace: boolean;
    /** Labels the model namespace needs so its HTTPRoute may attach to the platform's Gateway. */
    namespaceLabels: Record<string, string>;
    /**
     * The strictest Pod Security level every pod of the model meets, and why not stricter: what its own namespace
     * enforces when the model creates it.
     */
    podSecurity: LevelWithReason;
    /** Hugging Face model id. */
    model: string;
    servedModelName: string;
    /** Every name clients may send that this model serves: its served name, adapters, rewrite sources. */
    routedNames: string[];
    /** LoRA adapter names. */
    adapters: string[];
    /** The router's arguments; `name` is its component name (its Service is `<name>-epp`). */
    router: RouterInput;
    modelServers: PlannedModelServer[];
    /** Whether some role spans nodes (LeaderWorkerSet). */
    multiNode: boolean;
    /** The payload processor's ConfigMap for this model (platforms that route with the payload processor). */
    routingConfigMap?: K8sObject;
    /** InferenceObjectives and InferenceModelRewrites. */
    policies: ObjectivesSpec;
    /** The platform the model joins. */
    platform: LlmdPlatformRef;
    /** The cluster's provider, when given. */
    clusterProvider?: ClusterProvider;
    /** Monitors, alert rules, dashboards and autoscalers of the model (`renderModelOperations`), when asked. */
    operations: K8sObject[];
    /** The model cache claim, when asked. */
    cacheObjects: K8sObject[];
    /** KEDA owns the model servers' replica counts. */
    autoscaled: boolean;
    /** What the user should know but llmd cannot check: logged as warnings by the component. */
    warnings: string[];
    /** Overrides of how long `pulumi up` waits for each model-server workload. */
    workloadTimeouts?: WorkloadTimeoutsArgs;
    /**
     * OpenShift only, and only when some model server adds capabilities: the SCC grant and the ServiceAccount
     * those servers run as (their `input.serviceAccountName`).
     */
    openShiftScc?: OpenShiftSccSpec;
    /**
     * The router's and model servers' specs as `resolveLlmdModel` resolved them (model servers in the order of
     * `modelServers`): the components resolve their own from their args, and what is rendered outside them from
     * the same specs (the NetworkPolicies) reads these instead of resolving again. Resolved before the OpenShift
     * SCC's ServiceAccount is set on the servers' inputs, which nothing reading them uses.
     */
    resolvedSpecs?: { router: RouterSpec; servers: ModelServerSpec[] };
}

// The router's default requests (llm-d's guides: 4 CPUs, 8Gi) are sized for production traffic; a kind or
// minikube cluster running the simulator has a few CPUs in all.
const SIMULATOR_ROUTER_RESOURCES = { cpuRequest: "250m", memoryRequest: "256Mi", memoryLimit: "1Gi" };

/** Label every pod of one model carries (its value is the model's name); the InferencePool selects on it plus `inference-serving`. */
export const DEPLOYMENT_LABEL = "llm-d.ai/guide";

function pickPool(
    field: string,
    accelerator: Accelerator,
    pools: AcceleratorPool[],
    requested: string | undefined,
): AcceleratorPool | undefined {
    if (requested !== undefined) {
        const pool = pools.find((p) => p.name === requested);
        if (!pool) {
            throw new LlmdConfigError(`${field}.pool`, requested, `expected one of the cluster's pools: ${pools.map((p) => p.name).join(", ") || "(none)"}`);
        }
        if (pool.accelerator !== accelerator) {
            throw new LlmdConfigError(`${field}.pool`, requested, `pool ${pool.name} has ${pool.accelerator}, but the model uses ${accelerator}`);
        }
        return pool;
    }
    if (accelerator === "cpu" || pools.length === 0) {
        return undefined;
    }
    const pool = pools.find((p) => p.accelerator === accelerator);
    if (!pool) {
        throw new LlmdConfigError(
            "accelerator",
            accelerator,
            `the cluster has no ${accelerator} pool; its pools: ${pools.map((p) => `${p.name} (${p.accelerator})`).join(", ")}`,
        );
    }
    return pool;
}

function mergeRole(field: string, base: RolePreset | undefined, over: RoleOverrides | undefined): RolePreset & RoleOverrides {
    if (over !== undefined && (typeof over !== "object" || over === null || Array.isArray(over))) {
        throw new LlmdConfigError(field, over, "expected an object of model-server settings");
    }
    const merged = { ...(base ?? { replicas: 0, tensorParallelSize: 1, nodesPerReplica: 1, extraArgs: [] }), ...(over ?? {}) };
    requireInteger(`${field}.replicas`, merged.replicas, 0);
    requireInteger(`${field}.tensorParallelSize`, merged.tensorParallelSize, 1);
    requireInteger(`${field}.nodesPerReplica`, merged.nodesPerReplica, 1);
    return merged;
}


// More nodes than the pool can ever have is a config error now, not pods stuck in Pending later. Sized
// from the model server's own resolution, which knows how a replica spreads over pods and nodes, and packs
// pods by the node's accelerators, CPU and memory.
function checkCapacity(field: string, server: ModelServerSpec, pool: AcceleratorPool | undefined): void {
    if (!pool || server.replicas === 0 || server.acceleratorsPerPod === 0) {
        return;
    }
    const nodes = nodesForReplicas(server.replicas, server, pool);
    if (nodes > pool.maxNodes) {
        throw new LlmdConfigError(
            `${field}.replicas`,
            server.replicas,
            `needs ${nodes} nodes of pool ${pool.name} (${packing(server, pool)}), but the pool has at most ${pool.maxNodes}`,
        );
    }
}

// Model-server fields that come from a role's overrides; the rest come from the model's top level.
const ROLE_FIELDS = new Set([
    "replicas", "tensorParallelSize", "dataParallelSize", "dataParallelSizeLocal", "nodesPerReplica", "enableExpertParallel",
    "pool", "image", "command", "extraArgs", "env", "cpu", "memory", "modelCacheSize",
]);


/**
 * restricted-v2 admits pods that add no capabilities and run nothing privileged; the rest (RDMA model
 * servers) need an SCC of their own, granted to a ServiceAccount they run as. Decided from the resolved
 * specs, so it follows exactly what the pods will request.
 */
function planOpenShiftScc(name: string, plan: LlmdModelPlan, specs: Map<PlannedModelServer, ModelServerSpec>): void {
    const needsScc = (spec: ModelServerSpec) => engineCapabilities(spec).length > 0 || spec.network.privileged;
    const needing = plan.modelServers.filter((s) => needsScc(specs.get(s)!));
    if (needing.length === 0) {
        return;
    }
    for (const server of needing) {
        const extra = engineCapabilities(specs.get(server)!).filter((c) => !RDMA_POD_CAPABILITIES.includes(c));
        if (extra.length) {
            // The SCC allows the fabric catalog's capabilities only; a pod adding more would be rejected at admission.
            throw new Error(`llmd: ${name}-${server.role} adds capabilities ${extra.join(", ")} that the OpenShift SCC does not allow`);
        }
    }
    const scc = openShiftSccSpec(name, plan.namespace, needing.some((s) => specs.get(s)!.network.privileged));
    plan.openShiftScc = scc;
    for (const server of needing) {
        server.input.serviceAccountName = scc.serviceAccountName;
    }
}


function planModel(name: string, args: LlmdModelInput, platform: LlmdPlatformRef): LlmdModelPlan {
    const preset = resolvePreset("preset", args.preset);
    const clusterProvider =
        args.clusterProvider === undefined ? undefined : requireOneOf<ClusterProvider>("clusterProvider", args.clusterProvider, Object.values(ClusterProvider));
    const base = PRESETS[preset];
    const namespace = args.namespace === undefined ? platform.namespace : requireDnsLabel("namespace", args.namespace);
    const inPlatformNamespace = namespace === platform.namespace;
    const createNamespace = optionalBoolean("createNamespace", args.createNamespace, !inPlatformNamespace);
    if (inPlatformNamespace && createNamespace) {
        throw new LlmdConfigError("createNamespace", true, `namespace ${namespace} is the platform's, which the platform creates; leave createNamespace unset`);
    }
    const model = requireNonEmpty("model", args.model ?? base.model);
    const simulate = optionalBoolean("simulate", args.simulate, base.simulator);
    const pools = args.pools ?? [];
    if (!Array.isArray(pools)) {
        throw new LlmdConfigError("pools", pools, "expected a list of accelerator pools (a cluster component's pools output)");
    }
    if (args.kubernetesVersion !== undefined) {
        parseKubernetesMinor("kubernetesVersion", args.kubernetesVersion);
    }

    // Accelerator: explicit, else the preset's when the cluster has it, else the cluster's only kind.
    let accelerator: Accelerator;
    if (args.accelerator !== undefined) {
        accelerator = acceleratorSpec("accelerator", args.accelerator).id;
    } else if (simulate) {
        accelerator = "cpu";
    } else if (pools.length === 0 || pools.some((p) => p.accelerator === base.accelerator)) {
        accelerator = base.accelerator;
    } else {
        accelerator = pools[0].accelerator;
    }
    if (simulate && accelerator !== "cpu") {
        throw new LlmdConfigError("accelerator", accelerator, "the simulator runs on CPU; leave accelerator unset or use cpu");
    }
    if (!simulate && accelerator === "cpu" && preset !== WellLitPath.OptimizedBaseline) {
        throw new LlmdConfigError("accelerator", accelerator, `preset ${preset} needs GPUs or TPUs; use simulate: true to try it on CPU`);
    }

    const decode = mergeRole("decode", base.decode, args.decode);
    const prefill = mergeRole("prefill", base.prefill, args.prefill);
    const disaggregated = base.prefill !== undefined;
    if (!disaggregated && prefill.replicas > 0) {
        throw new LlmdConfigError("prefill.replicas", prefill.replicas, `preset ${preset} has no prefill role; use pd-disaggregation or wide-ep`);
    }
    if (disaggregated && prefill.replicas === 0) {
        throw new LlmdConfigError("prefill.replicas", prefill.replicas, `preset ${preset} disaggregates prefill from decode: expected at least 1`);
    }
    if (prefill.replicas > 0 && decode.replicas === 0) {
        throw new LlmdConfigError("decode.replicas", decode.replicas, "prefill servers need decode servers to hand off to: expected at least 1");
    }
    if (simulate && (decode.nodesPerReplica > 1 || prefill.nodesPerReplica > 1)) {
        throw new LlmdConfigError("simulate", true, `preset ${preset} spans nodes; the simulator runs one pod per replica (nodesPerReplica 1)`);
    }
    for (const [role, r] of [["decode", decode], ["prefill", prefill]] as const) {
        if (r.nodesPerReplica > 1 && !platform.leaderWorkerSet) {
            throw new LlmdConfigError(
                `${role}.nodesPerReplica`,
                r.nodesPerReplica,
                `a replica spanning nodes runs on a LeaderWorkerSet, but platform ${platform.name} has no LeaderWorkerSet controller: set leaderWorkerSet: true on the platform, or use 1`,
            );
        }
    }

    const decodePool = pickPool("decode", accelerator, pools, decode.pool);
    const prefillPool = disaggregated ? pickPool("prefill", accelerator, pools, prefill.pool) : undefined;

    const lora = resolveLora(args.lora, simulate);
    const poolLabels = { "llm-d.ai/inference-serving": "true", [DEPLOYMENT_LABEL]: requireDnsLabel("name", name) };
    const servedModelName = requireNonEmpty("servedModelName", args.servedModelName ?? model);
    const routerName = `${name}-router`;
    const policies = resolveObjectives({ namespace, poolName: name, modelName: name, objectives: args.objectives, rewrites: args.rewrites });
    const served = [servedModelName, ...(lora?.adapterNames ?? [])];
    for (const target of policies.rewriteTargets) {
        if (!served.includes(target.model)) {
            throw new LlmdConfigError(target.field, target.model, `expected a name this model serves: ${served.join(", ")}`);
        }
    }
    const aliases = [...(lora?.adapterNames ?? []), ...policies.rewriteSources.filter((m) => m !== servedModelName && !lora?.adapterNames.includes(m))];
    const routedNames = [servedModelName, ...aliases];

    const serverInput = (role: "decode" | "prefill" | "both", r: RolePreset & RoleOverrides, pool: AcceleratorPool | undefined): ModelServerInput => ({
        namespace,
        model,
        modelSource: args.modelSource,
        servedModelName,
        role,
        replicas: r.replicas,
        accelerator,
        pool,
        tensorParallelSize: r.tensorParallelSize,
        dataParallelSize: r.dataParallelSize,
        dataParallelSizeLocal: r.dataParallelSizeLocal,
        nodesPerReplica: r.nodesPerReplica,
        enableExpertParallel: r.enableExpertParallel,
        simulator: simulate,
        image: r.image ?? presetImage(base, accelerator),
        command: r.command,
        // LoRA flags first, so a user's own flag later on the line wins.
        extraArgs: [...(lora?.args ?? []), ...checkArgs(role === "prefill" ? "prefill.extraArgs" : "decode.extraArgs", r.extraArgs)],
        env: lora && Object.keys(lora.env).length > 0 ? { ...lora.env, ...(r.env ?? {}) } : r.env,
        poolLabels,
        hfTokenSecretName: args.hfTokenSecretName,
        kubernetesVersion: args.kubernetesVersion,
        pd: disaggregated ? { kvTransfer: base.kvTransfer } : undefined,
        kvEvents: presetKvEvents(base.kvEvents, simulate, { name: routerName, namespace }),
        ...presetResources(role === "prefill" ? base.prefill : base.decode, base, accelerator, r),
        modelCacheSize: r.modelCacheSize,
        network: args.network,
    });

    const modelServers: PlannedModelServer[] = disaggregated
        ? [
              { role: "decode", input: serverInput("decode", decode, decodePool) },
              { role: "prefill", input: serverInput("prefill", prefill, prefillPool) },
          ]
        : [{ role: "both", input: serverInput("both", decode, decodePool) }];

    const multiNode = modelServers.some((s) => (s.input.nodesPerReplica ?? 1) > 1);
    if (platform.kueue) {
        // Only groups that span nodes need one topology domain; single-node pods are placed by the scheduler.
        const grouped = modelServers.filter((s) => (s.input.nodesPerReplica ?? 1) > 1);
        if (grouped.length > 0 && !inPlatformNamespace) {
            throw new LlmdConfigError(
                "namespace",
                namespace,
                `multi-node model servers join platform ${platform.name}'s Kueue queue, which admits only its namespace ${platform.namespace}: run this model there`,
            );
        }
        for (const server of grouped) {
            server.input.kueue = { ...platform.kueue };
        }
    }
    const gateway = platform.gatewayImplementation === GatewayImplementation.None ? undefined : { name: platform.gatewayName, namespace: platform.namespace };
    return {
        name,
        preset,
        namespace,
        createNamespace,
        inPlatformNamespace,
        namespaceLabels: { [GATEWAY_ACCESS_LABEL]: platform.name },
        // Decided once every pod is resolved (resolveLlmdModel).
        podSecurity: { level: "restricted" },
        model,
        servedModelName,
        routedNames,
        adapters: lora?.adapterNames ?? [],
        router: {
            name: routerName,
            namespace,
            poolName: name,
            schedulerProfile: base.schedulerProfile,
            replicas: args.router?.replicas ?? base.routerReplicas,
            image: args.router?.image,
            schedulerConfig: args.router?.schedulerConfig,
            failureMode: args.router?.failureMode,
            modelServerSelector: poolLabels,
            gateway,
            gatewayImplementation: platform.gatewayImplementation,
            tokenizerModel: base.schedulerProfile === "precise-prefix-cache" ? model : undefined,
            kvEventsListener: routerListensForKvEvents(base.kvEvents, simulate),
            resources: args.router?.resources ?? (simulate ? SIMULATOR_ROUTER_RESOURCES : undefined),
            routeModelNames: platform.modelRouting === ModelRouting.None ? undefined : routedModelNames(platform.modelRouting, servedModelName, aliases),
            // InferenceObjective priorities are inert without the router's flow control.
            featureGates: policies.needsFlowControl ? [FLOW_CONTROL_FEATURE_GATE] : undefined,
        },
        modelServers,
        multiNode,
        routingConfigMap:
            platform.modelRouting === ModelRouting.PayloadProcessor
                ? renderModelRoutingConfigMap({ name, platformNamespace: platform.namespace, servedModelName, adapters: aliases })
                : undefined,
        policies,
        platform,
        clusterProvider,
        operations: [],
        warnings: [],
        cacheObjects: [],
        autoscaled: false,
        workloadTimeouts: args.workloadTimeouts,
    };
}


// A string where a list belongs would be spread into single characters further down: refuse it here.
function checkArgs(field: string, value: unknown): string[] {
    if (value === undefined) {
        return [];
    }
    if (!Array.isArray(value) || value.some((a) => typeof a !== "string")) {
        throw new LlmdConfigError(field, value, "expected a list of strings, one argument each, e.g. [\"--max-model-len\", \"4096\"]");
    }
    return [...value];
}

/**
 * Resolves `LlmdModelArgs` for a model joining `platform` into the arguments of every child component, and
 * runs each child's own validation up front so that a bad field fails before the first child exists. Throws
 * `LlmdConfigError` naming the field as the user wrote it (`router.replicas`, `decode.tensorParallelSize`).
 */
export function resolveLlmdModel(name: string, args: LlmdModelInput, platform: LlmdPlatformRef, context: { hfTokenGiven?: boolean } = {}): LlmdModelPlan {
    const plan = planModel(name, args, platform);
    const autoscaling = args.autoscaling === undefined ? undefined : resolveModelAutoscaling(args.autoscaling, platform, plan.clusterProvider);
    if (autoscaling) {
        plan.autoscaled = true;
        if (args.monitoring === undefined) {
            plan.warnings.push(autoscalingWithoutMonitorsWarning(name, plan.namespace, autoscaling.prometheusAddress));
        }
        // KEDA scales on the router's flow-control metrics, which only exist with the gate on.
        plan.router.featureGates = [...new Set([...(plan.router.featureGates ?? []), FLOW_CONTROL_FEATURE_GATE])];
    }
    if (args.modelCache !== undefined) {
        // Every pod that may run at once mounts the cache: at the autoscaler's maximum when there is one.
        const pods = plan.modelServers.reduce((sum, s) => sum + (autoscaling ? autoscaling.maxReplicas : (s.input.replicas ?? 1)) * (s.input.nodesPerReplica ?? 1), 0);
        const cache = planModelCache(args.modelCache, { release: name, namespace: plan.namespace, pods, gke: plan.clusterProvider === "gke" });
        plan.cacheObjects = cache.objects;
        for (const server of plan.modelServers) {
            Object.assign(server.input, cache.modelServer);
        }
    }
    const routerSpec = checkUnder("router", () => resolveRouterSpec(plan.router));
    const specs = new Map<PlannedModelServer, ModelServerSpec>();
    for (const server of plan.modelServers) {
        const roleKey = server.role === "prefill" ? "prefill" : "decode";
        let spec: ModelServerSpec;
        try {
            spec = resolveModelServer(server.input, { name: `${name}-${server.role}`, hfTokenGiven: context.hfTokenGiven ?? false });
        } catch (err) {
            const root = err instanceof LlmdConfigError ? err.field.split(/[.[]/)[0] : "";
            throw err instanceof LlmdConfigError && ROLE_FIELDS.has(root) ? err.under(roleKey) : err;
        }
        // A pod that fits no node first: it explains a capacity error below better than a node count does.
        checkPodFitsNode(roleKey, spec, server.input.pool);
        checkCapacity(roleKey, spec, server.input.pool);
        if (autoscaling) {
            checkAutoscalingCapacity("autoscaling", autoscaling, spec, server.input.pool);
        }
        specs.set(server, spec);
    }
    if (args.monitoring !== undefined || autoscaling) {
        const monitoring = args.monitoring && { ...args.monitoring, provider: args.monitoring.provider ?? (plan.clusterProvider === "gke" ? MonitoringProvider.Gmp : undefined) };
        plan.operations = renderModelOperations({
            release: name,
            namespace: plan.namespace,
            poolName: name,
            servedModelName: plan.servedModelName,
            pd: plan.modelServers.some((s) => s.role === "prefill"),
            modelServerSelector: plan.router.modelServerSelector,
            routerSelector: routerSelectorLabels(routerSpec),
            monitoring,
            autoscaling,
            scaleTargets: plan.modelServers.map((s) => scaleTarget(specs.get(s)!)),
        });
    }
    // Every port the pool targets must be one a container of its pods listens on (wide-EP: one per local rank).
    plan.router.targetPorts = poolTargetPorts(plan.modelServers.map((s) => ({ role: s.role === "prefill" ? "prefill" : "decode", spec: specs.get(s)! })));
    if (plan.clusterProvider === "openshift") {
        planOpenShiftScc(name, plan, specs);
    }
    plan.podSecurity = [...specs.values()].map((spec) => objectsPodSecurity(renderModelServer(spec))).reduce(lower, objectsPodSecurity([renderRouterWorkload(routerSpec)]));
    plan.resolvedSpecs = { router: routerSpec, servers: plan.modelServers.map((s) => specs.get(s)!) };
    checkPlatformNamespacePodSecurity(plan, platform);
    return plan;
}

/**
 * KEDA scales on the router's metrics as Prometheus has them; without `monitoring` llmd renders no monitor, and
 * whether the user's own scrape configuration covers the router cannot be known at plan time.
 */
export function autoscalingWithoutMonitorsWarning(name: string, namespace: string, prometheusAddress: string): string {
    return (
        `model ${name} autoscales on its router's flow-control metrics but has no monitoring, so llmd renders no monitor for them: ` +
        `unless ${prometheusAddress} already scrapes the router in namespace ${namespace}, KEDA sees no series and never scales (add monitoring: {} to render them)`
    );
}

// A model in the platform namespace cannot relabel it: its pods must meet what the platform enforces there.
function checkPlatformNamespacePodSecurity(plan: LlmdModelPlan, platform: LlmdPlatformRef): void {
    const enforced = platform.podSecurity;
    if (!plan.inPlatformNamespace || enforced === undefined || meetsLevel(plan.podSecurity.level, enforced)) {
        return;
    }
    throw new LlmdConfigError(
        "namespace",
        plan.namespace,
        `platform ${platform.name}'s namespace enforces Pod Security ${enforced}, and this model's pods meet only ${plan.podSecurity.level} ` +
            `(${plan.podSecurity.reason}); expected a namespace of the model's own, or the platform's podSecurity set to ${plan.podSecurity.level}`,
    );
}

function resolveModelAutoscaling(input: ModelAutoscalingInput, platform: LlmdPlatformRef, clusterProvider: ClusterProvider | undefined): AutoscalingSpec {
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
        throw new LlmdConfigError("autoscaling", input, "expected an object of autoscaling settings, e.g. { minReplicas: 1, maxReplicas: 8 }");
    }
    const prometheusAddress = input.prometheusAddress ?? platform.prometheusAddress;
    if (prometheusAddress === undefined) {
        throw new LlmdConfigError(
            "autoscaling.prometheusAddress",
            undefined,
            `expected the URL of the Prometheus that scrapes the router, or a platform that installs one (operators.prometheusStack on platform ${platform.name})`,
        );
    }
    const spec = resolveAutoscaling({ ...input, prometheusAddress });
    // Only OpenShift runs that querier; on a cluster known to be another kind the address is a mistake the cluster
    // would only show as no scaling. An existing cluster of unnamed kind may be OpenShift.
    if (spec.openshiftThanos && clusterProvider !== undefined && clusterProvider !== "openshift" && clusterProvider !== "existing") {
        throw new LlmdConfigError("autoscaling.prometheusAddress", prometheusAddress, `OpenShift monitoring's Thanos querier exists only on OpenShift, and this model's cluster is ${clusterProvider}: expected the address of a Prometheus it runs`);
    }
    return spec;
}

/**
 * Every name a model answers to through the Gateway, with the field (relative to the model) that claimed it: a
 * platform's models must not share any of them.
 */
export function claimedNames(plan: Pick<LlmdModelPlan, "servedModelName" | "adapters" | "routedNames">): [name: string, field: string][] {
    return [
        [plan.servedModelName, "servedModelName"],
        ...plan.adapters.map((a, i): [string, string] => [a, `lora.adapters[${i}].name`]),
        ...plan.routedNames.filter((n) => n !== plan.servedModelName && !plan.adapters.includes(n)).map((n): [string, string] => [n, "rewrites"]),
    ];
}

/** Whether a model's roles span nodes, so its platform needs the LeaderWorkerSet controller. Throws on bad input like `resolveLlmdModel`. */
export function modelSpansNodes(name: string, args: LlmdModelInput, platform: LlmdPlatformRef): boolean {
    return planModel(name, args, { ...platform, leaderWorkerSet: true }).multiNode;
}
