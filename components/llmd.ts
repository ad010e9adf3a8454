import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Accelerator, ClusterProvider } from "./catalog/accelerators";
import { TopologyPlacement, TopologyProfile } from "./catalog/topology";
import { TopologyAwareScheduling } from "./kueue";
import { GatewayImplementation } from "./catalog/gateways";
import { PresetName } from "./catalog/presets";
import { InferenceGateway } from "./gateway";
import { LeaderWorkerSetController } from "./lws";
import { ModelServer, ModelServerNetworkArgs } from "./model-server";
import { AcceleratorPool } from "./pool";
import { RoleOverrides, resolveLlmdDeployment } from "./render/llmd-deployment";
import { renderOpenShiftScc, renderOpenShiftServiceAccount } from "./render/openshift";
import { createK8sObject } from "./k8s-object";
import { FailureMode, InferenceRouter, RouterResources, SchedulerProfile } from "./router";

/** Gateway settings of an `LlmdDeployment`. */
export interface LlmdGatewayArgs {
    /** Gateway implementation: istio (default), agentgateway, kgateway, gke or none. */
    implementation?: GatewayImplementation;
    /** GatewayClass override. */
    gatewayClassName?: string;
    /** Install the Gateway API CRDs. Default: true unless the platform ships them (GKE). */
    installGatewayApiCrds?: boolean;
    /** GKE only: internal load balancer instead of a regional external one. */
    internal?: boolean;
    /** Port of the Gateway's HTTP listener. Default 80. */
    listenerPort?: number;
    /** Extra Helm values for the gateway controller chart (e.g. `{ profile: "openshift" }` for Istio on OpenShift). */
    controllerValues?: { [key: string]: any };
}

/** Router settings of an `LlmdDeployment`. */
export interface LlmdRouterArgs {
    /** Router replicas (more than one enables leader election). Default: the preset's. */
    replicas?: number;
    /** Router image override. */
    image?: string;
    /** Raw EndpointPickerConfig YAML replacing the preset's scheduler configuration. */
    schedulerConfig?: string;
    /** FailOpen (default) or FailClose when the router is unreachable. */
    failureMode?: FailureMode;
    /** Router container resources. Default: llm-d's guide sizes, or small ones with the simulator. */
    resources?: RouterResources;
}

/** Overrides for one model-server role of an `LlmdDeployment`; unset fields keep the preset's values. */
export interface LlmdModelServerArgs extends RoleOverrides {}

/** Topology-aware scheduling settings of an `LlmdDeployment`. */
export interface LlmdTopologyArgs {
    /**
     * The cluster's provider, which decides the topology labels (gke, aks, digitalocean, openshift, minikube,
     * kind, existing). Default: the deployment's `platform`.
     */
    clusterProvider?: ClusterProvider;
    /** Install Kueue from its pinned chart. Default true. */
    installKueue?: boolean;
    /** Topology level profile override (e.g. `gke-nodepool` on GKE capacity without block labels). */
    topologyProfile?: TopologyProfile;
    /** Generic clusters: node label naming the rack, used as the group level. */
    rackLabel?: string;
    /** `required` (default) or `preferred` placement inside the group level. */
    placement?: TopologyPlacement;
}

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
    /** Install the LeaderWorkerSet controller. Default: when a role spans nodes. */
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
    /**
     * The cluster's platform (gke, aks, digitalocean, openshift, minikube, kind, existing). `openshift` turns on
     * SecurityContextConstraints handling: when a model server adds capabilities (RDMA: IPC_LOCK, SYS_RAWIO)
     * or runs privileged, which the default restricted-v2 SCC rejects, the deployment creates an SCC allowing
     * exactly that, a ClusterRole to use it, and a ServiceAccount bound to it in the namespace for those
     * servers (creating an SCC needs cluster-admin). Otherwise nothing extra: restricted-v2 admits every pod.
     */
    platform?: ClusterProvider;
    /** Kubernetes provider for every child (a cluster component's `kubernetesProvider`). */
    kubernetesProvider?: k8s.Provider;
}

/**
 * A complete llm-d serving stack for one model on one well-lit path: gateway (with the Gateway API and
 * Inference Extension CRDs), the llm-d router with its InferencePool and HTTPRoute, vLLM model servers
 * (decode, prefill or both; Deployments or LeaderWorkerSets) and, when needed, the LeaderWorkerSet
 * controller. Every field of the preset can be overridden; bad combinations fail at construction.
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
     * @param name Name of the deployment; children are named `${name}-<role>` and pods carry `llm-d.ai/guide: <name>`.
     * @param args The preset and its overrides.
     * @param opts Pulumi options.
     */
    constructor(name: string, args: LlmdDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:LlmdDeployment", name, {}, opts);
        const { hfToken, kubernetesProvider, ...input } = args;
        // Everything is decided and checked before the first child exists: bad input creates nothing.
        const plan = resolveLlmdDeployment(name, input, { hfTokenGiven: hfToken !== undefined });
        const provider = kubernetesProvider;

        const namespace = plan.createNamespace
            ? new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: plan.namespace } }, { parent: this, provider })
            : undefined;
        const afterNamespace = namespace ? [namespace] : [];

        const gateway = new InferenceGateway(
            `${name}-gateway`,
            { ...plan.gateway, namespace: plan.namespace, kubernetesProvider: provider },
            { parent: this, dependsOn: afterNamespace },
        );
        const kueue = plan.topologyAwareScheduling
            ? new TopologyAwareScheduling(
                  `${name}-kueue`,
                  { ...plan.topologyAwareScheduling, kubernetesProvider: provider },
                  { parent: this, dependsOn: afterNamespace },
              )
            : undefined;
        const lws = plan.installLeaderWorkerSet
            ? new LeaderWorkerSetController(`${name}-lws`, { kubernetesProvider: provider }, { parent: this })
            : undefined;

        const { name: routerName, ...routerArgs } = plan.router;
        const router = new InferenceRouter(
            routerName,
            {
                ...routerArgs,
                schedulerProfile: plan.router.schedulerProfile as SchedulerProfile | undefined,
                failureMode: plan.router.failureMode as FailureMode | undefined,
                gatewayImplementation: plan.router.gatewayImplementation as GatewayImplementation | undefined,
                kubernetesProvider: provider,
            },
            { parent: this, dependsOn: [gateway, ...afterNamespace] },
        );

        // OpenShift: the grant the RDMA model servers need to be admitted. The SCC and its ClusterRole are
        // cluster-scoped; the ServiceAccount and RoleBinding live in the namespace.
        let sccGrant: pulumi.Resource[] = [];
        if (plan.openShiftScc) {
            const [sccObject, clusterRoleObject, roleBindingObject] = renderOpenShiftScc(plan.openShiftScc);
            const serviceAccount = createK8sObject(`${name}-model-server-sa`, renderOpenShiftServiceAccount(plan.openShiftScc), {
                parent: this,
                provider,
                dependsOn: afterNamespace,
            });
            const scc = createK8sObject(`${name}-scc`, sccObject, { parent: this, provider, dependsOn: afterNamespace });
            const clusterRole = createK8sObject(`${name}-scc-role`, clusterRoleObject, { parent: this, provider, dependsOn: [scc] });
            const binding = createK8sObject(`${name}-scc-binding`, roleBindingObject, {
                parent: this,
                provider,
                dependsOn: [...afterNamespace, clusterRole, serviceAccount],
            });
            sccGrant = [serviceAccount, binding];
        }

        for (const server of plan.modelServers) {
            // Pods created before their account may use the SCC are rejected, and the workload stalls.
            const grant = server.input.serviceAccountName ? sccGrant : [];
            new ModelServer(
                `${name}-${server.role}`,
                { ...server.input, hfToken, kubernetesProvider: provider },
                { parent: this, dependsOn: [...afterNamespace, ...(lws ? [lws] : []), ...(kueue ? [kueue] : []), ...grant] },
            );
        }

        this.namespace = pulumi.output(plan.namespace);
        this.preset = pulumi.output(plan.preset);
        this.servedModelName = pulumi.output(plan.servedModelName);
        this.gatewayName = gateway.gatewayName;
        this.poolName = router.poolName;
        this.routerServiceName = router.serviceName;
        this.registerOutputs({
            namespace: this.namespace,
            preset: this.preset,
            servedModelName: this.servedModelName,
            gatewayName: this.gatewayName,
            poolName: this.poolName,
            routerServiceName: this.routerServiceName,
        });
    }
}
