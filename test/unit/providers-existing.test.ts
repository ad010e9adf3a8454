import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { knownPools } from "../../components/cluster";
import { AcceleratorPool } from "../../components/pool";
import { expectConstructionError } from "../support/config-errors";
import { ExistingCluster, ExistingClusterArgs, resolveExistingPools } from "../../providers/existing";
import { RecordedResource, SECRET, runWithMocks } from "../../stacks/mock-engine";

async function connect(args: ExistingClusterArgs, preview = false): Promise<{ resources: RecordedResource[]; cluster: ExistingCluster }> {
    let cluster!: ExistingCluster;
    const { resources } = await runWithMocks(() => {
        cluster = new ExistingCluster("site", args);
    }, { stack: "test", preview });
    return { resources, cluster };
}

const provider = (resources: RecordedResource[]) => resources.find((r) => r.type === "pulumi:providers:kubernetes")!;

describe("ExistingCluster", () => {
    it("uses the ambient kubeconfig with the given context, keyed on a stable cluster name", async () => {
        const { resources } = await connect({ kind: "kind", context: "kind-llmd" });
        const p = provider(resources);
        assert.deepStrictEqual(p.inputs, { clusterIdentifier: "kind-llmd", context: "kind-llmd" });
        assert.strictEqual(p.parent, resources.find((r) => r.type === "llmd:index:ExistingCluster")!.urn);
    });

    it("keeps a given kubeconfig secret in the provider and the output", async () => {
        const { resources, cluster } = await connect({ kind: "openshift", kubeconfig: "apiVersion: v1\nkind: Config\n", clusterName: "ocp" });
        const p = provider(resources);
        assert.strictEqual(p.inputs.kubeconfig, SECRET);
        assert.strictEqual(p.inputs.clusterIdentifier, "ocp");
        assert.strictEqual(await (cluster.kubeconfig as any).isSecret, true);
    });

    it("describes declared GPU pools in the shared shape, with the vendor taint by default", () => {
        const [pool] = resolveExistingPools([{ name: "h100", accelerator: "nvidia-h100", acceleratorsPerNode: 8, nodes: 2, nodeLabels: { gpu: "h100" } }]);
        assert.deepStrictEqual(pool, {
            name: "h100",
            accelerator: "nvidia-h100",
            acceleratorsPerNode: 8,
            maxNodes: 2,
            nodeLabels: { gpu: "h100" },
            taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
            interconnect: "none",
        });
        assert.deepStrictEqual(resolveExistingPools([{ name: "gpu", accelerator: "nvidia-l4", acceleratorsPerNode: 1, nodes: 1, taints: [] }])[0].taints, []);
    });

    it("outputs its version and pools so LlmdDeployment can place servers", async () => {
        const { cluster } = await connect({ kind: "minikube", kubernetesVersion: "1.32", pools: [{ name: "gpu", accelerator: "nvidia-l4", acceleratorsPerNode: 1, nodes: 1 }] });
        assert.strictEqual((await new Promise<AcceleratorPool[]>((resolve) => cluster.pools.apply(resolve)))[0].accelerator, "nvidia-l4");
        // Plain arguments: the same list is known at once, for programs that plan before deploying.
        assert.strictEqual(knownPools(cluster)![0].accelerator, "nvidia-l4");
        assert.strictEqual(await new Promise((resolve) => cluster.kubernetesVersion.apply(resolve)), "1.32");
    });

    it("evaluates in preview without hanging", async () => {
        const { resources } = await connect({ kind: "generic", kubeconfig: pulumi.secret("x") }, true);
        assert.ok(provider(resources));
    });

    const bad: Array<[string, ExistingClusterArgs, string]> = [
        ["an unknown platform", { kind: "eks" as never }, "kind"],
        ["Kubernetes below 1.29", { kubernetesVersion: "1.28" }, "kubernetesVersion"],
        ["GPU pools on kind", { kind: "kind", pools: [{ name: "g", accelerator: "nvidia-l4", acceleratorsPerNode: 1, nodes: 1 }] }, "pools"],
        ["an unknown accelerator", { pools: [{ name: "g", accelerator: "nvidia-k80", acceleratorsPerNode: 1, nodes: 1 }] }, "pools[0].accelerator"],
        ["a CPU pool", { pools: [{ name: "c", accelerator: "cpu", acceleratorsPerNode: 1, nodes: 1 }] }, "pools[0].accelerator"],
        ["zero accelerators per node", { pools: [{ name: "g", accelerator: "nvidia-l4", acceleratorsPerNode: 0, nodes: 1 }] }, "pools[0].acceleratorsPerNode"],
        ["duplicate pool names", { pools: [{ name: "g", accelerator: "nvidia-l4", acceleratorsPerNode: 1, nodes: 1 }, { name: "g", accelerator: "nvidia-l4", acceleratorsPerNode: 1, nodes: 1 }] }, "pools[1].name"],
        ["an unknown interconnect", { pools: [{ name: "g", accelerator: "nvidia-h100", acceleratorsPerNode: 8, nodes: 2, interconnect: "nvlink-switch" }] }, "pools[0].interconnect"],
    ];
    for (const [title, args, field] of bad) {
        it(`rejects ${title}, naming ${field}, before creating anything`, () =>
            expectConstructionError(() => new ExistingCluster("site", args), field));
    }
});
