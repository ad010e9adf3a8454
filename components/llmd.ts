import * as pulumi from "@pulumi/pulumi";
import { ClusterProvider } from "./catalog/accelerators";
import { gatewayParts } from "./gateway";
import { LlmdModelSettings, buildModel } from "./model";
import { LlmdGatewayArgs, LlmdNetworkPolicyArgs, LlmdTopologyArgs, buildPlatform, gatewayBaseUrl, gatewayEndpoint } from "./platform";
// Inside whenPlain every input but the kept ones is resolved, hence the cast to the plain input type.
import { LlmdDeploymentInput, resolveLlmdDeployment } from "./render/llmd-deployment";
import { OperatorsArgs } from "./render/operators";
import { outputsToRegister, whenPlain } from "./plain-inputs";
import { checkArgs } from "./strict";

export type { LlmdGatewayArgs, LlmdTopologyArgs } from "./platform";
export type { LlmdModelServerArgs, LlmdRouterArgs } from "./model";

/** Arguments of `LlmdDeployment`: a model's settings plus its platform's. */
export interface LlmdDeploymentArgs extends LlmdModelSettings {
    /** Namespace for the router, pool, gateway and model servers. Default `llm-d`. */
    namespace?: string;
    /** Create the namespace. Default true. */
    createNamespace?: boolean;
    /** Gateway settings. */
    gateway?: LlmdGatewayArgs;
    /** Install the LeaderWorkerSet controller. Default: when a role spans nodes. False: the cluster runs it already. */
    installLeaderWorkerSet?: boolean;
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
    /** Operators to install from their pinned charts: KEDA and kube-prometheus-stack. Off by default. */
    operators?: OperatorsArgs;
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
     * Base URL clients call: the Gateway's (`http(s)://<address>[:port]`, empty until it has an address, unknown in
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
        const built = whenPlain(args, ["hfToken", "kubernetesProvider"], (plain) => {
            checkArgs("LlmdDeployment", plain, opts, this);
            const { hfToken, kubernetesProvider, ...input } = plain;
            // Everything is decided and checked before the first child exists: bad input creates nothing.
            const plan = resolveLlmdDeployment(name, input as LlmdDeploymentInput, { hfTokenGiven: hfToken !== undefined });
            const { gateway } = buildPlatform(this, name, plan.platformSpec, kubernetesProvider);
            const { router } = buildModel(this, plan, hfToken, kubernetesProvider);
            const gatewayUrl = gatewayBaseUrl(gatewayParts(gateway).gateway, gatewayEndpoint(plan.gateway));
            return {
                namespace: plan.namespace,
                preset: plan.preset,
                servedModelName: plan.servedModelName,
                gatewayName: gateway.gatewayName,
                poolName: router.poolName,
                routerServiceName: router.serviceName,
                baseUrl: plan.router.gateway ? gatewayUrl : router.endpoint,
            };
        });

        this.namespace = built.namespace;
        this.preset = built.preset;
        this.servedModelName = built.servedModelName;
        this.gatewayName = built.gatewayName;
        this.poolName = built.poolName;
        this.routerServiceName = built.routerServiceName;
        this.baseUrl = built.baseUrl;
        this.registerOutputs(outputsToRegister({
            namespace: this.namespace,
            preset: this.preset,
            servedModelName: this.servedModelName,
            gatewayName: this.gatewayName,
            poolName: this.poolName,
            routerServiceName: this.routerServiceName,
            baseUrl: this.baseUrl,
        }));
    }
}
