import * as assert from "assert";
import { LlmdConfigError } from "../../components/errors";
import { ScaleTarget, renderAutoscaling, resolveAutoscaling, triggerAuthenticationName } from "../../components/render/autoscaling";
import { THANOS_TENANCY_ADDRESS, isThanosTenancyAddress, thanosReaderNames } from "../../components/render/autoscaling-openshift";
import { resolveLlmdModel } from "../../components/render/model";
import { ModelOperationsInput, renderModelOperations } from "../../components/render/model-operations";
import { metricsReaderNames } from "../../components/render/monitoring";
import { ModelMetricsScope } from "../../components/render/monitoring-scope";
import { tokenServiceAccount } from "../../components/render/service-account-token";
import { K8sObject } from "../../components/render/types";
import { validateObject } from "../support/schema";

const scope: ModelMetricsScope = { release: "qwen", namespace: "llm-d", poolName: "qwen", servedModelName: "Qwen/Qwen3-32B", pd: false };
const targets: ScaleTarget[] = [{ role: "both", kind: "Deployment", name: "qwen-both" }];
const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind) as any[];

function configError(fn: () => unknown, field: string, expected: RegExp): void {
    assert.throws(fn, (e: unknown) => e instanceof LlmdConfigError && e.field === field && expected.test(e.message));
}

describe("KEDA autoscaling on OpenShift's Thanos querier", () => {
    const spec = resolveAutoscaling({ prometheusAddress: THANOS_TENANCY_ADDRESS });
    const objects = renderAutoscaling(spec, scope, targets);

    it("is chosen by the tenancy address, with a bearer token and no Google identity", () => {
        assert.deepStrictEqual([spec.openshiftThanos, spec.bearerAuth, spec.gcpWorkloadIdentity], [true, true, false]);
        // The short Service names resolve in the cluster too.
        for (const address of ["https://thanos-querier.openshift-monitoring.svc:9092", "https://thanos-querier.openshift-monitoring:9092/"]) {
            assert.strictEqual(resolveAutoscaling({ prometheusAddress: address }).openshiftThanos, true, address);
        }
        assert.strictEqual(resolveAutoscaling({ prometheusAddress: "http://prometheus.monitoring.svc:9090" }).openshiftThanos, false);
    });

    it("each trigger names the model's namespace, authenticates as bearer and points at the model's TriggerAuthentication", () => {
        const [auth] = byKind(objects, "TriggerAuthentication");
        assert.strictEqual(auth.metadata.name, triggerAuthenticationName(scope));
        assert.strictEqual(auth.metadata.namespace, "llm-d");
        for (const so of byKind(objects, "ScaledObject")) {
            assert.strictEqual(so.spec.triggers.length, 2);
            for (const t of so.spec.triggers) {
                assert.deepStrictEqual(
                    [t.type, t.metadata.serverAddress, t.metadata.namespace, t.metadata.authModes, t.authenticationRef],
                    ["prometheus", THANOS_TENANCY_ADDRESS, "llm-d", "bearer", { name: auth.metadata.name }],
                );
            }
        }
    });

    it("the TriggerAuthentication takes the token and ca.crt from the model's own token Secret", () => {
        const names = thanosReaderNames(scope);
        const [auth] = byKind(objects, "TriggerAuthentication");
        assert.deepStrictEqual(auth.spec, {
            secretTargetRef: [
                { parameter: "bearerToken", name: names.tokenSecret, key: "token" },
                { parameter: "ca", name: names.tokenSecret, key: "ca.crt" },
            ],
        });
        const [secret] = byKind(objects, "Secret");
        assert.deepStrictEqual([secret.metadata.name, secret.type, secret.metadata.annotations], [names.tokenSecret, "kubernetes.io/service-account-token", { "kubernetes.io/service-account.name": names.serviceAccount }]);
        assert.strictEqual(tokenServiceAccount(secret, objects), byKind(objects, "ServiceAccount")[0]);
        assert.notStrictEqual(names.tokenSecret, metricsReaderNames(scope).tokenSecret, "the scraper's token is not the one that reads Thanos");
    });

    it("grants exactly the docs' thanos-metrics-reader Role, in the model's namespace, to that ServiceAccount only", () => {
        const names = thanosReaderNames(scope);
        const [role] = byKind(objects, "Role");
        assert.deepStrictEqual([role.metadata.name, role.metadata.namespace], [names.role, "llm-d"]);
        assert.deepStrictEqual(role.rules, [
            { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
            { apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
        ]);
        const [binding] = byKind(objects, "RoleBinding");
        assert.strictEqual(binding.metadata.namespace, "llm-d");
        assert.deepStrictEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: names.role });
        assert.deepStrictEqual(binding.subjects, [{ kind: "ServiceAccount", name: names.serviceAccount, namespace: "llm-d" }]);
        // Nothing cluster-wide: no ClusterRole, no ClusterRoleBinding, no cluster-monitoring-view.
        assert.deepStrictEqual(objects.filter((o) => !o.metadata.namespace), []);
    });

    it("other Prometheus addresses keep the trigger without a namespace parameter and with the metrics reader's token", () => {
        const other = renderAutoscaling(resolveAutoscaling({ prometheusAddress: "http://prometheus.monitoring.svc:9090" }), scope, targets);
        assert.deepStrictEqual(byKind(other, "Role"), []);
        for (const t of byKind(other, "ScaledObject")[0].spec.triggers) {
            assert.strictEqual(t.metadata.namespace, undefined);
        }
    });

    it("every object is valid against kubernetes-models and the pinned KEDA CRDs, and a broken CA reference is not", () => {
        for (const o of objects) {
            assert.deepStrictEqual(validateObject(o), [], `${o.kind} ${o.metadata.name}`);
        }
        const auth = structuredClone(byKind(objects, "TriggerAuthentication")[0]);
        delete auth.spec.secretTargetRef[1].key;
        assert.notDeepStrictEqual(validateObject(auth), []);
        const binding = structuredClone(byKind(objects, "RoleBinding")[0]);
        delete binding.roleRef.name;
        assert.notDeepStrictEqual(validateObject(binding), []);
    });

    it("refuses another port, plain http, a path, and turning the token off, naming the field", () => {
        for (const address of ["https://thanos-querier.openshift-monitoring.svc.cluster.local:9091", "http://thanos-querier.openshift-monitoring.svc.cluster.local:9092", `${THANOS_TENANCY_ADDRESS}/api`, "https://thanos-querier.openshift-monitoring.svc"]) {
            assert.strictEqual(isThanosTenancyAddress(address), false, address);
            configError(() => resolveAutoscaling({ prometheusAddress: address }), "autoscaling.prometheusAddress", /tenancy port, https:\/\/thanos-querier\.openshift-monitoring\.svc\.cluster\.local:9092/);
        }
        configError(() => resolveAutoscaling({ prometheusAddress: THANOS_TENANCY_ADDRESS, bearerAuth: false }), "autoscaling.bearerAuth", /bearer token: expected true or unset/);
    });
});

describe("a model's day-2 objects on OpenShift's Thanos querier", () => {
    function model(release: string, monitoring: ModelOperationsInput["monitoring"]): ModelOperationsInput {
        return {
            release,
            namespace: "llm-d",
            poolName: release,
            servedModelName: `org/${release}`,
            pd: false,
            modelServerSelector: { "llm-d.ai/model": release },
            routerSelector: { "app.kubernetes.io/instance": release },
            monitoring,
            autoscaling: resolveAutoscaling({ prometheusAddress: THANOS_TENANCY_ADDRESS }),
            scaleTargets: [{ role: "both", kind: "Deployment", name: `${release}-both` }],
        };
    }
    const key = (o: K8sObject) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

    it("autoscaling alone renders no metrics reader, whose token nothing would send", () => {
        const objects = renderModelOperations(model("qwen", undefined));
        assert.deepStrictEqual(objects.map((o) => o.kind), ["ServiceAccount", "Secret", "Role", "RoleBinding", "TriggerAuthentication", "ScaledObject"]);
        assert.ok(!objects.some((o) => o.metadata.name === metricsReaderNames(scope).serviceAccount));
    });

    it("two models in one namespace, both monitored, render no object twice", () => {
        const objects = [model("qwen", {}), model("llama", {})].flatMap(renderModelOperations);
        const keys = objects.map(key);
        assert.deepStrictEqual(keys.filter((k, i) => keys.indexOf(k) !== i), []);
        assert.strictEqual(byKind(objects, "RoleBinding").length, 2);
    });
});

describe("a model's cluster and the Thanos querier", () => {
    const platform = { name: "llmd", namespace: "llm-d", gatewayImplementation: "istio", gatewayName: "gw", modelRouting: "none", leaderWorkerSet: false } as any;
    const args = (clusterProvider?: string) => ({ preset: "simulator", clusterProvider, autoscaling: { prometheusAddress: THANOS_TENANCY_ADDRESS } }) as any;

    it("is allowed on OpenShift, on an existing cluster of unnamed kind and when the cluster is not said", () => {
        for (const provider of ["openshift", "existing", undefined]) {
            assert.ok(resolveLlmdModel("qwen", args(provider), platform).operations.some((o) => o.kind === "RoleBinding"), String(provider));
        }
    });

    it("is refused on a cluster known to be another kind, naming the field and the cluster", () => {
        for (const provider of ["gke", "aks", "digitalocean", "minikube", "kind"]) {
            configError(() => resolveLlmdModel("qwen", args(provider), platform), "autoscaling.prometheusAddress", new RegExp(`only on OpenShift, and this model's cluster is ${provider}`));
        }
    });
});

describe("token Secret's ServiceAccount", () => {
    const sa = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "a", namespace: "n" } };
    const secret = { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/service-account-token", metadata: { name: "a-token", namespace: "n", annotations: { "kubernetes.io/service-account.name": "a" } } };

    it("is the annotated account in the same namespace, and nothing for other Secrets", () => {
        assert.strictEqual(tokenServiceAccount(secret, [sa, secret]), sa);
        assert.strictEqual(tokenServiceAccount(secret, [{ ...sa, metadata: { name: "a", namespace: "other" } }]), undefined);
        assert.strictEqual(tokenServiceAccount({ ...secret, type: "Opaque" } as K8sObject, [sa]), undefined);
        assert.strictEqual(tokenServiceAccount(sa, [sa]), undefined);
    });
});
