import * as assert from "assert";
import { parse } from "yaml";
import { BASE_MODEL_HEADER } from "../../components/render/model-routing";
import { LlmdModelInput, resolveLlmdModel } from "../../components/render/model";
import { LlmdPlatformRef, resolvePlatformSpec } from "../../components/render/platform";
import { renderRouter, resolveRouterSpec } from "../../components/render/router";
import { ROUTER_CONFIG_FILE } from "../../components/render/router-config";
import { K8sObject } from "../../components/render/types";
import { assertConfigError, thrown } from "../support/config-errors";
import { catalogPool } from "../support/pools";
import { validateObject } from "../support/schema";

const istio = resolvePlatformSpec("shared", {}).ref;
const agentgateway = resolvePlatformSpec("shared", { gateway: { implementation: "agentgateway" } }).ref;
const oneModel = resolvePlatformSpec("shared", { modelRouting: false }).ref;
// Multi-node models here use RDMA, whose pods only a privileged namespace admits.
const withLws = resolvePlatformSpec("shared", { leaderWorkerSet: true, podSecurity: "privileged" }).ref;
const h100x8 = catalogPool("aks", "Standard_ND96isr_H100_v5", { name: "h100", maxNodes: 4, nodeLabels: { "kubernetes.azure.com/agentpool": "h100" }, taints: [] });

const sim = (extra: LlmdModelInput = {}): LlmdModelInput => ({ preset: "simulator", model: "Qwen/Qwen3-0.6B", ...extra });


function route(platform: LlmdPlatformRef, input: LlmdModelInput): K8sObject {
    const plan = resolveLlmdModel("qwen", input, platform);
    return renderRouter(resolveRouterSpec(plan.router)).find((o) => o.kind === "HTTPRoute")!;
}

describe("LlmdModel: placing a model on its platform", () => {
    it("runs in the platform namespace by default, which the platform creates", () => {
        const plan = resolveLlmdModel("qwen", sim(), istio);
        assert.strictEqual(plan.namespace, "llm-d");
        assert.strictEqual(plan.inPlatformNamespace, true);
        assert.strictEqual(plan.createNamespace, false);
        assert.deepStrictEqual(plan.router.gateway, { name: "llm-d-inference-gateway", namespace: "llm-d" });
    });

    it("creates a namespace of its own, labelled for the platform's Gateway", () => {
        const plan = resolveLlmdModel("qwen", sim({ namespace: "team-a" }), istio);
        assert.strictEqual(plan.createNamespace, true);
        assert.deepStrictEqual(plan.namespaceLabels, { "llm-d.ai/gateway-access": "shared" });
        assert.deepStrictEqual(resolveLlmdModel("qwen", sim({ namespace: "team-a", createNamespace: false }), istio).createNamespace, false);
    });

    it("routes on the base-model header: one match per name the model answers to", () => {
        const spec = route(istio, sim()).spec as any;
        assert.deepStrictEqual(spec.rules[0].matches, [
            { path: { type: "PathPrefix", value: "/" }, headers: [{ type: "Exact", name: BASE_MODEL_HEADER, value: "Qwen/Qwen3-0.6B" }] },
        ]);
        assert.deepStrictEqual(spec.rules[0].backendRefs, [{ group: "inference.networking.k8s.io", kind: "InferencePool", name: "qwen" }]);
        assert.deepStrictEqual(validateObject(route(istio, sim())), []);
    });

    it("on agentgateway the header holds the requested name, so adapters get matches of their own", () => {
        const lora = { adapters: [{ name: "food-review", source: "Kawon/llama3.1-food-finetune_v14_r8" }] };
        const values = ((route(agentgateway, sim({ lora })).spec as any).rules[0].matches as any[]).map((m) => m.headers[0].value);
        assert.deepStrictEqual(values, ["Qwen/Qwen3-0.6B", "food-review"]);
        // The payload processor maps adapters to their base model itself: one match is enough there.
        assert.strictEqual((route(istio, sim({ lora })).spec as any).rules[0].matches.length, 1);
    });

    it("without routing by model the route takes every request, as before the split", () => {
        const spec = route(oneModel, sim()).spec as any;
        assert.deepStrictEqual(spec.rules[0].matches, [{ path: { type: "PathPrefix", value: "/" } }]);
        assert.strictEqual(resolveLlmdModel("qwen", sim(), oneModel).routingConfigMap, undefined);
    });

    it("tells the payload processor its base model and every other name it answers to", () => {
        const plan = resolveLlmdModel(
            "llama",
            sim({
                model: "meta-llama/Llama-3.1-8B-Instruct",
                lora: { adapters: [{ name: "food-review", source: "a/b" }] },
                rewrites: [{ name: "canary", models: ["review"], targets: [{ model: "food-review" }] }],
            }),
            istio,
        );
        const map = plan.routingConfigMap!;
        assert.strictEqual(map.metadata.namespace, "llm-d");
        assert.strictEqual((map.data as any).baseModel, "meta-llama/Llama-3.1-8B-Instruct");
        assert.deepStrictEqual(parse((map.data as any).adapters), ["food-review", "review"]);
        assert.deepStrictEqual(plan.routedNames, ["meta-llama/Llama-3.1-8B-Instruct", "food-review", "review"]);
        assert.deepStrictEqual(validateObject(map), []);
    });

    it("a multi-node model needs a platform with LeaderWorkerSet", () => {
        const wideEp = { preset: "wide-ep", pools: [h100x8], network: { rdmaDevices: ["mlx5_0:1"] } };
        assertConfigError(thrown(() => resolveLlmdModel("ds", wideEp, istio)), "decode.nodesPerReplica", /no LeaderWorkerSet controller: set leaderWorkerSet: true/);
        assert.strictEqual(resolveLlmdModel("ds", wideEp, withLws).multiNode, true);
    });

    it("multi-node groups join the platform's Kueue queue, which admits only the platform namespace", () => {
        const kueue = resolvePlatformSpec("shared", { leaderWorkerSet: true, clusterProvider: "aks", pools: [h100x8], topologyAwareScheduling: {}, network: { rdmaDevices: ["mlx5_0:1"] }, podSecurity: "privileged" }).ref;
        const wideEp = { preset: "wide-ep", pools: [h100x8], network: { rdmaDevices: ["mlx5_0:1"] } };
        const plan = resolveLlmdModel("ds", wideEp, kueue);
        assert.deepStrictEqual(plan.modelServers[0].input.kueue, kueue.kueue);
        assertConfigError(thrown(() => resolveLlmdModel("ds", { ...wideEp, namespace: "team-a" }, kueue)), "namespace", /admits only its namespace llm-d/);
    });

    const cases: Array<[string, LlmdModelInput, string, RegExp]> = [
        ["creating the platform's own namespace", sim({ createNamespace: true }), "createNamespace", /the platform creates/],
        ["extraArgs as one string", sim({ decode: { extraArgs: "--max-model-len 4096" as never } }), "decode.extraArgs", /list of strings/],
        ["a servedModelName that is empty", sim({ servedModelName: "" }), "servedModelName", /non-empty/],
        ["simulate as a string", sim({ simulate: "no" as never }), "simulate", /true or false/],
    ];
    for (const [what, input, field, expected] of cases) {
        it(`rejects ${what}, naming ${field}`, () => {
            assertConfigError(thrown(() => resolveLlmdModel("qwen", input, istio)), field, expected);
        });
    }
});

describe("LlmdModel: LoRA adapters", () => {
    const vllm = (lora: unknown) => resolveLlmdModel("llama", { model: "meta-llama/Llama-3.1-8B-Instruct", accelerator: "nvidia-h100", lora: lora as never }, istio);

    it("vLLM: --enable-lora, one JSON --lora-modules entry per adapter, the limits, before the user's own args", () => {
        const plan = resolveLlmdModel(
            "llama",
            {
                model: "meta-llama/Llama-3.1-8B-Instruct",
                lora: { adapters: [{ name: "food-review", source: "Kawon/llama3.1-food-finetune_v14_r8" }, { name: "cad", source: "redcathode/fabricator" }], maxLoraRank: 8, maxCpuLoras: 4 },
                decode: { extraArgs: ["--max-model-len", "8192"] },
            },
            istio,
        );
        assert.deepStrictEqual(plan.modelServers[0].input.extraArgs, [
            "--enable-lora",
            "--lora-modules",
            JSON.stringify({ name: "food-review", path: "Kawon/llama3.1-food-finetune_v14_r8" }),
            JSON.stringify({ name: "cad", path: "redcathode/fabricator" }),
            "--max-loras",
            "2",
            "--max-lora-rank",
            "8",
            "--max-cpu-loras",
            "4",
            "--max-model-len",
            "8192",
        ]);
        assert.deepStrictEqual(plan.adapters, ["food-review", "cad"]);
    });

    it("run-time loading: vLLM's filesystem resolver, and adapters with no source still route", () => {
        const plan = vllm({ runtimeLoading: true, adapters: [{ name: "later" }] });
        assert.deepStrictEqual(plan.modelServers[0].input.env, {
            VLLM_ALLOW_RUNTIME_LORA_UPDATING: "True",
            VLLM_PLUGINS: "lora_filesystem_resolver",
            VLLM_LORA_RESOLVER_CACHE_DIR: "/tmp/cache/lora",
        });
        assert.ok(!plan.modelServers[0].input.extraArgs!.includes("--lora-modules"));
        assert.deepStrictEqual(plan.routedNames.slice(1), ["later"]);
    });

    it("the simulator gets only the flags it accepts", () => {
        const plan = resolveLlmdModel("llama", sim({ lora: { adapters: [{ name: "a", source: "x/y" }] } }), istio);
        assert.deepStrictEqual(plan.modelServers[0].input.extraArgs, ["--lora-modules", JSON.stringify({ name: "a", path: "x/y" }), "--max-loras", "1"]);
    });

    it("adapters reach every role of a disaggregated model", () => {
        const plan = resolveLlmdModel("pd", { preset: "pd-disaggregation", simulate: true, lora: { adapters: [{ name: "a", source: "x/y" }] } }, istio);
        assert.deepStrictEqual(plan.modelServers.map((s) => s.input.extraArgs!.includes("--lora-modules")), [true, true]);
    });

    const cases: Array<[string, unknown, string, RegExp]> = [
        ["adapters not a list", { adapters: "a" }, "lora.adapters", /list/],
        ["an adapter without a name", { adapters: [{ source: "x/y" }] }, "lora.adapters[0].name", /non-empty/],
        ["an adapter name with a space", { adapters: [{ name: "food review", source: "x/y" }] }, "lora.adapters[0].name", /letters, digits/],
        ["an adapter twice", { adapters: [{ name: "a", source: "x" }, { name: "a", source: "y" }] }, "lora.adapters[1].name", /once/],
        ["an adapter with no source and no run-time loading", { adapters: [{ name: "a" }] }, "lora.adapters[0].source", /runtimeLoading/],
        ["no adapters and no run-time loading", { adapters: [] }, "lora.adapters", /at least one adapter/],
        ["fewer slots than start-up adapters", { adapters: [{ name: "a", source: "x" }, { name: "b", source: "y" }], maxLoras: 1 }, "lora.maxLoras", /at least the 2/],
        ["a rank vLLM does not support", { adapters: [{ name: "a", source: "x" }], maxLoraRank: 12 }, "lora.maxLoraRank", /8, 16, 32/],
        ["fewer CPU slots than GPU slots", { adapters: [{ name: "a", source: "x" }], maxLoras: 4, maxCpuLoras: 2 }, "lora.maxCpuLoras", /at least lora.maxLoras/],
        ["run-time loading as a string", { runtimeLoading: "yes" }, "lora.runtimeLoading", /true or false/],
        ["lora as a list", [], "lora", /object/],
    ];
    for (const [what, lora, field, expected] of cases) {
        it(`rejects ${what}, naming ${field}`, () => {
            assertConfigError(thrown(() => vllm(lora)), field, expected);
        });
    }

    it("rejects run-time loading on the simulator, naming lora.runtimeLoading", () => {
        assertConfigError(thrown(() => resolveLlmdModel("q", sim({ lora: { runtimeLoading: true } }), istio)), "lora.runtimeLoading", /simulator/);
    });
});

describe("LlmdModel: priorities and rewrites", () => {
    const withPolicies = (extra: Record<string, unknown>) =>
        resolveLlmdModel("llama", sim({ lora: { adapters: [{ name: "v1", source: "a/v1" }, { name: "v2", source: "a/v2" }] }, ...extra }), istio);

    it("InferenceObjectives and a weighted InferenceModelRewrite on the model's pool, valid against the pinned CRDs", () => {
        const plan = withPolicies({
            objectives: [{ name: "interactive", priority: 10 }, { name: "batch", priority: -10 }],
            rewrites: [{ name: "canary", models: ["review"], targets: [{ model: "v1", weight: 90 }, { model: "v2", weight: 10 }] }],
        });
        const [interactive, batch, canary] = plan.policies.objects;
        assert.deepStrictEqual(interactive.spec, { priority: 10, poolRef: { group: "inference.networking.k8s.io", kind: "InferencePool", name: "llama" } });
        assert.strictEqual((batch.spec as any).priority, -10);
        assert.deepStrictEqual((canary.spec as any).rules, [
            { targets: [{ modelRewrite: "v1", weight: 90 }, { modelRewrite: "v2", weight: 10 }], matches: [{ model: { type: "Exact", value: "review" } }] },
        ]);
        for (const object of plan.policies.objects) {
            assert.strictEqual(object.metadata.namespace, "llm-d");
            assert.deepStrictEqual(validateObject(object), [], object.kind);
        }
        assert.strictEqual(plan.policies.needsFlowControl, true);
        assert.strictEqual(withPolicies({}).policies.needsFlowControl, false);
    });

    it("objectives turn the router's flowControl feature gate on; without them it stays off", () => {
        const config = (extra: Record<string, unknown>) => {
            const router = renderRouter(resolveRouterSpec(withPolicies(extra).router));
            const map = router.find((o) => o.kind === "ConfigMap" && Object.keys(o.data as object).includes(ROUTER_CONFIG_FILE))!;
            return parse(Object.values(map.data as Record<string, string>)[0]);
        };
        assert.deepStrictEqual(config({ objectives: [{ name: "o", priority: 1 }] }).featureGates, ["flowControl"]);
        assert.strictEqual(config({}).featureGates, undefined);
    });

    it("a scheduler config of the user's own must turn flowControl on itself when the model has objectives", () => {
        const own = "apiVersion: llm-d.ai/v1alpha1\nkind: EndpointPickerConfig\nplugins:\n- type: queue-scorer\nschedulingProfiles:\n- name: default\n  plugins:\n  - pluginRef: queue-scorer\n";
        const objectives = [{ name: "o", priority: 1 }];
        assertConfigError(thrown(() => withPolicies({ objectives, router: { schedulerConfig: own } })), "router.schedulerConfig", /featureGates: \[flowControl\]/);
        assert.ok(withPolicies({ objectives, router: { schedulerConfig: `featureGates:\n- flowControl\n${own}` } }));
    });

    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
        ["a rewrite to a name the model does not serve", { rewrites: [{ name: "r", targets: [{ model: "v3" }] }] }, "rewrites[0].targets[0].model", /serves: Qwen\/Qwen3-0.6B, v1, v2/],
        ["a split without weights", { rewrites: [{ name: "r", targets: [{ model: "v1" }, { model: "v2" }] }] }, "rewrites[0].targets", /weight on every target/],
        ["a rewrite with no targets", { rewrites: [{ name: "r", targets: [] }] }, "rewrites[0].targets", /at least one/],
        ["a priority beyond int32", { objectives: [{ name: "o", priority: 3e9 }] }, "objectives[0].priority", /integer from/],
        ["an objective name that is not a DNS label", { objectives: [{ name: "Batch", priority: 1 }] }, "objectives[0].name", /lowercase/],
        ["an objective twice", { objectives: [{ name: "o", priority: 1 }, { name: "o", priority: 2 }] }, "objectives[1].name", /once/],
        ["objectives as an object", { objectives: { name: "o" } }, "objectives", /list/],
        ["a zero weight", { rewrites: [{ name: "r", targets: [{ model: "v1", weight: 0 }] }] }, "rewrites[0].targets[0].weight", /integer from 1/],
    ];
    for (const [what, extra, field, expected] of cases) {
        it(`rejects ${what}, naming ${field}`, () => {
            assertConfigError(thrown(() => withPolicies(extra)), field, expected);
        });
    }
});
