/**
 * Decides what one `LlmdDeployment` is made of: the preset's defaults overlaid with the user's overrides,
 * checked across components (roles against the preset, model servers against the cluster's pools).
 * Pure: plain values in, plain component arguments out.
 */
import { Accelerator, ClusterProvider, acceleratorSpec } from "../catalog/accelerators";
import { TopologyPlacement, TopologyProfile } from "../catalog/topology";
import { GATEWAY_IMPLEMENTATIONS, GatewayImplementation } from "../catalog/gateways";
import { PRESETS, RolePreset, WellLitPath, presetImage, presetResources, resolvePreset } from "../catalog/presets";
import { LlmdConfigError, checkUnder, parseKubernetesMinor, requireDnsLabel, requireInteger, requireNonEmpty, requireOneOf } from "../errors";
import { AcceleratorPool } from "../pool";
import { DEFAULT_GATEWAY_NAME, resolveGatewaySpec } from "./gateway";
import { resolveModelServer } from "./model-server-resolve";
import { poolTargetPorts } from "./model-server-ports";
import { presetKvEvents, routerListensForKvEvents } from "./kv-events";
import { RouterInput, resolveRouterSpec } from "./router";
import { KueueInput, resolveKueueSpec } from "./kueue";
import { ModelServerInput, ModelServerNetworkArgs, ModelServerSpec } from "./model-server-types";
import { engineCapabilities } from "./model-server-pod";
import { OpenShiftSccSpec, RDMA_POD_CAPABILITIES, openShiftSccSpec } from "./openshift";

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

/** The plain part of `LlmdDeploymentArgs`. */
export interface LlmdDeploymentInput {
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
    gateway?: {
        implementation?: string;
        gatewayClassName?: string;
        installGatewayApiCrds?: boolean;
        internal?: boolean;
        listenerPort?: number;
        controllerValues?: { [key: string]: unknown };
    };
    router?: {
        replicas?: number;
        image?: string;
        schedulerConfig?: string;
        failureMode?: string;
        resources?: { cpuRequest?: string; memoryRequest?: string; memoryLimit?: string };
    };
    decode?: RoleOverrides;
    prefill?: RoleOverrides;
    installLeaderWorkerSet?: boolean;
    network?: ModelServerNetworkArgs;
    topologyAwareScheduling?: TopologySchedulingInput;
    platform?: string;
}

/** The plain part of `LlmdTopologyArgs`. */
export interface TopologySchedulingInput {
    clusterProvider?: ClusterProvider;
    installKueue?: boolean;
    topologyProfile?: TopologyProfile;
    rackLabel?: string;
    placement?: TopologyPlacement;
}

/** One model server to create. */
export interface PlannedModelServer {
    /** `decode`, `prefill` or `both`: also the child name suffix. */
    role: "decode" | "prefill" | "both";
    input: ModelServerInput;
}

/** Everything `LlmdDeployment` creates, resolved. */
export interface LlmdDeploymentPlan {
    preset: WellLitPath;
    namespace: string;
    createNamespace: boolean;
    model: string;
    servedModelName: string;
    gateway: {
        implementation: GatewayImplementation;
        /** Name of the Gateway; absent with implementation `none`. */
        gatewayName?: string;
        gatewayClassName?: string;
        installGatewayApiCrds?: boolean;
        internal?: boolean;
        listenerPort?: number;
        controllerValues?: { [key: string]: unknown };
    };
    /** The router's arguments; `name` is its component name (its Service is `<name>-epp`). */
    router: RouterInput;
    modelServers: PlannedModelServer[];
    installLeaderWorkerSet: boolean;
    /** Kueue and its queues, when topology-aware scheduling is on. */
    topologyAwareScheduling?: KueueInput & { installKueue?: boolean };
    /** The cluster's platform, when given. */
    platform?: ClusterProvider;
    /**
     * OpenShift only, and only when some model server adds capabilities: the SCC grant and the ServiceAccount
     * those servers run as (their `input.serviceAccountName`).
     */
    openShiftScc?: OpenShiftSccSpec;
}

// The router's default requests (llm-d's guides: 4 CPUs, 8Gi) are sized for production traffic; a kind or
// minikube cluster running the simulator has a few CPUs in all.
const SIMULATOR_ROUTER_RESOURCES = { cpuRequest: "250m", memoryRequest: "256Mi", memoryLimit: "1Gi" };

/** Label every pod of one deployment carries; the InferencePool selects on it plus `inference-serving`. */
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
            throw new LlmdConfigError(`${field}.pool`, requested, `pool ${pool.name} has ${pool.accelerator}, but the deployment uses ${accelerator}`);
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

// The topology labels follow from the platform; naming it twice, differently, is a mistake to report.
function topologyProvider(tas: TopologySchedulingInput, platform: ClusterProvider | undefined): ClusterProvider {
    const given = tas.clusterProvider;
    if (given === undefined && platform === undefined) {
        throw new LlmdConfigError("topologyAwareScheduling.clusterProvider", given, "set it (or platform) to the cluster's provider, whose node labels define the topology");
    }
    if (given !== undefined && platform !== undefined && given !== platform) {
        throw new LlmdConfigError("topologyAwareScheduling.clusterProvider", given, `the deployment's platform is ${platform}; leave clusterProvider unset or make them agree`);
    }
    return (given ?? platform)!;
}

// More nodes than the pool can ever have is a config error now, not pods stuck in Pending later. Sized
// from the model server's own resolution, which knows how a replica spreads over pods and nodes.
function checkCapacity(field: string, server: ModelServerSpec, pool: AcceleratorPool | undefined): void {
    if (!pool || server.replicas === 0 || server.acceleratorsPerPod === 0) {
        return;
    }
    const nodes =
        server.nodesPerReplica > 1
            ? server.replicas * server.nodesPerReplica
            : Math.ceil(server.replicas / Math.floor(pool.acceleratorsPerNode / server.acceleratorsPerPod));
    if (nodes > pool.maxNodes) {
        throw new LlmdConfigError(
            `${field}.replicas`,
            server.replicas,
            `needs ${nodes} nodes of pool ${pool.name} (${server.acceleratorsPerPod} ${pool.accelerator} per pod), but the pool has at most ${pool.maxNodes}`,
        );
    }
}

// Model-server fields that come from a role's overrides; the rest come from the deployment's top level.
const ROLE_FIELDS = new Set([
    "replicas", "tensorParallelSize", "dataParallelSize", "dataParallelSizeLocal", "nodesPerReplica", "enableExpertParallel",
    "pool", "image", "command", "extraArgs", "env", "cpu", "memory", "modelCacheSize",
]);

/**
 * Resolves `LlmdDeploymentArgs` into the arguments of every child component, and runs each child's own
 * validation up front so that a bad field fails before the first child exists. Throws `LlmdConfigError`
 * naming the field as the user wrote it (`router.replicas`, `decode.tensorParallelSize`).
 */
export function resolveLlmdDeployment(name: string, args: LlmdDeploymentInput, context: { hfTokenGiven?: boolean } = {}): LlmdDeploymentPlan {
    const plan = planLlmdDeployment(name, args);
    checkUnder("gateway", () =>
        resolveGatewaySpec({ ...plan.gateway, namespace: plan.namespace }),
    );
    checkUnder("router", () => resolveRouterSpec(plan.router));
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
        checkCapacity(roleKey, spec, server.input.pool);
        specs.set(server, spec);
    }
    plan.router.targetPorts = poolTargetPorts(plan.modelServers.map((s) => ({ role: s.role === "prefill" ? "prefill" : "decode", spec: specs.get(s)! })));
    if (plan.platform === "openshift") {
        planOpenShiftScc(name, plan, specs);
    }
    return plan;
}

/**
 * restricted-v2 admits pods that add no capabilities and run nothing privileged; the rest (RDMA model
 * servers) need an SCC of their own, granted to a ServiceAccount they run as. Decided from the resolved
 * specs, so it follows exactly what the pods will request.
 */
function planOpenShiftScc(name: string, plan: LlmdDeploymentPlan, specs: Map<PlannedModelServer, ModelServerSpec>): void {
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

function planLlmdDeployment(name: string, args: LlmdDeploymentInput): LlmdDeploymentPlan {
    const preset = resolvePreset("preset", args.preset);
    const platform = args.platform === undefined ? undefined : requireOneOf("platform", args.platform, Object.values(ClusterProvider));
    const base = PRESETS[preset];
    const namespace = requireDnsLabel("namespace", args.namespace ?? "llm-d");
    const model = requireNonEmpty("model", args.model ?? base.model);
    const simulate = args.simulate ?? base.simulator;
    const pools = args.pools ?? [];
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

    const decodePool = pickPool("decode", accelerator, pools, decode.pool);
    const prefillPool = disaggregated ? pickPool("prefill", accelerator, pools, prefill.pool) : undefined;

    const implementation = requireOneOf("gateway.implementation", args.gateway?.implementation ?? "istio", GATEWAY_IMPLEMENTATIONS);
    const poolLabels = { "llm-d.ai/inference-serving": "true", [DEPLOYMENT_LABEL]: requireDnsLabel("name", name) };
    const servedModelName = args.servedModelName ?? model;
    const routerName = `${name}-router`;

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
        extraArgs: [...(r.extraArgs ?? [])],
        env: r.env,
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
    // The queue must cover the RDMA resources the model servers request, named as their network settings say.
    const topologyAwareScheduling = args.topologyAwareScheduling && {
        ...args.topologyAwareScheduling,
        clusterProvider: topologyProvider(args.topologyAwareScheduling, platform),
        pools,
        namespace,
        network: args.network,
    };
    if (topologyAwareScheduling) {
        // Only groups that span nodes need one topology domain; single-node pods are placed by the scheduler.
        const kueue = checkUnder("topologyAwareScheduling", () => resolveKueueSpec(topologyAwareScheduling));
        for (const server of modelServers.filter((s) => (s.input.nodesPerReplica ?? 1) > 1)) {
            server.input.kueue = { localQueue: kueue.localQueueName, topologyLevel: kueue.groupLevel, topologyMode: kueue.placement };
        }
    }
    return {
        preset,
        namespace,
        createNamespace: args.createNamespace ?? true,
        model,
        servedModelName,
        gateway: { ...args.gateway, implementation, gatewayName: implementation === "none" ? undefined : DEFAULT_GATEWAY_NAME },
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
            gateway: implementation === "none" ? undefined : { name: DEFAULT_GATEWAY_NAME, namespace },
            gatewayImplementation: implementation,
            tokenizerModel: base.schedulerProfile === "precise-prefix-cache" ? model : undefined,
            kvEventsListener: routerListensForKvEvents(base.kvEvents, simulate),
            resources: args.router?.resources ?? (simulate ? SIMULATOR_ROUTER_RESOURCES : undefined),
        },
        modelServers,
        installLeaderWorkerSet: args.installLeaderWorkerSet ?? multiNode,
        topologyAwareScheduling,
        platform,
    };
}

