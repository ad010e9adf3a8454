/**
 * Optional platform operators for day-2 operations, installed once per cluster from their pinned charts
 * when asked: KEDA (autoscaling) and kube-prometheus-stack (Prometheus Operator, Prometheus, Grafana) for
 * clusters without a Prometheus. llmd never detects an existing installation at plan time: a cluster that
 * already runs them leaves these off, and then needs the CRDs the model's objects use (Prometheus Operator
 * `podmonitors`, `servicemonitors`, `prometheusrules`, or GMP `podmonitorings` on GKE; KEDA `scaledobjects`,
 * `triggerauthentications`). Pure.
 */
import { OPERATOR_POD_SECURITY } from "../catalog/pod-security";
import { podSecurityLabels } from "./pod-security-standards";
import { CHARTS, ChartPin } from "../catalog/versions";
import { requireDnsLabel } from "../errors";

/** A Helm release the platform installs. */
export interface ChartSpec {
    /** Release name (also the Pulumi child name suffix). */
    name: string;
    /** Chart name in `repo`, or an `oci://` reference. */
    chart: string;
    repo?: string;
    version: string;
    namespace: string;
    values: Record<string, unknown>;
    /**
     * The chart relies on Helm hooks (kube-prometheus-stack's admission-webhook certificate jobs), so it must be
     * installed as a `helm.v3.Release`, which runs them, rather than a `helm.v4.Chart`.
     */
    needsHooks: boolean;
    /**
     * Pod Security labels for the namespace llmd creates for the chart (the level its pods meet); absent when Helm
     * creates the namespace (kube-prometheus-stack, whose node exporter needs host access anyway).
     */
    namespaceLabels?: Record<string, string>;
}

/** Which operators to install. */
export interface OperatorsArgs {
    /** Install KEDA. Do not combine with Prometheus Adapter: both serve `external.metrics.k8s.io`. */
    keda?: boolean;
    /** Namespace of KEDA (default `keda`). */
    kedaNamespace?: string;
    /** Install kube-prometheus-stack. */
    prometheusStack?: boolean;
    /** Namespace of the Prometheus stack (default `llmd-monitoring`). */
    monitoringNamespace?: string;
    /** Run Grafana in the stack, loading llmd's dashboards from every namespace (default true). */
    grafana?: boolean;
}

/** Release name of the Prometheus stack; also its `fullnameOverride`, so its Services have stable names. */
export const PROMETHEUS_STACK_RELEASE = "llmd-monitoring";

/** Namespace of the optional Prometheus stack when none is given. */
export const DEFAULT_MONITORING_NAMESPACE = "llmd-monitoring";

function spec(pin: ChartPin, name: string, namespace: string, values: Record<string, unknown>, needsHooks: boolean): ChartSpec {
    return { name, chart: pin.chart, ...(pin.repo ? { repo: pin.repo } : {}), version: pin.version, namespace, values, needsHooks };
}

/** The charts the platform installs for `args` (none by default). */
export function operatorCharts(args: OperatorsArgs = {}): ChartSpec[] {
    const out: ChartSpec[] = [];
    if (args.keda) {
        out.push({
            ...spec(CHARTS.keda, "keda", requireDnsLabel("operators.kedaNamespace", args.kedaNamespace ?? "keda"), {}, false),
            namespaceLabels: podSecurityLabels(OPERATOR_POD_SECURITY.keda.level),
        });
    }
    if (args.prometheusStack) {
        const namespace = requireDnsLabel("operators.monitoringNamespace", args.monitoringNamespace ?? DEFAULT_MONITORING_NAMESPACE);
        const grafana = args.grafana ?? true;
        out.push(
            spec(
                CHARTS.kubePrometheusStack,
                PROMETHEUS_STACK_RELEASE,
                namespace,
                {
                    fullnameOverride: PROMETHEUS_STACK_RELEASE,
                    prometheus: {
                        prometheusSpec: {
                            // Select every model's monitors and rules, not only those labelled with this release.
                            serviceMonitorSelectorNilUsesHelmValues: false,
                            podMonitorSelectorNilUsesHelmValues: false,
                            ruleSelectorNilUsesHelmValues: false,
                        },
                    },
                    grafana: grafana
                        ? { enabled: true, sidecar: { dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "ALL" } } }
                        : { enabled: false },
                },
                true,
            ),
        );
    }
    return out;
}

/** In-cluster URL of the stack's Prometheus (for `AutoscalingArgs.prometheusAddress`). */
export function prometheusStackAddress(args: Pick<OperatorsArgs, "monitoringNamespace"> = {}): string {
    return `http://${PROMETHEUS_STACK_RELEASE}-prometheus.${args.monitoringNamespace ?? DEFAULT_MONITORING_NAMESPACE}.svc:9090`;
}
