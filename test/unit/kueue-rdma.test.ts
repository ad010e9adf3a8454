import * as assert from "assert";
import { LlmdConfigError } from "../../components/errors";
import { AcceleratorPool } from "../../components/pool";
import { KueueInput, KueueSpec, rdmaResourcesPerPod, renderClusterQueue, resolveKueueSpec } from "../../components/render/kueue";
import { renderModelServer, resolveModelServer } from "../../components/render/model-server";
import { ModelServerInput } from "../../components/render/model-server-types";
import { K8sObject } from "../../components/render/types";
import { aksMi300x, aksNdH100, doH100, gkeA3Ultra, gkeH100, gkeV6e } from "./kueue-fixtures";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** HCA ports of an ND H100 v5 node (the catalog has none for it, so model servers must be told). */
const IB_DEVICES = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `mlx5_ib${i}:1`);

function kueue(input: Partial<KueueInput> & Pick<KueueInput, "clusterProvider" | "pools">): KueueSpec {
    return resolveKueueSpec({ namespace: "llm-d", ...input } as KueueInput);
}

function coveredResources(spec: KueueSpec): string[] {
    return (renderClusterQueue(spec).spec as Json).resourceGroups[0].coveredResources;
}

function quotas(spec: KueueSpec): Record<string, Record<string, number | string>> {
    const [group] = (renderClusterQueue(spec).spec as Json).resourceGroups;
    return Object.fromEntries(group.flavors.map((f: Json) => [f.name, Object.fromEntries(f.resources.map((r: Json) => [r.name, r.nominalQuota]))]));
}

/** A model server queued on the Kueue spec, as LlmdDeployment would place it. */
function modelServer(spec: KueueSpec, pool: AcceleratorPool, args: Partial<ModelServerInput>): K8sObject[] {
    const input: ModelServerInput = {
        namespace: spec.namespace,
        model: "deepseek-ai/DeepSeek-V3",
        accelerator: pool.accelerator,
        pool,
        kueue: { localQueue: spec.localQueueName, topologyLevel: spec.groupLevel },
        ...args,
    };
    return renderModelServer(resolveModelServer(input, { name: "ds", hfTokenGiven: false }));
}

/** Every resource name any container (init or not) of any pod template requests or limits. */
function requestedResources(objects: K8sObject[]): string[] {
    const names = new Set<string>();
    for (const obj of objects) {
        const spec = obj.spec as Json;
        const templates =
            obj.kind === "LeaderWorkerSet"
                ? [spec.leaderWorkerTemplate.leaderTemplate, spec.leaderWorkerTemplate.workerTemplate].filter(Boolean)
                : spec?.template
                  ? [spec.template]
                  : [];
        for (const t of templates) {
            for (const c of [...(t.spec.containers ?? []), ...(t.spec.initContainers ?? [])]) {
                for (const name of [...Object.keys(c.resources?.requests ?? {}), ...Object.keys(c.resources?.limits ?? {})]) {
                    names.add(name);
                }
            }
        }
    }
    return [...names];
}

function assertCovered(spec: KueueSpec, objects: K8sObject[]): string[] {
    const requested = requestedResources(objects);
    const covered = coveredResources(spec);
    const missing = requested.filter((r) => !covered.includes(r));
    assert.deepStrictEqual(missing, [], `requested ${requested.join(", ")}; covered ${covered.join(", ")}`);
    return requested;
}

const wideEp: Partial<ModelServerInput> = { nodesPerReplica: 2, enableExpertParallel: true, role: "decode", pd: { kvTransfer: "nixl" }, cpu: "32", memory: "512Gi" };
const prefill: Partial<ModelServerInput> = { role: "prefill", pd: { kvTransfer: "nixl" }, tensorParallelSize: 8 };

describe("Kueue covers the resources model servers request", () => {
    describe("InfiniBand H100 (AKS ND H100 v5)", () => {
        const spec = () => kueue({ clusterProvider: "aks", pools: [aksNdH100] });

        it("wide EP over 2 nodes: every requested resource, rdma/ib included, is covered", () => {
            const objects = modelServer(spec(), aksNdH100, { ...wideEp, network: { rdmaDevices: IB_DEVICES } });
            assert.strictEqual(objects[0].kind, "LeaderWorkerSet");
            const requested = assertCovered(spec(), objects);
            assert.ok(requested.includes("rdma/ib"), `the model server requests rdma/ib: ${requested.join(", ")}`);
        });

        it("a P/D prefill server: covered too", () => {
            const requested = assertCovered(spec(), modelServer(spec(), aksNdH100, { ...prefill, network: { rdmaDevices: IB_DEVICES } }));
            assert.ok(requested.includes("rdma/ib"));
        });

        it("quota: maxNodes x one per pod x at most one pod per GPU", () => {
            assert.deepStrictEqual(coveredResources(spec()), ["cpu", "memory", "nvidia.com/gpu", "rdma/ib"]);
            assert.deepStrictEqual(quotas(spec())["llmd-ndh100"], { cpu: "768", memory: "12288Gi", "nvidia.com/gpu": 24, "rdma/ib": 24 });
        });

        it("the model servers' rdmaResourceName override: covered only when the queue gets it too", () => {
            const network = { rdmaResourceName: "rdma/shared_ib", rdmaResourceCount: 2 };
            const objects = (s: KueueSpec) => modelServer(s, aksNdH100, { ...wideEp, network: { rdmaDevices: IB_DEVICES, ...network } });
            const told = kueue({ clusterProvider: "aks", pools: [aksNdH100], network });
            assertCovered(told, objects(told));
            assert.deepStrictEqual(coveredResources(told), ["cpu", "memory", "nvidia.com/gpu", "rdma/shared_ib"]);
            assert.strictEqual(quotas(told)["llmd-ndh100"]["rdma/shared_ib"], 3 * 2 * 8);
            // Without it the queue covers rdma/ib, and Kueue would never admit the group.
            const untold = spec();
            assert.ok(requestedResources(objects(untold)).includes("rdma/shared_ib"));
            assert.ok(!coveredResources(untold).includes("rdma/shared_ib"));
        });
    });

    describe("GKE RoCE (A3 Ultra, a3-ultragpu-8g)", () => {
        const spec = () => kueue({ clusterProvider: "gke", pools: [gkeA3Ultra] });
        const rdmaNetworks = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `networking.gke.io.networks/rdma-${i}`);

        it("wide EP over 2 nodes: every requested resource, the RDMA networks included, is covered", () => {
            const objects = modelServer(spec(), gkeA3Ultra, wideEp);
            assert.strictEqual(objects[0].kind, "LeaderWorkerSet");
            const requested = assertCovered(spec(), objects);
            for (const r of rdmaNetworks) {
                assert.ok(requested.includes(r), `the model server requests ${r}`);
            }
        });

        it("a P/D prefill server: covered too", () => {
            assertCovered(spec(), modelServer(spec(), gkeA3Ultra, prefill));
        });

        it("covers each network once; quota 0 like the pods' request", () => {
            assert.deepStrictEqual(coveredResources(spec()), ["cpu", "memory", "nvidia.com/gpu", ...rdmaNetworks]);
            const q = quotas(spec())["llmd-a3u"];
            assert.strictEqual(q["nvidia.com/gpu"], 32);
            for (const r of rdmaNetworks) {
                assert.strictEqual(q[r], 0);
            }
        });

        it("ignores an rdmaResourceName override, which model servers on GKE multi-networking may not set", () => {
            assert.deepStrictEqual(coveredResources(kueue({ clusterProvider: "gke", pools: [gkeA3Ultra], network: { rdmaResourceName: "rdma/ib" } })), coveredResources(spec()));
        });
    });

    describe("mixed and non-RDMA pools", () => {
        it("pools without RDMA add nothing", () => {
            for (const pool of [gkeH100, gkeV6e, doH100]) {
                assert.deepStrictEqual(rdmaResourcesPerPod(pool, undefined), {}, pool.name);
            }
            assert.deepStrictEqual(coveredResources(kueue({ clusterProvider: "digitalocean", pools: [doH100] })), ["cpu", "memory", "nvidia.com/gpu"]);
        });

        it("a RoCE pool the catalog does not know falls back to the interconnect's resource, as model servers do", () => {
            const pool: AcceleratorPool = { ...aksNdH100, name: "roce", interconnect: "roce", machineType: undefined };
            assert.deepStrictEqual(rdmaResourcesPerPod(pool, undefined), { "rdma/roce_gdr": "1" });
            const spec = kueue({ clusterProvider: "openshift", pools: [pool] });
            assertCovered(spec, modelServer(spec, pool, { ...wideEp, network: { rdmaDevices: ["mlx5_0:1"] } }));
        });

        it("each flavor lists every covered resource; other pools' RDMA resources get 0", () => {
            const spec = kueue({ clusterProvider: "gke", pools: [gkeA3Ultra, gkeH100], topologyProfile: "gke-nodepool" });
            const q = quotas(spec);
            assert.strictEqual(q["llmd-h100"]["networking.gke.io.networks/rdma-0"], 0);
            assert.strictEqual(q["llmd-h100"]["nvidia.com/gpu"], 16);
            const cq = renderClusterQueue(spec).spec as Json;
            for (const f of cq.resourceGroups[0].flavors) {
                assert.deepStrictEqual(f.resources.map((r: Json) => r.name), cq.resourceGroups[0].coveredResources);
            }
            const ib = kueue({ clusterProvider: "aks", pools: [aksNdH100, aksMi300x, { ...doH100, name: "plain", nodeLabels: { "kubernetes.azure.com/agentpool": "plain" } }] });
            assert.deepStrictEqual(quotas(ib)["llmd-plain"]["rdma/ib"], 0);
            assert.deepStrictEqual(quotas(ib)["llmd-mi300x"], { cpu: "512", memory: "8192Gi", "nvidia.com/gpu": 0, "amd.com/gpu": 16, "rdma/ib": 16 });
        });
    });

    describe("extraResources", () => {
        it("covers them on their pool (or every pool), 0 elsewhere, and overrides a derived quota", () => {
            const spec = kueue({
                clusterProvider: "aks",
                pools: [aksNdH100, aksMi300x],
                extraResources: [
                    { name: "example.com/fpga", perNode: 2, pool: "mi300x" },
                    { name: "example.com/license", perNode: 1 },
                    { name: "rdma/ib", perNode: 63, pool: "ndh100" },
                ],
            });
            assert.deepStrictEqual(coveredResources(spec), ["cpu", "memory", "nvidia.com/gpu", "amd.com/gpu", "rdma/ib", "example.com/fpga", "example.com/license"]);
            const q = quotas(spec);
            assert.deepStrictEqual(
                [q["llmd-ndh100"]["example.com/fpga"], q["llmd-mi300x"]["example.com/fpga"], q["llmd-ndh100"]["example.com/license"], q["llmd-mi300x"]["example.com/license"]],
                [0, 4, 3, 2],
            );
            assert.strictEqual(q["llmd-ndh100"]["rdma/ib"], 3 * 63);
            assert.strictEqual(q["llmd-mi300x"]["rdma/ib"], 16, "derived where not overridden");
        });
    });

    describe("errors name the field", () => {
        const cases: Array<[string, Partial<KueueInput>]> = [
            ["network", { network: "rdma/ib" as any }],
            ["network.rdmaResourceName", { network: { rdmaResourceName: "ib" } }],
            ["network.rdmaResourceCount", { network: { rdmaResourceCount: 0 } }],
            ["extraResources", { extraResources: { name: "x" } as any }],
            ["extraResources[0].name", { extraResources: [{ name: "Not A Resource", perNode: 1 }] }],
            ["extraResources[1].name", { extraResources: [{ name: "example.com/a", perNode: 1 }, { name: "example.com/a", perNode: 2 }] }],
            ["extraResources[0].perNode", { extraResources: [{ name: "example.com/a", perNode: -1 }] }],
            ["extraResources[0].pool", { extraResources: [{ name: "example.com/a", perNode: 1, pool: "nope" }] }],
            ["extraResources[0].name", { extraResources: [{ name: "cpu", perNode: 1 }] }],
            ["extraResources[0].name", { extraResources: [{ name: "nvidia.com/gpu", perNode: 1 }] }],
            ["extraResources", { extraResources: Array.from({ length: 61 }, (_, i) => ({ name: `example.com/r${i}`, perNode: 1 })) }],
        ];
        for (const [field, input] of cases) {
            it(`${field}: ${JSON.stringify(input).slice(0, 80)}`, () => {
                assert.throws(
                    () => kueue({ clusterProvider: "aks", pools: [aksNdH100], ...input }),
                    (e: unknown) => e instanceof LlmdConfigError && e.field === field,
                );
            });
        }
    });
});
