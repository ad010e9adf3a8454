/** Shared inputs and accessors for the model-server tests. */
import { AcceleratorPool } from "../../components/pool";
import { renderModelServer, resolveModelServer } from "../../components/render/model-server";
import { ModelServerInput } from "../../components/render/model-server-types";
import { K8sObject } from "../../components/render/types";

export const h100Pool: AcceleratorPool = {
    name: "h100",
    accelerator: "nvidia-h100",
    acceleratorsPerNode: 8,
    maxNodes: 4,
    nodeLabels: { "cloud.google.com/gke-nodepool": "h100", "cloud.google.com/gke-accelerator": "nvidia-h100-80gb" },
    taints: [
        { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" },
        { key: "llmd.dev/pool", value: "h100", effect: "NoSchedule" },
    ],
    interconnect: "gpudirect-tcpx",
    machineType: "a3-highgpu-8g",
};

export const tpuPool: AcceleratorPool = {
    name: "v6e",
    accelerator: "tpu-v6e",
    acceleratorsPerNode: 4,
    maxNodes: 1,
    nodeLabels: { "cloud.google.com/gke-tpu-accelerator": "tpu-v6e-slice", "cloud.google.com/gke-tpu-topology": "2x2" },
    taints: [{ key: "google.com/tpu", value: "present", effect: "NoSchedule" }],
    interconnect: "ici",
    machineType: "ct6e-standard-4t",
    tpuTopology: "2x2",
};

/** AKS ND H100 v5: InfiniBand through the NVIDIA Network Operator (`rdma/ib`), no catalog device names. */
export const h100IbPool: AcceleratorPool = {
    name: "ndh100",
    accelerator: "nvidia-h100",
    acceleratorsPerNode: 8,
    maxNodes: 4,
    nodeLabels: { "kubernetes.azure.com/agentpool": "ndh100" },
    taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
    interconnect: "infiniband",
    machineType: "Standard_ND96isr_H100_v5",
};

/** The HCA ports of an ND H100 v5 node as an Azure HPC image names them. */
export const ibDevices = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `mlx5_ib${i}:1`);

/** AKS ND MI300X v5: InfiniBand, AMD GPUs. */
export const mi300xIbPool: AcceleratorPool = {
    name: "ndmi300x",
    accelerator: "amd-mi300x",
    acceleratorsPerNode: 8,
    maxNodes: 4,
    nodeLabels: { "kubernetes.azure.com/agentpool": "ndmi300x" },
    taints: [{ key: "amd.com/gpu", value: "present", effect: "NoSchedule" }],
    interconnect: "infiniband",
    machineType: "Standard_ND96isr_MI300X_v5",
};

/** GKE A3 Ultra: RoCE through GKE multi-networking; the catalog knows the device names. */
export const h200RocePool: AcceleratorPool = {
    name: "a3u",
    accelerator: "nvidia-h200",
    acceleratorsPerNode: 8,
    maxNodes: 4,
    nodeLabels: { "cloud.google.com/gke-nodepool": "a3u", "cloud.google.com/gke-accelerator": "nvidia-h200-141gb" },
    taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
    interconnect: "roce",
    machineType: "a3-ultragpu-8g",
};

/** A multi-host TPU v6e slice: 4x4 on ct6e-standard-4t is 16 chips on 4 hosts. */
export const tpu4x4Pool: AcceleratorPool = {
    name: "v6e-4x4",
    accelerator: "tpu-v6e",
    acceleratorsPerNode: 4,
    maxNodes: 4,
    nodeLabels: {
        "cloud.google.com/gke-nodepool": "v6e-4x4",
        "cloud.google.com/gke-tpu-accelerator": "tpu-v6e-slice",
        "cloud.google.com/gke-tpu-topology": "4x4",
    },
    taints: [{ key: "google.com/tpu", value: "present", effect: "NoSchedule" }],
    interconnect: "ici",
    machineType: "ct6e-standard-4t",
    tpuTopology: "4x4",
};

export const base: ModelServerInput = {
    namespace: "llm-d",
    model: "Qwen/Qwen3-0.6B",
    accelerator: "nvidia-l4",
    poolLabels: { "llm-d.ai/guide": "demo" },
};

/** Resolves and renders; returns the single workload object. */
export function render(args: Partial<ModelServerInput>, name = "qwen", hfTokenGiven = false): K8sObject {
    const spec = resolveModelServer({ ...base, ...args }, { name, hfTokenGiven });
    const objects = renderModelServer(spec);
    if (objects.length !== 1) {
        throw new Error(`expected one object, got ${objects.length}`);
    }
    return objects[0];
}

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The pod templates of a workload: one for a Deployment, leader + worker for a LeaderWorkerSet. */
export function templates(obj: K8sObject): { leader: Json; worker?: Json } {
    const spec = obj.spec as Json;
    if (obj.kind === "Deployment") {
        return { leader: spec.template };
    }
    return { leader: spec.leaderWorkerTemplate.leaderTemplate, worker: spec.leaderWorkerTemplate.workerTemplate };
}

export function podSpec(obj: K8sObject): Json {
    return templates(obj).leader.spec;
}

export function vllm(obj: K8sObject): Json {
    return podSpec(obj).containers.find((c: Json) => c.name === "vllm");
}

export function envOf(container: Json): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const e of container.env ?? []) {
        out[e.name] = e.value ?? e.valueFrom;
    }
    return out;
}

/** The value following `flag` in an argument list, or undefined. */
export function flagValue(args: string[], flag: string): string | undefined {
    const i = args.indexOf(flag);
    return i < 0 ? undefined : args[i + 1];
}
