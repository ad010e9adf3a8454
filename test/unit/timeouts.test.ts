import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import { LlmdConfigError } from "../../components/errors";
import { ModelServer, ModelServerArgs } from "../../components/model-server";
import { STARTUP_MARGIN_SECONDS, startupProbeBudgetSeconds, workloadStartupBudgetSeconds, workloadTimeouts } from "../../components/render/timeouts";
import { runWithMocks } from "../../stacks/mock-engine";
import { one } from "../support/recorded";
import { h100Pool, render, vllm } from "./model-server-fixtures";

/** Minutes in a Pulumi duration string of whole minutes ("76m"). */
function minutes(duration: string): number {
    const m = /^(\d+)m$/.exec(duration);
    assert.ok(m, duration);
    return Number(m[1]);
}

describe("workload timeouts", () => {
    it("the budget is initialDelay + failureThreshold x period, with Kubernetes' defaults", () => {
        assert.strictEqual(startupProbeBudgetSeconds({ initialDelaySeconds: 15, periodSeconds: 30, failureThreshold: 120 }), 3615);
        assert.strictEqual(startupProbeBudgetSeconds({}), 30);
    });

    it("covers the vLLM startup probe of the rendered workload, plus the margin, for Deployments and LeaderWorkerSets", () => {
        const single = render({});
        const group = render({ accelerator: "nvidia-h100", pool: h100Pool, nodesPerReplica: 2, tensorParallelSize: 16, network: { allowTcp: true } });
        assert.strictEqual(group.kind, "LeaderWorkerSet");
        for (const workload of [single, group]) {
            const probe = vllm(workload).startupProbe;
            const budget = startupProbeBudgetSeconds(probe);
            assert.ok(budget >= 3600, `vLLM's probe allows ${budget}s`);
            assert.strictEqual(workloadStartupBudgetSeconds(workload), budget);
            const t = workloadTimeouts(workload);
            assert.ok(minutes(t.create) * 60 >= budget + STARTUP_MARGIN_SECONDS, t.create);
            assert.ok(minutes(t.create) * 60 < budget + STARTUP_MARGIN_SECONDS + 60, t.create);
            assert.strictEqual(t.update, t.create);
        }
    });

    it("is never below Pulumi's own 10 minutes, even for the simulator's short probe", () => {
        const sim = render({ simulator: true, accelerator: undefined });
        assert.ok(workloadStartupBudgetSeconds(sim) < 300);
        assert.ok(minutes(workloadTimeouts(sim).create) >= 10);
    });

    it("takes the user's timeouts and rejects ones Pulumi would not parse", () => {
        assert.deepStrictEqual(workloadTimeouts(render({}), { create: "3h", update: "90m" }), { create: "3h", update: "90m" });
        assert.throws(() => workloadTimeouts(render({}), { create: "ninety minutes" }), (e: unknown) => e instanceof LlmdConfigError && e.field === "workloadTimeouts.create");
    });

    it("the ModelServer component registers its workload with those timeouts and outputs them", async () => {
        const args: ModelServerArgs = { namespace: "llm-d", model: "Qwen/Qwen3-0.6B", accelerator: "nvidia-l4", poolLabels: { "llm-d.ai/guide": "demo" } };
        const expected = workloadTimeouts(render({}));
        for (const [given, want] of [[undefined, expected], [{ update: "4h" }, { ...expected, update: "4h" }]] as const) {
            let output: unknown;
            const { resources } = await runWithMocks(
                async () => {
                    const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
                    const server = new ModelServer("qwen", { ...args, workloadTimeouts: given, kubernetesProvider: provider });
                    output = await new Promise((resolve) => server.workloadTimeouts.apply(resolve));
                },
                { stack: "test", preview: false },
            );
            const workload = one(resources, "kubernetes:apps/v1:Deployment", "qwen-workload");
            assert.deepStrictEqual(workload.customTimeouts, { ...want, delete: "" });
            assert.deepStrictEqual(output, want);
            assert.deepStrictEqual(workload.ignoreChanges, []);
        }
    });

    it("an autoscaled ModelServer leaves its replica count to the autoscaler", async () => {
        const { resources } = await runWithMocks(
            async () => {
                const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
                new ModelServer("qwen", { namespace: "llm-d", model: "Qwen/Qwen3-0.6B", accelerator: "nvidia-l4", autoscaled: true, kubernetesProvider: provider });
            },
            { stack: "test", preview: false },
        );
        assert.deepStrictEqual(one(resources, "kubernetes:apps/v1:Deployment", "qwen-workload").ignoreChanges, ["spec.replicas"]);
    });
});
