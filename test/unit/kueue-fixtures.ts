import { AcceleratorPool } from "../../components/pool";
import { catalogPool, h100IbPool, h200RocePool } from "../support/pools";

/** GKE A3 H100 pool: 2 nodes of 8 GPUs. */
export const gkeH100 = catalogPool("gke", "a3-highgpu-8g", {
    name: "h100",
    maxNodes: 2,
    nodeLabels: { "cloud.google.com/gke-nodepool": "h100", "cloud.google.com/gke-accelerator": "nvidia-h100-80gb" },
    taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
});

/** GKE TPU v6e 4x4 multi-host slice: 4 hosts of 4 chips. */
export const gkeV6e: AcceleratorPool = {
    name: "v6e-4x4",
    accelerator: "tpu-v6e",
    acceleratorsPerNode: 4,
    maxNodes: 4,
    nodeLabels: { "cloud.google.com/gke-nodepool": "v6e-4x4", "cloud.google.com/gke-tpu-topology": "4x4" },
    taints: [{ key: "google.com/tpu", value: "present", effect: "NoSchedule" }],
    interconnect: "ici",
    tpuTopology: "4x4",
};

/** AKS MI300X pool: 2 nodes of 8 GPUs, a taint with no value. */
export const aksMi300x: AcceleratorPool = {
    name: "mi300x",
    accelerator: "amd-mi300x",
    acceleratorsPerNode: 8,
    maxNodes: 2,
    nodeLabels: { "kubernetes.azure.com/agentpool": "mi300x" },
    taints: [{ key: "amd.com/gpu", effect: "NoSchedule" }],
    interconnect: "infiniband",
};

/** AKS H100 pool next to the MI300X one. */
export const aksH100: AcceleratorPool = {
    name: "h100",
    accelerator: "nvidia-h100",
    acceleratorsPerNode: 8,
    maxNodes: 3,
    nodeLabels: { "kubernetes.azure.com/agentpool": "h100" },
    taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
    interconnect: "infiniband",
};

/** DigitalOcean H100x8 pool. */
export const doH100: AcceleratorPool = {
    name: "gpu",
    accelerator: "nvidia-h100",
    acceleratorsPerNode: 8,
    maxNodes: 1,
    nodeLabels: { "doks.digitalocean.com/node-pool": "gpu" },
    taints: [{ key: "nvidia.com/gpu", effect: "NoSchedule" }],
    interconnect: "none",
};

/** A CPU pool on a kind cluster (no accelerator resource). */
export const kindCpu: AcceleratorPool = {
    name: "cpu",
    accelerator: "cpu",
    acceleratorsPerNode: 0,
    maxNodes: 1,
    nodeLabels: { "kubernetes.io/os": "linux" },
    taints: [],
    interconnect: "none",
};

/** GKE A3 Ultra (H200): RoCE through GKE multi-networking, `rdma-0`..`rdma-7`. */
export const gkeA3Ultra = h200RocePool;

/** AKS ND H100 v5: InfiniBand through the NVIDIA Network Operator (`rdma/ib`), 3 nodes. */
export const aksNdH100: AcceleratorPool = { ...h100IbPool, maxNodes: 3 };
