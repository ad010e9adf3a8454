/**
 * Pure planning of a GKE cluster's accelerator node pools: machine types from the catalog, GPU drivers, TPU
 * slices (hosts, placement, one node pool per multi-host slice), node counts, Spot, reservations and queued
 * provisioning. No Pulumi imports.
 */
import { ACCELERATORS, Accelerator, MachineOffer, tpuChips } from "../components/catalog/accelerators";
import { resolveOffer, tpuSliceHosts } from "../components/catalog/offers";
import { LlmdConfigError, optionalBoolean, requireInteger, requireNonEmpty } from "../components/errors";
import { AcceleratorPool } from "../components/pool";

/** Who installs the NVIDIA driver on a GPU node pool. */
export const GkeGpuDriver = {
    /** GKE installs the latest driver for the node version and runs its own device plugin. */
    Managed: "managed",
    /**
     * GKE installs no driver and its device plugin stays off on the pool, so the NVIDIA GPU Operator can
     * own both (needed e.g. for a driver version GKE does not ship, or for DRA drivers).
     */
    Operator: "operator",
} as const;
/** One of the values of `GkeGpuDriver`. */
export type GkeGpuDriver = (typeof GkeGpuDriver)[keyof typeof GkeGpuDriver];

/** An accelerator node pool of a `GkeCluster` (NVIDIA GPUs or a TPU slice), one `container.NodePool` each. */
export interface GkeAcceleratorPoolArgs {
    /**
     * Node pool name: lowercase letters, digits and '-', starting with a letter, at most 40 characters.
     * A TPU pool of several multi-host slices becomes one GKE node pool per slice, named `<name>-<i>`.
     */
    name: string;
    /** Accelerator on every node: an NVIDIA GPU (e.g. `nvidia-h100`, `nvidia-l4`) or a TPU (`tpu-v5e`, `tpu-v6e`). */
    accelerator: Accelerator;
    /** GPUs or TPU chips per node (picks the machine type). Default: the largest machine GKE offers. */
    acceleratorsPerNode?: number;
    /** Compute Engine machine type, e.g. `a3-highgpu-8g` or `ct6e-standard-4t`; wins over `acceleratorsPerNode`. */
    machineType?: string;
    /**
     * TPU only: slice topology such as `2x4` or `4x4`. A topology with more chips than one machine makes a
     * multi-host slice (one node per host, placed compactly). Default: the machine's own single-host topology.
     */
    tpuTopology?: string;
    /**
     * Fewest nodes across all zones. Multi-host TPU pools count whole slices: a multiple of the hosts per
     * slice. Default: `maxNodes` (capacity stays up); 0 with `queuedProvisioning`.
     */
    minNodes?: number;
    /**
     * Most nodes across all zones. Multi-host TPU pools: a multiple of the hosts per slice. Default 1 (one
     * slice for TPU pools).
     */
    maxNodes?: number;
    /**
     * Zones for the pool's nodes, all in the cluster's region. Required in regional clusters (accelerators
     * are sold per zone); multi-host TPU slices take exactly one zone. Default in zonal clusters: the cluster's zone.
     */
    nodeLocations?: string[];
    /** Spot VMs (cheaper, can be preempted at any time). Default false. */
    spot?: boolean;
    /**
     * Compute Engine reservation to consume (`SPECIFIC_RESERVATION`): its name, or
     * `projects/<project>/reservations/<name>` for a shared reservation. Default: none.
     */
    reservation?: string;
    /**
     * Queued provisioning (Dynamic Workload Scheduler): nodes are only created, all at once, for an accepted
     * ProvisioningRequest (e.g. from Kueue). Needs `minNodes` 0 and neither `spot` nor `reservation`. Default false.
     */
    queuedProvisioning?: boolean;
    /** NVIDIA pools only: `managed` (GKE installs the driver, the default) or `operator` (the GPU Operator does). */
    gpuDriver?: GkeGpuDriver;
    /** Boot disk size in GB. Default 200: serving images are large and model caches in emptyDirs live on this disk. */
    diskSizeGb?: number;
    /**
     * RDMA (GPUDirect RDMA over RoCE) for A3 Ultra (`a3-ultragpu-8g`, H200) and A4 (`a4-highgpu-8g`, B200)
     * pools: on by default for them, and only possible for them. See `GkeAcceleratorPoolRdmaArgs`.
     */
    rdma?: GkeAcceleratorPoolRdmaArgs;
}

/**
 * RDMA on one GKE pool. When on, the node pool gets the second gVNIC and the eight RoCE NICs as additional
 * node networks (VPCs llmd creates, see `GkeRdmaNetworkArgs`), the cluster gets multi-networking, and the
 * pool reports interconnect `roce`, so P/D and wide-EP servers on it attach the RDMA networks. The pool must
 * live in one zone, shared by every RDMA pool of the cluster (the RoCE VPC is zonal).
 */
export interface GkeAcceleratorPoolRdmaArgs {
    /**
     * Default: true for machine types with RDMA NICs. False leaves the NICs unattached; the pool then reports
     * interconnect `none` (traffic between nodes is TCP). True on other machine types is an error.
     */
    enabled?: boolean;
}

/** Node label key llmd puts on every accelerator pool's nodes, valued with the pool name from the args. */
export const GKE_POOL_LABEL = "llmd/accelerator-pool";
/** GKE's label with the node pool name on every node. */
export const GKE_NODEPOOL_LABEL = "cloud.google.com/gke-nodepool";
/** Label that turns off GKE's NVIDIA device plugin on a node, so the GPU Operator's can run there. */
export const GKE_NO_DEVICE_PLUGIN_LABEL = "gke-no-default-nvidia-gpu-device-plugin";

const REGION = /^[a-z]+-[a-z]+[0-9]+$/;
const ZONE = /^([a-z]+-[a-z]+[0-9]+)-[a-z]$/;
// GKE's rule for node pool and cluster names: a letter, then letters, digits or '-', not ending in '-'.
const GKE_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;

/** A taint in the shape `container.NodePool` takes. */
export interface GkeNodeTaint {
    key: string;
    value: string;
    effect: "NO_SCHEDULE" | "PREFER_NO_SCHEDULE" | "NO_EXECUTE";
}

/** Everything one `container.NodePool` is created from. */
export interface GkeNodePoolPlan {
    /** GKE node pool name (also the last part of the Pulumi resource name). */
    name: string;
    machineType: string;
    /** Zones, when not the cluster's. */
    nodeLocations?: string[];
    /** Fixed size (per zone); set only for pools without autoscaling. */
    nodeCount?: number;
    /** Nodes created with the pool (per zone); set only for autoscaled pools. */
    initialNodeCount?: number;
    autoscaling?: {
        totalMinNodeCount?: number;
        totalMaxNodeCount?: number;
        minNodeCount?: number;
        maxNodeCount?: number;
        locationPolicy?: "ANY" | "BALANCED";
    };
    guestAccelerator?: { type: string; count: number; gpuDriverVersion: "LATEST" | "INSTALLATION_DISABLED" };
    imageType?: string;
    diskSizeGb?: number;
    labels: { [key: string]: string };
    taints: GkeNodeTaint[];
    spot: boolean;
    reservationAffinity?: { consumeReservationType: string; key?: string; values?: string[] };
    queuedProvisioning: boolean;
    autoRepair: boolean;
    placementPolicy?: { type: "COMPACT"; tpuTopology: string };
    /** The node pool attaches the RDMA VPCs (gVNIC + RoCE) as additional node networks. */
    rdma?: boolean;
}

/** Where a cluster is, as pool planning needs it. */
export interface GkeLocation {
    location: string;
    region: string;
    zonal: boolean;
}

/** Parses a GKE location: a region makes a regional cluster, a zone a zonal one. */
export function parseGkeLocation(field: string, location: unknown): GkeLocation {
    requireNonEmpty(field, location);
    const value = location as string;
    if (REGION.test(value)) {
        return { location: value, region: value, zonal: false };
    }
    const zone = ZONE.exec(value);
    if (zone) {
        return { location: value, region: zone[1], zonal: true };
    }
    throw new LlmdConfigError(field, value, "expected a region such as \"us-central1\" (regional cluster) or a zone such as \"us-central1-a\" (zonal cluster)");
}

/** Throws unless `value` is a valid GKE cluster or node pool name. */
export function requireGkeName(field: string, value: unknown): string {
    if (typeof value !== "string" || !GKE_NAME.test(value)) {
        throw new LlmdConfigError(
            field,
            value,
            "expected a GKE name: a lowercase letter, then lowercase letters, digits or '-', not ending in '-', at most 40 characters",
        );
    }
    return value;
}

/** Returns `value` when it is a boolean, `fallback` when absent; throws otherwise. */

function nodeTaint(taint: { key: string; value?: string; effect: string }): GkeNodeTaint {
    const effects: Record<string, GkeNodeTaint["effect"]> = {
        NoSchedule: "NO_SCHEDULE",
        PreferNoSchedule: "PREFER_NO_SCHEDULE",
        NoExecute: "NO_EXECUTE",
    };
    return { key: taint.key, value: taint.value ?? "", effect: effects[taint.effect] };
}

/** For a TPU pool given only a topology: the machine that serves it with the fewest hosts. */
function tpuOfferForTopology(accelerator: Accelerator, topology: string): MachineOffer | undefined {
    const serving = (ACCELERATORS[accelerator].offers.gke ?? []).filter((o) => o.tpuTopologies?.includes(topology));
    return serving.sort((a, b) => b.acceleratorsPerNode - a.acceleratorsPerNode)[0];
}

function resolveNodeLocations(field: string, value: unknown, where: GkeLocation): string[] | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (!Array.isArray(value) || value.length === 0) {
        throw new LlmdConfigError(field, value, `expected a non-empty list of zones in ${where.region}`);
    }
    value.forEach((zone, i) => {
        const match = typeof zone === "string" ? ZONE.exec(zone) : null;
        if (!match || match[1] !== where.region) {
            throw new LlmdConfigError(`${field}[${i}]`, zone, `expected a zone of the cluster's region ${where.region}, such as "${where.region}-a"`);
        }
    });
    if (new Set(value).size !== value.length) {
        throw new LlmdConfigError(field, value, "expected each zone once");
    }
    return [...(value as string[])];
}

interface ResolvedAcceleratorPool {
    nodePools: GkeNodePoolPlan[];
    pool: AcceleratorPool;
    /** The zone of an RDMA pool. */
    rdmaZone?: string;
}

function resolveAcceleratorPool(field: string, args: GkeAcceleratorPoolArgs, where: GkeLocation): ResolvedAcceleratorPool {
    requireGkeName(`${field}.name`, args.name);
    if (args.acceleratorsPerNode !== undefined) {
        requireInteger(`${field}.acceleratorsPerNode`, args.acceleratorsPerNode, 1, 64);
    }
    if (args.machineType !== undefined) {
        requireNonEmpty(`${field}.machineType`, args.machineType);
    }
    // resolveOffer rejects unknown accelerators and those GKE does not sell (AMD, CPU) naming the field.
    let offer = resolveOffer("gke", field, args.accelerator, { machineType: args.machineType, acceleratorsPerNode: args.acceleratorsPerNode });
    const spec = ACCELERATORS[offer.accelerator];
    const isTpu = spec.resourceName === "google.com/tpu";

    if (!isTpu && args.tpuTopology !== undefined) {
        throw new LlmdConfigError(`${field}.tpuTopology`, args.tpuTopology, `only TPU pools take a topology; ${spec.displayName} is a GPU`);
    }
    if (isTpu && args.gpuDriver !== undefined) {
        throw new LlmdConfigError(`${field}.gpuDriver`, args.gpuDriver, "only NVIDIA GPU pools take a driver mode; TPU pools need none");
    }
    const gpuDriver = args.gpuDriver ?? GkeGpuDriver.Managed;
    if (!(Object.values(GkeGpuDriver) as string[]).includes(gpuDriver)) {
        throw new LlmdConfigError(`${field}.gpuDriver`, gpuDriver, `expected one of ${Object.values(GkeGpuDriver).join(", ")}`);
    }

    let tpuTopology: string | undefined;
    let hosts = 1;
    if (isTpu) {
        if (args.tpuTopology !== undefined) {
            requireNonEmpty(`${field}.tpuTopology`, args.tpuTopology);
            if (args.machineType === undefined && args.acceleratorsPerNode === undefined) {
                const serving = tpuOfferForTopology(offer.accelerator, args.tpuTopology);
                if (serving === undefined) {
                    const all = [...new Set((spec.offers.gke ?? []).flatMap((o) => o.tpuTopologies ?? []))];
                    throw new LlmdConfigError(`${field}.tpuTopology`, args.tpuTopology, `${spec.displayName} on GKE serves topologies ${all.join(", ")}`);
                }
                offer = { ...serving, accelerator: offer.accelerator };
            }
            tpuTopology = args.tpuTopology;
        } else {
            // The machine's own single-host topology, which GKE puts in the node's topology label.
            tpuTopology = offer.tpuTopologies?.find((t) => tpuChips(t) === offer.acceleratorsPerNode);
            if (tpuTopology === undefined) {
                throw new LlmdConfigError(`${field}.tpuTopology`, args.tpuTopology, `${offer.machineType} needs a topology: one of ${(offer.tpuTopologies ?? []).join(", ")}`);
            }
        }
        hosts = tpuSliceHosts(`${field}.tpuTopology`, offer, tpuTopology);
    }
    const multiHost = hosts > 1;

    const spot = optionalBoolean(`${field}.spot`, args.spot, false);
    const queued = optionalBoolean(`${field}.queuedProvisioning`, args.queuedProvisioning, false);
    const reservation = args.reservation === undefined ? undefined : requireNonEmpty(`${field}.reservation`, args.reservation);
    // Queued provisioning obtains capacity through the Dynamic Workload Scheduler: its own provisioning model
    // (neither Spot nor a reservation), and GKE's documented node pool has no reservation affinity.
    if (queued && spot) {
        throw new LlmdConfigError(`${field}.spot`, true, "queued provisioning (Dynamic Workload Scheduler) cannot use Spot VMs; drop spot or queuedProvisioning");
    }
    if (queued && reservation !== undefined) {
        throw new LlmdConfigError(`${field}.reservation`, reservation, "queued provisioning (Dynamic Workload Scheduler) cannot consume a reservation; drop reservation or queuedProvisioning");
    }

    const maxNodes = requireInteger(`${field}.maxNodes`, args.maxNodes ?? hosts, 1);
    const minNodes = requireInteger(`${field}.minNodes`, args.minNodes ?? (queued ? 0 : maxNodes), 0, maxNodes);
    if (queued && minNodes !== 0) {
        throw new LlmdConfigError(`${field}.minNodes`, minNodes, "queued provisioning creates nodes only for a ProvisioningRequest: expected 0");
    }
    // A multi-host slice is atomic and a GKE node pool holds one slice, so pools grow by whole slices.
    if (multiHost && maxNodes % hosts !== 0) {
        throw new LlmdConfigError(`${field}.maxNodes`, maxNodes, `a ${tpuTopology} slice of ${offer.machineType} has ${hosts} hosts: expected a multiple of ${hosts}`);
    }
    if (multiHost && minNodes % hosts !== 0) {
        throw new LlmdConfigError(`${field}.minNodes`, minNodes, `a ${tpuTopology} slice of ${offer.machineType} has ${hosts} hosts: expected a multiple of ${hosts}`);
    }

    let nodeLocations = resolveNodeLocations(`${field}.nodeLocations`, args.nodeLocations, where);
    if (!where.zonal && nodeLocations === undefined) {
        throw new LlmdConfigError(
            `${field}.nodeLocations`,
            undefined,
            `accelerators are sold per zone: name the zone(s) of ${where.region} that have ${offer.machineType}`,
        );
    }
    if (multiHost && nodeLocations !== undefined && nodeLocations.length !== 1) {
        throw new LlmdConfigError(`${field}.nodeLocations`, nodeLocations, "a multi-host TPU slice lives in one zone: expected exactly one zone");
    }
    if (args.rdma !== undefined && (typeof args.rdma !== "object" || args.rdma === null || Array.isArray(args.rdma))) {
        throw new LlmdConfigError(`${field}.rdma`, args.rdma, "expected an object such as { enabled: false }");
    }
    const hasRdmaNics = offer.interconnect === "roce" && offer.network?.attachment === "gke-multi-network";
    const rdmaEnabled = optionalBoolean(`${field}.rdma.enabled`, args.rdma?.enabled, hasRdmaNics);
    if (rdmaEnabled && !hasRdmaNics) {
        throw new LlmdConfigError(
            `${field}.rdma.enabled`,
            true,
            `${offer.machineType} has no RDMA NICs (interconnect ${offer.interconnect}); RDMA on GKE needs a3-ultragpu-8g (nvidia-h200) or a4-highgpu-8g (nvidia-b200)`,
        );
    }
    let rdmaZone: string | undefined;
    if (rdmaEnabled) {
        const zonesOfPool = nodeLocations ?? [where.location];
        if (zonesOfPool.length !== 1) {
            throw new LlmdConfigError(
                `${field}.nodeLocations`,
                nodeLocations,
                "an RDMA pool lives in one zone (the RoCE VPC's network profile is zonal): expected exactly one zone, or rdma.enabled false",
            );
        }
        rdmaZone = zonesOfPool[0];
    }
    if (where.zonal && nodeLocations?.length === 1 && nodeLocations[0] === where.location) {
        nodeLocations = undefined;
    }
    const zones = nodeLocations?.length ?? 1;
    const diskSizeGb = requireInteger(`${field}.diskSizeGb`, args.diskSizeGb ?? 200, 10, 65536);

    const labels: { [key: string]: string } = { [GKE_POOL_LABEL]: args.name };
    const taints: GkeNodeTaint[] = [];
    let guestAccelerator: GkeNodePoolPlan["guestAccelerator"];
    let imageType: string | undefined;
    if (!isTpu) {
        guestAccelerator = {
            type: spec.gkeAcceleratorLabel as string,
            count: offer.acceleratorsPerNode,
            gpuDriverVersion: gpuDriver === GkeGpuDriver.Operator ? "INSTALLATION_DISABLED" : "LATEST",
        };
        // GKE taints GPU nodes itself; stating the same taint keeps the pool's taints visible in the plan and
        // independent of that default.
        if (spec.taint) {
            taints.push(nodeTaint(spec.taint));
        }
        if (gpuDriver === GkeGpuDriver.Operator) {
            labels[GKE_NO_DEVICE_PLUGIN_LABEL] = "true";
            // The GPU Operator's driver container builds against Ubuntu; COS only takes GKE's own driver.
            imageType = "UBUNTU_CONTAINERD";
        }
    }
    // TPU nodes get `google.com/tpu` tainted by GKE; the taint is reported in `pools` but not restated.

    const base = {
        machineType: offer.machineType,
        nodeLocations,
        guestAccelerator,
        imageType,
        diskSizeGb,
        labels,
        taints,
        spot,
        reservationAffinity: queued
            ? { consumeReservationType: "NO_RESERVATION" }
            : reservation !== undefined
              ? { consumeReservationType: "SPECIFIC_RESERVATION", key: "compute.googleapis.com/reservation-name", values: [reservation] }
              : undefined,
        queuedProvisioning: queued,
        // GKE's queued provisioning recipe turns auto-repair off: a repaired node would come back outside the request.
        autoRepair: !queued,
        ...(rdmaEnabled ? { rdma: true } : {}),
    };

    const nodePools: GkeNodePoolPlan[] = [];
    if (!multiHost) {
        nodePools.push({
            ...base,
            name: args.name,
            // Total limits keep maxNodes exact however many zones the pool spans; the initial count is per zone,
            // so with several zones the autoscaler places the nodes.
            initialNodeCount: zones === 1 ? minNodes : 0,
            autoscaling: { totalMinNodeCount: minNodes, totalMaxNodeCount: maxNodes, locationPolicy: "ANY" },
        });
    } else {
        const slices = maxNodes / hosts;
        const fixedSlices = minNodes / hosts;
        for (let i = 0; i < slices; i++) {
            const name = slices === 1 ? args.name : `${args.name}-${i}`;
            requireGkeName(`${field}.name`, name);
            const placementPolicy = { type: "COMPACT" as const, tpuTopology: tpuTopology as string };
            nodePools.push(
                i < fixedSlices
                    ? { ...base, name, nodeCount: hosts, placementPolicy }
                    : {
                          ...base,
                          name,
                          initialNodeCount: 0,
                          // The slice scales atomically between 0 and all of its hosts.
                          autoscaling: { minNodeCount: 0, maxNodeCount: hosts, ...(queued ? { locationPolicy: "ANY" as const } : {}) },
                          placementPolicy,
                      },
            );
        }
    }

    const nodeLabels: { [key: string]: string } =
        nodePools.length === 1 ? { [GKE_NODEPOOL_LABEL]: nodePools[0].name } : { [GKE_POOL_LABEL]: args.name };
    if (isTpu) {
        nodeLabels["cloud.google.com/gke-tpu-accelerator"] = spec.gkeAcceleratorLabel as string;
        nodeLabels["cloud.google.com/gke-tpu-topology"] = tpuTopology as string;
    } else {
        nodeLabels["cloud.google.com/gke-accelerator"] = spec.gkeAcceleratorLabel as string;
    }

    const pool: AcceleratorPool = {
        name: args.name,
        accelerator: offer.accelerator,
        acceleratorsPerNode: offer.acceleratorsPerNode,
        maxNodes,
        nodeLabels,
        taints: spec.taint ? [{ ...spec.taint }] : [],
        // TPU ICI comes with the slice; RoCE when the RDMA networks are attached. GPUDirect-TCPX(O) needs a
        // tcpx daemon and NCCL plugin llmd does not set up, and the model servers treat it as plain TCP anyway,
        // so those pools (and RDMA machines with rdma off) report no fabric rather than the machine's.
        interconnect: isTpu ? offer.interconnect : rdmaEnabled ? "roce" : "none",
        machineType: offer.machineType,
        ...(isTpu ? { tpuTopology } : {}),
    };
    return { nodePools, pool, ...(rdmaZone ? { rdmaZone } : {}) };
}

/**
 * Validates the accelerator pools of a GKE cluster at `location` and plans their node pools. Pure: the
 * stack and the tests use it to know the pools without creating anything.
 */
export function resolveGkeAcceleratorPools(
    location: string,
    pools: GkeAcceleratorPoolArgs[] | undefined,
    reservedNames: string[] = [],
): { nodePools: GkeNodePoolPlan[]; pools: AcceleratorPool[]; rdmaZone?: string } {
    const where = parseGkeLocation("location", location);
    if (pools !== undefined && !Array.isArray(pools)) {
        throw new LlmdConfigError("acceleratorPools", pools, "expected a list of pools");
    }
    const seen = new Set(reservedNames);
    const nodePools: GkeNodePoolPlan[] = [];
    const out: AcceleratorPool[] = [];
    let rdmaZone: string | undefined;
    (pools ?? []).forEach((args, i) => {
        const field = `acceleratorPools[${i}]`;
        const resolved = resolveAcceleratorPool(field, args, where);
        if (resolved.rdmaZone !== undefined) {
            if (rdmaZone !== undefined && rdmaZone !== resolved.rdmaZone) {
                throw new LlmdConfigError(
                    `${field}.nodeLocations`,
                    args.nodeLocations,
                    `expected ["${rdmaZone}"]: every RDMA pool of a cluster shares one RoCE VPC, which lives in one zone (the first RDMA pool's)`,
                );
            }
            rdmaZone = resolved.rdmaZone;
        }
        for (const np of resolved.nodePools) {
            if (seen.has(np.name)) {
                throw new LlmdConfigError(`${field}.name`, args.name, `expected a unique node pool name; "${np.name}" is taken`);
            }
            seen.add(np.name);
        }
        nodePools.push(...resolved.nodePools);
        out.push(resolved.pool);
    });
    return { nodePools, pools: out, ...(rdmaZone ? { rdmaZone } : {}) };
}

/** The accelerator pools a `GkeCluster` with these arguments reports, computed without Pulumi. */
export function gkeAcceleratorPools(args: { location: string; acceleratorPools?: GkeAcceleratorPoolArgs[]; systemNodePool?: { name?: string } }): AcceleratorPool[] {
    return resolveGkeAcceleratorPools(args.location, args.acceleratorPools, [args.systemNodePool?.name ?? "system"]).pools;
}
