/**
 * Scrape configuration of one model: vLLM PodMonitors per model-server role and a ServiceMonitor for the
 * router (Prometheus Operator), or their GKE Managed Service for Prometheus equivalents (`PodMonitoring`).
 * Follows llm-d v0.9's recipes (`guides/recipes/modelserver/components/monitoring*`) and the router chart's
 * ServiceMonitor / GKE templates (llm-d-router v0.10.0 `config/charts/routerlib/templates/`), with one
 * deliberate difference: the metrics token Secret and its RBAC are named after the release, where the
 * chart's fixed Secret name collides between two models in one namespace. Pure.
 */
import { ModelMetricsScope, ROLE_LABEL, modelServerRoles, monitoringLabels } from "./monitoring-scope";
import { renderTokenSecret } from "./service-account-token";
import { K8sObject } from "./types";

/** Which scraper the cluster runs. */
export const MonitoringProvider = {
    /** Prometheus Operator (`monitoring.coreos.com/v1` PodMonitor / ServiceMonitor), e.g. kube-prometheus-stack. */
    PrometheusOperator: "prometheus-operator",
    /** GKE Managed Service for Prometheus (`monitoring.googleapis.com/v1` PodMonitoring). */
    Gmp: "gmp",
} as const;
/** One of the values of `MonitoringProvider`. */
export type MonitoringProvider = (typeof MonitoringProvider)[keyof typeof MonitoringProvider];

/** Scrape interval of vLLM (llm-d's modelserver monitoring recipe). */
export const VLLM_SCRAPE_INTERVAL = "30s";
/** Scrape interval of the router (llm-d-router chart default `router.monitoring.interval`). */
export const ROUTER_SCRAPE_INTERVAL = "10s";
/** Named container port of vLLM's HTTP server (and `/metrics`). */
const VLLM_PORT_NAME = "modelserver";
/** Router Service port (ServiceMonitor) and container port (PodMonitoring) that serve `/metrics`. */
const ROUTER_SERVICE_PORT_NAME = "http-metrics";
const ROUTER_CONTAINER_PORT_NAME = "metrics";
/** Key of the bearer token in a ServiceAccount-token Secret. */
export const TOKEN_KEY = "token";
/** Namespace of GKE's managed collector; `gke-gmp-system` on Autopilot. */
export const GMP_NAMESPACE = "gmp-system";

/** What the monitors of one model select. */
export interface MonitorsInput extends ModelMetricsScope {
    /** Labels selecting this model's serving pods (the InferencePool's selector). */
    modelServerSelector: Record<string, string>;
    /** Labels on both the router's Service and its pods (`routerSelectorLabels`). */
    routerSelector: Record<string, string>;
    /** Scraper: `prometheus-operator` (default) or `gmp` on GKE. */
    provider?: MonitoringProvider;
    /** Namespace of the GMP collector (`gmp-system`, or `gke-gmp-system` on Autopilot). */
    gmpNamespace?: string;
    /** Extra labels on every monitor, for a Prometheus whose selectors require them (e.g. `release: <stack>`). */
    extraLabels?: Record<string, string>;
}

/** Names of the per-release objects that let a scraper (and KEDA) read the router's `/metrics`. */
export function metricsReaderNames(scope: Pick<ModelMetricsScope, "release" | "namespace">) {
    const cluster = `llmd-${scope.namespace}-${scope.release}-metrics-reader`;
    return {
        serviceAccount: `${scope.release}-metrics-reader`,
        tokenSecret: `${scope.release}-metrics-reader-token`,
        clusterRole: cluster,
        clusterRoleBinding: cluster,
        gmpSecretRole: `${scope.release}-metrics-reader-secret-read`,
        gmpSecretRoleBinding: `${scope.release}-gmp-collector-secret-read`,
    };
}

function meta(input: MonitorsInput, name: string, namespaced = true): K8sObject["metadata"] {
    return {
        name,
        ...(namespaced ? { namespace: input.namespace } : {}),
        labels: { ...monitoringLabels(input, "monitoring"), ...(input.extraLabels ?? {}) },
    };
}

/**
 * A ServiceAccount whose token may `get /metrics`, and that token as a Secret. The router reads it only
 * with `--metrics-endpoint-auth` on; the token is harmless otherwise, so the monitors always send it.
 * Non-resource URLs are cluster-wide, so the grant is a ClusterRole bound by a ClusterRoleBinding (a
 * RoleBinding cannot grant them); both are named after namespace and release.
 */
export function renderMetricsReader(input: MonitorsInput): K8sObject[] {
    const names = metricsReaderNames(input);
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(input, names.serviceAccount) },
        renderTokenSecret(meta(input, names.tokenSecret), names.serviceAccount),
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: meta(input, names.clusterRole, false),
            rules: [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: meta(input, names.clusterRoleBinding, false),
            subjects: [{ kind: "ServiceAccount", name: names.serviceAccount, namespace: input.namespace }],
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: names.clusterRole },
        },
    ];
}

function podMonitors(input: MonitorsInput): K8sObject[] {
    return modelServerRoles(input).map((role) => ({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: meta(input, `${input.release}-${role}`),
        spec: {
            selector: { matchLabels: { ...input.modelServerSelector, "llm-d.ai/role": role } },
            namespaceSelector: { matchNames: [input.namespace] },
            // Copies the role onto every series, so dashboards and alerts can split prefill from decode.
            podTargetLabels: ["llm-d.ai/role"],
            podMetricsEndpoints: [{ port: VLLM_PORT_NAME, path: "/metrics", interval: VLLM_SCRAPE_INTERVAL }],
        },
    }));
}

function serviceMonitor(input: MonitorsInput): K8sObject {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: meta(input, `${input.release}-router`),
        spec: {
            selector: { matchLabels: input.routerSelector },
            namespaceSelector: { matchNames: [input.namespace] },
            endpoints: [
                {
                    port: ROUTER_SERVICE_PORT_NAME,
                    path: "/metrics",
                    interval: ROUTER_SCRAPE_INTERVAL,
                    authorization: { type: "Bearer", credentials: { name: metricsReaderNames(input).tokenSecret, key: TOKEN_KEY } },
                },
            ],
        },
    };
}

function gmpObjects(input: MonitorsInput): K8sObject[] {
    const names = metricsReaderNames(input);
    const vllm = modelServerRoles(input).map((role) => ({
        apiVersion: "monitoring.googleapis.com/v1",
        kind: "PodMonitoring",
        metadata: meta(input, `${input.release}-${role}`),
        spec: {
            selector: { matchLabels: { ...input.modelServerSelector, "llm-d.ai/role": role } },
            endpoints: [{ port: VLLM_PORT_NAME, path: "/metrics", interval: VLLM_SCRAPE_INTERVAL }],
            targetLabels: { fromPod: [{ from: "llm-d.ai/role", to: ROLE_LABEL }] },
        },
    }));
    const router: K8sObject = {
        apiVersion: "monitoring.googleapis.com/v1",
        kind: "PodMonitoring",
        metadata: meta(input, `${input.release}-router`),
        spec: {
            selector: { matchLabels: input.routerSelector },
            endpoints: [
                {
                    port: ROUTER_CONTAINER_PORT_NAME,
                    path: "/metrics",
                    interval: ROUTER_SCRAPE_INTERVAL,
                    authorization: { type: "Bearer", credentials: { secret: { name: names.tokenSecret, key: TOKEN_KEY } } },
                },
            ],
        },
    };
    // The managed collector reads the token Secret itself, so it needs `get` on exactly that Secret.
    const rbac: K8sObject[] = [
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: meta(input, names.gmpSecretRole),
            rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [names.tokenSecret], verbs: ["get", "list", "watch"] }],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: meta(input, names.gmpSecretRoleBinding),
            subjects: [{ kind: "ServiceAccount", name: "collector", namespace: input.gmpNamespace ?? GMP_NAMESPACE }],
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: names.gmpSecretRole },
        },
    ];
    return [...vllm, router, ...rbac];
}

/**
 * Every scrape object of one model: the metrics reader (ServiceAccount, token Secret, ClusterRole and its
 * binding) plus PodMonitors and a ServiceMonitor, or on GMP PodMonitorings and the collector's Secret grant.
 * Needs the Prometheus Operator CRDs (`podmonitors`, `servicemonitors`) or GMP's `podmonitorings`.
 */
export function renderMonitors(input: MonitorsInput): K8sObject[] {
    const provider = input.provider ?? MonitoringProvider.PrometheusOperator;
    const scrape = provider === MonitoringProvider.Gmp ? gmpObjects(input) : [...podMonitors(input), serviceMonitor(input)];
    return [...renderMetricsReader(input), ...scrape];
}
