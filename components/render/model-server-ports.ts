/**
 * Which ports a model server's pods serve, and so which ports an InferencePool over them may target. The
 * InferencePool treats every (pod, target port) pair as an endpoint, so a target port nothing listens on
 * turns that share of the traffic into connection errors. Pure.
 *
 * Multi-node data parallelism follows llm-d's wide-EP guide (v0.9.0,
 * `guides/wide-ep-lws/modelserver/gpu/vllm/base/decode.yaml` and `prefill.yaml`): vLLM runs with
 * `--data-parallel-multi-port-external-lb`, one API server per local rank on consecutive ports from
 * `--port`, and a supervisor on the port after the last rank. Prefill serves 8000-8007 itself (supervisor
 * 8008); decode serves 8200-8207 (supervisor 8208) behind the routing sidecar, which runs with
 * `--data-parallel-size` and listens on 8000-8007, forwarding port 8000+i to 8200+i.
 */
import { LlmdConfigError } from "../errors";
import { ModelServerSpec } from "./model-server-types";

/** The most target ports an InferencePool v1 accepts (`spec.targetPorts` maxItems). */
export const MAX_POOL_TARGET_PORTS = 8;

/** `count` consecutive ports from `first`. */
function range(first: number, count: number): number[] {
    return Array.from({ length: count }, (_, i) => first + i);
}

/**
 * True when each pod runs one API server per local data-parallel rank (vLLM multi-port external load
 * balancing): a replica spread over nodes with more than one rank per pod.
 */
export function multiPortDataParallel(spec: Pick<ModelServerSpec, "mode" | "dataParallelSizeLocal" | "simulator">): boolean {
    return !spec.simulator && spec.mode === "data" && spec.dataParallelSizeLocal > 1;
}

/** API servers one pod runs: one per local rank with multi-port load balancing, else one. */
export function apiServersPerPod(spec: ModelServerSpec): number {
    return multiPortDataParallel(spec) ? spec.dataParallelSizeLocal : 1;
}

/** Ports the pool may target on this server's serving pods (the sidecar's when there is one). */
export function servedPorts(spec: ModelServerSpec): number[] {
    return range(spec.port, apiServersPerPod(spec));
}

/** Ports vLLM's API servers listen on (behind the sidecar, from 8200). */
export function enginePorts(spec: ModelServerSpec): number[] {
    return range(spec.enginePort, apiServersPerPod(spec));
}

/** vLLM's data-parallel supervisor port, right after the last API port, as the wide-EP guide places it. */
export function supervisorPort(spec: ModelServerSpec): number | undefined {
    return multiPortDataParallel(spec) ? spec.enginePort + spec.dataParallelSizeLocal : undefined;
}

/**
 * Checks that one server's port ranges fit: the sidecar's range must not overlap vLLM's behind it, and the
 * pool can target at most eight ports. Field names are the server's own (`dataParallelSizeLocal`, `port`).
 */
export function checkServedPorts(spec: ModelServerSpec): void {
    const served = servedPorts(spec);
    if (served.length > MAX_POOL_TARGET_PORTS) {
        throw new LlmdConfigError(
            "dataParallelSizeLocal",
            spec.dataParallelSizeLocal,
            `expected at most ${MAX_POOL_TARGET_PORTS}: each local rank serves its own port and an InferencePool targets at most ${MAX_POOL_TARGET_PORTS}`,
        );
    }
    const last = served[served.length - 1];
    if (last > 65535 || (supervisorPort(spec) ?? 0) > 65535 || spec.enginePort + served.length > 65536) {
        throw new LlmdConfigError("port", spec.port, `expected a port leaving room for ${served.length} consecutive API ports and a supervisor port`);
    }
    if (spec.routingSidecar) {
        const engine = new Set([...enginePorts(spec), supervisorPort(spec)]);
        const clash = served.find((p) => engine.has(p));
        if (clash !== undefined) {
            throw new LlmdConfigError(
                "port",
                spec.port,
                `expected the sidecar's ports ${served[0]}-${last} to stay clear of vLLM's behind it (from ${spec.enginePort}); ${clash} is taken`,
            );
        }
    }
}

/**
 * The InferencePool's target ports for the servers it selects: the ports each of them serves. Every
 * selected server must serve the same ports, since the pool applies its ports to every pod; otherwise the
 * error names `<role>.dataParallelSizeLocal` (or `<role>.port`) of the first server that differs.
 */
export function poolTargetPorts(servers: { role: string; spec: ModelServerSpec }[]): number[] {
    const serving = servers.filter((s) => s.spec.replicas > 0);
    if (serving.length === 0) {
        return [servers[0]?.spec.port ?? 8000];
    }
    const ports = servedPorts(serving[0].spec);
    for (const { role, spec } of serving.slice(1)) {
        const own = servedPorts(spec);
        if (own.join() !== ports.join()) {
            const field = own.length !== ports.length ? "dataParallelSizeLocal" : "port";
            const value = field === "port" ? spec.port : spec.dataParallelSizeLocal;
            throw new LlmdConfigError(
                `${role}.${field}`,
                value,
                `the pool targets ${ports.join(", ")} on every pod it selects (from ${serving[0].role}), but ${role} pods would serve ${own.join(", ")}: give both roles the same ports per pod`,
            );
        }
    }
    return ports;
}
