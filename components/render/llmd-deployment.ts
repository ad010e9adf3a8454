/**
 * `LlmdDeployment`, the one-model shortcut: splits its arguments into the platform (gateway, CRDs, LWS, Kueue)
 * and the one model on it, and resolves both. Same fields, defaults and error paths as before the split, so
 * existing programs and stack files keep working. Pure: plain values in, plain component arguments out.
 */
import { NetworkPoliciesInput } from "./network-policy";
import { ClusterProvider } from "../catalog/accelerators";
import { LlmdConfigError, requireOneOf } from "../errors";
import { KueueInput } from "./kueue";
import { LlmdModelInput, LlmdModelPlan, modelSpansNodes, resolveLlmdModel } from "./model";
import { PlatformGatewayInput, PlatformSpec, resolvePlatformSpec, withPlatformPodSecurity } from "./platform";
import { lowestLevel } from "./pod-security-standards";
import { TopologySchedulingInput } from "./topology-scheduling";
import { OperatorsArgs } from "./operators";

export type { RoleOverrides, PlannedModelServer } from "./model";
export { DEPLOYMENT_LABEL } from "./model";
export type { TopologySchedulingInput } from "./topology-scheduling";

/** The plain part of `LlmdDeploymentArgs`: a model's input plus its platform's. */
export interface LlmdDeploymentInput extends Omit<LlmdModelInput, "clusterProvider"> {
    gateway?: PlatformGatewayInput;
    installLeaderWorkerSet?: boolean;
    topologyAwareScheduling?: TopologySchedulingInput;
    networkPolicies?: NetworkPoliciesInput;
    platform?: string;
    operators?: OperatorsArgs;
}

/** Everything `LlmdDeployment` creates, resolved: the model's plan plus its platform's. */
export interface LlmdDeploymentPlan extends LlmdModelPlan {
    /** The platform half (namespace, gateway, CRDs, LWS, Kueue). */
    platformSpec: PlatformSpec;
    gateway: PlatformSpec["gateway"];
    installLeaderWorkerSet: boolean;
    /** Kueue and its queues, when topology-aware scheduling is on. */
    topologyAwareScheduling?: KueueInput & { installKueue?: boolean };
}

/**
 * Resolves `LlmdDeploymentArgs` into a platform and one model on it. The platform takes the deployment's
 * namespace (created unless `createNamespace: false`), and routes every request to the one model, as before
 * the split. Throws `LlmdConfigError` naming the field as the user wrote it.
 */
export function resolveLlmdDeployment(name: string, args: LlmdDeploymentInput, context: { hfTokenGiven?: boolean } = {}): LlmdDeploymentPlan {
    const {
        gateway,
        installLeaderWorkerSet,
        topologyAwareScheduling,
        networkPolicies,
        platform,
        namespace,
        createNamespace,
        operators,
        ...modelArgs
    } = args;
    const clusterProvider = platform === undefined ? undefined : requireOneOf<ClusterProvider>("platform", platform, Object.values(ClusterProvider));
    if (gateway !== undefined && (typeof gateway !== "object" || gateway === null || Array.isArray(gateway))) {
        throw new LlmdConfigError("gateway", gateway, "expected an object of gateway settings");
    }
    const platformInput = {
        namespace,
        createNamespace,
        gateway,
        // One model owns the Gateway: its route takes every request, whatever model the body names.
        modelRouting: false,
        clusterProvider,
        pools: args.pools,
        network: args.network,
        topologyAwareScheduling,
        operators,
        networkPolicies,
    };
    // The controller is installed when the model needs it. `installLeaderWorkerSet: false` has always meant
    // "the cluster runs it already", so multi-node roles stay allowed then.
    // Privileged until the model's pods are known (below), so the model is not checked against a guess.
    const provisional = resolvePlatformSpec(name, { ...platformInput, leaderWorkerSet: true, podSecurity: "privileged" }, { clusterProviderField: "platform" });
    const model: LlmdModelInput = { ...modelArgs, clusterProvider };
    const install = installLeaderWorkerSet ?? modelSpansNodes(name, model, provisional.ref);
    const platformSpec = install
        ? provisional
        : resolvePlatformSpec(
              name,
              { ...platformInput, leaderWorkerSet: false, leaderWorkerSetPreinstalled: installLeaderWorkerSet === false, podSecurity: "privileged" },
              { clusterProviderField: "platform" },
          );
    const plan = resolveLlmdModel(name, model, platformSpec.ref, context);
    // The one model lives in the platform namespace: it enforces the strictest level every pod there meets.
    const level = lowestLevel([platformSpec.ownPodSecurity.level, plan.podSecurity.level]);
    const finalSpec = withPlatformPodSecurity(platformSpec, level);
    return {
        ...plan,
        // The model finds the platform it was built with by this ref's identity.
        platform: finalSpec.ref,
        platformSpec: finalSpec,
        gateway: platformSpec.gateway,
        installLeaderWorkerSet: platformSpec.installLeaderWorkerSet,
        topologyAwareScheduling: platformSpec.topologyAwareScheduling,
    };
}
