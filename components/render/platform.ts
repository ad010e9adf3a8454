/**
 * Decides what one `LlmdPlatform` (the once-per-cluster half of llm-d) is made of: the platform namespace, the
 * CRDs, the gateway controller and the one shared Gateway, how requests are routed by model, and the optional
 * LeaderWorkerSet and Kueue installs. Pure: plain values in, plain component arguments out.
 */
import { ClusterProvider } from "../catalog/accelerators";
import { GATEWAY_IMPLEMENTATIONS, GatewayImplementation } from "../catalog/gateways";
import { LlmdConfigError, checkUnder, optionalBoolean, requireDnsLabel, requireOneOf } from "../errors";
import { AcceleratorPool } from "../pool";
import { DEFAULT_GATEWAY_NAME, GatewayInput, GatewaySpec, resolveGatewaySpec } from "./gateway";
import { KueueInput, resolveKueueSpec } from "./kueue";
import { ModelServerKueueArgs } from "./model-server-placement";
import { ModelRouting, modelRoutingFor } from "./model-routing";
import { ChartSpec, OperatorsArgs, operatorCharts, prometheusStackAddress } from "./operators";
import { ModelServerNetworkArgs } from "./model-server-types";
import { TopologySchedulingInput, topologyProvider } from "./topology-scheduling";
import { NetworkPoliciesInput, NetworkPolicySettings, resolveNetworkPolicySettings } from "./network-policy";
import { LevelWithReason, optionalPodSecurityLevel, platformOwnPodSecurity } from "./namespace-pod-security";
import { PodSecurityLevel, lowestLevel, meetsLevel } from "./pod-security-standards";

/** Namespace of the shared Gateway (and the default namespace of every model) when none is given. */
export const DEFAULT_PLATFORM_NAMESPACE = "llm-d";
/**
 * Namespace label that lets a namespace's HTTPRoutes attach to a platform's Gateway; its value is the platform's
 * name. llmd puts it on every namespace it creates for the platform or a model.
 */
export const GATEWAY_ACCESS_LABEL = "llm-d.ai/gateway-access";

/** Gateway settings of a platform, as the user gives them. */
export interface PlatformGatewayInput {
    implementation?: unknown;
    gatewayClassName?: unknown;
    installGatewayApiCrds?: unknown;
    internal?: unknown;
    public?: unknown;
    allowUnauthenticated?: unknown;
    authentication?: unknown;
    tls?: unknown;
    listenerPort?: unknown;
    controllerValues?: unknown;
}

/** The plain part of `LlmdPlatformArgs`. */
export interface PlatformInput {
    namespace?: unknown;
    createNamespace?: unknown;
    gateway?: PlatformGatewayInput;
    installCrds?: unknown;
    retainCrdsOnDelete?: unknown;
    modelRouting?: unknown;
    leaderWorkerSet?: unknown;
    leaderWorkerSetPreinstalled?: unknown;
    topologyAwareScheduling?: TopologySchedulingInput;
    clusterProvider?: unknown;
    pools?: AcceleratorPool[];
    network?: ModelServerNetworkArgs;
    operators?: OperatorsArgs;
    networkPolicies?: NetworkPoliciesInput;
    podSecurity?: unknown;
}

/**
 * What a model needs to know about the platform it joins: plain values, so a model in another program (or
 * another language) can name a platform it did not create.
 */
export interface LlmdPlatformRef {
    /** The platform's name; model and adapter names must be unique within it. */
    name: string;
    /** Namespace of the shared Gateway, the payload processor and the models' routing ConfigMaps. */
    namespace: string;
    /** Gateway implementation (`istio`, `agentgateway`, `kgateway`, `gke` or `none`). */
    gatewayImplementation: GatewayImplementation;
    /** Name of the shared Gateway; empty with implementation `none` (every model runs its own standalone router). */
    gatewayName: string;
    /** How requests are routed by model (`payload-processor`, `agentgateway-policy` or `none`: one model only). */
    modelRouting: ModelRouting;
    /** Whether the LeaderWorkerSet controller runs on the cluster (multi-node model servers need it). */
    leaderWorkerSet: boolean;
    /** Kueue queue that multi-node model servers in the platform namespace join; absent without topology-aware scheduling. */
    kueue?: ModelServerKueueArgs;
    /** In-cluster URL of the Prometheus the platform installs (`operators.prometheusStack`); models autoscale on it by default. */
    prometheusAddress?: string;
    /** The NetworkPolicy settings every model on the platform applies. Absent in a hand-written ref: the defaults. */
    networkPolicies?: NetworkPolicySettings;
    /**
     * The Pod Security level the platform namespace enforces; a model placed there must meet it. Absent in a
     * hand-written ref: not checked.
     */
    podSecurity?: PodSecurityLevel;
}

/** The NetworkPolicy settings a model on `ref` applies: the platform's, or the defaults for its gateway. */
export function networkPolicySettings(ref: LlmdPlatformRef): NetworkPolicySettings {
    return ref.networkPolicies ?? resolveNetworkPolicySettings(undefined, ref.gatewayImplementation);
}

/** Everything `LlmdPlatform` creates, resolved. */
export interface PlatformSpec {
    name: string;
    namespace: string;
    createNamespace: boolean;
    /** Labels the platform namespace carries (and every model namespace must carry) for Gateway access. */
    namespaceLabels: Record<string, string>;
    gateway: GatewaySpec;
    /** The gateway arguments as resolved into `gateway` (what `InferenceGateway` is constructed with). */
    gatewayArgs: GatewayInput & { implementation: GatewayImplementation; namespace: string };
    /** Install the InferencePool and llm-d router (InferenceObjective, InferenceModelRewrite) CRDs. */
    installCrds: boolean;
    /** Keep every CRD in the cluster when the platform is destroyed (other tenants' objects depend on them). */
    retainCrdsOnDelete: boolean;
    installLeaderWorkerSet: boolean;
    /** Kueue and its queues in the platform namespace, when topology-aware scheduling is on. */
    topologyAwareScheduling?: KueueInput & { installKueue?: boolean };
    /** Operators the platform installs from their pinned charts (KEDA, kube-prometheus-stack). */
    operatorCharts: ChartSpec[];
    /** The Pod Security level the platform namespace enforces (labels only when the platform creates it). */
    podSecurity: PodSecurityLevel;
    /** The strictest level the platform's own pods (payload processor, gateway proxies) meet, and why. */
    ownPodSecurity: LevelWithReason;
    /** What models are told about this platform. */
    ref: LlmdPlatformRef;
}

function resolveModelRouting(input: unknown, implementation: GatewayImplementation): ModelRouting {
    const possible = modelRoutingFor(implementation);
    if (input === undefined) {
        return possible ?? ModelRouting.None;
    }
    const on = optionalBoolean("modelRouting", input, true);
    if (on && possible === undefined) {
        throw new LlmdConfigError(
            "modelRouting",
            input,
            `gateway implementation ${implementation} has no way to route by the request's model; use istio, gke or agentgateway, or set modelRouting: false (one model per platform)`,
        );
    }
    return on ? (possible as ModelRouting) : ModelRouting.None;
}

/**
 * Resolves `LlmdPlatformArgs`, running each part's own validation so a bad field fails before any child exists.
 * Errors name the field as the user wrote it (`gateway.listenerPort`, `topologyAwareScheduling.rackLabel`).
 */
export function resolvePlatformSpec(name: string, input: PlatformInput, options: { clusterProviderField?: string } = {}): PlatformSpec {
    const clusterProviderField = options.clusterProviderField ?? "clusterProvider";
    requireDnsLabel("name", name);
    const namespace = input.namespace === undefined ? DEFAULT_PLATFORM_NAMESPACE : requireDnsLabel("namespace", input.namespace);
    const createNamespace = optionalBoolean("createNamespace", input.createNamespace, true);
    const clusterProvider =
        input.clusterProvider === undefined ? undefined : requireOneOf<ClusterProvider>(clusterProviderField, input.clusterProvider, Object.values(ClusterProvider));
    const gatewayInput = input.gateway ?? {};
    if (typeof gatewayInput !== "object" || gatewayInput === null || Array.isArray(gatewayInput)) {
        throw new LlmdConfigError("gateway", gatewayInput, "expected an object of gateway settings");
    }
    const implementation = requireOneOf<GatewayImplementation>("gateway.implementation", gatewayInput.implementation ?? "istio", GATEWAY_IMPLEMENTATIONS);
    const namespaceLabels = { [GATEWAY_ACCESS_LABEL]: name };
    const installCrds = optionalBoolean("installCrds", input.installCrds, true);
    const gatewayArgs = {
        ...gatewayInput,
        implementation,
        namespace,
        gatewayName: implementation === GatewayImplementation.None ? undefined : DEFAULT_GATEWAY_NAME,
        installInferenceExtensionCrds: installCrds,
        // Models may live in namespaces of their own: admit routes from every namespace labelled for this platform.
        routeNamespaceLabels: implementation === GatewayImplementation.None ? undefined : namespaceLabels,
    };
    const gateway = checkUnder("gateway", () => resolveGatewaySpec(gatewayArgs));
    const modelRouting = resolveModelRouting(input.modelRouting, implementation);
    const networkPolicies = resolveNetworkPolicySettings(input.networkPolicies, implementation);
    const installLeaderWorkerSet = optionalBoolean("leaderWorkerSet", input.leaderWorkerSet, false);
    const preinstalled = optionalBoolean("leaderWorkerSetPreinstalled", input.leaderWorkerSetPreinstalled, false);
    if (installLeaderWorkerSet && preinstalled) {
        throw new LlmdConfigError("leaderWorkerSetPreinstalled", true, "leaderWorkerSet: true installs the controller; set only one of them");
    }

    let topologyAwareScheduling: PlatformSpec["topologyAwareScheduling"];
    let kueue: ModelServerKueueArgs | undefined;
    if (input.topologyAwareScheduling !== undefined) {
        const tas = input.topologyAwareScheduling;
        if (typeof tas !== "object" || tas === null || Array.isArray(tas)) {
            throw new LlmdConfigError("topologyAwareScheduling", tas, "expected an object of topology-aware scheduling settings");
        }
        topologyAwareScheduling = {
            ...tas,
            clusterProvider: topologyProvider(tas, clusterProvider, clusterProviderField),
            pools: input.pools ?? [],
            namespace,
            network: input.network,
        };
        const spec = checkUnder("topologyAwareScheduling", () => resolveKueueSpec(topologyAwareScheduling!));
        kueue = { localQueue: spec.localQueueName, topologyLevel: spec.groupLevel, topologyMode: spec.placement };
    }

    if (input.operators !== undefined && (typeof input.operators !== "object" || input.operators === null || Array.isArray(input.operators))) {
        throw new LlmdConfigError("operators", input.operators, "expected an object: { keda, prometheusStack, grafana, kedaNamespace, kedaGcpServiceAccount, monitoringNamespace }");
    }
    const operators = input.operators ?? {};
    for (const key of ["keda", "prometheusStack", "grafana"] as const) {
        optionalBoolean(`operators.${key}`, operators[key]);
    }
    const charts = operatorCharts(operators, clusterProvider);
    const ownPodSecurity = platformOwnPodSecurity({ namespace, gatewayName: gateway.gateway?.name ?? "", implementation }, modelRouting);
    const podSecurity = resolvePlatformPodSecurity(input.podSecurity, ownPodSecurity);
    return {
        name,
        namespace,
        createNamespace,
        namespaceLabels,
        operatorCharts: charts,
        gateway,
        gatewayArgs,
        installCrds,
        retainCrdsOnDelete: optionalBoolean("retainCrdsOnDelete", input.retainCrdsOnDelete, true),
        installLeaderWorkerSet,
        topologyAwareScheduling,
        podSecurity,
        ownPodSecurity,
        ref: {
            name,
            namespace,
            gatewayImplementation: implementation,
            gatewayName: gateway.gateway?.name ?? "",
            modelRouting,
            leaderWorkerSet: installLeaderWorkerSet || preinstalled,
            ...(kueue ? { kueue } : {}),
            ...(operators.prometheusStack ? { prometheusAddress: prometheusStackAddress(operators) } : {}),
            networkPolicies,
            podSecurity,
        },
    };
}

/**
 * The level the platform namespace enforces: the one given, if the platform's own pods meet it; else the strictest
 * they meet, but at most baseline, so that models on the usual vLLM images (which run as root) may join. Models
 * that need less must run in a namespace of their own or have the platform's level lowered.
 */
function resolvePlatformPodSecurity(input: unknown, own: LevelWithReason): PodSecurityLevel {
    const given = optionalPodSecurityLevel("podSecurity", input);
    if (given === undefined) {
        return lowestLevel([own.level, PodSecurityLevel.Baseline]);
    }
    if (!meetsLevel(own.level, given)) {
        throw new LlmdConfigError("podSecurity", given, `the platform's own pods meet only ${own.level} (${own.reason}); expected ${own.level} or less strict`);
    }
    return given;
}

/** `spec` enforcing `level` in its namespace instead (a composite that knows every pod placed there). */
export function withPlatformPodSecurity(spec: PlatformSpec, level: PodSecurityLevel): PlatformSpec {
    return { ...spec, podSecurity: level, ref: { ...spec.ref, podSecurity: level } };
}

/**
 * Checks a platform ref a model was given (possibly written by hand for a platform in another stack) and
 * returns it unchanged, so a ref from an `LlmdPlatform` in this program keeps its identity.
 */
export function checkPlatformRef(field: string, ref: unknown): LlmdPlatformRef {
    if (typeof ref !== "object" || ref === null || Array.isArray(ref)) {
        throw new LlmdConfigError(field, ref, "expected an LlmdPlatform's ref: { name, namespace, gatewayImplementation, gatewayName, modelRouting, leaderWorkerSet }");
    }
    const r = ref as Record<string, unknown>;
    requireDnsLabel(`${field}.name`, r.name);
    requireDnsLabel(`${field}.namespace`, r.namespace);
    const implementation = requireOneOf<GatewayImplementation>(`${field}.gatewayImplementation`, r.gatewayImplementation, GATEWAY_IMPLEMENTATIONS);
    if (implementation === GatewayImplementation.None) {
        if (r.gatewayName !== "" && r.gatewayName !== undefined) {
            throw new LlmdConfigError(`${field}.gatewayName`, r.gatewayName, "implementation none has no Gateway: expected it empty");
        }
    } else {
        requireDnsLabel(`${field}.gatewayName`, r.gatewayName);
    }
    const routing = requireOneOf<ModelRouting>(`${field}.modelRouting`, r.modelRouting, Object.values(ModelRouting));
    if (routing !== ModelRouting.None && routing !== modelRoutingFor(implementation)) {
        throw new LlmdConfigError(`${field}.modelRouting`, routing, `implementation ${implementation} routes by model with ${modelRoutingFor(implementation) ?? "nothing"}`);
    }
    if (r.prometheusAddress !== undefined && !/^https?:\/\/\S+$/.test(String(r.prometheusAddress))) {
        throw new LlmdConfigError(`${field}.prometheusAddress`, r.prometheusAddress, "expected an http(s) URL");
    }
    if (typeof r.leaderWorkerSet !== "boolean") {
        throw new LlmdConfigError(`${field}.leaderWorkerSet`, r.leaderWorkerSet, "expected true or false");
    }
    optionalPodSecurityLevel(`${field}.podSecurity`, r.podSecurity);
    return ref as LlmdPlatformRef;
}
