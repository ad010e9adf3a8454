/**
 * The NetworkPolicies of one planned `LlmdModel`, from the same resolved router and model-server specs its
 * components render (so ports and labels cannot drift from the workloads), and the platform's settings. Pure.
 */
import { LlmdModelPlan } from "./model";
import { networkPolicySettings } from "./platform";
import { renderModelNetworkPolicies } from "./network-policy";
import { K8sObject } from "./types";

/** The model's NetworkPolicies (none when its platform turned them off), from a plan `resolveLlmdModel` made. */
export function modelNetworkPolicies(plan: LlmdModelPlan): K8sObject[] {
    const ref = plan.platform;
    const specs = plan.resolvedSpecs;
    if (specs === undefined) {
        throw new Error(`internal: the plan of model ${plan.name} was not resolved (resolveLlmdModel), so its router and servers are unknown`);
    }
    return renderModelNetworkPolicies({
        name: plan.name,
        namespace: plan.namespace,
        ownNamespace: !plan.inPlatformNamespace,
        gateway: { implementation: ref.gatewayImplementation, namespace: ref.namespace, gatewayName: ref.gatewayName },
        settings: networkPolicySettings(ref),
        router: specs.router,
        servers: specs.servers,
    });
}
