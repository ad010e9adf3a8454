/**
 * DigitalOcean Kubernetes (DOKS) cluster with GPU node pools.
 *
 * `@pulumi/digitalocean` has no sub-module entry points (one flat module per resource), so this file imports
 * the two resource modules it uses directly (`@pulumi/digitalocean/kubernetesCluster`,
 * `@pulumi/digitalocean/kubernetesNodePool`) instead of the package root, which would load every resource.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesCluster } from "@pulumi/digitalocean/kubernetesCluster";
import { KubernetesNodePool } from "@pulumi/digitalocean/kubernetesNodePool";
import { createKubernetesProvider, rememberPools } from "../components/cluster";
import { AcceleratorPool } from "../components/pool";
import { LlmdConfigError } from "../components/errors";
import {
    DoksClusterSettings,
    DoksKubeconfigAuth,
    ResolvedDoksCluster,
    ResolvedDoksNodePool,
    renderDoctlKubeconfig,
    resolveDoksClusterArgs,
} from "./digitalocean-config";
import { outputsToRegister, whenPlain } from "../components/plain-inputs";
import { checkArgs } from "../components/strict";

export {
    DOKS_DEFAULTS,
    DOKS_NODE_POOL_LABEL,
    DoksAcceleratorPoolArgs,
    DoksClusterSettings,
    DoksDefaultNodePoolArgs,
    DoksKubeconfigAuth,
    parseDoksVersion,
    renderDoctlKubeconfig,
    resolveDoksAcceleratorPools,
    resolveDoksClusterArgs,
} from "./digitalocean-config";

/** Arguments of `DoksCluster`. */
export interface DoksClusterArgs extends DoksClusterSettings {
    /** VPC to place the cluster in (may be the id of a VPC created in the same program). Default: the region's default VPC. */
    vpcUuid?: pulumi.Input<string>;
}

/**
 * A DigitalOcean Kubernetes cluster for llm-d: a small autoscaling CPU pool for the gateway and router, plus
 * one `KubernetesNodePool` per GPU pool (NVIDIA H100 / L40S, AMD MI300X).
 *
 * DOKS installs the GPU drivers and, for AMD and NVIDIA nodes, the device plugins (turned on explicitly
 * here when a pool needs them), and taints GPU nodes with `nvidia.com/gpu:NoSchedule` or
 * `amd.com/gpu:NoSchedule`; the pools declare the same taint so it shows in the plan.
 *
 * Kubeconfig expiry: with `kubeconfigAuth: token` (default) the kubeconfig holds a DigitalOcean token that
 * expires (7 days unless `kubeconfigExpireSeconds` is set; see the `kubeconfigExpiresAt` output). The
 * DigitalOcean provider fetches a new token only when it reads the cluster after the old one expired, so run
 * `pulumi refresh` (or `pulumi up --refresh`) before deploying to a cluster whose token has expired. The
 * Kubernetes provider is keyed on the cluster id, so a new token never replaces Kubernetes resources. With
 * `kubeconfigAuth: doctl` the kubeconfig calls `doctl` for a fresh token on every use and never expires.
 */
export class DoksCluster extends pulumi.ComponentResource {
    /** Kubernetes provider for the cluster (keyed on the cluster id, so token rotation replaces nothing). */
    public readonly kubernetesProvider: k8s.Provider;
    /** Kubeconfig for the cluster (secret). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** Kubernetes version slug the control plane runs, e.g. `1.33.1-do.0`. */
    public readonly kubernetesVersion: pulumi.Output<string>;
    /**
     * GPU pools, computed from the arguments and the accelerator catalog. An Output, since the arguments may be;
     * when they were plain, `knownPools(cluster)` gives the same list at once.
     */
    public readonly pools: pulumi.Output<AcceleratorPool[]>;
    /** DOKS cluster id. */
    public readonly clusterId: pulumi.Output<string>;
    /**
     * When the kubeconfig's token expires (RFC 3339); empty with `kubeconfigAuth: doctl`, whose kubeconfig
     * does not expire. Run `pulumi refresh` after this time to get a new token.
     */
    public readonly kubeconfigExpiresAt: pulumi.Output<string>;

    /**
     * @param name Name of the component; children are named `${name}-<role>`.
     * @param args Region, DOKS version slug and GPU pools.
     * @param opts Pulumi options.
     */
    constructor(name: string, args: DoksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:DoksCluster", name, {}, opts);
        // From other languages every input is an Output (a GPU pool list among them): check and build once they
        // are known, at once when plain. The VPC id feeds the cluster as given.
        let now: DoksBuilt | undefined;
        const built = whenPlain(args, ["vpcUuid"], (plain) => {
            checkArgs("DoksCluster", plain);
            // Every argument is checked before the first child exists: bad input creates nothing.
            const resolved = resolveDoksClusterArgs(plain);
            if (typeof plain.vpcUuid === "string" && plain.vpcUuid.trim() === "") {
                throw new LlmdConfigError("vpcUuid", plain.vpcUuid, "expected a VPC id, or no vpcUuid for the region's default VPC");
            }

            const cluster = new KubernetesCluster(`${name}-cluster`, clusterInputs(resolved, plain.vpcUuid), { parent: this });
            for (const pool of resolved.acceleratorPools) {
                new KubernetesNodePool(
                    `${name}-${pool.name}`,
                    {
                        clusterId: cluster.id,
                        ...nodePoolShape(pool),
                        taints: pool.taints,
                        tags: resolved.tags.length > 0 ? resolved.tags : undefined,
                    },
                    { parent: this },
                );
            }

            const credentials = cluster.kubeConfigs.apply((configs) => configs?.[0]);
            const kubeconfig: pulumi.Output<string> =
                resolved.kubeconfigAuth === DoksKubeconfigAuth.Doctl
                    ? pulumi
                          .all([cluster.name, cluster.region, cluster.endpoint, cluster.id, credentials])
                          .apply(([clusterName, region, endpoint, id, creds]) =>
                              renderDoctlKubeconfig({
                                  contextName: `do-${region}-${clusterName}`,
                                  server: creds?.host || endpoint,
                                  certificateAuthorityData: creds?.clusterCaCertificate ?? "",
                                  clusterId: id,
                              }),
                          )
                    : credentials.apply((creds) => creds?.rawConfig ?? "");
            now = {
                kubeconfig,
                clusterId: cluster.id,
                version: cluster.version,
                pools: resolved.pools,
                // A timestamp is not a credential; unwrapping it keeps `pulumi stack output` readable.
                expiresAt:
                    resolved.kubeconfigAuth === DoksKubeconfigAuth.Doctl ? pulumi.output("") : pulumi.unsecret(credentials.apply((creds) => creds?.expiresAt ?? "")),
            };
            // Only plain data goes through the Output: in preview it is then known even where the cluster's own
            // outputs are not.
            return { built: true };
        });

        // Built at once (plain arguments) or later: then `now` is set by the time `built` resolves. A bad value
        // then fails the Kubernetes provider's registration (its cluster id never comes), naming the field.
        const known = now as DoksBuilt | undefined;
        const later = <T>(pick: (b: DoksBuilt) => pulumi.Output<T> | T): pulumi.Output<T> =>
            (known ? pulumi.output(pick(known)) : built.built.apply(() => pick(now!))) as pulumi.Output<T>;
        this.kubeconfig = pulumi.secret(later((b) => b.kubeconfig));
        this.clusterId = later((b) => b.clusterId);
        this.kubernetesProvider = createKubernetesProvider(`${name}-k8s`, this.kubeconfig, this.clusterId, this);
        this.kubernetesVersion = later((b) => b.version);
        this.pools = later((b) => b.pools);
        if (known) {
            rememberPools(this.pools, known.pools);
        }
        this.kubeconfigExpiresAt = later((b) => b.expiresAt);

        this.registerOutputs(outputsToRegister({
            kubernetesProvider: this.kubernetesProvider,
            kubeconfig: this.kubeconfig,
            kubernetesVersion: this.kubernetesVersion,
            pools: this.pools,
            clusterId: this.clusterId,
            kubeconfigExpiresAt: this.kubeconfigExpiresAt,
        }));
    }
}

/** What a built DOKS cluster exposes. */
interface DoksBuilt {
    kubeconfig: pulumi.Output<string>;
    clusterId: pulumi.Output<string>;
    version: pulumi.Output<string>;
    pools: AcceleratorPool[];
    expiresAt: pulumi.Output<string>;
}

/** The `KubernetesCluster` inputs for resolved arguments (the default node pool lives inline). */
// The same sizing fields for the default pool and the GPU pools: bounds when autoscaling, a count otherwise.
function nodePoolShape(pool: ResolvedDoksNodePool) {
    return {
        name: pool.name,
        size: pool.size,
        autoScale: pool.autoScale,
        minNodes: pool.autoScale ? pool.minNodes : undefined,
        maxNodes: pool.autoScale ? pool.maxNodes : undefined,
        nodeCount: pool.nodeCount,
    };
}

function clusterInputs(resolved: ResolvedDoksCluster, vpcUuid: pulumi.Input<string> | undefined) {
    const pool = resolved.defaultPool;
    return {
        name: resolved.clusterName,
        region: resolved.region,
        version: resolved.version,
        vpcUuid,
        ha: resolved.highAvailability,
        autoUpgrade: resolved.autoUpgrade,
        surgeUpgrade: resolved.surgeUpgrade,
        maintenancePolicy: { day: resolved.maintenance.day, startTime: resolved.maintenance.startTime },
        kubeconfigExpireSeconds: resolved.kubeconfigExpireSeconds,
        tags: resolved.tags.length > 0 ? resolved.tags : undefined,
        nodePool: nodePoolShape(pool),
        // DOKS enables these by default when it sees GPU nodes; saying so keeps the plan explicit and
        // guards against the default changing.
        nvidiaGpuDevicePlugin: resolved.hasNvidia ? { enabled: true } : undefined,
        amdGpuDevicePlugin: resolved.hasAmd ? { enabled: true } : undefined,
    };
}
