import * as assert from "assert";
import { parser } from "@prometheus-io/lezer-promql";
import { catalogEntryOf, METRICS } from "../../components/catalog/metrics";
import { renderAlertRules } from "../../components/render/alerts";
import { autoscalingQueries } from "../../components/render/autoscaling";
import { dashboards } from "../../components/render/dashboards";
import { ModelMetricsScope } from "../../components/render/monitoring-scope";

const scopes: ModelMetricsScope[] = [
    { release: "qwen", namespace: "llm-d", poolName: "qwen-pool", servedModelName: "Qwen/Qwen3-0.6B", pd: false },
    { release: "ds", namespace: "team-a", poolName: "ds", servedModelName: 'weird "name"\\x', pd: true },
];

/** Every PromQL expression llmd renders for a model, labelled by where it appears. */
function expressions(scope: ModelMetricsScope): [string, string][] {
    const out: [string, string][] = [];
    // The rule objects as rendered, for both scrapers: GMP's Rules must carry the same checked expressions.
    for (const provider of ["prometheus-operator", "gmp"] as const) {
        const object = renderAlertRules(scope, {}, {}, provider) as unknown as { kind: string; spec: { groups: { rules: { alert: string; expr: string }[] }[] } };
        for (const group of object.spec.groups) {
            for (const rule of group.rules) {
                out.push([`${object.kind} alert ${rule.alert}`, rule.expr]);
            }
        }
    }
    for (const [kind, d] of dashboards(scope)) {
        for (const panel of d.panels) {
            for (const target of panel.targets) {
                out.push([`dashboard ${kind} / ${panel.title} / ${target.refId}`, target.expr]);
            }
        }
    }
    const queries = autoscalingQueries(scope);
    out.push(["ScaledObject queue-size trigger", queries.queueSize], ["ScaledObject running-requests trigger", queries.runningRequests]);
    return out;
}

interface Parsed {
    errors: number;
    metrics: string[];
}

/** Parses with the Prometheus project's own grammar; collects error nodes and every selected metric name. */
function parse(expr: string): Parsed {
    const tree = parser.parse(expr);
    const result: Parsed = { errors: 0, metrics: [] };
    tree.iterate({
        enter(node) {
            if (node.type.isError) {
                result.errors++;
            }
            if (node.name === "VectorSelector") {
                const id = node.node.getChild("Identifier");
                if (id) {
                    result.metrics.push(expr.slice(id.from, id.to));
                }
            }
        },
    });
    return result;
}

describe("PromQL llmd renders", () => {
    for (const scope of scopes) {
        const all = expressions(scope);
        it(`${scope.release}${scope.pd ? " (P/D)" : ""}: every expression parses and names only catalog metrics`, () => {
            assert.ok(all.length > 30, `only ${all.length} expressions`);
            for (const [where, expr] of all) {
                const parsed = parse(expr);
                assert.strictEqual(parsed.errors, 0, `${where} does not parse: ${expr}`);
                assert.ok(parsed.metrics.length > 0, `${where} selects no metric: ${expr}`);
                for (const name of parsed.metrics) {
                    assert.ok(catalogEntryOf(name), `${where} names ${name}, which is not in components/catalog/metrics.ts`);
                }
            }
        });
    }

    it("P/D adds the NIXL alert and dashboard; a single role has neither", () => {
        const names = (scope: ModelMetricsScope) => expressions(scope).map(([where]) => where);
        assert.ok(names(scopes[1]).includes("PrometheusRule alert LlmdNixlTransferFailures"));
        assert.ok(names(scopes[1]).includes("Rules alert LlmdNixlTransferFailures"));
        assert.ok(!names(scopes[0]).some((w) => /NIXL|Nixl/.test(w)));
    });

    // The checks above must be able to fail.
    it("the parser and the catalog check reject what they should", () => {
        assert.ok(parse("sum(rate(vllm:num_preemptions_total[5m])").errors > 0);
        assert.ok(parse('max(llm_d_epp_ready_endpoints{name="x"} ==').errors > 0);
        assert.deepStrictEqual(parse('sum(rate(vllm:prompt_tokens_total{a="b"}[5m])) / 2').metrics, ["vllm:prompt_tokens_total"]);
        assert.strictEqual(catalogEntryOf("vllm:gpu_cache_usage_perc"), undefined);
        assert.strictEqual(catalogEntryOf("llm_d_epp_request_total_bucket"), undefined, "only histograms have _bucket series");
        assert.ok(catalogEntryOf("vllm:time_to_first_token_seconds_bucket"));
    });

    it("label values are quoted so the scope cannot break out of the matcher", () => {
        const queue = autoscalingQueries(scopes[1]).runningRequests;
        assert.strictEqual(parse(queue).errors, 0);
        assert.ok(queue.includes(JSON.stringify('weird "name"\\x')), queue);
    });

    it("the catalog names each metric once and says where it was read", () => {
        const names = METRICS.map((m) => m.name);
        assert.strictEqual(new Set(names).size, names.length);
        for (const m of METRICS) {
            assert.ok(m.source.length > 20, `${m.name} has no source`);
            assert.ok(m.type !== "counter" || m.name.endsWith("_total"), `counter ${m.name} must be stored with _total`);
        }
    });
});
