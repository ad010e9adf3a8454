/**
 * Facts about the fabrics between accelerator nodes: which ones carry RDMA for NIXL/UCX (P/D KV transfer)
 * and NCCL/NVSHMEM (wide expert parallelism), what a pod needs to use them, and the conventions llm-d's
 * infrastructure docs (`docs/infrastructure/rdma`, `providers/aks`, `providers/gke`) prescribe. Plain data,
 * no Pulumi. Per-machine facts (NIC count, resource names, device names) live on the offers in
 * accelerators.ts; this file holds what depends only on the kind of fabric.
 *
 * Not an `Interconnect` value: NVLink / Infinity Fabric. They join the GPUs inside one node (one pod sees
 * them through `cuda_ipc` / `rocm_ipc`); every 8-GPU SXM/OAM size in the catalog has them. They never
 * carry traffic between pods on different nodes, so they do not make a pool fit for P/D or wide EP.
 */
import { ACCELERATORS, Accelerator, Interconnect, MachineNetwork } from "./accelerators";

/** What llmd does with one kind of fabric. */
export interface InterconnectSpec {
    id: Interconnect;
    displayName: string;
    /** NIXL (UCX) and NCCL can move data between nodes with RDMA verbs over it. */
    rdma: boolean;
    /**
     * Multi-host serving inside one unit of this fabric is fast without RDMA wiring. True only for TPU ICI,
     * which joins the hosts of one slice (never two slices: KV transfer between slices goes over the
     * data-center network, i.e. TCP).
     */
    multiHostWithinSlice: boolean;
    /** Pod capabilities RDMA needs: pinned memory (IPC_LOCK) and raw device access (SYS_RAWIO), as llm-d's guides add. */
    capabilities: string[];
    /**
     * The RDMA resource a pool of this fabric requests when its machine type is not in the catalog (existing
     * or bare-metal clusters): llm-d's docs use `rdma/ib` (Network Operator, InfiniBand) and `rdma/roce_gdr`
     * (RoCE with GPUDirect, OpenShift). Users override it with `network.rdmaResourceName`.
     */
    defaultRdmaResource?: { name: string; perPod: number };
    /** Why llmd treats the fabric as it does, for error messages and docs. */
    note: string;
}

const RDMA_CAPABILITIES = ["IPC_LOCK", "SYS_RAWIO"];

/** One entry per `Interconnect`. */
export const INTERCONNECTS: Readonly<Record<Interconnect, InterconnectSpec>> = {
    none: {
        id: "none",
        displayName: "no fast fabric",
        rdma: false,
        multiHostWithinSlice: false,
        capabilities: [],
        note: "pods reach each other over the regular pod network (TCP)",
    },
    infiniband: {
        id: "infiniband",
        displayName: "InfiniBand",
        rdma: true,
        multiHostWithinSlice: false,
        capabilities: RDMA_CAPABILITIES,
        defaultRdmaResource: { name: "rdma/ib", perPod: 1 },
        note: "RDMA over InfiniBand HCAs; UCX and NCCL must be told which HCA ports to use",
    },
    roce: {
        id: "roce",
        displayName: "RoCE",
        rdma: true,
        multiHostWithinSlice: false,
        capabilities: RDMA_CAPABILITIES,
        defaultRdmaResource: { name: "rdma/roce_gdr", perPod: 1 },
        note: "RDMA over Converged Ethernet; UCX and NCCL must be told which RDMA NIC ports to use",
    },
    "gpudirect-tcpx": {
        id: "gpudirect-tcpx",
        displayName: "GPUDirect-TCPX",
        // TCPX needs Google's NCCL plugin, a privileged tcpx-daemon sidecar with device injection and four
        // extra VPC networks; NIXL over UCX cannot use it at all. llmd does not wire it, so to NIXL and
        // vLLM this is plain TCP on the primary interface.
        rdma: false,
        multiHostWithinSlice: false,
        capabilities: [],
        note: "GPUDirect-TCPX is not RDMA: NIXL/UCX cannot use it and llmd does not set up its daemon and NCCL plugin, so traffic between nodes is plain TCP",
    },
    ici: {
        id: "ici",
        displayName: "TPU ICI",
        rdma: false,
        multiHostWithinSlice: true,
        capabilities: [],
        note: "TPU ICI joins the hosts of one slice; traffic between slices (such as P/D KV transfer) uses the data-center network over TCP",
    },
};

/** UCX transports for KV transfer, by accelerator vendor: shared memory, the GPU's IPC and copy paths, then the fabric. */
export const UCX_GPU_TRANSPORTS: Readonly<Record<"nvidia" | "amd", string[]>> = {
    nvidia: ["sm", "cuda_ipc", "cuda_copy"],
    amd: ["sm", "rocm_ipc", "rocm_copy"],
};

/**
 * The pod's primary interface, used for bootstrap sockets (NCCL, Gloo, NVSHMEM) and for NIXL's side
 * channel. Pod networks name it eth0 on every provider llmd knows, including GKE and Multus, which add
 * their extra interfaces as eth1.. / net1...
 */
export const DEFAULT_SOCKET_INTERFACE = "eth0";

/** Annotations of GKE multi-networking (llm-d `providers/gke`, Google's A3 Ultra/A4 pod manifests). */
export const GKE_DEFAULT_INTERFACE_ANNOTATION = "networking.gke.io/default-interface";
export const GKE_INTERFACES_ANNOTATION = "networking.gke.io/interfaces";
/** Extended resource GKE injects per attached network (`<prefix><network>`). */
export const GKE_NETWORK_RESOURCE_PREFIX = "networking.gke.io.networks/";
/** Multus: the secondary networks (NetworkAttachmentDefinitions) of a pod. */
export const MULTUS_NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks";

/**
 * The catalog's RDMA facts for a machine type carrying `accelerator`, or undefined when the machine type is
 * unknown (existing clusters) or has no RDMA NICs.
 */
export function machineNetwork(accelerator: Accelerator, machineType: string | undefined): MachineNetwork | undefined {
    if (machineType === undefined) {
        return undefined;
    }
    for (const offers of Object.values(ACCELERATORS[accelerator]?.offers ?? {})) {
        const offer = (offers ?? []).find((o) => o.machineType === machineType);
        if (offer) {
            return offer.network;
        }
    }
    return undefined;
}
