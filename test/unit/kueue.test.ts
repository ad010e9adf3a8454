import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../../components/catalog/versions";
import { LlmdConfigError } from "../../components/errors";
import { TopologyAwareScheduling, TopologyAwareSchedulingArgs, resolveKueueInstall } from "../../components/kueue";
import { RecordedResource, runWithMocks } from "../../stacks/mock-engine";
import { aksH100, aksMi300x, gkeH100 } from "./kueue-fixtures";

const COMPONENT = "llmd:index:TopologyAwareScheduling";
const CHART = "kubernetes:helm.sh/v4:Chart";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const KUEUE = (kind: string) => `kubernetes:kueue.x-k8s.io/v1beta2:${kind}`;

type Args = Omit<TopologyAwareSchedulingArgs, "kubernetesProvider">;

const base: Args = { clusterProvider: "aks", pools: [aksH100, aksMi300x], namespace: "llm-d" };

function settled<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply(resolve));
}

async function run(args: Args, preview = false) {
    const { resources, result } = await runWithMocks(
        async () => {
            const provider = new k8s.Provider("cluster", {});
            const tas = new TopologyAwareScheduling("tas", { ...args, kubernetesProvider: provider });
            if (preview) {
                return undefined;
            }
            return {
                localQueueName: await settled(tas.localQueueName),
                clusterQueueName: await settled(tas.clusterQueueName),
                topologyName: await settled(tas.topologyName),
                groupLevel: await settled(tas.groupLevel),
                podSetTopologyAnnotation: await settled(tas.podSetTopologyAnnotation),
                podSetAnnotations: await settled(tas.podSetAnnotations),
                queueLabels: await settled(tas.queueLabels),
            };
        },
        { stack: "test", preview },
    );
    const component = resources.find((r) => r.type === COMPONENT)!;
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    const children = resources.filter((r) => r.parent === component.urn);
    return { resources, component, provider, children, outputs: result };
}

function ofType(resources: RecordedResource[], type: string): RecordedResource[] {
    return resources.filter((r) => r.type === type);
}

describe("TopologyAwareScheduling", () => {
    describe("with Kueue installed (default)", () => {
        let r: Awaited<ReturnType<typeof run>>;
        before(async () => {
            r = await run(base);
        });

        it("creates the namespace, the chart, a Topology, a flavor per pool, a ClusterQueue and a LocalQueue", () => {
            assert.deepStrictEqual(
                r.children.map((c) => c.type).sort(),
                [NAMESPACE, CHART, KUEUE("Topology"), KUEUE("ResourceFlavor"), KUEUE("ResourceFlavor"), KUEUE("ClusterQueue"), KUEUE("LocalQueue")].sort(),
            );
            assert.deepStrictEqual(
                ofType(r.children, KUEUE("ResourceFlavor")).map((f) => (f.inputs.metadata as any).name).sort(),
                ["llmd-h100", "llmd-mi300x"],
            );
        });

        it("installs the pinned Kueue chart as release kueue into kueue-system", () => {
            const [chart] = ofType(r.children, CHART);
            const [ns] = ofType(r.children, NAMESPACE);
            assert.strictEqual(chart.name, "tas-kueue");
            assert.strictEqual(chart.inputs.chart, CHARTS.kueue.chart);
            assert.strictEqual(chart.inputs.chart, "oci://registry.k8s.io/kueue/charts/kueue");
            assert.strictEqual(chart.inputs.version, CHARTS.kueue.version);
            // Kueue's OCI chart versions drop the tag's "v" (release v0.19.2 is chart 0.19.2).
            assert.match(String(chart.inputs.version), /^\d+\.\d+\.\d+$/);
            assert.strictEqual(chart.inputs.name, "kueue");
            assert.strictEqual(chart.inputs.namespace, "kueue-system");
            assert.deepStrictEqual(chart.inputs.values, {});
            assert.strictEqual((ns.inputs.metadata as any).name, "kueue-system");
            assert.deepStrictEqual(chart.dependencies, [ns.urn]);
        });

        it("creates every Kueue object after the chart (its CRDs and webhooks)", () => {
            const [chart] = ofType(r.children, CHART);
            const objects = r.children.filter((c) => c.type.startsWith("kubernetes:kueue.x-k8s.io/"));
            assert.strictEqual(objects.length, 5);
            for (const o of objects) {
                assert.ok(o.dependencies.includes(chart.urn), `${o.name} waits for the chart`);
                assert.strictEqual(o.inputs.apiVersion, "kueue.x-k8s.io/v1beta2");
            }
        });

        it("wires every child to the component and the given provider", () => {
            assert.strictEqual(r.children.length, 7);
            for (const child of r.children) {
                assert.ok(child.provider?.startsWith(`${r.provider.urn}::`), `${child.name} uses the given provider`);
            }
        });

        it("puts the LocalQueue in the serving namespace pointing at the ClusterQueue", () => {
            const [lq] = ofType(r.children, KUEUE("LocalQueue"));
            assert.strictEqual((lq.inputs.metadata as any).namespace, "llm-d");
            assert.deepStrictEqual(lq.inputs.spec, { clusterQueue: "llmd" });
        });

        it("exposes queue names, topology and the labels and annotations a group carries", () => {
            assert.deepStrictEqual(r.outputs, {
                localQueueName: "llmd",
                clusterQueueName: "llmd",
                topologyName: "llmd-topology",
                groupLevel: "kubernetes.azure.com/agentpool",
                podSetTopologyAnnotation: { "kueue.x-k8s.io/podset-required-topology": "kubernetes.azure.com/agentpool" },
                podSetAnnotations: {
                    "kueue.x-k8s.io/podset-required-topology": "kubernetes.azure.com/agentpool",
                    "kueue.x-k8s.io/podset-group-name": "llmd-group",
                },
                queueLabels: { "kueue.x-k8s.io/queue-name": "llmd" },
            });
        });
    });

    it("with installKueue false creates only the Kueue objects, with no dependencies", async () => {
        const r = await run({ ...base, installKueue: false });
        assert.strictEqual(ofType(r.children, CHART).length, 0);
        assert.strictEqual(ofType(r.children, NAMESPACE).length, 0);
        assert.strictEqual(r.children.length, 5);
        for (const c of r.children) {
            assert.deepStrictEqual(c.dependencies, []);
        }
    });

    it("uses an existing Kueue namespace and passes extra values through", async () => {
        const r = await run({ ...base, kueueNamespace: "queues", createKueueNamespace: false, kueueValues: { controllerManager: { replicas: 2 } } });
        assert.strictEqual(ofType(r.children, NAMESPACE).length, 0);
        const [chart] = ofType(r.children, CHART);
        assert.strictEqual(chart.inputs.namespace, "queues");
        assert.deepStrictEqual(chart.inputs.values, { controllerManager: { replicas: 2 } });
        assert.deepStrictEqual(chart.dependencies, []);
    });

    it("follows the GKE profile and custom names", async () => {
        const r = await run({ clusterProvider: "gke", pools: [gkeH100], namespace: "serving", clusterQueueName: "gpu", localQueueName: "models", placement: "preferred" });
        const [topology] = ofType(r.children, KUEUE("Topology"));
        assert.strictEqual((topology.inputs.metadata as any).name, "gpu-topology");
        assert.strictEqual((topology.inputs.spec as any).levels[0].nodeLabel, "cloud.google.com/gce-topology-block");
        assert.deepStrictEqual(r.outputs!.podSetTopologyAnnotation, { "kueue.x-k8s.io/podset-preferred-topology": "cloud.google.com/gce-topology-block" });
        assert.deepStrictEqual(r.outputs!.queueLabels, { "kueue.x-k8s.io/queue-name": "models" });
    });

    it("passes the model servers' RDMA override and extra resources to the ClusterQueue", async () => {
        const r = await run({
            ...base,
            network: { rdmaResourceName: "rdma/shared_ib", rdmaResourceCount: 1 },
            extraResources: [{ name: "example.com/fpga", perNode: 2, pool: "mi300x" }],
        });
        const [cq] = ofType(r.children, KUEUE("ClusterQueue"));
        const [group] = (cq.inputs.spec as any).resourceGroups;
        assert.deepStrictEqual(group.coveredResources, ["cpu", "memory", "nvidia.com/gpu", "amd.com/gpu", "rdma/shared_ib", "example.com/fpga"]);
    });

    it("does not hang in preview", async () => {
        const r = await run(base, true);
        assert.strictEqual(r.children.length, 7);
    });

    describe("bad input names the field, before any child is created", () => {
        const cases: Array<[string, Partial<Args>]> = [
            ["clusterProvider", { clusterProvider: "eks" as any }],
            ["pools", { pools: [] }],
            ["levels", { levels: [] }],
            ["levels[1]", { levels: ["example.com/rack", "example.com/rack"] }],
            ["pools[0].nodeLabels", { pools: [{ ...aksH100, nodeLabels: {} }] }],
            ["installKueue", { installKueue: "yes" as any }],
            ["createKueueNamespace", { createKueueNamespace: 1 as any }],
            ["kueueValues", { kueueValues: [] as any }],
            ["kueueNamespace", { kueueNamespace: "Kueue" }],
            ["kueueNamespace", { installKueue: false, kueueNamespace: "kueue-system" }],
            ["kueueValues", { installKueue: false, kueueValues: {} }],
            ["network.rdmaResourceCount", { network: { rdmaResourceCount: 0 } }],
            ["extraResources[0].pool", { extraResources: [{ name: "example.com/fpga", perNode: 1, pool: "a100" }] }],
        ];
        for (const [field, args] of cases) {
            it(`${field}: ${JSON.stringify(args).slice(0, 80)}`, async () => {
                let caught: unknown;
                const { resources } = await runWithMocks(
                    () => {
                        try {
                            new TopologyAwareScheduling("tas", { ...base, ...args });
                        } catch (err) {
                            caught = err;
                        }
                    },
                    { stack: "test", preview: false },
                );
                assert.ok(caught instanceof LlmdConfigError, `threw ${caught}`);
                assert.strictEqual(caught.field, field);
                assert.ok(caught.message.startsWith(`${field}:`));
                assert.deepStrictEqual(resources.filter((r) => r.name.startsWith("tas")).map((r) => r.type), [COMPONENT]);
            });
        }

        it("resolveKueueInstall defaults", () => {
            assert.deepStrictEqual(resolveKueueInstall({}), { enabled: true, namespace: "kueue-system", createNamespace: true, values: {} });
            assert.throws(() => resolveKueueInstall({ installKueue: false, createKueueNamespace: true }), (e: unknown) => e instanceof LlmdConfigError && e.field === "createKueueNamespace");
        });
    });
});
