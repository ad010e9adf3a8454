/**
 * A small NetworkPolicy evaluator (networking.k8s.io/v1 ingress semantics) over rendered objects, so tests can
 * ask "may this source reach this pod on this port?" without a cluster:
 *
 * - a pod no policy selects admits everything; a selected pod admits a connection when some rule of some
 *   selecting policy admits it (policies are additive);
 * - a rule with no `from` admits every source, with no `ports` every port;
 * - a peer with only `podSelector` means pods of the policy's namespace; with `namespaceSelector` (and an
 *   optional `podSelector`) pods of matching namespaces; `ipBlock` a CIDR (minus `except`).
 */
import { K8sObject } from "../../components/render/types";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Where a connection comes from: a pod (namespace, labels) or a bare address outside the cluster's pods. */
export type Source = { namespace: string; labels: Record<string, string> } | { ip: string };

/** A pod that receives connections. */
export interface Pod {
    namespace: string;
    labels: Record<string, string>;
}

/** Label selector semantics: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist). */
export function selects(selector: Json, labels: Record<string, string>): boolean {
    for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) {
        if (labels[k] !== v) {
            return false;
        }
    }
    for (const e of selector?.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, e.key);
        const ok =
            e.operator === "In" ? has && e.values.includes(labels[e.key])
            : e.operator === "NotIn" ? !has || !e.values.includes(labels[e.key])
            : e.operator === "Exists" ? has
            : e.operator === "DoesNotExist" ? !has
            : (() => { throw new Error(`unknown operator ${e.operator}`); })();
        if (!ok) {
            return false;
        }
    }
    return true;
}

function ipToInt(ip: string): number {
    return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** Whether `ip` is inside `cidr` (IPv4). */
export function inCidr(ip: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(ipToInt(base) / size) * size;
    const value = ipToInt(ip);
    return value >= start && value < start + size;
}

function namespaceLabels(namespace: string): Record<string, string> {
    // The API server labels every namespace with its own name.
    return { "kubernetes.io/metadata.name": namespace };
}

function peerAdmits(peer: Json, policyNamespace: string, source: Source): boolean {
    if (peer.ipBlock) {
        return "ip" in source && inCidr(source.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c: string) => inCidr(source.ip, c));
    }
    if ("ip" in source) {
        return false;
    }
    const namespaceOk = peer.namespaceSelector ? selects(peer.namespaceSelector, namespaceLabels(source.namespace)) : source.namespace === policyNamespace;
    const podOk = peer.podSelector ? selects(peer.podSelector, source.labels) : true;
    return namespaceOk && podOk;
}

/** Whether the NetworkPolicies among `objects` let `source` open a TCP connection to `pod` on `port`. */
export function admits(objects: K8sObject[], source: Source, pod: Pod, port: number): boolean {
    const policies = (objects as Json[]).filter(
        (o) => o.kind === "NetworkPolicy" && o.metadata.namespace === pod.namespace && (o.spec.policyTypes ?? ["Ingress"]).includes("Ingress") && selects(o.spec.podSelector, pod.labels),
    );
    if (policies.length === 0) {
        return true;
    }
    return policies.some((p) =>
        (p.spec.ingress ?? []).some((rule: Json) => {
            const portOk = rule.ports === undefined || rule.ports.some((rp: Json) => (rp.protocol ?? "TCP") === "TCP" && (rp.port === undefined || (typeof rp.port === "number" && (rp.endPort === undefined ? rp.port === port : port >= rp.port && port <= rp.endPort))));
            const fromOk = rule.from === undefined || rule.from.some((peer: Json) => peerAdmits(peer, p.metadata.namespace, source));
            return portOk && fromOk;
        }),
    );
}
