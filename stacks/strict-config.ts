/**
 * Strict stack config: every `llmd:*` key is known, and each structured setting fits the args of the
 * component it becomes (strict.ts), checked before the program creates anything. Errors name the key as
 * written in the stack file (`llmd:models[1].decode.replicas`). Keys the program fills in itself (the
 * cluster's pools, the provider, secrets) are refused with where to set them instead.
 */
import * as pulumi from "@pulumi/pulumi";
import { LlmdConfigError } from "../components/errors";
import { COMPONENTS, ObjectShape } from "../components/shapes";
import { KeyHints, checkShape } from "../components/strict";
import { closest } from "../components/suggest";

/** Every `llmd:` key a stack may set. */
export const STACK_KEYS = ["provider", "cluster", "deployment", "platform", "models", "hfToken", "kubeconfig", "baremetal", "sshPrivateKey"] as const;

const SECRET_HINT = (key: string) => `expected no ${key} in plain config: set it as a secret with pulumi config set --secret llmd:${key}`;
const POOLS_HINT = "expected no pools here: they come from llmd:cluster (its pools or acceleratorPools)";
const PROGRAM_SETS = "expected no provider object in stack config: the program passes the cluster's own";
// Settings of the whole platform, which a model entry cannot set for itself.
const PLATFORM_ONLY = ["gateway", "installLeaderWorkerSet", "topologyAwareScheduling", "platform"];
const PLATFORM_HINT = "expected it under llmd:platform: it is a platform setting with llmd:platform or llmd:models";

function without(shape: ObjectShape, keys: string[]): ObjectShape {
    return Object.fromEntries(Object.entries(shape).filter(([key]) => !keys.includes(key)));
}

const MODEL_ENTRY = { ...without(COMPONENTS.LlmdModel, ["platform", "pools", "hfToken", "kubernetesProvider"]), name: "string" };
const MODEL_HINTS: KeyHints = {
    ...Object.fromEntries(PLATFORM_ONLY.map((key) => [key, PLATFORM_HINT])),
    pools: POOLS_HINT,
    hfToken: SECRET_HINT("hfToken"),
    kubernetesProvider: PROGRAM_SETS,
};

/** `llmd:baremetal`: the settings stacks/baremetal.ts reads (the launcher's own `slurm`/`ray` options are free-form). */
export const BAREMETAL: ObjectShape = {
    hosts: "string[]",
    scheduler: "string",
    profile: "string",
    user: "string",
    sshPort: "int",
    installMode: "string",
    endpointsFilePath: "string",
    sharedEndpointsFile: "string",
    gatewayPort: "int",
    poolName: "string",
    poolNamespace: "string",
    useSudo: "boolean",
    endpointsWriter: "string",
    model: "string",
    servedModelName: "string",
    workerPort: "int",
    labels: "labels",
    vllmArgs: "string[]",
    vllmCommand: "string",
    accelerator: "string",
    networkInterface: "string",
    containerRuntimePath: "string",
    readyTimeoutSeconds: "int",
    healthIntervalSeconds: "int",
    healthTimeoutSeconds: "int",
    unhealthyThreshold: "int",
    slurm: "any",
    ray: "any",
};

function clusterShape(provider: string): [ObjectShape, KeyHints] {
    switch (provider) {
        case "gke":
            return [COMPONENTS.GkeCluster, {}];
        case "aks":
            return [COMPONENTS.AksCluster, {}];
        case "digitalocean":
            return [COMPONENTS.DoksCluster, {}];
        default: {
            const hints: KeyHints = { kubeconfig: SECRET_HINT("kubeconfig") };
            if (provider !== "existing") {
                return [without(COMPONENTS.ExistingCluster, ["kubeconfig", "kind"]), { ...hints, kind: `expected no kind: llmd:provider ${provider} sets it` }];
            }
            return [without(COMPONENTS.ExistingCluster, ["kubeconfig"]), hints];
        }
    }
}

function unknownStackKey(key: string): never {
    const guess = closest(key.slice("llmd:".length), STACK_KEYS);
    const err = new LlmdConfigError(key, undefined, "");
    // The value is not shown: a mistyped key may hold a secret (llmd:hfTokn).
    err.message =
        `${key}: got a value (not shown); expected a known llmd setting` +
        `${guess === undefined ? "" : ` (did you mean llmd:${guess}?)`}: ${STACK_KEYS.map((k) => `llmd:${k}`).join(", ")}`;
    throw err;
}

/**
 * Checks the stack's `llmd:*` config for `provider` (already validated): unknown keys and the shape of
 * llmd:cluster, llmd:deployment, llmd:platform, llmd:models and llmd:baremetal.
 */
export function checkStackConfig(config: pulumi.Config, provider: string): void {
    for (const key of Object.keys(pulumi.runtime.allConfig())) {
        if (key.startsWith("llmd:") && !(STACK_KEYS as readonly string[]).includes(key.slice("llmd:".length))) {
            unknownStackKey(key);
        }
    }
    const value = (key: string) => config.getObject<unknown>(key);
    if (provider === "baremetal") {
        checkShape("llmd:baremetal", value("baremetal"), BAREMETAL);
        return;
    }
    const [cluster, clusterHints] = clusterShape(provider);
    checkShape("llmd:cluster", value("cluster"), cluster, clusterHints);
    checkShape("llmd:platform", value("platform"), without(COMPONENTS.LlmdPlatform, ["pools", "kubernetesProvider"]), { pools: POOLS_HINT, kubernetesProvider: PROGRAM_SETS });
    const models = value("models");
    if (models !== undefined && !Array.isArray(models)) {
        throw new LlmdConfigError("llmd:models", models, "expected a list of models (a YAML sequence), each with a name");
    }
    (models ?? []).forEach((entry: unknown, i: number) => checkShape(`llmd:models[${i}]`, entry, MODEL_ENTRY, MODEL_HINTS));
    const split = models !== undefined || value("platform") !== undefined;
    if (split) {
        // With llmd:platform, llmd:deployment is the one model on it: a model entry without its name.
        checkShape("llmd:deployment", value("deployment"), without(MODEL_ENTRY, ["name"]), MODEL_HINTS);
    } else {
        const shape = without(COMPONENTS.LlmdDeployment, ["pools", "hfToken", "kubernetesProvider"]);
        checkShape("llmd:deployment", value("deployment"), shape, { pools: POOLS_HINT, hfToken: SECRET_HINT("hfToken"), kubernetesProvider: PROGRAM_SETS });
    }
}
