/**
 * The llm-d router (endpoint picker, EPP) and what connects it to the cluster: its RBAC, config, Deployment,
 * Service, the InferencePool it picks endpoints for, and either the HTTPRoute plus per-gateway policies that
 * send a Gateway's traffic through it, or (standalone mode, no Gateway) an Envoy proxy in the router pod.
 * Shapes follow the llm-d-router v0.10.0 charts (`config/charts/routerlib`, `llm-d-router-gateway`,
 * `llm-d-router-standalone`) and the Inference Extension `inferencepool` chart's gateway templates.
 */
import { routerDisruptionBudget, routerUpdateStrategy } from "./router-availability";
import { createHash } from "crypto";
import { LlmdConfigError, optionalBoolean, requireDnsLabel, requireInteger, requireNonEmpty, requireOneOf } from "../errors";
import { GatewayImplementation, GATEWAY_IMPLEMENTATIONS } from "../catalog/gateways";
import { IMAGES, imageRef } from "../catalog/versions";
import {
    KV_EVENTS_PORT,
    ROUTER_CONFIG_FILE,
    SCHEDULER_PROFILES,
    SchedulerProfile,
    TOKENIZER_PORT,
    configTextFeatureGates,
    canonicalSchedulerProfile,
    routerConfigText,
    validateRouterConfigText,
} from "./router-config";
import {
    DEFAULT_PROXY_PORT,
    DEFAULT_PROXY_RESOURCES,
    PROXY_ADMIN_PORT,
    PROXY_CONFIG_FILE,
    PROXY_PORT_NAME,
    PROXY_READY_PORT,
    envoyBootstrapYaml,
    proxyContainer,
} from "./router-standalone";
import { K8sObject } from "./types";
import { LLMD_LABELS } from "./labels";
import { isLabelKey, isLabelValue } from "./label-syntax";
import { BASE_MODEL_HEADER } from "./model-routing";

/** What the gateway does when the router cannot be reached. */
export const FailureMode = {
    /** Keep serving: the gateway falls back to picking a pool endpoint itself. */
    FailOpen: "FailOpen",
    /** Reject requests until the router is back. */
    FailClose: "FailClose",
} as const;
/** One of the values of `FailureMode`. */
export type FailureMode = (typeof FailureMode)[keyof typeof FailureMode];

/** ext-proc gRPC port the gateway calls. */
export const ROUTER_GRPC_PORT = 9002;
/** gRPC health port the probes call. */
export const ROUTER_HEALTH_PORT = 9003;
/** Prometheus metrics port. */
export const ROUTER_METRICS_PORT = 9090;
/** API group of InferencePool v1. */
export const INFERENCE_POOL_GROUP = "inference.networking.k8s.io";
/** The Inference Extension's alpha API group, where older clusters keep InferenceObjective and InferenceModelRewrite. */
export const LEGACY_INFERENCE_GROUP = "inference.networking.x-k8s.io";
/** Upper bound for one request through the gateway: long generations stream for minutes. */
export const ROUTE_TIMEOUT_SECONDS = 300;

/** A Gateway by name and namespace. */
export interface GatewayRef {
    name: string;
    namespace: string;
}

/** Router container resources (Kubernetes quantities). */
export interface RouterResourceSpec {
    cpuRequest: string;
    memoryRequest: string;
    memoryLimit?: string;
}

/** Requests of the llm-d guides' router values: the router fails closed on CPU starvation under load. */
export const DEFAULT_ROUTER_RESOURCES: RouterResourceSpec = { cpuRequest: "4", memoryRequest: "8Gi", memoryLimit: "16Gi" };

/** Raw router arguments, named like `InferenceRouterArgs` so errors name the user's field. */
export interface RouterInput {
    /** Base name of every object. */
    name: string;
    namespace: string;
    poolName?: string;
    modelServerSelector: Record<string, string>;
    targetPorts?: number[];
    schedulerProfile?: string;
    replicas?: number;
    gateway?: GatewayRef;
    gatewayImplementation?: string;
    failureMode?: string;
    image?: string;
    schedulerConfig?: string;
    tokenizerModel?: string;
    kvEventsListener?: boolean;
    resources?: Partial<RouterResourceSpec>;
    standalone?: boolean;
    proxyPort?: number;
    proxyResources?: Partial<RouterResourceSpec>;
    /**
     * Model names the HTTPRoute matches in `X-Gateway-Base-Model-Name` (a platform routing by model); without
     * them the route takes every request on the Gateway.
     */
    routeModelNames?: string[];
    /** Router feature gates to turn on, e.g. `flowControl` when the pool has InferenceObjectives. */
    featureGates?: string[];
}

/** The standalone proxy (Envoy in the router pod), when the router runs without a Gateway. */
export interface StandaloneProxySpec {
    /** Port of the proxy's OpenAI-compatible listener, also the router Service's `http` port. */
    port: number;
    image: string;
    resources: RouterResourceSpec;
}

/** Validated, defaulted router settings: everything `renderRouter` needs. */
export interface RouterSpec {
    name: string;
    namespace: string;
    poolName: string;
    modelServerSelector: Record<string, string>;
    targetPorts: number[];
    /** The profile, aliases resolved. */
    profile: Exclude<SchedulerProfile, "inference-scheduling">;
    replicas: number;
    gateway?: GatewayRef;
    gatewayImplementation: GatewayImplementation;
    failureMode: FailureMode;
    image: string;
    configOverride?: string;
    tokenizerModel?: string;
    /** Precise profile: the router binds the central KV-events socket instead of dialling each pod's. */
    kvEventsListener: boolean;
    resources: RouterResourceSpec;
    /** Present in standalone mode only. */
    proxy?: StandaloneProxySpec;
    /** Header values the route matches; empty: every request. */
    routeModelNames: string[];
    featureGates: string[];
}

const quantity = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$/;

function requireSelector(field: string, selector: unknown): Record<string, string> {
    if (typeof selector !== "object" || selector === null || Array.isArray(selector) || Object.keys(selector).length === 0) {
        throw new LlmdConfigError(field, selector, "expected at least one label, e.g. { \"llm-d.ai/model\": \"qwen3\" }: an empty selector would put every pod in the pool");
    }
    const entries = Object.entries(selector as Record<string, unknown>);
    if (entries.length > 64) {
        throw new LlmdConfigError(field, selector, "expected at most 64 labels (InferencePool limit)");
    }
    for (const [key, value] of entries) {
        if (!isLabelKey(key)) {
            throw new LlmdConfigError(`${field}["${key}"]`, key, "expected a Kubernetes label key ([prefix/]name, name at most 63 characters)");
        }
        if (!isLabelValue(value)) {
            throw new LlmdConfigError(`${field}["${key}"]`, value, "expected a Kubernetes label value (at most 63 letters, digits, '-', '_', '.')");
        }
    }
    return { ...(selector as Record<string, string>) };
}

function requireTargetPorts(field: string, ports: unknown): number[] {
    if (!Array.isArray(ports) || ports.length < 1 || ports.length > 8) {
        throw new LlmdConfigError(field, ports, "expected 1 to 8 model-server ports");
    }
    ports.forEach((port, i) => requireInteger(`${field}[${i}]`, port, 1, 65535));
    const seen = new Set<number>();
    ports.forEach((port: number, i) => {
        if (seen.has(port)) {
            throw new LlmdConfigError(`${field}[${i}]`, port, "expected each port once");
        }
        seen.add(port);
    });
    return [...ports];
}

function requireResources(
    field: string,
    given: Partial<RouterResourceSpec> | undefined,
    defaults: RouterResourceSpec = DEFAULT_ROUTER_RESOURCES,
): RouterResourceSpec {
    const merged = { ...defaults, ...(given ?? {}) };
    for (const key of ["cpuRequest", "memoryRequest", "memoryLimit"] as const) {
        const value = merged[key];
        if (value === undefined && key === "memoryLimit") {
            continue;
        }
        if (typeof value !== "string" || !quantity.test(value)) {
            throw new LlmdConfigError(`${field}.${key}`, value, "expected a Kubernetes quantity such as \"2\", \"500m\" or \"8Gi\"");
        }
    }
    return merged;
}

/**
 * Validates and defaults the router arguments. Throws `LlmdConfigError` naming the field for anything the
 * cluster would reject or that would deploy a router that cannot work.
 */
export function resolveRouterSpec(input: RouterInput): RouterSpec {
    // The router Service is `<name>-epp` and Service names must be DNS-1035 labels (start with a letter).
    const name = requireDnsLabel("name", input.name, 59);
    if (!/^[a-z]/.test(name)) {
        throw new LlmdConfigError("name", name, "expected a name starting with a letter (it names the router Service)");
    }
    const namespace = requireDnsLabel("namespace", input.namespace);
    const poolName = requireDnsLabel("poolName", input.poolName ?? name);
    const modelServerSelector = requireSelector("modelServerSelector", input.modelServerSelector);
    const targetPorts = requireTargetPorts("targetPorts", input.targetPorts ?? [8000]);
    const profile = canonicalSchedulerProfile(requireOneOf("schedulerProfile", input.schedulerProfile ?? SchedulerProfile.OptimizedBaseline, SCHEDULER_PROFILES));
    const replicas = requireInteger("replicas", input.replicas ?? 1, 1);
    const failureMode = requireOneOf("failureMode", input.failureMode ?? FailureMode.FailOpen, Object.values(FailureMode));

    let gateway: GatewayRef | undefined;
    if (input.gateway !== undefined) {
        if (typeof input.gateway !== "object" || input.gateway === null) {
            throw new LlmdConfigError("gateway", input.gateway, "expected { name, namespace } of a Gateway");
        }
        gateway = {
            name: requireDnsLabel("gateway.name", input.gateway.name),
            namespace: requireDnsLabel("gateway.namespace", input.gateway.namespace),
        };
    }
    const implementations = GATEWAY_IMPLEMENTATIONS.filter((g) => g !== GatewayImplementation.None);
    let gatewayImplementation: GatewayImplementation;
    if (gateway) {
        if (input.gatewayImplementation === GatewayImplementation.None) {
            throw new LlmdConfigError("gatewayImplementation", input.gatewayImplementation, `a gateway is given, so expected one of ${implementations.join(", ")}`);
        }
        gatewayImplementation = requireOneOf("gatewayImplementation", input.gatewayImplementation, implementations);
    } else {
        gatewayImplementation = requireOneOf("gatewayImplementation", input.gatewayImplementation ?? GatewayImplementation.None, GATEWAY_IMPLEMENTATIONS);
        if (gatewayImplementation !== GatewayImplementation.None) {
            throw new LlmdConfigError("gateway", undefined, `gatewayImplementation is ${gatewayImplementation}, so expected the { name, namespace } of its Gateway`);
        }
    }

    const image = input.image === undefined ? imageRef(IMAGES.router) : requireNonEmpty("image", input.image);
    if (/\s/.test(image)) {
        throw new LlmdConfigError("image", image, "expected an image reference without whitespace, e.g. ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0");
    }
    const kvEventsListener = optionalBoolean("kvEventsListener", input.kvEventsListener);
    if (kvEventsListener && profile !== SchedulerProfile.PrecisePrefixCache) {
        throw new LlmdConfigError("kvEventsListener", true, `only the ${SchedulerProfile.PrecisePrefixCache} profile reads KV events; leave it unset for ${profile}`);
    }
    const proxy = resolveStandaloneProxy(input, gatewayImplementation, kvEventsListener, profile);
    const configOverride = input.schedulerConfig === undefined ? undefined : validateRouterConfigText("schedulerConfig", input.schedulerConfig);

    let tokenizerModel: string | undefined;
    if (profile === SchedulerProfile.PrecisePrefixCache) {
        tokenizerModel = requireNonEmpty("tokenizerModel", input.tokenizerModel);
    } else if (input.tokenizerModel !== undefined) {
        throw new LlmdConfigError("tokenizerModel", input.tokenizerModel, `only the ${SchedulerProfile.PrecisePrefixCache} profile tokenises; leave it unset for ${profile}`);
    }

    return {
        name,
        namespace,
        poolName,
        modelServerSelector,
        targetPorts,
        profile,
        replicas,
        gateway,
        gatewayImplementation,
        failureMode,
        image,
        configOverride,
        tokenizerModel,
        kvEventsListener,
        resources: requireResources("resources", input.resources),
        proxy,
        routeModelNames: resolveRouteModelNames(input.routeModelNames, gateway !== undefined),
        featureGates: resolveFeatureGates(input.featureGates, configOverride),
    };
}

function resolveFeatureGates(gates: unknown, configOverride: string | undefined): string[] {
    if (gates === undefined) {
        return [];
    }
    if (!Array.isArray(gates) || gates.some((g) => typeof g !== "string" || !/^[a-zA-Z][a-zA-Z0-9]*$/.test(g))) {
        throw new LlmdConfigError("featureGates", gates, "expected a list of feature gate names, e.g. [\"flowControl\"]");
    }
    if (configOverride !== undefined) {
        // The user's own config is used as written: it must turn the gates on itself.
        const missing = gates.filter((g) => !configTextFeatureGates(configOverride).includes(g));
        if (missing.length > 0) {
            throw new LlmdConfigError("schedulerConfig", "(your EndpointPickerConfig)", `this pool needs featureGates: [${missing.join(", ")}] in it (InferenceObjective priorities act only with flowControl)`);
        }
    }
    return [...new Set(gates as string[])];
}

function resolveRouteModelNames(names: unknown, hasGateway: boolean): string[] {
    if (names === undefined) {
        return [];
    }
    if (!hasGateway) {
        throw new LlmdConfigError("routeModelNames", names, "there is no Gateway route to match on; leave it unset");
    }
    if (!Array.isArray(names) || names.length === 0 || names.length > 16) {
        // Gateway API allows at most 64 matches per rule and 16 rules per route; one rule with one match per name keeps well inside.
        throw new LlmdConfigError("routeModelNames", names, "expected 1 to 16 model names");
    }
    names.forEach((n, i) => requireNonEmpty(`routeModelNames[${i}]`, n));
    return [...names];
}

/** Ports of the router pod the proxy listener must not take (the profile's extra ports included). */
function reservedPodPorts(profile: SchedulerProfile, kvEventsListener: boolean): Map<number, string> {
    const reserved = new Map<number, string>([
        [ROUTER_GRPC_PORT, "the router's ext-proc gRPC port"],
        [ROUTER_HEALTH_PORT, "the router's gRPC health port"],
        [ROUTER_METRICS_PORT, "the router's metrics port"],
        [PROXY_ADMIN_PORT, "the proxy's admin port"],
        [PROXY_READY_PORT, "the proxy's readiness port"],
    ]);
    if (kvEventsListener) {
        reserved.set(KV_EVENTS_PORT, "the router's KV-events port");
    }
    if (profile === SchedulerProfile.PrecisePrefixCache) {
        reserved.set(TOKENIZER_PORT, "the tokenizer sidecar's port");
    }
    return reserved;
}

function resolveStandaloneProxy(
    input: RouterInput,
    gatewayImplementation: GatewayImplementation,
    kvEventsListener: boolean,
    profile: SchedulerProfile,
): StandaloneProxySpec | undefined {
    const withoutGateway = gatewayImplementation === GatewayImplementation.None;
    if (input.standalone !== undefined && typeof input.standalone !== "boolean") {
        throw new LlmdConfigError("standalone", input.standalone, "expected true or false");
    }
    if (input.standalone === true && !withoutGateway) {
        throw new LlmdConfigError(
            "standalone",
            input.standalone,
            `the router is behind a ${gatewayImplementation} Gateway, so expected it unset or false (standalone mode is for gatewayImplementation none)`,
        );
    }
    const standalone = input.standalone ?? withoutGateway;
    if (!standalone) {
        for (const field of ["proxyPort", "proxyResources"] as const) {
            if (input[field] !== undefined) {
                throw new LlmdConfigError(field, input[field], "only the standalone proxy uses it; leave it unset without standalone mode");
            }
        }
        return undefined;
    }
    // The proxy runs as non-root with every capability dropped, so it cannot bind privileged ports.
    const port = requireInteger("proxyPort", input.proxyPort ?? DEFAULT_PROXY_PORT, 1024, 65535);
    const taken = reservedPodPorts(profile, kvEventsListener).get(port);
    if (taken) {
        throw new LlmdConfigError("proxyPort", port, `${port} is ${taken} in the same pod; expected another port, e.g. ${DEFAULT_PROXY_PORT}`);
    }
    return {
        port,
        image: imageRef(IMAGES.envoy),
        resources: requireResources("proxyResources", input.proxyResources, DEFAULT_PROXY_RESOURCES),
    };
}

/** Names of the objects the router renders. */
export function routerNames(spec: Pick<RouterSpec, "name" | "poolName" | "namespace">) {
    const epp = `${spec.name}-epp`;
    return {
        serviceAccount: epp,
        role: epp,
        roleBinding: epp,
        // Cluster-scoped, so the namespace is part of the name; a colon cannot occur in a namespace, so no two
        // (namespace, router) pairs give the same name.
        authClusterRole: `llmd:${spec.namespace}:${epp}:metrics-auth`,
        configMap: epp,
        proxyConfigMap: `${epp}-proxy`,
        deployment: epp,
        service: epp,
        pool: spec.poolName,
        route: spec.name,
        destinationRule: epp,
        healthCheckPolicy: spec.poolName,
        backendPolicy: spec.poolName,
    };
}

/** In-cluster DNS name of the router Service. */
export function routerServiceHost(spec: Pick<RouterSpec, "name" | "namespace">): string {
    return `${spec.name}-epp.${spec.namespace}.svc.cluster.local`;
}

/**
 * `http://host:port` of the standalone proxy inside the cluster (OpenAI-compatible: append `/v1/...`);
 * empty without standalone mode.
 */
export function routerProxyEndpoint(spec: Pick<RouterSpec, "name" | "namespace" | "proxy">): string {
    return spec.proxy ? `http://${routerServiceHost(spec)}:${spec.proxy.port}` : "";
}

/** `tcp://host:port` the model servers publish KV events to (precise profile only). */
export function kvEventsEndpoint(spec: Pick<RouterSpec, "name" | "namespace">): string {
    return `tcp://${routerServiceHost(spec)}:${KV_EVENTS_PORT}`;
}

function labels(spec: RouterSpec, component: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": "llm-d-router",
        "app.kubernetes.io/instance": spec.name,
        ...LLMD_LABELS,
        "app.kubernetes.io/component": component,
    };
}

/** Labels that select the router's own pods (never overlapping the model-server selector's labels). */
export function routerSelectorLabels(spec: Pick<RouterSpec, "name">): Record<string, string> {
    return {
        "app.kubernetes.io/name": "llm-d-router",
        "app.kubernetes.io/instance": spec.name,
        "app.kubernetes.io/component": "router",
    };
}

const read = ["get", "list", "watch"];

function rbac(spec: RouterSpec): K8sObject[] {
    const names = routerNames(spec);
    const rules: Record<string, unknown>[] = [
        // Pool members are pods; the router reads their IPs, labels and readiness.
        { apiGroups: [""], resources: ["pods"], verbs: read },
        { apiGroups: [INFERENCE_POOL_GROUP], resources: ["inferencepools"], verbs: read },
        // Per-request priorities and model rewrites. The router reads them from llm-d.ai, or from the legacy
        // Inference Extension group on clusters that carry only the older CRDs (llm-d-router v0.10.0
        // pkg/epp/server/controller_config.go), so both groups, as the chart's templates/rbac.yaml grants.
        { apiGroups: [LEGACY_INFERENCE_GROUP], resources: ["inferenceobjectives", "inferencemodelrewrites"], verbs: read },
        { apiGroups: ["llm-d.ai"], resources: ["inferenceobjectives", "inferencemodelrewrites"], verbs: read },
    ];
    if (spec.replicas > 1) {
        // Only one replica serves at a time; the others wait on a Lease.
        rules.push(
            { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
            { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
        );
    }
    const meta = (name: string) => ({ name, namespace: spec.namespace, labels: labels(spec, "router") });
    const subjects = [{ kind: "ServiceAccount", name: names.serviceAccount, namespace: spec.namespace }];
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(names.serviceAccount) },
        { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta(names.role), rules },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: meta(names.roleBinding),
            subjects,
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: names.role },
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: names.authClusterRole, labels: labels(spec, "router") },
            rules: METRICS_AUTH_RULES,
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: names.authClusterRole, labels: labels(spec, "router") },
            subjects,
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: names.authClusterRole },
        },
    ];
}

/**
 * What the router's authenticated `/metrics` needs (llm-d-router v0.10.0: `--metrics-endpoint-auth` defaults to
 * true and puts controller-runtime's `filters.WithAuthenticationAndAuthorization` in front of the endpoint, which
 * asks the API server to review the caller's token and then whether it may `get /metrics`). Both reviews are
 * cluster-scoped kinds, so only a ClusterRole can grant them. The chart's ClusterRole (routerlib
 * `templates/_rbac.yaml`) also lets the router itself `get /metrics`; the router never scrapes itself, so that
 * rule is left out: scrapers get it from their own metrics-reader role.
 */
export const METRICS_AUTH_RULES = [
    { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
    { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
];

function eppArgs(spec: RouterSpec): string[] {
    const args = [
        "--pool-name", spec.poolName,
        "--pool-namespace", spec.namespace,
        "--pool-group", INFERENCE_POOL_GROUP,
        "--config-file", `/config/${ROUTER_CONFIG_FILE}`,
        "--grpc-health-port", String(ROUTER_HEALTH_PORT),
        "--zap-encoder", "json",
        // The log verbosity llm-d's guides run the router at.
        "--v=2",
    ];
    if (spec.replicas > 1) {
        args.push("--ha-enable-leader-election");
    }
    // `--metrics-endpoint-auth` is left at its default (on): only callers whose token may `get /metrics` read the
    // router's metrics (the monitors send the per-release metrics-reader token, monitoring.ts).
    args.push("--tracing=false");
    return args;
}

function grpcProbe(spec: RouterSpec, kind: "liveness" | "readiness"): Record<string, unknown> {
    // With leader election the router answers per-role health services so standbys stay NotReady.
    const service = spec.replicas > 1 ? kind : "inference-extension";
    return kind === "liveness"
        ? { grpc: { port: ROUTER_HEALTH_PORT, service }, initialDelaySeconds: 5, periodSeconds: 10 }
        : { grpc: { port: ROUTER_HEALTH_PORT, service }, periodSeconds: 2 };
}

const restricted = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };

function eppContainer(spec: RouterSpec): Record<string, unknown> {
    const ports: Record<string, unknown>[] = [
        { name: "grpc", containerPort: ROUTER_GRPC_PORT, protocol: "TCP" },
        { name: "grpc-health", containerPort: ROUTER_HEALTH_PORT, protocol: "TCP" },
        { name: "metrics", containerPort: ROUTER_METRICS_PORT, protocol: "TCP" },
    ];
    if (spec.kvEventsListener) {
        ports.push({ name: "kv-events", containerPort: KV_EVENTS_PORT, protocol: "TCP" });
    }
    const { cpuRequest, memoryRequest, memoryLimit } = spec.resources;
    return {
        name: "epp",
        image: spec.image,
        imagePullPolicy: "IfNotPresent",
        args: eppArgs(spec),
        ports,
        env: [
            { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        ],
        livenessProbe: grpcProbe(spec, "liveness"),
        readinessProbe: grpcProbe(spec, "readiness"),
        resources: {
            requests: { cpu: cpuRequest, memory: memoryRequest },
            ...(memoryLimit ? { limits: { memory: memoryLimit } } : {}),
        },
        // The image runs as a numeric non-root user; no UID is pinned so OpenShift's restricted SCC can assign one.
        securityContext: { ...restricted, runAsNonRoot: true },
        volumeMounts: [{ name: "config", mountPath: "/config", readOnly: true }],
    };
}

function tokenizerContainer(spec: RouterSpec): Record<string, unknown> {
    return {
        name: "tokenizer",
        image: imageRef(IMAGES.routerTokenizer),
        imagePullPolicy: "IfNotPresent",
        command: ["vllm", "launch", "render"],
        args: [spec.tokenizerModel!, `--port=${TOKENIZER_PORT}`],
        ports: [{ name: "render-http", containerPort: TOKENIZER_PORT, protocol: "TCP" }],
        env: [
            // Gated models need the token; absent Secret is fine for public ones.
            { name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "llm-d-hf-token", key: "HF_TOKEN", optional: true } } },
            // A writable cache whatever UID the platform assigns.
            { name: "HF_HOME", value: "/cache/huggingface" },
            // The vLLM image's torch looks up the user name, and an assigned UID (OpenShift) has no passwd
            // entry: USER answers it, as on the model servers.
            { name: "USER", value: "llm-d" },
        ],
        // Up to ten minutes to fetch the tokenizer before liveness takes over.
        startupProbe: {
            httpGet: { path: "/health", port: "render-http" },
            initialDelaySeconds: 10,
            periodSeconds: 10,
            timeoutSeconds: 5,
            failureThreshold: 60,
        },
        readinessProbe: { httpGet: { path: "/health", port: "render-http" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        livenessProbe: { httpGet: { path: "/health", port: "render-http" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        // Tokenisation only: no model weights are loaded.
        resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "8Gi" } },
        securityContext: restricted,
        volumeMounts: [{ name: "tokenizer-cache", mountPath: "/cache" }],
    };
}

function deployment(spec: RouterSpec, configChecksums: Record<string, string>): K8sObject {
    const names = routerNames(spec);
    const precise = spec.profile === SchedulerProfile.PrecisePrefixCache;
    const volumes: Record<string, unknown>[] = [{ name: "config", configMap: { name: names.configMap } }];
    const containers = [eppContainer(spec)];
    if (precise) {
        volumes.push({ name: "tokenizer-cache", emptyDir: {} });
        containers.push(tokenizerContainer(spec));
    }
    if (spec.proxy) {
        volumes.push({ name: "proxy-config", configMap: { name: names.proxyConfigMap, items: [{ key: PROXY_CONFIG_FILE, path: PROXY_CONFIG_FILE }] } });
        containers.push(proxyContainer({ image: spec.proxy.image, listenerPort: spec.proxy.port, resources: spec.proxy.resources, configVolume: "proxy-config" }));
    }
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: names.deployment, namespace: spec.namespace, labels: labels(spec, "router") },
        spec: {
            replicas: spec.replicas,
            // One router: the old pod must be gone before the new one takes the traffic; several: roll (leader lease).
            strategy: routerUpdateStrategy(spec.replicas),
            selector: { matchLabels: routerSelectorLabels(spec) },
            template: {
                metadata: {
                    labels: { ...labels(spec, "router"), ...routerSelectorLabels(spec) },
                    // The router reads its config once at start: a config change must roll the pod.
                    annotations: configChecksums,
                },
                spec: {
                    serviceAccountName: names.serviceAccount,
                    // Long enough for in-flight streams through the router to finish.
                    terminationGracePeriodSeconds: 130,
                    securityContext: { seccompProfile: { type: "RuntimeDefault" } },
                    containers,
                    volumes,
                },
            },
        },
    };
}

function sha256(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

function service(spec: RouterSpec): K8sObject {
    const ports: Record<string, unknown>[] = [
        // The chart's protocol hint (routerlib templates/_service.yaml): gateways speak HTTP/2 to ext-proc.
        { name: "grpc-ext-proc", port: ROUTER_GRPC_PORT, targetPort: "grpc", protocol: "TCP", appProtocol: "kubernetes.io/h2c" },
        { name: "http-metrics", port: ROUTER_METRICS_PORT, targetPort: "metrics", protocol: "TCP" },
    ];
    if (spec.kvEventsListener) {
        ports.push({ name: "tcp-kv-events", port: KV_EVENTS_PORT, targetPort: "kv-events", protocol: "TCP" });
    }
    if (spec.proxy) {
        // Clients of the standalone router: OpenAI-compatible HTTP through the proxy.
        ports.push({ name: "http", port: spec.proxy.port, targetPort: PROXY_PORT_NAME, protocol: "TCP", appProtocol: "http" });
    }
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: routerNames(spec).service, namespace: spec.namespace, labels: labels(spec, "router") },
        spec: { type: "ClusterIP", selector: routerSelectorLabels(spec), ports },
    };
}

function inferencePool(spec: RouterSpec): K8sObject {
    const names = routerNames(spec);
    return {
        apiVersion: `${INFERENCE_POOL_GROUP}/v1`,
        kind: "InferencePool",
        metadata: { name: names.pool, namespace: spec.namespace, labels: labels(spec, "inference-pool") },
        spec: {
            selector: { matchLabels: { ...spec.modelServerSelector } },
            targetPorts: spec.targetPorts.map((number) => ({ number })),
            endpointPickerRef: {
                name: names.service,
                port: { number: ROUTER_GRPC_PORT },
                failureMode: spec.failureMode,
            },
        },
    };
}

function httpRoute(spec: RouterSpec, gateway: GatewayRef): K8sObject {
    const names = routerNames(spec);
    const path = { type: "PathPrefix", value: "/" };
    const matches =
        spec.routeModelNames.length === 0
            ? [{ path }]
            : spec.routeModelNames.map((value) => ({ path, headers: [{ type: "Exact", name: BASE_MODEL_HEADER, value }] }));
    const rule: Record<string, unknown> = {
        matches,
        backendRefs: [{ group: INFERENCE_POOL_GROUP, kind: "InferencePool", name: names.pool }],
    };
    // GKE's gateway takes the timeout from GCPBackendPolicy and rejects HTTPRoute timeouts.
    if (spec.gatewayImplementation !== GatewayImplementation.Gke) {
        rule.timeouts = { request: `${ROUTE_TIMEOUT_SECONDS}s` };
    }
    return {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: names.route, namespace: spec.namespace, labels: labels(spec, "route") },
        spec: {
            parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: gateway.name, namespace: gateway.namespace }],
            rules: [rule],
        },
    };
}

function istioObjects(spec: RouterSpec): K8sObject[] {
    // The router serves ext-proc over TLS with a self-signed certificate; Envoy must not verify it.
    return [
        {
            apiVersion: "networking.istio.io/v1",
            kind: "DestinationRule",
            metadata: { name: routerNames(spec).destinationRule, namespace: spec.namespace, labels: labels(spec, "router") },
            spec: {
                host: routerServiceHost(spec),
                trafficPolicy: { tls: { mode: "SIMPLE", insecureSkipVerify: true } },
            },
        },
    ];
}

function gkeObjects(spec: RouterSpec): K8sObject[] {
    const names = routerNames(spec);
    const targetRef = { group: INFERENCE_POOL_GROUP, kind: "InferencePool", name: names.pool };
    return [
        {
            apiVersion: "networking.gke.io/v1",
            kind: "HealthCheckPolicy",
            metadata: { name: names.healthCheckPolicy, namespace: spec.namespace, labels: labels(spec, "inference-pool") },
            spec: {
                targetRef,
                default: {
                    // Faster than GKE's 5 s default, so traffic moves off a pod quickly during a rollout
                    // (llm-d-router v0.10.0 config/charts/llm-d-router-gateway/templates/gke.yaml).
                    timeoutSec: 2,
                    checkIntervalSec: 2,
                    config: { type: "HTTP", httpHealthCheck: { requestPath: "/health", port: spec.targetPorts[0] } },
                },
            },
        },
        {
            apiVersion: "networking.gke.io/v1",
            kind: "GCPBackendPolicy",
            metadata: { name: names.backendPolicy, namespace: spec.namespace, labels: labels(spec, "inference-pool") },
            spec: { targetRef, default: { timeoutSec: ROUTE_TIMEOUT_SECONDS, logging: { enabled: true } } },
        },
    ];
}

/**
 * The router's Deployment as `renderRouter` renders it but without the checksums of its config files, which it
 * does not render: for checks that read only the pods (Pod Security), at plan time.
 */
export function renderRouterWorkload(spec: RouterSpec): K8sObject {
    return deployment(spec, {});
}

/** Every object of one router, in apply order (RBAC and config before the pods that use them). */
export function renderRouter(spec: RouterSpec): K8sObject[] {
    const configText = routerConfigText({
        profile: spec.profile,
        tokenizerModel: spec.tokenizerModel,
        kvEventsListener: spec.kvEventsListener,
        configOverride: spec.configOverride,
        featureGates: spec.featureGates,
    });
    const proxyConfigText = spec.proxy ? envoyBootstrapYaml({ listenerPort: spec.proxy.port, extProcPort: ROUTER_GRPC_PORT }) : undefined;
    const objects: K8sObject[] = [
        ...rbac(spec),
        {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: routerNames(spec).configMap, namespace: spec.namespace, labels: labels(spec, "router") },
            data: { [ROUTER_CONFIG_FILE]: configText },
        },
    ];
    if (proxyConfigText !== undefined) {
        objects.push({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: routerNames(spec).proxyConfigMap, namespace: spec.namespace, labels: labels(spec, "proxy") },
            data: { [PROXY_CONFIG_FILE]: proxyConfigText },
        });
    }
    objects.push(
        deployment(spec, {
            "checksum/config": sha256(configText),
            // Envoy reads its bootstrap once at start, like the router its config.
            ...(proxyConfigText === undefined ? {} : { "checksum/proxy-config": sha256(proxyConfigText) }),
        }),
        service(spec),
        inferencePool(spec),
        ...routerDisruptionBudget({ name: routerNames(spec).deployment, namespace: spec.namespace, replicas: spec.replicas, selector: routerSelectorLabels(spec) }),
    );
    if (spec.gateway) {
        objects.push(httpRoute(spec, spec.gateway));
    }
    if (spec.gatewayImplementation === GatewayImplementation.Istio) {
        objects.push(...istioObjects(spec));
    } else if (spec.gatewayImplementation === GatewayImplementation.Gke) {
        objects.push(...gkeObjects(spec));
    }
    return objects;
}
