/**
 * llm-d's well-lit paths as plain data: what each one deploys by default. `LlmdDeployment` starts from a
 * preset and lets every field be overridden. Defaults follow llm-d's guides (llm-d/llm-d `guides/`).
 */
import { Accelerator } from "./accelerators";

/** A well-lit path from llm-d's guides. */
export const WellLitPath = {
    /** Prefix-cache, KV-cache-utilization and queue aware routing over identical replicas (the default). */
    InferenceScheduling: "inference-scheduling",
    /** Prefill/decode disaggregation: prefill and decode pods with KV transfer over NIXL. */
    PdDisaggregation: "pd-disaggregation",
    /** Routing on the exact KV-cache blocks each vLLM reports over ZMQ KV events. */
    PrecisePrefixCache: "precise-prefix-cache",
    /** Wide expert parallelism: data + expert parallel vLLM across nodes on LeaderWorkerSets. */
    WideEp: "wide-ep",
    /** The CPU-only llm-d inference simulator behind the real router and gateway: no GPU, no model weights. */
    Simulator: "simulator",
} as const;
/** One of the values of `WellLitPath`. */
export type WellLitPath = (typeof WellLitPath)[keyof typeof WellLitPath];

/** All preset ids. */
export const WELL_LIT_PATHS = Object.values(WellLitPath);

/** Defaults for one model-server role within a preset. */
export interface RolePreset {
    replicas: number;
    tensorParallelSize: number;
    /** Nodes per replica; above 1 the role runs on a LeaderWorkerSet. */
    nodesPerReplica: number;
    dataParallelSize?: number;
    dataParallelSizeLocal?: number;
    enableExpertParallel?: boolean;
    /** vLLM arguments the guide adds for this role. */
    extraArgs: string[];
}

/** Everything a preset decides. */
export interface PresetSpec {
    /** Router scheduler profile (see `SchedulerProfile`). */
    schedulerProfile: "inference-scheduling" | "pd-disaggregation" | "precise-prefix-cache";
    model: string;
    accelerator: Accelerator;
    /** Run the inference simulator instead of vLLM. */
    simulator: boolean;
    /** KV transfer between prefill and decode. */
    kvTransfer: "none" | "nixl";
    /** vLLM publishes KV events to the router (precise prefix cache). */
    kvEvents: boolean;
    decode: RolePreset;
    /** Present only for disaggregated presets. */
    prefill?: RolePreset;
    routerReplicas: number;
}

const single = (replicas: number, tensorParallelSize: number, extraArgs: string[] = []): RolePreset => ({
    replicas,
    tensorParallelSize,
    nodesPerReplica: 1,
    extraArgs,
});

// Wide EP runs prefill and decode the same way: expert-parallel data-parallel groups spanning two nodes.
const wideEpRole: RolePreset = {
    replicas: 1,
    tensorParallelSize: 1,
    nodesPerReplica: 2,
    dataParallelSize: 16,
    dataParallelSizeLocal: 8,
    enableExpertParallel: true,
    extraArgs: [],
};

export const PRESETS: Readonly<Record<WellLitPath, PresetSpec>> = {
    "inference-scheduling": {
        schedulerProfile: "inference-scheduling",
        model: "Qwen/Qwen3-32B",
        accelerator: "nvidia-h100",
        simulator: false,
        kvTransfer: "none",
        kvEvents: false,
        decode: single(8, 2),
        routerReplicas: 1,
    },
    "pd-disaggregation": {
        schedulerProfile: "pd-disaggregation",
        model: "Qwen/Qwen3-32B",
        accelerator: "nvidia-h100",
        simulator: false,
        kvTransfer: "nixl",
        kvEvents: false,
        decode: single(1, 4),
        prefill: single(4, 1),
        routerReplicas: 1,
    },
    "precise-prefix-cache": {
        schedulerProfile: "precise-prefix-cache",
        model: "Qwen/Qwen3-32B",
        accelerator: "nvidia-h100",
        simulator: false,
        kvTransfer: "none",
        kvEvents: true,
        decode: single(8, 2),
        routerReplicas: 2,
    },
    "wide-ep": {
        schedulerProfile: "pd-disaggregation",
        model: "deepseek-ai/DeepSeek-R1-0528",
        accelerator: "nvidia-h100",
        simulator: false,
        kvTransfer: "nixl",
        kvEvents: false,
        // Two LeaderWorkerSets of two 8-GPU nodes each: DP 16 with 8 local ranks per node, as llm-d's guide.
        decode: wideEpRole,
        prefill: wideEpRole,
        routerReplicas: 1,
    },
    simulator: {
        schedulerProfile: "inference-scheduling",
        model: "Qwen/Qwen3-0.6B",
        accelerator: "cpu",
        simulator: true,
        kvTransfer: "none",
        kvEvents: false,
        decode: single(2, 1),
        routerReplicas: 1,
    },
};
