import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LlmdConfigError } from "../../components/errors";
import { ModelServer, ModelServerArgs } from "../../components/model-server";
import { RecordedResource, runWithMocks, SECRET } from "../../stacks/mock-engine";
import { h100IbPool, h100Pool, ibDevices } from "./model-server-fixtures";

interface Run {
    resources: RecordedResource[];
    component: RecordedResource;
    children: RecordedResource[];
    provider: RecordedResource;
    dependency: RecordedResource;
    outputs: { workloadName?: string; role?: string; namespace?: string };
}

function outputValue(o: pulumi.Output<string>): Promise<string | undefined> {
    return new Promise((resolve) => o.apply((v) => resolve(v)));
}

async function run(args: Omit<ModelServerArgs, "kubernetesProvider">, preview = false, name = "qwen"): Promise<Run> {
    const { resources, result } = await runWithMocks(
        async () => {
            const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
            // Stands in for the LWS controller the caller waits on.
            const controller = new k8s.core.v1.Namespace("lws-system", { metadata: { name: "lws-system" } }, { provider });
            const server = new ModelServer(name, { ...args, kubernetesProvider: provider }, { dependsOn: [controller] });
            if (preview) {
                return {};
            }
            return {
                workloadName: await outputValue(server.workloadName),
                role: await outputValue(server.role),
                namespace: await outputValue(server.namespace),
            };
        },
        { stack: "test", preview },
    );
    const component = resources.find((r) => r.type === "llmd:index:ModelServer")!;
    return {
        resources,
        component,
        children: resources.filter((r) => r.parent === component.urn),
        provider: resources.find((r) => r.type === "pulumi:providers:kubernetes")!,
        dependency: resources.find((r) => r.name === "lws-system")!,
        outputs: result,
    };
}

const single: Omit<ModelServerArgs, "kubernetesProvider"> = {
    namespace: "llm-d",
    model: "Qwen/Qwen3-0.6B",
    accelerator: "nvidia-l4",
    poolLabels: { "llm-d.ai/guide": "demo" },
};

describe("ModelServer component", () => {
    it("creates the HF token Secret and the Deployment as children on the given provider", async () => {
        const r = await run({ ...single, hfToken: "hf_supersecret" });
        assert.deepStrictEqual(r.children.map((c) => `${c.type}::${c.name}`).sort(), [
            "kubernetes:apps/v1:Deployment::qwen-workload",
            "kubernetes:core/v1:Secret::qwen-hf-token",
        ]);
        for (const child of r.children) {
            assert.ok(child.provider?.startsWith(`${r.provider.urn}::`), `${child.name} provider ${child.provider}`);
        }
        assert.strictEqual(r.component.parent?.endsWith("pulumi:pulumi:Stack::llmd-test"), true);
        assert.deepStrictEqual(r.outputs, { workloadName: "qwen", role: "both", namespace: "llm-d" });
    });

    it("keeps the HF token secret and never records it in plain text", async () => {
        const r = await run({ ...single, hfToken: "hf_supersecret" });
        const secret = r.children.find((c) => c.type === "kubernetes:core/v1:Secret")!;
        // The Kubernetes SDK marks all of stringData secret; the plan keeps its key with the marker as value.
        assert.deepStrictEqual(secret.inputs.stringData, { HF_TOKEN: SECRET });
        assert.deepStrictEqual(secret.secretPaths, ["stringData.HF_TOKEN"]);
        assert.strictEqual(JSON.stringify(r.resources).includes("hf_supersecret"), false);
        const deployment = r.children.find((c) => c.type === "kubernetes:apps/v1:Deployment")!;
        const env = (deployment.inputs as any).spec.template.spec.containers[0].env;
        assert.deepStrictEqual(env.find((e: any) => e.name === "HF_TOKEN").valueFrom.secretKeyRef, { name: "qwen-hf-token", key: "HF_TOKEN" });
        // The workload waits for its Secret and for what the caller depends on.
        assert.ok(deployment.dependencies.includes(secret.urn));
        assert.ok(deployment.dependencies.includes(r.dependency.urn));
    });

    it("accepts a token that is already an Output secret", async () => {
        const r = await run({ ...single, hfToken: pulumi.secret("hf_fromconfig") });
        const secret = r.children.find((c) => c.type === "kubernetes:core/v1:Secret")!;
        assert.deepStrictEqual(secret.inputs.stringData, { HF_TOKEN: SECRET });
    });

    it("creates no Secret when none is asked for", async () => {
        const r = await run({ ...single, hfTokenSecretName: "llm-d-hf-token" });
        assert.deepStrictEqual(r.children.map((c) => c.type), ["kubernetes:apps/v1:Deployment"]);
    });

    it("passes dependsOn to a LeaderWorkerSet (the LWS controller) with namespace and typed kind", async () => {
        const r = await run({ ...single, accelerator: "nvidia-h100", pool: h100IbPool, network: { rdmaDevices: ibDevices }, nodesPerReplica: 2, enableExpertParallel: true, role: "decode" });
        const lws = r.children.find((c) => c.type === "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet")!;
        assert.ok(lws, r.children.map((c) => c.type).join(","));
        assert.ok(lws.dependencies.includes(r.dependency.urn));
        assert.strictEqual((lws.inputs as any).metadata.namespace, "llm-d");
        assert.strictEqual((lws.inputs as any).spec.leaderWorkerTemplate.size, 2);
        assert.ok(lws.provider?.startsWith(`${r.provider.urn}::`));
        assert.strictEqual(r.outputs.role, "decode");
    });

    it("does not hang or throw in preview, where outputs are unknown", async () => {
        const r = await run({ ...single, hfToken: "hf_x", accelerator: "nvidia-h100", pool: h100Pool, nodesPerReplica: 2, network: { allowTcp: true } }, true);
        assert.strictEqual(r.children.length, 2);
    });

    it("throws a config error before creating any child", async () => {
        let caught: unknown;
        const { resources } = await runWithMocks(
            () => {
                try {
                    new ModelServer("bad", { ...single, accelerator: "nvidia-l4", tensorParallelSize: 4, pool: { ...h100Pool, accelerator: "nvidia-l4", acceleratorsPerNode: 2 } });
                } catch (err) {
                    caught = err;
                }
            },
            { stack: "test", preview: false },
        );
        assert.ok(caught instanceof LlmdConfigError);
        assert.strictEqual(caught.field, "tensorParallelSize");
        const component = resources.find((r) => r.type === "llmd:index:ModelServer");
        assert.deepStrictEqual(resources.filter((r) => component && r.parent === component.urn), []);
        assert.deepStrictEqual(resources.filter((r) => r.type.startsWith("kubernetes:")), []);
    });
});
