import * as assert from "assert";
import { THANOS_TENANCY_ADDRESS } from "../../components/render/autoscaling-openshift";
import { RecordedResource } from "../../stacks/mock-engine";
import { shippedStackResources } from "../support/shipped-stacks";

const ofType = (resources: RecordedResource[], suffix: string) => resources.filter((r) => r.type.endsWith(suffix));
const meta = (r: RecordedResource) => r.inputs.metadata as { name: string; namespace?: string; annotations?: Record<string, string> };

// The shipped openshift stack, planned as `pulumi preview` would: its model scales on OpenShift's Thanos querier
// through Red Hat's Custom Metrics Autoscaler, and every object of that chain names one the plan creates.
describe("openshift stack: autoscaling on the Thanos querier", function () {
    this.timeout(120000);
    let resources: RecordedResource[];
    before(async () => {
        resources = await shippedStackResources("openshift");
    });

    function one(suffix: string, name?: string): RecordedResource {
        const found = ofType(resources, suffix).filter((r) => name === undefined || meta(r).name === name);
        assert.strictEqual(found.length, 1, `${suffix} ${name ?? ""}: ${found.map((r) => r.name).join(", ")}`);
        return found[0]!;
    }

    it("scales the model's Deployment between 2 and 8 replicas on the tenancy port, naming its namespace", () => {
        const scaled = one(":ScaledObject");
        const spec = scaled.inputs.spec as any;
        const namespace = meta(scaled).namespace;
        const target = one("apps/v1:Deployment", spec.scaleTargetRef.name);
        assert.strictEqual(meta(target).namespace, namespace);
        assert.deepStrictEqual([spec.minReplicaCount, spec.maxReplicaCount], [2, 8]);
        for (const t of spec.triggers) {
            assert.deepStrictEqual([t.metadata.serverAddress, t.metadata.namespace, t.metadata.authModes], [THANOS_TENANCY_ADDRESS, namespace, "bearer"]);
        }
    });

    it("ScaledObject -> TriggerAuthentication -> token Secret -> ServiceAccount <- RoleBinding -> Role, all in the model's namespace", () => {
        const scaled = one(":ScaledObject");
        const namespace = meta(scaled).namespace;
        const refs = new Set((scaled.inputs.spec as any).triggers.map((t: any) => t.authenticationRef.name));
        assert.strictEqual(refs.size, 1);
        const auth = one(":TriggerAuthentication", [...refs][0] as string);
        const targets = (auth.inputs.spec as any).secretTargetRef as { parameter: string; name: string; key: string }[];
        assert.deepStrictEqual(targets.map((t) => [t.parameter, t.key]), [["bearerToken", "token"], ["ca", "ca.crt"]]);
        assert.strictEqual(new Set(targets.map((t) => t.name)).size, 1);
        const secret = one("core/v1:Secret", targets[0]!.name);
        const account = one("core/v1:ServiceAccount", meta(secret).annotations!["kubernetes.io/service-account.name"]);
        const binding = ofType(resources, ":RoleBinding").find((r) => (r.inputs.subjects as any[]).some((s) => s.kind === "ServiceAccount" && s.name === meta(account).name))!;
        assert.ok(binding, "a RoleBinding grants the token's ServiceAccount");
        const role = one(":Role", (binding.inputs.roleRef as any).name);
        assert.deepStrictEqual((role.inputs.rules as any[]).map((r) => r.resources), [["pods"], ["pods", "nodes"]]);
        for (const r of [auth, secret, account, binding, role]) {
            assert.strictEqual(meta(r).namespace, namespace, r.name);
        }
        // The token Secret is filled only for an account that exists: it waits for it.
        assert.ok(secret.dependencies.includes(account.urn), secret.dependencies.join(", "));
    });

    it("relies on the cluster's Custom Metrics Autoscaler: no KEDA chart, and nothing waits for one", () => {
        assert.deepStrictEqual(resources.filter((r) => r.type.startsWith("kubernetes:helm.sh/") && /keda/i.test(r.name)).map((r) => r.name), []);
        const scaled = one(":ScaledObject");
        assert.deepStrictEqual(scaled.dependencies.map((urn) => urn.split("::").pop()), ["llmd-namespace"]);
    });
});
