/** What the Slurm and Ray launchers share: the vLLM replica they start and the labels they register. */
import { LlmdConfigError, requireInteger, requireNonEmpty, requireOneOf } from "../errors";
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
    /**
     * `gpu` (default) or `cpu`: CPU replicas ask the scheduler for no GPUs, for vLLM's CPU build or the llm-d
     * simulator, so the path can be tried on any machine.
     */
    accelerator?: WorkerAccelerator;
    /** Executable that provides `serve` like vLLM's CLI (a name on PATH or an absolute path). Default `vllm`. */
    vllmCommand?: string;
    /** Seconds between health checks of a registered replica (and between readiness polls). Default 10. */
    healthIntervalSeconds?: number;
    /** Seconds one health check may take before it counts as failed (a hung server). Default 5. */
    healthTimeoutSeconds?: number;
    /** Consecutive failed health checks after which a replica is deregistered and stopped. Default 3. */
    unhealthyThreshold?: number;
    /**
     * Network interface whose IPv4 address the router should use (e.g. the fast fabric's). Default: the
     * node's first IPv4 on Slurm, the node address Ray knows on Ray.
     */
    networkInterface?: string;
}

/** Where a replica runs. */
export const WorkerAccelerator = { Gpu: "gpu", Cpu: "cpu" } as const;
/** One of the values of `WorkerAccelerator`. */
export type WorkerAccelerator = (typeof WorkerAccelerator)[keyof typeof WorkerAccelerator];

/** `WorkerOptions` with defaults applied. */
export interface ResolvedWorkerOptions extends Required<Omit<WorkerOptions, "labels" | "networkInterface">> {
    labels: Record<string, string>;
    networkInterface?: string;
}

/** Label every registered endpoint carries, so the router can tell models apart (same key as the pod label in a cluster). */
export const MODEL_LABEL = "llm-d.ai/model";
/** Which launcher registered an endpoint. */
export const LAUNCHER_LABEL = "llm-d.ai/launcher";
/**
 * Prefix of the extra served model name each launch gives its vLLM. Readiness and health checks look for
 * that name in `/v1/models`, so an answer from another job's server on the same port never passes as ours.
 */
export const LAUNCH_TOKEN_PREFIX = "llmd-launch-";

const COMMAND = /^[A-Za-z0-9._/+-]+$/;

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
        accelerator: requireOneOf("accelerator", options.accelerator ?? WorkerAccelerator.Gpu, Object.values(WorkerAccelerator)),
        vllmCommand: vllmCommand(options.vllmCommand),
        healthIntervalSeconds: requireInteger("healthIntervalSeconds", options.healthIntervalSeconds ?? 10, 1, 3600),
        healthTimeoutSeconds: requireInteger("healthTimeoutSeconds", options.healthTimeoutSeconds ?? 5, 1, 600),
        unhealthyThreshold: requireInteger("unhealthyThreshold", options.unhealthyThreshold ?? 3, 1, 100),
        networkInterface: networkInterface(options.networkInterface),
    };
}

function vllmCommand(value: string | undefined): string {
    const command = value ?? "vllm";
    if (typeof command !== "string" || !COMMAND.test(command)) {
        throw new LlmdConfigError("vllmCommand", command, "expected a command name or path of letters, digits and . _ / + -, e.g. vllm or /opt/vllm-cpu/bin/vllm");
    }
    return command;
}

function networkInterface(value: string | undefined): string | undefined {
    if (value !== undefined && (typeof value !== "string" || !/^[A-Za-z0-9_.-]{1,15}$/.test(value))) {
        throw new LlmdConfigError("networkInterface", value, "expected an interface name of letters, digits, '.', '_' or '-' (at most 15), e.g. ib0");
    }
    return value;
}
