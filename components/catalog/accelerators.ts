/**
 * The single source of truth for accelerators: what Kubernetes calls them, how much memory they have,
 * which image runs vLLM on them, and which machine sizes each provider offers with how many per node.
 * Plain data, no Pulumi. Adding an accelerator is one entry in `ACCELERATORS`.
 */
import { LlmdConfigError } from "../errors";

/** Accelerators llmd knows how to place vLLM on. */
export const Accelerator = {
    NvidiaL4: "nvidia-l4",
    NvidiaL40S: "nvidia-l40s",
    NvidiaA100_40GB: "nvidia-a100-40gb",
    NvidiaA100_80GB: "nvidia-a100-80gb",
    NvidiaH100: "nvidia-h100",
    NvidiaH200: "nvidia-h200",
    NvidiaB200: "nvidia-b200",
    AmdMI250X: "amd-mi250x",
    AmdMI300X: "amd-mi300x",
    AmdMI325X: "amd-mi325x",
    TpuV5e: "tpu-v5e",
    TpuV6e: "tpu-v6e",
    Cpu: "cpu",
} as const;
/** One of the accelerators in the catalog. */
export type Accelerator = (typeof Accelerator)[keyof typeof Accelerator];

/** Where a cluster runs. Decides node labels, machine sizes and which accelerators exist at all. */
export const ClusterProvider = {
    Gke: "gke",
    Aks: "aks",
    DigitalOcean: "digitalocean",
    OpenShift: "openshift",
    Minikube: "minikube",
    Kind: "kind",
    Existing: "existing",
} as const;
/** One of the cluster providers llmd knows. */
export type ClusterProvider = (typeof ClusterProvider)[keyof typeof ClusterProvider];

/** Cloud providers that sell machine sizes (the others run on whatever nodes already exist). */
export const CLOUD_PROVIDERS = ["gke", "aks", "digitalocean"] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

/** The family of vLLM image an accelerator needs. */
export type ImageFamily = "cuda" | "rocm" | "tpu" | "cpu";

/** Fast internode fabric a machine size is attached to (used for P/D KV transfer and wide-EP). */
export const Interconnect = {
    None: "none",
    InfiniBand: "infiniband",
    RoCE: "roce",
    GpuDirectTcpx: "gpudirect-tcpx",
    Ici: "ici",
} as const;
/** One of the interconnects in `Interconnect`. */
export type Interconnect = (typeof Interconnect)[keyof typeof Interconnect];

/** A Kubernetes taint, in the shape of `core/v1 Taint`. */
export interface Taint {
    key: string;
    value?: string;
    effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/**
 * How the RDMA NICs of a machine size reach a pod (see catalog/networking.ts for what each means):
 * `device-plugin` is an extended resource such as `rdma/ib` from the NVIDIA Network Operator's RDMA shared
 * device plugin; `gke-multi-network` is one pod interface per RDMA VPC network, named in pod annotations.
 */
export type RdmaAttachment = "device-plugin" | "gke-multi-network";

/** The RDMA side of a machine size: only offers whose interconnect is `infiniband` or `roce` have one. */
export interface MachineNetwork {
    /** RDMA NICs (HCAs) on one node. */
    rdmaNics: number;
    /** Link speed of one NIC, Gb/s (documentation and sizing only). */
    gbpsPerNic: number;
    attachment: RdmaAttachment;
    /** `device-plugin` only: the extended resource and how many of it one pod requests. */
    rdmaResource?: { name: string; perPod: number };
    /** `gke-multi-network` only: the RDMA networks a pod attaches, in NIC order (`rdma-0` ...). */
    gkeNetworks?: string[];
    /**
     * RDMA device ports as a pod on this machine sees them (`mlx5_0:1` ...), when they are stable enough to
     * default `UCX_NET_DEVICES` / `NCCL_IB_HCA` from. Absent means the user must name them.
     */
    rdmaDevices?: string[];
}

/** A machine size a provider sells with this accelerator attached. */
export interface MachineOffer {
    /** The provider's machine type / VM size / droplet slug. */
    machineType: string;
    /** Accelerators (GPUs or TPU chips) on one node of this size. */
    acceleratorsPerNode: number;
    /** vCPUs of one node of this size (its capacity, before the kubelet's reserve). */
    vcpus: number;
    /**
     * Memory of one node of this size, GiB. Google's tables say "GB" but mean GiB (the Compute Engine API's
     * `memoryMb` is the table figure x 1024); Azure's and DigitalOcean's tables say GiB.
     */
    memoryGiB: number;
    /** Fast fabric between nodes of this size. */
    interconnect: Interconnect;
    /** TPU only: slice topologies this machine type serves, e.g. `2x4`. */
    tpuTopologies?: string[];
    /** RDMA NICs and how pods attach them; present exactly for `infiniband` and `roce` offers. */
    network?: MachineNetwork;
}

/** Everything llmd knows about one accelerator. */
export interface AcceleratorSpec {
    id: Accelerator;
    vendor: "nvidia" | "amd" | "google" | "none";
    /** Human name for messages and docs. */
    displayName: string;
    /** Extended resource the device plugin advertises; absent for CPU. */
    resourceName?: "nvidia.com/gpu" | "amd.com/gpu" | "google.com/tpu";
    /** Accelerator memory per device, GiB (0 for CPU). */
    memoryGiB: number;
    imageFamily: ImageFamily;
    /** Taint llmd's own pools carry and model servers tolerate. */
    taint?: Taint;
    /** Machine sizes per cloud provider; a provider that is absent does not offer this accelerator. */
    offers: Partial<Record<CloudProvider, MachineOffer[]>>;
    /** GKE node label value for `cloud.google.com/gke-accelerator` (GPUs) or `gke-tpu-accelerator` (TPUs). */
    gkeAcceleratorLabel?: string;
}

const nvidiaTaint: Taint = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" };
const amdTaint: Taint = { key: "amd.com/gpu", value: "present", effect: "NoSchedule" };
const tpuTaint: Taint = { key: "google.com/tpu", value: "present", effect: "NoSchedule" };

/** Machine sizes as `[machineType, accelerators per node, vCPUs, memory GiB]`. */
function sizes(interconnect: Interconnect, entries: Array<[string, number, number, number]>, network?: MachineNetwork): MachineOffer[] {
    return entries.map(([machineType, acceleratorsPerNode, vcpus, memoryGiB]) => ({ machineType, acceleratorsPerNode, vcpus, memoryGiB, interconnect, ...(network ? { network } : {}) }));
}

/**
 * Azure ND-series InfiniBand sizes (8 HCAs, one per GPU). llm-d's AKS guide installs DOCA-OFED with the
 * NVIDIA Network Operator, whose RDMA shared device plugin advertises `rdma/ib`; one pod requests exactly one,
 * however many GPUs it uses. The HCA names a pod sees depend on the node image (Azure HPC images rename
 * them `mlx5_ib0`...; stock AKS Ubuntu does not), so no device default: the user names them.
 */
function azureInfiniBand(gbpsPerNic: number): MachineNetwork {
    return { rdmaNics: 8, gbpsPerNic, attachment: "device-plugin", rdmaResource: { name: "rdma/ib", perPod: 1 } };
}

/**
 * GKE A3 Ultra / A4 (ConnectX-7 RoCE, 8 NICs): GKE multi-networking attaches RDMA VPC networks `rdma-0`..
 * `rdma-7` to a pod by annotation. Inside the pod the HCAs are `mlx5_0`..`mlx5_7` in NIC order (llm-d's
 * wide-EP GKE overlay maps GPU i to `mlx5_i:1`).
 */
const gkeRoce8: MachineNetwork = {
    rdmaNics: 8,
    gbpsPerNic: 400,
    attachment: "gke-multi-network",
    gkeNetworks: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `rdma-${i}`),
    rdmaDevices: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `mlx5_${i}:1`),
};

/**
 * The catalog. Machine sizes (accelerators, vCPUs, memory per node) from the providers' published tables, each
 * offer list naming its page. Every Google GPU size also matches the Compute Engine machineTypes API
 * (`guestCpus`, `memoryMb` / 1024) as listed in skypilot-org/skypilot-catalog `catalogs/v8/gcp/vms.csv`, the
 * only source read for A3 Ultra and A4 (the copy of Google's page at hand predates them).
 */
export const ACCELERATORS: Readonly<Record<Accelerator, AcceleratorSpec>> = {
    "nvidia-l4": {
        id: "nvidia-l4",
        vendor: "nvidia",
        displayName: "NVIDIA L4",
        resourceName: "nvidia.com/gpu",
        memoryGiB: 24,
        imageFamily: "cuda",
        taint: nvidiaTaint,
        gkeAcceleratorLabel: "nvidia-l4",
        offers: {
            // G2: https://cloud.google.com/compute/docs/accelerator-optimized-machines
            gke: sizes("none", [["g2-standard-8", 1, 8, 32], ["g2-standard-24", 2, 24, 96], ["g2-standard-48", 4, 48, 192], ["g2-standard-96", 8, 96, 384]]),
        },
    },
    "nvidia-l40s": {
        id: "nvidia-l40s",
        vendor: "nvidia",
        displayName: "NVIDIA L40S",
        resourceName: "nvidia.com/gpu",
        memoryGiB: 48,
        imageFamily: "cuda",
        taint: nvidiaTaint,
        offers: {
            // https://docs.digitalocean.com/products/droplets/details/features/#gpu-droplets
            digitalocean: sizes("none", [["gpu-l40sx1-48gb", 1, 8, 64]]),
        },
    },
    "nvidia-a100-40gb": {
        id: "nvidia-a100-40gb",
        vendor: "nvidia",
        displayName: "NVIDIA A100 40GB",
        resourceName: "nvidia.com/gpu",
        memoryGiB: 40,
        imageFamily: "cuda",
        taint: nvidiaTaint,
        gkeAcceleratorLabel: "nvidia-tesla-a100",
        offers: {
            // A2 Standard: https://cloud.google.com/compute/docs/accelerator-optimized-machines
            gke: sizes("none", [["a2-highgpu-1g", 1, 12, 85], ["a2-highgpu-2g", 2, 24, 170], ["a2-highgpu-4g", 4, 48, 340], ["a2-highgpu-8g", 8, 96, 680], ["a2-megagpu-16g", 16, 96, 1360]]),
            // https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/ndasra100v4-series
            aks: sizes("infiniband", [["Standard_ND96asr_v4", 8, 96, 900]], azureInfiniBand(200)),
        },
    },
    "nvidia-a100-80gb": {
        id: "nvidia-a100-80gb",
        vendor: "nvidia",
        displayName: "NVIDIA A100 80GB",
        resourceName: "nvidia.com/gpu",
        memoryGiB: 80,
        imageFamily: "cuda",
        taint: nvidiaTaint,
        gkeAcceleratorLabel: "nvidia-a100-80gb",
        offers: {
            // A2 Ultra: https://cloud.google.com/compute/docs/accelerator-optimized-machines
            gke: sizes("none", [["a2-ultragpu-1g", 1, 12, 170], ["a2-ultragpu-2g", 2, 24, 340], ["a2-ultragpu-4g", 4, 48, 680], ["a2-ultragpu-8g", 8, 96, 1360]]),
            // .../gpu-accelerated/nca100v4-series and .../ndma100v4-series (learn.microsoft.com as above)
            aks: [
                ...sizes("none", [["Standard_NC24ads_A100_v4", 1, 24, 220], ["Standard_NC48ads_A100_v4", 2, 48, 440], ["Standard_NC96ads_A100_v4", 4, 96, 880]]),
                ...sizes("infiniband", [["Standard_ND96amsr_A100_v4", 8, 96, 1900]], azureInfiniBand(200)),
            ],
        },
    },
    "nvidia-h100": {
        id: "nvidia-h100",
        vendor: "nvidia",
        displayName: "NVIDIA H100 80GB",
        resourceName: "nvidia.com/gpu",
        memoryGiB: 80,
        imageFamily: "cuda",
        taint: nvidiaTaint,
        gkeAcceleratorLabel: "nvidia-h100-80gb",
        offers: {
            // A3 High: https://cloud.google.com/compute/docs/accelerator-optimized-machines
            gke: [
                ...sizes("none", [["a3-highgpu-1g", 1, 26, 234], ["a3-highgpu-2g", 2, 52, 468], ["a3-highgpu-4g", 4, 104, 936]]),
                ...sizes("gpudirect-tcpx", [["a3-highgpu-8g", 8, 208, 1872]]),
            ],
            // .../gpu-accelerated/ncadsh100v5-series and .../ndh100v5-series (learn.microsoft.com as above)
            aks: [
                ...sizes("none", [["Standard_NC40ads_H100_v5", 1, 40, 320], ["Standard_NC80adis_H100_v5", 2, 80, 640]]),
                ...sizes("infiniband", [["Standard_ND96isr_H100_v5", 8, 96, 1900]], azureInfiniBand(400)),
            ],
            // https://docs.digitalocean.com/products/droplets/details/features/#gpu-droplets
            digitalocean: sizes("none", [["gpu-h100x1-80gb", 1, 20, 240], ["gpu-h100x8-640gb", 8, 160, 1920]]),
        },
    },
    "nvidia-h200": {
        id: "nvidia-h200",
        vendor: "nvidia",
        displayName: "NVIDIA H200 141GB",
        resourceName: "nvidia.com/gpu",
        memoryGiB: 141,
        imageFamily: "cuda",
        taint: nvidiaTaint,
        gkeAcceleratorLabel: "nvidia-h200-141gb",
        offers: {
            // A3 Ultra: https://cloud.google.com/compute/docs/accelerator-optimized-machines
            gke: sizes("roce", [["a3-ultragpu-8g", 8, 224, 2952]], gkeRoce8),
            // .../gpu-accelerated/nd-h200-v5-series (learn.microsoft.com as above)
            aks: sizes("infiniband", [["Standard_ND96isr_H200_v5", 8, 96, 1850]], azureInfiniBand(400)),
            // https://docs.digitalocean.com/products/droplets/details/features/#gpu-droplets
            digitalocean: sizes("none", [["gpu-h200x1-141gb", 1, 24, 240], ["gpu-h200x8-1128gb", 8, 192, 1920]]),
        },
    },
    "nvidia-b200": {
        id: "nvidia-b200",
        vendor: "nvidia",
        displayName: "NVIDIA B200",
        resourceName: "nvidia.com/gpu",
        memoryGiB: 180,
        imageFamily: "cuda",
        taint: nvidiaTaint,
        gkeAcceleratorLabel: "nvidia-b200",
        offers: {
            // A4: https://cloud.google.com/compute/docs/accelerator-optimized-machines
            gke: sizes("roce", [["a4-highgpu-8g", 8, 224, 3968]], gkeRoce8),
        },
    },
    "amd-mi250x": {
        id: "amd-mi250x",
        vendor: "amd",
        displayName: "AMD Instinct MI250X",
        resourceName: "amd.com/gpu",
        memoryGiB: 128,
        imageFamily: "rocm",
        taint: amdTaint,
        offers: {},
    },
    "amd-mi300x": {
        id: "amd-mi300x",
        vendor: "amd",
        displayName: "AMD Instinct MI300X",
        resourceName: "amd.com/gpu",
        memoryGiB: 192,
        imageFamily: "rocm",
        taint: amdTaint,
        offers: {
            // .../gpu-accelerated/ndmi300xv5-series (learn.microsoft.com as above)
            aks: sizes("infiniband", [["Standard_ND96isr_MI300X_v5", 8, 96, 1850]], azureInfiniBand(400)),
            // https://docs.digitalocean.com/products/droplets/details/features/#gpu-droplets
            digitalocean: sizes("none", [["gpu-mi300x1-192gb", 1, 20, 240], ["gpu-mi300x8-1536gb", 8, 160, 1920]]),
        },
    },
    "amd-mi325x": {
        id: "amd-mi325x",
        vendor: "amd",
        displayName: "AMD Instinct MI325X",
        resourceName: "amd.com/gpu",
        memoryGiB: 256,
        imageFamily: "rocm",
        taint: amdTaint,
        offers: {
            // Contract-only (https://docs.digitalocean.com/products/droplets/details/features/#contract-gpu-droplet).
            // That page prints 1,310 GiB, which is the API's 1310720 MiB divided by 1000; /v2/sizes reports
            // 1310720 MiB = 1280 GiB (the MI325X x1 row shows the same slip: 163840 MiB printed as 164 GiB).
            digitalocean: sizes("none", [["gpu-mi325x8-2048gb", 8, 160, 1280]]),
        },
    },
    "tpu-v5e": {
        id: "tpu-v5e",
        vendor: "google",
        displayName: "Google TPU v5e",
        resourceName: "google.com/tpu",
        memoryGiB: 16,
        imageFamily: "tpu",
        taint: tpuTaint,
        gkeAcceleratorLabel: "tpu-v5-lite-podslice",
        offers: {
            // https://cloud.google.com/tpu/docs/v5e ("VM types": vCPUs and RAM per VM)
            gke: [
                { machineType: "ct5lp-hightpu-1t", acceleratorsPerNode: 1, vcpus: 24, memoryGiB: 48, interconnect: "ici", tpuTopologies: ["1x1"] },
                {
                    machineType: "ct5lp-hightpu-4t",
                    acceleratorsPerNode: 4,
                    vcpus: 112,
                    memoryGiB: 192,
                    interconnect: "ici",
                    tpuTopologies: ["2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16"],
                },
                { machineType: "ct5lp-hightpu-8t", acceleratorsPerNode: 8, vcpus: 224, memoryGiB: 384, interconnect: "ici", tpuTopologies: ["2x4"] },
            ],
        },
    },
    "tpu-v6e": {
        id: "tpu-v6e",
        vendor: "google",
        displayName: "Google TPU v6e (Trillium)",
        resourceName: "google.com/tpu",
        memoryGiB: 32,
        imageFamily: "tpu",
        taint: tpuTaint,
        gkeAcceleratorLabel: "tpu-v6e-slice",
        offers: {
            // https://cloud.google.com/compute/docs/tpus/tpu-machines ("TPU v6e"): 8t is a full host, 4t half of one
            gke: [
                { machineType: "ct6e-standard-1t", acceleratorsPerNode: 1, vcpus: 44, memoryGiB: 176, interconnect: "ici", tpuTopologies: ["1x1"] },
                {
                    machineType: "ct6e-standard-4t",
                    acceleratorsPerNode: 4,
                    vcpus: 180,
                    memoryGiB: 720,
                    interconnect: "ici",
                    tpuTopologies: ["2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16"],
                },
                { machineType: "ct6e-standard-8t", acceleratorsPerNode: 8, vcpus: 360, memoryGiB: 1440, interconnect: "ici", tpuTopologies: ["2x4"] },
            ],
        },
    },
    cpu: {
        id: "cpu",
        vendor: "none",
        displayName: "CPU only",
        memoryGiB: 0,
        imageFamily: "cpu",
        offers: {},
    },
};

/** All accelerator ids, in catalog order. */
export const ACCELERATOR_IDS = Object.keys(ACCELERATORS) as Accelerator[];

/** Looks up an accelerator; throws a config error naming `field` when it is unknown. */
export function acceleratorSpec(field: string, id: unknown): AcceleratorSpec {
    if (typeof id === "string" && id in ACCELERATORS) {
        return ACCELERATORS[id as Accelerator];
    }
    throw new LlmdConfigError(field, id, `expected one of ${ACCELERATOR_IDS.join(", ")}`);
}

/** Number of TPU chips in a topology such as `4x4` or `2x2x4`. */
export function tpuChips(topology: string): number {
    return topology.split("x").reduce((product, dim) => product * Number(dim), 1);
}
