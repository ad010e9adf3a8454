/**
 * InfiniBand on AKS, pure: which pools have it, the NVIDIA Network Operator chart and the `NicClusterPolicy`
 * that makes their nodes advertise `rdma/ib` (the resource llm-d's AKS guide and the catalog's ND offers
 * name). No Pulumi imports.
 *
 * What llm-d's AKS guide (`docs/infrastructure/providers/aks`) asks for, and what llmd does with it:
 * - DOCA-OFED through the Network Operator, and an RDMA device plugin: done here (driver + shared device
 *   plugin, resource `rdma/ib`, one per pod however many GPUs it uses).
 * - `nvidia-peermem` for GPUDirect RDMA: with the GPU Operator (`gpuDriver: operator`) llmd turns on the
 *   operator's `driver.rdma`; with AKS-managed drivers it is left to the user (Azure's peermem reloader
 *   DaemonSet), and without it UCX stages GPU memory through host memory instead of failing.
 * - The NRI ulimit adjuster (NIXL needs more locked memory than AKS's 64 KiB default): not automated. It
 *   needs containerd's NRI switched on by hand on every node; the model servers' `IPC_LOCK` capability
 *   (added on RDMA pools by the serving layer) already lifts the memlock limit for the vLLM process.
 */
import { CHARTS, IMAGES, ImagePin } from "../components/catalog/versions";
import { LlmdConfigError } from "../components/errors";
import { AcceleratorPoolTaint } from "../components/pool";
import { K8sObject } from "../components/render/types";
import type { AksChartInstall, ResolvedAksAcceleratorPool } from "./aks-config";

/** InfiniBand settings of an `AksCluster`. */
export interface AksInfinibandArgs {
    /**
     * Install the NVIDIA Network Operator and a `NicClusterPolicy` (DOCA-OFED driver and the RDMA shared
     * device plugin advertising `rdma/ib`) on the pools with InfiniBand VM sizes. Default: true when any pool
     * has one. Set false when the cluster gets them another way; the pools still report `infiniband`, so the
     * nodes must then advertise `rdma/ib` some other way.
     */
    install?: boolean;
}

/** The Network Operator only reconciles a `NicClusterPolicy` with this name. */
export const NIC_CLUSTER_POLICY_NAME = "nic-cluster-policy";
/** Namespace of the Network Operator release. */
export const NETWORK_OPERATOR_NAMESPACE = "network-operator";
/** The extended resource InfiniBand nodes advertise: `<prefix>/<name>`. */
export const AKS_RDMA_RESOURCE = { prefix: "rdma", name: "ib" } as const;

const AGENTPOOL_LABEL = "kubernetes.azure.com/agentpool";
const MELLANOX_VENDOR_ID = "15b3";
// The shared device plugin's default cap on pods sharing a node's HCAs.
const RDMA_HCA_MAX = 63;

/** What the cluster does for InfiniBand. */
export interface ResolvedAksInfiniband {
    /** The Network Operator and its policy are installed. */
    install: boolean;
    /** Agent pools with an InfiniBand VM size. */
    pools: string[];
}

/** Validates `infiniband` (at `field`) against the resolved pools. */
export function resolveAksInfiniband(field: string, args: AksInfinibandArgs | undefined, pools: ResolvedAksAcceleratorPool[]): ResolvedAksInfiniband {
    if (args !== undefined && (typeof args !== "object" || args === null || Array.isArray(args))) {
        throw new LlmdConfigError(field, args, "expected an object such as { install: false }");
    }
    const ib = pools.filter((p) => p.pool.interconnect === "infiniband").map((p) => p.name);
    const install = args?.install;
    if (install !== undefined && typeof install !== "boolean") {
        throw new LlmdConfigError(`${field}.install`, install, "expected true or false");
    }
    if (install === true && ib.length === 0) {
        throw new LlmdConfigError(
            `${field}.install`,
            install,
            "expected unset or false: no accelerator pool has an InfiniBand VM size (Standard_ND96isr_H100_v5, Standard_ND96isr_H200_v5, Standard_ND96asr_v4, Standard_ND96amsr_A100_v4, Standard_ND96isr_MI300X_v5)",
        );
    }
    return { install: ib.length > 0 && install !== false, pools: ib };
}

/** Tolerations for daemons that must run on the given pools' tainted (GPU, spot) nodes. */
export function aksPoolTolerations(pools: ResolvedAksAcceleratorPool[]): Array<Record<string, string>> {
    const seen = new Map<string, Record<string, string>>();
    for (const p of pools) {
        for (const t of p.pool.taints as AcceleratorPoolTaint[]) {
            const toleration: Record<string, string> =
                t.value === undefined || t.key !== "kubernetes.azure.com/scalesetpriority"
                    ? { key: t.key, operator: "Exists", effect: t.effect }
                    : { key: t.key, operator: "Equal", value: t.value, effect: t.effect };
            seen.set(`${t.key}:${t.effect}`, toleration);
        }
    }
    return [...seen.values()];
}

/**
 * The Network Operator chart. `nodeFeatureDiscovery` false leaves node labelling (OS and kernel labels the
 * driver DaemonSet needs) to an NFD another chart already runs on the same nodes, as NVIDIA advises against
 * two NFD deployments.
 */
export function aksNetworkOperatorChart(pools: ResolvedAksAcceleratorPool[], nodeFeatureDiscovery: boolean): AksChartInstall {
    return {
        role: "network-operator",
        release: "network-operator",
        namespace: NETWORK_OPERATOR_NAMESPACE,
        createNamespace: true,
        // The driver and device plugin pods are privileged (Azure's guide labels the namespace so).
        namespaceLabels: { "pod-security.kubernetes.io/enforce": "privileged" },
        pin: CHARTS.networkOperator,
        // The operator's DaemonSets select nodes by NFD labels (`pci-15b3.present`, OS release); the chart's
        // NodeFeatureRules produce the Mellanox label and are kept even when another chart's NFD does the work.
        values: nodeFeatureDiscovery
            ? { nfd: { enabled: true, deployNodeFeatureRules: true }, "node-feature-discovery": { worker: { tolerations: aksPoolTolerations(pools) } } }
            : { nfd: { enabled: false, deployNodeFeatureRules: true } },
        after: [],
    };
}

function splitImage(pin: ImagePin): { repository: string; image: string; version: string } {
    const slash = pin.repository.lastIndexOf("/");
    return { repository: pin.repository.slice(0, slash), image: pin.repository.slice(slash + 1), version: pin.tag };
}

/**
 * The `NicClusterPolicy` for the InfiniBand pools: DOCA-OFED and the RDMA shared device plugin, placed on
 * exactly those pools' nodes (by agent pool name, so no NFD PCI rule is needed) and tolerating their taints.
 */
export function renderAksNicClusterPolicy(pools: ResolvedAksAcceleratorPool[]): K8sObject {
    const ib = pools.filter((p) => p.pool.interconnect === "infiniband");
    const deviceConfig = {
        configList: [
            {
                resourcePrefix: AKS_RDMA_RESOURCE.prefix,
                resourceName: AKS_RDMA_RESOURCE.name,
                rdmaHcaMax: RDMA_HCA_MAX,
                selectors: { vendors: [MELLANOX_VENDOR_ID], linkTypes: ["infiniband"] },
            },
        ],
    };
    return {
        apiVersion: "mellanox.com/v1alpha1",
        kind: "NicClusterPolicy",
        metadata: { name: NIC_CLUSTER_POLICY_NAME, labels: { "app.kubernetes.io/managed-by": "llmd" } },
        spec: {
            nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: AGENTPOOL_LABEL, operator: "In", values: ib.map((p) => p.name) }] }],
                },
            },
            tolerations: aksPoolTolerations(ib),
            ofedDriver: {
                ...splitImage(IMAGES.docaDriver),
                // Azure's AKS configuration sets this to avoid a race where the inbox modules load first
                // (Mellanox/doca-driver-build#52).
                env: [{ name: "OFED_BLACKLIST_MODULES_FILE", value: "/host/etc/modprobe.d/blacklist-ofed-modules.conf" }],
                upgradePolicy: {
                    autoUpgrade: true,
                    maxParallelUpgrades: 1,
                    drain: { enable: true, force: true, deleteEmptyDir: true, timeoutSeconds: 300 },
                },
            },
            rdmaSharedDevicePlugin: {
                ...splitImage(IMAGES.rdmaSharedDevicePlugin),
                config: JSON.stringify(deviceConfig),
            },
        },
    };
}
