/**
 * Pure half of the AKS cluster component: argument types, validation, pool resolution and the GPU add-ons
 * (Helm charts) the pools need. No Pulumi imports, so the stack and the tests can compute pools without an
 * engine.
 */
import { ACCELERATORS, Accelerator, AcceleratorSpec } from "../components/catalog/accelerators";
import { resolveOffer } from "../components/catalog/offers";
import { CHARTS, ChartPin } from "../components/catalog/versions";
import { LlmdConfigError, parseKubernetesMinor, requireInteger, requireNonEmpty } from "../components/errors";
import { AcceleratorPool, AcceleratorPoolTaint } from "../components/pool";
import { K8sObject } from "../components/render/types";
import { AksInfinibandArgs, aksNetworkOperatorChart, renderAksNicClusterPolicy, resolveAksInfiniband } from "./aks-network";

/** Who installs the NVIDIA driver on GPU pools. AMD pools always use the AMD GPU Operator (see `AksClusterArgs`). */
export const AksGpuDriver = {
    /**
     * AKS installs the driver and container toolkit (`gpuProfile.driver: Install`); llmd adds the NVIDIA
     * device plugin chart, which AKS does not install, so nodes advertise `nvidia.com/gpu`.
     */
    Managed: "managed",
    /**
     * AKS skips the driver (`gpuProfile.driver: None`) and llmd installs the NVIDIA GPU Operator chart, which
     * brings driver, toolkit, device plugin and DCGM. Use it for GPUDirect RDMA or a driver version of your own.
     */
    Operator: "operator",
} as const;
/** One of the values of `AksGpuDriver`. */
export type AksGpuDriver = (typeof AksGpuDriver)[keyof typeof AksGpuDriver];

/** The system node pool, defined inline in the cluster; it runs CoreDNS, the gateway, the router and other CPU work. */
export interface AksSystemPoolArgs {
    /** Pool name: 1-12 lowercase letters and digits, starting with a letter. Default `system`. */
    name?: string;
    /** VM size. Default `Standard_D4s_v5` (4 vCPU, 16 GiB). */
    vmSize?: string;
    /** Node count when not autoscaling, and the initial count when autoscaling. Default 2 (`minNodes` when set). */
    nodeCount?: number;
    /** Fewest nodes; set together with `maxNodes` to turn on the cluster autoscaler. System pools need at least 1. */
    minNodes?: number;
    /** Most nodes; setting it turns on the cluster autoscaler. */
    maxNodes?: number;
    /** Availability zones, e.g. `["1", "2", "3"]`. Default: none (regional). */
    availabilityZones?: string[];
}

/** An accelerator pool of an `AksCluster`, created as its own `containerservice.AgentPool` in User mode. */
export interface AksAcceleratorPoolArgs {
    /**
     * Pool name: 1-12 lowercase letters and digits, starting with a letter (an AKS limit for Linux pools).
     * AKS labels the nodes `kubernetes.azure.com/agentpool: <name>`.
     */
    name: string;
    /** Accelerator on every node, e.g. `nvidia-h100`, `nvidia-a100-80gb`, `amd-mi300x`. */
    accelerator: Accelerator;
    /** GPUs per node (picks the VM size). Default: the largest size AKS offers for the accelerator. */
    acceleratorsPerNode?: number;
    /** VM size, e.g. `Standard_ND96isr_H100_v5`; must carry `accelerator`. Wins over `acceleratorsPerNode`. */
    machineType?: string;
    /** Node count when not autoscaling, and the initial count when autoscaling. Default 1 (`minNodes` when set). */
    nodeCount?: number;
    /** Fewest nodes (0 lets the autoscaler remove every GPU node when idle); set with `maxNodes`. Default 0. */
    minNodes?: number;
    /** Most nodes; setting it turns on the cluster autoscaler for the pool. */
    maxNodes?: number;
    /**
     * Spot VMs (`scaleSetPriority: Spot`, evicted VMs deleted, paying up to the on-demand price). AKS taints
     * spot nodes `kubernetes.azure.com/scalesetpriority=spot:NoSchedule`; the pool output lists that taint.
     */
    spot?: boolean;
    /** Availability zones, e.g. `["1"]`. Default: none. Keep InfiniBand pools in one zone. */
    availabilityZones?: string[];
    /** OS disk size in GiB (model weights are cached on it). Default: the VM size's default. */
    osDiskSizeGB?: number;
}

/** The plain settings of `AksClusterArgs` that decide what gets built; all `resolveAksClusterArgs` needs. */
export interface AksClusterSettings extends AksClusterOptions {
    /** An existing resource group to create the cluster in. Default: a new resource group. */
    resourceGroupName?: string;
}

/** The settings of `AksClusterArgs` other than the resource group, which `AksCluster` also takes as an Output. */
export interface AksClusterOptions {
    /** Azure region, e.g. `eastus2`. Default: the resource group's (or the provider's `azure-native:location`). */
    location?: string;
    /** Name of the managed cluster resource. Default: auto-named from the component name. */
    clusterName?: string;
    /** Kubernetes version (`1.33` or a patch such as `1.33.2`); 1.29 or newer. Default `1.33`. */
    kubernetesVersion?: string;
    /** DNS prefix of the API server FQDN. Default: derived from the component name. */
    dnsPrefix?: string;
    /** The system pool. */
    systemPool?: AksSystemPoolArgs;
    /** Accelerator pools, one `AgentPool` each. Default: none (CPU only, e.g. the simulator). */
    acceleratorPools?: AksAcceleratorPoolArgs[];
    /** Who installs the NVIDIA driver on NVIDIA pools. Default `managed`. */
    gpuDriver?: AksGpuDriver;
    /**
     * Image repository (no tag) the AMD GPU Operator pushes the amdgpu driver image it builds to, e.g.
     * `myregistry.azurecr.io/amdgpu-driver`. Required when a pool has an AMD accelerator: AKS installs no AMD
     * driver, and the operator builds one per node kernel.
     */
    amdDriverImageRepository?: string;
    /** Name of a docker-registry Secret (in namespace `kube-amd-gpu`) with push access to `amdDriverImageRepository`. */
    amdDriverImageRegistrySecretName?: string;
    /**
     * InfiniBand on the pools with ND InfiniBand sizes: by default llmd installs the NVIDIA Network Operator
     * (DOCA-OFED, RDMA shared device plugin) so their nodes advertise `rdma/ib`. See `AksInfinibandArgs`.
     */
    infiniband?: AksInfinibandArgs;
}

/** The agent pool inputs of one pool, as `containerservice` wants them (plain data). */
export interface AksAgentPoolSpec {
    name: string;
    vmSize: string;
    count: number;
    enableAutoScaling: boolean;
    minCount?: number;
    maxCount?: number;
    availabilityZones?: string[];
}

/** One accelerator pool, resolved: the `AgentPool` inputs plus the shared pool description. */
export interface ResolvedAksAcceleratorPool extends AksAgentPoolSpec {
    accelerator: Accelerator;
    /** Node labels llmd sets on the pool (AKS adds `kubernetes.azure.com/*` labels itself). */
    nodeLabels: Record<string, string>;
    /** Taints in AKS's `key=value:Effect` form. */
    nodeTaints: string[];
    /** `gpuProfile.driver`: `Install` (AKS installs the driver) or `None`. */
    gpuDriver: "Install" | "None";
    spot: boolean;
    osDiskSizeGB?: number;
    /** The pool as the serving layer sees it. */
    pool: AcceleratorPool;
}

/** A Helm chart the cluster needs for its GPUs, with the namespace it goes to. */
export interface AksChartInstall {
    /** Role in child resource names (`${name}-<role>`). */
    role: string;
    /** Helm release name. */
    release: string;
    namespace: string;
    /** Whether llmd creates the namespace (false for `kube-system`). */
    createNamespace: boolean;
    /** Labels of the namespace llmd creates (e.g. Pod Security admission for privileged node daemons). */
    namespaceLabels?: Record<string, string>;
    pin: ChartPin;
    values: Record<string, unknown>;
    /** Roles of charts that must be installed first (e.g. cert-manager before the AMD GPU Operator). */
    after: string[];
}

/** Everything `AksCluster` builds, decided from the arguments alone. */
export interface ResolvedAksCluster {
    kubernetesVersion: string;
    dnsPrefix: string;
    systemPool: AksAgentPoolSpec;
    acceleratorPools: ResolvedAksAcceleratorPool[];
    charts: AksChartInstall[];
    /** Agent pools with InfiniBand, and whether llmd installs the Network Operator for them. */
    infiniband: { install: boolean; pools: string[] };
    /** The Network Operator's `NicClusterPolicy`, created after its chart; absent without InfiniBand install. */
    nicClusterPolicy?: K8sObject;
}

/** Label llmd puts on every accelerator node, naming the catalog accelerator. */
export const ACCELERATOR_LABEL = "llm-d.ai/accelerator";
/** Label AKS puts on every node with its agent pool's name. */
export const AKS_AGENTPOOL_LABEL = "kubernetes.azure.com/agentpool";
/** The taint AKS puts on spot nodes. */
export const AKS_SPOT_TAINT: AcceleratorPoolTaint = { key: "kubernetes.azure.com/scalesetpriority", value: "spot", effect: "NoSchedule" };

const DEFAULT_KUBERNETES_VERSION = "1.33";
const DEFAULT_SYSTEM_VM_SIZE = "Standard_D4s_v5";
const AKS_POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;
const DNS_PREFIX = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,52}[a-zA-Z0-9])?$/;
// AKS allows 1000 nodes per pool.
const MAX_POOL_NODES = 1000;

function requireAksPoolName(field: string, value: unknown): string {
    if (typeof value !== "string" || !AKS_POOL_NAME.test(value)) {
        throw new LlmdConfigError(
            field,
            value,
            "AKS pool names are 1-12 lowercase letters and digits, starting with a letter (e.g. h100pool)",
        );
    }
    return value;
}

/** Node counts of a pool: fixed, or autoscaled when `maxNodes` is set. */
function resolveCounts(
    field: string,
    args: { nodeCount?: number; minNodes?: number; maxNodes?: number },
    defaults: { count: number; min: number; floor: number },
): Pick<AksAgentPoolSpec, "count" | "enableAutoScaling" | "minCount" | "maxCount"> {
    if (args.maxNodes === undefined) {
        if (args.minNodes !== undefined) {
            throw new LlmdConfigError(`${field}.maxNodes`, args.maxNodes, "set maxNodes together with minNodes to autoscale, or nodeCount alone");
        }
        const count = requireInteger(`${field}.nodeCount`, args.nodeCount ?? defaults.count, defaults.floor, MAX_POOL_NODES);
        return { count, enableAutoScaling: false };
    }
    const min = requireInteger(`${field}.minNodes`, args.minNodes ?? defaults.min, defaults.floor, MAX_POOL_NODES);
    const max = requireInteger(`${field}.maxNodes`, args.maxNodes, Math.max(1, min), MAX_POOL_NODES);
    const count = requireInteger(`${field}.nodeCount`, args.nodeCount ?? min, min, max);
    return { count, enableAutoScaling: true, minCount: min, maxCount: max };
}

function requireZones(field: string, zones: unknown): string[] | undefined {
    if (zones === undefined) {
        return undefined;
    }
    if (!Array.isArray(zones) || zones.length === 0 || zones.some((z) => typeof z !== "string" || !/^[1-9]$/.test(z))) {
        throw new LlmdConfigError(field, zones, 'expected a non-empty list of zone numbers such as ["1", "2"]');
    }
    return [...zones];
}

function taintString(taint: AcceleratorPoolTaint): string {
    return `${taint.key}${taint.value === undefined ? "" : `=${taint.value}`}:${taint.effect}`;
}

/** Resolves and validates the system pool. */
export function resolveAksSystemPool(args: AksSystemPoolArgs | undefined): AksAgentPoolSpec {
    const field = "systemPool";
    const a = args ?? {};
    const name = requireAksPoolName(`${field}.name`, a.name ?? "system");
    const vmSize = requireNonEmpty(`${field}.vmSize`, a.vmSize ?? DEFAULT_SYSTEM_VM_SIZE);
    // System pools must keep at least one node: AKS rejects 0 for them.
    const counts = resolveCounts(field, a, { count: 2, min: 1, floor: 1 });
    const zones = requireZones(`${field}.availabilityZones`, a.availabilityZones);
    return { name, vmSize, ...counts, ...(zones ? { availabilityZones: zones } : {}) };
}

/**
 * Validates the accelerator pools of an AKS cluster and resolves each to its VM size, labels, taints,
 * driver mode and the shared pool description. Pure: the stack and the tests call it without Pulumi.
 * `reservedNames` are names already taken (the system pool's).
 */
export function resolveAksAcceleratorPools(
    pools: AksAcceleratorPoolArgs[] | undefined,
    gpuDriver: AksGpuDriver = AksGpuDriver.Managed,
    reservedNames: string[] = [],
): ResolvedAksAcceleratorPool[] {
    if (!Object.values(AksGpuDriver).includes(gpuDriver)) {
        throw new LlmdConfigError("gpuDriver", gpuDriver, `expected one of ${Object.values(AksGpuDriver).join(", ")}`);
    }
    if (pools !== undefined && !Array.isArray(pools)) {
        throw new LlmdConfigError("acceleratorPools", pools, "expected a list of pools");
    }
    const seen = new Set(reservedNames);
    return (pools ?? []).map((p, i) => {
        const field = `acceleratorPools[${i}]`;
        const name = requireAksPoolName(`${field}.name`, p.name);
        if (seen.has(name)) {
            throw new LlmdConfigError(`${field}.name`, name, `expected a pool name not used by another pool (taken: ${[...seen].join(", ")})`);
        }
        seen.add(name);
        // resolveOffer rejects unknown accelerators, ones AKS does not sell (TPUs, L4, CPU) and unsold sizes.
        const offer = resolveOffer("aks", field, p.accelerator, { machineType: p.machineType, acceleratorsPerNode: p.acceleratorsPerNode });
        const spec: AcceleratorSpec = ACCELERATORS[offer.accelerator];
        if (p.machineType !== undefined && p.acceleratorsPerNode !== undefined && p.acceleratorsPerNode !== offer.acceleratorsPerNode) {
            throw new LlmdConfigError(
                `${field}.acceleratorsPerNode`,
                p.acceleratorsPerNode,
                `${offer.machineType} has ${offer.acceleratorsPerNode} ${spec.displayName} per node`,
            );
        }
        const counts = resolveCounts(field, p, { count: 1, min: 0, floor: 0 });
        const zones = requireZones(`${field}.availabilityZones`, p.availabilityZones);
        if (p.spot !== undefined && typeof p.spot !== "boolean") {
            throw new LlmdConfigError(`${field}.spot`, p.spot, "expected true or false");
        }
        const spot = p.spot ?? false;
        const osDiskSizeGB = p.osDiskSizeGB === undefined ? undefined : requireInteger(`${field}.osDiskSizeGB`, p.osDiskSizeGB, 30, 4096);

        const nodeLabels: Record<string, string> = { [ACCELERATOR_LABEL]: spec.id };
        const driverInstalledByAks = spec.vendor === "nvidia" && gpuDriver === AksGpuDriver.Managed;
        if (driverInstalledByAks) {
            // The device plugin chart schedules only on nodes NFD marks as NVIDIA, or on nodes carrying this
            // label (its documented override); AKS runs no NFD, so the label is what places the plugin.
            nodeLabels["nvidia.com/gpu.present"] = "true";
        }
        const taints: AcceleratorPoolTaint[] = spec.taint ? [{ ...spec.taint }] : [];
        const poolTaints = spot ? [...taints, { ...AKS_SPOT_TAINT }] : taints;

        return {
            name,
            vmSize: offer.machineType,
            ...counts,
            ...(zones ? { availabilityZones: zones } : {}),
            accelerator: spec.id,
            nodeLabels,
            // AKS adds the spot taint itself; passing it too would be redundant.
            nodeTaints: taints.map(taintString),
            // AKS requires `None` for AMD pools: it has no AMD driver to install.
            gpuDriver: driverInstalledByAks ? "Install" : "None",
            spot,
            ...(osDiskSizeGB === undefined ? {} : { osDiskSizeGB }),
            pool: {
                name,
                accelerator: spec.id,
                acceleratorsPerNode: offer.acceleratorsPerNode,
                maxNodes: counts.enableAutoScaling ? counts.maxCount! : counts.count,
                nodeLabels: { [AKS_AGENTPOOL_LABEL]: name, [ACCELERATOR_LABEL]: spec.id },
                taints: poolTaints,
                interconnect: offer.interconnect,
                machineType: offer.machineType,
            },
        };
    });
}

const GPU_TOLERATION = (key: string) => ({ key, operator: "Exists", effect: "NoSchedule" });
const SPOT_TOLERATION = { key: AKS_SPOT_TAINT.key, operator: "Equal", value: "spot", effect: "NoSchedule" };

/** The Helm charts the pools need so their GPUs become schedulable. Pure. */
export function aksGpuCharts(
    pools: ResolvedAksAcceleratorPool[],
    gpuDriver: AksGpuDriver,
    amd: { imageRepository?: string; registrySecretName?: string },
    infiniband = false,
): AksChartInstall[] {
    const charts: AksChartInstall[] = [];
    const vendors = new Set(pools.map((p) => ACCELERATORS[p.accelerator].vendor));
    // Daemons must land on spot GPU nodes too, so they tolerate AKS's spot taint as well as the GPU taint.
    if (vendors.has("nvidia")) {
        const nvidia = [GPU_TOLERATION("nvidia.com/gpu"), SPOT_TOLERATION];
        if (gpuDriver === AksGpuDriver.Managed) {
            charts.push({
                role: "nvidia-device-plugin",
                release: "nvidia-device-plugin",
                namespace: "kube-system",
                createNamespace: false,
                pin: CHARTS.nvidiaDevicePlugin,
                values: { tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }, ...nvidia] },
                after: [],
            });
        } else {
            charts.push({
                role: "gpu-operator",
                release: "gpu-operator",
                namespace: "gpu-operator",
                createNamespace: true,
                pin: CHARTS.gpuOperator,
                values: {
                    daemonsets: { tolerations: nvidia },
                    "node-feature-discovery": { worker: { tolerations: nvidia } },
                    // GPUDirect RDMA over InfiniBand needs nvidia-peermem, which the operator's driver loads
                    // only when asked (llm-d's AKS guide relies on it with the Network Operator's DOCA-OFED).
                    ...(infiniband && pools.some((p) => p.pool.interconnect === "infiniband" && ACCELERATORS[p.accelerator].vendor === "nvidia")
                        ? { driver: { rdma: { enabled: true } } }
                        : {}),
                },
                after: [],
            });
        }
    }
    if (vendors.has("amd")) {
        const amdTolerations = [GPU_TOLERATION("amd.com/gpu"), SPOT_TOLERATION];
        charts.push({
            role: "cert-manager",
            release: "cert-manager",
            namespace: "cert-manager",
            createNamespace: true,
            pin: CHARTS.certManager,
            values: { crds: { enabled: true } },
            after: [],
        });
        charts.push({
            role: "amd-gpu-operator",
            release: "amd-gpu-operator",
            namespace: "kube-amd-gpu",
            createNamespace: true,
            pin: CHARTS.amdGpuOperator,
            values: {
                "node-feature-discovery": {
                    worker: {
                        // The chart's own two tolerations are kept: a values list replaces, never merges.
                        tolerations: [
                            { key: "amd-dcm", operator: "Equal", value: "up", effect: "NoExecute" },
                            { key: "amd-gpu-unhealthy", operator: "Exists", effect: "NoSchedule" },
                            ...amdTolerations,
                        ],
                    },
                },
                deviceConfig: {
                    spec: {
                        driver: {
                            // AKS nodes have no amdgpu driver (AKS requires gpuProfile.driver None), so the
                            // operator builds and loads one; it needs a repository to push the image to.
                            enable: true,
                            image: amd.imageRepository,
                            ...(amd.registrySecretName ? { imageRegistrySecret: { name: amd.registrySecretName } } : {}),
                            tolerations: amdTolerations,
                        },
                        devicePlugin: { devicePluginTolerations: amdTolerations, nodeLabellerTolerations: amdTolerations },
                        metricsExporter: { tolerations: amdTolerations },
                    },
                },
            },
            after: ["cert-manager"],
        });
    }
    return charts;
}

function defaultDnsPrefix(name: string): string {
    const cleaned = name
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 54)
        .replace(/-+$/, "");
    return cleaned === "" ? "llmd" : cleaned;
}

/**
 * Validates every argument of an `AksCluster` and decides what it builds. Throws `LlmdConfigError` naming
 * the field on any bad input, before any resource exists. Pure.
 */
export function resolveAksClusterArgs(name: string, args: AksClusterSettings): ResolvedAksCluster {
    const kubernetesVersion = args.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    parseKubernetesMinor("kubernetesVersion", kubernetesVersion);
    const dnsPrefix = args.dnsPrefix ?? defaultDnsPrefix(name);
    if (!DNS_PREFIX.test(dnsPrefix)) {
        throw new LlmdConfigError("dnsPrefix", dnsPrefix, "expected 1-54 letters, digits and '-', starting and ending with a letter or digit");
    }
    for (const field of ["location", "resourceGroupName", "clusterName"] as const) {
        if (args[field] !== undefined) {
            requireNonEmpty(field, args[field]);
        }
    }
    const gpuDriver = args.gpuDriver ?? AksGpuDriver.Managed;
    const systemPool = resolveAksSystemPool(args.systemPool);
    const acceleratorPools = resolveAksAcceleratorPools(args.acceleratorPools, gpuDriver, [systemPool.name]);
    const hasAmd = acceleratorPools.some((p) => ACCELERATORS[p.accelerator].vendor === "amd");
    if (hasAmd) {
        const repo = args.amdDriverImageRepository;
        if (typeof repo !== "string" || repo.trim() === "" || /[:@]/.test(repo.split("/").pop() ?? "")) {
            throw new LlmdConfigError(
                "amdDriverImageRepository",
                repo,
                "AMD pools on AKS need an image repository without tag (e.g. myregistry.azurecr.io/amdgpu-driver) for the driver the AMD GPU Operator builds",
            );
        }
    }
    const infiniband = resolveAksInfiniband("infiniband", args.infiniband, acceleratorPools);
    const charts = aksGpuCharts(
        acceleratorPools,
        gpuDriver,
        {
            imageRepository: args.amdDriverImageRepository,
            registrySecretName: args.amdDriverImageRegistrySecretName,
        },
        infiniband.install,
    );
    let nicClusterPolicy: K8sObject | undefined;
    if (infiniband.install) {
        const ibPools = acceleratorPools.filter((p) => infiniband.pools.includes(p.name));
        // NFD labels the nodes' OS and kernel for the driver container. The GPU Operator (NVIDIA pools with
        // gpuDriver operator) and the AMD GPU Operator already run one on their GPU nodes; a second would fight it.
        const nfdElsewhere = ibPools.every((p) => {
            const vendor = ACCELERATORS[p.accelerator].vendor;
            return vendor === "amd" || (vendor === "nvidia" && gpuDriver === AksGpuDriver.Operator);
        });
        charts.push(aksNetworkOperatorChart(ibPools, !nfdElsewhere));
        nicClusterPolicy = renderAksNicClusterPolicy(ibPools);
    }
    return { kubernetesVersion, dnsPrefix, systemPool, acceleratorPools, charts, infiniband, ...(nicClusterPolicy ? { nicClusterPolicy } : {}) };
}
