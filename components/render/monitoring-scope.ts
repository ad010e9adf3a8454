/**
 * What identifies one model's metrics in a Prometheus that scrapes many: the values every monitor, alert,
 * dashboard and autoscaler of that model share, and the label matchers built from them. Pure.
 */
import { ModelServerRole } from "./model-server-types";
import { Matchers } from "./promql";
import { LLMD_LABELS } from "./labels";

/** One model (`LlmdModel`) as its monitoring sees it. */
export interface ModelMetricsScope {
    /** Release (model) name: prefix of every monitoring object, so two models never collide. */
    release: string;
    /** Namespace of the model's router and model servers. */
    namespace: string;
    /** InferencePool name (the router's `--pool-name`); router pool metrics carry it. */
    poolName: string;
    /** Model name clients send and vLLM reports as `model_name`. */
    servedModelName: string;
    /** Prefill/decode disaggregation: model servers run as `prefill` and `decode` instead of `both`. */
    pd: boolean;
}

/**
 * Prometheus label the scrape copies the pod's `llm-d.ai/role` label into (the Prometheus Operator's
 * sanitised form of `podTargetLabels`; the GMP variant maps it to the same name), so queries can split
 * prefill from decode.
 */
export const ROLE_LABEL = "llm_d_ai_role";

/** Model-server roles that run for this model. */
export function modelServerRoles(scope: Pick<ModelMetricsScope, "pd">): ModelServerRole[] {
    return scope.pd ? [ModelServerRole.Decode, ModelServerRole.Prefill] : [ModelServerRole.Both];
}

/** vLLM series of this model, optionally of one role. */
export function vllmMatchers(scope: ModelMetricsScope, role?: ModelServerRole): Matchers {
    return { namespace: scope.namespace, model_name: scope.servedModelName, ...(role ? { [ROLE_LABEL]: role } : {}) };
}

/** Router pool gauges (`llm_d_epp_ready_endpoints`, averages) of this model's pool. */
export function routerPoolMatchers(scope: ModelMetricsScope): Matchers {
    return { namespace: scope.namespace, name: scope.poolName };
}

/** Router flow-control series of this model's pool. */
export function flowControlMatchers(scope: ModelMetricsScope): Matchers {
    return { namespace: scope.namespace, inference_pool: scope.poolName };
}

/** Router request series of this model. */
export function routerRequestMatchers(scope: ModelMetricsScope): Matchers {
    return { namespace: scope.namespace, model_name: scope.servedModelName };
}

/** Labels on every monitoring object of one model. */
export function monitoringLabels(scope: Pick<ModelMetricsScope, "release">, component: string): Record<string, string> {
    return { "app.kubernetes.io/instance": scope.release, ...LLMD_LABELS, "app.kubernetes.io/component": component };
}
