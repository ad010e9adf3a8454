/**
 * Alerting rules of one model (a Prometheus Operator `PrometheusRule`, or a GMP `Rules` on GKE), for the failures llm-d users hit: a pool with no ready
 * endpoints or no router metrics at all, a high error ratio, a saturated pool, KV-cache pressure and, on
 * P/D, failing NIXL transfers. The availability alerts follow llm-d v0.9's
 * `guides/recipes/observability/alerts/epp-alerting-rules.yaml` in intent, scoped to one pool and model so
 * two models never alert for each other. Every expression is built from the metric catalog. Pure.
 */
import { ROUTER_METRICS, VLLM_METRICS } from "../catalog/metrics";
import { ModelMetricsScope, flowControlMatchers, monitoringLabels, routerPoolMatchers, routerRequestMatchers, vllmMatchers } from "./monitoring-scope";
import { MonitoringProvider } from "./monitoring";
import { rate, selector } from "./promql";
import { K8sObject } from "./types";
import { LlmdConfigError } from "../errors";

/** Thresholds of the alerts; every one has a default. */
export interface AlertThresholds {
    /** Router error ratio above which `LlmdHighErrorRatio` fires (default 0.05, as llm-d's rules use). */
    errorRatio?: number;
    /** Router-observed mean queue size per endpoint above which `LlmdPoolSaturated` fires (default 5). */
    queueSize?: number;
    /** Flow-control pool saturation above which `LlmdPoolSaturated` fires (default 0.9). */
    poolSaturation?: number;
    /** vLLM KV-cache usage (0-1) on any pod above which `LlmdKvCachePressure` fires (default 0.95). */
    kvCacheUsage?: number;
}

const DEFAULTS: Required<AlertThresholds> = { errorRatio: 0.05, queueSize: 5, poolSaturation: 0.9, kvCacheUsage: 0.95 };

/** One Prometheus alerting rule. */
export interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

function rule(alert: string, expr: string, forDuration: string, severity: "warning" | "critical", summary: string, description: string): AlertRule {
    return { alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description } };
}

/** The alerting rules of one model, grouped; exported so tests can parse every expression. */
export function alertRules(scope: ModelMetricsScope, thresholds: AlertThresholds = {}): { name: string; rules: AlertRule[] }[] {
    const t = { ...DEFAULTS, ...thresholds };
    for (const [key, value] of Object.entries(t)) {
        if (!(key in DEFAULTS)) {
            throw new LlmdConfigError(`alerts.${key}`, value, `expected one of ${Object.keys(DEFAULTS).join(", ")}`);
        }
        if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
            throw new LlmdConfigError(`alerts.${key}`, value, "expected a number above 0");
        }
    }
    const pool = routerPoolMatchers(scope);
    const requests = routerRequestMatchers(scope);
    const vllm = vllmMatchers(scope);
    const where = `pool ${scope.namespace}/${scope.poolName}`;
    const availability: AlertRule[] = [
        rule(
            "LlmdNoReadyEndpoints",
            `max(${selector(ROUTER_METRICS.readyEndpoints, pool)}) == 0`,
            "5m",
            "critical",
            `${where} has no ready endpoints`,
            "The router sees no ready model server, so every request to this model fails. Check the model-server pods (startup probe, image pull, accelerator scheduling).",
        ),
        rule(
            "LlmdRouterMetricsAbsent",
            // absent() with matchers covers this one pool: a dead router's series vanish instead of reading 0.
            `absent(${selector(ROUTER_METRICS.readyEndpoints, pool)})`,
            "10m",
            "warning",
            `No router metrics for ${where}`,
            "The router of this model is down or its ServiceMonitor/PodMonitoring no longer scrapes it.",
        ),
        rule(
            "LlmdHighErrorRatio",
            // 0/0 has no value, so an idle model stays silent.
            `sum(${rate(ROUTER_METRICS.requestErrors, requests, "5m")}) / sum(${rate(ROUTER_METRICS.requests, requests, "5m")}) > ${t.errorRatio}`,
            "10m",
            "warning",
            `Router error ratio for ${scope.servedModelName} above ${t.errorRatio * 100}%`,
            "{{ $value | humanizePercentage }} of requests to this model fail in the router.",
        ),
    ];
    const saturation: AlertRule[] = [
        rule(
            "LlmdPoolSaturated",
            `max(${selector(ROUTER_METRICS.averageQueueSize, pool)}) > ${t.queueSize} or max(${selector(ROUTER_METRICS.flowControlPoolSaturation, flowControlMatchers(scope))}) > ${t.poolSaturation}`,
            "15m",
            "warning",
            `${where} is saturated`,
            "Requests queue at the model servers (or in the router's flow control) for 15 minutes: add replicas or raise the autoscaler's maximum.",
        ),
        rule(
            "LlmdKvCachePressure",
            `max(${selector(VLLM_METRICS.kvCacheUsage, vllm)}) > ${t.kvCacheUsage} and sum(${rate(VLLM_METRICS.preemptions, vllm, "5m")}) > 0`,
            "10m",
            "warning",
            `KV cache of ${scope.servedModelName} is nearly full and vLLM preempts requests`,
            "A model server's KV cache is above the threshold and requests are being preempted (recomputed). Lower --max-num-seqs, raise --gpu-memory-utilization, or add replicas.",
        ),
    ];
    const groups = [
        { name: `${scope.release}.availability`, rules: availability },
        { name: `${scope.release}.saturation`, rules: saturation },
    ];
    if (scope.pd) {
        groups.push({
            name: `${scope.release}.pd`,
            rules: [
                rule(
                    "LlmdNixlTransferFailures",
                    `sum(${rate(VLLM_METRICS.nixlFailedTransfers, vllm, "5m")}) > 0`,
                    "5m",
                    "warning",
                    `NIXL KV transfers of ${scope.servedModelName} are failing`,
                    "Decode servers fail to pull KV cache from prefill servers, so requests are recomputed or fail. Check the RDMA fabric, UCX settings and the NIXL side-channel port between the pods.",
                ),
            ],
        });
    }
    return groups;
}

/**
 * The alert rules of one model as the scraper's rule object: a `PrometheusRule` (Prometheus Operator CRD
 * `prometheusrules`), or on GMP a `Rules` (`monitoring.googleapis.com/v1`), which GKE's managed rule-evaluator
 * reads. Both take the same `spec.groups`. A namespaced `Rules` only sees series of its own namespace, which
 * is the model's: every expression already pins it, so the groups are the same on both.
 */
export function renderAlertRules(
    scope: ModelMetricsScope,
    thresholds: AlertThresholds = {},
    extraLabels: Record<string, string> = {},
    provider: MonitoringProvider = MonitoringProvider.PrometheusOperator,
): K8sObject {
    const gmp = provider === MonitoringProvider.Gmp;
    return {
        apiVersion: gmp ? "monitoring.googleapis.com/v1" : "monitoring.coreos.com/v1",
        kind: gmp ? "Rules" : "PrometheusRule",
        metadata: { name: `${scope.release}-alerts`, namespace: scope.namespace, labels: { ...monitoringLabels(scope, "monitoring"), ...extraLabels } },
        spec: { groups: alertRules(scope, thresholds) },
    };
}
