/**
 * Grafana dashboards of one model, written by llmd from the metric catalog (not copied from llm-d's
 * dashboards, which cover the same ground for a whole cluster): overview, router and pool, KV cache and,
 * on P/D, prefill/decode with NIXL transfers. Each is a ConfigMap labelled `grafana_dashboard: "1"`, the
 * label kube-prometheus-stack's Grafana sidecar loads from every namespace. Queries are pinned to this
 * model's namespace, pool and served model; the Prometheus data source is a dashboard variable. Pure.
 */
import { createHash } from "crypto";
import { ROUTER_METRICS, VLLM_METRICS } from "../catalog/metrics";
import { ModelServerRole } from "./model-server-types";
import { ModelMetricsScope, ROLE_LABEL, flowControlMatchers, monitoringLabels, routerPoolMatchers, routerRequestMatchers, vllmMatchers } from "./monitoring-scope";
import { histogramMean, histogramQuantile, rate, selector } from "./promql";
import { K8sObject } from "./types";

/** Label and value the Grafana sidecar watches for (kube-prometheus-stack `grafana.sidecar.dashboards`). */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

/** The Prometheus data source every panel uses: the dashboard's `datasource` variable. */
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

/** A query of a panel. */
export interface DashboardTarget {
    refId: string;
    expr: string;
    legendFormat: string;
    datasource: typeof DATASOURCE;
}

/** A Grafana time-series panel. */
export interface DashboardPanel {
    id: number;
    type: "timeseries";
    title: string;
    datasource: typeof DATASOURCE;
    gridPos: { x: number; y: number; w: number; h: number };
    fieldConfig: { defaults: { unit: string }; overrides: unknown[] };
    options: { legend: { displayMode: "list"; placement: "bottom" }; tooltip: { mode: "multi" } };
    targets: DashboardTarget[];
}

/** A Grafana dashboard model (the JSON the sidecar loads). */
export interface Dashboard {
    uid: string;
    title: string;
    tags: string[];
    editable: boolean;
    schemaVersion: number;
    version: number;
    refresh: string;
    time: { from: string; to: string };
    timezone: string;
    templating: { list: Record<string, unknown>[] };
    annotations: { list: unknown[] };
    panels: DashboardPanel[];
}

type Query = [expr: string, legend: string];
type PanelSpec = { title: string; unit: string; queries: Query[] };

function panels(specs: PanelSpec[]): DashboardPanel[] {
    return specs.map((spec, i) => ({
        id: i + 1,
        type: "timeseries",
        title: spec.title,
        datasource: DATASOURCE,
        // Two panels per row, 8 units high.
        gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
        fieldConfig: { defaults: { unit: spec.unit }, overrides: [] },
        options: { legend: { displayMode: "list", placement: "bottom" }, tooltip: { mode: "multi" } },
        targets: spec.queries.map(([expr, legendFormat], j) => ({ refId: String.fromCharCode(65 + j), expr, legendFormat, datasource: DATASOURCE })),
    }));
}

/** Dashboard uids must be at most 40 characters and unique in a Grafana: hash the model's identity. */
function uid(scope: ModelMetricsScope, kind: string): string {
    const digest = createHash("sha256").update(`${scope.namespace}/${scope.release}`).digest("hex").slice(0, 12);
    return `llmd-${digest}-${kind}`;
}

function dashboard(scope: ModelMetricsScope, kind: string, title: string, specs: PanelSpec[]): Dashboard {
    return {
        uid: uid(scope, kind),
        title: `llmd / ${scope.namespace}/${scope.release} / ${title}`,
        tags: ["llmd", "llm-d", scope.release],
        editable: true,
        schemaVersion: 39,
        version: 1,
        refresh: "30s",
        time: { from: "now-1h", to: "now" },
        timezone: "browser",
        templating: { list: [{ name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus", current: {}, hide: 0 }] },
        annotations: { list: [] },
        panels: panels(specs),
    };
}

function latencyQueries(metric: typeof VLLM_METRICS.timeToFirstToken, matchers: Record<string, string>): Query[] {
    return [
        [histogramQuantile(0.5, metric, matchers, "5m"), "p50"],
        [histogramQuantile(0.95, metric, matchers, "5m"), "p95"],
        [histogramQuantile(0.99, metric, matchers, "5m"), "p99"],
    ];
}

function overview(scope: ModelMetricsScope): Dashboard {
    const vllm = vllmMatchers(scope);
    const requests = routerRequestMatchers(scope);
    return dashboard(scope, "overview", "Overview", [
        { title: "Requests per second (router)", unit: "reqps", queries: [[`sum(${rate(ROUTER_METRICS.requests, requests, "5m")})`, "requests"]] },
        {
            title: "Error ratio (router)",
            unit: "percentunit",
            queries: [[`sum(${rate(ROUTER_METRICS.requestErrors, requests, "5m")}) / sum(${rate(ROUTER_METRICS.requests, requests, "5m")})`, "errors"]],
        },
        { title: "Time to first token", unit: "s", queries: latencyQueries(VLLM_METRICS.timeToFirstToken, vllm) },
        { title: "Inter-token latency", unit: "s", queries: latencyQueries(VLLM_METRICS.interTokenLatency, vllm) },
        { title: "End-to-end request latency", unit: "s", queries: latencyQueries(VLLM_METRICS.e2eLatency, vllm) },
        {
            title: "Requests running and waiting (vLLM)",
            unit: "short",
            queries: [
                [`sum(${selector(VLLM_METRICS.requestsRunning, vllm)})`, "running"],
                [`sum(${selector(VLLM_METRICS.requestsWaiting, vllm)})`, "waiting"],
            ],
        },
        {
            title: "Tokens per second",
            unit: "short",
            queries: [
                [`sum(${rate(VLLM_METRICS.promptTokens, vllm, "5m")})`, "prompt"],
                [`sum(${rate(VLLM_METRICS.generationTokens, vllm, "5m")})`, "generation"],
            ],
        },
        { title: "Ready endpoints", unit: "short", queries: [[`max(${selector(ROUTER_METRICS.readyEndpoints, routerPoolMatchers(scope))})`, "ready"]] },
    ]);
}

function router(scope: ModelMetricsScope): Dashboard {
    const pool = routerPoolMatchers(scope);
    const flow = flowControlMatchers(scope);
    const requests = routerRequestMatchers(scope);
    return dashboard(scope, "router", "Router and pool", [
        { title: "Ready endpoints", unit: "short", queries: [[`max(${selector(ROUTER_METRICS.readyEndpoints, pool)})`, "ready"]] },
        { title: "Mean queue size per endpoint", unit: "short", queries: [[`max(${selector(ROUTER_METRICS.averageQueueSize, pool)})`, "queue"]] },
        { title: "Mean running requests per endpoint", unit: "short", queries: [[`max(${selector(ROUTER_METRICS.averageRunningRequests, pool)})`, "running"]] },
        { title: "Mean KV-cache utilisation", unit: "percentunit", queries: [[`max(${selector(ROUTER_METRICS.averageKvCacheUtilization, pool)})`, "kv cache"]] },
        { title: "Flow-control queue size", unit: "short", queries: [[`sum by (priority) (${selector(ROUTER_METRICS.flowControlQueueSize, flow)})`, "priority {{priority}}"]] },
        { title: "Pool saturation", unit: "percentunit", queries: [[`max(${selector(ROUTER_METRICS.flowControlPoolSaturation, flow)})`, "saturation"]] },
        { title: "Flow-control queue wait (p95)", unit: "s", queries: [[histogramQuantile(0.95, ROUTER_METRICS.flowControlQueueDuration, flow, "5m", ["outcome"]), "{{outcome}}"]] },
        { title: "Scheduling latency (p95)", unit: "s", queries: [[histogramQuantile(0.95, ROUTER_METRICS.schedulerDuration, { namespace: scope.namespace }, "5m"), "p95"]] },
        { title: "Router request duration (p95)", unit: "s", queries: [[histogramQuantile(0.95, ROUTER_METRICS.requestDuration, requests, "5m"), "p95"]] },
        { title: "Running requests (router)", unit: "short", queries: [[`sum(${selector(ROUTER_METRICS.requestsRunning, requests)})`, "running"]] },
    ]);
}

function kvCache(scope: ModelMetricsScope): Dashboard {
    const vllm = vllmMatchers(scope);
    return dashboard(scope, "kv-cache", "KV cache", [
        { title: "KV-cache usage per pod", unit: "percentunit", queries: [[`max by (pod) (${selector(VLLM_METRICS.kvCacheUsage, vllm)})`, "{{pod}}"]] },
        {
            title: "Prefix-cache hit ratio",
            unit: "percentunit",
            queries: [[`sum(${rate(VLLM_METRICS.prefixCacheHits, vllm, "5m")}) / sum(${rate(VLLM_METRICS.prefixCacheQueries, vllm, "5m")})`, "hit ratio"]],
        },
        { title: "Preemptions per second", unit: "short", queries: [[`sum by (pod) (${rate(VLLM_METRICS.preemptions, vllm, "5m")})`, "{{pod}}"]] },
        { title: "Mean KV-cache utilisation (router view)", unit: "percentunit", queries: [[`max(${selector(ROUTER_METRICS.averageKvCacheUtilization, routerPoolMatchers(scope))})`, "pool"]] },
    ]);
}

function pd(scope: ModelMetricsScope): Dashboard {
    const all = vllmMatchers(scope);
    const byRole = (role: ModelServerRole) => vllmMatchers(scope, role);
    return dashboard(scope, "pd", "Prefill / decode", [
        {
            title: "Time to first token by role (p95)",
            unit: "s",
            queries: [
                [histogramQuantile(0.95, VLLM_METRICS.timeToFirstToken, byRole(ModelServerRole.Prefill), "5m"), "prefill"],
                [histogramQuantile(0.95, VLLM_METRICS.timeToFirstToken, byRole(ModelServerRole.Decode), "5m"), "decode"],
            ],
        },
        {
            title: "Requests running by role",
            unit: "short",
            queries: [[`sum by (${ROLE_LABEL}) (${selector(VLLM_METRICS.requestsRunning, all)})`, `{{${ROLE_LABEL}}}`]],
        },
        {
            title: "Requests waiting by role",
            unit: "short",
            queries: [[`sum by (${ROLE_LABEL}) (${selector(VLLM_METRICS.requestsWaiting, all)})`, `{{${ROLE_LABEL}}}`]],
        },
        { title: "NIXL transfer time", unit: "s", queries: [[histogramQuantile(0.95, VLLM_METRICS.nixlTransferTime, all, "5m"), "p95"], [histogramMean(VLLM_METRICS.nixlTransferTime, all, "5m"), "mean"]] },
        { title: "NIXL bytes per transfer (mean)", unit: "bytes", queries: [[histogramMean(VLLM_METRICS.nixlBytesTransferred, all, "5m"), "mean"]] },
        {
            title: "NIXL failures per second",
            unit: "short",
            queries: [
                [`sum(${rate(VLLM_METRICS.nixlFailedTransfers, all, "5m")})`, "transfers"],
                [`sum(${rate(VLLM_METRICS.nixlFailedNotifications, all, "5m")})`, "notifications"],
            ],
        },
    ]);
}

/** The dashboards of one model by kind (P/D adds its own), as Grafana JSON models. */
export function dashboards(scope: ModelMetricsScope): Map<string, Dashboard> {
    const out = new Map([
        ["overview", overview(scope)],
        ["router", router(scope)],
        ["kv-cache", kvCache(scope)],
    ]);
    if (scope.pd) {
        out.set("pd", pd(scope));
    }
    return out;
}

/**
 * One ConfigMap per dashboard. The sidecar writes every key of every labelled ConfigMap into one folder,
 * so keys carry namespace and release: two models' dashboards must not overwrite each other.
 */
export function renderDashboards(scope: ModelMetricsScope, extraLabels: Record<string, string> = {}): K8sObject[] {
    return [...dashboards(scope)].map(([kind, d]) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
            name: `${scope.release}-dashboard-${kind}`,
            namespace: scope.namespace,
            labels: { ...monitoringLabels(scope, "dashboard"), ...GRAFANA_DASHBOARD_LABEL, ...extraLabels },
        },
        data: { [`llmd-${scope.namespace}-${scope.release}-${kind}.json`]: JSON.stringify(d) },
    }));
}
