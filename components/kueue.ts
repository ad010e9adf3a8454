import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { OPERATOR_POD_SECURITY } from "./catalog/pod-security";
import { CHARTS } from "./catalog/versions";
import { podSecurityLabels } from "./render/pod-security-standards";
import { LlmdConfigError, requireDnsLabel } from "./errors";
import { createK8sObject } from "./k8s-object";
import { KueueExtraResource, KueueInput, KueueNetworkArgs, KueueSettings, kueueWorkloadMetadata, renderKueue, resolveKueueSpec } from "./render/kueue";
import { AcceleratorPool } from "./pool";
import { outputsToRegister, whenPlain } from "./plain-inputs";
import { checkArgs } from "./strict";

export type { KueueExtraResource, KueueNetworkArgs };

/** Namespace the Kueue docs install the controller into. */
export const DEFAULT_KUEUE_NAMESPACE = "kueue-system";

/** Arguments of `TopologyAwareScheduling`: the queue and topology settings of `KueueInput` plus the install. */
export interface TopologyAwareSchedulingArgs extends KueueSettings {
    /** The accelerator pools to queue on (a cluster component's `pools` output); one ResourceFlavor each. */
    pools: pulumi.Input<AcceleratorPool[]>;
    /** Serving namespace: the LocalQueue is created there, and only it may use the ClusterQueue. It must exist. */
    namespace: pulumi.Input<string>;
    /** Install Kueue from its pinned Helm chart. Default true; set false when the cluster already runs Kueue. */
    installKueue?: boolean;
    /** Namespace of the Kueue controller. Default `kueue-system`. */
    kueueNamespace?: string;
    /** Create `kueueNamespace` as part of this component. Default true; set false when it already exists. */
    createKueueNamespace?: boolean;
    /** Extra values for the Kueue Helm chart (e.g. `{ controllerManager: { replicas: 2 } }`). */
    kueueValues?: { [key: string]: any };
    /** Kubernetes provider for every child; the inherited or default provider when unset. */
    kubernetesProvider?: k8s.Provider;
}

/**
 * Kueue Topology Aware Scheduling for llm-d model servers: optionally Kueue itself from its pinned chart
 * (TAS and the LeaderWorkerSet integration are on by default at the pinned version), then a Topology with the
 * provider's node labels, one ResourceFlavor per accelerator pool, a ClusterQueue sized from the pools, and a
 * LocalQueue in the serving namespace. A LeaderWorkerSet joins the queue with `queueLabels` on its metadata
 * and stays inside one topology domain with `podSetAnnotations` on its leader and worker templates.
 * Topology, ResourceFlavors and the ClusterQueue are cluster-scoped: use one component per cluster, or
 * distinct names.
 */
export class TopologyAwareScheduling extends pulumi.ComponentResource {
    /** Name of the LocalQueue model servers submit to. */
    public readonly localQueueName: pulumi.Output<string>;
    /** Name of the ClusterQueue. */
    public readonly clusterQueueName: pulumi.Output<string>;
    /** Name of the Topology. */
    public readonly topologyName: pulumi.Output<string>;
    /** The node label of the level a group is kept inside. */
    public readonly groupLevel: pulumi.Output<string>;
    /** The topology annotation alone, e.g. `{ "kueue.x-k8s.io/podset-required-topology": "<level label>" }`. */
    public readonly podSetTopologyAnnotation: pulumi.Output<{ [key: string]: string }>;
    /**
     * Annotations for every pod template of a group (leader and workers of a LeaderWorkerSet): the topology
     * annotation plus `kueue.x-k8s.io/podset-group-name`, which keeps leader and workers in one domain.
     */
    public readonly podSetAnnotations: pulumi.Output<{ [key: string]: string }>;
    /** Labels for the workload object itself: `{ "kueue.x-k8s.io/queue-name": <localQueueName> }`. */
    public readonly queueLabels: pulumi.Output<{ [key: string]: string }>;

    constructor(name: string, args: TopologyAwareSchedulingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:TopologyAwareScheduling", name, {}, opts);
        // From other languages (and from a cluster's outputs) every input may be an Output: build once known.
        const built = whenPlain(args, ["kubernetesProvider"], (plain) => {
            checkArgs("TopologyAwareScheduling", plain, opts);
            // Validate everything before creating any child.
            const install = resolveKueueInstall(plain);
            const { kubernetesProvider: provider, installKueue, kueueNamespace, createKueueNamespace, kueueValues, ...input } = plain;
            const spec = resolveKueueSpec(input as KueueInput);
            const objects = renderKueue(spec);
            const metadata = kueueWorkloadMetadata(spec);

            const installed: pulumi.Resource[] = [];
            if (install.enabled) {
                const namespace = install.createNamespace
                    ? new k8s.core.v1.Namespace(
                          `${name}-kueue-namespace`,
                          { metadata: { name: install.namespace, labels: podSecurityLabels(OPERATOR_POD_SECURITY.kueue.level) } },
                          { parent: this, provider },
                      )
                    : undefined;
                installed.push(
                    new k8s.helm.v4.Chart(
                        `${name}-kueue`,
                        {
                            // Release name `kueue` as in the Kueue docs: the chart names its objects after it.
                            name: "kueue",
                            chart: CHARTS.kueue.chart,
                            version: CHARTS.kueue.version,
                            namespace: install.namespace,
                            values: install.values,
                        },
                        { parent: this, provider, dependsOn: namespace ? [namespace] : [] },
                    ),
                );
            }

            // Kueue's CRDs and its validating webhooks come with the chart: every object waits for all of it.
            for (const object of objects) {
                createK8sObject(`${name}-${object.kind.toLowerCase()}-${object.metadata.name}`, object, {
                    parent: this,
                    provider,
                    dependsOn: installed,
                });
            }
            return { spec, metadata };
        });

        this.localQueueName = built.spec.localQueueName;
        this.clusterQueueName = built.spec.clusterQueueName;
        this.topologyName = built.spec.topologyName;
        this.groupLevel = built.spec.groupLevel;
        this.podSetTopologyAnnotation = built.metadata.topologyAnnotation;
        this.podSetAnnotations = built.metadata.podSetAnnotations;
        this.queueLabels = built.metadata.labels;
        this.registerOutputs(outputsToRegister({
            localQueueName: this.localQueueName,
            clusterQueueName: this.clusterQueueName,
            topologyName: this.topologyName,
            groupLevel: this.groupLevel,
            podSetTopologyAnnotation: this.podSetTopologyAnnotation,
            podSetAnnotations: this.podSetAnnotations,
            queueLabels: this.queueLabels,
        }));
    }
}

/** Validated Kueue install settings. Pure, exported for tests. */
export interface KueueInstallSpec {
    enabled: boolean;
    namespace: string;
    createNamespace: boolean;
    values: Record<string, unknown>;
}

/** Validates and defaults the install part of `TopologyAwareSchedulingArgs`. */
export function resolveKueueInstall(args: {
    installKueue?: unknown;
    kueueNamespace?: unknown;
    createKueueNamespace?: unknown;
    kueueValues?: unknown;
}): KueueInstallSpec {
    for (const field of ["installKueue", "createKueueNamespace"] as const) {
        if (args[field] !== undefined && typeof args[field] !== "boolean") {
            throw new LlmdConfigError(field, args[field], "expected true or false");
        }
    }
    const enabled = (args.installKueue as boolean | undefined) ?? true;
    const values = args.kueueValues;
    if (values !== undefined && (typeof values !== "object" || values === null || Array.isArray(values))) {
        throw new LlmdConfigError("kueueValues", values, "expected an object of Helm values");
    }
    if (!enabled) {
        for (const field of ["kueueNamespace", "createKueueNamespace", "kueueValues"] as const) {
            if (args[field] !== undefined) {
                throw new LlmdConfigError(field, args[field], "only applies when installKueue is true");
            }
        }
    }
    return {
        enabled,
        namespace: args.kueueNamespace === undefined ? DEFAULT_KUEUE_NAMESPACE : requireDnsLabel("kueueNamespace", args.kueueNamespace),
        createNamespace: (args.createKueueNamespace as boolean | undefined) ?? true,
        values: (values as Record<string, unknown> | undefined) ?? {},
    };
}
