/**
 * Everything one model adds for day-2 operations, in one call: its metrics reader, monitors, alert rules,
 * dashboards and autoscalers, each only when asked, sharing one token Secret. Pure.
 */
import { AlertThresholds, renderAlertRules } from "./alerts";
import { AutoscalingSpec, ScaleTarget, renderAutoscaling } from "./autoscaling";
import { renderDashboards } from "./dashboards";
import { MonitoringProvider, MonitorsInput, renderMetricsReader, renderMonitors } from "./monitoring";
import { K8sObject } from "./types";

/** Monitoring settings of one model. */
export interface ModelMonitoringOptions {
    /** Scraper: `prometheus-operator` (default) or `gmp` on GKE. */
    provider?: MonitoringProvider;
    /** Namespace of the GMP collector (default `gmp-system`; `gke-gmp-system` on Autopilot). */
    gmpNamespace?: string;
    /** Extra labels on monitors, rules and dashboards, for a Prometheus or Grafana that selects by label. */
    extraLabels?: Record<string, string>;
    /**
     * Render the alert rules (default true): a PrometheusRule with the Prometheus Operator, a `Rules` on GMP,
     * evaluated by GKE's managed rule-evaluator. Alerts reach no one until an Alertmanager is configured
     * (GMP: its OperatorConfig), which llmd leaves to the cluster owner.
     */
    alerts?: boolean;
    /** Alert thresholds. */
    alertThresholds?: AlertThresholds;
    /** Render the Grafana dashboard ConfigMaps (default true). */
    dashboards?: boolean;
}

/** What `renderModelOperations` needs: the model's scope and selectors, and the features wanted. */
export interface ModelOperationsInput extends Omit<MonitorsInput, "provider" | "gmpNamespace" | "extraLabels"> {
    /** Monitoring; unset renders none. */
    monitoring?: ModelMonitoringOptions;
    /** Resolved autoscaling (`resolveAutoscaling`); unset renders none. */
    autoscaling?: AutoscalingSpec;
    /** Workloads the autoscaler scales (one per model-server role). */
    scaleTargets?: readonly ScaleTarget[];
}

/** The model's day-2 objects. Namespaced except the metrics reader's ClusterRole and ClusterRoleBinding. */
export function renderModelOperations(input: ModelOperationsInput): K8sObject[] {
    const { monitoring, autoscaling } = input;
    const out: K8sObject[] = [];
    if (monitoring) {
        const provider = monitoring.provider ?? MonitoringProvider.PrometheusOperator;
        out.push(...renderMonitors({ ...input, provider, gmpNamespace: monitoring.gmpNamespace, extraLabels: monitoring.extraLabels }));
        if (monitoring.alerts ?? true) {
            out.push(renderAlertRules(input, monitoring.alertThresholds, monitoring.extraLabels, provider));
        }
        if (monitoring.dashboards ?? true) {
            out.push(...renderDashboards(input, monitoring.extraLabels));
        }
    } else if (autoscaling?.bearerAuth && !autoscaling.openshiftThanos) {
        // No monitors, but the trigger still sends the reader's token (on Thanos, its own reader's instead).
        out.push(...renderMetricsReader(input));
    }
    if (autoscaling) {
        if (!input.scaleTargets?.length) {
            throw new Error(`llmd: autoscaling of ${input.namespace}/${input.release} needs the workloads to scale (scaleTargets)`);
        }
        out.push(...renderAutoscaling(autoscaling, input, input.scaleTargets));
    }
    return out;
}
