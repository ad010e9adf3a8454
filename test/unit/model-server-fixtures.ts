/** Shared inputs and accessors for the model-server tests. */
import { renderModelServer, resolveModelServer } from "../../components/render/model-server";
import { ModelServerInput } from "../../components/render/model-server-types";
import { K8sObject } from "../../components/render/types";

export { h100Pool, h100IbPool, h200RocePool, ibDevices, mi300xIbPool, tpu4x4Pool, tpuPool } from "../support/pools";

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
