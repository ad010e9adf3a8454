/**
 * Several models on one platform, for the per-model cost: the local stack's platform once, then `count`
 * `LlmdModel`s, each a copy of the local stack's first model under its own name.
 */
import { knownPools } from "../components/cluster";
import { LlmdModel, LlmdModelArgs } from "../components/model";
import { LlmdPlatform, LlmdPlatformArgs } from "../components/platform";
import { ExistingCluster, ExistingClusterArgs } from "../providers/existing";
import { runProgram } from "../stacks/program";
import { readStackConfig } from "../stacks/stack-files";

/** The local stack's cluster, platform and first model, from its config file. */
export function localStackArgs(): { cluster: ExistingClusterArgs & { kubernetesVersion?: string }; platform: LlmdPlatformArgs; model: LlmdModelArgs } {
    const { config } = readStackConfig("local");
    const [{ name: _name, ...model }] = JSON.parse(config["llmd:models"]) as Array<LlmdModelArgs & { name: string }>;
    return { cluster: JSON.parse(config["llmd:cluster"]), platform: JSON.parse(config["llmd:platform"]), model };
}

/** A program with the local stack's platform and `count` models on it. */
export function modelsProgram(count: number): () => void {
    const args = localStackArgs();
    return () => {
        const cluster = new ExistingCluster("kind", { ...args.cluster, kind: "kind" });
        const platform = new LlmdPlatform("llmd", { ...args.platform, clusterProvider: "kind", kubernetesProvider: cluster.kubernetesProvider });
        for (let i = 0; i < count; i++) {
            new LlmdModel(`m${i}`, {
                ...args.model,
                model: `org/model-${i}`,
                platform: platform.ref,
                // Plain, as a stack passes them: the models build at once, which is what this measures.
                pools: knownPools(cluster),
                kubernetesVersion: args.cluster.kubernetesVersion,
                kubernetesProvider: cluster.kubernetesProvider,
            });
        }
    };
}

/** What the bench and the profiler evaluate for a target: a shipped stack's name, or `models:<n>`. */
export interface EvaluationTarget {
    /** Stack name the mock engine runs under. */
    stack: string;
    config: Record<string, string>;
    secretKeys: string[];
    program: () => unknown;
}

/** A shipped stack with its config file, or `models:<n>`: n copies of the local stack's model on one platform. */
export function evaluationTarget(target: string): EvaluationTarget {
    const models = /^models:(\d+)$/.exec(target);
    if (models) {
        return { stack: "models", config: {}, secretKeys: [], program: modelsProgram(Number(models[1])) };
    }
    return { stack: target, ...readStackConfig(target), program: runProgram };
}
