/**
 * Accelerator pools for tests. Machine type, accelerators per node and fabric come from the catalog, so a
 * fixture cannot claim hardware the catalog does not describe (one once called a3-highgpu-8g RoCE).
 */
import { ACCELERATORS, CloudProvider } from "../../components/catalog/accelerators";
import { AcceleratorPool } from "../../components/pool";

/** A pool of `machineType` on `provider`, with the catalog's accelerator, size per node and interconnect. */
export function catalogPool(
    provider: CloudProvider,
    machineType: string,
    pool: Pick<AcceleratorPool, "name" | "maxNodes" | "nodeLabels" | "taints"> & { tpuTopology?: string },
): AcceleratorPool {
    for (const spec of Object.values(ACCELERATORS)) {
        const offer = spec.offers[provider]?.find((o) => o.machineType === machineType);
        if (offer) {
            return { ...pool, accelerator: spec.id, acceleratorsPerNode: offer.acceleratorsPerNode, interconnect: offer.interconnect, machineType };
        }
    }
    throw new Error(`the catalog has no ${machineType} on ${provider}`);
}

const nvidiaTaint = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" };
const tpuTaint = { key: "google.com/tpu", value: "present", effect: "NoSchedule" };

/** GKE A3 High (8x H100, GPUDirect-TCPX: no RDMA for NIXL), with a second, pool-specific taint. */
export const h100Pool = catalogPool("gke", "a3-highgpu-8g", {
    name: "h100",
    maxNodes: 4,
    nodeLabels: { "cloud.google.com/gke-nodepool": "h100", "cloud.google.com/gke-accelerator": "nvidia-h100-80gb" },
    taints: [nvidiaTaint, { key: "llmd.dev/pool", value: "h100", effect: "NoSchedule" }],
});

/** A single-host TPU v6e slice: 2x2 on ct6e-standard-4t. */
export const tpuPool = catalogPool("gke", "ct6e-standard-4t", {
    name: "v6e",
    maxNodes: 1,
    nodeLabels: { "cloud.google.com/gke-tpu-accelerator": "tpu-v6e-slice", "cloud.google.com/gke-tpu-topology": "2x2" },
    taints: [tpuTaint],
    tpuTopology: "2x2",
});

/** A multi-host TPU v6e slice: 4x4 on ct6e-standard-4t is 16 chips on 4 hosts. */
export const tpu4x4Pool = catalogPool("gke", "ct6e-standard-4t", {
    name: "v6e-4x4",
    maxNodes: 4,
    nodeLabels: {
        "cloud.google.com/gke-nodepool": "v6e-4x4",
        "cloud.google.com/gke-tpu-accelerator": "tpu-v6e-slice",
        "cloud.google.com/gke-tpu-topology": "4x4",
    },
    taints: [tpuTaint],
    tpuTopology: "4x4",
});

/** AKS ND H100 v5: InfiniBand through the NVIDIA Network Operator (`rdma/ib`), no catalog device names. */
export const h100IbPool = catalogPool("aks", "Standard_ND96isr_H100_v5", {
    name: "ndh100",
    maxNodes: 4,
    nodeLabels: { "kubernetes.azure.com/agentpool": "ndh100" },
    taints: [nvidiaTaint],
});

/** The HCA ports of an ND H100 v5 node as an Azure HPC image names them. */
export const ibDevices = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `mlx5_ib${i}:1`);

/** AKS ND MI300X v5: InfiniBand, AMD GPUs. */
export const mi300xIbPool = catalogPool("aks", "Standard_ND96isr_MI300X_v5", {
    name: "ndmi300x",
    maxNodes: 4,
    nodeLabels: { "kubernetes.azure.com/agentpool": "ndmi300x" },
    taints: [{ key: "amd.com/gpu", value: "present", effect: "NoSchedule" }],
});

/** GKE A3 Ultra (8x H200): RoCE through GKE multi-networking, `rdma-0`..`rdma-7`; the catalog knows the devices. */
export const h200RocePool = catalogPool("gke", "a3-ultragpu-8g", {
    name: "a3u",
    maxNodes: 4,
    nodeLabels: { "cloud.google.com/gke-nodepool": "a3u", "cloud.google.com/gke-accelerator": "nvidia-h200-141gb" },
    taints: [nvidiaTaint],
});
