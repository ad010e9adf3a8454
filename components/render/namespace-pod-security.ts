/**
 * The Pod Security level each namespace llmd creates enforces, computed from the pods that land in it: the
 * platform namespace holds the payload processor, the gateway's proxies (deployed there by its controller) and
 * the models placed in it; a model's own namespace holds its router and model servers. Pure.
 */
import { GatewayImplementation } from "../catalog/gateways";
import { GATEWAY_PROXY_POD_SECURITY } from "../catalog/pod-security";
import { requireOneOf } from "../errors";
import { ModelRouting, renderModelRouting } from "./model-routing";
import {
    POD_SECURITY_LEVELS,
    PodSecurityLevel,
    baselineViolations,
    lowestLevel,
    podSecurityLevel,
    restrictedViolations,
    workloadPodSpecs,
} from "./pod-security-standards";
import { K8sObject } from "./types";

/** A level and, below restricted, the first finding that keeps it there. */
export interface LevelWithReason {
    level: PodSecurityLevel;
    reason?: string;
}

/** The strictest level every workload among `objects` meets, with the finding that limits it. */
export function objectsPodSecurity(objects: readonly K8sObject[]): LevelWithReason {
    let out: LevelWithReason = { level: PodSecurityLevel.Restricted };
    for (const spec of workloadPodSpecs(objects)) {
        const level = podSecurityLevel(spec);
        if (lowestLevel([level, out.level]) !== out.level) {
            const finding = level === PodSecurityLevel.Privileged ? baselineViolations(spec)[0] : restrictedViolations(spec)[0];
            out = { level, reason: finding };
        }
    }
    return out;
}

/** The lower of two levels, keeping the reason of the one that decided. */
export function lower(a: LevelWithReason, b: LevelWithReason): LevelWithReason {
    return lowestLevel([a.level, b.level]) === a.level ? a : b;
}

/** What the platform itself puts into its namespace: the payload processor and the gateway's proxies. */
export function platformOwnPodSecurity(target: { namespace: string; gatewayName: string; implementation: GatewayImplementation }, routing: ModelRouting): LevelWithReason {
    const proxy = GATEWAY_PROXY_POD_SECURITY[target.implementation];
    const proxies: LevelWithReason = { level: proxy.level, reason: `the ${target.implementation} gateway proxy (${proxy.source})` };
    const own = objectsPodSecurity(routing === ModelRouting.None ? [] : renderModelRouting(routing, target));
    return lower(own, proxies);
}

/** Reads an optional `podSecurity` level. */
export function optionalPodSecurityLevel(field: string, value: unknown): PodSecurityLevel | undefined {
    return value === undefined ? undefined : requireOneOf<PodSecurityLevel>(field, value, POD_SECURITY_LEVELS);
}
