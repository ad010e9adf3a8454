/**
 * Keeping the pods of a multi-node replica together: LeaderWorkerSet's exclusive topology (one group per
 * topology domain, e.g. per TPU slice node pool) and Kueue's Topology Aware Scheduling (queue label and
 * podset topology annotations, as the LWS "TAS with Kueue" example uses them). Pure.
 */
import { LlmdConfigError, requireDnsLabel } from "../errors";

/** LWS annotation: one group per value of this node label, no two groups sharing one (LWS docs). */
export const LWS_EXCLUSIVE_TOPOLOGY_ANNOTATION = "leaderworkerset.sigs.k8s.io/exclusive-topology";
/** Kueue: the LocalQueue a workload is admitted through (a label on the workload object). */
export const KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name";
export const KUEUE_REQUIRED_TOPOLOGY_ANNOTATION = "kueue.x-k8s.io/podset-required-topology";
export const KUEUE_PREFERRED_TOPOLOGY_ANNOTATION = "kueue.x-k8s.io/podset-preferred-topology";
/** Kueue: podsets with the same group name land in one topology domain (leader and workers together). */
export const KUEUE_PODSET_GROUP_ANNOTATION = "kueue.x-k8s.io/podset-group-name";
/** GKE's node pool label: a multi-host TPU slice is exactly one node pool. */
export const GKE_NODEPOOL_LABEL = "cloud.google.com/gke-nodepool";

/** How strictly Kueue keeps a replica's pods inside one topology domain. */
export const KueueTopologyMode = {
    /** Admit only when the whole replica fits in one domain of `topologyLevel`. */
    Required: "required",
    /** Try one domain of `topologyLevel`, spill over to a wider one when it does not fit. */
    Preferred: "preferred",
} as const;
/** One of the values of `KueueTopologyMode`. */
export type KueueTopologyMode = (typeof KueueTopologyMode)[keyof typeof KueueTopologyMode];

/** Kueue admission and Topology Aware Scheduling for a model server. */
export interface ModelServerKueueArgs {
    /** LocalQueue (in the server's namespace) that admits the workload; set as the `kueue.x-k8s.io/queue-name` label. */
    localQueue: string;
    /**
     * Node label of the Topology level one replica must fit in, e.g. `cloud.google.com/gce-topology-block`
     * or `kubernetes.io/hostname`. Unset: Kueue admits the workload without a topology constraint.
     */
    topologyLevel?: string;
    /** `required` (default) or `preferred`. */
    topologyMode?: KueueTopologyMode;
}

/** Resolved placement. */
export interface PlacementSpec {
    /** LWS exclusive-topology node label (LeaderWorkerSets only). */
    exclusiveTopology?: string;
    kueue?: { localQueue: string; topologyLevel?: string; topologyMode: KueueTopologyMode };
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

function requireLabelKey(field: string, value: unknown): string {
    if (typeof value !== "string" || !LABEL_KEY.test(value) || value.length > 316) {
        throw new LlmdConfigError(field, value, 'expected a node label key such as "kubernetes.io/hostname" or "cloud.google.com/gce-topology-block"');
    }
    return value;
}

/**
 * Validates placement args. `multiNode` says whether the workload is a LeaderWorkerSet; `defaultTopology` is
 * the exclusive topology llmd picks itself (a TPU slice's node pool) when the user names none.
 */
export function resolvePlacement(
    args: { topologyKey?: string; kueue?: ModelServerKueueArgs },
    multiNode: boolean,
    defaultTopology: string | undefined,
): PlacementSpec {
    let exclusiveTopology: string | undefined;
    if (args.topologyKey !== undefined) {
        if (!multiNode) {
            throw new LlmdConfigError(
                "topologyKey",
                args.topologyKey,
                "expected unset: exclusive topology places LeaderWorkerSet groups; this server has one node per replica (nodesPerReplica 1)",
            );
        }
        exclusiveTopology = requireLabelKey("topologyKey", args.topologyKey);
    } else if (multiNode) {
        exclusiveTopology = defaultTopology;
    }
    let kueue: PlacementSpec["kueue"];
    if (args.kueue !== undefined) {
        const k = args.kueue;
        if (typeof k !== "object" || k === null) {
            throw new LlmdConfigError("kueue", k, "expected an object with localQueue");
        }
        const mode = k.topologyMode ?? KueueTopologyMode.Required;
        if (!Object.values(KueueTopologyMode).includes(mode)) {
            throw new LlmdConfigError("kueue.topologyMode", mode, `expected one of ${Object.values(KueueTopologyMode).join(", ")}`);
        }
        if (k.topologyMode !== undefined && k.topologyLevel === undefined) {
            throw new LlmdConfigError("kueue.topologyMode", k.topologyMode, "expected unset without kueue.topologyLevel: the mode applies to a topology level");
        }
        kueue = {
            localQueue: requireDnsLabel("kueue.localQueue", k.localQueue),
            topologyLevel: k.topologyLevel === undefined ? undefined : requireLabelKey("kueue.topologyLevel", k.topologyLevel),
            topologyMode: mode,
        };
    }
    return { exclusiveTopology, kueue };
}

/** Labels for the workload object itself. */
export function placementLabels(spec: PlacementSpec): Record<string, string> {
    return spec.kueue ? { [KUEUE_QUEUE_LABEL]: spec.kueue.localQueue } : {};
}

/** Annotations for the workload object itself. */
export function placementAnnotations(spec: PlacementSpec): Record<string, string> {
    return spec.exclusiveTopology ? { [LWS_EXCLUSIVE_TOPOLOGY_ANNOTATION]: spec.exclusiveTopology } : {};
}

/** Annotations for every pod template; `group` names the Kueue podset group of a LeaderWorkerSet. */
export function placementPodAnnotations(spec: PlacementSpec, group: string | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    if (spec.kueue?.topologyLevel) {
        const key = spec.kueue.topologyMode === KueueTopologyMode.Preferred ? KUEUE_PREFERRED_TOPOLOGY_ANNOTATION : KUEUE_REQUIRED_TOPOLOGY_ANNOTATION;
        out[key] = spec.kueue.topologyLevel;
        if (group) {
            out[KUEUE_PODSET_GROUP_ANNOTATION] = group;
        }
    }
    return out;
}
