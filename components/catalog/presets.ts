/**
 * llm-d's well-lit paths as plain data: what each one deploys by default. `LlmdDeployment` starts from a
 * preset and lets every field be overridden. Defaults follow llm-d's guides (llm-d/llm-d `guides/`).
 */
import { LlmdConfigError } from "../errors";
import { Accelerator, acceleratorSpec } from "./accelerators";
import { IMAGES, ImagePin, imageRef } from "./versions";

/** A well-lit path from llm-d's guides. */
export const WellLitPath = {
    /**
     * llm-d's optimized baseline (formerly "inference scheduling"): prefix-cache affinity and token-load aware
     * routing over identical replicas (the default).
     */
    OptimizedBaseline: "optimized-baseline",
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

/** What `preset` accepts: every well-lit path, plus former names kept as aliases. */
export const PresetName = {
    ...WellLitPath,
    /** Former name of `optimized-baseline` (llm-d renamed the guide in v0.9.0). */
    InferenceScheduling: "inference-scheduling",
} as const;
/** One of the values of `PresetName`. */
export type PresetName = (typeof PresetName)[keyof typeof PresetName];

/** Former preset names, still accepted, and the preset each now stands for. */
export const PRESET_ALIASES: Readonly<Record<Exclude<PresetName, WellLitPath>, WellLitPath>> = {
    // llm-d v0.9.0 renamed the guide (guides/optimized-baseline); stacks written before keep working.
    [PresetName.InferenceScheduling]: WellLitPath.OptimizedBaseline,
};

/**
 * The preset a user's `preset` value names, aliases resolved; unset is the default, optimized-baseline.
 * Throws `LlmdConfigError` naming `field` for anything else.
 */
export function resolvePreset(field: string, value: unknown): WellLitPath {
    if (value === undefined) {
        return WellLitPath.OptimizedBaseline;
    }
    if (typeof value === "string" && Object.hasOwn(PRESET_ALIASES, value)) {
        return PRESET_ALIASES[value as keyof typeof PRESET_ALIASES];
    }
    if (typeof value === "string" && (WELL_LIT_PATHS as readonly string[]).includes(value)) {
        return value as WellLitPath;
    }
    const aliases = Object.entries(PRESET_ALIASES).map(([old, now]) => `${old} (now ${now})`);
    throw new LlmdConfigError(field, value, `expected one of ${WELL_LIT_PATHS.join(", ")}, or the former name ${aliases.join(", ")}`);
}

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
    /** Environment the guide sets for this role. */
    env?: { [key: string]: string };
    /** CPU and memory the guide gives this role's vLLM container, on the preset's own accelerator. */
    resources?: RoleResources;
}

/** Container CPU and memory, as Kubernetes quantities; unset limits mean none. */
export interface RoleResources {
    cpu: string;
    memory: string;
    cpuLimit?: string;
    memoryLimit?: string;
}

/**
 * The CPU and memory a preset's role runs with. The guide's figures are sized for the guide's hardware, so
 * they apply only on the preset's own accelerator (an H100 node has room for 96Gi per replica, an L4 node
 * has 96GB in all). A request the user sets replaces the preset's request and limit for that resource, so
 * the two never disagree.
 */
export function presetResources(
    role: RolePreset | undefined,
    preset: PresetSpec,
    accelerator: Accelerator,
    given: { cpu?: string; memory?: string },
): Partial<RoleResources> {
    const guide = accelerator === preset.accelerator ? role?.resources : undefined;
    return {
        cpu: given.cpu ?? guide?.cpu,
        memory: given.memory ?? guide?.memory,
        cpuLimit: given.cpu === undefined ? guide?.cpuLimit : undefined,
        memoryLimit: given.memory === undefined ? guide?.memoryLimit : undefined,
    };
}

/** Everything a preset decides. */
export interface PresetSpec {
    /** Router scheduler profile (see `SchedulerProfile`). */
    schedulerProfile: "optimized-baseline" | "pd-disaggregation" | "wide-ep" | "precise-prefix-cache";
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
    /** vLLM image on NVIDIA GPUs (other accelerators use the catalog's image for their family). */
    cudaImage: ImagePin;
}

/** The image a preset runs on `accelerator`, when the preset decides it (NVIDIA); else undefined. */
export function presetImage(preset: PresetSpec, accelerator: Accelerator): string | undefined {
    return acceleratorSpec("accelerator", accelerator).imageFamily === "cuda" ? imageRef(preset.cudaImage) : undefined;
}

const single = (replicas: number, tensorParallelSize: number, more: Partial<RolePreset> = {}): RolePreset => ({
    replicas,
    tensorParallelSize,
    nodesPerReplica: 1,
    extraArgs: [],
    ...more,
});

// guides/pd-disaggregation/modelserver/gpu/vllm/base/patch-{decode,prefill}.yaml: 128-token blocks and the
// hybrid KV-cache manager on, which gpt-oss's sliding-window layers need under NIXL transfer.
const PD_ARGS = ["--block-size=128", "--no-disable-hybrid-kv-cache-manager"];

// guides/optimized-baseline and precise-prefix-cache-routing .../gpu/vllm/base/patch-vllm.yaml.
const BASELINE_RESOURCES: RoleResources = { cpu: "8", memory: "96Gi", cpuLimit: "16", memoryLimit: "128Gi" };

// Wide EP runs prefill and decode the same way: expert-parallel data-parallel groups spanning two nodes,
// tuned as guides/wide-ep-lws/modelserver/gpu/vllm/base/{decode,prefill}.yaml: DeepEP all-to-all (low
// latency for decode, high throughput for prefill), DeepGEMM MoE kernels, dual-batch overlap on decode, and
// NVSHMEM over InfiniBand GPUDirect Async.
// Socket interfaces come from the network settings (render/networking.ts), not from here.
const WIDE_EP_ENV = {
    NVSHMEM_REMOTE_TRANSPORT: "ibgda",
    NVSHMEM_IB_ENABLE_IBGDA: "true",
    NVIDIA_GDRCOPY: "enabled",
    VLLM_SKIP_P2P_CHECK: "1",
    VLLM_RANDOMIZE_DP_DUMMY_INPUTS: "1",
    VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS: "1",
};
const wideEpRole = (extraArgs: string[], env: { [key: string]: string }): RolePreset => ({
    replicas: 1,
    tensorParallelSize: 1,
    nodesPerReplica: 2,
    dataParallelSize: 16,
    dataParallelSizeLocal: 8,
    enableExpertParallel: true,
    extraArgs,
    env: { ...WIDE_EP_ENV, ...env },
    // 32 CPUs (no CPU limit) and 512Gi per 8-GPU pod.
    resources: { cpu: "32", memory: "512Gi", memoryLimit: "512Gi" },
});

// Each preset follows one llm-d v0.9.0 guide; test/unit/presets-upstream.test.ts pins what defines it.
export const PRESETS: Readonly<Record<WellLitPath, PresetSpec>> = {
    // guides/optimized-baseline/modelserver/gpu/vllm/base/patch-vllm.yaml: Qwen3-32B, 8 x TP2.
    "optimized-baseline": {
        schedulerProfile: "optimized-baseline",
        model: "Qwen/Qwen3-32B",
        accelerator: "nvidia-h100",
        simulator: false,
        kvTransfer: "none",
        kvEvents: false,
        decode: single(8, 2, { resources: BASELINE_RESOURCES }),
        routerReplicas: 1,
        cudaImage: IMAGES.vllmOpenai,
    },
    // guides/pd-disaggregation/modelserver/gpu/vllm/base: gpt-oss-120b, 2 decode x TP4, 8 prefill x TP1.
    "pd-disaggregation": {
        schedulerProfile: "pd-disaggregation",
        model: "openai/gpt-oss-120b",
        accelerator: "nvidia-h100",
        simulator: false,
        kvTransfer: "nixl",
        kvEvents: false,
        decode: single(2, 4, { extraArgs: PD_ARGS, resources: { cpu: "16", memory: "64Gi", cpuLimit: "16", memoryLimit: "64Gi" } }),
        prefill: single(8, 1, { extraArgs: PD_ARGS, resources: { cpu: "8", memory: "16Gi", cpuLimit: "8", memoryLimit: "16Gi" } }),
        routerReplicas: 1,
        cudaImage: IMAGES.vllmOpenai,
    },
    // guides/precise-prefix-cache-routing: Qwen3-32B, 8 x TP2, one router (no leader election).
    "precise-prefix-cache": {
        schedulerProfile: "precise-prefix-cache",
        model: "Qwen/Qwen3-32B",
        accelerator: "nvidia-h100",
        simulator: false,
        kvTransfer: "none",
        kvEvents: true,
        decode: single(8, 2, { resources: BASELINE_RESOURCES }),
        routerReplicas: 1,
        cudaImage: IMAGES.vllmOpenai,
    },
    // guides/wide-ep-lws/modelserver/gpu/vllm/base/{decode,prefill}.yaml.
    "wide-ep": {
        schedulerProfile: "wide-ep",
        model: "deepseek-ai/DeepSeek-R1-0528",
        accelerator: "nvidia-h100",
        simulator: false,
        kvTransfer: "nixl",
        kvEvents: false,
        // Two LeaderWorkerSets of two 8-GPU nodes each: DP 16 with 8 local ranks per node, as llm-d's guide.
        decode: wideEpRole(
            [
                "--max-num-batched-tokens", "256", "--max-num-seqs", "256",
                "--all2all-backend", "deepep_low_latency", "--moe-backend", "deep_gemm",
                "--enable-dbo", "--dbo-decode-token-threshold", "32",
            ],
            // NVSHMEM_SYMMETRIC_SIZE keeps NVSHMEM from running out of its symmetric heap.
            { VLLM_USE_DEEP_GEMM: "1", NVSHMEM_SYMMETRIC_SIZE: "16G" },
        ),
        prefill: wideEpRole(
            ["--gpu-memory-utilization", "0.80", "--all2all-backend", "deepep_high_throughput", "--moe-backend", "deep_gemm"],
            // Loading and compiling DeepSeek-R1 across two nodes outlasts vLLM's default engine start timeout.
            { VLLM_ENGINE_READY_TIMEOUT_S: "3000" },
        ),
        routerReplicas: 1,
        cudaImage: IMAGES.vllmCuda,
    },
    // The optimized baseline on the CPU simulator (no guide of its own).
    simulator: {
        schedulerProfile: "optimized-baseline",
        model: "Qwen/Qwen3-0.6B",
        accelerator: "cpu",
        simulator: true,
        kvTransfer: "none",
        kvEvents: false,
        decode: single(2, 1),
        routerReplicas: 1,
        cudaImage: IMAGES.vllmOpenai,
    },
};
