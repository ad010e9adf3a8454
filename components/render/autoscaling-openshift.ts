/**
 * KEDA on OpenShift reading OpenShift's own monitoring: Red Hat's Custom Metrics Autoscaler (CMA, KEDA from OLM
 * in `openshift-keda`) queries the Thanos querier's tenancy port, which answers a query only for the namespace
 * named in the request and only to a bearer token allowed to read that namespace. The objects follow OpenShift's
 * procedure "Configuring the custom metrics autoscaler to use OpenShift Container Platform monitoring"
 * (openshift/openshift-docs `modules/nodes-cma-autoscaling-custom-prometheus-config.adoc`):
 * - a ServiceAccount and a `kubernetes.io/service-account-token` Secret for it;
 * - a TriggerAuthentication taking `bearerToken` from the Secret's `token` and `ca` from its `ca.crt`;
 * - the `thanos-metrics-reader` Role and a RoleBinding of it to the ServiceAccount, in the scaled object's
 *   namespace;
 * - triggers with `authModes: bearer` and `namespace` set to the scaled object's namespace.
 *
 * The querier's certificate is a service-serving one (its Service carries
 * `service.beta.openshift.io/serving-cert-secret-name`), signed by OpenShift's service CA, while a token Secret's
 * `ca.crt` is the API server's bundle. What verifies the querier is the service CA the KedaController mounts into
 * KEDA's operator on OpenShift (kedacore/keda-olm-operator, upstream of CMA, always adds its `keda-ocp-cabundle`
 * ConfigMap, annotated `service.beta.openshift.io/inject-cabundle`, to the operator's CA directory); KEDA adds a
 * trigger's `ca` to that pool rather than replacing it (KEDA v2.20 `pkg/util/tls_config.go`), so the docs' `ca`
 * is kept as they write it and costs nothing.
 *
 * Each model gets its own ServiceAccount, Secret, Role and RoleBinding, named after the release, so two models
 * in one namespace never share or overwrite them, and the token the scraper sends for the router's `/metrics`
 * (the metrics reader) is not the one that reads Thanos. A long-lived token Secret rather than KEDA's
 * `boundServiceAccountToken` (added in KEDA v2.17): the docs' procedure uses the Secret, and a CMA built on an
 * older KEDA would not know the field. The cost, written down in the README: a token that does not expire,
 * readable by whoever may read Secrets in the model's namespace, and allowed no more than the Role. Pure.
 */
import { renderTokenSecret } from "./service-account-token";
import { K8sObject } from "./types";
import { ModelMetricsScope, monitoringLabels } from "./monitoring-scope";
import { TOKEN_KEY } from "./monitoring";

/** The Thanos querier's tenancy port, as the docs give it for KEDA's `serverAddress`. */
export const THANOS_TENANCY_ADDRESS = "https://thanos-querier.openshift-monitoring.svc.cluster.local:9092";

/** Port of the querier that serves one namespace's metrics to a token allowed to read that namespace. */
export const THANOS_TENANCY_PORT = "9092";

/** Key of the API server's CA bundle in a ServiceAccount-token Secret (the docs' `ca` source). */
export const SERVICE_ACCOUNT_CA_KEY = "ca.crt";

// The querier's Service, by any name that resolves inside the cluster.
const THANOS_HOST = /^thanos-querier\.openshift-monitoring(\.svc(\.cluster\.local)?)?$/;

/** Whether `address` names OpenShift monitoring's Thanos querier (on any port or scheme). */
export function isThanosQuerier(address: string): boolean {
    try {
        return THANOS_HOST.test(new URL(address).hostname);
    } catch {
        return false;
    }
}

/** Whether `address` is the querier's tenancy endpoint: https, port 9092, no path. */
export function isThanosTenancyAddress(address: string): boolean {
    try {
        const url = new URL(address);
        return THANOS_HOST.test(url.hostname) && url.protocol === "https:" && url.port === THANOS_TENANCY_PORT && (url.pathname === "/" || url.pathname === "") && !url.search;
    } catch {
        return false;
    }
}

/** Names of one model's Thanos reader objects. */
export function thanosReaderNames(scope: Pick<ModelMetricsScope, "release">) {
    return {
        serviceAccount: `${scope.release}-thanos-reader`,
        tokenSecret: `${scope.release}-thanos-reader-token`,
        role: `${scope.release}-thanos-metrics-reader`,
        roleBinding: `${scope.release}-thanos-metrics-reader`,
    };
}

/**
 * The docs' `thanos-metrics-reader` rules, unchanged: `get` on pods, and `get`, `list`, `watch` on the
 * `metrics.k8s.io` pods and nodes. What the tenancy port checks is `get` on `pods.metrics.k8s.io` in the namespace
 * the query names (cluster-monitoring-operator `assets/thanos-querier/kube-rbac-proxy-secret.yaml`); nodes are
 * cluster-scoped, so in a namespaced Role that entry grants nothing.
 */
export const THANOS_METRICS_READER_RULES = [
    { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
    { apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
] as const;

/** The ServiceAccount, its token Secret, the Role and its RoleBinding, all in the model's namespace. */
export function renderThanosReader(scope: Pick<ModelMetricsScope, "release" | "namespace">): K8sObject[] {
    const names = thanosReaderNames(scope);
    const meta = (name: string) => ({ name, namespace: scope.namespace, labels: monitoringLabels(scope, "autoscaling") });
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(names.serviceAccount) },
        renderTokenSecret(meta(names.tokenSecret), names.serviceAccount),
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: meta(names.role),
            rules: THANOS_METRICS_READER_RULES.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: meta(names.roleBinding),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: names.role },
            subjects: [{ kind: "ServiceAccount", name: names.serviceAccount, namespace: scope.namespace }],
        },
    ];
}

/** The TriggerAuthentication's spec: the reader's token as `bearerToken`, the same Secret's `ca.crt` as `ca`. */
export function thanosTriggerAuthenticationSpec(scope: Pick<ModelMetricsScope, "release">): Record<string, unknown> {
    const secret = thanosReaderNames(scope).tokenSecret;
    return {
        secretTargetRef: [
            { parameter: "bearerToken", name: secret, key: TOKEN_KEY },
            { parameter: "ca", name: secret, key: SERVICE_ACCOUNT_CA_KEY },
        ],
    };
}
