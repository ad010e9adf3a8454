/**
 * A platform with several models, resolved together before anything is created: every model against the
 * platform it joins, model names and served names unique across all of them. Pure.
 */
import { LlmdConfigError, checkUnder, requireDnsLabel } from "../errors";
import { LlmdModelInput, LlmdModelPlan, claimedNames, modelSpansNodes, resolveLlmdModel } from "./model";
import { PlatformInput, PlatformSpec, resolvePlatformSpec, withPlatformPodSecurity } from "./platform";
import { lowestLevel } from "./pod-security-standards";

/** One model entry as a stack lists it: the model's name plus its `LlmdModelArgs` fields. */
export interface NamedModelInput extends LlmdModelInput {
    name?: unknown;
}

/** The platform and its models, resolved. */
export interface MultiModelPlan {
    platform: PlatformSpec;
    models: LlmdModelPlan[];
}

/**
 * Resolves a platform and its models. `leaderWorkerSet` defaults to whether some model spans nodes. Errors name
 * the field under `models[i]` (`models[1].servedModelName`); clashes name both models.
 */
export function resolveMultiModel(
    platformName: string,
    platformInput: PlatformInput,
    models: unknown,
    context: { hfTokenGiven?: boolean; clusterProviderField?: string } = {},
): MultiModelPlan {
    if (!Array.isArray(models) || models.length === 0) {
        throw new LlmdConfigError("models", models, "expected a list of models, each { name, preset, model, ... }");
    }
    const entries = models.map((entry, i) => {
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
            throw new LlmdConfigError(`models[${i}]`, entry, "expected a model: { name, preset, model, ... }");
        }
        const { name, ...input } = entry as NamedModelInput;
        return { name: requireDnsLabel(`models[${i}].name`, name), input };
    });
    const options = { clusterProviderField: context.clusterProviderField };
    // Probe with the controller available, to learn whether any model needs it.
    const probe = resolvePlatformSpec(platformName, { ...platformInput, leaderWorkerSet: false, leaderWorkerSetPreinstalled: true }, options);
    const needsLws = entries.some(({ name, input }, i) => checkUnder(`models[${i}]`, () => modelSpansNodes(name, input, probe.ref)));
    const install = platformInput.leaderWorkerSet ?? (needsLws && platformInput.leaderWorkerSetPreinstalled !== true);
    // Every pod in the platform namespace is known here, so unless the user chose a level the namespace enforces
    // the strictest they all meet; the models are checked against that level below.
    const chosen = platformInput.podSecurity !== undefined;
    const resolved = resolvePlatformSpec(platformName, { ...platformInput, leaderWorkerSet: install, ...(chosen ? {} : { podSecurity: "privileged" }) }, options);

    const modelNames = new Map<string, number>();
    const served = new Map<string, string>();
    const plans = entries.map(({ name, input }, i) => {
        const earlier = modelNames.get(name);
        if (earlier !== undefined) {
            throw new LlmdConfigError(`models[${i}].name`, name, `models[${earlier}] already has that name; model names must be unique on a platform`);
        }
        modelNames.set(name, i);
        const plan = checkUnder(`models[${i}]`, () => resolveLlmdModel(name, input, resolved.ref, context));
        const claims = claimedNames(plan).map(([value, field]): [string, string] => [value, `models[${i}].${field}`]);
        for (const [value, field] of claims) {
            const owner = served.get(value);
            if (owner !== undefined) {
                throw new LlmdConfigError(field, value, `already served by ${owner}; model and adapter names must be unique on a platform`);
            }
            served.set(value, field);
        }
        return plan;
    });
    const platform = chosen
        ? resolved
        : withPlatformPodSecurity(resolved, lowestLevel([resolved.ownPodSecurity.level, ...plans.filter((p) => p.inPlatformNamespace).map((p) => p.podSecurity.level)]));
    for (const plan of plans) {
        plan.platform = platform.ref;
    }
    if (platform.ref.modelRouting === "none" && platform.ref.gatewayImplementation !== "none" && plans.length > 1) {
        throw new LlmdConfigError(
            "platform.modelRouting",
            false,
            `${plans.length} models share the Gateway, which needs routing by model; leave modelRouting unset or true (istio, gke, agentgateway)`,
        );
    }
    return { platform, models: plans };
}
