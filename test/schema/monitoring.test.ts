import * as assert from "assert";
import { renderAlertRules } from "../../components/render/alerts";
import { renderDashboards } from "../../components/render/dashboards";
import { MonitorsInput, MonitoringProvider, renderMonitors } from "../../components/render/monitoring";
import { validateObject } from "../support/schema";

const base: MonitorsInput = {
    release: "qwen",
    namespace: "llm-d",
    poolName: "qwen-pool",
    servedModelName: "Qwen/Qwen3-0.6B",
    pd: false,
    modelServerSelector: { "llm-d.ai/inference-serving": "true", "llm-d.ai/model": "qwen3-0-6b" },
    routerSelector: { "app.kubernetes.io/name": "llm-d-router", "app.kubernetes.io/instance": "qwen", "app.kubernetes.io/component": "router" },
};

describe("monitoring objects against the Kubernetes and pinned CRD schemas", () => {
    for (const provider of Object.values(MonitoringProvider)) {
        for (const pd of [false, true]) {
            it(`${provider}, ${pd ? "P/D" : "one role"}: monitors, rules and dashboards are valid`, () => {
                const input = { ...base, pd, provider, extraLabels: { release: "kube-prometheus-stack" } };
                const objects = [...renderMonitors(input), renderAlertRules(input, {}, input.extraLabels, provider), ...renderDashboards(input)];
                for (const object of objects) {
                    assert.deepStrictEqual(validateObject(object), [], `${object.kind} ${object.metadata.name}`);
                }
            });
        }
    }

    // The validators must be able to fail, or the loop above proves nothing.
    it("rejects a broken PodMonitor, ServiceMonitor, PodMonitoring, PrometheusRule and GMP Rules", () => {
        const coreos = renderMonitors(base);
        const podMonitor = structuredClone(coreos.find((o) => o.kind === "PodMonitor")!) as any;
        podMonitor.spec.podMetricsEndpoints[0].intervl = "30s";
        assert.notDeepStrictEqual(validateObject(podMonitor), []);
        const serviceMonitor = structuredClone(coreos.find((o) => o.kind === "ServiceMonitor")!) as any;
        serviceMonitor.spec.endpoints[0].authorization.credentials = { secretName: "x" };
        assert.notDeepStrictEqual(validateObject(serviceMonitor), []);
        const gmp = structuredClone(renderMonitors({ ...base, provider: "gmp" }).find((o) => o.kind === "PodMonitoring")!) as any;
        gmp.spec.endpoints[0].interval = "thirty seconds";
        assert.notDeepStrictEqual(validateObject(gmp), []);
        const rules = structuredClone(renderAlertRules(base)) as any;
        delete rules.spec.groups[0].rules[0].expr;
        assert.notDeepStrictEqual(validateObject(rules), []);
        const gmpRules = structuredClone(renderAlertRules(base, {}, {}, "gmp")) as any;
        assert.strictEqual(gmpRules.kind, "Rules");
        gmpRules.spec.groups[0].rules[0].for = "five minutes";
        assert.notDeepStrictEqual(validateObject(gmpRules), []);
    });
});
