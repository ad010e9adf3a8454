import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AcceleratorPool } from "./pool";

/**
 * The shape every cluster component (GKE, AKS, DigitalOcean, existing clusters) outputs, so the serving
 * layer never needs cloud-specific code. Cluster components expose these as public readonly properties.
 */
export interface ClusterOutputs {
    /** Kubernetes provider for the cluster, built with `clusterIdentifier` so credential rotation does not replace resources. */
    kubernetesProvider: k8s.Provider;
    /** Kubeconfig for the cluster (secret). */
    kubeconfig: pulumi.Output<string>;
    /** Kubernetes version the control plane runs. */
    kubernetesVersion: pulumi.Output<string>;
    /** Accelerator pools of the cluster: an Output where the cluster's arguments may arrive as Outputs. */
    pools: pulumi.Input<AcceleratorPool[]>;
}

// Pools of clusters built at once from plain arguments, keyed by their `pools` output.
const KNOWN_POOLS = new WeakMap<object, AcceleratorPool[]>();

/** Records the plain list behind a cluster's `pools` output when its arguments were plain. */
export function rememberPools(pools: pulumi.Output<AcceleratorPool[]>, known: AcceleratorPool[]): void {
    KNOWN_POOLS.set(pools, known);
}

/**
 * A cluster's pools as plain values when they were known at construction (plain arguments, as in a stack's
 * config), for code that plans every model before creating anything; undefined when they arrive later.
 */
export function knownPools(cluster: Pick<ClusterOutputs, "pools">): AcceleratorPool[] | undefined {
    return Array.isArray(cluster.pools) ? cluster.pools : KNOWN_POOLS.get(cluster.pools as object);
}

/**
 * Builds the cluster's Kubernetes provider. The kubeconfig is wrapped as a secret here, once, so no caller
 * can forget; `clusterIdentifier` is a stable id (e.g. the cluster's resource id) so a kubeconfig change
 * (credential rotation) does not make Pulumi replace every Kubernetes resource. An undefined kubeconfig
 * means the ambient one (`KUBECONFIG` or `~/.kube/config`), as for `kubectl`.
 */
export function createKubernetesProvider(
    name: string,
    kubeconfig: pulumi.Input<string> | undefined,
    clusterIdentifier: pulumi.Input<string>,
    parent: pulumi.Resource,
    extra: Omit<k8s.ProviderArgs, "kubeconfig" | "clusterIdentifier"> = {},
): k8s.Provider {
    return new k8s.Provider(
        name,
        { ...extra, ...(kubeconfig === undefined ? {} : { kubeconfig: pulumi.secret(kubeconfig) }), clusterIdentifier },
        { parent },
    );
}
