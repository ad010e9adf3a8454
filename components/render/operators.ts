/**
 * Optional platform operators for day-2 operations, installed once per cluster from their pinned charts
 * when asked: KEDA (autoscaling) and kube-prometheus-stack (Prometheus Operator, Prometheus, Grafana) for
 * clusters without a Prometheus. llmd never detects an existing installation at plan time: a cluster that
 * already runs them leaves these off, and then needs the CRDs the model's objects use (Prometheus Operator
 * `podmonitors`, `servicemonitors`, `prometheusrules`, or GMP `podmonitorings` on GKE; KEDA `scaledobjects`,
 * `triggerauthentications`). Pure.
 */
import { ClusterProvider } from "../catalog/accelerators";
import { OPERATOR_POD_SECURITY } from "../catalog/pod-security";
import { podSecurityLabels } from "./pod-security-standards";
import { CHARTS, ChartPin } from "../catalog/versions";
import { LlmdConfigError, requireDnsLabel } from "../errors";

/** A user-managed Google service account's email: a 6-30 character account id in a project (domain-scoped ones included). */
const GCP_SERVICE_ACCOUNT = /^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z][-a-z0-9.]*[a-z0-9]\.iam\.gserviceaccount\.com$/;

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
    /**
     * Google service account (email) KEDA's operator acts as through GKE Workload Identity, to query Managed
     * Prometheus for models that autoscale on it. The GKE stack passes the one `GkeCluster` creates
     * (`kedaServiceAccountEmail`); it needs `roles/monitoring.viewer` and KEDA's ServiceAccount
     * (`<kedaNamespace>/keda-operator`) as a `roles/iam.workloadIdentityUser`.
     */
    kedaGcpServiceAccount?: string;
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

/** Clusters on one workstation, whose Prometheus should stay small and whose control plane it cannot scrape. */
const SINGLE_NODE_CLUSTERS: readonly ClusterProvider[] = ["minikube", "kind"];

/**
 * kube-prometheus-stack values (chart 88.3.0) for a single-node workstation cluster. The chart's defaults request
 * nothing and keep 10 days of samples on an emptyDir: Prometheus would then be the first pod evicted under memory
 * pressure and could fill the node's disk. Here it requests 100m / 512Mi (an estimate for one or two models'
 * series, not a measurement), keeps one day and at most 2 GiB, and Alertmanager requests 10m / 64Mi; no limits,
 * so a burst is slowed rather than killed. kubeadm-built clusters (minikube, kind) bind etcd, the controller manager, the
 * scheduler and kube-proxy's metrics to localhost, where Prometheus cannot reach them, so their scrapes (and the
 * alerts that would fire for them as down) are off.
 */
export const SINGLE_NODE_PROMETHEUS_VALUES = {
    prometheus: {
        prometheusSpec: {
            retention: "1d",
            retentionSize: "2GiB",
            resources: { requests: { cpu: "100m", memory: "512Mi" } },
        },
    },
    alertmanager: { alertmanagerSpec: { resources: { requests: { cpu: "10m", memory: "64Mi" } } } },
    kubeEtcd: { enabled: false },
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeProxy: { enabled: false },
} as const;

/**
 * The charts the platform installs for `args` (none by default). On minikube and kind the Prometheus stack is
 * sized for one workstation (`SINGLE_NODE_PROMETHEUS_VALUES`).
 */
export function operatorCharts(args: OperatorsArgs = {}, clusterProvider?: ClusterProvider): ChartSpec[] {
    const out: ChartSpec[] = [];
    if (args.kedaGcpServiceAccount !== undefined && !GCP_SERVICE_ACCOUNT.test(String(args.kedaGcpServiceAccount))) {
        throw new LlmdConfigError("operators.kedaGcpServiceAccount", args.kedaGcpServiceAccount, "expected a Google service account email, <name>@<project>.iam.gserviceaccount.com");
    }
    if (args.kedaGcpServiceAccount !== undefined && !args.keda) {
        throw new LlmdConfigError("operators.kedaGcpServiceAccount", args.kedaGcpServiceAccount, "it annotates the KEDA the platform installs: expected keda: true with it");
    }
    if (args.keda) {
        // The chart annotates its keda-operator ServiceAccount with iam.gke.io/gcp-service-account (chart v2.20.2 podIdentity.gcp).
        const values = args.kedaGcpServiceAccount ? { podIdentity: { gcp: { enabled: true, gcpIAMServiceAccount: args.kedaGcpServiceAccount } } } : {};
        out.push({
            ...spec(CHARTS.keda, "keda", requireDnsLabel("operators.kedaNamespace", args.kedaNamespace ?? "keda"), values, false),
            namespaceLabels: podSecurityLabels(OPERATOR_POD_SECURITY.keda.level),
        });
    }
    if (args.prometheusStack) {
        const namespace = requireDnsLabel("operators.monitoringNamespace", args.monitoringNamespace ?? DEFAULT_MONITORING_NAMESPACE);
        const grafana = args.grafana ?? true;
        const small = clusterProvider !== undefined && SINGLE_NODE_CLUSTERS.includes(clusterProvider);
        out.push(
            spec(
                CHARTS.kubePrometheusStack,
                PROMETHEUS_STACK_RELEASE,
                namespace,
                {
                    fullnameOverride: PROMETHEUS_STACK_RELEASE,
                    ...(small ? SINGLE_NODE_PROMETHEUS_VALUES : {}),
                    prometheus: {
                        prometheusSpec: {
                            ...(small ? SINGLE_NODE_PROMETHEUS_VALUES.prometheus.prometheusSpec : {}),
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
