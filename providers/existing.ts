import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { acceleratorSpec } from "../components/catalog/accelerators";
import { createKubernetesProvider, rememberPools } from "../components/cluster";
import { LlmdConfigError, parseKubernetesMinor, requireDnsLabel, requireInteger } from "../components/errors";
import { AcceleratorPool, AcceleratorPoolTaint } from "../components/pool";
import { outputsToRegister, whenPlain } from "../components/plain-inputs";
import { checkArgs } from "../components/strict";

/** What kind of cluster an `ExistingCluster` points at. Decides defaults that differ per platform. */
export const ExistingClusterKind = {
    /** Minikube (`--gpus all` for GPU mode, or CPU-only with the simulator). */
    Minikube: "minikube",
    /** kind (CPU-only; the simulator preset). */
    Kind: "kind",
    /** Red Hat OpenShift 4.19+: restricted SCCs, no pinned UIDs, OpenShift's own ingress. */
    OpenShift: "openshift",
    /** Any other conformant cluster (bare metal, on-prem, another cloud). */
    Generic: "generic",
} as const;
/** One of the values of `ExistingClusterKind`. */
export type ExistingClusterKind = (typeof ExistingClusterKind)[keyof typeof ExistingClusterKind];

/** An accelerator pool that already exists in the cluster, described so model servers can be placed on it. */
export interface ExistingAcceleratorPoolArgs {
    /** Pool name (used in messages and as the default node label value). */
    name: string;
    /** Accelerator on the pool's nodes (catalog id, e.g. `nvidia-h100`). */
    accelerator: string;
    /** Accelerators on one node. */
    acceleratorsPerNode: number;
    /** Number of nodes. */
    nodes: number;
    /** Node labels that select the pool's nodes. Default: none (any node advertising the accelerator resource). */
    nodeLabels?: { [key: string]: string };
    /** Taints on the pool's nodes. Default: the accelerator's usual taint, tolerated so pods schedule either way. */
    taints?: AcceleratorPoolTaint[];
    /** Fast fabric between the nodes (none, infiniband, roce, gpudirect-tcpx, ici). Default none. */
    interconnect?: string;
}

/** Arguments of `ExistingCluster`. */
export interface ExistingClusterArgs {
    /** Platform of the cluster. Default `generic`. */
    kind?: ExistingClusterKind;
    /**
     * Kubeconfig contents (treated as a secret). When absent the ambient kubeconfig (`KUBECONFIG` or
     * `~/.kube/config`) is used, as `kubectl` would.
     */
    kubeconfig?: pulumi.Input<string>;
    /** Kubeconfig context to use. Default: the current context. */
    context?: pulumi.Input<string>;
    /**
     * Stable name for this cluster; keeps resources from being replaced when the kubeconfig changes.
     * Default: the context, else the kind.
     */
    clusterName?: pulumi.Input<string>;
    /** Kubernetes version of the cluster (e.g. `1.33`). 1.29 or newer; decides native-sidecar use. Default `1.33`. */
    kubernetesVersion?: pulumi.Input<string>;
    /** Accelerator pools already in the cluster. Default: none (CPU only, e.g. the simulator). */
    pools?: pulumi.Input<ExistingAcceleratorPoolArgs[]>;
}

const INTERCONNECTS = ["none", "infiniband", "roce", "gpudirect-tcpx", "ici"] as const;

/** Validates the pools of an existing cluster and describes them in the shared pool shape. Pure. */
export function resolveExistingPools(pools: ExistingAcceleratorPoolArgs[] | undefined): AcceleratorPool[] {
    const seen = new Set<string>();
    return (pools ?? []).map((pool, i) => {
        const field = `pools[${i}]`;
        requireDnsLabel(`${field}.name`, pool.name);
        if (seen.has(pool.name)) {
            throw new LlmdConfigError(`${field}.name`, pool.name, "expected pool names to be unique");
        }
        seen.add(pool.name);
        const spec = acceleratorSpec(`${field}.accelerator`, pool.accelerator);
        if (spec.id === "cpu") {
            throw new LlmdConfigError(`${field}.accelerator`, pool.accelerator, "expected an accelerator; CPU nodes need no pool");
        }
        requireInteger(`${field}.acceleratorsPerNode`, pool.acceleratorsPerNode, 1, 64);
        requireInteger(`${field}.nodes`, pool.nodes, 1);
        const interconnect = pool.interconnect ?? "none";
        if (!(INTERCONNECTS as readonly string[]).includes(interconnect)) {
            throw new LlmdConfigError(`${field}.interconnect`, interconnect, `expected one of ${INTERCONNECTS.join(", ")}`);
        }
        return {
            name: pool.name,
            accelerator: spec.id,
            acceleratorsPerNode: pool.acceleratorsPerNode,
            maxNodes: pool.nodes,
            nodeLabels: { ...(pool.nodeLabels ?? {}) },
            taints: pool.taints ?? (spec.taint ? [{ ...spec.taint }] : []),
            interconnect: interconnect as AcceleratorPool["interconnect"],
        };
    });
}

/**
 * A Kubernetes cluster that already exists: minikube, kind, OpenShift, bare metal or any conformant cluster.
 * Outputs the same shape as the cloud cluster components (a Kubernetes provider, the kubeconfig as a secret,
 * the version and the accelerator pools), so `LlmdDeployment` needs no platform-specific code.
 */
export class ExistingCluster extends pulumi.ComponentResource {
    /** Kubernetes provider for the cluster. */
    public readonly kubernetesProvider: k8s.Provider;
    /** Kubeconfig as given (secret); empty when the ambient kubeconfig is used. */
    public readonly kubeconfig: pulumi.Output<string>;
    /** Kubernetes version, as declared in the arguments. */
    public readonly kubernetesVersion: pulumi.Output<string>;
    /**
     * Accelerator pools, as declared in the arguments. An Output, since the arguments may be; when they were plain,
     * `knownPools(cluster)` gives the same list at once.
     */
    public readonly pools: pulumi.Output<AcceleratorPool[]>;
    /** The platform kind (minikube, kind, openshift or generic). */
    public readonly platform: pulumi.Output<string>;

    /**
     * @param name Name of the component; children are named `${name}-<role>`.
     * @param args How to reach the cluster and what accelerators it has.
     * @param opts Pulumi options.
     */
    constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:ExistingCluster", name, {}, opts);
        // From other languages every input is an Output: check once known (at once when plain, so bad input
        // throws here). The kubeconfig stays as given, so it stays secret.
        let now: ExistingClusterPlan | undefined;
        const built = whenPlain(args, ["kubeconfig"], (plain) => {
            checkArgs("ExistingCluster", plain);
            now = planExistingCluster(plain as ExistingClusterPlainArgs);
            return now;
        });

        // Built at once: the provider gets exactly the plain inputs it always had (no context key when unset).
        // Otherwise its inputs come straight from the arguments, unchecked, so a bad value fails the component's
        // outputs (naming the field) rather than this registration.
        this.kubernetesProvider = createKubernetesProvider(
            `${name}-k8s`,
            args.kubeconfig,
            now ? now.clusterIdentifier : pulumi.all([args.clusterName, args.context, args.kind]).apply(([n, c, k]) => n ?? c ?? k ?? "generic"),
            this,
            now ? (now.context ? { context: now.context } : {}) : { context: args.context },
        );
        this.kubeconfig = pulumi.secret(pulumi.output(args.kubeconfig ?? ""));
        this.kubernetesVersion = built.version;
        this.pools = built.pools as pulumi.Output<AcceleratorPool[]>;
        if (now) {
            rememberPools(this.pools, now.pools);
        }
        this.platform = built.kind;
        this.registerOutputs(outputsToRegister({
            kubernetesProvider: this.kubernetesProvider,
            kubeconfig: this.kubeconfig,
            kubernetesVersion: this.kubernetesVersion,
            pools: this.pools,
            platform: this.platform,
        }));
    }
}

/** `ExistingClusterArgs` with every value known. */
type ExistingClusterPlainArgs = Omit<ExistingClusterArgs, "context" | "clusterName" | "kubernetesVersion" | "pools"> & {
    context?: string;
    clusterName?: string;
    kubernetesVersion?: string;
    pools?: ExistingAcceleratorPoolArgs[];
};

/** What an existing cluster's plain arguments decide. */
interface ExistingClusterPlan {
    kind: ExistingClusterKind;
    version: string;
    pools: AcceleratorPool[];
    context?: string;
    clusterIdentifier: string;
}

/** Checks the arguments of an existing cluster and decides its outputs. Pure. */
function planExistingCluster(args: ExistingClusterPlainArgs): ExistingClusterPlan {
    const kind = args.kind ?? "generic";
    if (!Object.values(ExistingClusterKind).includes(kind)) {
        throw new LlmdConfigError("kind", kind, `expected one of ${Object.values(ExistingClusterKind).join(", ")}`);
    }
    const version = args.kubernetesVersion ?? "1.33";
    parseKubernetesMinor("kubernetesVersion", version);
    const pools = resolveExistingPools(args.pools);
    if (kind === "kind" && pools.length > 0) {
        throw new LlmdConfigError("pools", pools.map((p) => p.name), "kind clusters have no accelerators; use minikube --gpus all or a generic cluster");
    }
    return { kind, version, pools, context: args.context, clusterIdentifier: args.clusterName ?? args.context ?? kind };
}
