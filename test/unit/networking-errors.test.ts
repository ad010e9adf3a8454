import * as assert from "assert";
import { assertConfigError } from "../support/config-errors";
import { resolveModelServer } from "../../components/render/model-server";
import { ModelServerInput } from "../../components/render/model-server-types";
import { base, h100IbPool, h100Pool, h200RocePool, ibDevices, tpu4x4Pool, tpuPool } from "./model-server-fixtures";

/** Asserts resolving throws a config error on `field` whose message contains every `parts`. */
function rejects(args: Partial<ModelServerInput>, field: string, parts: string[]): void {
    assert.throws(
        () => resolveModelServer({ ...base, ...args } as ModelServerInput, { name: "qwen", hfTokenGiven: false }),
        (err: unknown) => {
            assertConfigError(err, field, parts);
            return true;
        },
    );
}

const nonePool = { ...h100Pool, interconnect: "none" as const, machineType: "a3-highgpu-4g" };

describe("networking bad input", () => {
    it("P/D on a pool with no fast fabric, TCP not accepted", () => {
        rejects({ accelerator: "nvidia-h100", pool: nonePool, role: "decode", pd: { kvTransfer: "nixl" } }, "network.allowTcp", ["pd.kvTransfer nixl", "interconnect none", "allowTcp: true"]);
    });

    it("a multi-node replica on a pool with no fast fabric", () => {
        rejects({ accelerator: "nvidia-h100", pool: nonePool, nodesPerReplica: 2 }, "network.allowTcp", ["spans 2 nodes"]);
    });

    it("wide EP on GPUDirect-TCPX, which NIXL/UCX cannot use", () => {
        rejects({ accelerator: "nvidia-h100", pool: h100Pool, nodesPerReplica: 2, enableExpertParallel: true }, "network.allowTcp", ["gpudirect-tcpx", "not RDMA"]);
    });

    it("allowTcp: false is the same as unset", () => {
        rejects({ accelerator: "nvidia-h100", pool: nonePool, role: "prefill", pd: { kvTransfer: "nixl" }, network: { allowTcp: false } }, "network.allowTcp", ["false"]);
    });

    it("P/D between TPU slices (ICI does not join slices)", () => {
        rejects({ accelerator: "tpu-v6e", pool: tpuPool, tensorParallelSize: 4, role: "decode", pd: { kvTransfer: "nixl" } }, "network.allowTcp", ["TPU ICI", "slice"]);
    });

    it("P/D over InfiniBand with no device names known", () => {
        rejects({ accelerator: "nvidia-h100", pool: h100IbPool, role: "decode", pd: { kvTransfer: "nixl" } }, "network.rdmaDevices", ["InfiniBand", "Standard_ND96isr_H100_v5", "mlx5_0:1", "silently"]);
    });

    it("wide EP over RoCE on an unknown machine type with no device names", () => {
        const pool = { ...h200RocePool, machineType: undefined };
        rejects({ accelerator: "nvidia-h200", pool, nodesPerReplica: 2, enableExpertParallel: true }, "network.rdmaDevices", ["RoCE"]);
    });

    it("RDMA devices on a pool without RDMA, or without a pool", () => {
        rejects({ accelerator: "nvidia-h100", pool: h100Pool, network: { rdmaDevices: ibDevices, allowTcp: true } }, "network.rdmaDevices", ["gpudirect-tcpx", "no RDMA"]);
        rejects({ accelerator: "nvidia-h100", network: { rdmaDevices: ibDevices } }, "network.rdmaDevices", ["without a pool"]);
    });

    it("malformed device names, Multus networks, interface, resource", () => {
        rejects({ accelerator: "nvidia-h100", pool: h100IbPool, network: { rdmaDevices: ["mlx5_0"] } }, "network.rdmaDevices[0]", ["device:port"]);
        rejects({ accelerator: "nvidia-h100", pool: h100IbPool, network: { rdmaDevices: [] } }, "network.rdmaDevices", ["non-empty"]);
        rejects({ accelerator: "nvidia-h100", pool: h100IbPool, network: { rdmaDevices: ["mlx5_0:1", "mlx5_0:1"] } }, "network.rdmaDevices", ["duplicates"]);
        rejects({ network: { multusNetworks: ["Bad Net"] } }, "network.multusNetworks[0]", ["NetworkAttachmentDefinition"]);
        rejects({ network: { socketInterface: "a-very-long-interface-name" } }, "network.socketInterface", ["15 characters"]);
        rejects({ network: { allowTcp: "yes" as never } }, "network.allowTcp", ["true or false"]);
        const bare = { ...h100IbPool, machineType: undefined };
        rejects({ accelerator: "nvidia-h100", pool: bare, role: "decode", pd: { kvTransfer: "nixl" }, network: { rdmaDevices: ibDevices, rdmaResourceName: "ib" } }, "network.rdmaResourceName", ["rdma/ib"]);
        rejects({ accelerator: "nvidia-h100", pool: bare, role: "decode", pd: { kvTransfer: "nixl" }, network: { rdmaDevices: ibDevices, rdmaResourceCount: 0 } }, "network.rdmaResourceCount", ["0"]);
    });

    it("a device-plugin resource on GKE, which attaches RDMA by multi-networking", () => {
        rejects({ accelerator: "nvidia-h200", pool: h200RocePool, role: "decode", pd: { kvTransfer: "nixl" }, network: { rdmaResourceName: "rdma/ib" } }, "network.rdmaResourceName", ["multi-networking"]);
    });

    it("privileged without RDMA between nodes", () => {
        rejects({ network: { privileged: true } }, "network.privileged", ["GPU-initiated RDMA"]);
    });
});

describe("multi-host and placement bad input", () => {
    it("a TPU slice replica with the wrong number of hosts", () => {
        rejects({ accelerator: "tpu-v6e", pool: tpu4x4Pool, nodesPerReplica: 2 }, "nodesPerReplica", ["expected 4", "4x4", "ct6e-standard-4t"]);
    });

    it("a TPU slice replica that does not shard over every chip", () => {
        rejects({ accelerator: "tpu-v6e", pool: tpu4x4Pool, tensorParallelSize: 8 }, "tensorParallelSize", ["expected 16", "4 hosts"]);
    });

    it("TPU hosts without a pool and without one tensor-parallel group over them", () => {
        rejects({ accelerator: "tpu-v6e", acceleratorsPerNode: 4, nodesPerReplica: 2, tensorParallelSize: 4 }, "tensorParallelSize", ["no data parallelism across hosts"]);
    });

    it("a command override on a TPU slice (llmd starts Ray first)", () => {
        rejects({ accelerator: "tpu-v6e", pool: tpu4x4Pool, command: ["vllm", "serve"] }, "command", ["Ray"]);
    });

    it("an exclusive topology on a single-node server, or a bad key", () => {
        rejects({ topologyKey: "kubernetes.io/hostname" }, "topologyKey", ["LeaderWorkerSet", "nodesPerReplica 1"]);
        rejects({ accelerator: "tpu-v6e", pool: tpu4x4Pool, topologyKey: "not a label" }, "topologyKey", ["node label key"]);
    });

    it("Kueue: bad queue, bad level, unknown mode, mode without level", () => {
        rejects({ kueue: { localQueue: "Not_A_Queue" } }, "kueue.localQueue", ["Not_A_Queue"]);
        rejects({ kueue: { localQueue: "q", topologyLevel: "" } }, "kueue.topologyLevel", ["node label key"]);
        rejects({ kueue: { localQueue: "q", topologyLevel: "kubernetes.io/hostname", topologyMode: "strict" as never } }, "kueue.topologyMode", ["required, preferred"]);
        rejects({ kueue: { localQueue: "q", topologyMode: "preferred" } }, "kueue.topologyMode", ["topologyLevel"]);
    });
});
