import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Accelerator, ClusterProvider } from "./catalog/accelerators";
import { PresetName } from "./catalog/presets";
import { InferenceObjectiveArgs, LlmdModelServerArgs, LlmdRouterArgs, LoraArgs, ModelRewriteArgs, buildModel } from "./model";
import { ModelServerNetworkArgs } from "./model-server";
import { LlmdGatewayArgs, LlmdNetworkPolicyArgs, LlmdTopologyArgs, buildPlatform, gatewayBaseUrl } from "./platform";
import { AcceleratorPool } from "./pool";
import { gatewayParts } from "./gateway";
import { resolveLlmdDeployment } from "./render/llmd-deployment";

export type { LlmdGatewayArgs, LlmdTopologyArgs } from "./platform";
export type { LlmdModelServerArgs, LlmdRouterArgs } from "./model";

/** Arguments of `LlmdDeployment`. */
export interface LlmdDeploymentArgs {
    /** Well-lit path: optimized-baseline (default; former name inference-scheduling), pd-disaggregation, precise-prefix-cache, wide-ep or simulator. */
    preset?: PresetName;
    /** Namespace for the router, pool, gateway and model servers. Default `llm-d`. */
    namespace?: string;
    /** Create the namespace. Default true. */
    createNamespace?: boolean;
    /** Hugging Face model id. Default: the preset's model. */
    model?: string;
    /** Where the weights come from: `hf://<repo>` (default, from `model`) or `pvc://<claim>/<path>`. */
    modelSource?: string;
    /** Model name clients send in requests. Default: `model`. */
    servedModelName?: string;
    /** Accelerator to serve on. Default: the preset's, or the cluster's only accelerator kind. */
    accelerator?: Accelerator;
    /** Run the preset's model servers on the CPU-only llm-d inference simulator instead of vLLM. */
    simulate?: boolean;
    /** The cluster's accelerator pools (a cluster component's `pools` output), used to place model servers. */
    pools?: AcceleratorPool[];
    /** Kubernetes version of the cluster (e.g. `1.33`); below 1.33 the P/D sidecar runs as a plain container. */
    kubernetesVersion?: string;
    /** Hugging Face token (stored as a Kubernetes Secret from a Pulumi secret). */
    hfToken?: pulumi.Input<string>;
    /** Existing Secret with key `HF_TOKEN` to use instead of `hfToken` (llm-d's convention is `llm-d-hf-token`). */
    hfTokenSecretName?: string;
    /** Gateway settings. */
    gateway?: LlmdGatewayArgs;
    /** Router settings. */
    router?: LlmdRouterArgs;
    /** Decode (or combined) model-server overrides. */
    decode?: LlmdModelServerArgs;
    /** Prefill model-server overrides (disaggregated presets). */
    prefill?: LlmdModelServerArgs;
    /** Install the LeaderWorkerSet controller. Default: when a role spans nodes. False: the cluster runs it already. */
    installLeaderWorkerSet?: boolean;
    /**
     * Fast-network settings for every model server: RDMA device names, Multus networks, or `allowTcp` to accept
     * P/D or multi-node serving over plain TCP on pools without RDMA.
     */
    network?: ModelServerNetworkArgs;
    /**
     * Topology-aware scheduling with Kueue: installs Kueue, a Topology per the provider's labels and queues
     * for the pools, and keeps each multi-node group inside one topology domain.
     */
    topologyAwareScheduling?: LlmdTopologyArgs;
    /** NetworkPolicies around the deployment (on by default): default-deny ingress, then the serving path's flows. */
    networkPolicies?: LlmdNetworkPolicyArgs;
    /**
     * The cluster's platform (gke, aks, digitalocean, openshift, minikube, kind, existing). `openshift` turns on
     * SecurityContextConstraints handling: when a model server adds capabilities (RDMA: IPC_LOCK, SYS_RAWIO)
     * or runs privileged, which the default restricted-v2 SCC rejects, the deployment creates an SCC allowing
     * exactly that, a ClusterRole to use it, and a ServiceAccount bound to it in the namespace for those
     * servers (creating an SCC needs cluster-admin). Otherwise nothing extra: restricted-v2 admits every pod.
     */
    platform?: ClusterProvider;
    /** LoRA adapters served on the model. */
    lora?: LoraArgs;
    /** Request priorities (InferenceObjective) on the model's pool. */
    objectives?: InferenceObjectiveArgs[];
    /** Model-name rewrites and traffic splits (InferenceModelRewrite) on the model's pool. */
    rewrites?: ModelRewriteArgs[];
    /** Kubernetes provider for every child (a cluster component's `kubernetesProvider`). */
    kubernetesProvider?: k8s.Provider;
}

/**
 * The one-model shortcut: an `LlmdPlatform` and one `LlmdModel` on it, for one model on one well-lit path. Its
 * Gateway routes every request to that model. Kept for programs written before the platform/model split: the
 * children keep their names and parents, so an existing stack updates in place. To serve several models, use
 * `LlmdPlatform` and `LlmdModel`.
 */
export class LlmdDeployment extends pulumi.ComponentResource {
    /** Namespace everything runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** The well-lit path deployed. */
    public readonly preset: pulumi.Output<string>;
    /** Model name clients send in requests (`"model"` in the OpenAI API). */
    public readonly servedModelName: pulumi.Output<string>;
    /** Name of the Gateway clients reach (empty with gateway `none`). */
    public readonly gatewayName: pulumi.Output<string>;
    /** Name of the InferencePool. */
    public readonly poolName: pulumi.Output<string>;
    /** Name of the router's Service. */
    public readonly routerServiceName: pulumi.Output<string>;
    /**
     * Base URL clients call: the Gateway's (`http://<address>[:port]`, empty until it has an address, unknown in
     * preview), or with gateway `none` the in-cluster URL of the router's own proxy. Append `/v1/...`.
     */
    public readonly baseUrl: pulumi.Output<string>;

    /**
     * @param name Name of the deployment; children are named `${name}-<role>` and pods carry `llm-d.ai/guide: <name>`.
     * @param args The preset and its overrides.
     * @param opts Pulumi options.
     */
    constructor(name: string, args: LlmdDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:LlmdDeployment", name, {}, opts);
        const { hfToken, kubernetesProvider, ...input } = args;
        // Everything is decided and checked before the first child exists: bad input creates nothing.
        const plan = resolveLlmdDeployment(name, input, { hfTokenGiven: hfToken !== undefined });
        const { gateway } = buildPlatform(this, name, plan.platformSpec, kubernetesProvider);
        const { router } = buildModel(this, plan, hfToken, kubernetesProvider);

        this.namespace = pulumi.output(plan.namespace);
        this.preset = pulumi.output(plan.preset);
        this.servedModelName = pulumi.output(plan.servedModelName);
        this.gatewayName = gateway.gatewayName;
        this.poolName = router.poolName;
        this.routerServiceName = router.serviceName;
        const gatewayUrl = gatewayBaseUrl(gatewayParts(gateway).gateway, plan.gateway.gateway?.listenerPort ?? 80);
        this.baseUrl = plan.router.gateway ? gatewayUrl : router.endpoint;
        this.registerOutputs({
            namespace: this.namespace,
            preset: this.preset,
            servedModelName: this.servedModelName,
            gatewayName: this.gatewayName,
            poolName: this.poolName,
            routerServiceName: this.routerServiceName,
            baseUrl: this.baseUrl,
        });
    }
}
