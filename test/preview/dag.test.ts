import * as assert from "assert";
import { criticalPath } from "../../stacks/dag";
import { RecordedResource } from "../../stacks/mock-engine";
import { shippedStackResources } from "../support/shipped-stacks";

const names = (path: string[]) => path.map((urn) => urn.split("::").pop());

function resource(name: string, dependencies: string[] = [], custom = true, type = "kubernetes:core/v1:ConfigMap"): RecordedResource {
    return { type, name, urn: `urn::${name}`, dependencies: dependencies.map((d) => `urn::${d}`), custom, inputs: {}, secretPaths: [], retainOnDelete: false, ignoreChanges: [] };
}

// `pulumi up` runs independent resources in parallel; the longest chain of waits is what it cannot shorten.
describe("deployment critical path", () => {
    it("follows the longest chain of waits, through Helm charts but not plain components", () => {
        const path = criticalPath([
            resource("a"),
            resource("b", ["a"]),
            resource("chart", ["b"], false, "kubernetes:helm.sh/v4:Chart"),
            resource("component", ["a"], false, "llmd:index:LlmdModel"),
            resource("c", ["chart", "component"]),
            resource("d", ["a"]),
        ]);
        assert.deepStrictEqual(names(path), ["a", "b", "chart", "c"]);
    });

    it("local: five steps, from the cluster's provider through the Istio charts to the objects that need istiod", async () => {
        const path = names(criticalPath(await shippedStackResources("local")));
        assert.strictEqual(path.length, 5, path.join(" -> "));
        assert.deepStrictEqual(path.slice(0, 4), ["kind-k8s", path[1], "llmd-gateway-istio-base", "llmd-gateway-istiod"]);
        assert.match(path[1]!, /^llmd-gateway-crd-/);
    });

    it("gke: seven steps, four of them the cluster itself, and no model object waits for the whole platform", async () => {
        const resources = await shippedStackResources("gke");
        const path = names(criticalPath(resources));
        assert.strictEqual(path.length, 7, path.join(" -> "));
        assert.deepStrictEqual(path.slice(0, 4), ["gke-proxy-only", "gke-cluster", "gke-pool-system", "gke-k8s"]);
        // The router's workload waits for its namespace only, never for a CRD, a chart or the Gateway.
        const deployment = resources.find((r) => r.name === "llmd-router-deployment")!;
        const waitedFor = deployment.dependencies.map((urn) => urn.split("::").pop());
        assert.deepStrictEqual(waitedFor, ["llmd-namespace"]);
    });
});
