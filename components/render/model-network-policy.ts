/**
 * The NetworkPolicies of one planned `LlmdModel`, from the same resolved router and model-server specs its
 * components render (so ports and labels cannot drift from the workloads), and the platform's settings. Pure.
 */
import { resolveModelServer } from "./model-server-resolve";
import { LlmdModelPlan } from "./model";
import { networkPolicySettings } from "./platform";
import { renderModelNetworkPolicies } from "./network-policy";
import { resolveRouterSpec } from "./router";
import { K8sObject } from "./types";

/** The model's NetworkPolicies (none when its platform turned them off). */
export function modelNetworkPolicies(plan: LlmdModelPlan): K8sObject[] {
    const ref = plan.platform;
    return renderModelNetworkPolicies({
        name: plan.name,
        namespace: plan.namespace,
        ownNamespace: !plan.inPlatformNamespace,
        gateway: { implementation: ref.gatewayImplementation, namespace: ref.namespace, gatewayName: ref.gatewayName },
        settings: networkPolicySettings(ref),
        router: resolveRouterSpec(plan.router),
        servers: plan.modelServers.map((s) => resolveModelServer(s.input, { name: `${plan.name}-${s.role}`, hfTokenGiven: false })),
    });
}
