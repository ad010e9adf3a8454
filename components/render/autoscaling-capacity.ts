/**
 * Whether an autoscaler's ceiling fits the accelerator pool it scales into: KEDA would otherwise add pods
 * that stay Pending for nodes the pool can never create. Checked at construction, like the fixed replica
 * count is. Pure.
 */
import { LlmdConfigError } from "../errors";
import { AcceleratorPool } from "../pool";
import { AutoscalingSpec } from "./autoscaling";
import { ModelServerSpec } from "./model-server-types";
import { podsPerNode } from "./node-allocatable";

/**
 * Nodes `replicas` replicas of `server` occupy in `pool`: whole groups for multi-node replicas, otherwise pods
 * packed as tightly as the node's accelerators, CPU and memory allow (`podsPerNode`).
 */
export function nodesForReplicas(
    replicas: number,
    server: Pick<ModelServerSpec, "nodesPerReplica" | "acceleratorsPerPod" | "cpu" | "memory">,
    pool: Pick<AcceleratorPool, "accelerator" | "machineType" | "acceleratorsPerNode">,
): number {
    if (server.nodesPerReplica > 1) {
        return replicas * server.nodesPerReplica;
    }
    return Math.ceil(replicas / podsPerNode(server, pool));
}

/** How `server`'s pods sit on `pool`'s nodes, for error messages. */
export function packing(server: Pick<ModelServerSpec, "nodesPerReplica" | "acceleratorsPerPod" | "cpu" | "memory">, pool: Pick<AcceleratorPool, "accelerator" | "machineType" | "acceleratorsPerNode">): string {
    const perPod = `${server.acceleratorsPerPod} ${pool.accelerator} per pod`;
    return server.nodesPerReplica > 1 ? perPod : `${perPod}, ${podsPerNode(server, pool)} per node`;
}

/**
 * Throws an `LlmdConfigError` on `<field>.maxReplicas` when that many replicas of `server` need more nodes
 * than `pool.maxNodes`. Servers without accelerators or without a known pool are not checked.
 */
export function checkAutoscalingCapacity(field: string, spec: Pick<AutoscalingSpec, "maxReplicas">, server: ModelServerSpec, pool: AcceleratorPool | undefined): void {
    if (!pool || server.acceleratorsPerPod === 0) {
        return;
    }
    const nodes = nodesForReplicas(spec.maxReplicas, server, pool);
    if (nodes > pool.maxNodes) {
        const fits = Array.from({ length: spec.maxReplicas }, (_, i) => spec.maxReplicas - i).find((r) => nodesForReplicas(r, server, pool) <= pool.maxNodes) ?? 0;
        throw new LlmdConfigError(
            `${field}.maxReplicas`,
            spec.maxReplicas,
            `${spec.maxReplicas} replicas of ${server.name} need ${nodes} nodes of pool ${pool.name} (${packing(server, pool)}), but the pool has at most ${pool.maxNodes}; expected at most ${fits} or a larger pool`,
        );
    }
}
