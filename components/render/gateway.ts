/**
 * The gateway in front of the llm-d router: which implementation, its Helm charts and values, and the
 * Gateway object. Pure: plain values in, plain objects out. Class names follow llm-d-router v0.10.0
 * `config/manifests/gateway/`; chart values follow each project's chart at the pinned version.
 */
import { ISTIO_RESTRICTED_VALUES } from "../catalog/pod-security";
import { resolveGatewayExposure } from "./gateway-exposure";
import { GatewayAuthentication, resolveGatewayAuthentication } from "./gateway-auth";
import { GatewayTls, HTTPS_LISTENER_NAME, resolveGatewayTls } from "./gateway-tls";
import { LlmdConfigError, optionalBoolean, requireDnsLabel, requireInteger, requireOneOf } from "../errors";
import { GATEWAYS, GATEWAY_IMPLEMENTATIONS, GatewayImplementation } from "../catalog/gateways";
import { CHARTS, ChartPin } from "../catalog/versions";
import { isLabelKey, isLabelValue } from "./label-syntax";
import { K8sObject } from "./types";
import { yamlText } from "./yaml-text";

/** Gateway name llm-d's guides use. */
export const DEFAULT_GATEWAY_NAME = "llm-d-inference-gateway";
/** Plain HTTP, without `tls`: TLS termination is then left to whatever sits in front of the cluster. */
export const DEFAULT_LISTENER_PORT = 80;
/** Listener name, as the guides' base Gateway (guides/recipes/gateway/base/gateway.yaml); routes may refer to it as `sectionName`. */
export const LISTENER_NAME = "default";
/** Label that has Istio run the Gateway's ext-proc calls to the router (guides/recipes/gateway/istio/gateway.yaml). */
export const ISTIO_INFERENCE_EXTPROC_LABEL = "istio.io/enable-inference-extproc";

/** Namespace each project's docs install its controller into. */
export const DEFAULT_CONTROLLER_NAMESPACES: Readonly<Partial<Record<GatewayImplementation, string>>> = {
    istio: "istio-system",
    agentgateway: "agentgateway-system",
    kgateway: "kgateway-system",
};

/** Gateway arguments as the user gave them (names match `InferenceGatewayArgs`, so errors name the field). */
export interface GatewayInput {
    implementation?: unknown;
    namespace?: unknown;
    createNamespace?: unknown;
    gatewayName?: unknown;
    gatewayClassName?: unknown;
    listenerPort?: unknown;
    internal?: unknown;
    public?: unknown;
    allowUnauthenticated?: unknown;
    authentication?: unknown;
    tls?: unknown;
    routeNamespace?: unknown;
    routeNamespaceLabels?: unknown;
    installGatewayApiCrds?: unknown;
    installInferenceExtensionCrds?: unknown;
    controllerNamespace?: unknown;
    createControllerNamespace?: unknown;
    controllerValues?: unknown;
}

/** Validated, defaulted gateway settings. */
export interface GatewaySpec {
    implementation: GatewayImplementation;
    /** Namespace of the Gateway object. */
    namespace: string;
    createNamespace: boolean;
    /** Undefined when no Gateway is created (`none`). */
    gateway?: {
        name: string;
        className: string;
        listenerPort: number;
        /** Namespace the HTTPRoutes live in (the Gateway's own by default). */
        routeNamespace: string;
        /** When set, routes are admitted from every namespace carrying these labels instead (a shared platform). */
        routeNamespaceLabels?: Record<string, string>;
        /** Public exposure was asked for (with authentication, or its lack waived). */
        public: boolean;
        /** Who may send requests; undefined: anyone who reaches the Gateway. */
        authentication?: GatewayAuthentication;
        /** HTTPS instead of HTTP; `listenerPort` is then unused. */
        tls?: GatewayTls;
    };
    installGatewayApiCrds: boolean;
    installInferenceExtensionCrds: boolean;
    /** Undefined when llmd installs no controller (`gke`, `none`). */
    controller?: {
        namespace: string;
        createNamespace: boolean;
        /** Extra values merged over llmd's for the controller chart (not the CRD chart). */
        values: Record<string, unknown>;
    };
}


function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requireLabels(field: string, value: unknown): Record<string, string> {
    if (!isPlainObject(value) || Object.keys(value).length === 0) {
        throw new LlmdConfigError(field, value, "expected at least one namespace label, e.g. { \"llm-d.ai/gateway-access\": \"llmd\" }");
    }
    for (const [key, v] of Object.entries(value)) {
        if (!isLabelKey(key)) {
            throw new LlmdConfigError(`${field}["${key}"]`, key, "expected a Kubernetes label key ([prefix/]name, name at most 63 characters)");
        }
        if (!isLabelValue(v)) {
            throw new LlmdConfigError(`${field}["${key}"]`, v, "expected a Kubernetes label value (at most 63 letters, digits, '-', '_', '.')");
        }
    }
    return { ...(value as Record<string, string>) };
}

/** A Gateway class name is a DNS subdomain (up to 253 characters of dot-separated labels). */
function requireClassName(field: string, value: unknown): string {
    const ok =
        typeof value === "string" &&
        value.length <= 253 &&
        value.split(".").every((label) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(label) && label.length <= 63);
    if (!ok) {
        throw new LlmdConfigError(field, value, "expected a GatewayClass name: lowercase letters, digits, '-' and '.', at most 253 characters");
    }
    return value as string;
}

/**
 * Validates and defaults the gateway arguments. Options that only make sense for some implementations are
 * errors elsewhere rather than silently ignored, so a stack never believes it got what it asked for.
 */
export function resolveGatewaySpec(input: GatewayInput): GatewaySpec {
    const implementation = requireOneOf<GatewayImplementation>("implementation", input.implementation, GATEWAY_IMPLEMENTATIONS);
    const facts = GATEWAYS[implementation];
    const namespace = requireDnsLabel("namespace", input.namespace);
    const createNamespace = optionalBoolean("createNamespace", input.createNamespace, false);

    const isGke = implementation === GatewayImplementation.Gke;
    if (input.internal !== undefined && !isGke) {
        throw new LlmdConfigError("internal", input.internal, `only applies to implementation "gke" (got implementation "${implementation}")`);
    }
    const authentication = resolveGatewayAuthentication(input.authentication, implementation);
    const exposure = resolveGatewayExposure({ ...input, implementation, authenticated: authentication !== undefined });
    // Private by default: on GKE the internal class, unless public exposure was asked for (and waived).
    const internal = isGke && !exposure.public && input.gatewayClassName === undefined;

    let gateway: GatewaySpec["gateway"];
    if (implementation === GatewayImplementation.None) {
        for (const field of ["gatewayName", "gatewayClassName", "listenerPort", "routeNamespace", "tls"] as const) {
            if (input[field] !== undefined) {
                throw new LlmdConfigError(field, input[field], `implementation "none" creates no Gateway; leave ${field} unset or pick a gateway implementation`);
            }
        }
    } else {
        const name = input.gatewayName === undefined ? DEFAULT_GATEWAY_NAME : requireDnsLabel("gatewayName", input.gatewayName);
        if (input.internal === true && input.gatewayClassName !== undefined) {
            throw new LlmdConfigError("gatewayClassName", input.gatewayClassName, "set either gatewayClassName or internal, not both");
        }
        const defaultClass = internal ? facts.internalGatewayClassName : facts.gatewayClassName;
        const className = input.gatewayClassName === undefined ? (defaultClass as string) : requireClassName("gatewayClassName", input.gatewayClassName);
        const listenerPort = input.listenerPort === undefined ? DEFAULT_LISTENER_PORT : requireInteger("listenerPort", input.listenerPort, 1, 65535);
        const tls = resolveGatewayTls(input.tls);
        if (tls !== undefined && input.listenerPort !== undefined) {
            throw new LlmdConfigError("listenerPort", input.listenerPort, "with tls the Gateway has only its HTTPS listener: set its port as tls.port and leave listenerPort unset");
        }
        const routeNamespace = input.routeNamespace === undefined ? namespace : requireDnsLabel("routeNamespace", input.routeNamespace);
        gateway = {
            name,
            className,
            listenerPort,
            routeNamespace,
            public: exposure.public,
            ...(authentication ? { authentication } : {}),
            ...(tls ? { tls } : {}),
        };
        if (input.routeNamespaceLabels !== undefined) {
            if (input.routeNamespace !== undefined) {
                throw new LlmdConfigError("routeNamespaceLabels", input.routeNamespaceLabels, "set either routeNamespace or routeNamespaceLabels, not both");
            }
            gateway.routeNamespaceLabels = requireLabels("routeNamespaceLabels", input.routeNamespaceLabels);
        }
    }

    let controller: GatewaySpec["controller"];
    if (facts.installsController) {
        const controllerNamespace =
            input.controllerNamespace === undefined
                ? (DEFAULT_CONTROLLER_NAMESPACES[implementation] as string)
                : requireDnsLabel("controllerNamespace", input.controllerNamespace);
        if (input.controllerValues !== undefined && !isPlainObject(input.controllerValues)) {
            throw new LlmdConfigError("controllerValues", input.controllerValues, "expected an object of Helm values");
        }
        controller = {
            namespace: controllerNamespace,
            createNamespace: optionalBoolean("createControllerNamespace", input.createControllerNamespace, true),
            values: (input.controllerValues as Record<string, unknown> | undefined) ?? {},
        };
    } else {
        for (const field of ["controllerNamespace", "createControllerNamespace", "controllerValues"] as const) {
            if (input[field] !== undefined) {
                throw new LlmdConfigError(field, input[field], `llmd installs no gateway controller for implementation "${implementation}"; leave ${field} unset`);
            }
        }
    }

    // The standalone router (`none`) needs no Gateway API; a managed platform (GKE) brings its own copy.
    const gatewayApiDefault = implementation !== GatewayImplementation.None && !facts.platformProvidesGatewayApiCrds;
    return {
        implementation,
        namespace,
        createNamespace,
        gateway,
        installGatewayApiCrds: optionalBoolean("installGatewayApiCrds", input.installGatewayApiCrds, gatewayApiDefault),
        installInferenceExtensionCrds: optionalBoolean("installInferenceExtensionCrds", input.installInferenceExtensionCrds, true),
        controller,
    };
}

/**
 * The Gateway: one listener, plain HTTP, or HTTPS terminating TLS with the certificate Secret when `tls` is
 * set (the HTTP listener is then left out, so no request travels in clear text to the Gateway). Routes name no
 * `sectionName`, so they attach to whichever listener there is. Routes are admitted from the Gateway's
 * namespace, or, when the routes live elsewhere, from exactly that namespace (matched on the
 * `kubernetes.io/metadata.name` label every namespace carries) rather than from all namespaces.
 */
export function renderGateway(spec: GatewaySpec): K8sObject {
    if (spec.gateway === undefined) {
        throw new Error(`implementation "${spec.implementation}" has no Gateway to render`);
    }
    const { name, className, listenerPort, routeNamespace, routeNamespaceLabels, tls } = spec.gateway;
    const namespaces = routeNamespaceLabels
        ? { from: "Selector", selector: { matchLabels: { ...routeNamespaceLabels } } }
        : routeNamespace === spec.namespace
          ? { from: "Same" }
          : { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": routeNamespace } } };
    const istio = spec.implementation === GatewayImplementation.Istio;
    const parameters = gatewayParametersRef(spec);
    const listener = tls
        ? {
              name: HTTPS_LISTENER_NAME,
              protocol: "HTTPS",
              port: tls.port,
              tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: tls.certificateSecretName }] },
              allowedRoutes: { namespaces },
          }
        : { name: LISTENER_NAME, protocol: "HTTP", port: listenerPort, allowedRoutes: { namespaces } };
    return {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: { name, namespace: spec.namespace, ...(istio ? { labels: { [ISTIO_INFERENCE_EXTPROC_LABEL]: "true" } } : {}) },
        spec: {
            gatewayClassName: className,
            // The controller reads the proxy Deployment and Service it generates from these parameters.
            ...(parameters ? { infrastructure: { parametersRef: parameters } } : {}),
            listeners: [listener],
        },
    };
}

/** Kind of each in-cluster controller's per-Gateway parameters resource, as `spec.infrastructure.parametersRef` names it. */
const PARAMETERS_KINDS: Partial<Record<GatewayImplementation, { group: string; kind: string }>> = {
    // Istio reads a ConfigMap (llm-d v0.9.0 guides/recipes/gateway/istio/).
    istio: { group: "", kind: "ConfigMap" },
    // agentgateway v1.4.1 controller/pkg/deployer/agentgateway_parameters.go: only this kind on a Gateway.
    agentgateway: { group: "agentgateway.dev", kind: "AgentgatewayParameters" },
    // kgateway 2.x: its GatewayParameters, merged over the class's default ones.
    kgateway: { group: "gateway.kgateway.dev", kind: "GatewayParameters" },
};

/** The Gateway's `spec.infrastructure.parametersRef`, for the implementations llmd renders parameters for. */
export function gatewayParametersRef(spec: GatewaySpec): { group: string; kind: string; name: string } | undefined {
    const kind = PARAMETERS_KINDS[spec.implementation];
    return spec.gateway && kind ? { ...kind, name: spec.gateway.name } : undefined;
}

/**
 * The Service type of an in-cluster gateway's proxy: ClusterIP unless public. Each controller's default is a
 * LoadBalancer (agentgateway v1.4.1 controller/pkg/helm/agentgateway/templates/service.yaml, kgateway's
 * GatewayParameters defaults, Istio's generated Service), which on a cloud is an address on the internet.
 */
export function gatewayServiceType(spec: GatewaySpec): "ClusterIP" | "LoadBalancer" {
    return spec.gateway?.public ? "LoadBalancer" : "ClusterIP";
}

/**
 * The Gateway's infrastructure parameters, for the in-cluster implementations, each in its controller's own
 * resource, choosing the proxy Service's type (`gatewayServiceType`): private by default.
 * - Istio: the ConfigMap of llm-d v0.9.0 guides/recipes/gateway/istio/configmap.yaml, with the proxy's requests
 *   and limits. The guide's proxy log-level arguments are left out: they restate the whole istio-proxy command
 *   line, which belongs to the Istio version.
 * - agentgateway: an `AgentgatewayParameters` whose `service.spec` overlay (strategic merge) sets the type.
 * - kgateway: a `GatewayParameters` with `kube.service.type`.
 */
export function renderGatewayParameters(spec: GatewaySpec): K8sObject | undefined {
    const ref = gatewayParametersRef(spec);
    if (spec.gateway === undefined || ref === undefined) {
        return undefined;
    }
    const type = gatewayServiceType(spec);
    const metadata = {
        name: spec.gateway.name,
        namespace: spec.namespace,
        labels: { "app.kubernetes.io/gateway": spec.gateway.name, "app.kubernetes.io/component": "inference-gateway" },
    };
    switch (spec.implementation) {
        case GatewayImplementation.Agentgateway:
            return { apiVersion: "agentgateway.dev/v1alpha1", kind: ref.kind, metadata, spec: { service: { spec: { type } } } };
        case GatewayImplementation.Kgateway:
            return { apiVersion: "gateway.kgateway.dev/v1alpha1", kind: ref.kind, metadata, spec: { kube: { service: { type } } } };
        default: {
            const deployment = {
                spec: {
                    template: {
                        spec: {
                            containers: [{ name: "istio-proxy", resources: { limits: { cpu: "8", memory: "16Gi" }, requests: { cpu: "2", memory: "4Gi" } } }],
                        },
                    },
                },
            };
            return { apiVersion: "v1", kind: "ConfigMap", metadata, data: { deployment: yamlText(deployment), service: yamlText({ spec: { type } }) } };
        }
    }
}

/** One Helm release of a gateway controller. */
export interface ControllerChart {
    /** Suffix of the Pulumi resource name and the Helm release name. */
    role: string;
    pin: ChartPin;
    values: Record<string, unknown>;
    /** CRD-only chart: the controller chart waits for it. */
    crdsOnly: boolean;
}

/** Recursively merges `over` onto `base` (objects merge, everything else replaces). */
export function mergeValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(over)) {
        const current = out[key];
        out[key] = isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value) : value;
    }
    return out;
}

/**
 * The charts that install a gateway controller with the Inference Extension turned on, CRD chart first.
 * None of these charts ships the Gateway API CRDs themselves; llmd installs those once, from its pins.
 */
export function gatewayControllerCharts(spec: GatewaySpec): ControllerChart[] {
    if (spec.controller === undefined) {
        return [];
    }
    const extra = spec.controller.values;
    switch (spec.implementation) {
        case GatewayImplementation.Istio:
            return [
                { role: "istio-base", pin: CHARTS.istioBase, values: {}, crdsOnly: true },
                {
                    role: "istiod",
                    pin: CHARTS.istiod,
                    // Without this istiod ignores InferencePool backendRefs (llm-d guides, Inference Extension
                    // docs). The istiod chart copies `pilot.*` to the top level, so this is its env map.
                    // The seccomp values make istiod and the gateway pods it deploys meet Pod Security restricted.
                    values: mergeValues({ pilot: { env: { ENABLE_GATEWAY_API_INFERENCE_EXTENSION: "true" } }, ...ISTIO_RESTRICTED_VALUES }, extra),
                    crdsOnly: false,
                },
            ];
        case GatewayImplementation.Agentgateway:
            return [
                { role: "agentgateway-crds", pin: CHARTS.agentgatewayCrds, values: {}, crdsOnly: true },
                {
                    role: "agentgateway",
                    pin: CHARTS.agentgateway,
                    // Off by default in the chart (controller/install/helm/agentgateway/values.yaml).
                    values: mergeValues({ inferenceExtension: { enabled: true } }, extra),
                    crdsOnly: false,
                },
            ];
        case GatewayImplementation.Kgateway:
            return [
                { role: "kgateway-crds", pin: CHARTS.kgatewayCrds, values: {}, crdsOnly: true },
                {
                    role: "kgateway",
                    pin: CHARTS.kgateway,
                    // kgateway 2.1 still serves InferencePool on its Envoy data plane (deprecated upstream in
                    // favour of the agentgateway data plane, which is llmd's `agentgateway` implementation).
                    values: mergeValues({ inferenceExtension: { enabled: true } }, extra),
                    crdsOnly: false,
                },
            ];
        default:
            return [];
    }
}
