import * as assert from "assert";
import { renderHfTokenSecret, renderModelServer, resolveModelServer } from "../../components/render/model-server";
import { ModelServerInput } from "../../components/render/model-server-types";
import { K8sObject } from "../../components/render/types";
import { validateObject } from "../support/schema";
import { base, h100IbPool, h100Pool, h200RocePool, ibDevices, mi300xIbPool, tpu4x4Pool, tpuPool } from "../unit/model-server-fixtures";

const variants: Array<[string, Partial<ModelServerInput>]> = [
    ["defaults (L4, hf://)", {}],
    ["TP 4, extra args, env, port, requests, cache size", { tensorParallelSize: 4, extraArgs: ["--max-model-len", "8192"], env: { FOO: "bar" }, port: 9000, cpu: "8", memory: "64Gi", modelCacheSize: "100Gi" }],
    ["pvc:// model with cache claim", { modelSource: "pvc://models/qwen", cachePvc: "hf-cache", hfTokenSecretName: "llm-d-hf-token" }],
    ["command override, custom image", { command: ["python3", "-m", "vllm.entrypoints.openai.api_server"], image: "docker.io/vllm/vllm-openai:v0.27.1" }],
    ["H100 pool TP 8", { accelerator: "nvidia-h100", pool: h100Pool, tensorParallelSize: 8 }],
    ["AMD MI300X", { accelerator: "amd-mi300x", tensorParallelSize: 8 }],
    ["TPU v6e pool", { accelerator: "tpu-v6e", pool: tpuPool, tensorParallelSize: 4 }],
    ["vLLM on CPU", { accelerator: "cpu" }],
    ["decode + NIXL, native sidecar (1.33)", { role: "decode", pd: { kvTransfer: "nixl" }, kubernetesVersion: "1.33" }],
    ["decode + NIXL, plain sidecar (1.32)", { role: "decode", pd: { kvTransfer: "nixl" }, kubernetesVersion: "1.32" }],
    ["prefill + NIXL", { role: "prefill", pd: { kvTransfer: "nixl" } }],
    ["KV events, bind", { kvEvents: { enabled: true } }],
    ["KV events, central endpoint", { kvEvents: { enabled: true, endpoint: "tcp://router-epp.llm-d.svc:5557" } }],
    ["simulator", { simulator: true, accelerator: undefined, replicas: 3 }],
    ["simulator decode + sidecar + KV events", { simulator: true, accelerator: "cpu", role: "decode", pd: { kvTransfer: "nixl" }, kvEvents: { enabled: true, endpoint: "tcp://router-epp.llm-d.svc:5557" } }],
    ["zero replicas", { replicas: 0 }],
    ["wide EP LWS: 2 x H100x8 over InfiniBand, decode + NIXL", { accelerator: "nvidia-h100", pool: h100IbPool, network: { rdmaDevices: ibDevices }, nodesPerReplica: 2, enableExpertParallel: true, role: "decode", pd: { kvTransfer: "nixl" } }],
    ["wide EP LWS prefill, plain sidecarless", { accelerator: "nvidia-h100", pool: h100IbPool, network: { rdmaDevices: ibDevices }, nodesPerReplica: 2, enableExpertParallel: true, role: "prefill", pd: { kvTransfer: "nixl" }, replicas: 2 }],
    ["wide EP LWS on GKE A3 Ultra (multi-networking), privileged, Kueue TAS", { accelerator: "nvidia-h200", pool: h200RocePool, nodesPerReplica: 2, enableExpertParallel: true, role: "decode", pd: { kvTransfer: "nixl" }, network: { privileged: true }, topologyKey: "cloud.google.com/gce-topology-block", kueue: { localQueue: "serving", topologyLevel: "cloud.google.com/gce-topology-block" } }],
    ["wide EP LWS: 2 x MI300X x8 over InfiniBand", { accelerator: "amd-mi300x", pool: mi300xIbPool, network: { rdmaDevices: ibDevices }, nodesPerReplica: 2, enableExpertParallel: true }],
    ["TPU v6e 4x4 multi-host slice", { accelerator: "tpu-v6e", pool: tpu4x4Pool, kueue: { localQueue: "tpu", topologyLevel: "cloud.google.com/gke-nodepool", topologyMode: "preferred" } }],
    ["P/D over TCP accepted, Multus networks", { accelerator: "nvidia-h100", pool: h100Pool, role: "decode", pd: { kvTransfer: "nixl" }, network: { allowTcp: true, multusNetworks: ["rdma-net"] } }],
    ["LWS one rank per pod", { accelerator: "nvidia-h100", acceleratorsPerNode: 8, nodesPerReplica: 4, tensorParallelSize: 8 }],
    ["LWS tensor parallel over nodes", { accelerator: "nvidia-h100", pool: h100Pool, network: { allowTcp: true }, nodesPerReplica: 2, tensorParallelSize: 16, kubernetesVersion: "1.31" }],
];

function objectsFor(args: Partial<ModelServerInput>, hfTokenGiven = false): K8sObject[] {
    const spec = resolveModelServer({ ...base, ...args }, { name: "qwen", hfTokenGiven });
    const objects = renderModelServer(spec);
    return spec.createHfTokenSecret ? [renderHfTokenSecret(spec, "hf_test"), ...objects] : objects;
}

describe("model server objects against the Kubernetes and CRD schemas", () => {
    for (const [what, args] of variants) {
        it(`${what}: every object is valid`, () => {
            for (const obj of objectsFor(args)) {
                assert.deepStrictEqual(validateObject(obj), [], `${obj.kind} ${obj.metadata.name}`);
            }
        });
    }

    it("the HF token Secret is valid", () => {
        const objects = objectsFor({}, true);
        assert.strictEqual(objects[0].kind, "Secret");
        for (const obj of objects) {
            assert.deepStrictEqual(validateObject(obj), []);
        }
    });

    it("the validator is live for the LeaderWorkerSet CRD (a bad restart policy fails)", () => {
        const [lws] = objectsFor(variants.find(([w]) => w.startsWith("wide EP LWS: "))![1]);
        assert.strictEqual(lws.kind, "LeaderWorkerSet");
        const broken = JSON.parse(JSON.stringify(lws));
        broken.spec.leaderWorkerTemplate.restartPolicy = "Always";
        broken.spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].bogusField = true;
        assert.notDeepStrictEqual(validateObject(broken), []);
    });
});
