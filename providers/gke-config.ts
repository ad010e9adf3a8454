/**
 * Pure half of the GKE cluster component: argument types, validation of the cluster arguments and the
 * kubeconfig (pool planning is in `gke-pools.ts`). No Pulumi imports, so the stack and the tests can compute a
 * cluster's plan without an engine.
 */
import { createHash } from "crypto";
import { stringify } from "yaml";
import { LlmdConfigError, optionalBoolean, parseKubernetesMinor, requireDnsLabel, requireInteger, requireNonEmpty } from "../components/errors";
import { AcceleratorPool } from "../components/pool";
import {
    GkeAcceleratorPoolArgs,
    GkeNodePoolPlan,
    parseGkeLocation,
    requireGkeName,
    resolveGkeAcceleratorPools,
} from "./gke-pools";
import { K8sObject } from "../components/render/types";
import { GkeRdmaNetworkArgs, GkeRdmaNetworkPlan, gkeRdmaFacts, renderGkeRdmaNetworkObjects, resolveGkeRdmaNetwork } from "./gke-network";

export * from "./gke-pools";
export * from "./gke-network";

/** GKE release channel of the cluster: how soon it receives new Kubernetes versions. */
export const GkeReleaseChannel = {
    /** New versions weeks after open-source GA. */
    Rapid: "RAPID",
    /** The default: a balance of features and stability. */
    Regular: "REGULAR",
    /** Versions that spent the longest in the other channels. */
    Stable: "STABLE",
} as const;
/** One of the values of `GkeReleaseChannel`. */
export type GkeReleaseChannel = (typeof GkeReleaseChannel)[keyof typeof GkeReleaseChannel];

/** The system (CPU) node pool of a `GkeCluster`, which runs the gateway, the router and other CPU pods. */
export interface GkeSystemNodePoolArgs {
    /** Node pool name. Default `system`. */
    name?: string;
    /** Compute Engine machine type. Default `e2-standard-4`. */
    machineType?: string;
    /** Fewest nodes across all zones. Default 1. */
    minNodes?: number;
    /** Most nodes across all zones. Default 3. */
    maxNodes?: number;
}

/**
 * A Google identity for KEDA's operator, so KEDA can query Managed Prometheus (models autoscaling on GKE): a
 * Google service account with `roles/monitoring.viewer` on the project, which the Kubernetes ServiceAccount
 * `<namespace>/keda-operator` may act as through Workload Identity (`roles/iam.workloadIdentityUser`), as
 * KEDA's GCP Workload Identity guide sets it up. KEDA's ServiceAccount must carry the annotation
 * `iam.gke.io/gcp-service-account: <kedaServiceAccountEmail>`; the platform's KEDA does with
 * `operators.kedaGcpServiceAccount`.
 */
export interface GkeKedaWorkloadIdentityArgs {
    /** Namespace KEDA runs in (the platform's `operators.kedaNamespace`). Default `keda`. */
    namespace?: string;
    /** Account id of the Google service account (6-30 characters). Default: `llmd-keda-` and a hash of stack, component and location. */
    accountId?: string;
}

/** `GkeClusterSettings` plus the project and networks, as plain values: what `resolveGkeCluster` reads. */
export interface GkeClusterPlainArgs extends GkeClusterSettings {
    /** Google Cloud project. Default: the `gcp:project` stack configuration. */
    project?: string;
    /** VPC network (name or self link). Default `default`. */
    network?: string;
    /** Subnetwork of the nodes (name or self link). Default `default`. */
    subnetwork?: string;
}

/** The arguments of `GkeCluster` other than the project and networks, which it also takes as Outputs. */
export interface GkeClusterSettings {
    /** A region (e.g. `us-central1`) for a regional cluster, or a zone (e.g. `us-central1-a`) for a zonal one. */
    location: string;
    /**
     * Whether Pulumi may delete the cluster. No default on purpose: a regional cluster with accelerators is
     * costly to lose and to keep, so the stack states its choice.
     */
    deletionProtection: boolean;
    /** Minimum Kubernetes version of the control plane, e.g. `1.33` (1.29 or newer). Default `1.33`. */
    kubernetesVersion?: string;
    /** Release channel: `RAPID`, `REGULAR` or `STABLE`. Default `REGULAR`. */
    releaseChannel?: GkeReleaseChannel;
    /** Name of the GKE cluster (lowercase, at most 40 characters). Default: Pulumi auto-naming from the component name. */
    clusterName?: string;
    /**
     * Create the proxy-only subnet (`REGIONAL_MANAGED_PROXY`) that GKE's regional managed gateways need in the
     * cluster's region and network. Turn off when the network already has one there. Default true.
     */
    createProxyOnlySubnet?: boolean;
    /** CIDR of the proxy-only subnet (/26 or larger; /23 recommended). Default `10.129.0.0/23`. */
    proxyOnlySubnetCidr?: string;
    /** The system (CPU) node pool. Default: `system`, `e2-standard-4`, 1 to 3 nodes. */
    systemNodePool?: GkeSystemNodePoolArgs;
    /** Accelerator node pools. Default: none (CPU only). */
    acceleratorPools?: GkeAcceleratorPoolArgs[];
    /**
     * GKE multi-networking with Dataplane V2 (`enableMultiNetworking`, `ADVANCED_DATAPATH`), which RDMA pools
     * need. Default: on exactly when a pool has RDMA. Both settings are fixed at cluster creation, so turning
     * them on later replaces the cluster: set true up front if RDMA pools may be added later. False with an
     * RDMA pool is an error.
     */
    multiNetworking?: boolean;
    /**
     * GKE Dataplane V2 (`ADVANCED_DATAPATH`), which enforces the NetworkPolicies llmd renders. Default true.
     * GKE fixes the datapath at creation: a cluster created without it (by llmd before this default) is replaced
     * when it changes, so set false to keep such a cluster, and turn on policy enforcement by hand (see the README).
     * False with multi-networking is an error (multi-networking needs Dataplane V2).
     */
    dataplaneV2?: boolean;
    /** Names and address ranges of the VPCs llmd creates for RDMA pools' extra NICs. */
    rdmaNetwork?: GkeRdmaNetworkArgs;
    /** Let KEDA query Managed Prometheus as a Google service account (autoscaling on GMP). Default: none. */
    kedaWorkloadIdentity?: GkeKedaWorkloadIdentityArgs;
}

/** The resolved KEDA identity of a `GkeCluster`. */
export interface GkeKedaIdentityPlan {
    accountId: string;
    email: string;
    /** Workload Identity member of KEDA's operator ServiceAccount. */
    member: string;
}

const GCP_ACCOUNT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

function resolveKedaIdentity(args: unknown, project: string, workloadPool: string, seed: string): GkeKedaIdentityPlan | undefined {
    if (args === undefined) {
        return undefined;
    }
    if (typeof args !== "object" || args === null || Array.isArray(args)) {
        throw new LlmdConfigError("kedaWorkloadIdentity", args, "expected an object: { namespace, accountId }");
    }
    const a = args as GkeKedaWorkloadIdentityArgs;
    const namespace = requireDnsLabel("kedaWorkloadIdentity.namespace", a.namespace ?? "keda");
    const accountId = a.accountId ?? `llmd-keda-${createHash("sha256").update(seed).digest("hex").slice(0, 8)}`;
    if (typeof accountId !== "string" || !GCP_ACCOUNT_ID.test(accountId)) {
        throw new LlmdConfigError("kedaWorkloadIdentity.accountId", accountId, "expected 6-30 lowercase letters, digits or '-', starting with a letter and not ending with '-'");
    }
    // The chart's operator ServiceAccount is keda-operator (kedacore/charts v2.20.2 serviceAccount.operator.name).
    return { accountId, email: `${accountId}@${project}.iam.gserviceaccount.com`, member: `serviceAccount:${workloadPool}[${namespace}/keda-operator]` };
}

const DEFAULT_KUBERNETES_VERSION = "1.33";
const DEFAULT_PROXY_ONLY_CIDR = "10.129.0.0/23";
// Pulumi auto-naming appends '-' and 7 random characters.
const AUTONAME_SUFFIX = 8;

/** A validated `GkeCluster`: what to create, and the pools to report. */
export interface GkeClusterPlan {
    project: string;
    location: string;
    /** Region of the cluster (the location itself, or the zone's region). */
    region: string;
    zonal: boolean;
    clusterName?: string;
    kubernetesVersion: string;
    releaseChannel: GkeReleaseChannel;
    deletionProtection: boolean;
    network: string;
    subnetwork: string;
    workloadPool: string;
    /** CIDR of the proxy-only subnet to create; absent when none is created. */
    proxyOnlySubnetCidr?: string;
    systemPool: GkeNodePoolPlan;
    acceleratorPools: GkeNodePoolPlan[];
    pools: AcceleratorPool[];
    /** Multi-networking on the cluster (needs Dataplane V2). */
    multiNetworking: boolean;
    /** Dataplane V2, which enforces NetworkPolicies. */
    dataplaneV2: boolean;
    /** The VPCs of the RDMA pools' extra NICs; absent without RDMA pools. */
    rdmaNetwork?: GkeRdmaNetworkPlan;
    /** The Kubernetes `GKENetworkParamSet` / `Network` objects for `rdmaNetwork` (empty without it). */
    rdmaNetworkObjects: K8sObject[];
    /** KEDA's Google identity, when asked. */
    kedaIdentity?: GkeKedaIdentityPlan;
}

const withKeda = (kedaIdentity: GkeKedaIdentityPlan | undefined) => (kedaIdentity ? { kedaIdentity } : {});

function requireCidr(field: string, value: unknown): string {
    const match = typeof value === "string" ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value) : null;
    const octetsOk = match !== null && match.slice(1, 5).every((o) => Number(o) <= 255);
    // GCP's smallest proxy-only subnet is a /26.
    if (!match || !octetsOk || Number(match[5]) > 26 || Number(match[5]) < 8) {
        throw new LlmdConfigError(field, value, "expected an IPv4 CIDR from /8 to /26, such as \"10.129.0.0/23\"");
    }
    return value as string;
}

function resolveSystemPool(args: GkeSystemNodePoolArgs | undefined): GkeNodePoolPlan {
    const name = requireGkeName("systemNodePool.name", args?.name ?? "system");
    const machineType = requireNonEmpty("systemNodePool.machineType", args?.machineType ?? "e2-standard-4");
    const maxNodes = requireInteger("systemNodePool.maxNodes", args?.maxNodes ?? 3, 1);
    const minNodes = requireInteger("systemNodePool.minNodes", args?.minNodes ?? 1, 0, maxNodes);
    return {
        name,
        machineType,
        initialNodeCount: 1,
        autoscaling: { totalMinNodeCount: minNodes, totalMaxNodeCount: maxNodes },
        labels: {},
        taints: [],
        spot: false,
        queuedProvisioning: false,
        autoRepair: true,
    };
}

/**
 * Validates every argument of a `GkeCluster` and plans what to create. Throws `LlmdConfigError` naming the
 * field on the first bad value, before anything exists. `componentName` is the Pulumi name of the component
 * (cluster auto-naming builds on it); `defaultProject` is the `gcp:project` configuration.
 */
export function resolveGkeCluster(componentName: string, args: GkeClusterPlainArgs, defaultProject?: string, stackName = ""): GkeClusterPlan {
    const where = parseGkeLocation("location", args.location);
    const project = args.project ?? defaultProject;
    if (project === undefined) {
        throw new LlmdConfigError("project", project, "expected a Google Cloud project id, here or in the gcp:project stack configuration");
    }
    requireNonEmpty("project", project);
    if (typeof args.deletionProtection !== "boolean") {
        throw new LlmdConfigError("deletionProtection", args.deletionProtection, "expected true or false: say whether Pulumi may delete the cluster");
    }
    const kubernetesVersion = args.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    parseKubernetesMinor("kubernetesVersion", kubernetesVersion);
    const releaseChannel = args.releaseChannel ?? GkeReleaseChannel.Regular;
    if (!(Object.values(GkeReleaseChannel) as string[]).includes(releaseChannel)) {
        throw new LlmdConfigError("releaseChannel", releaseChannel, `expected one of ${Object.values(GkeReleaseChannel).join(", ")}`);
    }
    if (args.clusterName !== undefined) {
        requireGkeName("clusterName", args.clusterName);
    } else if (`${componentName}-cluster`.length + AUTONAME_SUFFIX > 40) {
        throw new LlmdConfigError(
            "clusterName",
            undefined,
            `the auto-generated name from component "${componentName}" would pass GKE's 40-character limit: set clusterName`,
        );
    }
    const network = requireNonEmpty("network", args.network ?? "default");
    const subnetwork = requireNonEmpty("subnetwork", args.subnetwork ?? "default");
    const createProxy = optionalBoolean("createProxyOnlySubnet", args.createProxyOnlySubnet, true);
    const proxyOnlySubnetCidr = requireCidr("proxyOnlySubnetCidr", args.proxyOnlySubnetCidr ?? DEFAULT_PROXY_ONLY_CIDR);
    const systemPool = resolveSystemPool(args.systemNodePool);
    const accelerators = resolveGkeAcceleratorPools(where.location, args.acceleratorPools, [systemPool.name]);
    const rdmaPool = accelerators.pools.find((p) => p.interconnect === "roce");
    const facts = rdmaPool ? gkeRdmaFacts(rdmaPool) : undefined;
    const multiNetworking = optionalBoolean("multiNetworking", args.multiNetworking, rdmaPool !== undefined);
    if (rdmaPool && !multiNetworking) {
        throw new LlmdConfigError(
            "multiNetworking",
            false,
            `expected true or unset: pool "${rdmaPool.name}" has RDMA, whose NICs reach pods only through GKE multi-networking (or set its rdma.enabled false)`,
        );
    }
    const dataplaneV2 = optionalBoolean("dataplaneV2", args.dataplaneV2, true);
    if (multiNetworking && !dataplaneV2) {
        throw new LlmdConfigError("dataplaneV2", false, "expected true or unset: multi-networking (RDMA pools) runs only on Dataplane V2");
    }
    const rdmaNetwork = resolveGkeRdmaNetwork("rdmaNetwork", args.rdmaNetwork, {
        project,
        region: where.region,
        zone: accelerators.rdmaZone,
        defaultPrefix: args.clusterName ?? componentName,
        nics: facts?.rdmaNics ?? 0,
        k8sNetworks: facts?.gkeNetworks ?? [],
    });
    return {
        project,
        location: where.location,
        region: where.region,
        zonal: where.zonal,
        clusterName: args.clusterName,
        kubernetesVersion,
        releaseChannel,
        deletionProtection: args.deletionProtection,
        network,
        subnetwork,
        workloadPool: `${project}.svc.id.goog`,
        ...withKeda(resolveKedaIdentity(args.kedaWorkloadIdentity, project, `${project}.svc.id.goog`, `${stackName}/${componentName}/${where.location}`)),
        proxyOnlySubnetCidr: createProxy ? proxyOnlySubnetCidr : undefined,
        systemPool,
        acceleratorPools: accelerators.nodePools,
        pools: accelerators.pools,
        multiNetworking,
        dataplaneV2,
        ...(rdmaNetwork ? { rdmaNetwork } : {}),
        rdmaNetworkObjects: rdmaNetwork ? renderGkeRdmaNetworkObjects(rdmaNetwork) : [],
    };
}

/** What the kubeconfig of a GKE cluster needs. */
export interface GkeKubeconfigInput {
    /** Context, cluster and user name inside the kubeconfig (gcloud's `gke_<project>_<location>_<name>`). */
    contextName: string;
    /** Control plane endpoint (an IP address or host, without scheme). */
    endpoint: string;
    /** Base64 PEM of the cluster CA, as GKE reports it. */
    clusterCaCertificate: string;
}

/**
 * A kubeconfig that authenticates with `gke-gcloud-auth-plugin` (what `gcloud container clusters
 * get-credentials` writes): no token is stored, the plugin fetches one from the ambient Google credentials.
 */
export function renderGkeKubeconfig(input: GkeKubeconfigInput): string {
    const name = input.contextName;
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: `https://${input.endpoint}`, "certificate-authority-data": input.clusterCaCertificate } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        preferences: {},
        users: [
            {
                name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "gke-gcloud-auth-plugin",
                        installHint:
                            "Install gke-gcloud-auth-plugin for use with kubectl by following https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin",
                        provideClusterInfo: true,
                    },
                },
            },
        ],
    });
}
