/**
 * Kueue objects for Topology Aware Scheduling (TAS) of llm-d model servers: one Topology, one ResourceFlavor
 * per accelerator pool, a ClusterQueue whose quota is the pools' capacity, and a LocalQueue in the serving
 * namespace. Pure: plain values in, plain objects out.
 *
 * API version: `kueue.x-k8s.io/v1beta2`, the storage version of every one of these CRDs at the pinned
 * Kueue (v0.19.2); v1beta1 is still served but no longer stored.
 */
import { ACCELERATORS, Accelerator, ClusterProvider, acceleratorSpec } from "../catalog/accelerators";
import { INTERCONNECTS, machineNetwork } from "../catalog/networking";
import {
    HOSTNAME_LABEL,
    TOPOLOGY_PROFILES,
    TopologyPlacement,
    TopologyProfile,
    defaultTopologyProfile,
    topologyLevels,
} from "../catalog/topology";
import { LlmdConfigError, requireDnsLabel, requireInteger, requireOneOf } from "../errors";
import { AcceleratorPool } from "../pool";
import { resolveNetwork } from "./networking";
import { K8sObject } from "./types";
import { LLMD_LABELS } from "./labels";

export { TopologyPlacement };

export const KUEUE_API_VERSION = "kueue.x-k8s.io/v1beta2";

/** Label that puts a workload (e.g. a LeaderWorkerSet) into a LocalQueue. */
export const QUEUE_NAME_LABEL = "kueue.x-k8s.io/queue-name";
/** Pod-template annotation: the pod set must fit inside one domain of this level. */
export const REQUIRED_TOPOLOGY_ANNOTATION = "kueue.x-k8s.io/podset-required-topology";
/** Pod-template annotation: the pod set should fit inside one domain of this level, else the next one up. */
export const PREFERRED_TOPOLOGY_ANNOTATION = "kueue.x-k8s.io/podset-preferred-topology";
/**
 * Pod-template annotation: pod sets sharing this value get one flavor and one topology domain. A
 * LeaderWorkerSet has two pod sets (leader and workers); without it Kueue places them independently.
 */
export const PODSET_GROUP_ANNOTATION = "kueue.x-k8s.io/podset-group-name";
/** Group name llmd gives leader and workers. It is scoped to one Workload (one LWS group), so a constant works. */
export const PODSET_GROUP_NAME = "llmd-group";

/** Defaults. */
export const DEFAULT_QUEUE_NAME = "llmd";
/**
 * Quota is not where TAS checks capacity: it reads each node's allocatable resources itself. CPU and memory
 * quota therefore only need to never bind before the nodes do, so the per-node defaults are upper bounds
 * at least as large as every machine in the catalog (the largest: 224 vCPUs, about 3.9 TiB).
 */
export const DEFAULT_CPU_PER_NODE = 256;
export const DEFAULT_MEMORY_GIB_PER_NODE = 4096;

/** Limits from the pinned CRDs (ResourceFlavor nodeLabels/tolerations, ClusterQueue flavors, Topology levels). */
const MAX_FLAVOR_NODE_LABELS = 8;
const MAX_FLAVOR_TOLERATIONS = 8;
const MAX_FLAVORS = 64;
const MAX_LEVELS = 16;
const MAX_COVERED_RESOURCES = 64;
const RESOURCE_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

/** What the Kueue objects are made from. */
export interface KueueInput extends KueueSettings {
    /** The accelerator pools to queue on (a cluster component's `pools` output); one ResourceFlavor each. */
    pools: AcceleratorPool[];
    /** Serving namespace: the LocalQueue is created there, and only it may use the ClusterQueue. It must exist. */
    namespace: string;
}

/** The queue and topology settings of `KueueInput`: all but the pools and namespace, which a component may get as Outputs. */
export interface KueueSettings {
    /** Where the cluster runs; picks the default topology labels (see `topologyProfile`). */
    clusterProvider: ClusterProvider;
    /** Name of the ClusterQueue (cluster-scoped). Default `llmd`. ResourceFlavors are named `<clusterQueueName>-<pool>`. */
    clusterQueueName?: string;
    /** Name of the LocalQueue in `namespace`. Default `llmd`. */
    localQueueName?: string;
    /** Name of the Topology (cluster-scoped). Default `<clusterQueueName>-topology`. */
    topologyName?: string;
    /**
     * Which node labels describe the topology. Default from `clusterProvider`: GKE `gke-gpu` (block,
     * sub-block, host: present only on reservation-bound A3 Ultra/A4/A4X capacity, use `gke-nodepool`
     * otherwise) or `gke-nodepool` when every pool is a TPU slice; AKS `aks` (agent pool, host);
     * DigitalOcean `digitalocean` (node pool, host); OpenShift and existing clusters `generic` (zone, optional
     * rack, host); kind and minikube `host`. Every node Kueue should use must carry every level's label.
     */
    topologyProfile?: TopologyProfile;
    /** `generic` profile only: a node label naming the rack, which the operator sets on the nodes. */
    rackLabel?: string;
    /** Explicit topology levels (node label keys, coarsest first) instead of a profile. */
    levels?: string[];
    /**
     * The level a model-server group (a LeaderWorkerSet replica) is kept inside. Default: the profile's
     * group level (GKE block, TPU node pool, AKS agent pool, DOKS node pool, the rack or else the zone).
     */
    groupLevel?: string;
    /** `required` (default): a group waits for one domain with room. `preferred`: Kueue may spread it. */
    placement?: TopologyPlacement;
    /**
     * CPU quota per pool node, in cores. Default 256, an upper bound: TAS checks real node capacity, so this
     * only has to not bind first.
     */
    cpuPerNode?: number;
    /** Memory quota per pool node, in GiB. Default 4096, an upper bound like `cpuPerNode`. */
    memoryGiBPerNode?: number;
    /**
     * Kueue admits no workload that requests a resource the ClusterQueue does not cover, so the queue also
     * covers the RDMA resources a model server on each RDMA pool requests (e.g. `rdma/ib`, GKE's
     * `networking.gke.io.networks/rdma-N`), derived from the pool as the model servers derive them. When the
     * model servers override that resource with `network.rdmaResourceName` / `rdmaResourceCount`, give the
     * same values here (a model server's whole `network` args work; the other fields are ignored).
     */
    network?: KueueNetworkArgs;
    /**
     * Other resources the queued pods request, each covered with `maxNodes x perNode` on its pool (or every
     * pool) and 0 on the rest. Only for resources llmd does not add itself.
     */
    extraResources?: KueueExtraResource[];
}

/**
 * The part of a model server's `network` args that changes which resources its pods request. Give the same
 * values as the model servers queued here (LlmdDeployment can pass its `network` as is; other fields are
 * ignored). Applies to RDMA pools that attach NICs through a device plugin; GKE multi-networking pools
 * ignore it, as model servers on them may not set it.
 */
export interface KueueNetworkArgs {
    /** Same as the model servers' `network.rdmaResourceName` (e.g. `rdma/shared_ib`). */
    rdmaResourceName?: string;
    /** Same as the model servers' `network.rdmaResourceCount`. */
    rdmaResourceCount?: number;
}

/**
 * An extended resource the queued pods request that llmd does not derive itself (e.g. from a custom
 * `command` or a mutating webhook that edits the LeaderWorkerSet). Kueue admits nothing that requests a
 * resource the ClusterQueue does not cover.
 */
export interface KueueExtraResource {
    /** Resource name, e.g. `example.com/fpga`. */
    name: string;
    /**
     * Quota per node of the pool, in the resource's base unit (a count for device resources): the flavor gets
     * `maxNodes x perNode`. Replaces the derived quota when the name is an RDMA resource llmd already covers.
     */
    perNode: number;
    /** Only this pool's flavor gets quota (others get 0). Default: every pool. */
    pool?: string;
}

/** One pool as the Kueue objects need it. */
export interface KueuePool {
    name: string;
    flavorName: string;
    nodeLabels: Record<string, string>;
    tolerations: Array<{ key: string; operator: "Equal" | "Exists"; value?: string; effect: string }>;
    /** Extended resource of the accelerator; absent for CPU pools. */
    resourceName?: string;
    /** maxNodes x acceleratorsPerNode. */
    acceleratorQuota: number;
    cpuQuota: number;
    memoryGiBQuota: number;
    /**
     * Other extended resources this pool's pods request, with this flavor's quota: the RDMA resources a
     * model server on the pool requests (per pod count x at most one pod per accelerator x maxNodes) and
     * the pool's `extraResources`.
     */
    extraQuotas: Record<string, number>;
}

/** Validated, defaulted Kueue settings. */
export interface KueueSpec {
    namespace: string;
    clusterQueueName: string;
    localQueueName: string;
    topologyName: string;
    /** Profile the levels came from; undefined when the user gave `levels`. */
    topologyProfile?: TopologyProfile;
    levels: string[];
    groupLevel: string;
    placement: TopologyPlacement;
    pools: KueuePool[];
    /** cpu, memory, each accelerator resource once, then each RDMA / extra resource once, in pool order. */
    coveredResources: string[];
}

function requireLabelKey(field: string, value: unknown): string {
    if (typeof value !== "string" || value.length === 0 || value.length > 316 || !LABEL_KEY.test(value)) {
        throw new LlmdConfigError(field, value, "expected a Kubernetes label key such as example.com/topology-rack");
    }
    return value;
}

function resolveLevels(input: KueueInput, pools: AcceleratorPool[]): { levels: string[]; groupLevel: string; profile?: TopologyProfile } {
    if (input.levels !== undefined) {
        if (input.topologyProfile !== undefined || input.rackLabel !== undefined) {
            throw new LlmdConfigError("levels", input.levels, "give either levels or topologyProfile/rackLabel, not both");
        }
        if (!Array.isArray(input.levels) || input.levels.length === 0 || input.levels.length > MAX_LEVELS) {
            throw new LlmdConfigError("levels", input.levels, `expected 1 to ${MAX_LEVELS} node label keys, coarsest first`);
        }
        const levels = input.levels.map((l, i) => requireLabelKey(`levels[${i}]`, l));
        levels.forEach((l, i) => {
            if (levels.indexOf(l) !== i) {
                throw new LlmdConfigError(`levels[${i}]`, l, "each level needs its own node label; this one is listed twice");
            }
            if (l === HOSTNAME_LABEL && i !== levels.length - 1) {
                throw new LlmdConfigError(`levels[${i}]`, l, `${HOSTNAME_LABEL} can only be the last (finest) level`);
            }
        });
        // Without a profile the best default is the coarsest level: it always has room for a group that fits at all.
        return { levels, groupLevel: levels[0] };
    }

    const allTpu = pools.every((p) => ACCELERATORS[p.accelerator].imageFamily === "tpu");
    const anyTpu = pools.some((p) => ACCELERATORS[p.accelerator].imageFamily === "tpu");
    let profile: TopologyProfile;
    if (input.topologyProfile !== undefined) {
        profile = requireOneOf("topologyProfile", input.topologyProfile, TOPOLOGY_PROFILES);
    } else {
        const found = defaultTopologyProfile(input.clusterProvider, allTpu);
        if (found === undefined) {
            throw new LlmdConfigError("clusterProvider", input.clusterProvider, "no default topology for this provider; set topologyProfile or levels");
        }
        if (input.clusterProvider === "gke" && anyTpu && !allTpu) {
            // TPU nodes carry no gce-topology-* labels and TAS needs every level on every node it uses.
            throw new LlmdConfigError(
                "topologyProfile",
                undefined,
                `GKE pools mix TPUs and GPUs; set topologyProfile to "${TopologyProfile.GkeNodePool}" (works for both) or give levels`,
            );
        }
        profile = found;
    }
    let rackLabel: string | undefined;
    if (input.rackLabel !== undefined) {
        if (profile !== TopologyProfile.Generic) {
            throw new LlmdConfigError("rackLabel", input.rackLabel, `a rack label only applies to topologyProfile "${TopologyProfile.Generic}" (got "${profile}")`);
        }
        rackLabel = requireLabelKey("rackLabel", input.rackLabel);
        if (topologyLevels(profile).levels.includes(rackLabel)) {
            throw new LlmdConfigError("rackLabel", rackLabel, "must differ from the zone and hostname levels");
        }
    }
    return { ...topologyLevels(profile, rackLabel), profile };
}

function resolvePool(field: string, pool: AcceleratorPool, clusterQueueName: string, cpuPerNode: number, memoryGiBPerNode: number): KueuePool {
    if (typeof pool !== "object" || pool === null) {
        throw new LlmdConfigError(field, pool, "expected an accelerator pool");
    }
    const name = requireDnsLabel(`${field}.name`, pool.name);
    const spec = acceleratorSpec(`${field}.accelerator`, pool.accelerator as Accelerator);
    const perNode = requireInteger(`${field}.acceleratorsPerNode`, pool.acceleratorsPerNode, spec.resourceName ? 1 : 0);
    const maxNodes = requireInteger(`${field}.maxNodes`, pool.maxNodes, 1);

    const labels = pool.nodeLabels;
    if (typeof labels !== "object" || labels === null || Array.isArray(labels)) {
        throw new LlmdConfigError(`${field}.nodeLabels`, labels, "expected an object of node labels");
    }
    const labelCount = Object.keys(labels).length;
    // A TAS flavor must select its nodes by label (a CEL rule of the CRD), and Kueue caps the labels at 8.
    if (labelCount === 0 || labelCount > MAX_FLAVOR_NODE_LABELS) {
        throw new LlmdConfigError(
            `${field}.nodeLabels`,
            labels,
            `expected 1 to ${MAX_FLAVOR_NODE_LABELS} labels that select exactly this pool's nodes`,
        );
    }
    for (const key of Object.keys(labels)) {
        requireLabelKey(`${field}.nodeLabels`, key);
    }

    const taints = pool.taints ?? [];
    if (!Array.isArray(taints) || taints.length > MAX_FLAVOR_TOLERATIONS) {
        throw new LlmdConfigError(`${field}.taints`, taints, `expected at most ${MAX_FLAVOR_TOLERATIONS} taints`);
    }
    const tolerations = taints.map((t, j) => {
        const key = requireLabelKey(`${field}.taints[${j}].key`, t?.key);
        const effect = requireOneOf(`${field}.taints[${j}].effect`, t.effect, TAINT_EFFECTS);
        return t.value === undefined || t.value === ""
            ? { key, operator: "Exists" as const, effect }
            : { key, operator: "Equal" as const, value: t.value, effect };
    });

    return {
        name,
        flavorName: `${clusterQueueName}-${name}`,
        nodeLabels: { ...labels },
        tolerations,
        resourceName: spec.resourceName,
        acceleratorQuota: maxNodes * perNode,
        cpuQuota: maxNodes * cpuPerNode,
        memoryGiBQuota: maxNodes * memoryGiBPerNode,
        extraQuotas: {},
    };
}

/**
 * The extended resources (besides the accelerator) that a model server on `pool` requests per pod when it
 * talks to other nodes: asked of the networking module itself, so the queue covers exactly what the pods
 * request. Empty for pools without RDMA. GKE's webhook adds `<network>.IP` requests to the pods it admits,
 * but Kueue builds a LeaderWorkerSet's Workload from its pod templates, which never carry them.
 */
export function rdmaResourcesPerPod(pool: AcceleratorPool, network: KueueNetworkArgs | undefined): Record<string, string> {
    if (!INTERCONNECTS[pool.interconnect]?.rdma) {
        return {};
    }
    const facts = machineNetwork(pool.accelerator, pool.machineType);
    const gke = facts?.attachment === "gke-multi-network";
    const spec = resolveNetwork(
        "network",
        {
            // Device names only feed env vars, never resources; a placeholder stands in where the user must name them.
            rdmaDevices: facts?.rdmaDevices ?? ["mlx5_0:1"],
            ...(gke ? {} : { rdmaResourceName: network?.rdmaResourceName, rdmaResourceCount: network?.rdmaResourceCount }),
        },
        {
            pool,
            accelerator: ACCELERATORS[pool.accelerator],
            simulator: false,
            kvTransfer: true,
            nodesPerReplica: 1,
            expertParallel: false,
            acceleratorsPerPod: Math.max(1, pool.acceleratorsPerNode),
        },
    );
    return { ...spec.resources };
}

function resolveNetworkArgs(network: unknown): KueueNetworkArgs | undefined {
    if (network === undefined) {
        return undefined;
    }
    if (typeof network !== "object" || network === null || Array.isArray(network)) {
        throw new LlmdConfigError("network", network, "expected an object with rdmaResourceName and/or rdmaResourceCount");
    }
    const n = network as KueueNetworkArgs;
    return { rdmaResourceName: n.rdmaResourceName, rdmaResourceCount: n.rdmaResourceCount };
}

function resolveExtraResources(value: unknown, poolNames: string[]): KueueExtraResource[] {
    if (value === undefined) {
        return [];
    }
    if (!Array.isArray(value)) {
        throw new LlmdConfigError("extraResources", value, "expected a list of { name, perNode, pool? }");
    }
    return value.map((r, i) => {
        const field = `extraResources[${i}]`;
        if (typeof r !== "object" || r === null) {
            throw new LlmdConfigError(field, r, "expected { name, perNode, pool? }");
        }
        const name = r.name;
        if (typeof name !== "string" || name.length > 253 || !RESOURCE_NAME.test(name)) {
            throw new LlmdConfigError(`${field}.name`, name, 'expected a resource name such as "example.com/fpga"');
        }
        if (value.findIndex((o) => o?.name === name) !== i) {
            throw new LlmdConfigError(`${field}.name`, name, "each resource may be listed once");
        }
        const perNode = requireInteger(`${field}.perNode`, r.perNode, 0);
        if (r.pool !== undefined && !poolNames.includes(r.pool)) {
            throw new LlmdConfigError(`${field}.pool`, r.pool, `expected one of the pools: ${poolNames.join(", ")}`);
        }
        return { name, perNode, ...(r.pool !== undefined ? { pool: r.pool as string } : {}) };
    });
}

/** Validates and defaults the Kueue input. Every error names the field. */
export function resolveKueueSpec(input: KueueInput): KueueSpec {
    requireOneOf("clusterProvider", input.clusterProvider, Object.values(ClusterProvider));
    const namespace = requireDnsLabel("namespace", input.namespace);
    const clusterQueueName = input.clusterQueueName === undefined ? DEFAULT_QUEUE_NAME : requireDnsLabel("clusterQueueName", input.clusterQueueName);
    const localQueueName = input.localQueueName === undefined ? DEFAULT_QUEUE_NAME : requireDnsLabel("localQueueName", input.localQueueName);
    const topologyName = input.topologyName === undefined ? `${clusterQueueName}-topology` : requireDnsLabel("topologyName", input.topologyName);
    const placement = input.placement === undefined ? TopologyPlacement.Required : requireOneOf("placement", input.placement, Object.values(TopologyPlacement));
    const cpuPerNode = input.cpuPerNode === undefined ? DEFAULT_CPU_PER_NODE : requireInteger("cpuPerNode", input.cpuPerNode, 1);
    const memoryGiBPerNode =
        input.memoryGiBPerNode === undefined ? DEFAULT_MEMORY_GIB_PER_NODE : requireInteger("memoryGiBPerNode", input.memoryGiBPerNode, 1);

    if (!Array.isArray(input.pools) || input.pools.length === 0) {
        throw new LlmdConfigError("pools", input.pools, "expected at least one accelerator pool to queue on");
    }
    if (input.pools.length > MAX_FLAVORS) {
        throw new LlmdConfigError("pools", input.pools.length, `Kueue allows at most ${MAX_FLAVORS} flavors in a ClusterQueue`);
    }
    const pools = input.pools.map((p, i) => resolvePool(`pools[${i}]`, p, clusterQueueName, cpuPerNode, memoryGiBPerNode));
    pools.forEach((p, i) => {
        if (pools.findIndex((q) => q.name === p.name) !== i) {
            throw new LlmdConfigError(`pools[${i}].name`, p.name, "pool names must be unique (each becomes a ResourceFlavor)");
        }
    });

    const { levels, groupLevel: defaultGroupLevel, profile } = resolveLevels(input, input.pools);
    let groupLevel = defaultGroupLevel;
    if (input.groupLevel !== undefined) {
        if (typeof input.groupLevel !== "string" || !levels.includes(input.groupLevel)) {
            throw new LlmdConfigError("groupLevel", input.groupLevel, `expected one of the topology levels: ${levels.join(", ")}`);
        }
        groupLevel = input.groupLevel;
    }

    const network = resolveNetworkArgs(input.network);
    const extras = resolveExtraResources(input.extraResources, pools.map((p) => p.name));
    const accelerators = [...new Set(pools.map((p) => p.resourceName).filter((r): r is string => r !== undefined))];
    extras.forEach((e, i) => {
        if (e.name === "cpu" || e.name === "memory" || accelerators.includes(e.name)) {
            throw new LlmdConfigError(`extraResources[${i}].name`, e.name, "already covered: cpu, memory and the accelerators get their quota from the pools and cpuPerNode/memoryGiBPerNode");
        }
    });
    const derived: string[] = [];
    pools.forEach((pool, i) => {
        const source = input.pools[i];
        const perPod = rdmaResourcesPerPod(source, network);
        for (const [name, count] of Object.entries(perPod)) {
            derived.push(name);
            // At most one pod per accelerator on a node; TAS checks real node capacity, so this only must not bind first.
            pool.extraQuotas[name] = source.maxNodes * Number(count) * Math.max(1, source.acceleratorsPerNode);
        }
        for (const extra of extras) {
            if (extra.pool === undefined || extra.pool === pool.name) {
                // Explicit beats derived: listing an RDMA resource here sets its quota.
                pool.extraQuotas[extra.name] = source.maxNodes * extra.perNode;
            }
        }
    });

    const coveredResources = [...new Set(["cpu", "memory", ...accelerators, ...derived, ...extras.map((e) => e.name)])];
    if (coveredResources.length > MAX_COVERED_RESOURCES) {
        throw new LlmdConfigError("extraResources", coveredResources, `Kueue allows at most ${MAX_COVERED_RESOURCES} resources in a resource group`);
    }
    return {
        namespace,
        clusterQueueName,
        localQueueName,
        topologyName,
        topologyProfile: profile,
        levels,
        groupLevel,
        placement,
        pools,
        coveredResources,
    };
}

const LABELS = LLMD_LABELS;

/** The Topology object. */
export function renderTopology(spec: KueueSpec): K8sObject {
    return {
        apiVersion: KUEUE_API_VERSION,
        kind: "Topology",
        metadata: { name: spec.topologyName, labels: { ...LABELS } },
        spec: { levels: spec.levels.map((nodeLabel) => ({ nodeLabel })) },
    };
}

/** One ResourceFlavor per pool: its node labels, tolerations for its taints, and the topology. */
export function renderResourceFlavors(spec: KueueSpec): K8sObject[] {
    return spec.pools.map((pool) => ({
        apiVersion: KUEUE_API_VERSION,
        kind: "ResourceFlavor",
        metadata: { name: pool.flavorName, labels: { ...LABELS } },
        spec: {
            nodeLabels: { ...pool.nodeLabels },
            // Tolerations rather than nodeTaints: Kueue adds them to admitted pods, so a workload admitted
            // to this flavor can land on the tainted nodes without repeating the taints itself.
            ...(pool.tolerations.length > 0 ? { tolerations: pool.tolerations.map((t) => ({ ...t })) } : {}),
            topologyName: spec.topologyName,
        },
    }));
}

function quota(pool: KueuePool, resource: string): number | string {
    switch (resource) {
        case "cpu":
            return String(pool.cpuQuota);
        case "memory":
            return `${pool.memoryGiBQuota}Gi`;
        default:
            // Every flavor must list every covered resource (a CEL rule of the CRD): another pool's
            // accelerator or RDMA resource gets zero here.
            if (resource === pool.resourceName) {
                return pool.acceleratorQuota;
            }
            return pool.extraQuotas[resource] ?? 0;
    }
}

/**
 * The ClusterQueue: one resource group covering cpu, memory, the accelerators and every other resource the
 * model servers request (RDMA devices), one flavor per pool. Kueue does not admit a workload that requests
 * a resource its ClusterQueue does not cover, so a resource missing here leaves a wide-EP group pending.
 */
export function renderClusterQueue(spec: KueueSpec): K8sObject {
    return {
        apiVersion: KUEUE_API_VERSION,
        kind: "ClusterQueue",
        metadata: { name: spec.clusterQueueName, labels: { ...LABELS } },
        spec: {
            // A null selector admits no namespace at all; restrict the quota to the serving namespace.
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": spec.namespace } },
            resourceGroups: [
                {
                    coveredResources: [...spec.coveredResources],
                    flavors: spec.pools.map((pool) => ({
                        name: pool.flavorName,
                        resources: spec.coveredResources.map((name) => ({ name, nominalQuota: quota(pool, name) })),
                    })),
                },
            ],
        },
    };
}

/** The LocalQueue in the serving namespace. */
export function renderLocalQueue(spec: KueueSpec): K8sObject {
    return {
        apiVersion: KUEUE_API_VERSION,
        kind: "LocalQueue",
        metadata: { name: spec.localQueueName, namespace: spec.namespace, labels: { ...LABELS } },
        spec: { clusterQueue: spec.clusterQueueName },
    };
}

/** Everything, in creation order: Topology, ResourceFlavors, ClusterQueue, LocalQueue. */
export function renderKueue(spec: KueueSpec): K8sObject[] {
    return [renderTopology(spec), ...renderResourceFlavors(spec), renderClusterQueue(spec), renderLocalQueue(spec)];
}

/** Labels and pod-template annotations a Kueue-managed group (e.g. a LeaderWorkerSet) carries. */
export interface KueueWorkloadMetadata {
    /** On the workload object itself (the LeaderWorkerSet's metadata.labels). */
    labels: Record<string, string>;
    /** The topology constraint alone. */
    topologyAnnotation: Record<string, string>;
    /** On every pod template of the group (leader and worker): the constraint plus the shared group name. */
    podSetAnnotations: Record<string, string>;
}

/** What a workload needs to be queued and kept inside one domain of the group level. */
export function kueueWorkloadMetadata(spec: Pick<KueueSpec, "localQueueName" | "groupLevel" | "placement">): KueueWorkloadMetadata {
    const key = spec.placement === TopologyPlacement.Preferred ? PREFERRED_TOPOLOGY_ANNOTATION : REQUIRED_TOPOLOGY_ANNOTATION;
    const topologyAnnotation = { [key]: spec.groupLevel };
    return {
        labels: { [QUEUE_NAME_LABEL]: spec.localQueueName },
        topologyAnnotation,
        podSetAnnotations: { ...topologyAnnotation, [PODSET_GROUP_ANNOTATION]: PODSET_GROUP_NAME },
    };
}
