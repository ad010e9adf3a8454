/**
 * PromQL text built from the metric catalog, so every query llmd renders names a catalog metric and
 * quotes its label values the one correct way. Pure.
 */
import { MetricSpec, series } from "../catalog/metrics";

/** Label matchers, all equality. */
export type Matchers = Record<string, string>;

/** A PromQL string literal (double-quoted; backslash, quote and newline escaped). */
export function quote(value: string): string {
    return JSON.stringify(value);
}

function matcherText(matchers: Matchers): string {
    const entries = Object.entries(matchers);
    return entries.length === 0 ? "" : `{${entries.map(([k, v]) => `${k}=${quote(v)}`).join(",")}}`;
}

/** An instant-vector selector for a gauge or counter (histograms go through `histogramSelector`). */
export function selector(metric: MetricSpec, matchers: Matchers = {}): string {
    if (metric.type === "histogram") {
        throw new Error(`${metric.name} is a histogram: select one of its series with histogramSelector`);
    }
    return `${metric.name}${matcherText(matchers)}`;
}

/** A selector of one stored series of a histogram. */
export function histogramSelector(metric: MetricSpec, suffix: "_bucket" | "_sum" | "_count", matchers: Matchers = {}): string {
    return `${series(metric, suffix)}${matcherText(matchers)}`;
}

/** `rate(<counter>[window])`. */
export function rate(metric: MetricSpec, matchers: Matchers, window: string): string {
    if (metric.type !== "counter") {
        throw new Error(`${metric.name} is a ${metric.type}: rate() needs a counter`);
    }
    return `rate(${selector(metric, matchers)}[${window}])`;
}

/** The q-quantile of a histogram over `window`, aggregated over everything but `le` and `by`. */
export function histogramQuantile(q: number, metric: MetricSpec, matchers: Matchers, window: string, by: readonly string[] = []): string {
    const labels = ["le", ...by].join(", ");
    return `histogram_quantile(${q}, sum by (${labels}) (rate(${histogramSelector(metric, "_bucket", matchers)}[${window}])))`;
}

/** Mean of a histogram over `window` (sum of observations / their count). */
export function histogramMean(metric: MetricSpec, matchers: Matchers, window: string): string {
    return `sum(rate(${histogramSelector(metric, "_sum", matchers)}[${window}])) / sum(rate(${histogramSelector(metric, "_count", matchers)}[${window}]))`;
}
