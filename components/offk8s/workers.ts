/** What the Slurm and Ray launchers share: the vLLM replica they start and the labels they register. */
import { LlmdConfigError, requireInteger, requireNonEmpty } from "../errors";
import { SAFE_PATH } from "./shell";

/** A vLLM replica set off Kubernetes. */
export interface WorkerOptions {
    /** Hugging Face model id (or local path) vLLM serves. */
    model: string;
    /** Name clients send as `model`; default the model id. */
    servedModelName?: string;
    /** GPUs per replica (vLLM `--tensor-parallel-size`). */
    tensorParallelSize: number;
    /** Port of the first replica; further replicas on one machine use the next ports. Default 8000. */
    port?: number;
    /** Endpoints file the launcher rewrites (on the router host or on storage it syncs from). */
    endpointsFile: string;
    /** Namespace of the registered endpoints (only a label off Kubernetes). */
    namespace?: string;
    /** Extra labels on every endpoint, e.g. `{"llm-d.ai/role": "decode"}`. */
    labels?: Record<string, string>;
    /** Extra vLLM arguments, appended as given. */
    vllmArgs?: string[];
    /** Seconds to wait for a replica to answer `/v1/models` before giving up. Default 1800 (large models load slowly). */
    readyTimeoutSeconds?: number;
}

/** `WorkerOptions` with defaults applied. */
export interface ResolvedWorkerOptions extends Required<Omit<WorkerOptions, "labels">> {
    labels: Record<string, string>;
}

/** Label every registered endpoint carries, so the router can tell models apart (same key as the pod label in a cluster). */
export const MODEL_LABEL = "llm-d.ai/model";
/** Which launcher registered an endpoint. */
export const LAUNCHER_LABEL = "llm-d.ai/launcher";

/** Checks and defaults the shared options. Field names are relative to the launcher's options. */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
    requireNonEmpty("model", options.model);
    const servedModelName = options.servedModelName ?? options.model;
    requireNonEmpty("servedModelName", servedModelName);
    requireInteger("tensorParallelSize", options.tensorParallelSize, 1, 64);
    const port = requireInteger("port", options.port ?? 8000, 1024, 65000);
    if (typeof options.endpointsFile !== "string" || !SAFE_PATH.test(options.endpointsFile)) {
        throw new LlmdConfigError("endpointsFile", options.endpointsFile, "expected an absolute path of letters, digits, '.', '_', '-' and '/', e.g. /shared/llmd/endpoints.yaml");
    }
    const namespace = requireNonEmpty("namespace", options.namespace ?? "default");
    for (const [key, value] of Object.entries(options.labels ?? {})) {
        if (typeof value !== "string") {
            throw new LlmdConfigError(`labels.${key}`, value, "expected a string label value");
        }
    }
    for (const [i, arg] of (options.vllmArgs ?? []).entries()) {
        requireNonEmpty(`vllmArgs[${i}]`, arg);
    }
    return {
        model: options.model,
        servedModelName,
        tensorParallelSize: options.tensorParallelSize,
        port,
        endpointsFile: options.endpointsFile,
        namespace,
        labels: { [MODEL_LABEL]: servedModelName, ...(options.labels ?? {}) },
        vllmArgs: options.vllmArgs ?? [],
        readyTimeoutSeconds: requireInteger("readyTimeoutSeconds", options.readyTimeoutSeconds ?? 1800, 10),
    };
}
