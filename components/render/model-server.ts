/**
 * Renders a resolved model server into Kubernetes objects: a Deployment for single-node replicas, a
 * LeaderWorkerSet when one replica spans nodes. No Service: the router sends traffic to pod IPs. Pure.
 */
import { ModelServerSpec } from "./model-server-types";
import { modelServerLabels, podTemplate } from "./model-server-pod";
import { placementAnnotations, placementLabels } from "./model-server-placement";
import { K8sObject } from "./types";

export { modelSlug, resolveModelServer } from "./model-server-resolve";
export { KvTransfer, KueueTopologyMode, ModelServerRole } from "./model-server-types";
export type { ModelServerContext, ModelServerInput, ModelServerSpec } from "./model-server-types";

function deployment(spec: ModelServerSpec): K8sObject {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: spec.name, namespace: spec.namespace, labels: { ...modelServerLabels(spec), ...placementLabels(spec.placement) } },
        spec: {
            replicas: spec.replicas,
            selector: { matchLabels: { "app.kubernetes.io/instance": spec.name, "app.kubernetes.io/component": "model-server" } },
            // Accelerator nodes rarely have a spare device for a surge pod: replace in place instead of
            // waiting forever for a GPU that never frees up.
            ...(spec.acceleratorsPerPod > 0
                ? { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } }
                : {}),
            template: podTemplate(spec, "single"),
        },
    };
}

function leaderWorkerSet(spec: ModelServerSpec): K8sObject {
    const annotations = placementAnnotations(spec.placement);
    return {
        apiVersion: "leaderworkerset.x-k8s.io/v1",
        kind: "LeaderWorkerSet",
        metadata: {
            name: spec.name,
            namespace: spec.namespace,
            labels: { ...modelServerLabels(spec), ...placementLabels(spec.placement) },
            ...(Object.keys(annotations).length ? { annotations } : {}),
        },
        spec: {
            replicas: spec.replicas,
            // Workers only need the leader's address, which exists once the leader pod does. LeaderReady
            // would deadlock: the leader's vLLM is not ready until every worker has joined its group.
            startupPolicy: "LeaderCreated",
            // Replace one group at a time and never add one: accelerator pools rarely have a spare group of
            // nodes, and a surge group would sit Pending (the LWS defaults, stated so they cannot drift).
            rolloutStrategy: { type: "RollingUpdate", rollingUpdateConfiguration: { maxUnavailable: 1, maxSurge: 0 } },
            leaderWorkerTemplate: {
                size: spec.nodesPerReplica,
                // A lost pod breaks the group's collective communication: restart the whole group.
                restartPolicy: "RecreateGroupOnPodRestart",
                leaderTemplate: podTemplate(spec, "leader"),
                workerTemplate: podTemplate(spec, "worker"),
            },
        },
    };
}

/** The workload for a resolved model server (exactly one object). */
export function renderModelServer(spec: ModelServerSpec): K8sObject[] {
    return [spec.nodesPerReplica > 1 ? leaderWorkerSet(spec) : deployment(spec)];
}

/**
 * The Secret holding the HF token. Generic over the value so the component can pass a Pulumi secret while
 * this file stays free of Pulumi.
 */
export function renderHfTokenSecret<T>(spec: ModelServerSpec, token: T): K8sObject {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: spec.hfTokenSecretName ?? `${spec.name}-hf-token`, namespace: spec.namespace, labels: modelServerLabels(spec) },
        type: "Opaque",
        stringData: { HF_TOKEN: token },
    };
}
