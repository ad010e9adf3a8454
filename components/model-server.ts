import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Accelerator } from "./catalog/accelerators";
import { createK8sObject } from "./k8s-object";
import { AcceleratorPool } from "./pool";
import { renderHfTokenSecret, renderModelServer, resolveModelServer } from "./render/model-server";
import {
    KueueTopologyMode,
    KvTransfer,
    ModelServerKueueArgs,
    ModelServerKvEventsArgs,
    ModelServerNetworkArgs,
    ModelServerPdArgs,
    ModelServerRole,
} from "./render/model-server-types";

export { KueueTopologyMode, KvTransfer, ModelServerRole };
export type { ModelServerKueueArgs, ModelServerKvEventsArgs, ModelServerNetworkArgs, ModelServerPdArgs };

/** Arguments of a `ModelServer`. */
export interface ModelServerArgs {
    /** Namespace the model server runs in (must exist). */
    namespace: string;
    /** Hugging Face repository id of the model, e.g. `Qwen/Qwen3-0.6B`. */
    model: string;
    /**
     * Where the weights come from: `hf://<repo>` (default `hf://<model>`, downloaded into the model cache) or
     * `pvc://<claim>/<path>` (an existing claim, mounted read-only at /models).
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
    /** Hugging Face token. Stored in a Secret `<name>-hf-token` (key `HF_TOKEN`) and kept a Pulumi secret. */
    hfToken?: pulumi.Input<string>;
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
    /** Kubernetes provider for the cluster; unset uses the inherited or default provider. */
    kubernetesProvider?: k8s.Provider;
}

/**
 * vLLM model servers for llm-d: a Deployment (or a LeaderWorkerSet when one replica spans nodes) of pods
 * labelled for an InferencePool, with llm-d's P/D routing sidecar, NIXL KV transfer and KV events when asked.
 * Invalid arguments throw an `LlmdConfigError` before any resource is created.
 */
export class ModelServer extends pulumi.ComponentResource {
    /** Kubernetes name of the Deployment or LeaderWorkerSet. */
    public readonly workloadName: pulumi.Output<string>;
    /** Role of the pods: decode, prefill or both. */
    public readonly role: pulumi.Output<string>;
    /** Namespace of the workload. */
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: ModelServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:ModelServer", name, {}, opts);
        const spec = resolveModelServer(args, { name, hfTokenGiven: args.hfToken !== undefined });
        const provider = args.kubernetesProvider;
        // Children do not inherit dependsOn from a component: pass it on so the LeaderWorkerSet waits for
        // its controller (and its webhook) when the caller says so.
        const dependsOn = opts?.dependsOn;

        let secret: pulumi.CustomResource | undefined;
        if (spec.createHfTokenSecret && args.hfToken !== undefined) {
            secret = createK8sObject(`${name}-hf-token`, renderHfTokenSecret(spec, pulumi.secret(args.hfToken)), {
                parent: this,
                provider,
                dependsOn,
            });
        }

        const [object] = renderModelServer(spec);
        const workload = createK8sObject(`${name}-workload`, object, {
            parent: this,
            provider,
            dependsOn: secret ? withExtra(dependsOn, secret) : dependsOn,
        });

        this.workloadName = workload.urn.apply(() => spec.name);
        this.role = pulumi.output(spec.role);
        this.namespace = pulumi.output(spec.namespace);
        this.registerOutputs({ workloadName: this.workloadName, role: this.role, namespace: this.namespace });
    }
}

type DependsOn = pulumi.ComponentResourceOptions["dependsOn"];

/** Adds `extra` to a dependsOn option when its shape is known without waiting on an output. */
function withExtra(dependsOn: DependsOn, extra: pulumi.Resource): DependsOn {
    if (dependsOn === undefined) {
        return [extra];
    }
    if (Array.isArray(dependsOn)) {
        return [...dependsOn, extra];
    }
    if (pulumi.Resource.isInstance(dependsOn)) {
        return [dependsOn, extra];
    }
    return dependsOn; // an Output or Promise of resources: keep the caller's list as given
}
