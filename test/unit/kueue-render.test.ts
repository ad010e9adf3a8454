import * as assert from "assert";
import { HOSTNAME_LABEL, TOPOLOGY_PROFILES, TOPOLOGY_PROFILES_SPEC, topologyLevels } from "../../components/catalog/topology";
import { LlmdConfigError } from "../../components/errors";
import {
    KueueInput,
    KueueSpec,
    kueueWorkloadMetadata,
    renderClusterQueue,
    renderKueue,
    renderLocalQueue,
    renderResourceFlavors,
    renderTopology,
    resolveKueueSpec,
} from "../../components/render/kueue";
import { aksH100, aksMi300x, doH100, gkeH100, gkeV6e, kindCpu } from "./kueue-fixtures";

function spec(input: Partial<KueueInput>): KueueSpec {
    return resolveKueueSpec({ clusterProvider: "gke", pools: [gkeH100], namespace: "llm-d", ...input } as KueueInput);
}

function levelsOf(s: KueueSpec): string[] {
    return (renderTopology(s).spec as any).levels.map((l: any) => l.nodeLabel);
}

describe("Kueue render", () => {
    describe("topology levels per provider", () => {
        const cases: Array<[string, Partial<KueueInput>, string[], string]> = [
            [
                "GKE GPU pools: block, sub-block, host",
                { clusterProvider: "gke", pools: [gkeH100] },
                ["cloud.google.com/gce-topology-block", "cloud.google.com/gce-topology-subblock", "cloud.google.com/gce-topology-host", HOSTNAME_LABEL],
                "cloud.google.com/gce-topology-block",
            ],
            ["GKE TPU-only pools: the node pool is the slice", { clusterProvider: "gke", pools: [gkeV6e] }, ["cloud.google.com/gke-nodepool", HOSTNAME_LABEL], "cloud.google.com/gke-nodepool"],
            ["AKS: agent pool", { clusterProvider: "aks", pools: [aksMi300x] }, ["kubernetes.azure.com/agentpool", HOSTNAME_LABEL], "kubernetes.azure.com/agentpool"],
            ["DigitalOcean: node pool", { clusterProvider: "digitalocean", pools: [doH100] }, ["doks.digitalocean.com/node-pool", HOSTNAME_LABEL], "doks.digitalocean.com/node-pool"],
            ["existing cluster: zone, host", { clusterProvider: "existing", pools: [doH100] }, ["topology.kubernetes.io/zone", HOSTNAME_LABEL], "topology.kubernetes.io/zone"],
            [
                "existing cluster with a rack label: zone, rack, host; group in the rack",
                { clusterProvider: "existing", pools: [doH100], rackLabel: "example.com/rack" },
                ["topology.kubernetes.io/zone", "example.com/rack", HOSTNAME_LABEL],
                "example.com/rack",
            ],
            ["OpenShift: generic", { clusterProvider: "openshift", pools: [doH100] }, ["topology.kubernetes.io/zone", HOSTNAME_LABEL], "topology.kubernetes.io/zone"],
            ["kind: host only", { clusterProvider: "kind", pools: [kindCpu] }, [HOSTNAME_LABEL], HOSTNAME_LABEL],
            ["minikube: host only", { clusterProvider: "minikube", pools: [kindCpu] }, [HOSTNAME_LABEL], HOSTNAME_LABEL],
            [
                "GKE GPU pools on non-reserved capacity: the node-pool profile",
                { clusterProvider: "gke", pools: [gkeH100], topologyProfile: "gke-nodepool" },
                ["cloud.google.com/gke-nodepool", HOSTNAME_LABEL],
                "cloud.google.com/gke-nodepool",
            ],
            [
                "GKE mixed TPU and GPU with the node-pool profile",
                { clusterProvider: "gke", pools: [gkeH100, gkeV6e], topologyProfile: "gke-nodepool" },
                ["cloud.google.com/gke-nodepool", HOSTNAME_LABEL],
                "cloud.google.com/gke-nodepool",
            ],
            [
                "explicit levels: group at the coarsest by default",
                { clusterProvider: "existing", pools: [doH100], levels: ["example.com/block", "example.com/rack", HOSTNAME_LABEL] },
                ["example.com/block", "example.com/rack", HOSTNAME_LABEL],
                "example.com/block",
            ],
            [
                "explicit group level",
                { clusterProvider: "gke", pools: [gkeH100], groupLevel: "cloud.google.com/gce-topology-subblock" },
                ["cloud.google.com/gce-topology-block", "cloud.google.com/gce-topology-subblock", "cloud.google.com/gce-topology-host", HOSTNAME_LABEL],
                "cloud.google.com/gce-topology-subblock",
            ],
        ];
        for (const [what, input, levels, groupLevel] of cases) {
            it(what, () => {
                const s = spec(input);
                assert.deepStrictEqual(levelsOf(s), levels);
                assert.strictEqual(s.groupLevel, groupLevel);
                assert.strictEqual(kueueWorkloadMetadata(s).topologyAnnotation["kueue.x-k8s.io/podset-required-topology"], groupLevel);
            });
        }

        it("every profile ends with the hostname level, has no duplicates, and groups at one of its levels", () => {
            for (const profile of TOPOLOGY_PROFILES) {
                const spec = TOPOLOGY_PROFILES_SPEC[profile];
                assert.strictEqual(spec.levels[spec.levels.length - 1], HOSTNAME_LABEL, profile);
                assert.strictEqual(new Set(spec.levels).size, spec.levels.length, profile);
                assert.ok(spec.levels.includes(spec.groupLevel), profile);
                assert.ok(spec.source.length > 0, profile);
                assert.deepStrictEqual(topologyLevels(profile).levels, [...spec.levels]);
            }
        });
    });

    describe("flavors per pool", () => {
        it("one ResourceFlavor per pool with its labels, tolerations for its taints and the topology", () => {
            const s = spec({ clusterProvider: "aks", pools: [aksH100, aksMi300x] });
            const flavors = renderResourceFlavors(s);
            assert.deepStrictEqual(
                flavors.map((f) => f.metadata.name),
                ["llmd-h100", "llmd-mi300x"],
            );
            assert.deepStrictEqual(flavors[0].spec, {
                nodeLabels: { "kubernetes.azure.com/agentpool": "h100" },
                tolerations: [{ key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" }],
                topologyName: "llmd-topology",
            });
            // A taint with no value is tolerated with Exists (the CRD forbids a value with Exists).
            assert.deepStrictEqual((flavors[1].spec as any).tolerations, [{ key: "amd.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
            for (const f of flavors) {
                assert.strictEqual(f.apiVersion, "kueue.x-k8s.io/v1beta2");
                assert.strictEqual(f.metadata.namespace, undefined, "ResourceFlavor is cluster-scoped");
            }
        });

        it("omits tolerations for an untainted pool and copies labels rather than sharing them", () => {
            const s = spec({ clusterProvider: "kind", pools: [kindCpu] });
            const [flavor] = renderResourceFlavors(s);
            assert.strictEqual((flavor.spec as any).tolerations, undefined);
            (flavor.spec as any).nodeLabels.extra = "x";
            assert.strictEqual((kindCpu.nodeLabels as any).extra, undefined);
        });

        it("names flavors and the topology after the ClusterQueue", () => {
            const s = spec({ clusterQueueName: "serving", localQueueName: "models" });
            assert.strictEqual(renderTopology(s).metadata.name, "serving-topology");
            assert.deepStrictEqual(renderResourceFlavors(s).map((f) => f.metadata.name), ["serving-h100"]);
            assert.strictEqual(renderClusterQueue(s).metadata.name, "serving");
            assert.deepStrictEqual(renderLocalQueue(s).spec, { clusterQueue: "serving" });
            assert.strictEqual(renderLocalQueue(s).metadata.name, "models");
            const named = spec({ topologyName: "dc-1" });
            assert.deepStrictEqual(renderResourceFlavors(named).map((f) => (f.spec as any).topologyName), ["dc-1"]);
        });
    });

    describe("ClusterQueue quotas", () => {
        it("gives each flavor maxNodes x acceleratorsPerNode of its accelerator, cpu and memory upper bounds", () => {
            const cq = renderClusterQueue(spec({ clusterProvider: "gke", pools: [gkeH100] }));
            const [group] = (cq.spec as any).resourceGroups;
            assert.deepStrictEqual(group.coveredResources, ["cpu", "memory", "nvidia.com/gpu"]);
            assert.deepStrictEqual(group.flavors, [
                {
                    name: "llmd-h100",
                    resources: [
                        { name: "cpu", nominalQuota: "512" },
                        { name: "memory", nominalQuota: "8192Gi" },
                        { name: "nvidia.com/gpu", nominalQuota: 16 },
                    ],
                },
            ]);
        });

        it("covers every accelerator once and gives other pools' accelerators zero", () => {
            const cq = renderClusterQueue(spec({ clusterProvider: "aks", pools: [aksH100, aksMi300x] }));
            const [group] = (cq.spec as any).resourceGroups;
            // Both pools are InfiniBand: the RDMA resource model servers on them request is covered once too.
            assert.deepStrictEqual(group.coveredResources, ["cpu", "memory", "nvidia.com/gpu", "amd.com/gpu", "rdma/ib"]);
            const quotas = Object.fromEntries(
                group.flavors.map((f: any) => [f.name, Object.fromEntries(f.resources.map((r: any) => [r.name, r.nominalQuota]))]),
            );
            assert.deepStrictEqual(quotas["llmd-h100"], { cpu: "768", memory: "12288Gi", "nvidia.com/gpu": 24, "amd.com/gpu": 0, "rdma/ib": 24 });
            assert.deepStrictEqual(quotas["llmd-mi300x"], { cpu: "512", memory: "8192Gi", "nvidia.com/gpu": 0, "amd.com/gpu": 16, "rdma/ib": 16 });
            // The CRD's CEL rule: every flavor lists exactly the covered resources, in order.
            for (const f of group.flavors) {
                assert.deepStrictEqual(f.resources.map((r: any) => r.name), group.coveredResources);
            }
        });

        it("TPU v6e 4x4 slice: 16 chips", () => {
            const cq = renderClusterQueue(spec({ clusterProvider: "gke", pools: [gkeV6e] }));
            const [group] = (cq.spec as any).resourceGroups;
            assert.deepStrictEqual(group.flavors[0].resources[2], { name: "google.com/tpu", nominalQuota: 16 });
        });

        it("CPU pools cover only cpu and memory", () => {
            const cq = renderClusterQueue(spec({ clusterProvider: "kind", pools: [kindCpu] }));
            assert.deepStrictEqual((cq.spec as any).resourceGroups[0].coveredResources, ["cpu", "memory"]);
        });

        it("takes cpu and memory per node from the input", () => {
            const cq = renderClusterQueue(spec({ cpuPerNode: 200, memoryGiBPerNode: 1800 }));
            const resources = (cq.spec as any).resourceGroups[0].flavors[0].resources;
            assert.deepStrictEqual(resources.slice(0, 2), [
                { name: "cpu", nominalQuota: "400" },
                { name: "memory", nominalQuota: "3600Gi" },
            ]);
        });

        it("admits only the serving namespace", () => {
            const cq = renderClusterQueue(spec({ namespace: "serving" }));
            assert.deepStrictEqual((cq.spec as any).namespaceSelector, { matchLabels: { "kubernetes.io/metadata.name": "serving" } });
            assert.strictEqual(renderLocalQueue(spec({ namespace: "serving" })).metadata.namespace, "serving");
        });
    });

    it("renders Topology, flavors, ClusterQueue, LocalQueue in that order", () => {
        const kinds = renderKueue(spec({ clusterProvider: "aks", pools: [aksH100, aksMi300x] })).map((o) => o.kind);
        assert.deepStrictEqual(kinds, ["Topology", "ResourceFlavor", "ResourceFlavor", "ClusterQueue", "LocalQueue"]);
    });

    describe("workload metadata", () => {
        it("required by default: queue label, topology annotation and a shared group name", () => {
            const m = kueueWorkloadMetadata(spec({ localQueueName: "models" }));
            assert.deepStrictEqual(m.labels, { "kueue.x-k8s.io/queue-name": "models" });
            assert.deepStrictEqual(m.topologyAnnotation, { "kueue.x-k8s.io/podset-required-topology": "cloud.google.com/gce-topology-block" });
            assert.deepStrictEqual(m.podSetAnnotations, {
                "kueue.x-k8s.io/podset-required-topology": "cloud.google.com/gce-topology-block",
                "kueue.x-k8s.io/podset-group-name": "llmd-group",
            });
        });

        it("preferred uses the preferred-topology annotation", () => {
            const m = kueueWorkloadMetadata(spec({ placement: "preferred" }));
            assert.deepStrictEqual(Object.keys(m.topologyAnnotation), ["kueue.x-k8s.io/podset-preferred-topology"]);
        });
    });

    describe("bad input names the field", () => {
        const cases: Array<[string, Partial<KueueInput>]> = [
            ["clusterProvider", { clusterProvider: "eks" as any }],
            ["pools", { pools: [] }],
            ["pools", { pools: undefined as any }],
            ["levels", { clusterProvider: "existing", pools: [doH100], levels: [] }],
            ["levels[1]", { clusterProvider: "existing", pools: [doH100], levels: ["example.com/rack", "example.com/rack"] }],
            ["levels[0]", { clusterProvider: "existing", pools: [doH100], levels: [HOSTNAME_LABEL, "example.com/rack"] }],
            ["levels[0]", { clusterProvider: "existing", pools: [doH100], levels: ["Not A Label!"] }],
            ["levels", { levels: ["example.com/rack"], topologyProfile: "generic" }],
            ["topologyProfile", { topologyProfile: "rack" as any }],
            ["topologyProfile", { clusterProvider: "gke", pools: [gkeH100, gkeV6e] }],
            ["rackLabel", { clusterProvider: "gke", rackLabel: "example.com/rack" }],
            ["rackLabel", { clusterProvider: "existing", pools: [doH100], rackLabel: "bad label" }],
            ["rackLabel", { clusterProvider: "existing", pools: [doH100], rackLabel: HOSTNAME_LABEL }],
            ["groupLevel", { groupLevel: "topology.kubernetes.io/zone" }],
            ["namespace", { namespace: "LLM" }],
            ["clusterQueueName", { clusterQueueName: "Queue_1" }],
            ["localQueueName", { localQueueName: "" }],
            ["topologyName", { topologyName: "-x" }],
            ["placement", { placement: "strict" as any }],
            ["cpuPerNode", { cpuPerNode: 0 }],
            ["memoryGiBPerNode", { memoryGiBPerNode: 1.5 }],
            ["pools[1].name", { pools: [gkeH100, { ...gkeH100 }] }],
            ["pools[0].name", { pools: [{ ...gkeH100, name: "H100" }] }],
            ["pools[0].accelerator", { pools: [{ ...gkeH100, accelerator: "nvidia-x1" as any }] }],
            ["pools[0].acceleratorsPerNode", { pools: [{ ...gkeH100, acceleratorsPerNode: 0 }] }],
            ["pools[0].maxNodes", { pools: [{ ...gkeH100, maxNodes: 0 }] }],
            ["pools[0].nodeLabels", { pools: [{ ...gkeH100, nodeLabels: {} }] }],
            [
                "pools[0].nodeLabels",
                { pools: [{ ...gkeH100, nodeLabels: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`example.com/l${i}`, "x"])) }] },
            ],
            ["pools[0].taints[0].effect", { pools: [{ ...gkeH100, taints: [{ key: "nvidia.com/gpu", effect: "NoRun" }] }] }],
            ["pools[0].taints", { pools: [{ ...gkeH100, taints: Array.from({ length: 9 }, (_, i) => ({ key: `example.com/t${i}`, effect: "NoSchedule" })) }] }],
        ];
        for (const [field, input] of cases) {
            it(`${field}: ${JSON.stringify(input).slice(0, 90)}`, () => {
                assert.throws(
                    () => spec(input),
                    (e: unknown) => e instanceof LlmdConfigError && e.field === field,
                );
            });
        }

        it("the message says what is valid", () => {
            assert.throws(() => spec({ groupLevel: "topology.kubernetes.io/zone" }), /expected one of the topology levels: cloud\.google\.com\/gce-topology-block/);
            assert.throws(() => spec({ pools: [] }), /at least one accelerator pool/);
        });
    });
});
