import { Accelerator, Interconnect } from "./catalog/accelerators";

/**
 * An accelerator node pool as the serving layer sees it. Every cluster component outputs its pools in this
 * shape, so `LlmdDeployment` places model servers with no cloud-specific code.
 */
export interface AcceleratorPool {
    /** Pool name as the provider knows it. */
    name: string;
    /** The accelerator attached to every node of the pool. */
    accelerator: Accelerator;
    /** Accelerators (GPUs or TPU chips) on one node. */
    acceleratorsPerNode: number;
    /** Largest number of nodes the pool can have. */
    maxNodes: number;
    /** Node labels that select exactly this pool's nodes. */
    nodeLabels: { [key: string]: string };
    /** Taints on the pool's nodes that model servers must tolerate. */
    taints: AcceleratorPoolTaint[];
    /** Fast fabric between the pool's nodes: none, infiniband, roce, gpudirect-tcpx or ici. */
    interconnect: Interconnect;
    /** Machine type / VM size, when the provider has one. */
    machineType?: string;
    /** TPU slice topology (e.g. `4x4`) for TPU pools. */
    tpuTopology?: string;
}

/** A taint on an accelerator pool's nodes. */
export interface AcceleratorPoolTaint {
    /** Taint key. */
    key: string;
    /** Taint value. */
    value?: string;
    /** NoSchedule, PreferNoSchedule or NoExecute. */
    effect: string;
}
