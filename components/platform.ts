import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterProvider } from "./catalog/accelerators";
import { GatewayImplementation } from "./catalog/gateways";
import { TopologyPlacement, TopologyProfile } from "./catalog/topology";
import { MANIFESTS } from "./catalog/versions";
import { withKindDependencies } from "./dependencies";
import { GatewayAuthenticationArgs, GatewayTlsArgs, InferenceGateway, createCrds, gatewayParts } from "./gateway";
import { createK8sObject } from "./k8s-object";
import { TopologyAwareScheduling } from "./kueue";
import { LeaderWorkerSetController } from "./lws";
import { ModelServerNetworkArgs } from "./model-server";
import { AcceleratorPool } from "./pool";
import { ModelRouting, renderModelRouting } from "./render/model-routing";
import { ChartSpec, OperatorsArgs } from "./render/operators";
import { LlmdPlatformRef, PlatformInput, PlatformSpec, resolvePlatformSpec } from "./render/platform";
import { GatewaySpec } from "./render/gateway";
import { outputsToRegister, whenPlain } from "./plain-inputs";
import { checkArgs } from "./strict";
import { networkPolicySettings } from "./render/platform";
import { renderPlatformNetworkPolicies } from "./render/network-policy";
import { PodSecurityLevel, podSecurityLabels } from "./render/pod-security-standards";

export type { LlmdPlatformRef } from "./render/platform";
export { ModelRouting } from "./render/model-routing";

/** Gateway settings of a platform (`LlmdPlatform`, or the one-model `LlmdDeployment`). */
export interface LlmdGatewayArgs {
    /** Gateway implementation: istio (default), agentgateway, kgateway, gke or none. */
    implementation?: GatewayImplementation;
    /** GatewayClass override. */
    gatewayClassName?: string;
    /**
     * Install the Gateway API CRDs. Default: true unless the platform ships them (GKE). Set false where the
     * cluster manages them itself (OpenShift 4.19+ through its Ingress Operator) or another team installed them.
     */
    installGatewayApiCrds?: boolean;
    /** GKE only: internal load balancer (now the default; prefer `public`). */
    internal?: boolean;
    /**
     * Expose the Gateway outside the cluster's network. Default false: private (on GKE the internal regional
     * load balancer class `gke-l7-rilb`; istio, agentgateway and kgateway get a ClusterIP proxy Service). True
     * gives them a LoadBalancer Service. Needs `authentication`, or `allowUnauthenticated: true`.
     */
    public?: boolean;
    /** With `public` and no `authentication`: accept that the Gateway serves anyone who reaches it. Logs a warning. */
    allowUnauthenticated?: boolean;
    /** Who may send requests through the Gateway (istio: JWT; agentgateway: JWT and/or API keys). Default: anyone who reaches it. */
    authentication?: GatewayAuthenticationArgs;
    /** Serve HTTPS with a certificate from a Secret instead of plain HTTP (`baseUrl` then starts with `https://`). */
    tls?: GatewayTlsArgs;
    /** Port of the Gateway's HTTP listener. Default 80. Not allowed with `tls` (use `tls.port`). */
    listenerPort?: number;
    /** Extra Helm values for the gateway controller chart (e.g. `{ profile: "openshift" }` for Istio on OpenShift). */
    controllerValues?: { [key: string]: any };
}

/** Topology-aware scheduling settings of a platform (Kueue). */
export interface LlmdTopologyArgs {
    /**
     * The cluster's provider, which decides the topology labels (gke, aks, digitalocean, openshift, minikube,
     * kind, existing). Default: the platform's `clusterProvider`.
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

/** NetworkPolicy settings of a platform; its models apply the same ones. */
export interface LlmdNetworkPolicyArgs {
    /**
     * Render NetworkPolicies: deny ingress by default in every namespace llmd serves from, then admit only the
     * serving path's flows. Default true. The cluster's network plugin must enforce them (see the README).
     */
    enabled?: boolean;
    /** Namespaces whose pods may scrape metrics. Default `llmd-monitoring` (plus `gmp-system` on GKE). */
    monitoringNamespaces?: string[];
    /**
     * GKE only: CIDRs the managed gateway's proxies connect from, e.g. the proxy-only subnet's. Google's
     * health-check ranges are always added. Default: the private ranges 10/8, 172.16/12 and 192.168/16.
     */
    gatewaySourceRanges?: string[];
}

/** Arguments of `LlmdPlatform`. */
export interface LlmdPlatformArgs {
    /** Namespace of the shared Gateway, the payload processor and the models' routing ConfigMaps; the default namespace of models. Default `llm-d`. */
    namespace?: string;
    /**
     * Create the namespace. Default true. When false it must exist; llmd then adds the Gateway-access label to it
     * with a server-side-apply patch (removed again on destroy).
     */
    createNamespace?: boolean;
    /** The gateway implementation and its settings. */
    gateway?: LlmdGatewayArgs;
    /**
     * Install the InferencePool CRD and the llm-d router's InferenceObjective / InferenceModelRewrite CRDs from
     * llmd's pins. Default true; set false when the cluster already has them.
     */
    installCrds?: boolean;
    /**
     * Keep every CRD the platform installs when the platform is destroyed. Default true: CRDs are cluster-wide
     * state, and deleting one deletes every object of its kind in the cluster, other tenants' included.
     */
    retainCrdsOnDelete?: boolean;
    /**
     * Route requests by the model they name (the OpenAI body's `"model"`), so many models share the Gateway.
     * Default true where the implementation supports it (istio and gke through llm-d's inference payload
     * processor, agentgateway through its own PreRouting policy); false serves one model on the Gateway.
     */
    modelRouting?: boolean;
    /** Install the LeaderWorkerSet controller, which models with replicas spanning nodes need. Default false. */
    leaderWorkerSet?: boolean;
    /** The cluster already runs the LeaderWorkerSet controller: models may span nodes without the platform installing it. */
    leaderWorkerSetPreinstalled?: boolean;
    /**
     * Topology-aware scheduling with Kueue: installs Kueue, a Topology per the provider's labels and queues for
     * the pools, so multi-node model groups in the platform namespace stay inside one topology domain.
     */
    topologyAwareScheduling?: LlmdTopologyArgs;
    /** The cluster's provider (gke, aks, digitalocean, openshift, minikube, kind, existing). */
    clusterProvider?: ClusterProvider;
    /** The cluster's accelerator pools (a cluster component's `pools` output); Kueue's queues are sized from them. */
    pools?: pulumi.Input<AcceleratorPool[]>;
    /** Fast-network settings the models use, so Kueue's queue covers the RDMA resources they request. */
    network?: pulumi.Input<ModelServerNetworkArgs>;
    /**
     * Operators for day-2 operations, from their pinned charts: KEDA (model autoscaling) and kube-prometheus-stack
     * (Prometheus Operator, Prometheus, Grafana loading llmd's dashboards). Off by default: llmd never detects an
     * existing installation, so a cluster that runs them already leaves these off.
     */
    operators?: OperatorsArgs;
    /** NetworkPolicies around the platform and its models (on by default). */
    networkPolicies?: LlmdNetworkPolicyArgs;
    /**
     * The Pod Security Standards level (`restricted`, `baseline` or `privileged`) the platform namespace enforces
     * (`pod-security.kubernetes.io/enforce`, with warn and audit at restricted), and that models placed in it must
     * meet. Default: the strictest level the platform's own pods (payload processor, gateway proxies) meet, but at
     * most `baseline`, which models on root-running vLLM images meet. Only set on a namespace the platform creates.
     */
    podSecurity?: PodSecurityLevel;
    /** Kubernetes provider for every child (a cluster component's `kubernetesProvider`). */
    kubernetesProvider?: k8s.Provider;
}

/** What models built in the same program use to wire their exact dependency edges and to check name clashes. */
export interface PlatformState {
    /** The platform namespace (created, or labelled by a patch). */
    namespace: pulumi.Resource;
    /** Installed CRDs by the kind they serve. */
    crds: Map<string, pulumi.Resource>;
    /** The gateway controller's Helm releases. */
    controllerCharts: pulumi.Resource[];
    lws?: pulumi.Resource;
    kueue?: pulumi.Resource;
    /** Installed operators by name (`keda`, `prometheusStack`). */
    operators: Map<string, pulumi.Resource>;
    /** Every name clients may send, with the model and field that claimed it. */
    servedNames: Map<string, string>;
    /** InferenceObjective names (clients send them in a header), with the model that claimed each. */
    objectiveNames: Map<string, string>;
}

const STATES = new WeakMap<LlmdPlatformRef, PlatformState>();
const PLAIN_REFS = new WeakMap<object, LlmdPlatformRef>();

/**
 * The plain ref behind `platform`: the ref itself, or the value behind an `LlmdPlatform.ref` output of this
 * program. Undefined for an output of unknown origin (another language's program hands its inputs over as outputs).
 */
export function plainPlatformRef(platform: unknown): LlmdPlatformRef | undefined {
    if (pulumi.Output.isInstance(platform)) {
        return PLAIN_REFS.get(platform);
    }
    return platform as LlmdPlatformRef;
}

/** The state of a platform built in this program, or undefined for a platform named by a hand-written ref. */
export function platformState(ref: LlmdPlatformRef): PlatformState | undefined {
    return STATES.get(ref);
}

/**
 * The namespace object for a platform or model namespace: created with the access labels and the Pod Security
 * labels for `podSecurity`, or given the access labels in place. A namespace llmd did not create keeps its Pod
 * Security labels: it may hold pods llmd knows nothing about.
 */
export function namespaceWithLabels(
    name: string,
    namespace: string,
    labels: Record<string, string>,
    create: boolean,
    podSecurity: PodSecurityLevel,
    opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
    return create
        ? new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: namespace, labels: { ...labels, ...podSecurityLabels(podSecurity) } } }, opts)
        : new k8s.core.v1.NamespacePatch(`${name}-namespace-labels`, { metadata: { name: namespace, labels } }, opts);
}

// Kinds the platform's routing objects use, with the resource role in their Pulumi name.
const ROUTING_ROLES: Record<string, string> = {
    ServiceAccount: "ipp-service-account",
    Role: "ipp-role",
    RoleBinding: "ipp-role-binding",
    Deployment: "ipp",
    Service: "ipp-service",
    EnvoyFilter: "ipp-envoy-filter",
    DestinationRule: "ipp-destination-rule",
    GCPRoutingExtension: "ipp-routing-extension",
    HealthCheckPolicy: "ipp-health-check",
    AgentgatewayPolicy: "model-header-policy",
};

/**
 * Creates a platform's children under `parent`. Shared by `LlmdPlatform` and `LlmdDeployment`, whose children
 * keep the names (and so the URNs) they had before the platform/model split.
 */
export function buildPlatform(parent: pulumi.Resource, name: string, spec: PlatformSpec, provider: k8s.Provider | undefined): { gateway: InferenceGateway; state: PlatformState } {
    const namespace = namespaceWithLabels(name, spec.namespace, spec.namespaceLabels, spec.createNamespace, spec.podSecurity, { parent, provider });
    const gateway = new InferenceGateway(
        `${name}-gateway`,
        { ...(spec.gatewayArgs as any), retainCrdsOnDelete: spec.retainCrdsOnDelete, kubernetesProvider: provider },
        withKindDependencies({ parent }, () => [namespace]),
    );
    const parts = gatewayParts(gateway);
    const crds = new Map(parts.crds);
    if (spec.installCrds) {
        for (const [kind, crd] of createCrds(parent, name, MANIFESTS.llmdRouter, provider, spec.retainCrdsOnDelete)) {
            crds.set(kind, crd);
        }
    }

    if (spec.ref.modelRouting !== ModelRouting.None) {
        const target = { namespace: spec.namespace, gatewayName: spec.ref.gatewayName, implementation: spec.ref.gatewayImplementation };
        for (const object of renderModelRouting(spec.ref.modelRouting, target)) {
            // Istio's EnvoyFilter and DestinationRule kinds, and agentgateway's policy kind, come with their charts.
            const needsController = ["EnvoyFilter", "DestinationRule", "AgentgatewayPolicy"].includes(object.kind);
            createK8sObject(`${name}-${ROUTING_ROLES[object.kind]}`, object, {
                parent,
                provider,
                dependsOn: [namespace, ...(needsController ? parts.controllerCharts : [])],
            });
        }
    }

    createPlatformNetworkPolicies(parent, name, spec, namespace, provider);
    const lws = spec.installLeaderWorkerSet ? new LeaderWorkerSetController(`${name}-lws`, { kubernetesProvider: provider }, { parent }) : undefined;
    const kueue = spec.topologyAwareScheduling
        ? new TopologyAwareScheduling(`${name}-kueue`, { ...spec.topologyAwareScheduling, kubernetesProvider: provider }, { parent, dependsOn: [namespace] })
        : undefined;

    const operators = new Map<string, pulumi.Resource>();
    for (const chart of spec.operatorCharts) {
        const key = chart.name === "keda" ? "keda" : "prometheusStack";
        operators.set(key, installOperator(parent, name, chart, provider));
    }

    const state: PlatformState = {
        operators,
        namespace,
        crds,
        controllerCharts: parts.controllerCharts,
        lws,
        kueue,
        servedNames: new Map(),
        objectiveNames: new Map(),
    };
    STATES.set(spec.ref, state);
    return { gateway, state };
}

// kube-prometheus-stack creates certificates for its admission webhook with Helm hooks, which only a
// helm.v3.Release runs; KEDA's chart has none and installs as a helm.v4.Chart like the other controllers.
function installOperator(parent: pulumi.Resource, name: string, chart: ChartSpec, provider: k8s.Provider | undefined): pulumi.Resource {
    const repositoryOpts = chart.repo ? { repo: chart.repo } : undefined;
    if (chart.needsHooks) {
        return new k8s.helm.v3.Release(
            `${name}-${chart.name}`,
            { name: chart.name, chart: chart.chart, version: chart.version, namespace: chart.namespace, createNamespace: true, values: chart.values, repositoryOpts },
            { parent, provider },
        );
    }
    const namespace = new k8s.core.v1.Namespace(
        `${name}-${chart.name}-namespace`,
        { metadata: { name: chart.namespace, ...(chart.namespaceLabels ? { labels: chart.namespaceLabels } : {}) } },
        { parent, provider },
    );
    return new k8s.helm.v4.Chart(
        `${name}-${chart.name}`,
        { name: chart.name, chart: chart.chart, version: chart.version, namespace: chart.namespace, values: chart.values, ...(repositoryOpts ? { repositoryOpts } : {}) },
        { parent, provider, dependsOn: [namespace] },
    );
}

function createPlatformNetworkPolicies(parent: pulumi.Resource, name: string, spec: PlatformSpec, namespace: pulumi.Resource, provider: k8s.Provider | undefined): void {
    const gateway = { implementation: spec.ref.gatewayImplementation, namespace: spec.namespace, gatewayName: spec.ref.gatewayName };
    for (const object of renderPlatformNetworkPolicies({ name, gateway, modelRouting: spec.ref.modelRouting, settings: networkPolicySettings(spec.ref) })) {
        createK8sObject(`${name}-platform-netpol-${object.metadata.name}`, object, { parent, provider, dependsOn: [namespace] });
    }
}

/** Scheme and port clients use to reach a resolved Gateway: its HTTPS listener with TLS, else its HTTP one. */
export function gatewayEndpoint(spec: GatewaySpec): { scheme: "http" | "https"; port: number } {
    const tls = spec.gateway?.tls;
    return tls ? { scheme: "https", port: tls.port } : { scheme: "http", port: spec.gateway?.listenerPort ?? 80 };
}

/** `<scheme>://<address>[:port]` of a Gateway from its status (port left out when it is the scheme's default); empty until the controller has assigned an address. */
export function gatewayBaseUrl(gateway: pulumi.Resource | undefined, endpoint: { scheme: "http" | "https"; port: number }): pulumi.Output<string> {
    if (gateway === undefined) {
        return pulumi.output("");
    }
    const status = (gateway as unknown as { status?: pulumi.Output<any> }).status ?? pulumi.output(undefined);
    return status.apply((s) => {
        const address: string | undefined = s?.addresses?.[0]?.value;
        if (!address) {
            return "";
        }
        const host = address.includes(":") ? `[${address}]` : address;
        const defaultPort = endpoint.scheme === "https" ? 443 : 80;
        return endpoint.port === defaultPort ? `${endpoint.scheme}://${host}` : `${endpoint.scheme}://${host}:${endpoint.port}`;
    });
}

/**
 * llm-d's cluster-wide half, once per cluster: the Gateway API and Inference Extension CRDs plus the llm-d
 * router's CRDs (retained on destroy by default), the gateway controller and one shared Gateway in the platform
 * namespace, routing by model name so many `LlmdModel`s share that Gateway, and, when asked, the
 * LeaderWorkerSet controller and Kueue. Models join it through its `ref`.
 */
export class LlmdPlatform extends pulumi.ComponentResource {
    /**
     * What an `LlmdModel` needs to join this platform (pass it as the model's `platform`). Plain values, so a model
     * in another stack can rebuild it from this platform's stack outputs.
     */
    public readonly ref: pulumi.Output<LlmdPlatformRef>;
    /** Namespace of the shared Gateway. */
    public readonly namespace: pulumi.Output<string>;
    /** Name of the shared Gateway (empty with implementation `none`). */
    public readonly gatewayName: pulumi.Output<string>;
    /** The Gateway's address as its controller reports it; empty until assigned, unknown in preview. */
    public readonly gatewayAddress: pulumi.Output<string>;
    /**
     * Base URL clients call (`http://<address>[:port]`, `https://` with `gateway.tls`; append `/v1/...`, OpenAI-compatible); empty until the
     * Gateway has an address, unknown in preview. A private Gateway's address is reachable inside the cluster or VPC only.
     */
    public readonly baseUrl: pulumi.Output<string>;

    /**
     * @param name Name of the platform; children are named `${name}-<role>`, and namespaces admitted to its Gateway carry `llm-d.ai/gateway-access: <name>`.
     * @param args Gateway, CRD and operator settings.
     * @param opts Pulumi options.
     */
    constructor(name: string, args: LlmdPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:LlmdPlatform", name, {}, opts);
        let builtNow: PlatformSpec | undefined;
        const built = whenPlain(args, ["kubernetesProvider"], (plain) => {
            checkArgs("LlmdPlatform", plain, opts, this);
            const { kubernetesProvider, ...input } = plain;
            // Everything is decided and checked before the first child exists: bad input creates nothing.
            const spec = resolvePlatformSpec(name, input as PlatformInput);
            builtNow = spec;
            const { gateway } = buildPlatform(this, name, spec, kubernetesProvider);
            return {
                spec,
                gatewayName: gateway.gatewayName,
                baseUrl: gatewayBaseUrl(gatewayParts(gateway).gateway, gatewayEndpoint(spec.gateway)),
            };
        });

        this.ref = built.spec.ref as pulumi.Output<LlmdPlatformRef>;
        // Built at once (plain args): a model in this program reads the plain values behind the output, keeping
        // the ref's identity, so it never waits on an Output and gets exact dependency edges.
        if (builtNow) {
            PLAIN_REFS.set(this.ref, builtNow.ref);
        }
        this.namespace = built.spec.namespace;
        this.gatewayName = built.gatewayName;
        this.baseUrl = built.baseUrl;
        this.gatewayAddress = this.baseUrl.apply((url) => url.replace(/^https?:\/\//, "").replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1"));
        this.registerOutputs(outputsToRegister({
            ref: this.ref,
            namespace: this.namespace,
            gatewayName: this.gatewayName,
            gatewayAddress: this.gatewayAddress,
            baseUrl: this.baseUrl,
        }));
    }
}
