import * as assert from "assert";
import { KueueInput, renderKueue, resolveKueueSpec } from "../../components/render/kueue";
import { K8sObject } from "../../components/render/types";
import { validateObject } from "../support/schema";
import { aksH100, aksMi300x, aksNdH100, doH100, gkeA3Ultra, gkeH100, gkeV6e, kindCpu } from "../unit/kueue-fixtures";

const variants: Array<[string, KueueInput]> = [
    ["GKE H100 (block/sub-block/host)", { clusterProvider: "gke", pools: [gkeH100], namespace: "llm-d" }],
    ["GKE TPU v6e 4x4 (node pool)", { clusterProvider: "gke", pools: [gkeV6e], namespace: "llm-d" }],
    ["GKE H100 + TPU, node-pool profile, preferred", { clusterProvider: "gke", pools: [gkeH100, gkeV6e], namespace: "llm-d", topologyProfile: "gke-nodepool", placement: "preferred" }],
    ["AKS H100 + MI300X (agent pool)", { clusterProvider: "aks", pools: [aksH100, aksMi300x], namespace: "serving", clusterQueueName: "gpu", localQueueName: "models" }],
    ["DigitalOcean H100x8", { clusterProvider: "digitalocean", pools: [doH100], namespace: "llm-d" }],
    ["existing cluster with rack label", { clusterProvider: "existing", pools: [doH100], namespace: "llm-d", rackLabel: "example.com/rack" }],
    ["explicit levels, custom quotas", { clusterProvider: "openshift", pools: [doH100], namespace: "llm-d", levels: ["example.com/block", "example.com/rack", "kubernetes.io/hostname"], cpuPerNode: 96, memoryGiBPerNode: 1800 }],
    ["kind CPU pool (host)", { clusterProvider: "kind", pools: [kindCpu], namespace: "llm-d" }],
    ["AKS ND H100 v5 InfiniBand (rdma/ib)", { clusterProvider: "aks", pools: [aksNdH100], namespace: "llm-d" }],
    ["GKE A3 Ultra RoCE (8 RDMA networks) + A3 High", { clusterProvider: "gke", pools: [gkeA3Ultra, gkeH100], namespace: "llm-d", topologyProfile: "gke-nodepool" }],
    [
        "InfiniBand with an RDMA override and extra resources",
        {
            clusterProvider: "aks",
            pools: [aksNdH100, aksMi300x],
            namespace: "llm-d",
            network: { rdmaResourceName: "rdma/shared_ib", rdmaResourceCount: 1 },
            extraResources: [{ name: "example.com/fpga", perNode: 2, pool: "mi300x" }],
        },
    ],
];

function render(input: KueueInput): K8sObject[] {
    return renderKueue(resolveKueueSpec(input));
}

describe("Kueue objects against the pinned Kueue v0.19.2 CRDs", () => {
    for (const [what, input] of variants) {
        it(`${what}: every object is valid`, () => {
            const objects = render(input);
            assert.ok(objects.length >= 4);
            for (const obj of objects) {
                assert.deepStrictEqual(validateObject(obj), [], `${obj.kind}/${obj.metadata.name}`);
            }
        });
    }

    // Proves the objects are checked against the Kueue CRDs and not just their envelope.
    it("rejects a misspelt field and a wrong type in Kueue objects", () => {
        const [topology, flavor, cq] = render(variants[0][1]);
        const badTopology = { ...topology, spec: { levels: [{ label: "kubernetes.io/hostname" }] } };
        assert.notDeepStrictEqual(validateObject(badTopology), []);
        const badFlavor = { ...flavor, spec: { ...(flavor.spec as object), nodeLabel: { a: "b" } } };
        assert.notDeepStrictEqual(validateObject(badFlavor), []);
        const badQueue = { ...cq, spec: { ...(cq.spec as object), cohort: "x" } };
        assert.notDeepStrictEqual(validateObject(badQueue), [], "v1beta2 renamed cohort to cohortName");
        const tooManyLabels = {
            ...flavor,
            spec: { ...(flavor.spec as object), nodeLabels: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`l${i}`, "x"])) },
        };
        assert.notDeepStrictEqual(validateObject(tooManyLabels), []);
    });

    // CEL rules are not evaluated by the validator; these check the ones our objects could break.
    it("satisfies the CRDs' CEL rules that the validator does not evaluate", () => {
        for (const [, input] of variants) {
            for (const obj of render(input)) {
                const spec = obj.spec as any;
                if (obj.kind === "Topology") {
                    const labels: string[] = spec.levels.map((l: any) => l.nodeLabel);
                    assert.strictEqual(new Set(labels).size, labels.length, "levels are unique");
                    const host = labels.indexOf("kubernetes.io/hostname");
                    assert.ok(host === -1 || host === labels.length - 1, "hostname only last");
                }
                if (obj.kind === "ResourceFlavor") {
                    assert.ok(Object.keys(spec.nodeLabels).length >= 1, "a TAS flavor selects nodes by label");
                    for (const t of spec.tolerations ?? []) {
                        assert.ok(t.operator === "Equal" || t.operator === "Exists");
                        assert.ok(t.operator !== "Exists" || t.value === undefined, "no value with Exists");
                    }
                }
                if (obj.kind === "ClusterQueue") {
                    for (const group of spec.resourceGroups) {
                        for (const flavor of group.flavors) {
                            assert.deepStrictEqual(flavor.resources.map((r: any) => r.name), group.coveredResources);
                        }
                    }
                    assert.strictEqual(spec.cohortName, undefined, "no borrowing limits without a cohort");
                }
            }
        }
    });
});
