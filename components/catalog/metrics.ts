/**
 * Every Prometheus metric llmd's alerts, dashboards and autoscalers query, in one place, with where the
 * name was read. Every PromQL expression llmd renders is built from these entries (a test parses them all
 * and rejects any metric not listed here), so a rename upstream is one edit.
 *
 * Names are as Prometheus stores them: a counter carries its `_total` suffix; a histogram is listed by its
 * base name and queried through `_bucket` / `_sum` / `_count` (see `series`).
 */

/** Prometheus metric type. */
export type MetricType = "counter" | "gauge" | "histogram";

/** One metric as the exporter exposes it. */
export interface MetricSpec {
    /** Name as stored in Prometheus (counters with `_total`, histograms without a suffix). */
    name: string;
    type: MetricType;
    /** Labels the queries rely on (not every label the exporter sets). */
    labels: readonly string[];
    /** Where the name, type and labels were read. */
    source: string;
}

const VLLM_LOGGERS = "vllm-project/vllm vllm/v1/metrics/loggers.py (PrometheusStatLogger), as shipped in ghcr.io/llm-d/llm-d-cuda:v0.9.0";
const VLLM_NIXL = "vllm-project/vllm vllm/distributed/kv_transfer/kv_connector/v1/nixl_connector.py (NixlPromMetrics)";
const ROUTER = "llm-d/llm-d-router v0.10.0 pkg/epp/metrics/llm_d_router_metrics.go (subsystem llm_d_epp; modelLabels and poolLabels in metrics.go)";

function metric(name: string, type: MetricType, labels: readonly string[], source: string): MetricSpec {
    return { name, type, labels, source };
}

/** vLLM engine metrics, scraped from each model-server pod (`model_name` is the served model name). */
export const VLLM_METRICS = {
    requestsRunning: metric("vllm:num_requests_running", "gauge", ["model_name"], VLLM_LOGGERS),
    requestsWaiting: metric("vllm:num_requests_waiting", "gauge", ["model_name"], VLLM_LOGGERS),
    kvCacheUsage: metric("vllm:kv_cache_usage_perc", "gauge", ["model_name"], VLLM_LOGGERS),
    preemptions: metric("vllm:num_preemptions_total", "counter", ["model_name"], VLLM_LOGGERS),
    prefixCacheHits: metric("vllm:prefix_cache_hits_total", "counter", ["model_name"], VLLM_LOGGERS),
    prefixCacheQueries: metric("vllm:prefix_cache_queries_total", "counter", ["model_name"], VLLM_LOGGERS),
    promptTokens: metric("vllm:prompt_tokens_total", "counter", ["model_name"], VLLM_LOGGERS),
    generationTokens: metric("vllm:generation_tokens_total", "counter", ["model_name"], VLLM_LOGGERS),
    requestSuccess: metric("vllm:request_success_total", "counter", ["model_name", "finished_reason"], VLLM_LOGGERS),
    timeToFirstToken: metric("vllm:time_to_first_token_seconds", "histogram", ["model_name"], VLLM_LOGGERS),
    interTokenLatency: metric("vllm:inter_token_latency_seconds", "histogram", ["model_name"], VLLM_LOGGERS),
    e2eLatency: metric("vllm:e2e_request_latency_seconds", "histogram", ["model_name"], VLLM_LOGGERS),
    nixlTransferTime: metric("vllm:nixl_xfer_time_seconds", "histogram", ["model_name"], VLLM_NIXL),
    nixlBytesTransferred: metric("vllm:nixl_bytes_transferred", "histogram", ["model_name"], VLLM_NIXL),
    nixlFailedTransfers: metric("vllm:nixl_num_failed_transfers_total", "counter", ["model_name"], VLLM_NIXL),
    nixlFailedNotifications: metric("vllm:nixl_num_failed_notifications_total", "counter", ["model_name"], VLLM_NIXL),
} as const satisfies Record<string, MetricSpec>;

/**
 * llm-d router (EPP) metrics, scraped from the router Service. Pool gauges carry the pool as `name`, flow
 * control metrics as `inference_pool`; Prometheus adds `namespace` and `service` from the ServiceMonitor.
 */
export const ROUTER_METRICS = {
    requests: metric("llm_d_epp_request_total", "counter", ["model_name", "target_model_name"], ROUTER),
    requestErrors: metric("llm_d_epp_request_error_total", "counter", ["model_name", "target_model_name", "error_code"], ROUTER),
    requestDuration: metric("llm_d_epp_request_duration_seconds", "histogram", ["model_name"], ROUTER),
    requestsRunning: metric("llm_d_epp_request_running", "gauge", ["model_name", "target_model_name"], ROUTER),
    readyEndpoints: metric("llm_d_epp_ready_endpoints", "gauge", ["name"], ROUTER),
    averageQueueSize: metric("llm_d_epp_average_queue_size", "gauge", ["name"], ROUTER),
    averageKvCacheUtilization: metric("llm_d_epp_average_kv_cache_utilization", "gauge", ["name"], ROUTER),
    averageRunningRequests: metric("llm_d_epp_average_running_requests", "gauge", ["name"], ROUTER),
    schedulerDuration: metric("llm_d_epp_scheduler_e2e_duration_seconds", "histogram", [], ROUTER),
    flowControlQueueSize: metric("llm_d_epp_flow_control_queue_size", "gauge", ["inference_pool", "model_name", "priority"], ROUTER),
    flowControlPoolSaturation: metric("llm_d_epp_flow_control_pool_saturation", "gauge", ["inference_pool"], ROUTER),
    flowControlQueueDuration: metric("llm_d_epp_flow_control_request_queue_duration_seconds", "histogram", ["inference_pool", "outcome"], ROUTER),
} as const satisfies Record<string, MetricSpec>;

/** Every catalog entry. */
export const METRICS: readonly MetricSpec[] = [...Object.values(VLLM_METRICS), ...Object.values(ROUTER_METRICS)];

/** Series suffixes a histogram is stored under. */
export const HISTOGRAM_SUFFIXES = ["_bucket", "_sum", "_count"] as const;

/** A histogram's stored series name. */
export function series(metric: MetricSpec, suffix: (typeof HISTOGRAM_SUFFIXES)[number]): string {
    if (metric.type !== "histogram") {
        throw new Error(`${metric.name} is a ${metric.type}, not a histogram`);
    }
    return `${metric.name}${suffix}`;
}

/** The catalog entry a stored series name belongs to (a histogram's `_bucket` etc. included), or undefined. */
export function catalogEntryOf(seriesName: string): MetricSpec | undefined {
    for (const m of METRICS) {
        if (m.name === seriesName) {
            return m;
        }
        if (m.type === "histogram" && HISTOGRAM_SUFFIXES.some((s) => `${m.name}${s}` === seriesName)) {
            return m;
        }
    }
    return undefined;
}
