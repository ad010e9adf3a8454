/**
 * KEDA autoscaling of a model's servers on the router's flow-control metrics, as llm-d v0.9's
 * `guides/workload-autoscaling/keda-epp-queue` recommends: one `ScaledObject` per model-server workload
 * with two Prometheus triggers (queue size in the router's flow control, threshold 1; running requests,
 * threshold 16; both AverageValue), min 1 / max 8 replicas, polling 15 s, cooldown 300 s, and a
 * `TriggerAuthentication` carrying a bearer token for Prometheus. Pure.
 *
 * Deliberate differences from the guide, which covers one Deployment of optimized-baseline only:
 * - queries pin the pool by `inference_pool` (queue) and the model by `model_name` (running requests)
 *   plus `namespace`, which work whether the router is scraped by a ServiceMonitor or GMP (the guide's
 *   `service` label only exists with a ServiceMonitor);
 * - on P/D each role gets its own ScaledObject on the same pool-wide signals, so prefill and decode grow
 *   together (llm-d has no P/D autoscaling guide yet);
 * - a LeaderWorkerSet is scaled by group through its `scale` subresource.
 *
 * On GKE's Managed Service for Prometheus (a `prometheusAddress` of the form `gmpQueryAddress` returns), KEDA
 * queries Cloud Monitoring's Prometheus API as the KEDA operator's Google identity, as KEDA v2.20's Prometheus
 * scaler documents: a `TriggerAuthentication` with `podIdentity.provider: gcp` and no other auth mode (KEDA
 * refuses pod identity combined with `authModes`). The operator's ServiceAccount needs Workload Identity with
 * `roles/monitoring.viewer` (the `GkeCluster` sets that up when asked). That API answers for the whole
 * project, so two clusters of one project serving the same namespace and pool would add up.
 *
 * On OpenShift's Thanos querier tenancy port (`THANOS_TENANCY_ADDRESS`), KEDA (Red Hat's Custom Metrics
 * Autoscaler) sends a token of the model's own ServiceAccount, allowed by the docs' `thanos-metrics-reader` Role
 * in the model's namespace, and names the namespace in every query (see autoscaling-openshift.ts).
 */
import { LlmdConfigError, optionalBoolean, requireInteger, requireNonEmpty } from "../errors";
import { ROUTER_METRICS } from "../catalog/metrics";
import { ModelMetricsScope, flowControlMatchers, monitoringLabels, routerRequestMatchers } from "./monitoring-scope";
import { metricsReaderNames, TOKEN_KEY } from "./monitoring";
import { ModelServerRole, ModelServerSpec } from "./model-server-types";
import { selector } from "./promql";
import { THANOS_TENANCY_ADDRESS, isThanosQuerier, isThanosTenancyAddress, renderThanosReader, thanosTriggerAuthenticationSpec } from "./autoscaling-openshift";
import { K8sObject } from "./types";

/** Autoscaling settings of one model besides where Prometheus is (all optional). */
export interface AutoscalingSettings {
    /**
     * Fewest replicas per model-server workload (default 1). 0 turns on scale to zero: KEDA activates the
     * workload when the router's flow-control queue is non-empty. Caveats: the first request after idle waits
     * for a whole model start (image pull, weight load, compile: minutes, the startup probe allows up to an
     * hour) and clients must wait that long; queued requests live in router memory and are lost if the router
     * restarts; and `LlmdNoReadyEndpoints` fires while the pool is at zero.
     */
    minReplicas?: number;
    /** Most replicas per model-server workload (default 8); must fit the accelerator pool's maximum size. */
    maxReplicas?: number;
    /** Seconds between KEDA's metric polls (default 15). */
    pollingIntervalSeconds?: number;
    /** Seconds after the last activity before KEDA scales to zero (default 300; only used with minReplicas 0). */
    cooldownPeriodSeconds?: number;
    /** Requests waiting in the router's flow control per replica that trigger a scale-up (default 1). */
    queueSizeThreshold?: number;
    /** Requests running per replica that trigger a scale-up (default 16). */
    runningRequestsThreshold?: number;
    /**
     * Send a bearer token to Prometheus (default true; false, and not allowed, on GKE's Managed Prometheus,
     * where KEDA authenticates by Workload Identity; required on OpenShift's Thanos querier). The token is the
     * model's metrics reader's, or on OpenShift's Thanos querier that of a ServiceAccount of the model's own
     * allowed to read its namespace. Harmless when Prometheus has no authentication.
     */
    bearerAuth?: boolean;
}

/** Autoscaling settings of one model, as a user writes them (all optional but `prometheusAddress`). */
export interface AutoscalingArgs extends AutoscalingSettings {
    /**
     * URL of the Prometheus that scrapes the router, as KEDA reaches it, e.g.
     * `http://kube-prometheus-stack-prometheus.monitoring.svc:9090`, or GKE Managed Prometheus's query API
     * `https://monitoring.googleapis.com/v1/projects/<project>/location/global/prometheus`, or on OpenShift its
     * monitoring's Thanos querier tenancy port `https://thanos-querier.openshift-monitoring.svc.cluster.local:9092`.
     */
    prometheusAddress: string;
}

/** Validated and defaulted autoscaling settings. */
export interface AutoscalingSpec {
    prometheusAddress: string;
    /** The address is GKE's Managed Prometheus: KEDA authenticates as its operator's Google identity. */
    gcpWorkloadIdentity: boolean;
    /** The address is OpenShift's Thanos querier tenancy port: a namespaced token and `namespace` in each query. */
    openshiftThanos: boolean;
    minReplicas: number;
    maxReplicas: number;
    pollingIntervalSeconds: number;
    cooldownPeriodSeconds: number;
    queueSizeThreshold: number;
    runningRequestsThreshold: number;
    bearerAuth: boolean;
}

/** The guide's defaults (`keda-epp-queue/optimized-baseline/base/scaledobject.yaml`). */
export const AUTOSCALING_DEFAULTS = {
    minReplicas: 1,
    maxReplicas: 8,
    pollingIntervalSeconds: 15,
    cooldownPeriodSeconds: 300,
    queueSizeThreshold: 1,
    runningRequestsThreshold: 16,
} as const;

const GMP_QUERY_ADDRESS = /^https:\/\/monitoring\.googleapis\.com\/v1\/projects\/[a-z][-a-z0-9.:]*[a-z0-9]\/location\/global\/prometheus\/?$/;

/** Cloud Monitoring's Prometheus query API of `project` (GKE Managed Service for Prometheus), as KEDA queries it. */
export function gmpQueryAddress(project: string): string {
    return `https://monitoring.googleapis.com/v1/projects/${project}/location/global/prometheus`;
}

const KNOWN = new Set(["prometheusAddress", "bearerAuth", ...Object.keys(AUTOSCALING_DEFAULTS)]);

/** Checks autoscaling args; errors name the field under `field` (default `autoscaling`). */
export function resolveAutoscaling(args: AutoscalingArgs, field = "autoscaling"): AutoscalingSpec {
    if (typeof args !== "object" || args === null) {
        throw new LlmdConfigError(field, args, "expected an object with at least prometheusAddress");
    }
    for (const key of Object.keys(args)) {
        if (!KNOWN.has(key)) {
            throw new LlmdConfigError(`${field}.${key}`, (args as unknown as Record<string, unknown>)[key], `expected one of ${[...KNOWN].join(", ")}`);
        }
    }
    const address = requireNonEmpty(`${field}.prometheusAddress`, args.prometheusAddress);
    if (!/^https?:\/\/[^\s/]+/.test(address)) {
        throw new LlmdConfigError(`${field}.prometheusAddress`, address, 'expected an http:// or https:// URL, e.g. "http://prometheus-operated.monitoring.svc:9090"');
    }
    const gcpWorkloadIdentity = address.startsWith("https://monitoring.googleapis.com/");
    if (gcpWorkloadIdentity && !GMP_QUERY_ADDRESS.test(address)) {
        throw new LlmdConfigError(`${field}.prometheusAddress`, address, `expected Managed Prometheus's query API, ${gmpQueryAddress("<project id>")}`);
    }
    // KEDA refuses pod identity next to any other auth mode: the metrics-reader token cannot go along.
    if (gcpWorkloadIdentity && args.bearerAuth === true) {
        throw new LlmdConfigError(
            `${field}.bearerAuth`,
            true,
            "Managed Prometheus authenticates KEDA by its Workload Identity, and KEDA allows no other auth mode beside it: expected false or unset",
        );
    }
    const openshiftThanos = isThanosQuerier(address);
    // Port 9091 answers for every namespace to whoever may get namespaces cluster-wide (its oauth-proxy's check); the
    // tenancy port needs only a Role in the model's namespace.
    if (openshiftThanos && !isThanosTenancyAddress(address)) {
        throw new LlmdConfigError(
            `${field}.prometheusAddress`,
            address,
            `expected OpenShift's Thanos querier on its tenancy port, ${THANOS_TENANCY_ADDRESS}, which needs only read access to the model's namespace`,
        );
    }
    if (openshiftThanos && args.bearerAuth === false) {
        throw new LlmdConfigError(`${field}.bearerAuth`, false, "the Thanos querier's tenancy port authorizes every query by its bearer token: expected true or unset");
    }
    const d = AUTOSCALING_DEFAULTS;
    const minReplicas = requireInteger(`${field}.minReplicas`, args.minReplicas ?? d.minReplicas, 0, 1000);
    const maxReplicas = requireInteger(`${field}.maxReplicas`, args.maxReplicas ?? d.maxReplicas, 1, 1000);
    if (maxReplicas < minReplicas) {
        throw new LlmdConfigError(`${field}.maxReplicas`, maxReplicas, `expected at least minReplicas (${minReplicas})`);
    }
    return {
        prometheusAddress: address,
        gcpWorkloadIdentity,
        openshiftThanos,
        minReplicas,
        maxReplicas,
        pollingIntervalSeconds: requireInteger(`${field}.pollingIntervalSeconds`, args.pollingIntervalSeconds ?? d.pollingIntervalSeconds, 1),
        cooldownPeriodSeconds: requireInteger(`${field}.cooldownPeriodSeconds`, args.cooldownPeriodSeconds ?? d.cooldownPeriodSeconds, 0),
        queueSizeThreshold: requirePositive(`${field}.queueSizeThreshold`, args.queueSizeThreshold ?? d.queueSizeThreshold),
        runningRequestsThreshold: requirePositive(`${field}.runningRequestsThreshold`, args.runningRequestsThreshold ?? d.runningRequestsThreshold),
        bearerAuth: optionalBoolean(`${field}.bearerAuth`, args.bearerAuth, !gcpWorkloadIdentity),
    };
}

function requirePositive(field: string, value: unknown): number {
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
        throw new LlmdConfigError(field, value, "expected a number above 0");
    }
    return value;
}

/** A model-server workload KEDA scales. */
export interface ScaleTarget {
    role: ModelServerRole;
    /** `Deployment`, or `LeaderWorkerSet` when a replica spans nodes. */
    kind: "Deployment" | "LeaderWorkerSet";
    /** Kubernetes name of the workload. */
    name: string;
}

/** The workload of a resolved model server, as KEDA targets it (the kind `renderModelServer` renders). */
export function scaleTarget(server: Pick<ModelServerSpec, "name" | "role" | "nodesPerReplica">): ScaleTarget {
    return { role: server.role, kind: server.nodesPerReplica > 1 ? "LeaderWorkerSet" : "Deployment", name: server.name };
}

const TARGET_API_VERSIONS: Record<ScaleTarget["kind"], string> = {
    Deployment: "apps/v1",
    // LWS serves the scale subresource (spec.replicas = groups), which is all KEDA needs of a custom resource.
    LeaderWorkerSet: "leaderworkerset.x-k8s.io/v1",
};

/** Name of the TriggerAuthentication of one model. */
export function triggerAuthenticationName(scope: Pick<ModelMetricsScope, "release">): string {
    return `${scope.release}-prometheus`;
}

/** The two trigger queries, exported so tests can parse them. */
export function autoscalingQueries(scope: ModelMetricsScope): { queueSize: string; runningRequests: string } {
    return {
        queueSize: `sum(${selector(ROUTER_METRICS.flowControlQueueSize, flowControlMatchers(scope))})`,
        runningRequests: `sum(${selector(ROUTER_METRICS.requestsRunning, routerRequestMatchers(scope))})`,
    };
}

function trigger(spec: AutoscalingSpec, scope: ModelMetricsScope, name: string, query: string, threshold: number): Record<string, unknown> {
    return {
        type: "prometheus",
        name,
        metricType: "AverageValue",
        metadata: {
            serverAddress: spec.prometheusAddress,
            query,
            threshold: String(threshold),
            // Any queued request wakes a workload at zero replicas (the guide's scale-to-zero activation).
            activationThreshold: "0",
            ...(spec.bearerAuth ? { authModes: "bearer" } : {}),
            // The tenancy port answers only for the namespace the request names (KEDA adds it to the query URL).
            ...(spec.openshiftThanos ? { namespace: scope.namespace } : {}),
        },
        ...(spec.bearerAuth || spec.gcpWorkloadIdentity ? { authenticationRef: { name: triggerAuthenticationName(scope) } } : {}),
    };
}

function scaledObject(spec: AutoscalingSpec, scope: ModelMetricsScope, target: ScaleTarget): K8sObject {
    const queries = autoscalingQueries(scope);
    return {
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: { name: target.name, namespace: scope.namespace, labels: { ...monitoringLabels(scope, "autoscaling"), "llm-d.ai/role": target.role } },
        spec: {
            scaleTargetRef: { apiVersion: TARGET_API_VERSIONS[target.kind], kind: target.kind, name: target.name },
            pollingInterval: spec.pollingIntervalSeconds,
            cooldownPeriod: spec.cooldownPeriodSeconds,
            minReplicaCount: spec.minReplicas,
            maxReplicaCount: spec.maxReplicas,
            advanced: {
                horizontalPodAutoscalerConfig: {
                    name: `${target.name}-keda`,
                    // Scale up at once, down only after five quiet minutes: a model start costs minutes.
                    behavior: {
                        scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] },
                        scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] },
                    },
                },
            },
            triggers: [
                trigger(spec, scope, "router-queue-size", queries.queueSize, spec.queueSizeThreshold),
                trigger(spec, scope, "router-running-requests", queries.runningRequests, spec.runningRequestsThreshold),
            ],
        },
    };
}

/**
 * The TriggerAuthentication (a bearer token, or on Managed Prometheus the operator's Google identity) and one
 * ScaledObject per workload. The token is the model's metrics-reader Secret from `renderMetricsReader`, so
 * render that too; on OpenShift's Thanos querier it is the model's Thanos reader, rendered here with its Role
 * and RoleBinding. The workloads' Pulumi
 * resources must ignore `spec.replicas` (see `AUTOSCALED_IGNORE_CHANGES`), or every `pulumi up` resets
 * what KEDA chose. Needs the KEDA CRDs.
 */
export function renderAutoscaling(spec: AutoscalingSpec, scope: ModelMetricsScope, targets: readonly ScaleTarget[]): K8sObject[] {
    const out: K8sObject[] = [];
    const metadata = { name: triggerAuthenticationName(scope), namespace: scope.namespace, labels: monitoringLabels(scope, "autoscaling") };
    if (spec.openshiftThanos) {
        out.push(...renderThanosReader(scope), { apiVersion: "keda.sh/v1alpha1", kind: "TriggerAuthentication", metadata, spec: thanosTriggerAuthenticationSpec(scope) });
    } else if (spec.gcpWorkloadIdentity) {
        out.push({ apiVersion: "keda.sh/v1alpha1", kind: "TriggerAuthentication", metadata, spec: { podIdentity: { provider: "gcp" } } });
    } else if (spec.bearerAuth) {
        out.push({
            apiVersion: "keda.sh/v1alpha1",
            kind: "TriggerAuthentication",
            metadata,
            spec: { secretTargetRef: [{ parameter: "bearerToken", name: metricsReaderNames(scope).tokenSecret, key: TOKEN_KEY }] },
        });
    }
    return [...out, ...targets.map((t) => scaledObject(spec, scope, t))];
}

/** Pulumi `ignoreChanges` for a workload KEDA scales: its replica count belongs to KEDA once created. */
export const AUTOSCALED_IGNORE_CHANGES: readonly string[] = ["spec.replicas"];
