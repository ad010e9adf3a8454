/**
 * Per-model request policies the llm-d router reads from the cluster: `InferenceObjective` (a priority a request
 * selects with the `x-llm-d-inference-objective` header; honoured only with the router's `flowControl` feature
 * gate) and `InferenceModelRewrite` (rewrite the requested model, or split traffic by weight between models or
 * adapter versions). Shapes from llm-d-router v0.10.0 `apix/v1alpha2/` and its CRDs. Pure.
 */
import { LlmdConfigError, requireDnsLabel, requireInteger, requireNonEmpty } from "../errors";
import { LLMD_LABELS } from "./labels";
import { INFERENCE_POOL_GROUP } from "./router";
import { K8sObject } from "./types";

/** API version of the llm-d router's request-policy CRDs. */
export const LLMD_POLICY_API_VERSION = "llm-d.ai/v1alpha2";
/** Header a request names its InferenceObjective with. */
export const OBJECTIVE_HEADER = "x-llm-d-inference-objective";
/** Router feature gate without which InferenceObjective priorities are ignored. */
export const FLOW_CONTROL_FEATURE_GATE = "flowControl";

/** The plain part of `InferenceObjectiveArgs`. */
export interface ObjectiveInput {
    name?: unknown;
    priority?: unknown;
}

/** The plain part of `ModelRewriteTargetArgs`. */
export interface RewriteTargetInput {
    model?: unknown;
    weight?: unknown;
}

/** The plain part of `ModelRewriteArgs`. */
export interface RewriteInput {
    name?: unknown;
    /** Requested model names this rewrite applies to (exact match); empty matches every request to the pool. */
    models?: unknown;
    targets?: unknown;
}

/** Resolved request policies of one model. */
export interface ObjectivesSpec {
    objects: K8sObject[];
    /** Names clients may send in the objective header (InferenceObjective names). */
    objectiveNames: string[];
    /** Requested model names the rewrites match: they route to this model too. */
    rewriteSources: string[];
    /** Model names the rewrites send traffic to: each must be served by the model (its name or an adapter). */
    rewriteTargets: { field: string; model: string }[];
    /** Whether the router must run with flow control (priorities are inert without it). */
    needsFlowControl: boolean;
}

function list(field: string, value: unknown, shape: string): unknown[] {
    if (value === undefined) {
        return [];
    }
    if (!Array.isArray(value)) {
        throw new LlmdConfigError(field, value, `expected a list of ${shape}`);
    }
    return value;
}

function item(field: string, value: unknown, shape: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new LlmdConfigError(field, value, `expected ${shape}`);
    }
    return value as Record<string, unknown>;
}

/**
 * The InferenceObjectives and InferenceModelRewrites of one model, all pointing at its InferencePool in its
 * namespace. Object names are the names the user gave (clients send an objective's name in a header).
 */
export function resolveObjectives(args: { namespace: string; poolName: string; modelName: string; objectives?: unknown; rewrites?: unknown }): ObjectivesSpec {
    const poolRef = { group: INFERENCE_POOL_GROUP, kind: "InferencePool", name: args.poolName };
    const labels = { ...LLMD_LABELS, "llm-d.ai/model-name": args.modelName };
    const objects: K8sObject[] = [];
    const objectiveNames: string[] = [];
    list("objectives", args.objectives, "{ name, priority }").forEach((raw, i) => {
        const o = item(`objectives[${i}]`, raw, "{ name, priority }");
        const name = requireDnsLabel(`objectives[${i}].name`, o.name);
        if (objectiveNames.includes(name)) {
            throw new LlmdConfigError(`objectives[${i}].name`, name, "expected each objective name once");
        }
        objectiveNames.push(name);
        const priority = requireInteger(`objectives[${i}].priority`, o.priority, -(2 ** 31), 2 ** 31 - 1);
        objects.push({
            apiVersion: LLMD_POLICY_API_VERSION,
            kind: "InferenceObjective",
            metadata: { name, namespace: args.namespace, labels },
            spec: { priority, poolRef },
        });
    });

    const rewriteNames: string[] = [];
    const rewriteSources: string[] = [];
    const rewriteTargets: ObjectivesSpec["rewriteTargets"] = [];
    list("rewrites", args.rewrites, "{ name, models, targets }").forEach((raw, i) => {
        const field = `rewrites[${i}]`;
        const r = item(field, raw, "{ name, models, targets }");
        const name = requireDnsLabel(`${field}.name`, r.name);
        if (rewriteNames.includes(name)) {
            throw new LlmdConfigError(`${field}.name`, name, "expected each rewrite name once");
        }
        rewriteNames.push(name);
        const models = list(`${field}.models`, r.models, "model names").map((m, j) => requireNonEmpty(`${field}.models[${j}]`, m));
        rewriteSources.push(...models);
        const targets = list(`${field}.targets`, r.targets, "{ model, weight }").map((t, j) => {
            const target = item(`${field}.targets[${j}]`, t, "{ model, weight }");
            const model = requireNonEmpty(`${field}.targets[${j}].model`, target.model);
            rewriteTargets.push({ field: `${field}.targets[${j}].model`, model });
            return target.weight === undefined
                ? { modelRewrite: model }
                : { modelRewrite: model, weight: requireInteger(`${field}.targets[${j}].weight`, target.weight, 1, 1_000_000) };
        });
        if (targets.length === 0) {
            throw new LlmdConfigError(`${field}.targets`, r.targets, "expected at least one { model, weight } target");
        }
        if (targets.length > 1 && targets.some((t) => !("weight" in t))) {
            throw new LlmdConfigError(`${field}.targets`, r.targets, "a traffic split needs a weight on every target");
        }
        const rule: Record<string, unknown> = { targets };
        if (models.length > 0) {
            rule.matches = models.map((value) => ({ model: { type: "Exact", value } }));
        }
        objects.push({
            apiVersion: LLMD_POLICY_API_VERSION,
            kind: "InferenceModelRewrite",
            metadata: { name, namespace: args.namespace, labels },
            spec: { poolRef, rules: [rule] },
        });
    });
    return { objects, objectiveNames, rewriteSources, rewriteTargets, needsFlowControl: objectiveNames.length > 0 };
}
