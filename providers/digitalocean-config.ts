/**
 * Pure half of the DigitalOcean Kubernetes (DOKS) cluster component: argument types, validation, pool
 * resolution and the doctl kubeconfig. No Pulumi imports, so the stack and the tests can compute pools
 * without an engine.
 */
import { ACCELERATORS, Accelerator } from "../components/catalog/accelerators";
import { resolveOffer } from "../components/catalog/offers";
import { LlmdConfigError, optionalBoolean, parseKubernetesMinor, requireDnsLabel, requireInteger, requireNonEmpty } from "../components/errors";
import { AcceleratorPool, AcceleratorPoolTaint } from "../components/pool";

/** How the kubeconfig a `DoksCluster` outputs authenticates to the cluster. */
export const DoksKubeconfigAuth = {
    /**
     * The short-lived DigitalOcean token DOKS issues with the cluster (7 days unless
     * `kubeconfigExpireSeconds` says otherwise). Works anywhere; needs `pulumi refresh` once it expired.
     */
    Token: "token",
    /**
     * An exec credential plugin calling `doctl kubernetes cluster kubeconfig exec-credential`, which fetches a
     * fresh token on every use. Never expires, but `doctl` must be on the PATH and authenticated (e.g.
     * `DIGITALOCEAN_ACCESS_TOKEN`) wherever the kubeconfig is used, including where `pulumi` runs.
     */
    Doctl: "doctl",
} as const;
/** One of the values of `DoksKubeconfigAuth`. */
export type DoksKubeconfigAuth = (typeof DoksKubeconfigAuth)[keyof typeof DoksKubeconfigAuth];

/** The cluster's default (system) node pool, which runs the gateway, the router and other CPU workloads. */
export interface DoksDefaultNodePoolArgs {
    /** Pool name. Default `system`. */
    name?: string;
    /** Droplet size slug. Default `s-4vcpu-8gb`. */
    size?: string;
    /** Fewest nodes the autoscaler keeps. Default 1. */
    minNodes?: number;
    /** Most nodes the autoscaler adds. Default 3. */
    maxNodes?: number;
}

/** A GPU node pool of a `DoksCluster`, created as its own `digitalocean.KubernetesNodePool`. */
export interface DoksAcceleratorPoolArgs {
    /** Pool name (lowercase letters, digits and '-'); nodes carry `doks.digitalocean.com/node-pool: <name>`. */
    name: string;
    /** Accelerator on every node, e.g. `nvidia-h100`, `nvidia-l40s`, `amd-mi300x`. */
    accelerator: Accelerator;
    /** GPUs per node (picks the droplet size). Default: the largest size DOKS offers for the accelerator. */
    acceleratorsPerNode?: number;
    /** Droplet size slug, e.g. `gpu-h100x8-640gb`; must carry `accelerator`. Wins over `acceleratorsPerNode`. */
    machineType?: string;
    /** Fewest nodes (0 lets the autoscaler remove every GPU node when idle). Default 1. */
    minNodes?: number;
    /** Most nodes. Default `minNodes` (or 1 when `minNodes` is 0). The pool autoscales when it is above `minNodes`. */
    maxNodes?: number;
}

/**
 * The plain part of `DoksClusterArgs` (everything but the VPC id, which may be an Output of a VPC created in
 * the same program). It is all `resolveDoksClusterArgs` needs.
 */
export interface DoksClusterSettings {
    /** Region slug, e.g. `nyc2`, `tor1`, `atl1` (GPU droplets exist in a few regions only). */
    region: string;
    /**
     * Full DOKS version slug such as `1.33.1-do.0` (list them with `doctl kubernetes options versions`).
     * A bare minor such as `1.33` is rejected: DOKS only accepts exact slugs. Kubernetes 1.29 or newer.
     */
    version: string;
    /** Name of the DOKS cluster. Default: Pulumi auto-naming from the component name. */
    clusterName?: string;
    /** Highly available control plane (extra cost; once enabled it cannot be disabled). Default false. */
    highAvailability?: boolean;
    /** Apply new patch releases automatically during the maintenance window. Default true. */
    autoUpgrade?: boolean;
    /** Surge upgrades (new nodes before old ones drain). Default true. */
    surgeUpgrade?: boolean;
    /** Maintenance window day: `monday`..`sunday` or `any`. Default `sunday`. */
    maintenanceDay?: string;
    /** Maintenance window start, UTC, `HH:MM`. Default `04:00`. */
    maintenanceStartTime?: string;
    /** The default (CPU) node pool. Default: `system`, `s-4vcpu-8gb`, autoscaling 1 to 3 nodes. */
    defaultNodePool?: DoksDefaultNodePoolArgs;
    /** GPU node pools. Default: none (CPU only, e.g. the simulator). */
    acceleratorPools?: DoksAcceleratorPoolArgs[];
    /** How the output kubeconfig authenticates: `token` (default) or `doctl`. */
    kubeconfigAuth?: DoksKubeconfigAuth;
    /**
     * Lifetime in seconds of the token DOKS puts in the kubeconfig (`token` auth). Default: DigitalOcean's
     * 7 days. The provider fetches a new token on `pulumi refresh` once the old one has expired.
     */
    kubeconfigExpireSeconds?: number;
    /** DigitalOcean tags for the cluster and its node pools. */
    tags?: string[];
}

/** A taint as DOKS node pools take it (value is required there). */
export interface DoksTaint {
    key: string;
    value: string;
    effect: string;
}

/** A node pool with every default applied, ready to become a DOKS resource. */
export interface ResolvedDoksNodePool {
    name: string;
    size: string;
    autoScale: boolean;
    minNodes: number;
    maxNodes: number;
    /** Set only for fixed-size pools; autoscaled pools let DOKS pick the initial size (`minNodes`). */
    nodeCount?: number;
    taints: DoksTaint[];
}

/** `DoksClusterSettings` validated and with defaults applied. */
export interface ResolvedDoksCluster {
    region: string;
    version: string;
    minor: number;
    clusterName?: string;
    highAvailability: boolean;
    autoUpgrade: boolean;
    surgeUpgrade: boolean;
    maintenance: { day: string; startTime: string };
    defaultPool: ResolvedDoksNodePool;
    acceleratorPools: ResolvedDoksNodePool[];
    /** The pools in the shape the serving layer consumes. */
    pools: AcceleratorPool[];
    /** Whether any pool has NVIDIA / AMD GPUs (decides which DOKS device plugin to turn on explicitly). */
    hasNvidia: boolean;
    hasAmd: boolean;
    kubeconfigAuth: DoksKubeconfigAuth;
    kubeconfigExpireSeconds?: number;
    tags: string[];
}

/** Node label DOKS puts on (and keeps on) every node of a pool. */
export const DOKS_NODE_POOL_LABEL = "doks.digitalocean.com/node-pool";

export const DOKS_DEFAULTS = {
    defaultPoolName: "system",
    defaultPoolSize: "s-4vcpu-8gb",
    defaultPoolMinNodes: 1,
    defaultPoolMaxNodes: 3,
    maintenanceDay: "sunday",
    maintenanceStartTime: "04:00",
} as const;

const MAINTENANCE_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "any"] as const;
const doksVersionSlug = /^1\.\d+\.\d+-do\.\d+$/;
const regionSlug = /^[a-z]{3}\d$/;
const clockTime = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * DOKS taints GPU nodes itself, with the key of the device resource, no value and NoSchedule
 * (docs.digitalocean.com/products/kubernetes/details/managed, "Automatic Application of Labels and Taints").
 * We declare the same taint on the pool so it is visible in the program and in the plan; using the identical
 * key, value and effect keeps it from clashing with the one DOKS applies (taints are unique per key+effect).
 */
function doksGpuTaint(resourceName: string): DoksTaint {
    return { key: resourceName, value: "", effect: "NoSchedule" };
}

/** Validates the DOKS version slug; returns the Kubernetes minor. */
export function parseDoksVersion(field: string, version: unknown): number {
    const minor = parseKubernetesMinor(field, version);
    if (!doksVersionSlug.test(version as string)) {
        throw new LlmdConfigError(
            field,
            version,
            'expected a full DOKS version slug such as "1.33.1-do.0" (list them with `doctl kubernetes options versions`)',
        );
    }
    return minor;
}


function resolveDefaultPool(args: DoksDefaultNodePoolArgs | undefined): ResolvedDoksNodePool {
    const field = "defaultNodePool";
    const name = requireDnsLabel(`${field}.name`, args?.name ?? DOKS_DEFAULTS.defaultPoolName);
    const size = requireNonEmpty(`${field}.size`, args?.size ?? DOKS_DEFAULTS.defaultPoolSize);
    // DOKS needs at least one node outside GPU pools for its own system workloads.
    const minNodes = requireInteger(`${field}.minNodes`, args?.minNodes ?? DOKS_DEFAULTS.defaultPoolMinNodes, 1);
    const maxNodes = requireInteger(`${field}.maxNodes`, args?.maxNodes ?? Math.max(minNodes, DOKS_DEFAULTS.defaultPoolMaxNodes), 1);
    if (maxNodes < minNodes) {
        throw new LlmdConfigError(`${field}.maxNodes`, maxNodes, `expected at least minNodes (${minNodes})`);
    }
    const autoScale = maxNodes > minNodes;
    return { name, size, autoScale, minNodes, maxNodes, nodeCount: autoScale ? undefined : minNodes, taints: [] };
}

/**
 * Validates GPU pool arguments against the catalog and describes each pool twice: as DOKS node pool settings
 * and in the shared `AcceleratorPool` shape. Pure; throws `LlmdConfigError` naming the field.
 */
export function resolveDoksAcceleratorPools(
    pools: DoksAcceleratorPoolArgs[] | undefined,
    reservedNames: string[] = [],
): { nodePools: ResolvedDoksNodePool[]; pools: AcceleratorPool[] } {
    const seen = new Set(reservedNames);
    const nodePools: ResolvedDoksNodePool[] = [];
    const out: AcceleratorPool[] = [];
    (pools ?? []).forEach((pool, i) => {
        const field = `acceleratorPools[${i}]`;
        const name = requireDnsLabel(`${field}.name`, pool.name);
        if (seen.has(name)) {
            throw new LlmdConfigError(`${field}.name`, name, "expected a name no other node pool of the cluster uses");
        }
        seen.add(name);
        const offer = resolveOffer("digitalocean", field, pool.accelerator, {
            machineType: pool.machineType,
            acceleratorsPerNode: pool.acceleratorsPerNode,
        });
        if (pool.machineType !== undefined && pool.acceleratorsPerNode !== undefined && pool.acceleratorsPerNode !== offer.acceleratorsPerNode) {
            throw new LlmdConfigError(
                `${field}.acceleratorsPerNode`,
                pool.acceleratorsPerNode,
                `${offer.machineType} has ${offer.acceleratorsPerNode} per node`,
            );
        }
        const minNodes = requireInteger(`${field}.minNodes`, pool.minNodes ?? 1, 0);
        const maxNodes = requireInteger(`${field}.maxNodes`, pool.maxNodes ?? Math.max(minNodes, 1), 1);
        if (maxNodes < minNodes) {
            throw new LlmdConfigError(`${field}.maxNodes`, maxNodes, `expected at least minNodes (${minNodes})`);
        }
        const resourceName = acceleratorResource(offer.accelerator);
        const taint = doksGpuTaint(resourceName);
        const autoScale = maxNodes > minNodes;
        nodePools.push({
            name,
            size: offer.machineType,
            autoScale,
            minNodes,
            maxNodes,
            nodeCount: autoScale ? undefined : minNodes,
            taints: [taint],
        });
        const poolTaint: AcceleratorPoolTaint = { key: taint.key, effect: taint.effect };
        out.push({
            name,
            accelerator: offer.accelerator,
            acceleratorsPerNode: offer.acceleratorsPerNode,
            maxNodes,
            nodeLabels: { [DOKS_NODE_POOL_LABEL]: name },
            // No value: DOKS's own taint has none, so model servers must tolerate the key with `Exists`.
            taints: [poolTaint],
            interconnect: offer.interconnect,
            machineType: offer.machineType,
        });
    });
    return { nodePools, pools: out };
}

function acceleratorResource(accelerator: Accelerator): string {
    const resourceName = ACCELERATORS[accelerator].resourceName;
    if (resourceName !== "nvidia.com/gpu" && resourceName !== "amd.com/gpu") {
        // Only reachable if the catalog lists a non-GPU offer for DigitalOcean.
        throw new Error(`catalog: ${accelerator} on digitalocean has no GPU resource name`);
    }
    return resourceName;
}

/** Validates every `DoksClusterSettings` field and applies defaults. Pure; throws before anything is created. */
export function resolveDoksClusterArgs(args: DoksClusterSettings): ResolvedDoksCluster {
    if (args === undefined || args === null) {
        throw new LlmdConfigError("args", args, "expected DoksCluster arguments with at least region and version");
    }
    const region = requireNonEmpty("region", args.region);
    if (!regionSlug.test(region)) {
        throw new LlmdConfigError("region", region, 'expected a DigitalOcean region slug such as "nyc2" or "tor1"');
    }
    const minor = parseDoksVersion("version", args.version);
    if (args.clusterName !== undefined) {
        requireDnsLabel("clusterName", args.clusterName);
    }
    const day = args.maintenanceDay ?? DOKS_DEFAULTS.maintenanceDay;
    if (!(MAINTENANCE_DAYS as readonly string[]).includes(day)) {
        throw new LlmdConfigError("maintenanceDay", day, `expected one of ${MAINTENANCE_DAYS.join(", ")}`);
    }
    const startTime = args.maintenanceStartTime ?? DOKS_DEFAULTS.maintenanceStartTime;
    if (typeof startTime !== "string" || !clockTime.test(startTime)) {
        throw new LlmdConfigError("maintenanceStartTime", startTime, 'expected a UTC time "HH:MM" such as "04:00"');
    }
    const kubeconfigAuth = args.kubeconfigAuth ?? DoksKubeconfigAuth.Token;
    const auths = Object.values(DoksKubeconfigAuth) as string[];
    if (!auths.includes(kubeconfigAuth)) {
        throw new LlmdConfigError("kubeconfigAuth", kubeconfigAuth, `expected one of ${auths.join(", ")}`);
    }
    if (args.kubeconfigExpireSeconds !== undefined) {
        requireInteger("kubeconfigExpireSeconds", args.kubeconfigExpireSeconds, 0);
    }
    (args.tags ?? []).forEach((tag, i) => requireNonEmpty(`tags[${i}]`, tag));

    const defaultPool = resolveDefaultPool(args.defaultNodePool);
    const { nodePools, pools } = resolveDoksAcceleratorPools(args.acceleratorPools, [defaultPool.name]);
    return {
        region,
        version: args.version,
        minor,
        clusterName: args.clusterName,
        highAvailability: optionalBoolean("highAvailability", args.highAvailability, false),
        autoUpgrade: optionalBoolean("autoUpgrade", args.autoUpgrade, true),
        surgeUpgrade: optionalBoolean("surgeUpgrade", args.surgeUpgrade, true),
        maintenance: { day, startTime },
        defaultPool,
        acceleratorPools: nodePools,
        pools,
        hasNvidia: pools.some((p) => acceleratorResource(p.accelerator) === "nvidia.com/gpu"),
        hasAmd: pools.some((p) => acceleratorResource(p.accelerator) === "amd.com/gpu"),
        kubeconfigAuth,
        kubeconfigExpireSeconds: args.kubeconfigExpireSeconds,
        tags: [...(args.tags ?? [])],
    };
}

/** What a doctl-authenticated kubeconfig needs to know about the cluster. */
export interface DoctlKubeconfigInput {
    /** Context / cluster / user name inside the kubeconfig. */
    contextName: string;
    /** API server URL. */
    server: string;
    /** Base64 PEM of the cluster CA, as DOKS returns it. */
    certificateAuthorityData: string;
    /** DOKS cluster id, which doctl needs to mint a token. */
    clusterId: string;
}

/**
 * A kubeconfig whose user runs `doctl kubernetes cluster kubeconfig exec-credential` (what
 * `doctl kubernetes cluster kubeconfig save` writes), so it never holds a token that can expire.
 * Returned as JSON, which every kubeconfig reader accepts as YAML.
 */
export function renderDoctlKubeconfig(input: DoctlKubeconfigInput): string {
    const name = input.contextName;
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: input.server, "certificate-authority-data": input.certificateAuthorityData } }],
        contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
        "current-context": name,
        users: [
            {
                name: `${name}-admin`,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "doctl",
                        args: ["kubernetes", "cluster", "kubeconfig", "exec-credential", "--version=v1beta1", input.clusterId],
                    },
                },
            },
        ],
    });
}
