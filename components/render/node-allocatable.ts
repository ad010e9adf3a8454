/**
 * Whether a model-server pod fits one node of its pool, and how many fit: its CPU, memory and accelerator
 * requests against what the node can give pods. A pod that fits no node stays Pending forever and the
 * cluster autoscaler never helps, so this is a construction error rather than a surprise in the cluster.
 * Pure.
 *
 * What a node can give pods (its allocatable) is the machine size from the accelerator catalog minus:
 * - the kubelet's reserve, from the formula or table the node's cloud publishes (kubelet-reserve.ts: GKE's
 *   tiers, AKS's CPU table and per-pod memory, DOKS's allocatable-memory table);
 * - `SYSTEM_DAEMONSET_RESERVE` for the DaemonSets every node runs (device plugin, CNI, logging, metadata
 *   proxies) and the model server's own small sidecars, an estimate on the generous side.
 * The node's capacity as the kubelet sees it is also a little under the machine size (the kernel keeps some
 * memory), which no provider publishes, so a request just under the limit may still need checking against
 * `kubectl describe node`. Pools with no machine in the catalog (minikube, kind, existing clusters) are
 * checked for accelerators only.
 */
import { ACCELERATORS, CloudProvider, MachineOffer } from "../catalog/accelerators";
import { LlmdConfigError } from "../errors";
import { AcceleratorPool } from "../pool";
import { quantityValue } from "../strict-quantity";
import { kubeletReserve } from "./kubelet-reserve";
import { ModelServerSpec } from "./model-server-types";

/** CPU (cores) and memory (GiB) kept back per node for system DaemonSets and sidecars, on top of the kubelet's reserve. */
export const SYSTEM_DAEMONSET_RESERVE = { cpu: 0.5, memoryGiB: 1 } as const;

const GIB = 2 ** 30;

/** What one node of a pool offers pods. */
export interface NodeAllocatable {
    /** Machine type the figures come from. */
    machineType: string;
    /** The cloud that sells the machine, whose kubelet reserve applies. */
    provider: CloudProvider;
    /** The machine's vCPUs and memory (GiB) before any reserve. */
    capacity: { cpu: number; memoryGiB: number };
    /** Estimated CPU (cores) and memory (GiB) pods may request on one node. */
    cpu: number;
    memoryGiB: number;
}

/** The catalog's machine for a pool and the cloud selling it; undefined when the pool names none the catalog knows. */
export function poolMachine(pool: Pick<AcceleratorPool, "accelerator" | "machineType">): { provider: CloudProvider; offer: MachineOffer } | undefined {
    if (pool.machineType === undefined) {
        return undefined;
    }
    for (const [provider, offers] of Object.entries(ACCELERATORS[pool.accelerator]?.offers ?? {})) {
        const offer = offers?.find((o) => o.machineType === pool.machineType);
        if (offer) {
            return { provider: provider as CloudProvider, offer };
        }
    }
    return undefined;
}

/** Estimated allocatable of one node of `pool`, or undefined when its machine is not in the catalog. */
export function nodeAllocatable(pool: Pick<AcceleratorPool, "accelerator" | "machineType">): NodeAllocatable | undefined {
    const machine = poolMachine(pool);
    if (!machine) {
        return undefined;
    }
    const { provider, offer } = machine;
    const reserve = kubeletReserve(provider, offer.vcpus, offer.memoryGiB);
    return {
        machineType: offer.machineType,
        provider,
        capacity: { cpu: offer.vcpus, memoryGiB: offer.memoryGiB },
        cpu: offer.vcpus - reserve.cpu - SYSTEM_DAEMONSET_RESERVE.cpu,
        memoryGiB: offer.memoryGiB - reserve.memoryGiB - SYSTEM_DAEMONSET_RESERVE.memoryGiB,
    };
}

type PodRequests = Pick<ModelServerSpec, "cpu" | "memory" | "acceleratorsPerPod">;

const round = (n: number) => Math.floor(n * 10) / 10;

/**
 * Throws an `LlmdConfigError` on `<role>.cpu`, `<role>.memory` or `<role>.tensorParallelSize` when one pod of
 * `server` requests more than one node of `pool` can give.
 */
export function checkPodFitsNode(role: string, server: PodRequests, pool: AcceleratorPool | undefined): void {
    if (!pool) {
        return;
    }
    if (server.acceleratorsPerPod > pool.acceleratorsPerNode) {
        throw new LlmdConfigError(
            `${role}.tensorParallelSize`,
            server.acceleratorsPerPod,
            `one pod requests ${server.acceleratorsPerPod} ${pool.accelerator}, but a node of pool ${pool.name} has ${pool.acceleratorsPerNode}: expected at most ${pool.acceleratorsPerNode} per pod (nodesPerReplica spreads a replica over nodes)`,
        );
    }
    const node = nodeAllocatable(pool);
    if (!node) {
        return;
    }
    const where = (what: string, capacity: number, allocatable: number, unit: string) =>
        `a node of pool ${pool.name} (${node.machineType}) has ${capacity}${unit} ${what}, about ${round(allocatable)}${unit} of it allocatable after the kubelet and system reserve`;
    if (server.cpu !== undefined && quantityValue(server.cpu) > node.cpu) {
        throw new LlmdConfigError(`${role}.cpu`, server.cpu, `${where("vCPUs", node.capacity.cpu, node.cpu, "")}: expected at most ${round(node.cpu)}`);
    }
    if (server.memory !== undefined && quantityValue(server.memory) / GIB > node.memoryGiB) {
        throw new LlmdConfigError(
            `${role}.memory`,
            server.memory,
            `${where("memory", node.capacity.memoryGiB, node.memoryGiB, "Gi")}: expected at most ${round(node.memoryGiB)}Gi`,
        );
    }
}

/**
 * How many pods of `server` one node of `pool` holds at once: the fewest its accelerators, CPU and memory
 * allow (at least 1, since `checkPodFitsNode` refuses a pod that fits none). Resources the catalog does not
 * know for the pool do not limit.
 */
export function podsPerNode(server: PodRequests, pool: Pick<AcceleratorPool, "accelerator" | "machineType" | "acceleratorsPerNode">): number {
    const limits: number[] = [];
    if (server.acceleratorsPerPod > 0) {
        limits.push(Math.floor(pool.acceleratorsPerNode / server.acceleratorsPerPod));
    }
    const node = nodeAllocatable(pool);
    const cpu = server.cpu === undefined ? 0 : quantityValue(server.cpu);
    const memory = server.memory === undefined ? 0 : quantityValue(server.memory) / GIB;
    if (node && cpu > 0) {
        limits.push(Math.floor(node.cpu / cpu));
    }
    if (node && memory > 0) {
        limits.push(Math.floor(node.memoryGiB / memory));
    }
    return Math.max(1, Math.min(...limits, Number.MAX_SAFE_INTEGER));
}
