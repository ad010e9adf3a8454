import * as assert from "assert";
import { renderMonitors } from "../../components/render/monitoring";
import { renderModelServer, resolveModelServer } from "../../components/render/model-server";
import { ModelServerInput } from "../../components/render/model-server-types";
import { renderRouter, resolveRouterSpec, routerNames, routerSelectorLabels } from "../../components/render/router";
import { K8sObject } from "../../components/render/types";
import { h100Pool } from "./model-server-fixtures";

// The monitors select by labels and ports that other files render: check them against the real objects,
// so a renamed label or port breaks this test instead of silently scraping nothing.
const poolLabels = { "llm-d.ai/inference-serving": "true", "llm-d.ai/model": "qwen-qwen3-32b" };
const router = resolveRouterSpec({ name: "qwen", namespace: "llm-d", modelServerSelector: poolLabels, schedulerProfile: "pd-disaggregation" });
const routerObjects = renderRouter(router);

function server(role: "decode" | "prefill", extra: Partial<ModelServerInput> = {}): K8sObject {
    const input: ModelServerInput = {
        namespace: "llm-d", model: "Qwen/Qwen3-32B", role, accelerator: "nvidia-h100", pool: h100Pool,
        poolLabels, pd: { kvTransfer: "nixl" }, network: { allowTcp: true }, ...extra,
    };
    return renderModelServer(resolveModelServer(input, { name: `qwen-${role}`, hfTokenGiven: false }))[0];
}

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);

function podTemplates(o: K8sObject): any[] {
    const spec = o.spec as any;
    return spec.template ? [spec.template] : [spec.leaderWorkerTemplate.leaderTemplate, spec.leaderWorkerTemplate.workerTemplate];
}

describe("monitor selectors against what llmd renders", () => {
    const input = {
        release: "qwen",
        namespace: "llm-d",
        poolName: router.poolName,
        servedModelName: "Qwen/Qwen3-32B",
        pd: true,
        modelServerSelector: poolLabels,
        routerSelector: routerSelectorLabels(router),
    };
    const monitors = [...renderMonitors(input), ...renderMonitors({ ...input, provider: "gmp" })];

    it("each role's PodMonitor/PodMonitoring selects that role's serving pods only, on a port they expose", () => {
        const pods = { decode: server("decode"), prefill: server("prefill"), lws: server("decode", { nodesPerReplica: 2, tensorParallelSize: 16 }) };
        for (const m of monitors.filter((o) => o.kind === "PodMonitor" || (o.kind === "PodMonitoring" && !o.metadata.name.endsWith("-router")))) {
            const spec = m.spec as any;
            const role = spec.selector.matchLabels["llm-d.ai/role"];
            const port = (spec.podMetricsEndpoints ?? spec.endpoints)[0].port;
            for (const [name, workload] of Object.entries(pods)) {
                for (const t of podTemplates(workload)) {
                    const selected = matches(spec.selector.matchLabels, t.metadata.labels);
                    const serving = t.metadata.labels["llm-d.ai/inference-serving"] === "true";
                    const podRole = t.metadata.labels["llm-d.ai/role"];
                    assert.strictEqual(selected, serving && podRole === role, `${m.kind} ${m.metadata.name} vs ${name}`);
                    if (selected) {
                        const ports = t.spec.containers.flatMap((c: any) => c.ports ?? []).map((p: any) => p.name);
                        assert.ok(ports.includes(port), `${name} exposes no port ${port}: ${ports}`);
                    }
                }
            }
        }
    });

    it("the router ServiceMonitor selects the router Service by its labels and scrapes a port it has", () => {
        const service = routerObjects.find((o) => o.kind === "Service" && o.metadata.name === routerNames(router).service)!;
        const sm = monitors.find((o) => o.kind === "ServiceMonitor")!.spec as any;
        assert.ok(matches(sm.selector.matchLabels, service.metadata.labels));
        assert.ok((service.spec as any).ports.some((p: any) => p.name === sm.endpoints[0].port));
    });

    it("the router PodMonitoring selects the router pods and scrapes a container port they expose", () => {
        const deployment = routerObjects.find((o) => o.kind === "Deployment")!;
        const pm = monitors.find((o) => o.kind === "PodMonitoring" && o.metadata.name === "qwen-router")!.spec as any;
        const template = (deployment.spec as any).template;
        assert.ok(matches(pm.selector.matchLabels, template.metadata.labels));
        const ports = template.spec.containers.flatMap((c: any) => c.ports ?? []).map((p: any) => p.name);
        assert.ok(ports.includes(pm.endpoints[0].port), `${ports}`);
    });
});
