import * as containerservice from "@pulumi/azure-native/containerservice";
import * as resources from "@pulumi/azure-native/resources";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createKubernetesProvider, rememberPools } from "../components/cluster";
import { createK8sObject } from "../components/k8s-object";
import { AcceleratorPool } from "../components/pool";
import { AksClusterOptions, AksClusterSettings, ResolvedAksCluster, resolveAksClusterArgs } from "./aks-config";
import { outputsToRegister, whenPlain } from "../components/plain-inputs";
import { checkArgs } from "../components/strict";

export { AksGpuDriver, resolveAksAcceleratorPools, resolveAksClusterArgs } from "./aks-config";
export type { AksAcceleratorPoolArgs, AksClusterOptions, AksClusterSettings, AksSystemPoolArgs } from "./aks-config";
export type { AksInfinibandArgs } from "./aks-network";

/** Arguments of `AksCluster`. */
export interface AksClusterArgs extends AksClusterOptions {
    /** An existing resource group to create the cluster in (e.g. one created in the same program). Default: a new resource group. */
    resourceGroupName?: pulumi.Input<string>;
    /** Azure tags for the resource group, the cluster and its agent pools. */
    tags?: { [key: string]: string };
}

/**
 * An Azure Kubernetes Service cluster for llm-d: a system pool for the gateway, router and other CPU work,
 * plus one User-mode `AgentPool` per accelerator pool (NVIDIA A100 / H100 / H200, AMD MI300X).
 *
 * The cluster uses a system-assigned managed identity, Azure CNI overlay networking (pods get addresses from
 * a private overlay range, so GPU nodes do not eat VNet addresses), and has the OIDC issuer and workload
 * identity on, so pods can reach Azure services (e.g. a storage account with model weights) without keys.
 * GPU nodes are tainted and labelled `llm-d.ai/accelerator: <id>`; the charts that make GPUs schedulable
 * (NVIDIA device plugin or GPU operator, AMD GPU operator) are installed through the cluster's own
 * Kubernetes provider.
 *
 * InfiniBand (ND96isr H100/H200/MI300X v5, ND96asr/amsr A100 v4): unless `infiniband.install` is false,
 * llmd installs the NVIDIA Network Operator from its pinned chart and a `NicClusterPolicy` (DOCA-OFED driver
 * and RDMA shared device plugin, placed on the InfiniBand pools only), so those nodes advertise `rdma/ib` and
 * the pools report interconnect `infiniband`. Register the `Microsoft.ContainerService/AKSInfinibandSupport`
 * feature on the subscription first: without it the VMs of one pool may not share an InfiniBand fabric.
 * Not automated: containerd's NRI and the ulimit adjuster llm-d's AKS guide adds for NIXL's locked memory
 * (the model servers' `IPC_LOCK` capability covers the vLLM process), and `nvidia-peermem` with AKS-managed
 * drivers (use `gpuDriver: operator`, where llmd turns on the GPU Operator's RDMA support, for GPUDirect RDMA).
 */
export class AksCluster extends pulumi.ComponentResource {
    /** Kubernetes provider for the cluster (its `clusterIdentifier` is the cluster's resource id). */
    public readonly kubernetesProvider: k8s.Provider;
    /** Kubeconfig with the cluster user's credentials (secret). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** Kubernetes version the control plane runs. */
    public readonly kubernetesVersion: pulumi.Output<string>;
    /**
     * Accelerator pools, computed from the arguments and the catalog. An Output, since the arguments may be;
     * when they were plain, `knownPools(cluster)` gives the same list at once.
     */
    public readonly pools: pulumi.Output<AcceleratorPool[]>;
    /** Azure resource id of the managed cluster. */
    public readonly clusterId: pulumi.Output<string>;
    /** Name of the managed cluster. */
    public readonly clusterName: pulumi.Output<string>;
    /** Resource group the cluster lives in. */
    public readonly resourceGroupName: pulumi.Output<string>;
    /** OIDC issuer URL, for federating workload identities. */
    public readonly oidcIssuerUrl: pulumi.Output<string>;

    /**
     * @param name Name of the component; children are named `${name}-<role>`.
     * @param args Region, version and pools of the cluster.
     * @param opts Pulumi options.
     */
    constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:AksCluster", name, {}, opts);
        // From other languages every input is an Output: check and build once they are known, at once when plain.
        let now: AksBuilt | undefined;
        const built = whenPlain(args, [], (plain) => {
            checkArgs("AksCluster", plain);
            // Everything is validated before the first child exists: bad input leaves nothing half-created.
            const spec = resolveAksClusterArgs(name, plain as AksClusterSettings);
            const tags = plain.tags;

            const resourceGroupName: pulumi.Output<string> =
                plain.resourceGroupName !== undefined
                    ? pulumi.output(plain.resourceGroupName)
                    : new resources.ResourceGroup(
                          `${name}-rg`,
                          { ...(plain.location ? { location: plain.location } : {}), ...(tags ? { tags } : {}) },
                          { parent: this },
                      ).name;

            const system = spec.systemPool;
            const cluster = new containerservice.ManagedCluster(
                `${name}-cluster`,
                {
                    resourceGroupName,
                    ...(plain.clusterName ? { resourceName: plain.clusterName } : {}),
                    ...(plain.location ? { location: plain.location } : {}),
                    kubernetesVersion: spec.kubernetesVersion,
                    dnsPrefix: spec.dnsPrefix,
                    identity: { type: "SystemAssigned" },
                    enableRBAC: true,
                    agentPoolProfiles: [
                        {
                            name: system.name,
                            mode: "System",
                            osType: "Linux",
                            type: "VirtualMachineScaleSets",
                            vmSize: system.vmSize,
                            count: system.count,
                            enableAutoScaling: system.enableAutoScaling,
                            ...(system.enableAutoScaling ? { minCount: system.minCount, maxCount: system.maxCount } : {}),
                            ...(system.availabilityZones ? { availabilityZones: system.availabilityZones } : {}),
                        },
                    ],
                    // Azure CNI powered by Cilium enforces the NetworkPolicies llmd renders (overlay mode supports it).
                    networkProfile: { networkPlugin: "azure", networkPluginMode: "overlay", networkDataplane: "cilium", networkPolicy: "cilium" },
                    oidcIssuerProfile: { enabled: true },
                    securityProfile: { workloadIdentity: { enabled: true } },
                    ...(tags ? { tags } : {}),
                },
                {
                    parent: this,
                    // The API cannot update the inline pool after creation, and the AgentPools below would show
                    // up in it on refresh: this property only seeds the system pool.
                    ignoreChanges: ["agentPoolProfiles"],
                },
            );

            // AKS rejects a second pool operation on a cluster while one runs (409), so pools are created one by one.
            let previous: pulumi.Resource | undefined;
            for (const pool of spec.acceleratorPools) {
                const agentPool: containerservice.AgentPool = new containerservice.AgentPool(
                    `${name}-${pool.name}`,
                    {
                        resourceGroupName,
                        resourceName: cluster.name,
                        agentPoolName: pool.name,
                        mode: "User",
                        osType: "Linux",
                        type: "VirtualMachineScaleSets",
                        vmSize: pool.vmSize,
                        count: pool.count,
                        enableAutoScaling: pool.enableAutoScaling,
                        ...(pool.enableAutoScaling ? { minCount: pool.minCount, maxCount: pool.maxCount } : {}),
                        ...(pool.availabilityZones ? { availabilityZones: pool.availabilityZones } : {}),
                        ...(pool.osDiskSizeGB === undefined ? {} : { osDiskSizeGB: pool.osDiskSizeGB }),
                        nodeLabels: pool.nodeLabels,
                        nodeTaints: pool.nodeTaints,
                        gpuProfile: { driver: pool.gpuDriver },
                        ...(pool.spot ? { scaleSetPriority: "Spot", scaleSetEvictionPolicy: "Delete", spotMaxPrice: -1 } : {}),
                        ...(tags ? { tags } : {}),
                    },
                    { parent: this, dependsOn: previous ? [previous] : [] },
                );
                previous = agentPool;
            }

            // An invoke with unknown inputs (the cluster in preview) is never sent: the output just stays unknown.
            const credentials = containerservice.listManagedClusterUserCredentialsOutput(
                { resourceGroupName, resourceName: cluster.name },
                { parent: this },
            );
            const kubeconfig = pulumi.secret(
                credentials.apply((c) => {
                    const encoded = c.kubeconfigs?.[0]?.value;
                    if (!encoded) {
                        throw new Error(`AKS returned no user kubeconfig for cluster ${name}`);
                    }
                    return Buffer.from(encoded, "base64").toString("utf8");
                }),
            );
            now = {
                spec,
                kubeconfig,
                clusterId: cluster.id,
                clusterName: cluster.name,
                resourceGroupName,
                kubernetesVersion: pulumi
                    .all([cluster.currentKubernetesVersion, cluster.kubernetesVersion])
                    .apply(([current, requested]) => current ?? requested ?? spec.kubernetesVersion),
                oidcIssuerUrl: cluster.oidcIssuerProfile.apply((p) => p?.issuerURL ?? ""),
            };
            // Only plain data goes through the Output: in preview it is then known even where the cluster's own
            // outputs are not, so whatever is created from it below is planned as from plain arguments.
            return { built: true };
        });

        // Built at once (plain arguments) or later: then `now` is set by the time `built` resolves.
        const known = now as AksBuilt | undefined;
        const later = <T>(pick: (b: AksBuilt) => pulumi.Output<T> | T): pulumi.Output<T> =>
            (known ? pulumi.output(pick(known)) : built.built.apply(() => pick(now!))) as pulumi.Output<T>;
        this.kubeconfig = pulumi.secret(later((b) => b.kubeconfig));
        this.clusterId = known ? known.clusterId : later((b) => b.clusterId);
        this.kubernetesProvider = createKubernetesProvider(`${name}-k8s`, this.kubeconfig, this.clusterId, this);
        // The driver and network-operator charts go through that provider, so they come after it.
        if (known) {
            installAksCharts(this, name, known.spec, this.kubernetesProvider);
        } else {
            built.built.apply(() => installAksCharts(this, name, now!.spec, this.kubernetesProvider));
        }

        this.pools = later((b) => b.spec.acceleratorPools.map((p) => p.pool));
        if (known) {
            rememberPools(this.pools, known.spec.acceleratorPools.map((p) => p.pool));
        }
        this.kubernetesVersion = known ? known.kubernetesVersion : later((b) => b.kubernetesVersion);
        this.clusterName = known ? known.clusterName : later((b) => b.clusterName);
        this.resourceGroupName = known ? known.resourceGroupName : later((b) => b.resourceGroupName);
        this.oidcIssuerUrl = known ? known.oidcIssuerUrl : later((b) => b.oidcIssuerUrl);
        this.registerOutputs(outputsToRegister({
            kubernetesProvider: this.kubernetesProvider,
            kubeconfig: this.kubeconfig,
            kubernetesVersion: this.kubernetesVersion,
            pools: this.pools,
            clusterId: this.clusterId,
            clusterName: this.clusterName,
            resourceGroupName: this.resourceGroupName,
            oidcIssuerUrl: this.oidcIssuerUrl,
        }));
    }
}

/** The GPU driver / device plugin / network operator charts and the NicClusterPolicy, through the cluster's provider. */
function installAksCharts(parent: AksCluster, name: string, spec: ResolvedAksCluster, provider: k8s.Provider): void {
    const charts = new Map<string, pulumi.Resource>();
    for (const install of spec.charts) {
        const namespace = install.createNamespace
            ? new k8s.core.v1.Namespace(
                  `${name}-${install.role}-namespace`,
                  { metadata: { name: install.namespace, ...(install.namespaceLabels ? { labels: install.namespaceLabels } : {}) } },
                  { parent, provider: provider },
              )
            : undefined;
        const chart = new k8s.helm.v4.Chart(
            `${name}-${install.role}`,
            {
                name: install.release,
                chart: install.pin.chart,
                version: install.pin.version,
                ...(install.pin.repo ? { repositoryOpts: { repo: install.pin.repo } } : {}),
                namespace: install.namespace,
                values: install.values,
            },
            {
                parent,
                provider: provider,
                dependsOn: [...(namespace ? [namespace] : []), ...install.after.map((role) => charts.get(role)!)],
            },
        );
        charts.set(install.role, chart);
    }
    if (spec.nicClusterPolicy) {
        // The chart brings the NicClusterPolicy CRD and the operator that reconciles it.
        createK8sObject(`${name}-nic-cluster-policy`, spec.nicClusterPolicy, {
            parent,
            provider: provider,
            dependsOn: [charts.get("network-operator")!],
        });
    }
}

/** What a built AKS cluster exposes. */
interface AksBuilt {
    spec: ResolvedAksCluster;
    kubeconfig: pulumi.Output<string>;
    clusterId: pulumi.Output<string>;
    clusterName: pulumi.Output<string>;
    resourceGroupName: pulumi.Output<string>;
    kubernetesVersion: pulumi.Output<string>;
    oidcIssuerUrl: pulumi.Output<string>;
}
