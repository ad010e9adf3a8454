import * as compute from "@pulumi/gcp/compute";
import * as container from "@pulumi/gcp/container";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createKubernetesProvider, rememberPools } from "../components/cluster";
import { createK8sObject } from "../components/k8s-object";
import { AcceleratorPool } from "../components/pool";
import { GKE_GVNIC_MTU, GKE_RDMA_MTU, GkeClusterPlainArgs, GkeClusterPlan, GkeClusterSettings, GkeNodePoolPlan, renderGkeKubeconfig, resolveGkeCluster } from "./gke-config";
import { outputsToRegister, whenPlain } from "../components/plain-inputs";
import { gmpQueryAddress } from "../components/render/autoscaling";
import { checkArgs } from "../components/strict";

export {
    GkeAcceleratorPoolArgs,
    GkeAcceleratorPoolRdmaArgs,
    GkeRdmaNetworkArgs,
    GkeClusterPlainArgs,
    GkeClusterSettings,
    GkeGpuDriver,
    GkeKedaWorkloadIdentityArgs,
    GkeReleaseChannel,
    GkeSystemNodePoolArgs,
    gkeAcceleratorPools,
    resolveGkeAcceleratorPools,
    resolveGkeCluster,
} from "./gke-config";

/** Arguments of `GkeCluster`. */
export interface GkeClusterArgs extends GkeClusterSettings {
    /** Google Cloud project (e.g. a project created in the same program). Default: the `gcp:project` stack configuration. */
    project?: pulumi.Input<string>;
    /** VPC network (name or self link, e.g. a network created in the same program). Default `default`. */
    network?: pulumi.Input<string>;
    /** Subnetwork of the nodes (name or self link). Default `default`. */
    subnetwork?: pulumi.Input<string>;
}

/**
 * A Google Kubernetes Engine Standard cluster ready for llm-d: a release-channel control plane with the
 * Gateway API (GKE's managed gateways) and Workload Identity on, a small system node pool, the proxy-only
 * subnet regional gateways need, and accelerator node pools (NVIDIA GPUs or TPU v5e/v6e slices, on demand,
 * Spot, from a reservation or through queued provisioning). Outputs the same shape as every cluster component.
 *
 * A3 Ultra (`a3-ultragpu-8g`, H200) and A4 (`a4-highgpu-8g`, B200) pools get GPUDirect RDMA over RoCE unless
 * their `rdma.enabled` is false: llmd creates a gVNIC VPC and a RoCE VPC (zonal `vpc-roce` network profile,
 * eight subnets), attaches them to the node pool as additional node networks, turns on multi-networking and
 * Dataplane V2, and creates the `gvnic-1` and `rdma-0`..`rdma-7` `Network` objects the model servers' pods
 * name; those pools report interconnect `roce`. A3 High/Mega (GPUDirect-TCPX/TCPXO) pools report `none`:
 * llmd does not set up TCPX, and NIXL cannot use it.
 */
export class GkeCluster extends pulumi.ComponentResource {
    /** Kubernetes provider for the cluster (authenticates with `gke-gcloud-auth-plugin`). */
    public readonly kubernetesProvider: k8s.Provider;
    /** Kubeconfig for the cluster (secret); needs `gke-gcloud-auth-plugin` and Google credentials where used. */
    public readonly kubeconfig: pulumi.Output<string>;
    /** Kubernetes version the control plane runs. */
    public readonly kubernetesVersion: pulumi.Output<string>;
    /**
     * Accelerator pools, computed from the arguments and the catalog. An Output, since the arguments may be;
     * when they were plain, `knownPools(cluster)` gives the same list at once.
     */
    public readonly pools: pulumi.Output<AcceleratorPool[]>;
    /** Name of the GKE cluster. */
    public readonly clusterName: pulumi.Output<string>;
    /** Workload Identity pool (`<project>.svc.id.goog`) for binding Kubernetes service accounts to Google ones. */
    public readonly workloadIdentityPool: pulumi.Output<string>;
    /**
     * Email of the Google service account KEDA's operator acts as (`kedaWorkloadIdentity`), known before the
     * account exists so the platform's KEDA chart can name it; empty when not asked.
     */
    public readonly kedaServiceAccountEmail: pulumi.Output<string>;
    /** Cloud Monitoring's Prometheus query API of the cluster's project (GKE Managed Prometheus), where KEDA reads metrics. */
    public readonly managedPrometheusUrl: pulumi.Output<string>;

    /**
     * @param name Name of the component; children are named `${name}-<role>`.
     * @param args Where the cluster runs and which accelerators it has.
     * @param opts Pulumi options (e.g. `providers: { gcp }` for a specific Google Cloud provider).
     */
    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:GkeCluster", name, {}, opts);
        // From other languages every input is an Output: check and build once they are known, at once when plain.
        let now: GkeBuilt | undefined;
        const built = whenPlain(args, [], (plain) => {
            checkArgs("GkeCluster", plain);
            // Everything is validated before the first child exists, so bad input leaves nothing half-created.
            const plan = resolveGkeCluster(name, plain as GkeClusterPlainArgs, new pulumi.Config("gcp").get("project"), pulumi.getStack());

            const proxyOnlySubnet =
                plan.proxyOnlySubnetCidr === undefined
                    ? undefined
                    : new compute.Subnetwork(
                          `${name}-proxy-only`,
                          {
                              project: plan.project,
                              region: plan.region,
                              network: plan.network,
                              ipCidrRange: plan.proxyOnlySubnetCidr,
                              purpose: "REGIONAL_MANAGED_PROXY",
                              role: "ACTIVE",
                          },
                          { parent: this },
                      );

            const cluster = new container.Cluster(
                `${name}-cluster`,
                {
                    name: plan.clusterName,
                    project: plan.project,
                    location: plan.location,
                    network: plan.network,
                    subnetwork: plan.subnetwork,
                    deletionProtection: plan.deletionProtection,
                    releaseChannel: { channel: plan.releaseChannel },
                    minMasterVersion: plan.kubernetesVersion,
                    // Node pools are separate resources, so changing one never touches the cluster.
                    removeDefaultNodePool: true,
                    initialNodeCount: 1,
                    // Gateways (and their InferencePool backends) need VPC-native networking.
                    networkingMode: "VPC_NATIVE",
                    ipAllocationPolicy: {},
                    gatewayApiConfig: { channel: "CHANNEL_STANDARD" },
                    workloadIdentityConfig: { workloadPool: plan.workloadPool },
                    // Dataplane V2 enforces NetworkPolicies (llmd renders them); multi-networking (extra pod
                    // interfaces for RDMA NICs) requires it too.
                    ...(plan.dataplaneV2 ? { datapathProvider: "ADVANCED_DATAPATH" } : {}),
                    ...(plan.multiNetworking ? { enableMultiNetworking: true } : {}),
                },
                // With the proxy-only subnet in place first, GKE picks pod and service ranges that do not overlap it.
                { parent: this, dependsOn: proxyOnlySubnet ? [proxyOnlySubnet] : [] },
            );

            const rdma = plan.rdmaNetwork;
            let extraSubnets: compute.Subnetwork[] = [];
            let additionalNodeNetworks: Array<{ network: pulumi.Output<string>; subnetwork: pulumi.Output<string> }> = [];
            if (rdma) {
                const gvnicNet = new compute.Network(
                    `${name}-gvnic-net`,
                    { name: rdma.gvnic.network, project: plan.project, autoCreateSubnetworks: false, mtu: GKE_GVNIC_MTU },
                    { parent: this },
                );
                const gvnicSub = new compute.Subnetwork(
                    `${name}-gvnic-sub`,
                    { name: rdma.gvnic.subnet, project: plan.project, region: rdma.region, network: gvnicNet.name, ipCidrRange: rdma.gvnic.cidr },
                    { parent: this },
                );
                // Regular VPCs deny ingress by default; nodes must reach each other on the second NIC.
                new compute.Firewall(
                    `${name}-gvnic-internal`,
                    {
                        name: rdma.gvnic.firewall,
                        project: plan.project,
                        network: gvnicNet.name,
                        sourceRanges: [rdma.gvnic.cidr],
                        allows: [{ protocol: "tcp" }, { protocol: "udp" }, { protocol: "icmp" }],
                    },
                    { parent: this },
                );
                // RoCE VPCs allow all traffic between their NICs implicitly; the profile pins them to one zone.
                const rdmaNet = new compute.Network(
                    `${name}-rdma-net`,
                    { name: rdma.rdma.network, project: plan.project, autoCreateSubnetworks: false, mtu: GKE_RDMA_MTU, networkProfile: rdma.networkProfile },
                    { parent: this },
                );
                extraSubnets = rdma.rdma.subnets.map(
                    (s, i) =>
                        new compute.Subnetwork(
                            `${name}-rdma-sub-${i}`,
                            { name: s.name, project: plan.project, region: rdma.region, network: rdmaNet.name, ipCidrRange: s.cidr },
                            { parent: this },
                        ),
                );
                additionalNodeNetworks = [
                    { network: gvnicNet.name, subnetwork: gvnicSub.name },
                    ...extraSubnets.map((sub) => ({ network: rdmaNet.name, subnetwork: sub.name })),
                ];
                extraSubnets = [gvnicSub, ...extraSubnets];
            }

            const nodePool = (pool: GkeNodePoolPlan): container.NodePool =>
                new container.NodePool(
                    `${name}-pool-${pool.name}`,
                    {
                        name: pool.name,
                        project: plan.project,
                        location: plan.location,
                        cluster: cluster.name,
                        nodeLocations: pool.nodeLocations,
                        nodeCount: pool.nodeCount,
                        initialNodeCount: pool.initialNodeCount,
                        autoscaling: pool.autoscaling,
                        placementPolicy: pool.placementPolicy,
                        queuedProvisioning: pool.queuedProvisioning ? { enabled: true } : undefined,
                        // Release channels require auto-upgrade.
                        management: { autoRepair: pool.autoRepair, autoUpgrade: true },
                        // The order is the NIC order: the second gVNIC, then RoCE NIC 0..7.
                        networkConfig: pool.rdma ? { additionalNodeNetworkConfigs: additionalNodeNetworks } : undefined,
                        nodeConfig: {
                            machineType: pool.machineType,
                            imageType: pool.imageType,
                            diskSizeGb: pool.diskSizeGb,
                            spot: pool.spot || undefined,
                            labels: Object.keys(pool.labels).length > 0 ? pool.labels : undefined,
                            taints: pool.taints.length > 0 ? pool.taints : undefined,
                            guestAccelerators: pool.guestAccelerator
                                ? [
                                      {
                                          type: pool.guestAccelerator.type,
                                          count: pool.guestAccelerator.count,
                                          gpuDriverInstallationConfig: { gpuDriverVersion: pool.guestAccelerator.gpuDriverVersion },
                                      },
                                  ]
                                : undefined,
                            reservationAffinity: pool.reservationAffinity,
                            // Pods reach Google APIs as their Workload Identity, not as the node's service account.
                            workloadMetadataConfig: { mode: "GKE_METADATA" },
                            oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                            // Additional node networks need gVNIC on every NIC.
                            gvnic: pool.rdma ? { enabled: true } : undefined,
                        },
                    },
                    { parent: this },
                );

            const systemPool = nodePool(plan.systemPool);
            plan.acceleratorPools.forEach(nodePool);

            // The kubeconfig also waits for the system pool and the proxy-only subnet, so whatever is created
            // through the provider (charts, the Gateway) finds nodes to run on and a subnet for managed gateways.
            const kubeconfig = pulumi.secret(
                pulumi
                    .all([cluster.name, cluster.endpoint, cluster.masterAuth, systemPool.id, proxyOnlySubnet?.id])
                    .apply(([clusterName, endpoint, masterAuth]) =>
                        renderGkeKubeconfig({
                            contextName: `gke_${plan.project}_${plan.location}_${clusterName}`,
                            endpoint,
                            clusterCaCertificate: masterAuth?.clusterCaCertificate ?? "",
                        }),
                    ),
            );
            if (plan.kedaIdentity) {
                const identity = plan.kedaIdentity;
                const account = new serviceaccount.Account(
                    `${name}-keda`,
                    { project: plan.project, accountId: identity.accountId, displayName: "KEDA operator: reads Managed Prometheus for llmd autoscaling" },
                    { parent: this },
                );
                // Read-only on metrics: the least role KEDA's Prometheus scaler needs against Managed Prometheus.
                new projects.IAMMember(
                    `${name}-keda-monitoring-viewer`,
                    { project: plan.project, role: "roles/monitoring.viewer", member: `serviceAccount:${identity.email}` },
                    { parent: this, dependsOn: [account] },
                );
                // The project's Workload Identity pool exists once a cluster has it on, so the binding waits for the cluster.
                new serviceaccount.IAMMember(
                    `${name}-keda-workload-identity`,
                    { serviceAccountId: account.name, role: "roles/iam.workloadIdentityUser", member: identity.member },
                    { parent: this, dependsOn: [cluster, account] },
                );
            }
            now = { plan, kubeconfig, extraSubnets, clusterId: cluster.id, clusterName: cluster.name, kubernetesVersion: cluster.masterVersion };
            // Only plain data goes through the Output: in preview it is then known even where the cluster's own
            // outputs are not, so whatever is created from it below is planned as from plain arguments.
            return { built: true };
        });

        // Built at once (plain arguments) or later: then `now` is set by the time `built` resolves.
        const known = now as GkeBuilt | undefined;
        const later = <T>(pick: (b: GkeBuilt) => pulumi.Output<T> | T): pulumi.Output<T> =>
            (known ? pulumi.output(pick(known)) : built.built.apply(() => pick(now!))) as pulumi.Output<T>;
        this.kubeconfig = pulumi.secret(later((b) => b.kubeconfig));
        this.kubernetesProvider = createKubernetesProvider(`${name}-k8s`, this.kubeconfig, known ? known.clusterId : later((b) => b.clusterId), this);
        // The RDMA network objects go through that provider, so they come after it.
        if (known) {
            createRdmaNetworkObjects(this, name, known.plan, known.extraSubnets, this.kubernetesProvider);
        } else {
            built.built.apply(() => createRdmaNetworkObjects(this, name, now!.plan, now!.extraSubnets, this.kubernetesProvider));
        }
        this.kubernetesVersion = known ? known.kubernetesVersion : later((b) => b.kubernetesVersion);
        this.pools = later((b) => b.plan.pools);
        if (known) {
            rememberPools(this.pools, known.plan.pools);
        }
        this.clusterName = known ? known.clusterName : later((b) => b.clusterName);
        this.workloadIdentityPool = later((b) => b.plan.workloadPool);
        this.kedaServiceAccountEmail = later((b) => b.plan.kedaIdentity?.email ?? "");
        this.managedPrometheusUrl = later((b) => gmpQueryAddress(b.plan.project));
        if (known) {
            KNOWN_PLANS.set(this, known.plan);
        }
        this.registerOutputs(outputsToRegister({
            kubernetesProvider: this.kubernetesProvider,
            kubeconfig: this.kubeconfig,
            kubernetesVersion: this.kubernetesVersion,
            pools: this.pools,
            clusterName: this.clusterName,
            workloadIdentityPool: this.workloadIdentityPool,
            kedaServiceAccountEmail: this.kedaServiceAccountEmail,
            managedPrometheusUrl: this.managedPrometheusUrl,
        }));
    }
}

const KNOWN_PLANS = new WeakMap<GkeCluster, GkeClusterPlan>();

/**
 * What a GKE cluster built from plain arguments (a stack's config) resolved to, for a program that wires its
 * models before anything exists; undefined when the arguments arrived as Outputs.
 */
export function knownGkePlan(cluster: GkeCluster): GkeClusterPlan | undefined {
    return KNOWN_PLANS.get(cluster);
}

/** GKE's multi-networking objects (Network, GKENetworkParamSet) for RDMA pools, through the cluster's provider. */
function createRdmaNetworkObjects(parent: GkeCluster, name: string, plan: GkeClusterPlan, extraSubnets: pulumi.Resource[], provider: k8s.Provider): void {
    for (const obj of plan.rdmaNetworkObjects) {
        // GKE checks a GKENetworkParamSet's VPC and subnet when it reconciles it, so they come first.
        createK8sObject(`${name}-${obj.kind === "Network" ? "network" : "netparams"}-${obj.metadata.name}`, obj, {
            parent,
            provider,
            dependsOn: extraSubnets,
        });
    }
}

/** What a built GKE cluster exposes. */
interface GkeBuilt {
    plan: GkeClusterPlan;
    kubeconfig: pulumi.Output<string>;
    extraSubnets: pulumi.Resource[];
    clusterId: pulumi.Output<string>;
    clusterName: pulumi.Output<string>;
    kubernetesVersion: pulumi.Output<string>;
}
