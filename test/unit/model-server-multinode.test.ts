import * as assert from "assert";
import { IMAGES, imageRef } from "../../components/catalog/versions";
import { K8sObject } from "../../components/render/types";
import { validateObject } from "../support/schema";
import { envOf, flagValue, h100IbPool, ibDevices, Json, mi300xIbPool, render, templates, tpu4x4Pool } from "./model-server-fixtures";

function lwsSpec(obj: K8sObject): Json {
    assert.strictEqual(obj.kind, "LeaderWorkerSet");
    return obj.spec as Json;
}

function engine(template: Json): Json {
    return template.spec.containers.find((c: Json) => c.name === "vllm");
}

/** Policies every multi-node group needs so that it starts, fails and rolls out as one unit. */
function assertGroupPolicies(obj: K8sObject): void {
    const spec = lwsSpec(obj);
    assert.strictEqual(spec.startupPolicy, "LeaderCreated");
    assert.strictEqual(spec.leaderWorkerTemplate.restartPolicy, "RecreateGroupOnPodRestart");
    assert.deepStrictEqual(spec.rolloutStrategy, { type: "RollingUpdate", rollingUpdateConfiguration: { maxUnavailable: 1, maxSurge: 0 } });
}

describe("multi-node model servers (LeaderWorkerSet)", () => {
    describe("wide EP on 2 x H100x8 over InfiniBand (AKS ND H100 v5)", () => {
        const obj = () =>
            render({
                accelerator: "nvidia-h100",
                pool: h100IbPool,
                network: { rdmaDevices: ibDevices },
                nodesPerReplica: 2,
                enableExpertParallel: true,
                role: "decode",
                pd: { kvTransfer: "nixl" },
                replicas: 2,
            });

        it("is valid against the pinned LWS CRD and keeps the group together", () => {
            assert.deepStrictEqual(validateObject(obj()), []);
            assertGroupPolicies(obj());
            assert.strictEqual(lwsSpec(obj()).replicas, 2);
            assert.strictEqual(lwsSpec(obj()).leaderWorkerTemplate.size, 2);
        });

        it("gives every pod 8 GPUs, 8 local DP ranks of TP 1, DP 16, and a start rank of worker index x 8", () => {
            const { leader, worker } = templates(obj());
            for (const t of [leader, worker]) {
                const c = engine(t);
                assert.strictEqual(c.resources.limits["nvidia.com/gpu"], "8");
                assert.strictEqual(flagValue(c.args, "--tensor-parallel-size"), undefined, "TP 1 is vLLM's default");
                assert.strictEqual(flagValue(c.args, "--data-parallel-size"), "16");
                assert.strictEqual(flagValue(c.args, "--data-parallel-size-local"), "8");
                assert.strictEqual(flagValue(c.args, "--data-parallel-address"), "$(LWS_LEADER_ADDRESS)");
                assert.strictEqual(flagValue(c.args, "--data-parallel-rpc-port"), "5555");
                assert.ok(c.args.includes("--enable-expert-parallel"));
                assert.match(c.command[2], /--data-parallel-start-rank \$\$\(\( \$\$\{LWS_WORKER_INDEX:-0\} \* 8 \)\)/);
            }
        });

        it("requests one rdma/ib per pod, pins memory, and names the HCAs to UCX, NCCL and DeepEP", () => {
            for (const t of Object.values(templates(obj()))) {
                const c = engine(t);
                assert.strictEqual(c.resources.requests["rdma/ib"], "1");
                assert.strictEqual(c.resources.limits["rdma/ib"], "1");
                assert.deepStrictEqual(c.securityContext.capabilities.add, ["IPC_LOCK", "SYS_RAWIO"]);
                const env = envOf(c);
                assert.strictEqual(env.UCX_NET_DEVICES, ibDevices.join(","));
                assert.strictEqual(env.NCCL_IB_HCA, `=${ibDevices.join(",")}`);
                assert.strictEqual(env.NCCL_SOCKET_IFNAME, "eth0");
                assert.strictEqual(env.NVSHMEM_BOOTSTRAP_UID_SOCK_IFNAME, "eth0");
                assert.strictEqual(env.DEEP_EP_DEVICE_TO_HCA_MAPPING.split(",").length, 8);
                assert.ok(env.DEEP_EP_DEVICE_TO_HCA_MAPPING.startsWith("0:mlx5_ib0:1,1:mlx5_ib1:1"));
                assert.ok(env.UCX_TLS.split(",").includes("rc"));
            }
        });
    });

    describe("wide EP on 2 x MI300X x8 over InfiniBand (AKS ND MI300X v5)", () => {
        const obj = () => render({ accelerator: "amd-mi300x", pool: mi300xIbPool, network: { rdmaDevices: ibDevices }, nodesPerReplica: 2, enableExpertParallel: true });

        it("is valid and sized like the NVIDIA case: group of 2, DP 16, 8 local ranks", () => {
            assert.deepStrictEqual(validateObject(obj()), []);
            assertGroupPolicies(obj());
            assert.strictEqual(lwsSpec(obj()).leaderWorkerTemplate.size, 2);
            for (const t of Object.values(templates(obj()))) {
                const c = engine(t);
                assert.strictEqual(flagValue(c.args, "--data-parallel-size"), "16");
                assert.strictEqual(flagValue(c.args, "--data-parallel-size-local"), "8");
            }
        });

        it("runs the ROCm image on amd.com/gpu with RCCL (NCCL_*) and UCX ROCm transports, no CUDA/NVSHMEM env", () => {
            for (const t of Object.values(templates(obj()))) {
                const c = engine(t);
                assert.strictEqual(c.image, imageRef(IMAGES.vllmRocm));
                assert.strictEqual(c.resources.limits["amd.com/gpu"], "8");
                assert.strictEqual(c.resources.limits["nvidia.com/gpu"], undefined);
                assert.strictEqual(c.resources.limits["rdma/ib"], "1");
                const env = envOf(c);
                assert.deepStrictEqual(env.UCX_TLS.split(","), ["sm", "rocm_ipc", "rocm_copy", "rc", "tcp"]);
                assert.strictEqual(env.NCCL_IB_HCA, `=${ibDevices.join(",")}`);
                assert.strictEqual(env.NCCL_SOCKET_IFNAME, "eth0");
                for (const name of ["CUDA_CACHE_PATH", "NVSHMEM_BOOTSTRAP_UID_SOCK_IFNAME", "DEEP_EP_DEVICE_TO_HCA_MAPPING"]) {
                    assert.strictEqual(env[name], undefined, name);
                }
                assert.ok(t.spec.tolerations.every((x: Json) => x.key === "amd.com/gpu"));
            }
        });
    });

    describe("TPU v6e 4x4 multi-host slice (ct6e-standard-4t)", () => {
        const obj = () => render({ accelerator: "tpu-v6e", pool: tpu4x4Pool });

        it("derives one group of 4 hosts per slice with 4 chips per pod and TP 16 over the whole slice", () => {
            const o = obj();
            assert.deepStrictEqual(validateObject(o), []);
            assertGroupPolicies(o);
            assert.strictEqual(lwsSpec(o).leaderWorkerTemplate.size, 4);
            const { leader, worker } = templates(o);
            for (const t of [leader, worker]) {
                assert.strictEqual(engine(t).resources.limits["google.com/tpu"], "4");
                assert.strictEqual(engine(t).image, imageRef(IMAGES.vllmTpu));
                assert.strictEqual(t.spec.nodeSelector["cloud.google.com/gke-tpu-accelerator"], "tpu-v6e-slice");
                assert.strictEqual(t.spec.nodeSelector["cloud.google.com/gke-tpu-topology"], "4x4");
            }
            assert.strictEqual(flagValue(engine(leader).args, "--tensor-parallel-size"), "16");
            assert.strictEqual(flagValue(engine(leader).args, "--distributed-executor-backend"), "ray");
        });

        it("keeps one group per slice node pool (exclusive topology) by default, and lets the user name another key", () => {
            assert.strictEqual(obj().metadata.annotations?.["leaderworkerset.sigs.k8s.io/exclusive-topology"], "cloud.google.com/gke-nodepool");
            const custom = render({ accelerator: "tpu-v6e", pool: tpu4x4Pool, topologyKey: "cloud.google.com/gce-topology-block" });
            assert.strictEqual(custom.metadata.annotations?.["leaderworkerset.sigs.k8s.io/exclusive-topology"], "cloud.google.com/gce-topology-block");
        });

        it("starts a Ray head on the leader before vLLM, and Ray workers that retry until the head is up", () => {
            const { leader, worker } = templates(obj());
            const l = engine(leader);
            const w = engine(worker);
            assert.match(l.command[2], /^ray start --head --port=6379 .*&& exec vllm serve "\$@"$/);
            assert.match(w.command[2], /^until ray start --address="\$\$\{LWS_LEADER_ADDRESS\}:6379" --block; do sleep 5; done$/);
            assert.strictEqual(w.args, undefined);
            assert.ok(l.ports.some((p: Json) => p.name === "ray" && p.containerPort === 6379));
            // Only the leader serves HTTP: workers carry no pool labels and no probes.
            assert.strictEqual(leader.metadata.labels["llm-d.ai/inference-serving"], "true");
            assert.strictEqual(worker.metadata.labels["llm-d.ai/inference-serving"], undefined);
            assert.strictEqual(w.readinessProbe, undefined);
            assert.ok(l.startupProbe);
        });

        it("adds no RDMA or NCCL wiring: ICI belongs to the TPU runtime", () => {
            for (const t of Object.values(templates(obj()))) {
                const c = engine(t);
                const env = envOf(c);
                for (const name of ["UCX_TLS", "UCX_NET_DEVICES", "NCCL_IB_HCA", "NCCL_SOCKET_IFNAME"]) {
                    assert.strictEqual(env[name], undefined, name);
                }
                assert.deepStrictEqual(c.securityContext.capabilities, { drop: ["ALL"] }, "nothing added back off RDMA");
                assert.strictEqual(t.metadata.annotations, undefined);
                assert.deepStrictEqual(Object.keys(c.resources.limits), ["google.com/tpu"]);
            }
        });

        it("accepts the derived values given explicitly", () => {
            const o = render({ accelerator: "tpu-v6e", pool: tpu4x4Pool, nodesPerReplica: 4, tensorParallelSize: 16 });
            assert.strictEqual(lwsSpec(o).leaderWorkerTemplate.size, 4);
        });
    });

    describe("Kueue Topology Aware Scheduling", () => {
        it("labels the LeaderWorkerSet with the queue and keeps leader and workers in one required domain", () => {
            const o = render({
                accelerator: "tpu-v6e",
                pool: tpu4x4Pool,
                kueue: { localQueue: "tpu-queue", topologyLevel: "cloud.google.com/gce-topology-block" },
            });
            assert.strictEqual(o.metadata.labels?.["kueue.x-k8s.io/queue-name"], "tpu-queue");
            for (const t of Object.values(templates(o))) {
                assert.strictEqual(t.metadata.annotations["kueue.x-k8s.io/podset-required-topology"], "cloud.google.com/gce-topology-block");
                assert.strictEqual(t.metadata.annotations["kueue.x-k8s.io/podset-preferred-topology"], undefined);
                assert.strictEqual(t.metadata.annotations["kueue.x-k8s.io/podset-group-name"], "qwen");
            }
            assert.deepStrictEqual(validateObject(o), []);
        });

        it("uses the preferred annotation in preferred mode, and only the queue label without a level", () => {
            const preferred = render({ accelerator: "tpu-v6e", pool: tpu4x4Pool, kueue: { localQueue: "q", topologyLevel: "kubernetes.io/hostname", topologyMode: "preferred" } });
            const leader = templates(preferred).leader;
            assert.strictEqual(leader.metadata.annotations["kueue.x-k8s.io/podset-preferred-topology"], "kubernetes.io/hostname");
            assert.strictEqual(leader.metadata.annotations["kueue.x-k8s.io/podset-required-topology"], undefined);

            const queueOnly = render({ kueue: { localQueue: "q" } });
            assert.strictEqual(queueOnly.kind, "Deployment");
            assert.strictEqual(queueOnly.metadata.labels?.["kueue.x-k8s.io/queue-name"], "q");
            assert.strictEqual(templates(queueOnly).leader.metadata.annotations, undefined);
        });

        it("annotates a single-node Deployment's pods without a podset group", () => {
            const o = render({ kueue: { localQueue: "q", topologyLevel: "kubernetes.io/hostname" } });
            const ann = templates(o).leader.metadata.annotations;
            assert.strictEqual(ann["kueue.x-k8s.io/podset-required-topology"], "kubernetes.io/hostname");
            assert.strictEqual(ann["kueue.x-k8s.io/podset-group-name"], undefined);
            assert.deepStrictEqual(validateObject(o), []);
        });
    });
});
