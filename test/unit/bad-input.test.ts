import * as k8s from "@pulumi/kubernetes";
import { LlmdDeployment, LlmdDeploymentArgs } from "../../components/llmd";
import { expectConstructionError } from "../support/config-errors";
import { catalogPool } from "../support/pools";

const h100x8 = catalogPool("aks", "Standard_ND96isr_H100_v5", { name: "h100", maxNodes: 2, nodeLabels: {}, taints: [] });
// DigitalOcean's 8x H100 droplets have no RDMA fabric between nodes.
const h100NoFabric = catalogPool("digitalocean", "gpu-h100x8-640gb", { name: "h100-tcp", maxNodes: 2, nodeLabels: {}, taints: [] });

// Each case: the arguments, the field the message must name, and a fragment of what would be valid.
const cases: Array<[string, Partial<LlmdDeploymentArgs> & Record<string, unknown>, string, RegExp]> = [
    ["unknown preset", { preset: "fast" as never }, "preset", /expected one of optimized-baseline, pd-disaggregation, .* or the former name inference-scheduling \(now optimized-baseline\)/],
    ["unknown accelerator", { accelerator: "nvidia-k80" as never }, "accelerator", /expected one of nvidia-l4/],
    ["empty model name", { model: "  " }, "model", /non-empty string/],
    ["namespace not a DNS label", { namespace: "LLM_D" }, "namespace", /lowercase letters, digits and '-'/],
    ["negative decode replicas", { decode: { replicas: -1 } }, "decode.replicas", /integer >= 0/],
    ["fractional replicas", { decode: { replicas: 1.5 } }, "decode.replicas", /integer >= 0/],
    ["TP larger than the node's GPUs", { preset: "inference-scheduling", pools: [h100x8], decode: { tensorParallelSize: 16 } }, "decode.tensorParallelSize", /node has 8 accelerators \(set nodesPerReplica above 1 to span nodes\)/],
    ["more GPUs than the pool has", { preset: "inference-scheduling", pools: [h100x8], decode: { replicas: 40, tensorParallelSize: 1 } }, "decode.replicas", /pool has at most 2/],
    ["prefill on a preset without prefill", { prefill: { replicas: 2 } }, "prefill.replicas", /has no prefill role/],
    ["prefill without decode", { preset: "pd-disaggregation", pools: [h100x8], decode: { replicas: 0 } }, "decode.replicas", /need decode servers/],
    ["P/D on the simulator with zero prefill", { preset: "pd-disaggregation", simulate: true, prefill: { replicas: 0 } }, "prefill.replicas", /expected at least 1/],
    ["simulator with a GPU", { preset: "simulator", accelerator: "nvidia-h100" }, "accelerator", /simulator runs on CPU/],
    ["wide-ep on the simulator", { preset: "wide-ep", simulate: true }, "simulate", /one pod per replica/],
    ["P/D on CPU vLLM", { preset: "pd-disaggregation", accelerator: "cpu" }, "accelerator", /needs GPUs or TPUs/],
    ["accelerator the cluster lacks", { preset: "inference-scheduling", accelerator: "amd-mi300x", pools: [h100x8] }, "accelerator", /no amd-mi300x pool; its pools: h100/],
    ["pool that does not exist", { preset: "inference-scheduling", pools: [h100x8], decode: { pool: "a100" } }, "decode.pool", /expected one of the cluster's pools: h100/],
    ["P/D across nodes with no fast network", { preset: "pd-disaggregation", pools: [h100NoFabric] }, "network.allowTcp", /TCP/],
    ["P/D over InfiniBand with no RDMA device", { preset: "pd-disaggregation", pools: [h100x8] }, "network.rdmaDevices", /./],
    ["topology scheduling with no pools", { preset: "wide-ep", pools: [], accelerator: "nvidia-h100", topologyAwareScheduling: { clusterProvider: "gke" } }, "topologyAwareScheduling.pools", /./],
    ["Kubernetes below 1.29", { kubernetesVersion: "1.27" }, "kubernetesVersion", /1\.29 or newer/],
    ["unknown gateway", { gateway: { implementation: "traefik" as never } }, "gateway.implementation", /istio, agentgateway, kgateway, gke, none/],
    ["unknown router failure mode", { router: { failureMode: "Sometimes" as never } }, "router.failureMode", /FailOpen/],
    ["zero router replicas", { router: { replicas: 0 } }, "router.replicas", /integer/],
    ["bad model source", { model: "Qwen/Qwen3-0.6B", modelSource: "s3://bucket/model" }, "modelSource", /hf:\/\/|pvc:\/\//],
    ["zero nodes per replica", { preset: "inference-scheduling", pools: [h100x8], decode: { nodesPerReplica: 0 } }, "decode.nodesPerReplica", /./],
    ["empty command for a role", { decode: { command: [] } }, "decode.command", /./],
    ["a topology provider contradicting the platform", { preset: "wide-ep", pools: [h100x8], network: { rdmaDevices: ["mlx5_0:1"] }, platform: "gke", topologyAwareScheduling: { clusterProvider: "aks" } }, "topologyAwareScheduling.clusterProvider", /platform is gke/],
    ["topology scheduling with neither provider nor platform", { preset: "wide-ep", pools: [h100x8], network: { rdmaDevices: ["mlx5_0:1"] }, topologyAwareScheduling: {} }, "topologyAwareScheduling.clusterProvider", /set it \(or platform\)/],
    ["wide-EP roles serving different ports per pod", { preset: "wide-ep", pools: [h100x8], network: { rdmaDevices: ["mlx5_0:1"] }, prefill: { tensorParallelSize: 2, dataParallelSize: 8, dataParallelSizeLocal: 4 } }, "prefill.dataParallelSizeLocal", /pool targets 8000, 8001, .*8007 on every pod it selects/],
    ["role settings not an object", { decode: "big" as never }, "decode", /expected an object/],
];

describe("LlmdDeployment: bad input is rejected at construction", () => {
    for (const [title, args, field, valid] of cases) {
        it(`${title}: names ${field}`, () =>
            expectConstructionError(() => {
                const kubernetesProvider = new k8s.Provider("k8s", { kubeconfig: "fake" });
                new LlmdDeployment("llmd", { preset: "simulator", ...args, kubernetesProvider } as LlmdDeploymentArgs);
            }, field, valid));
    }
});
