import * as assert from "assert";
import { resolveAutoscaling } from "../../components/render/autoscaling";
import { THANOS_TENANCY_ADDRESS } from "../../components/render/autoscaling-openshift";
import { ModelOperationsInput, renderModelOperations } from "../../components/render/model-operations";
import { K8sObject } from "../../components/render/types";
import { validateObject } from "../support/schema";

function model(release: string, namespace: string, pd: boolean): ModelOperationsInput {
    return {
        release,
        namespace,
        poolName: release,
        servedModelName: `org/${release}`,
        pd,
        modelServerSelector: { "llm-d.ai/inference-serving": "true", "llm-d.ai/model": release },
        routerSelector: { "app.kubernetes.io/name": "llm-d-router", "app.kubernetes.io/instance": release, "app.kubernetes.io/component": "router" },
        monitoring: {},
        autoscaling: resolveAutoscaling({ prometheusAddress: "http://llmd-monitoring-prometheus.llmd-monitoring.svc:9090" }),
        scaleTargets: pd
            ? [{ role: "decode", kind: "Deployment", name: `${release}-decode` }, { role: "prefill", kind: "Deployment", name: `${release}-prefill` }]
            : [{ role: "both", kind: "LeaderWorkerSet", name: `${release}-both` }],
    };
}

const key = (o: K8sObject) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

describe("a model's day-2 objects", () => {
    it("several models on one platform never render the same object, cluster-scoped ones included", () => {
        const objects = [model("qwen", "llm-d", false), model("llama", "llm-d", true), model("qwen", "team-b", true)].flatMap(renderModelOperations);
        const keys = objects.map(key);
        const repeated = keys.filter((k, i) => keys.indexOf(k) !== i);
        assert.deepStrictEqual(repeated, []);
        assert.ok(objects.some((o) => o.kind === "ClusterRole" && o.metadata.namespace === undefined));
    });

    for (const provider of ["prometheus-operator", "gmp"] as const) {
        it(`${provider}: every object is schema-valid`, () => {
            const input = { ...model("qwen", "llm-d", true), monitoring: { provider } };
            const objects = renderModelOperations(input);
            // Each scraper gets the alert rules as its own rule object, never the other's.
            const ruleKinds = objects.filter((o) => o.kind === "PrometheusRule" || o.kind === "Rules").map((o) => `${o.apiVersion}/${o.kind}`);
            assert.deepStrictEqual(ruleKinds, [provider === "gmp" ? "monitoring.googleapis.com/v1/Rules" : "monitoring.coreos.com/v1/PrometheusRule"]);
            for (const o of objects) {
                assert.deepStrictEqual(validateObject(o), [], key(o));
            }
        });
    }

    it("OpenShift: monitors plus autoscaling on the Thanos querier are schema-valid, with two ServiceAccounts and no shared token", () => {
        const input = { ...model("qwen", "llm-d", true), autoscaling: resolveAutoscaling({ prometheusAddress: THANOS_TENANCY_ADDRESS }) };
        const objects = renderModelOperations(input);
        for (const o of objects) {
            assert.deepStrictEqual(validateObject(o), [], key(o));
        }
        assert.deepStrictEqual(objects.filter((o) => o.kind === "ServiceAccount").map((o) => o.metadata.name), ["qwen-metrics-reader", "qwen-thanos-reader"]);
        assert.deepStrictEqual(objects.filter((o) => ["Role", "RoleBinding", "TriggerAuthentication", "ScaledObject"].includes(o.kind)).map((o) => o.kind).sort(), [
            "Role",
            "RoleBinding",
            "ScaledObject",
            "ScaledObject",
            "TriggerAuthentication",
        ]);
    });

    it("autoscaling alone still renders the token it authenticates with, once", () => {
        const objects = renderModelOperations({ ...model("qwen", "llm-d", false), monitoring: undefined });
        assert.deepStrictEqual(objects.map((o) => o.kind).sort(), ["ClusterRole", "ClusterRoleBinding", "ScaledObject", "Secret", "ServiceAccount", "TriggerAuthentication"]);
        const secret = objects.find((o) => o.kind === "Secret")!;
        const auth = objects.find((o) => o.kind === "TriggerAuthentication") as any;
        assert.strictEqual(auth.spec.secretTargetRef[0].name, secret.metadata.name);
    });

    it("nothing asked, nothing rendered; autoscaling without workloads is a programming error", () => {
        assert.deepStrictEqual(renderModelOperations({ ...model("qwen", "llm-d", false), monitoring: undefined, autoscaling: undefined }), []);
        assert.throws(() => renderModelOperations({ ...model("qwen", "llm-d", false), scaleTargets: [] }), /scaleTargets/);
    });
});
