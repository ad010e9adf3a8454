import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { PRESETS, WELL_LIT_PATHS } from "../../components/catalog/presets";
import { resolveLlmdDeployment } from "../../components/render/llmd-deployment";
import { RecordedResource, SECRET } from "../../stacks/mock-engine";
import { deployLlmd } from "../support/deployment";
import { byName } from "../support/recorded";
import { catalogPool } from "../support/pools";

// InfiniBand pools need device names for NIXL/NCCL: llmd never guesses them.
const network = { rdmaDevices: ["mlx5_0:1", "mlx5_1:1"] };

const h100Pool = catalogPool("aks", "Standard_ND96isr_H100_v5", {
    name: "h100",
    maxNodes: 4,
    nodeLabels: { "cloud.google.com/gke-nodepool": "h100" },
    taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
});

describe("LlmdDeployment: resolving presets", () => {
    it("simulator: one combined role on the CPU simulator, small router, no LeaderWorkerSet", () => {
        const plan = resolveLlmdDeployment("llmd", { preset: "simulator" });
        assert.strictEqual(plan.modelServers.length, 1);
        const [server] = plan.modelServers;
        assert.strictEqual(server.role, "both");
        assert.strictEqual(server.input.simulator, true);
        assert.strictEqual(server.input.accelerator, "cpu");
        assert.strictEqual(plan.installLeaderWorkerSet, false);
        assert.strictEqual(plan.router.resources?.cpuRequest, "250m");
        assert.deepStrictEqual(plan.router.modelServerSelector, { "llm-d.ai/inference-serving": "true", "llm-d.ai/guide": "llmd" });
    });

    it("pd-disaggregation: decode and prefill with NIXL, both selected by the same pool labels", () => {
        const plan = resolveLlmdDeployment("llmd", { preset: "pd-disaggregation", pools: [h100Pool], network });
        assert.deepStrictEqual(plan.modelServers.map((s) => s.role), ["decode", "prefill"]);
        for (const server of plan.modelServers) {
            assert.strictEqual(server.input.pd?.kvTransfer, "nixl");
            assert.deepStrictEqual(server.input.poolLabels, plan.router.modelServerSelector);
            assert.strictEqual(server.input.pool?.name, "h100");
        }
        assert.strictEqual(plan.router.schedulerProfile, "pd-disaggregation");
    });

    it("precise-prefix-cache: vLLM binds KV events on its pod for the router to dial, one router tokenises the model", () => {
        const plan = resolveLlmdDeployment("llmd", { preset: "precise-prefix-cache", namespace: "serving" });
        assert.deepStrictEqual(plan.modelServers[0].input.kvEvents, { enabled: true });
        assert.strictEqual(plan.router.kvEventsListener, false);
        assert.strictEqual(plan.router.tokenizerModel, PRESETS["precise-prefix-cache"].model);
        assert.strictEqual(plan.router.replicas, 1);
    });

    it("precise-prefix-cache on the simulator: the simulator connects to the router's central socket", () => {
        const plan = resolveLlmdDeployment("llmd", { preset: "precise-prefix-cache", namespace: "serving", simulate: true });
        assert.strictEqual(plan.modelServers[0].input.kvEvents?.endpoint, "tcp://llmd-router-epp.serving.svc.cluster.local:5557");
        assert.strictEqual(plan.router.kvEventsListener, true);
    });

    it("the former preset name inference-scheduling resolves to optimized-baseline", () => {
        assert.strictEqual(resolveLlmdDeployment("llmd", { preset: "inference-scheduling" }).preset, "optimized-baseline");
        assert.strictEqual(resolveLlmdDeployment("llmd", {}).preset, "optimized-baseline");
    });

    it("wide-ep: two-node LeaderWorkerSets, the controller installed, one pool port per local rank", () => {
        const plan = resolveLlmdDeployment("llmd", { preset: "wide-ep", pools: [h100Pool], network });
        assert.strictEqual(plan.installLeaderWorkerSet, true);
        assert.deepStrictEqual(plan.router.targetPorts, [8000, 8001, 8002, 8003, 8004, 8005, 8006, 8007]);
        for (const server of plan.modelServers) {
            assert.strictEqual(server.input.nodesPerReplica, 2);
            assert.strictEqual(server.input.dataParallelSizeLocal, 8);
        }
    });

    it("overrides win over the preset, field by field", () => {
        const plan = resolveLlmdDeployment("llmd", {
            preset: "inference-scheduling",
            model: "meta-llama/Llama-3.1-8B-Instruct",
            servedModelName: "llama",
            pools: [h100Pool],
            decode: { replicas: 3, tensorParallelSize: 1, extraArgs: ["--max-model-len=8192"] },
            gateway: { implementation: "agentgateway" },
        });
        const [server] = plan.modelServers;
        assert.strictEqual(server.input.replicas, 3);
        assert.strictEqual(server.input.tensorParallelSize, 1);
        assert.deepStrictEqual(server.input.extraArgs, ["--max-model-len=8192"]);
        assert.strictEqual(server.input.servedModelName, "llama");
        assert.strictEqual(plan.gateway.implementation, "agentgateway");
    });

    it("sizes capacity from how a replica spreads: TP 16 over two 8-GPU nodes fits, a third replica does not", () => {
        const tensorAcrossNodes = { replicas: 2, tensorParallelSize: 16, nodesPerReplica: 2 };
        const plan = resolveLlmdDeployment("llmd", { pools: [h100Pool], network, decode: tensorAcrossNodes });
        assert.strictEqual(plan.installLeaderWorkerSet, true);
        assert.throws(
            () => resolveLlmdDeployment("llmd", { pools: [h100Pool], network, decode: { ...tensorAcrossNodes, replicas: 3 } }),
            /^LlmdConfigError: decode\.replicas: got 3; needs 6 nodes of pool h100 \(8 nvidia-h100 per pod\), but the pool has at most 4$/,
        );
    });

    it("picks the cluster's only accelerator when the preset's is absent", () => {
        const l4 = catalogPool("gke", "g2-standard-48", { name: "l4", maxNodes: 4, nodeLabels: {}, taints: [] });
        const plan = resolveLlmdDeployment("llmd", { pools: [l4], decode: { tensorParallelSize: 1, replicas: 4 } });
        assert.strictEqual(plan.modelServers[0].input.accelerator, "nvidia-l4");
    });

    it("every preset resolves with its own defaults on a cluster that has its accelerator", () => {
        for (const preset of WELL_LIT_PATHS) {
            const pools = PRESETS[preset].accelerator === "cpu" ? [] : [h100Pool];
            assert.doesNotThrow(() => resolveLlmdDeployment("llmd", { preset, pools, network: pools.length ? network : undefined }), preset);
        }
    });
});

describe("LlmdDeployment: the component", () => {
    it("wires the gateway, router and model servers to the provider, under the deployment", async () => {
        const resources = await deployLlmd({ preset: "simulator" });
        const provider = byName(resources, "k8s");
        const deployment = byName(resources, "llmd");
        const kubernetesObjects = resources.filter((r) => r.type.startsWith("kubernetes:"));
        assert.ok(kubernetesObjects.length > 20);
        for (const r of kubernetesObjects) {
            assert.ok(r.provider?.startsWith(provider.urn), `${r.name} does not use the given provider`);
        }
        for (const child of ["llmd-gateway", "llmd-router", "llmd-both", "llmd-namespace"]) {
            assert.strictEqual(byName(resources, child).parent, deployment.urn, child);
        }
    });

    it("makes the InferencePool, HTTPRoute and Gateway wait for their CRDs", async () => {
        const resources = await deployLlmd({ preset: "simulator" });
        const poolCrd = byName(resources, "llmd-gateway-crd-inferencepools.inference.networking.k8s.io");
        const routeCrd = byName(resources, "llmd-gateway-crd-httproutes.gateway.networking.k8s.io");
        const gatewayCrd = byName(resources, "llmd-gateway-crd-gateways.gateway.networking.k8s.io");
        assert.ok(byName(resources, "llmd-router-pool").dependencies.includes(poolCrd.urn));
        assert.ok(byName(resources, "llmd-router-route").dependencies.includes(routeCrd.urn));
        assert.ok(byName(resources, "llmd-gateway-gateway").dependencies.includes(gatewayCrd.urn));
    });

    it("makes multi-node model servers wait for the LeaderWorkerSet controller", async () => {
        const resources = await deployLlmd({ preset: "wide-ep", pools: [h100Pool], network });
        const chart = byName(resources, "llmd-lws-chart");
        for (const role of ["decode", "prefill"]) {
            const workload = byName(resources, `llmd-${role}-workload`);
            assert.strictEqual(workload.inputs.kind, "LeaderWorkerSet");
            assert.ok(workload.dependencies.includes(chart.urn), `${role} does not wait for LWS`);
        }
    });

    it("keeps the Hugging Face token secret all the way into the Kubernetes Secret", async () => {
        const resources = await deployLlmd({ preset: "simulator", hfToken: pulumi.secret("hf_do_not_print") });
        const secret = resources.find((r) => r.type === "kubernetes:core/v1:Secret");
        assert.ok(secret, "no Secret created for the token");
        assert.deepStrictEqual(secret.inputs.stringData, { HF_TOKEN: SECRET });
        assert.ok(!JSON.stringify(resources).includes("hf_do_not_print"));
    });

    it("evaluates in preview, with unknown outputs, without hanging", async () => {
        const resources = await deployLlmd({ preset: "pd-disaggregation", pools: [h100Pool], network }, true);
        assert.ok(resources.some((r) => r.name === "llmd-prefill-workload"));
    });

    it("keeps each multi-node group in one topology domain through Kueue when asked", async () => {
        // The topology's labels come from the platform when the TAS settings do not repeat it.
        const resources = await deployLlmd({ preset: "wide-ep", pools: [h100Pool], network, platform: "aks", topologyAwareScheduling: {} });
        const localQueue = resources.find((r) => r.inputs.kind === "LocalQueue");
        assert.ok(localQueue, "no LocalQueue");
        for (const role of ["decode", "prefill"]) {
            const workload = byName(resources, `llmd-${role}-workload`) as RecordedResource & { inputs: any };
            assert.strictEqual(workload.inputs.metadata.labels["kueue.x-k8s.io/queue-name"], (localQueue.inputs.metadata as { name: string }).name);
            const annotations = workload.inputs.spec.leaderWorkerTemplate.workerTemplate.metadata.annotations;
            assert.strictEqual(annotations["kueue.x-k8s.io/podset-required-topology"], "kubernetes.azure.com/agentpool");
            assert.ok(workload.dependencies.includes(localQueue.urn), `${role} does not wait for its queue`);
        }
    });

    it("creates no namespace when told the namespace exists", async () => {
        const resources = await deployLlmd({ preset: "simulator", createNamespace: false, namespace: "team-a" });
        assert.ok(!resources.some((r) => r.type === "kubernetes:core/v1:Namespace" && r.name === "llmd-namespace"));
        assert.strictEqual((byName(resources, "llmd-router-pool").inputs.metadata as { namespace: string }).namespace, "team-a");
    });
});
