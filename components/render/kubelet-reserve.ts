/**
 * What each cloud's kubelet keeps back from pods on a node (kube-reserved, system-reserved and the hard
 * eviction threshold), from the formula or table the provider publishes. A wrong reserve makes the fit check
 * in node-allocatable.ts refuse pods that fit or pass pods that stay Pending, so each figure names its page,
 * and where a provider publishes nothing for a size the estimate used errs towards reserving more.
 * Pure.
 */
import { CloudProvider } from "../catalog/accelerators";

/** CPU (cores) and memory (GiB) the kubelet keeps back on one node. */
export interface KubeletReserve {
    cpu: number;
    memoryGiB: number;
}

const MIB = 1 / 1024;

/** Applies tiered percentages: `tiers` are `[size of the tier, fraction]`, the last tier open-ended. */
function tiered(amount: number, tiers: readonly [number, number][]): number {
    let rest = amount;
    let reserved = 0;
    for (const [size, fraction] of tiers) {
        const part = Math.min(rest, size);
        reserved += part * fraction;
        rest -= part;
    }
    return reserved;
}

/**
 * GKE, https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes#memory_and_cpu_reservations:
 * CPU 6% of the first core, 1% of the next, 0.5% of the next two, 0.25% of the rest; memory 255 MiB below
 * 1 GiB, else 25% of the first 4 GiB, 20% of the next 4, 10% of the next 8, 6% of the next 112 and 2% of the
 * rest, plus the 100 MiB eviction threshold. (GKE's own autoscaler computes the tiers in units of 1000 MiB,
 * kubernetes/autoscaler cluster-autoscaler/cloudprovider/gce/reserved.go, which reserves about 160 MiB less on
 * large nodes than the GiB tiers the page states; the page's figure is kept, the larger of the two.)
 */
export function gkeReserve(vcpus: number, memoryGiB: number): KubeletReserve {
    return {
        cpu: tiered(vcpus, [[1, 0.06], [1, 0.01], [2, 0.005], [Infinity, 0.0025]]),
        memoryGiB: (memoryGiB < 1 ? 255 * MIB : tiered(memoryGiB, [[4, 0.25], [4, 0.2], [8, 0.1], [112, 0.06], [Infinity, 0.02]])) + 100 * MIB,
    };
}

/**
 * Pods per node AKS allows by default with Azure CNI Overlay, the network llmd's AksCluster creates
 * (https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning#maximum-pods-per-node); AKS's
 * memory reserve grows with it.
 */
export const AKS_DEFAULT_MAX_PODS = 250;

/**
 * AKS 1.29 and later, https://learn.microsoft.com/azure/aks/node-resource-reservations: CPU from the published
 * table (1, 2, 4, 8, 16, 32, 64 cores: 60, 100, 140, 180, 260, 420, 740 millicores); memory the lesser of
 * 20 MB per max pod + 50 MB and 25% of the node, plus the 100 Mi eviction threshold. The table's rows from
 * 4 cores up are exactly 100m + 10m per core, so sizes between or above its rows (AKS publishes no figure for
 * them, e.g. 96 cores) use that line. The page's "MB" is read as MiB, the larger. AKS before 1.29 reserved
 * GKE-like tiers plus 750 Mi, but llmd refuses Kubernetes older than 1.29 (`parseKubernetesMinor`).
 */
export function aksReserve(vcpus: number, memoryGiB: number, maxPods: number = AKS_DEFAULT_MAX_PODS): KubeletReserve {
    const millicores = vcpus <= 1 ? 60 : vcpus <= 2 ? 100 : 100 + 10 * vcpus;
    return {
        cpu: millicores / 1000,
        memoryGiB: Math.min((20 * maxPods + 50) * MIB, 0.25 * memoryGiB) + 100 * MIB,
    };
}

/**
 * DOKS, https://docs.digitalocean.com/products/kubernetes/details/limits/#allocatable-memory: the maximum
 * allocatable memory per node size, as `[node GiB, allocatable GiB]`. It covers the kubelet, containerd,
 * DOKS's own node agents and the eviction threshold.
 */
const DOKS_ALLOCATABLE_GIB: readonly [number, number][] = [
    [2, 1],
    [3, 1.66],
    [4, 2.5],
    [8, 6],
    [16, 13],
    [32, 28],
    [48, 43],
    [64, 58],
    [96, 88.5],
    [128, 119.5],
    [160, 151],
    [192, 182],
];

/**
 * DOKS: memory from DigitalOcean's allocatable table (a size between rows reserves what the next larger row
 * does). DigitalOcean publishes nothing for CPU, nor for memory above 192 GiB (every 8-GPU Droplet); there
 * GKE's formula is the estimate: at 192 GiB it reserves 10.7 GiB against DOKS's 10.
 */
export function doksReserve(vcpus: number, memoryGiB: number): KubeletReserve {
    const row = DOKS_ALLOCATABLE_GIB.find(([node]) => memoryGiB <= node);
    const estimate = gkeReserve(vcpus, memoryGiB);
    return { cpu: estimate.cpu, memoryGiB: row ? row[0] - row[1] : estimate.memoryGiB };
}

/** The kubelet's reserve on a node of this size on `provider`. */
export function kubeletReserve(provider: CloudProvider, vcpus: number, memoryGiB: number): KubeletReserve {
    switch (provider) {
        case "gke":
            return gkeReserve(vcpus, memoryGiB);
        case "aks":
            return aksReserve(vcpus, memoryGiB);
        case "digitalocean":
            return doksReserve(vcpus, memoryGiB);
    }
}
