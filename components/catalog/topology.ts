/**
 * Node topology per provider, for Kueue's Topology Aware Scheduling (TAS): which node labels describe the
 * physical hierarchy of a cluster's accelerator nodes, coarsest first. Plain data, no Pulumi.
 *
 * Two rules from Kueue shape every profile:
 * - Every node TAS should use must carry every level's label; a level whose label no node has stops TAS
 *   from building its domains at all (kubernetes-sigs/kueue#5039, #6996). Each profile below therefore only
 *   lists labels its provider actually sets, and says where they are missing.
 * - `kubernetes.io/hostname` may only be the last level, and Kueue recommends ending with it: only then
 *   does TAS assign pods to nodes itself and respect node taints (kubernetes-sigs/kueue#5039).
 */

/** The well-known node hostname label, always the last level. */
export const HOSTNAME_LABEL = "kubernetes.io/hostname";
/** The well-known zone label. */
export const ZONE_LABEL = "topology.kubernetes.io/zone";

/** The topology profiles llmd knows. */
export const TopologyProfile = {
    /**
     * GKE GPU nodes on dense, reservation-bound capacity (A3 Ultra, A4, A4X): reserved block, sub-block
     * (a rack; on A4X one NVL72 NVLink domain) and physical host. GKE puts the `gce-topology-*` labels only
     * on such capacity: spot and ordinary on-demand nodes do not have them, so use `gke-nodepool` there.
     */
    GkeGpu: "gke-gpu",
    /**
     * GKE node pools as the unit: a GKE TPU multi-host slice is exactly one node pool, and for GPU pools
     * without the `gce-topology-*` labels the pool is the closest thing to one network domain GKE labels.
     */
    GkeNodePool: "gke-nodepool",
    /**
     * AKS: the agent pool (one VM scale set; InfiniBand sizes such as ND H100 v5 share their fabric within
     * the scale set) then the host. AKS publishes no rack or block labels.
     */
    Aks: "aks",
    /** DigitalOcean Kubernetes: the node pool then the host. DOKS publishes no rack or block labels. */
    DigitalOcean: "digitalocean",
    /**
     * Any cluster that labels zones (bare metal, OpenShift, an existing cluster): zone, an optional rack
     * label the operator sets on the nodes (`rackLabel`), then the host.
     */
    Generic: "generic",
    /** Single hosts only (kind, minikube, or nodes with no topology labels at all): the host is the domain. */
    Host: "host",
} as const;
/** One of the values of `TopologyProfile`. */
export type TopologyProfile = (typeof TopologyProfile)[keyof typeof TopologyProfile];

/** All profile ids. */
export const TOPOLOGY_PROFILES = Object.values(TopologyProfile);

/** How strictly a model-server group is kept inside one domain of its level. */
export const TopologyPlacement = {
    /** The group waits until one domain has room for all of it (`kueue.x-k8s.io/podset-required-topology`). */
    Required: "required",
    /** Kueue tries one domain, then the next level up (`kueue.x-k8s.io/podset-preferred-topology`). */
    Preferred: "preferred",
} as const;
/** One of the values of `TopologyPlacement`. */
export type TopologyPlacement = (typeof TopologyPlacement)[keyof typeof TopologyPlacement];

/** What llmd knows about one topology profile. */
export interface TopologyProfileSpec {
    /** Node labels, coarsest first, ending with `kubernetes.io/hostname`. */
    levels: readonly string[];
    /**
     * The level a multi-node group is kept inside by default: the finest level that still spans several
     * nodes (a whole group on one host is rarely possible for multi-host serving).
     */
    groupLevel: string;
    /** Where the label names come from. */
    source: string;
}

const GKE_BLOCK = "cloud.google.com/gce-topology-block";
const GKE_SUBBLOCK = "cloud.google.com/gce-topology-subblock";
const GKE_HOST = "cloud.google.com/gce-topology-host";
const GKE_NODEPOOL = "cloud.google.com/gke-nodepool";
const AKS_AGENTPOOL = "kubernetes.azure.com/agentpool";
const DOKS_NODE_POOL = "doks.digitalocean.com/node-pool";

export const TOPOLOGY_PROFILES_SPEC: Readonly<Record<TopologyProfile, TopologyProfileSpec>> = {
    "gke-gpu": {
        levels: [GKE_BLOCK, GKE_SUBBLOCK, GKE_HOST, HOSTNAME_LABEL],
        // llm-d's wide-EP guide found no gain from sub-block placement for 2-4 node replicas on GKE and
        // recommends keeping a replica inside one block; a user can still ask for the sub-block.
        groupLevel: GKE_BLOCK,
        source:
            "Google Cloud 'Schedule GKE workloads with Topology Aware Scheduling' (node labels of A4/A3 Ultra VMs); llm-d guides (wide-ep-lws, pd-disaggregation DisaggregatedSet placement table)",
    },
    "gke-nodepool": {
        levels: [GKE_NODEPOOL, HOSTNAME_LABEL],
        groupLevel: GKE_NODEPOOL,
        source: "llm-d guides pd-disaggregation DisaggregatedSet placement table ('GKE TPU: cloud.google.com/gke-nodepool, a standard node pool is exactly one slice')",
    },
    aks: {
        levels: [AKS_AGENTPOOL, HOSTNAME_LABEL],
        groupLevel: AKS_AGENTPOOL,
        source: "AKS node labels (kubernetes.azure.com/agentpool on every node)",
    },
    digitalocean: {
        levels: [DOKS_NODE_POOL, HOSTNAME_LABEL],
        groupLevel: DOKS_NODE_POOL,
        source: "DigitalOcean Kubernetes node labels (doks.digitalocean.com/node-pool on every node)",
    },
    generic: {
        levels: [ZONE_LABEL, HOSTNAME_LABEL],
        groupLevel: ZONE_LABEL,
        source: "Kubernetes well-known labels; Kueue TAS concepts (zone / block / rack / hostname example)",
    },
    host: {
        levels: [HOSTNAME_LABEL],
        groupLevel: HOSTNAME_LABEL,
        source: "Kubernetes well-known labels",
    },
};

/**
 * The levels of a profile. For `generic`, `rackLabel` (a label the operator puts on the nodes) is added
 * between the zone and the host, and becomes the default group level.
 */
export function topologyLevels(profile: TopologyProfile, rackLabel?: string): { levels: string[]; groupLevel: string } {
    const spec = TOPOLOGY_PROFILES_SPEC[profile];
    if (profile === TopologyProfile.Generic && rackLabel !== undefined) {
        return { levels: [ZONE_LABEL, rackLabel, HOSTNAME_LABEL], groupLevel: rackLabel };
    }
    return { levels: [...spec.levels], groupLevel: spec.groupLevel };
}

/**
 * The default profile for a cluster provider. GKE depends on the pools: TPU-only clusters use node pools
 * (slices); GPU clusters use the dense-capacity labels (see `GkeGpu` for when they are missing).
 */
export function defaultTopologyProfile(provider: string, allTpu: boolean): TopologyProfile | undefined {
    switch (provider) {
        case "gke":
            return allTpu ? TopologyProfile.GkeNodePool : TopologyProfile.GkeGpu;
        case "aks":
            return TopologyProfile.Aks;
        case "digitalocean":
            return TopologyProfile.DigitalOcean;
        case "openshift":
        case "existing":
            return TopologyProfile.Generic;
        case "kind":
        case "minikube":
            return TopologyProfile.Host;
        default:
            return undefined;
    }
}
