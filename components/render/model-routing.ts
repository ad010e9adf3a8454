/**
 * Multi-model routing on one shared Gateway: the OpenAI body names the model, Gateway API routes only match
 * headers, so something in front of routing copies the body's `model` into a header each model's HTTPRoute
 * matches. On Istio and GKE that is llm-d's inference payload processor (IPP, an ext_proc server), on
 * agentgateway its own PreRouting CEL transformation. Facts from llm-d v0.9.0 `guides/multi-model-routing`,
 * llm-d/llm-d-inference-payload-processor (chart `config/charts/payload-processor`, plugin
 * `pkg/plugins/basemodelextractor`) and agentgateway's `AgentgatewayPolicy` CRD (v1.4.1). Pure.
 */
import { GatewayImplementation } from "../catalog/gateways";
import { IMAGES, imageRef } from "../catalog/versions";
import { LLMD_LABELS } from "./labels";
import { RESTRICTED_CONTAINER_SECURITY, RESTRICTED_POD_SECURITY } from "./pod-security";
import { K8sObject } from "./types";

/** Header the HTTPRoutes match: the base model of the request (an adapter resolves to its base model). */
export const BASE_MODEL_HEADER = "X-Gateway-Base-Model-Name";
/** Label on the ConfigMaps the payload processor reads (`pkg/plugins/basemodelextractor/configmap_reconciler.go`). */
export const IPP_MANAGED_LABEL = "inference.llm-d.ai/ipp-managed";
/** ext_proc gRPC port of the payload processor (chart `payloadProcessor.port`). */
export const PAYLOAD_PROCESSOR_PORT = 9004;
/** gRPC health port of the payload processor (chart `payloadProcessor.healthCheckPort`). */
export const PAYLOAD_PROCESSOR_HEALTH_PORT = 9005;
/** Object name of the payload processor (the chart's `payloadProcessor.name`). */
export const PAYLOAD_PROCESSOR_NAME = "payload-processor";

/** How a platform puts the request's model into `X-Gateway-Base-Model-Name`. */
export const ModelRouting = {
    /** llm-d's inference payload processor behind an ext_proc hook on the Gateway (Istio, GKE). */
    PayloadProcessor: "payload-processor",
    /** agentgateway's PreRouting transformation: the header is set from the body with CEL. */
    AgentgatewayPolicy: "agentgateway-policy",
    /** Nothing: one model owns the Gateway, its route matches every request. */
    None: "none",
} as const;
/** One of the values of `ModelRouting`. */
export type ModelRouting = (typeof ModelRouting)[keyof typeof ModelRouting];

/**
 * The mechanism that can route by model on a gateway implementation; undefined where none exists (kgateway has
 * no IPP provider and no CEL transformation in the pinned release; `none` has no shared Gateway at all).
 */
export function modelRoutingFor(implementation: GatewayImplementation): ModelRouting | undefined {
    switch (implementation) {
        case GatewayImplementation.Istio:
        case GatewayImplementation.Gke:
            return ModelRouting.PayloadProcessor;
        case GatewayImplementation.Agentgateway:
            return ModelRouting.AgentgatewayPolicy;
        default:
            return undefined;
    }
}

/** Where the shared Gateway lives, and what fronts it. */
export interface ModelRoutingTarget {
    namespace: string;
    gatewayName: string;
    implementation: GatewayImplementation;
}

function ippLabels(component: string): Record<string, string> {
    return { ...LLMD_LABELS, "app.kubernetes.io/name": PAYLOAD_PROCESSOR_NAME, "app.kubernetes.io/component": component };
}

/** Labels that select the payload processor's pods. */
export const IPP_SELECTOR = { app: PAYLOAD_PROCESSOR_NAME };

/** The host the Gateway calls for ext_proc, as Istio names its outbound cluster. */
export function payloadProcessorHost(namespace: string): string {
    return `${PAYLOAD_PROCESSOR_NAME}.${namespace}.svc.cluster.local`;
}

function payloadProcessorWorkload(target: ModelRoutingTarget): K8sObject[] {
    const ns = target.namespace;
    const account = PAYLOAD_PROCESSOR_NAME;
    const grpcProbe = { grpc: { port: PAYLOAD_PROCESSOR_HEALTH_PORT }, periodSeconds: 10 };
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: account, namespace: ns, labels: ippLabels("rbac") } },
        // The chart's single-namespace mode: it watches only the ConfigMaps of its own namespace, where every
        // model of the platform writes its routing ConfigMap. Read-only, and nothing cluster-wide.
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: { name: `${account}-configmap-reader`, namespace: ns, labels: ippLabels("rbac") },
            rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: `${account}-configmap-reader`, namespace: ns, labels: ippLabels("rbac") },
            subjects: [{ kind: "ServiceAccount", name: account, namespace: ns }],
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `${account}-configmap-reader` },
        },
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: PAYLOAD_PROCESSOR_NAME, namespace: ns, labels: ippLabels("payload-processor") },
            spec: {
                replicas: 1,
                selector: { matchLabels: IPP_SELECTOR },
                template: {
                    metadata: { labels: { ...IPP_SELECTOR, ...ippLabels("payload-processor") } },
                    spec: {
                        serviceAccountName: account,
                        securityContext: RESTRICTED_POD_SECURITY,
                        containers: [
                            {
                                name: PAYLOAD_PROCESSOR_NAME,
                                image: imageRef(IMAGES.payloadProcessor),
                                imagePullPolicy: "IfNotPresent",
                                // The chart's flags; no --config-file, so the image runs its default pipeline
                                // (body `model` -> X-Gateway-Model-Name, base model -> X-Gateway-Base-Model-Name).
                                args: ["--v=3", "--tracing=false"],
                                env: [{ name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }],
                                ports: [
                                    { name: "grpc", containerPort: PAYLOAD_PROCESSOR_PORT },
                                    { name: "grpc-health", containerPort: PAYLOAD_PROCESSOR_HEALTH_PORT },
                                ],
                                readinessProbe: grpcProbe,
                                livenessProbe: { ...grpcProbe, failureThreshold: 6 },
                                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                                securityContext: RESTRICTED_CONTAINER_SECURITY,
                            },
                        ],
                    },
                },
            },
        },
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: PAYLOAD_PROCESSOR_NAME, namespace: ns, labels: ippLabels("payload-processor") },
            spec: {
                type: "ClusterIP",
                selector: IPP_SELECTOR,
                ports: [{ name: "grpc", protocol: "TCP", port: PAYLOAD_PROCESSOR_PORT, targetPort: PAYLOAD_PROCESSOR_PORT, appProtocol: "HTTP2" }],
            },
        },
    ];
}

function istioHook(target: ModelRoutingTarget): K8sObject[] {
    const host = payloadProcessorHost(target.namespace);
    return [
        {
            // Inserted first in the Gateway's HTTP filter chain, so the header exists before the route is chosen.
            apiVersion: "networking.istio.io/v1alpha3",
            kind: "EnvoyFilter",
            metadata: { name: PAYLOAD_PROCESSOR_NAME, namespace: target.namespace, labels: ippLabels("gateway-hook") },
            spec: {
                targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: target.gatewayName }],
                configPatches: [
                    {
                        applyTo: "HTTP_FILTER",
                        match: { context: "GATEWAY", listener: { filterChain: { filter: { name: "envoy.filters.network.http_connection_manager" } } } },
                        patch: {
                            operation: "INSERT_FIRST",
                            value: {
                                name: "envoy.filters.http.ext_proc.payload-processor",
                                typed_config: {
                                    "@type": "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor",
                                    // Without the header no route matches, so failing open would only turn errors into 404s.
                                    failure_mode_allow: false,
                                    allow_mode_override: true,
                                    // Only the request is needed to set a request header; the chart's default also
                                    // streams responses through the processor, which costs latency for nothing here.
                                    processing_mode: {
                                        request_header_mode: "SEND",
                                        response_header_mode: "SKIP",
                                        request_body_mode: "FULL_DUPLEX_STREAMED",
                                        response_body_mode: "NONE",
                                        request_trailer_mode: "SEND",
                                        response_trailer_mode: "SKIP",
                                    },
                                    grpc_service: { envoy_grpc: { cluster_name: `outbound|${PAYLOAD_PROCESSOR_PORT}||${host}` } },
                                },
                            },
                        },
                    },
                ],
            },
        },
        {
            // The processor serves ext_proc over TLS with a self-signed certificate, like the router.
            apiVersion: "networking.istio.io/v1",
            kind: "DestinationRule",
            metadata: { name: PAYLOAD_PROCESSOR_NAME, namespace: target.namespace, labels: ippLabels("gateway-hook") },
            spec: { host, trafficPolicy: { tls: { mode: "SIMPLE", insecureSkipVerify: true } } },
        },
    ];
}

function gkeHook(target: ModelRoutingTarget): K8sObject[] {
    return [
        {
            apiVersion: "networking.gke.io/v1",
            kind: "GCPRoutingExtension",
            metadata: { name: PAYLOAD_PROCESSOR_NAME, namespace: target.namespace, labels: ippLabels("gateway-hook") },
            spec: {
                targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: target.gatewayName }],
                extensionChains: [
                    {
                        name: "model-header",
                        extensions: [
                            {
                                name: PAYLOAD_PROCESSOR_NAME,
                                authority: payloadProcessorHost(target.namespace),
                                timeout: "1s",
                                supportedEvents: ["RequestHeaders", "RequestBody", "RequestTrailers"],
                                requestBodySendMode: "FullDuplexStreamed",
                                backendRef: { group: "", kind: "Service", name: PAYLOAD_PROCESSOR_NAME, port: PAYLOAD_PROCESSOR_PORT },
                            },
                        ],
                    },
                ],
            },
        },
        {
            apiVersion: "networking.gke.io/v1",
            kind: "HealthCheckPolicy",
            metadata: { name: `${PAYLOAD_PROCESSOR_NAME}-health`, namespace: target.namespace, labels: ippLabels("gateway-hook") },
            spec: {
                targetRef: { group: "", kind: "Service", name: PAYLOAD_PROCESSOR_NAME },
                default: {
                    logConfig: { enabled: true },
                    config: { type: "GRPC", grpcHealthCheck: { portSpecification: "USE_FIXED_PORT", port: PAYLOAD_PROCESSOR_HEALTH_PORT } },
                },
            },
        },
    ];
}

function agentgatewayPolicy(target: ModelRoutingTarget): K8sObject {
    return {
        apiVersion: "agentgateway.dev/v1alpha1",
        kind: "AgentgatewayPolicy",
        metadata: { name: "model-header", namespace: target.namespace, labels: { ...LLMD_LABELS, "app.kubernetes.io/component": "model-routing" } },
        spec: {
            targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: target.gatewayName }],
            traffic: {
                // PreRouting: the header must exist when the HTTPRoute is chosen.
                phase: "PreRouting",
                transformation: { request: { set: [{ name: BASE_MODEL_HEADER, value: "json(request.body).model" }] } },
            },
        },
    };
}

/** The platform's objects that set the model header on the shared Gateway (none for `ModelRouting.None`). */
export function renderModelRouting(routing: ModelRouting, target: ModelRoutingTarget): K8sObject[] {
    switch (routing) {
        case ModelRouting.PayloadProcessor:
            return [
                ...payloadProcessorWorkload(target),
                ...(target.implementation === GatewayImplementation.Gke ? gkeHook(target) : istioHook(target)),
            ];
        case ModelRouting.AgentgatewayPolicy:
            return [agentgatewayPolicy(target)];
        default:
            return [];
    }
}

/**
 * One model's entry for the payload processor: its served name is a base model, its LoRA adapters resolve to
 * it. Lives in the platform namespace, which is the only one the processor reads.
 */
export function renderModelRoutingConfigMap(args: { name: string; platformNamespace: string; servedModelName: string; adapters: string[] }): K8sObject {
    const data: Record<string, string> = { baseModel: args.servedModelName };
    if (args.adapters.length > 0) {
        data.adapters = args.adapters.map((a) => `- ${JSON.stringify(a)}`).join("\n") + "\n";
    }
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
            name: `${args.name}-model-routing`,
            namespace: args.platformNamespace,
            labels: { ...LLMD_LABELS, [IPP_MANAGED_LABEL]: "true", "llm-d.ai/model-name": args.name },
        },
        data,
    };
}

/**
 * Values of `X-Gateway-Base-Model-Name` a model's route matches. The payload processor resolves adapters to
 * their base model; agentgateway's transformation copies the body's name as it is, so there the route also
 * lists every adapter name.
 */
export function routedModelNames(routing: ModelRouting, servedModelName: string, adapters: string[]): string[] {
    return routing === ModelRouting.AgentgatewayPolicy ? [servedModelName, ...adapters] : [servedModelName];
}
