import * as assert from "assert";
import { isKubernetesObject } from "../../stacks/plan";
import { shippedStackResources } from "../support/shipped-stacks";
import { listStacks } from "../../stacks/stack-files";
import { K8sObject } from "../../components/render/types";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROUTER_NAME_LABEL = { "app.kubernetes.io/name": "llm-d-router", "app.kubernetes.io/component": "router" };

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
    return selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function grants(objects: Json[], namespace: string, serviceAccount: string, rule: (r: Json) => boolean): boolean {
    return objects.some(
        (b) =>
            b.kind === "ClusterRoleBinding" &&
            b.subjects.some((s: Json) => s.kind === "ServiceAccount" && s.name === serviceAccount && s.namespace === namespace) &&
            objects.some((r) => r.kind === "ClusterRole" && r.metadata.name === b.roleRef.name && r.rules.some(rule)),
    );
}

/**
 * The router serves `/metrics` only to callers the API server vouches for: in every shipped stack the flag that
 * would turn that off is absent, the router may ask for the reviews, and every monitor that scrapes a router sends
 * a token that may read `/metrics`.
 */
for (const stack of listStacks().filter((s) => s !== "baremetal")) {
    describe(`stack ${stack}: router metrics authentication`, () => {
        let objects: Json[];

        before(async () => {
            objects = (await shippedStackResources(stack)).filter(isKubernetesObject).map((r) => r.inputs as K8sObject);
        });

        it("every router keeps --metrics-endpoint-auth on and its ServiceAccount may create TokenReviews and SubjectAccessReviews", () => {
            const routers = objects.filter((o) => o.kind === "Deployment" && selects(ROUTER_NAME_LABEL, o.spec.template.metadata.labels));
            assert.ok(routers.length > 0);
            for (const router of routers) {
                const epp = router.spec.template.spec.containers.find((c: Json) => c.name === "epp");
                assert.ok(!epp.args.some((a: string) => a.startsWith("--metrics-endpoint-auth")), router.metadata.name);
                const sa = router.spec.template.spec.serviceAccountName;
                const ns = router.metadata.namespace;
                assert.ok(grants(objects, ns, sa, (r) => r.apiGroups?.[0] === "authentication.k8s.io" && r.resources.includes("tokenreviews") && r.verbs.includes("create")), router.metadata.name);
                assert.ok(grants(objects, ns, sa, (r) => r.apiGroups?.[0] === "authorization.k8s.io" && r.resources.includes("subjectaccessreviews") && r.verbs.includes("create")), router.metadata.name);
            }
        });

        it("every monitor that scrapes a router sends a token allowed to get /metrics", () => {
            const routerPods = objects.filter((o) => o.kind === "Deployment" && selects(ROUTER_NAME_LABEL, o.spec.template.metadata.labels));
            const routerServices = objects.filter((o) => o.kind === "Service" && selects(ROUTER_NAME_LABEL, o.spec.selector ?? {}));
            const monitors = objects.filter(
                (m) =>
                    (m.kind === "ServiceMonitor" && routerServices.some((s) => s.metadata.namespace === m.metadata.namespace && selects(m.spec.selector.matchLabels, s.metadata.labels ?? {}))) ||
                    ((m.kind === "PodMonitoring" || m.kind === "PodMonitor") &&
                        routerPods.some((d) => d.metadata.namespace === m.metadata.namespace && selects(m.spec.selector.matchLabels, d.spec.template.metadata.labels))),
            );
            // Stacks with monitoring on must scrape their routers; the check below must not pass for want of monitors.
            const monitoring = objects.some((o) => o.kind === "ServiceMonitor" || o.kind === "PodMonitoring");
            assert.strictEqual(monitors.length > 0, monitoring);
            for (const m of monitors) {
                for (const e of m.spec.endpoints ?? m.spec.podMetricsEndpoints) {
                    const c = e.authorization?.credentials;
                    const secretName = c?.secret?.name ?? c?.name;
                    assert.strictEqual(e.authorization?.type, "Bearer", `${m.kind} ${m.metadata.name}`);
                    const secret = objects.find((s) => s.kind === "Secret" && s.metadata.namespace === m.metadata.namespace && s.metadata.name === secretName);
                    assert.ok(secret, `${m.kind} ${m.metadata.name}: no Secret ${secretName}`);
                    assert.strictEqual(secret.type, "kubernetes.io/service-account-token");
                    const sa = secret.metadata.annotations["kubernetes.io/service-account.name"];
                    assert.ok(grants(objects, m.metadata.namespace, sa, (r) => (r.nonResourceURLs ?? []).includes("/metrics") && r.verbs.includes("get")), `${m.kind} ${m.metadata.name}`);
                }
            }
        });
    });
}
