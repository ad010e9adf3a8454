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
     * ZMQ endpoint to connect to (the router's `tcp://<router>-epp.<ns>.svc.cluster.local:5557` when it runs
     * with `kvEventsListener`). When unset vLLM binds `tcp://*:5556` (replay `tcp://*:5559`) on its own pod and
     * the router discovers the pods and dials them, as llm-d's guide does. Required for the simulator, which
     * can only connect.
     */
    endpoint?: string;
    /** KV block size in tokens; must equal the router's block size. Default 64, as llm-d's guide uses. */
    blockSize?: number;
    /** `PYTHONHASHSEED` for vLLM's block hashes; must equal the router's hash seed. Default "42". */
    hashSeed?: string;
}

/**
 * What `resolveModelServer` reads, and the documented body of `ModelServerArgs`, which adds the HF token and
 * the provider. The token itself never enters the pure core; only whether one was given.
 */
export interface ModelServerInput {
    /** Namespace the model server runs in (must exist). */
    namespace: string;
    /** Hugging Face repository id of the model, e.g. `Qwen/Qwen3-0.6B`. */
    model: string;
    /**
     * Where the weights come from: `hf://<repo>` (default `hf://<model>`, downloaded into the model cache),
     * `pvc://<claim>/<path>` (an existing claim, mounted read-only at /models) or, on GKE,
     * `gs://<bucket>/<path>` (the bucket mounted read-only at /models through the GCS FUSE CSI driver).
     */
    modelSource?: string;
    /** Model name clients send in requests. Defaults to `model`. */
    servedModelName?: string;
    /** `decode`, `prefill` or `both` (default). */
    role?: ModelServerRole;
    /** Number of replicas (0 or more, default 1). With `nodesPerReplica` above 1 each replica is a group of pods. */
    replicas?: number;
    /**
     * Accelerator id from the catalog (e.g. `nvidia-h100`, `amd-mi300x`, `tpu-v6e`, `cpu`). Required unless
     * `simulator` is true.
     */
    accelerator?: Accelerator;
    /**
     * Accelerator pool to place the pods on (from a cluster component's `pools`): its node labels become the
     * nodeSelector and its taints are tolerated. Its accelerator must equal `accelerator`.
     */
    pool?: AcceleratorPool;
    /** Accelerators on one node. Defaults to the pool's; without a pool the per-node fit is not checked. */
    acceleratorsPerNode?: number;
    /**
     * vLLM tensor-parallel size. Must fit on one node unless `nodesPerReplica` is above 1. Defaults to the
     * chips of a multi-host TPU slice (16 for `4x4`), else 1.
     */
    tensorParallelSize?: number;
    /** vLLM data-parallel size of one replica. Defaults to nodesPerReplica x dataParallelSizeLocal. */
    dataParallelSize?: number;
    /**
     * Data-parallel ranks per pod. Defaults to what fills a node (acceleratorsPerNode / tensorParallelSize)
     * when a replica spans nodes, else 1.
     */
    dataParallelSizeLocal?: number;
    /**
     * Nodes (pods) per replica. Above 1 the replica runs as a LeaderWorkerSet group of that size. Defaults to
     * the hosts of the pool's TPU slice (e.g. 4 for `4x4` on ct6e-standard-4t), else 1.
     */
    nodesPerReplica?: number;
    /** Pass `--enable-expert-parallel` to vLLM (MoE models, wide EP). */
    enableExpertParallel?: boolean;
    /**
     * Run the llm-d inference simulator instead of vLLM: CPU only, no model weights, no accelerators. The
     * accelerator must be `cpu` or unset.
     */
    simulator?: boolean;
    /** Container image. Defaults to the pinned vLLM image for the accelerator (CUDA, ROCm, TPU, CPU) or the simulator. */
    image?: string;
    /** Replaces the container command (default `["vllm", "serve"]`); the pod args still follow it. */
    command?: string[];
    /** Extra arguments appended to the server's arguments, passed through unchanged. */
    extraArgs?: string[];
    /** Extra environment variables; they override llmd's variables of the same name. */
    env?: { [key: string]: string };
    /** Port the InferencePool targets (default 8000). With the routing sidecar, the sidecar listens here. */
    port?: number;
    /** Labels the InferencePool selects on; added to every serving pod. */
    poolLabels?: { [key: string]: string };
    /** Name of an existing Secret with key `HF_TOKEN` (e.g. `llm-d-hf-token`), instead of `hfToken`. */
    hfTokenSecretName?: string;
    /**
     * Kubernetes version of the cluster, e.g. `1.33`. Below 1.29 is an error; below 1.33 the routing sidecar
     * runs as a plain container instead of a native sidecar. Unset assumes 1.33 or newer.
     */
    kubernetesVersion?: string;
    /** Prefill/decode disaggregation settings. */
    pd?: ModelServerPdArgs;
    /** KV-cache events for the router's precise prefix-cache scoring. */
    kvEvents?: ModelServerKvEventsArgs;
    /** CPU request of the server container, e.g. `8`. */
    cpu?: string;
    /** Memory request of the server container, e.g. `64Gi`. */
    memory?: string;
    /** CPU limit of the server container, e.g. `16`. Unset: no limit. */
    cpuLimit?: string;
    /** Memory limit of the server container, e.g. `128Gi`. Unset: no limit. */
    memoryLimit?: string;
    /** Size limit of the model cache emptyDir, e.g. `100Gi` (HF_HOME points at it). */
    modelCacheSize?: string;
    /** Existing PersistentVolumeClaim to use as the model cache instead of an emptyDir, so restarts skip the download. */
    cachePvc?: string;
    /**
     * Fast networking: RDMA devices, Multus networks, accepting TCP. P/D or multi-node replicas on a pool
     * without RDMA are an error unless `network.allowTcp` is true; on an RDMA pool the device names must be
     * known (catalog default or `network.rdmaDevices`).
     */
    network?: ModelServerNetworkArgs;
    /**
     * Node label whose values are exclusive to one LeaderWorkerSet group (`leaderworkerset.sigs.k8s.io/exclusive-topology`),
     * e.g. `cloud.google.com/gce-topology-block`. Multi-node replicas only. Defaults to
     * `cloud.google.com/gke-nodepool` on a multi-host TPU slice (one slice per group), else unset.
     */
    topologyKey?: string;
    /** Admit the workload through a Kueue LocalQueue, optionally inside one topology domain per replica. */
    kueue?: ModelServerKueueArgs;
    /**
     * ServiceAccount the pods run as (must exist in `namespace`). Unset uses the namespace's `default`. Set it
     * when the pods need a grant bound to their account, e.g. an OpenShift SecurityContextConstraints that
     * allows the RDMA capabilities (`LlmdDeployment` with platform `openshift` creates and sets one).
     */
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
export type ModelLocation =
    | { kind: "hf"; repo: string }
    | { kind: "pvc"; claim: string; path: string }
    /** A Cloud Storage bucket mounted through GKE's GCS FUSE CSI driver. */
    | { kind: "gcs"; bucket: string; path: string };

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
    cpuLimit?: string;
    memoryLimit?: string;
    cache: { sizeLimit?: string; claim?: string };
    nodeSelector: { [key: string]: string };
    tolerations: TolerationSpec[];
    /** Fabric, RDMA wiring and provider network annotations. */
    network: NetworkSpec;
    /** LWS exclusive topology and Kueue admission. */
    placement: PlacementSpec;
}
