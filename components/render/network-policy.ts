/**
 * NetworkPolicies around llm-d: every namespace llmd serves from denies ingress by default, then each pod
 * admits exactly the flows the serving path needs (llm-d v0.9 flows; llm-d's guides ship no policies):
 *
 * - gateway → router ext_proc (9002; on GKE also the gRPC health port 9003, probed by Google's health checkers);
 * - gateway → model servers on the pool's target ports; router → model servers on the same ports and on
 *   vLLM's own ports behind the P/D sidecar (metrics scraping), and on the pods' ZMQ KV-event sockets;
 * - model servers → router on the central KV-events socket when the router binds it;
 * - Prometheus (the monitoring namespaces) → router metrics and vLLM's metrics ports;
 * - the model's own model servers among themselves, on every port, where they talk to each other: prefill
 *   and decode of a P/D model (NIXL side channel 5600, and UCX's transfer sockets, which take ephemeral
 *   ports) and the pods of one LeaderWorkerSet (data-parallel RPC 5555, torch.distributed / NCCL / Gloo
 *   and Ray, which also pick ephemeral ports). A port list there would break the collective at random.
 * - gateway → payload processor (9004) in the platform namespace; the gateway's own pods admit everyone,
 *   since they are the entry point (what reaches them is decided by the Service type and listeners).
 *
 * Gateway pods are found by the label Gateway API asks implementations to put on what they provision
 * (GEP-1762, `gateway.networking.k8s.io/gateway-name`), which Istio, agentgateway and kgateway all set.
 * GKE's managed gateway has no pods in the cluster: its proxies send from the region's proxy-only subnet and
 * its health checks from Google's ranges, so traffic from the gateway is admitted by address
 * (`gatewaySourceRanges`). Egress is left open: the policies guard what reaches the pods.
 *
 * Kubelet probes are not affected (NetworkPolicy implementations admit the node's own traffic). Pure.
 */
import { GatewayImplementation } from "../catalog/gateways";
import { LlmdConfigError, optionalBoolean, requireDnsLabel } from "../errors";
import { IPP_SELECTOR, ModelRouting, PAYLOAD_PROCESSOR_HEALTH_PORT, PAYLOAD_PROCESSOR_PORT } from "./model-routing";
import { ModelServerSpec } from "./model-server-types";
import { enginePorts, servedPorts } from "./model-server-ports";
import { DEFAULT_MONITORING_NAMESPACE } from "./operators";
import { LLMD_LABELS } from "./labels";
import { POD_KV_EVENTS_PORT, POD_KV_EVENTS_REPLAY_PORT, KV_EVENTS_PORT } from "./router-config";
import { ROUTER_GRPC_PORT, ROUTER_HEALTH_PORT, ROUTER_METRICS_PORT, RouterSpec, routerSelectorLabels } from "./router";
import { K8sObject } from "./types";

/** The label Gateway API implementations put on the pods they run for a Gateway (GEP-1762). */
export const GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";
/** Label the API server puts on every namespace, so a policy can name a namespace. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
/** Namespace of Google Cloud Managed Service for Prometheus's collectors on GKE. */
export const GMP_NAMESPACE = "gmp-system";
/** Where Google's health checkers and global front ends connect from (Google Cloud load-balancing docs). */
export const GKE_HEALTH_CHECK_RANGES = ["35.191.0.0/16", "130.211.0.0/22"];
/**
 * The default for the GKE gateway's source ranges besides the health checkers: the private (RFC 1918) ranges
 * a VPC's proxy-only subnet is carved from. llmd cannot know the subnet of a cluster it did not create, so it
 * admits the VPC; give `gatewaySourceRanges` (e.g. the proxy-only subnet's CIDR) to narrow it.
 */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** Network-policy settings of a platform, as the user gives them. */
export interface NetworkPoliciesInput {
    enabled?: unknown;
    monitoringNamespaces?: unknown;
    gatewaySourceRanges?: unknown;
}

/** Resolved network-policy settings, carried in the platform's ref so every model applies the same ones. */
export interface NetworkPolicySettings {
    /** Render the policies (default true). */
    enabled: boolean;
    /** Namespaces whose pods may scrape metrics (Prometheus). */
    monitoringNamespaces: string[];
    /** GKE only: CIDRs the managed gateway's proxies and health checks connect from. */
    gatewaySourceRanges: string[];
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function requireCidrs(field: string, value: unknown): string[] {
    if (!Array.isArray(value) || value.length === 0) {
        throw new LlmdConfigError(field, value, 'expected a non-empty list of IPv4 CIDRs, e.g. ["10.129.0.0/23"]');
    }
    return value.map((cidr, i) => {
        const m = typeof cidr === "string" ? CIDR.exec(cidr) : null;
        if (!m || m.slice(1, 5).some((octet) => Number(octet) > 255) || Number(m[5]) > 32) {
            throw new LlmdConfigError(`${field}[${i}]`, cidr, "expected an IPv4 CIDR such as 10.129.0.0/23");
        }
        return cidr as string;
    });
}

/**
 * Resolves a platform's `networkPolicies` (fields named as the user wrote them, under `networkPolicies.`).
 * Defaults: on; scraping from llmd's Prometheus stack namespace (plus GMP's on GKE); the GKE gateway admitted
 * from Google's health-check ranges and the VPC's private ranges.
 */
export function resolveNetworkPolicySettings(input: NetworkPoliciesInput | undefined, implementation: GatewayImplementation): NetworkPolicySettings {
    const field = "networkPolicies";
    if (input !== undefined && (typeof input !== "object" || input === null || Array.isArray(input))) {
        throw new LlmdConfigError(field, input, "expected an object: { enabled, monitoringNamespaces, gatewaySourceRanges }");
    }
    const gke = implementation === GatewayImplementation.Gke;
    const namespaces = input?.monitoringNamespaces;
    const monitoringNamespaces =
        namespaces === undefined
            ? [DEFAULT_MONITORING_NAMESPACE, ...(gke ? [GMP_NAMESPACE] : [])]
            : Array.isArray(namespaces)
              ? namespaces.map((ns, i) => requireDnsLabel(`${field}.monitoringNamespaces[${i}]`, ns))
              : (() => {
                    throw new LlmdConfigError(`${field}.monitoringNamespaces`, namespaces, 'expected a list of namespaces, e.g. ["monitoring"]');
                })();
    if (input?.gatewaySourceRanges !== undefined && !gke) {
        throw new LlmdConfigError(`${field}.gatewaySourceRanges`, input.gatewaySourceRanges, `only applies to gateway implementation "gke" (got "${implementation}"): in-cluster gateways are matched by their pods' labels`);
    }
    const ranges = input?.gatewaySourceRanges === undefined ? PRIVATE_RANGES : requireCidrs(`${field}.gatewaySourceRanges`, input.gatewaySourceRanges);
    return {
        enabled: optionalBoolean(`${field}.enabled`, input?.enabled, true),
        monitoringNamespaces,
        gatewaySourceRanges: gke ? [...GKE_HEALTH_CHECK_RANGES, ...ranges] : [],
    };
}

type Peer = Record<string, unknown>;
type Rule = { from?: Peer[]; ports?: { protocol: "TCP"; port: number }[] };

function tcp(ports: number[]): { protocol: "TCP"; port: number }[] {
    return [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: "TCP", port }));
}

function inNamespace(namespace: string, podLabels: Record<string, string>): Peer {
    return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } }, podSelector: { matchLabels: { ...podLabels } } };
}

function policy(name: string, namespace: string, podSelector: Peer, ingress: Rule[]): K8sObject {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace, labels: { ...LLMD_LABELS, "app.kubernetes.io/component": "network-policy" } },
        spec: { podSelector, policyTypes: ["Ingress"], ...(ingress.length ? { ingress } : {}) },
    };
}

function denyAll(name: string, namespace: string): K8sObject {
    return policy(name, namespace, {}, []);
}

function monitoringPeers(settings: NetworkPolicySettings): Peer[] {
    return settings.monitoringNamespaces.map((ns) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } } }));
}

/** The shared Gateway a model's pods hear from. */
export interface GatewayPeer {
    implementation: GatewayImplementation;
    namespace: string;
    gatewayName: string;
}

/** Who the gateway is, as NetworkPolicy peers; empty without a Gateway (`none`). */
export function gatewayPeers(gateway: GatewayPeer, settings: NetworkPolicySettings): Peer[] {
    switch (gateway.implementation) {
        case GatewayImplementation.None:
            return [];
        case GatewayImplementation.Gke:
            return settings.gatewaySourceRanges.map((cidr) => ({ ipBlock: { cidr } }));
        default:
            return [inNamespace(gateway.namespace, { [GATEWAY_NAME_LABEL]: gateway.gatewayName })];
    }
}

/** What the platform's policies are built from. */
export interface PlatformNetworkPolicyArgs {
    /** Platform name: prefix of the policies' names. */
    name: string;
    gateway: GatewayPeer;
    modelRouting: ModelRouting;
    settings: NetworkPolicySettings;
}

/**
 * The platform namespace's policies: deny by default (models placed in the platform namespace rely on it), the
 * Gateway's own pods open to all (they are the entry point), and the payload processor reachable from the
 * Gateway on its ext_proc port. Empty when policies are off.
 */
export function renderPlatformNetworkPolicies(args: PlatformNetworkPolicyArgs): K8sObject[] {
    if (!args.settings.enabled) {
        return [];
    }
    const ns = args.gateway.namespace;
    const out = [denyAll(`${args.name}-default-deny-ingress`, ns)];
    const gke = args.gateway.implementation === GatewayImplementation.Gke;
    const inCluster = args.gateway.implementation !== GatewayImplementation.None && args.gateway.implementation !== GatewayImplementation.Gke;
    if (inCluster) {
        out.push(policy(`${args.name}-gateway`, ns, { matchLabels: { [GATEWAY_NAME_LABEL]: args.gateway.gatewayName } }, [{}]));
    }
    if (args.modelRouting === ModelRouting.PayloadProcessor) {
        out.push(
            policy(`${args.name}-payload-processor`, ns, { matchLabels: { ...IPP_SELECTOR } }, [
                // GKE health-checks it over gRPC on its health port, from the same ranges as the gateway.
                { from: gatewayPeers(args.gateway, args.settings), ports: tcp(gke ? [PAYLOAD_PROCESSOR_PORT, PAYLOAD_PROCESSOR_HEALTH_PORT] : [PAYLOAD_PROCESSOR_PORT]) },
            ]),
        );
    }
    return out;
}

/** What one model's policies are built from: its resolved router and model servers. */
export interface ModelNetworkPolicyArgs {
    /** Model name: prefix of the policies' names. */
    name: string;
    namespace: string;
    /** The model has a namespace of its own (else the platform's default deny covers it). */
    ownNamespace: boolean;
    gateway: GatewayPeer;
    settings: NetworkPolicySettings;
    router: Pick<RouterSpec, "name" | "kvEventsListener" | "proxy">;
    servers: ModelServerSpec[];
}

function serverSelector(spec: Pick<ModelServerSpec, "name">): Record<string, string> {
    // The Deployment's / LeaderWorkerSet's own selector labels, on every pod of the server.
    return { "app.kubernetes.io/instance": spec.name, "app.kubernetes.io/component": "model-server" };
}

function serversPeer(namespace: string, servers: ModelServerSpec[]): Peer {
    return {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
        podSelector: {
            matchLabels: { "app.kubernetes.io/component": "model-server" },
            matchExpressions: [{ key: "app.kubernetes.io/instance", operator: "In", values: servers.map((s) => s.name).sort() }],
        },
    };
}

/** Model servers a server exchanges traffic with directly: its own group across nodes, its P/D counterparts. */
export function serverPeers(spec: ModelServerSpec, servers: ModelServerSpec[]): ModelServerSpec[] {
    const pd = spec.kvTransfer !== "none";
    return servers.filter((other) => (other === spec ? spec.nodesPerReplica > 1 : pd && other.kvTransfer !== "none" && other.role !== spec.role));
}

/**
 * One model's policies: a namespace-wide default deny when the model has its own namespace, then one policy for
 * its router and one per model server, each admitting only the flows named in this file's header.
 */
export function renderModelNetworkPolicies(args: ModelNetworkPolicyArgs): K8sObject[] {
    if (!args.settings.enabled) {
        return [];
    }
    const { namespace, settings } = args;
    const gateway = gatewayPeers(args.gateway, settings);
    const monitoring = monitoringPeers(settings);
    const routerPeer = inNamespace(namespace, routerSelectorLabels(args.router));
    const out: K8sObject[] = args.ownNamespace ? [denyAll(`${args.name}-default-deny-ingress`, namespace)] : [];

    const gke = args.gateway.implementation === GatewayImplementation.Gke;
    const routerRules: Rule[] = [];
    if (gateway.length) {
        routerRules.push({ from: gateway, ports: tcp(gke ? [ROUTER_GRPC_PORT, ROUTER_HEALTH_PORT] : [ROUTER_GRPC_PORT]) });
    }
    routerRules.push({ from: monitoring, ports: tcp([ROUTER_METRICS_PORT]) });
    if (args.router.kvEventsListener) {
        routerRules.push({ from: [serversPeer(namespace, args.servers)], ports: tcp([KV_EVENTS_PORT]) });
    }
    if (args.router.proxy) {
        // Standalone: the router pod's Envoy is the entry point, as a Gateway's pods would be.
        routerRules.push({ ports: tcp([args.router.proxy.port]) });
    }
    out.push(policy(`${args.name}-router`, namespace, { matchLabels: routerSelectorLabels(args.router) }, routerRules));

    for (const spec of args.servers) {
        const served = servedPorts(spec);
        const engine = enginePorts(spec);
        const rules: Rule[] = [];
        if (gateway.length) {
            rules.push({ from: gateway, ports: tcp(served) });
        }
        const fromRouter = [...served, ...engine, ...(spec.kvEvents && !spec.kvEvents.endpoint ? [POD_KV_EVENTS_PORT, POD_KV_EVENTS_REPLAY_PORT] : [])];
        rules.push({ from: [routerPeer], ports: tcp(fromRouter) });
        rules.push({ from: monitoring, ports: tcp(engine) });
        const peers = serverPeers(spec, args.servers);
        if (peers.length) {
            rules.push({ from: [serversPeer(namespace, peers)] });
        }
        out.push(policy(`${spec.name}-model-server`, namespace, { matchLabels: serverSelector(spec) }, rules));
    }
    return out;
}
