/**
 * Plain types for the vLLM model servers: the enums and nested argument shapes the `ModelServer` component
 * exposes, the pure input `resolveModelServer` reads, and the resolved spec `renderModelServer` renders.
 * No Pulumi imports: everything here is plain data.
 */
import { Accelerator, AcceleratorSpec } from "../catalog/accelerators";
import { AcceleratorPool } from "../pool";
import { ModelServerKueueArgs, PlacementSpec } from "./model-server-placement";
import { ModelServerNetworkArgs, NetworkSpec } from "./networking";

export { KueueTopologyMode } from "./model-server-placement";
export type { ModelServerKueueArgs } from "./model-server-placement";
export type { ModelServerNetworkArgs } from "./networking";

/** Which phase of inference a model server takes in llm-d's routing. */
export const ModelServerRole = {
    /** Decode only (P/D disaggregation); with KV transfer it runs the routing sidecar. */
    Decode: "decode",
    /** Prefill only (P/D disaggregation). */
    Prefill: "prefill",
    /** Prefill and decode in one server (no disaggregation). */
    Both: "both",
} as const;
/** One of the values of `ModelServerRole`. */
export type ModelServerRole = (typeof ModelServerRole)[keyof typeof ModelServerRole];

/** How KV cache moves between prefill and decode servers. */
export const KvTransfer = {
    /** No KV transfer. */
    None: "none",
    /** vLLM's NixlConnector (NIXL over UCX). */
    Nixl: "nixl",
} as const;
/** One of the values of `KvTransfer`. */
export type KvTransfer = (typeof KvTransfer)[keyof typeof KvTransfer];

/** Prefill/decode disaggregation settings of one model server. */
export interface ModelServerPdArgs {
    /** KV transfer between prefill and decode servers: `none` (default) or `nixl`. */
    kvTransfer?: KvTransfer;
    /**
     * Run llm-d's routing sidecar in front of vLLM (it listens on the pool port and vLLM moves to 8200).
     * Defaults to true for role `decode` with KV transfer, false otherwise. Not allowed for role `prefill`.
     */
    routingSidecar?: boolean;
}

/** KV-cache events vLLM publishes for the router's precise prefix-cache scoring. */
export interface ModelServerKvEventsArgs {
    /** Publish KV events. */
    enabled: boolean;
    /**
     * ZMQ endpoint vLLM connects to (e.g. the router's `tcp://<router>.<ns>.svc.cluster.local:5557`). When
     * unset vLLM binds `tcp://*:5557` and the router discovers pods and connects to them.
     */
    endpoint?: string;
    /** KV block size in tokens; must equal the router's block size. Default 64, as llm-d's guide uses. */
    blockSize?: number;
    /** `PYTHONHASHSEED` for vLLM's block hashes; must equal the router's hash seed. Default "42". */
    hashSeed?: string;
}

/**
 * What `resolveModelServer` reads: the plain-valued part of `ModelServerArgs` (see that interface for the
 * meaning of each field). The HF token itself never enters the pure core; only whether one was given.
 */
export interface ModelServerInput {
    namespace: string;
    model: string;
    modelSource?: string;
    servedModelName?: string;
    role?: ModelServerRole;
    replicas?: number;
    accelerator?: Accelerator;
    pool?: AcceleratorPool;
    acceleratorsPerNode?: number;
    tensorParallelSize?: number;
    dataParallelSize?: number;
    dataParallelSizeLocal?: number;
    nodesPerReplica?: number;
    enableExpertParallel?: boolean;
    simulator?: boolean;
    image?: string;
    command?: string[];
    extraArgs?: string[];
    env?: { [key: string]: string };
    port?: number;
    poolLabels?: { [key: string]: string };
    hfTokenSecretName?: string;
    kubernetesVersion?: string;
    pd?: ModelServerPdArgs;
    kvEvents?: ModelServerKvEventsArgs;
    cpu?: string;
    memory?: string;
    modelCacheSize?: string;
    cachePvc?: string;
    network?: ModelServerNetworkArgs;
    topologyKey?: string;
    kueue?: ModelServerKueueArgs;
    serviceAccountName?: string;
}

/** Facts about the call that are not args. */
export interface ModelServerContext {
    /** Component name: the workload's Kubernetes name and the prefix of every child. */
    name: string;
    /** True when the caller passes an HF token value (a Secret `<name>-hf-token` will be created). */
    hfTokenGiven: boolean;
}

/** Where the weights come from. */
export type ModelLocation = { kind: "hf"; repo: string } | { kind: "pvc"; claim: string; path: string };

/**
 * How a replica spreads over accelerators:
 * - `single`: one pod; TP x local DP accelerators.
 * - `data`: LeaderWorkerSet, every pod runs `dataParallelSizeLocal` DP ranks and serves HTTP (hybrid LB).
 * - `tensor`: LeaderWorkerSet, one tensor-parallel group spans the pods; only the leader serves HTTP.
 * - `slice`: LeaderWorkerSet over the hosts of one multi-host TPU slice: a Ray cluster (head on the
 *   leader) under one tensor-parallel group of every chip in the slice; only the leader serves HTTP.
 */
export type ParallelMode = "single" | "data" | "tensor" | "slice";

/** A toleration in the shape of `core/v1 Toleration`. */
export interface TolerationSpec {
    key: string;
    operator: "Exists" | "Equal";
    value?: string;
    effect: string;
}

/** Everything `renderModelServer` needs, validated and defaulted. */
export interface ModelServerSpec {
    name: string;
    namespace: string;
    model: string;
    modelSlug: string;
    servedModelName: string;
    location: ModelLocation;
    role: ModelServerRole;
    replicas: number;
    accelerator: AcceleratorSpec;
    simulator: boolean;
    /** Accelerators requested by one pod (0 for CPU and the simulator). */
    acceleratorsPerPod: number;
    mode: ParallelMode;
    nodesPerReplica: number;
    tensorParallelSize: number;
    dataParallelSize: number;
    dataParallelSizeLocal: number;
    enableExpertParallel: boolean;
    image: string;
    command?: string[];
    extraArgs: string[];
    env: { [key: string]: string };
    /** Port the InferencePool targets (the sidecar's when there is one). */
    port: number;
    /** Port vLLM itself listens on. */
    enginePort: number;
    poolLabels: { [key: string]: string };
    /** Secret holding `HF_TOKEN`, when there is one. */
    hfTokenSecretName?: string;
    /** The component creates the Secret itself (an HF token value was given). */
    createHfTokenSecret: boolean;
    /** ServiceAccount the pods run as; unset leaves the namespace's `default`. */
    serviceAccountName?: string;
    /** Kubernetes serves native sidecars (1.33+, or version unknown). */
    nativeSidecar: boolean;
    routingSidecar: boolean;
    kvTransfer: KvTransfer;
    kvEvents?: { endpoint?: string; blockSize: number; hashSeed: string };
    cpu?: string;
    memory?: string;
    cache: { sizeLimit?: string; claim?: string };
    nodeSelector: { [key: string]: string };
    tolerations: TolerationSpec[];
    /** Fabric, RDMA wiring and provider network annotations. */
    network: NetworkSpec;
    /** LWS exclusive topology and Kueue admission. */
    placement: PlacementSpec;
}
