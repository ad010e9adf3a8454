import * as assert from "assert";
import { CHARTS } from "../../components/catalog/versions";
import { LlmdConfigError } from "../../components/errors";
import { resolveAutoscaling } from "../../components/render/autoscaling";
import { GRAFANA_DASHBOARD_LABEL } from "../../components/render/dashboards";
import { operatorCharts, prometheusStackAddress } from "../../components/render/operators";

describe("platform operators", () => {
    it("installs nothing unless asked", () => {
        assert.deepStrictEqual(operatorCharts(), []);
        assert.deepStrictEqual(operatorCharts({ keda: false, prometheusStack: false }), []);
    });

    it("installs KEDA and the Prometheus stack from their pins", () => {
        const [keda, stack] = operatorCharts({ keda: true, prometheusStack: true });
        assert.deepStrictEqual([keda.chart, keda.repo, keda.version, keda.namespace, keda.needsHooks], [CHARTS.keda.chart, CHARTS.keda.repo, CHARTS.keda.version, "keda", false]);
        assert.deepStrictEqual([stack.chart, stack.version, stack.namespace, stack.needsHooks], [CHARTS.kubePrometheusStack.chart, CHARTS.kubePrometheusStack.version, "llmd-monitoring", true]);
    });

    it("the stack's Prometheus selects every model's monitors and its Grafana loads llmd's dashboards", () => {
        const [stack] = operatorCharts({ prometheusStack: true });
        const values = stack.values as any;
        for (const key of ["serviceMonitorSelectorNilUsesHelmValues", "podMonitorSelectorNilUsesHelmValues", "ruleSelectorNilUsesHelmValues"]) {
            assert.strictEqual(values.prometheus.prometheusSpec[key], false, key);
        }
        const sidecar = values.grafana.sidecar.dashboards;
        assert.deepStrictEqual({ [sidecar.label]: sidecar.labelValue }, GRAFANA_DASHBOARD_LABEL);
        assert.strictEqual(sidecar.searchNamespace, "ALL");
        assert.deepStrictEqual((operatorCharts({ prometheusStack: true, grafana: false })[0].values as any).grafana, { enabled: false });
    });

    it("on minikube and kind the stack is sized for one workstation, keeping the selectors; on a cloud it is the chart's", () => {
        for (const provider of ["minikube", "kind"] as const) {
            const values = operatorCharts({ prometheusStack: true }, provider)[0].values as any;
            const spec = values.prometheus.prometheusSpec;
            assert.deepStrictEqual([spec.retention, spec.retentionSize, spec.resources.requests], ["1d", "2GiB", { cpu: "100m", memory: "512Mi" }], provider);
            assert.strictEqual(spec.serviceMonitorSelectorNilUsesHelmValues, false, provider);
            assert.ok(values.alertmanager.alertmanagerSpec.resources.requests.memory, provider);
            for (const localOnly of ["kubeEtcd", "kubeControllerManager", "kubeScheduler", "kubeProxy"]) {
                assert.strictEqual(values[localOnly].enabled, false, `${provider} ${localOnly}`);
            }
        }
        for (const provider of [undefined, "gke", "aks", "existing"] as const) {
            const values = operatorCharts({ prometheusStack: true }, provider)[0].values as any;
            assert.deepStrictEqual(Object.keys(values).sort(), ["fullnameOverride", "grafana", "prometheus"], String(provider));
            assert.strictEqual(values.prometheus.prometheusSpec.retention, undefined, String(provider));
        }
    });

    it("annotates KEDA's operator with its Google service account only when given one, and checks it", () => {
        const email = "llmd-keda-1a2b3c4d@my-gcp-project.iam.gserviceaccount.com";
        const [keda] = operatorCharts({ keda: true, kedaGcpServiceAccount: email });
        assert.deepStrictEqual(keda.values, { podIdentity: { gcp: { enabled: true, gcpIAMServiceAccount: email } } });
        assert.deepStrictEqual(operatorCharts({ keda: true })[0].values, {});
        const field = (e: unknown) => e instanceof LlmdConfigError && e.field === "operators.kedaGcpServiceAccount";
        assert.throws(() => operatorCharts({ keda: true, kedaGcpServiceAccount: "keda@example.com" }), field);
        assert.throws(() => operatorCharts({ kedaGcpServiceAccount: email }), field);
    });

    it("the stack's Prometheus address is a valid autoscaling target in the chosen namespace", () => {
        const address = prometheusStackAddress({ monitoringNamespace: "observability" });
        assert.strictEqual(address, "http://llmd-monitoring-prometheus.observability.svc:9090");
        assert.strictEqual(resolveAutoscaling({ prometheusAddress: address }).prometheusAddress, address);
    });

    it("rejects a bad namespace naming the field", () => {
        assert.throws(() => operatorCharts({ keda: true, kedaNamespace: "KEDA" }), (e: unknown) => e instanceof LlmdConfigError && e.field === "operators.kedaNamespace");
    });
});
