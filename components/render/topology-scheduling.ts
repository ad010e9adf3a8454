/**
 * Topology-aware scheduling settings as users write them (on `LlmdDeployment` and `LlmdPlatform`), before the
 * pools and namespace are filled in to make a `KueueInput`.
 */
import { ClusterProvider } from "../catalog/accelerators";
import { TopologyPlacement, TopologyProfile } from "../catalog/topology";
import { LlmdConfigError } from "../errors";

/** The plain part of `LlmdTopologyArgs`. */
export interface TopologySchedulingInput {
    clusterProvider?: ClusterProvider;
    installKueue?: boolean;
    topologyProfile?: TopologyProfile;
    rackLabel?: string;
    placement?: TopologyPlacement;
}

/**
 * The provider whose node labels define the topology: `topologyAwareScheduling.clusterProvider`, else the
 * cluster's provider given at the top level (`platformField`). Naming it twice, differently, is a mistake.
 */
export function topologyProvider(tas: TopologySchedulingInput, platform: ClusterProvider | undefined, platformField: string): ClusterProvider {
    const given = tas.clusterProvider;
    if (given === undefined && platform === undefined) {
        throw new LlmdConfigError(
            "topologyAwareScheduling.clusterProvider",
            given,
            `set it (or ${platformField}) to the cluster's provider, whose node labels define the topology`,
        );
    }
    if (given !== undefined && platform !== undefined && given !== platform) {
        throw new LlmdConfigError(
            "topologyAwareScheduling.clusterProvider",
            given,
            `the ${platformField === "platform" ? "deployment's platform" : platformField} is ${platform}; leave clusterProvider unset or make them agree`,
        );
    }
    return (given ?? platform)!;
}
