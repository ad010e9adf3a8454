/**
 * Keeps a highly-available router available: with more than one replica, updates roll one new pod in before an
 * old one goes (the new pod waits for the leader lease, so two leaders never act at once), and voluntary
 * disruptions (node drains, upgrades) may evict only one router at a time. A single router keeps `Recreate`:
 * without leader election two routers must never run side by side. Pure.
 */
import { LLMD_LABELS } from "./labels";
import { K8sObject } from "./types";

/** The Deployment update strategy for `replicas` routers. */
export function routerUpdateStrategy(replicas: number): Record<string, unknown> {
    return replicas > 1 ? { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } : { type: "Recreate" };
}

/** A PodDisruptionBudget letting one router at a time be evicted; none for a single replica (it would block drains). */
export function routerDisruptionBudget(args: { name: string; namespace: string; replicas: number; selector: Record<string, string> }): K8sObject[] {
    if (args.replicas <= 1) {
        return [];
    }
    return [
        {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: args.name, namespace: args.namespace, labels: { ...LLMD_LABELS, "app.kubernetes.io/component": "router" } },
            spec: { maxUnavailable: 1, selector: { matchLabels: { ...args.selector } } },
        },
    ];
}
