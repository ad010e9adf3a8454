import * as assert from "assert";
import { AcceleratorPool } from "../../components/pool";
import { ACCELERATORS as CATALOG } from "../../components/catalog/accelerators";
import { INTERCONNECTS, machineNetwork } from "../../components/catalog/networking";
import { ModelServerInput } from "../../components/render/model-server-types";
import { resolveNetwork } from "../../components/render/networking";
import { K8sObject } from "../../components/render/types";
import { validateObject } from "../support/schema";
import { envOf, h100IbPool, h100Pool, h200RocePool, ibDevices, Json, mi300xIbPool, render, templates, tpu4x4Pool, tpuPool } from "./model-server-fixtures";

/** Every vLLM container of a workload (leader and worker). */
function engines(obj: K8sObject): Json[] {
    return Object.values(templates(obj))
        .filter(Boolean)
        .map((t: Json) => t.spec.containers.find((c: Json) => c.name === "vllm"));
}

/** Does the rendered workload carry any RDMA wiring at all? */
function rdmaWiring(obj: K8sObject): { env: boolean; resources: boolean; capabilities: boolean; annotations: boolean } {
    const out = { env: false, resources: false, capabilities: false, annotations: false };
    for (const [i, c] of engines(obj).entries()) {
        const env = envOf(c);
        if (env.NCCL_IB_HCA !== undefined || (env.UCX_TLS ?? "").split(",").includes("rc") || /mlx5/.test(env.UCX_NET_DEVICES ?? "")) {
            out.env = true;
        }
        const res = Object.keys(c.resources?.limits ?? {});
        if (res.some((r) => r.startsWith("rdma/") || r.startsWith("networking.gke.io.networks/"))) {
            out.resources = true;
        }
        if ((c.securityContext.capabilities?.add ?? []).includes("IPC_LOCK")) {
            out.capabilities = true;
        }
        const t = Object.values(templates(obj))[i] as Json;
        if (Object.keys(t.metadata.annotations ?? {}).some((k) => k.startsWith("networking.gke.io/"))) {
            out.annotations = true;
        }
    }
    return out;
}

const decodePd: Partial<ModelServerInput> = { role: "decode", pd: { kvTransfer: "nixl" } };

describe("fast networking", () => {
    describe("catalog", () => {
        it("has RDMA facts on exactly the infiniband and roce offers", () => {
            for (const spec of Object.values(CATALOG)) {
                for (const offers of Object.values(spec.offers)) {
                    for (const offer of offers ?? []) {
                        const rdma = INTERCONNECTS[offer.interconnect].rdma;
                        assert.strictEqual(offer.network !== undefined, rdma, `${spec.id} ${offer.machineType}`);
                        if (offer.network) {
                            const n = offer.network;
                            assert.ok(n.rdmaNics > 0);
                            assert.strictEqual(n.attachment === "device-plugin", n.rdmaResource !== undefined, offer.machineType);
                            assert.strictEqual(n.attachment === "gke-multi-network", n.gkeNetworks !== undefined, offer.machineType);
                            if (n.rdmaDevices) {
                                assert.strictEqual(n.rdmaDevices.length, n.rdmaNics);
                            }
                        }
                    }
                }
            }
        });

        it("names rdma/ib for the AKS ND sizes and rdma-0..7 networks with mlx5_0..7 for GKE A3 Ultra / A4", () => {
            assert.deepStrictEqual(machineNetwork("nvidia-h100", "Standard_ND96isr_H100_v5")?.rdmaResource, { name: "rdma/ib", perPod: 1 });
            assert.deepStrictEqual(machineNetwork("amd-mi300x", "Standard_ND96isr_MI300X_v5")?.rdmaResource, { name: "rdma/ib", perPod: 1 });
            const a4 = machineNetwork("nvidia-b200", "a4-highgpu-8g")!;
            assert.deepStrictEqual(a4.gkeNetworks, ["rdma-0", "rdma-1", "rdma-2", "rdma-3", "rdma-4", "rdma-5", "rdma-6", "rdma-7"]);
            assert.strictEqual(a4.rdmaDevices![7], "mlx5_7:1");
            assert.strictEqual(machineNetwork("nvidia-h100", "a3-highgpu-8g"), undefined, "TCPX is not RDMA");
            assert.strictEqual(machineNetwork("nvidia-h100", undefined), undefined);
            assert.strictEqual(machineNetwork("nvidia-h100", "no-such-size"), undefined);
        });
    });

    describe("RDMA wiring is present exactly when the pool has RDMA", () => {
        const rdmaPools: Array<[string, AcceleratorPool, Partial<ModelServerInput>]> = [
            ["AKS InfiniBand (H100)", h100IbPool, { accelerator: "nvidia-h100", network: { rdmaDevices: ibDevices } }],
            ["AKS InfiniBand (MI300X)", mi300xIbPool, { accelerator: "amd-mi300x", network: { rdmaDevices: ibDevices } }],
            ["GKE RoCE (A3 Ultra)", h200RocePool, { accelerator: "nvidia-h200" }],
        ];
        for (const [what, pool, args] of rdmaPools) {
            it(`P/D on ${what}: device resources, IPC_LOCK and explicit devices`, () => {
                const obj = render({ ...decodePd, ...args, pool });
                const w = rdmaWiring(obj);
                assert.ok(w.env && w.capabilities, JSON.stringify(w));
                assert.ok(w.resources || w.annotations, JSON.stringify(w));
                assert.deepStrictEqual(validateObject(obj), []);
            });
        }

        const tcpPools: Array<[string, AcceleratorPool, Partial<ModelServerInput>]> = [
            ["no fabric", { ...h100Pool, interconnect: "none", machineType: "a3-highgpu-4g" }, { accelerator: "nvidia-h100" }],
            ["GPUDirect-TCPX", h100Pool, { accelerator: "nvidia-h100" }],
            ["TPU ICI (between slices)", tpuPool, { accelerator: "tpu-v6e", tensorParallelSize: 4 }],
        ];
        for (const [what, pool, args] of tcpPools) {
            it(`P/D on ${what} with TCP accepted: no RDMA resources, capabilities or devices`, () => {
                const obj = render({ ...decodePd, ...args, pool, network: { allowTcp: true } });
                assert.deepStrictEqual(rdmaWiring(obj), { env: false, resources: false, capabilities: false, annotations: false });
                assert.deepStrictEqual(validateObject(obj), []);
            });
        }

        it("names TCP and the primary interface outright when TCP is accepted on a GPU pool", () => {
            const env = envOf(engines(render({ ...decodePd, accelerator: "nvidia-h100", pool: h100Pool, network: { allowTcp: true } }))[0]);
            assert.deepStrictEqual(env.UCX_TLS.split(","), ["tcp", "sm", "cuda_ipc", "cuda_copy"]);
            assert.strictEqual(env.UCX_NET_DEVICES, "eth0");
            const multi = envOf(engines(render({ accelerator: "nvidia-h100", pool: h100Pool, nodesPerReplica: 2, network: { allowTcp: true, socketInterface: "bond0" } }))[0]);
            assert.strictEqual(multi.NCCL_IB_DISABLE, "1");
            assert.strictEqual(multi.NCCL_SOCKET_IFNAME, "bond0");
            assert.strictEqual(multi.UCX_TLS, undefined, "no KV transfer, no UCX");
        });

        it("leaves a single-node aggregated server on an RDMA pool off the fabric", () => {
            const obj = render({ accelerator: "nvidia-h100", pool: h100IbPool, tensorParallelSize: 8 });
            assert.deepStrictEqual(rdmaWiring(obj), { env: false, resources: false, capabilities: false, annotations: false });
        });

        it("attaches nothing and checks nothing without a pool (the fabric is unknown)", () => {
            const obj = render({ ...decodePd, accelerator: "nvidia-h100" });
            assert.deepStrictEqual(rdmaWiring(obj), { env: false, resources: false, capabilities: false, annotations: false });
            assert.strictEqual(envOf(engines(obj)[0]).UCX_TLS, undefined);
        });

        it("puts no network wiring on the simulator, whatever the pool", () => {
            const spec = resolveNetwork("network", { allowTcp: false }, {
                pool: { ...h100Pool, interconnect: "none" },
                accelerator: CATALOG.cpu,
                simulator: true,
                kvTransfer: true,
                nodesPerReplica: 1,
                expertParallel: false,
                acceleratorsPerPod: 0,
            });
            assert.strictEqual(spec.transport, "local");
            assert.deepStrictEqual(spec.env, []);
        });
    });

    describe("providers", () => {
        it("GKE A3 Ultra: multi-networking annotations for rdma-0..7, injected resources pinned to 0, GKE NCCL plugin off", () => {
            const obj = render({ ...decodePd, accelerator: "nvidia-h200", pool: h200RocePool });
            const t = templates(obj).leader;
            assert.strictEqual(t.metadata.annotations["networking.gke.io/default-interface"], "eth0");
            const interfaces = JSON.parse(t.metadata.annotations["networking.gke.io/interfaces"]);
            assert.deepStrictEqual(interfaces[0], { interfaceName: "eth0", network: "default" });
            assert.deepStrictEqual(interfaces.slice(1).map((i: Json) => i.network), ["rdma-0", "rdma-1", "rdma-2", "rdma-3", "rdma-4", "rdma-5", "rdma-6", "rdma-7"]);
            assert.deepStrictEqual(interfaces.slice(1).map((i: Json) => i.interfaceName), ["eth2", "eth3", "eth4", "eth5", "eth6", "eth7", "eth8", "eth9"]);
            const c = engines(obj)[0];
            assert.strictEqual(c.resources.limits["networking.gke.io.networks/rdma-3"], "0");
            assert.strictEqual(c.resources.limits["rdma/roce_gdr"], undefined);
            const env = envOf(c);
            assert.strictEqual(env.UCX_NET_DEVICES, "mlx5_0:1,mlx5_1:1,mlx5_2:1,mlx5_3:1,mlx5_4:1,mlx5_5:1,mlx5_6:1,mlx5_7:1");
            assert.strictEqual(env.NCCL_NET_PLUGIN, "");
            assert.strictEqual(env.NCCL_TUNER_PLUGIN, "none");
        });

        it("user devices win over the catalog's", () => {
            const env = envOf(engines(render({ ...decodePd, accelerator: "nvidia-h200", pool: h200RocePool, network: { rdmaDevices: ["mlx5_0:1"] } }))[0]);
            assert.strictEqual(env.UCX_NET_DEVICES, "mlx5_0:1");
        });

        it("bare metal: the interconnect's default resource, or the user's, plus Multus networks", () => {
            const bare: AcceleratorPool = { ...h100IbPool, name: "metal", interconnect: "roce", machineType: undefined, nodeLabels: { "node-role/gpu": "true" } };
            const obj = render({ ...decodePd, accelerator: "nvidia-h100", pool: bare, network: { rdmaDevices: ["mlx5_2:1"], multusNetworks: ["rdma-net", "infra/rdma-net-2@net2"] } });
            const c = engines(obj)[0];
            assert.strictEqual(c.resources.requests["rdma/roce_gdr"], "1");
            assert.strictEqual(templates(obj).leader.metadata.annotations["k8s.v1.cni.cncf.io/networks"], "rdma-net,infra/rdma-net-2@net2");
            assert.deepStrictEqual(validateObject(obj), []);

            const custom = engines(render({ ...decodePd, accelerator: "nvidia-h100", pool: bare, network: { rdmaDevices: ["mlx5_2:1"], rdmaResourceName: "rdma/shared_ib", rdmaResourceCount: 2 } }))[0];
            assert.strictEqual(custom.resources.limits["rdma/shared_ib"], "2");
            assert.strictEqual(custom.resources.limits["rdma/roce_gdr"], undefined);
        });

        it("Multus networks apply to any server, RDMA or not", () => {
            const obj = render({ network: { multusNetworks: ["storage-net"] } });
            assert.strictEqual(templates(obj).leader.metadata.annotations["k8s.v1.cni.cncf.io/networks"], "storage-net");
        });

        it("a privileged container drops allowPrivilegeEscalation (the API server rejects both) and stays valid", () => {
            const obj = render({ ...decodePd, accelerator: "nvidia-h200", pool: h200RocePool, nodesPerReplica: 2, enableExpertParallel: true, network: { privileged: true } });
            for (const c of engines(obj)) {
                assert.strictEqual(c.securityContext.privileged, true);
                assert.strictEqual(c.securityContext.allowPrivilegeEscalation, undefined);
                assert.strictEqual(envOf(c).NVSHMEM_DISABLE_GDRCOPY, "1");
            }
            assert.deepStrictEqual(validateObject(obj), []);
        });

        it("lets the user's env override llmd's network env by name", () => {
            const env = envOf(engines(render({ ...decodePd, accelerator: "nvidia-h200", pool: h200RocePool, env: { UCX_TLS: "rc,cuda_copy" } }))[0]);
            assert.strictEqual(env.UCX_TLS, "rc,cuda_copy");
        });

        it("TPU multi-host within one slice needs no TCP acceptance", () => {
            const obj = render({ accelerator: "tpu-v6e", pool: tpu4x4Pool });
            assert.strictEqual(obj.kind, "LeaderWorkerSet");
        });
    });
});
