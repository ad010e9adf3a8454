/**
 * Several models on one cluster, for the per-model cost. Today each model is an `LlmdDeployment` with its
 * own name and namespace (the first installs the Gateway API CRDs, the others reuse them); when the
 * `LlmdModel` component lands, only `addModel` changes.
 */
import { LlmdDeployment, LlmdDeploymentArgs } from "../components/llmd";
import { ExistingCluster, ExistingClusterArgs } from "../providers/existing";
import { readStackConfig } from "../stacks/stack-files";

/** The local stack's cluster and deployment settings, from its config file. */
export function localStackArgs(): { cluster: ExistingClusterArgs; deployment: LlmdDeploymentArgs } {
    const { config } = readStackConfig("local");
    return { cluster: JSON.parse(config["llmd:cluster"]), deployment: JSON.parse(config["llmd:deployment"]) };
}

function addModel(index: number, cluster: ExistingCluster, deployment: LlmdDeploymentArgs, kubernetesVersion: string | undefined): void {
    new LlmdDeployment(`llmd-${index}`, {
        ...deployment,
        namespace: `llm-d-${index}`,
        gateway: { ...deployment.gateway, installGatewayApiCrds: index === 0 },
        pools: cluster.pools,
        kubernetesVersion,
        platform: "kind",
        kubernetesProvider: cluster.kubernetesProvider,
    });
}

/** A program deploying `count` copies of the local stack's model, each in its own namespace. */
export function modelsProgram(count: number): () => void {
    const args = localStackArgs();
    return () => {
        const cluster = new ExistingCluster("kind", { ...args.cluster, kind: "kind" });
        for (let i = 0; i < count; i++) {
            addModel(i, cluster, args.deployment, args.cluster.kubernetesVersion);
        }
    };
}
