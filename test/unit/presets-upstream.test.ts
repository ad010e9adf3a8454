/**
 * What defines each preset upstream, checked on the rendered objects: the ports the pool targets and the pods
 * serve, the router's scheduler plugins and weights, and the vLLM flags and image. Each case names the
 * llm-d v0.9.0 guide file it follows (llm-d/llm-d release v0.9.0, `guides/`).
 */
import * as assert from "assert";
import { parse } from "yaml";
import { IMAGES, imageRef } from "../../components/catalog/versions";
import { LlmdDeploymentArgs } from "../../components/llmd";
import { ROUTER_CONFIG_FILE } from "../../components/render/router-config";
import { K8sObject } from "../../components/render/types";
import { isKubernetesObject } from "../../stacks/plan";
import { deployLlmd } from "../support/deployment";
import { catalogPool } from "../support/pools";
import { podTemplates, unservedTargetPorts } from "../support/pool-ports";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const h100 = catalogPool("aks", "Standard_ND96isr_H100_v5", {
    name: "h100",
    maxNodes: 8,
    nodeLabels: { "llm-d.ai/accelerator": "nvidia-h100" },
    taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
});

interface Rendered {
    targetPorts: number[];
    /** The scheduling profiles as `name: ref(weight) ...`. */
    profiles: string[];
    pluginTypes: string[];
    /** vLLM container of each workload, by workload name. */
    vllm: Record<string, Json>;
    objects: K8sObject[];
}

async function rendered(args: LlmdDeploymentArgs): Promise<Rendered> {
    const objects = (await deployLlmd({ pools: [h100], network: { rdmaDevices: ["mlx5_0:1"] }, ...args }, true))
        .filter(isKubernetesObject)
        .map((r) => r.inputs as K8sObject);
    const pool = objects.find((o) => o.kind === "InferencePool") as Json;
    const configMap = objects.find((o) => o.kind === "ConfigMap" && (o as Json).data?.[ROUTER_CONFIG_FILE]) as Json;
    const config = parse(configMap.data[ROUTER_CONFIG_FILE]);
    const vllm: Record<string, Json> = {};
    for (const { owner, template } of podTemplates(objects)) {
        vllm[owner] = template.spec.containers.find((c: Json) => c.name === "vllm");
    }
    return {
        targetPorts: pool.spec.targetPorts.map((p: Json) => p.number),
        profiles: config.schedulingProfiles.map(
            (s: Json) => `${s.name}: ${s.plugins.map((r: Json) => (r.weight === undefined ? r.pluginRef : `${r.pluginRef}(${r.weight})`)).join(" ")}`,
        ),
        pluginTypes: config.plugins.map((p: Json) => p.type),
        vllm,
        objects,
    };
}

function flag(args: string[], name: string): string | undefined {
    const i = args.indexOf(name);
    return i < 0 ? undefined : args[i + 1];
}

describe("presets follow llm-d's v0.9.0 guides", () => {
    // guides/optimized-baseline/router/optimized-baseline.values.yaml and modelserver/gpu/vllm/base/patch-vllm.yaml
    it("optimized-baseline: 8 x TP2 Qwen3-32B on upstream vLLM, affinity filter + token load", async () => {
        const r = await rendered({ preset: "optimized-baseline" });
        assert.deepStrictEqual(r.targetPorts, [8000]);
        assert.deepStrictEqual(unservedTargetPorts(r.objects), []);
        assert.deepStrictEqual(r.profiles, ["default: prefix-cache-affinity-filter token-load-scorer"]);
        const c = r.vllm["llmd-both"];
        assert.strictEqual(c.args[0], "Qwen/Qwen3-32B");
        assert.strictEqual(flag(c.args, "--tensor-parallel-size"), "2");
        assert.ok(c.args.includes("--disable-access-log-for-endpoints=/health,/metrics,/v1/models"));
        assert.strictEqual(c.image, imageRef(IMAGES.vllmOpenai));
        assert.deepStrictEqual(c.resources, {
            requests: { cpu: "8", memory: "96Gi", "nvidia.com/gpu": "2" },
            limits: { cpu: "16", memory: "128Gi", "nvidia.com/gpu": "2" },
        });
        assert.strictEqual((r.objects.find((o) => o.metadata.name === "llmd-both") as Json).spec.replicas, 8);
    });

    it("the guide's CPU and memory apply on the guide's accelerator only, and a request the user sets wins", async () => {
        const l4 = catalogPool("gke", "g2-standard-24", { name: "l4", maxNodes: 8, nodeLabels: {}, taints: [] });
        const onL4 = await rendered({ preset: "optimized-baseline", pools: [l4], network: undefined, decode: { tensorParallelSize: 1 } });
        const c = onL4.vllm["llmd-both"];
        // Off the guide's accelerator only llmd's floor is requested, and nothing is limited.
        assert.deepStrictEqual([c.resources.requests.cpu, c.resources.requests.memory], ["2", "16Gi"]);
        assert.strictEqual(c.resources.limits.memory, undefined);
        const own = (await rendered({ preset: "optimized-baseline", decode: { memory: "200Gi" } })).vllm["llmd-both"];
        assert.deepStrictEqual([own.resources.requests.memory, own.resources.limits.memory], ["200Gi", undefined]);
        assert.deepStrictEqual([own.resources.requests.cpu, own.resources.limits.cpu], ["8", "16"]);
    });

    // guides/pd-disaggregation/router/pd-disaggregation.values.yaml and modelserver/gpu/vllm/base/patch-{decode,prefill}.yaml
    it("pd-disaggregation: gpt-oss-120b, 2 decode x TP4 behind the sidecar, 8 prefill x TP1, always disaggregate", async () => {
        const r = await rendered({ preset: "pd-disaggregation" });
        assert.deepStrictEqual(r.targetPorts, [8000]);
        assert.deepStrictEqual(unservedTargetPorts(r.objects), []);
        assert.deepStrictEqual(r.profiles, [
            "prefill: prefill-filter prefix-cache-affinity-filter token-load-scorer max-score-picker",
            "decode: decode-filter active-request-scorer max-score-picker",
        ]);
        assert.ok(r.pluginTypes.includes("always-disagg-pd-decider"));
        for (const [name, tp, replicas] of [["llmd-decode", "4", 2], ["llmd-prefill", "1", 8]] as const) {
            const c = r.vllm[name];
            assert.strictEqual(c.args[0], "openai/gpt-oss-120b");
            assert.strictEqual(flag(c.args, "--tensor-parallel-size"), tp === "1" ? undefined : tp);
            assert.ok(c.args.includes("--block-size=128") && c.args.includes("--no-disable-hybrid-kv-cache-manager"), name);
            assert.deepStrictEqual(JSON.parse(flag(c.args, "--kv-transfer-config")!), { kv_connector: "NixlConnector", kv_role: "kv_both" });
            assert.strictEqual(c.image, imageRef(IMAGES.vllmOpenai));
            assert.strictEqual((r.objects.find((o) => o.metadata.name === name) as Json).spec.replicas, replicas);
            // Requests equal limits in the P/D guide: 16 CPU / 64Gi per decode pod, 8 CPU / 16Gi per prefill pod.
            const [cpu, memory] = name === "llmd-decode" ? ["16", "64Gi"] : ["8", "16Gi"];
            for (const side of [c.resources.requests, c.resources.limits]) {
                assert.deepStrictEqual([side.cpu, side.memory], [cpu, memory], name);
            }
        }
        assert.strictEqual(flag(r.vllm["llmd-decode"].args, "--port"), "8200");
        assert.strictEqual(flag(r.vllm["llmd-prefill"].args, "--port"), "8000");
    });

    // guides/precise-prefix-cache-routing/router/precise-prefix-cache-routing.values.yaml and
    // modelserver/gpu/vllm/base/patch-vllm.yaml
    it("precise-prefix-cache: vLLM binds KV events on 5556/5559, one router discovers pods, token-load scoring", async () => {
        const r = await rendered({ preset: "precise-prefix-cache" });
        assert.deepStrictEqual(r.targetPorts, [8000]);
        assert.deepStrictEqual(unservedTargetPorts(r.objects), []);
        assert.deepStrictEqual(r.profiles, ["default: prefix-cache-affinity-filter token-load-scorer"]);
        assert.ok(r.pluginTypes.includes("endpoint-notification-source"));
        const c = r.vllm["llmd-both"];
        assert.strictEqual(flag(c.args, "--block-size"), "64");
        const events = JSON.parse(flag(c.args, "--kv-events-config")!);
        assert.deepStrictEqual([events.endpoint, events.replay_endpoint], ["tcp://*:5556", "tcp://*:5559"]);
        const router = r.objects.find((o) => o.kind === "Deployment" && o.metadata.name === "llmd-router-epp") as Json;
        assert.strictEqual(router.spec.replicas, 1);
        assert.ok(!router.spec.template.spec.containers[0].args.includes("--ha-enable-leader-election"));
    });

    // guides/wide-ep-lws/modelserver/gpu/vllm/base/{decode,prefill}.yaml and router/wide-ep-lws.values.yaml
    it("wide-ep: DP16 over two nodes per role on llm-d's CUDA image, per-rank ports, DeepEP tuning", async () => {
        const r = await rendered({ preset: "wide-ep" });
        assert.deepStrictEqual(r.targetPorts, [8000, 8001, 8002, 8003, 8004, 8005, 8006, 8007]);
        assert.deepStrictEqual(unservedTargetPorts(r.objects), []);
        assert.deepStrictEqual(r.profiles, [
            "prefill: prefill-filter prefix-cache-scorer(3) queue-scorer(2) active-request-scorer(2)",
            "decode: decode-filter active-request-scorer",
        ]);
        const expected = {
            "llmd-decode (worker)": { all2all: "deepep_low_latency", port: "8200", supervisor: "8208", dbo: true },
            "llmd-prefill (worker)": { all2all: "deepep_high_throughput", port: "8000", supervisor: "8008", dbo: false },
        };
        for (const [name, want] of Object.entries(expected)) {
            const c = r.vllm[name];
            assert.strictEqual(c.image, imageRef(IMAGES.vllmCuda), name);
            assert.strictEqual(flag(c.args, "--all2all-backend"), want.all2all, name);
            assert.strictEqual(flag(c.args, "--moe-backend"), "deep_gemm", name);
            assert.strictEqual(c.args.includes("--enable-dbo"), want.dbo, name);
            assert.strictEqual(flag(c.args, "--port"), want.port, name);
            assert.strictEqual(flag(c.args, "--data-parallel-supervisor-port"), want.supervisor, name);
            assert.ok(c.args.includes("--data-parallel-multi-port-external-lb"), name);
            assert.strictEqual(flag(c.args, "--data-parallel-size"), "16", name);
            assert.deepStrictEqual([c.resources.requests.cpu, c.resources.requests.memory, c.resources.limits.memory, c.resources.limits.cpu], ["32", "512Gi", "512Gi", undefined], name);
            const env = Object.fromEntries(c.env.map((e: Json) => [e.name, e.value]));
            assert.strictEqual(env.NVSHMEM_REMOTE_TRANSPORT, "ibgda", name);
            assert.strictEqual(env.NVSHMEM_IB_ENABLE_IBGDA, "true", name);
        }
        const envOf = (name: string) => Object.fromEntries(r.vllm[name].env.map((e: Json) => [e.name, e.value]));
        assert.strictEqual(envOf("llmd-decode (worker)").VLLM_USE_DEEP_GEMM, "1");
        assert.strictEqual(envOf("llmd-decode (worker)").NVSHMEM_SYMMETRIC_SIZE, "16G");
        assert.strictEqual(envOf("llmd-prefill (worker)").VLLM_ENGINE_READY_TIMEOUT_S, "3000");
        assert.strictEqual(flag(r.vllm["llmd-decode (worker)"].args, "--max-num-seqs"), "256");
        assert.strictEqual(flag(r.vllm["llmd-prefill (worker)"].args, "--gpu-memory-utilization"), "0.80");
    });

    it("the former preset name renders exactly what optimized-baseline does", async () => {
        const now = await rendered({ preset: "optimized-baseline" });
        const before = await rendered({ preset: "inference-scheduling" });
        assert.deepStrictEqual(before.objects, now.objects);
    });
});
