import * as assert from "assert";
import { assertConfigError } from "../support/config-errors";
import { resolveModelServer } from "../../components/render/model-server";
import { ModelServerInput } from "../../components/render/model-server-types";
import { base, h100Pool } from "./model-server-fixtures";

/** Asserts resolving throws a config error on `field` whose message contains every `parts`. */
function rejects(args: Partial<ModelServerInput>, field: string, parts: string[], hfTokenGiven = false): void {
    assert.throws(
        () => resolveModelServer({ ...base, ...args } as ModelServerInput, { name: "qwen", hfTokenGiven }),
        (err: unknown) => {
            assertConfigError(err, field, parts);
            return true;
        },
    );
}

describe("model server bad input", () => {
    it("serviceAccountName that is not a Kubernetes object name", () => {
        rejects({ serviceAccountName: "Model_Server" }, "serviceAccountName", ['"Model_Server"', "lowercase letters", "at most 253"]);
        rejects({ serviceAccountName: "sa-" }, "serviceAccountName", ['"sa-"']);
        rejects({ serviceAccountName: "" }, "serviceAccountName", ["lowercase letters"]);
        rejects({ serviceAccountName: "a".repeat(254) }, "serviceAccountName", ["at most 253"]);
        rejects({ serviceAccountName: 7 as never }, "serviceAccountName", ["7"]);
    });

    it("KV events from the simulator without an endpoint: it can only connect", () => {
        rejects({ simulator: true, accelerator: undefined, kvEvents: { enabled: true } }, "kvEvents.endpoint", ["nothing", "kvEventsListener", "can only connect"]);
    });

    it("a CPU or memory limit below its request", () => {
        rejects({ cpu: "8", cpuLimit: "4" }, "cpuLimit", ['"4"', "at least the request (8)"]);
        rejects({ memory: "96Gi", memoryLimit: "64000Mi" }, "memoryLimit", ['"64000Mi"', "at least the request (96Gi)"]);
        rejects({ cpuLimit: "lots" }, "cpuLimit", ['"lots"', "Kubernetes quantity"]);
    });

    it("unknown accelerator lists the valid ids", () => {
        rejects({ accelerator: "nvidia-h800" as never }, "accelerator", ['"nvidia-h800"', "nvidia-h100", "amd-mi300x", "tpu-v6e", "cpu"]);
    });

    it("missing accelerator without the simulator", () => {
        rejects({ accelerator: undefined }, "accelerator", ["nothing", "nvidia-l4"]);
    });

    it("tensor parallel larger than a node names the value and the node's accelerator count", () => {
        rejects({ accelerator: "nvidia-h100", pool: h100Pool, tensorParallelSize: 16 }, "tensorParallelSize", ["16", "at most 8", "has 8 accelerators"]);
        rejects({ accelerator: "nvidia-h100", acceleratorsPerNode: 4, tensorParallelSize: 8 }, "tensorParallelSize", ["8", "at most 4"]);
    });

    it("TP x local DP larger than a node", () => {
        rejects(
            { accelerator: "nvidia-h100", pool: h100Pool, tensorParallelSize: 4, dataParallelSizeLocal: 4 },
            "dataParallelSizeLocal",
            ["4", "16 accelerators", "has 8 accelerators"],
        );
        rejects(
            { accelerator: "nvidia-h100", pool: h100Pool, nodesPerReplica: 2, tensorParallelSize: 2, dataParallelSizeLocal: 8 },
            "dataParallelSizeLocal",
            ["at most 4"],
        );
    });

    it("data-parallel size that does not match nodes x local ranks", () => {
        rejects({ accelerator: "nvidia-h100", pool: h100Pool, nodesPerReplica: 2, dataParallelSize: 8 }, "dataParallelSize", ["8", "expected 16"]);
    });

    it("negative or fractional replicas", () => {
        rejects({ replicas: -1 }, "replicas", ["-1", ">= 0"]);
        rejects({ replicas: 1.5 }, "replicas", ["1.5"]);
    });

    it("empty model", () => {
        rejects({ model: "" }, "model", ["non-empty"]);
        rejects({ model: "  " }, "model", ["non-empty"]);
    });

    it("model source with an unknown scheme", () => {
        rejects({ modelSource: "s3://bucket/qwen" }, "modelSource", ['"s3://bucket/qwen"', "hf://", "pvc://"]);
        rejects({ modelSource: "pvc://only-claim" }, "modelSource", ["pvc://<claim>/<path"]);
    });

    it("simulator with a GPU accelerator", () => {
        rejects({ simulator: true, accelerator: "nvidia-h100" }, "accelerator", ['"nvidia-h100"', "cpu", "simulator"]);
    });

    it("pool whose accelerator differs", () => {
        rejects({ accelerator: "nvidia-h200", pool: h100Pool }, "pool.accelerator", ['"nvidia-h100"', "expected nvidia-h200"]);
    });

    it("Kubernetes older than 1.29", () => {
        rejects({ kubernetesVersion: "1.27" }, "kubernetesVersion", ['"1.27"', "1.29"]);
        rejects({ kubernetesVersion: "latest" }, "kubernetesVersion", ['"latest"']);
    });

    it("nodesPerReplica below 1", () => {
        rejects({ nodesPerReplica: 0 }, "nodesPerReplica", ["0", ">= 1"]);
    });

    it("port out of range", () => {
        rejects({ port: 70000 }, "port", ["70000", "1 to 65535"]);
        rejects({ port: 0 }, "port", ["0"]);
        rejects({ port: 8200, role: "decode", pd: { kvTransfer: "nixl" } }, "port", ["8200", "sidecar"]);
    });

    it("routing sidecar on a prefill server", () => {
        rejects({ role: "prefill", pd: { kvTransfer: "nixl", routingSidecar: true } }, "pd.routingSidecar", ["true", "prefill"]);
    });

    it("empty command", () => {
        rejects({ command: [] }, "command", ["[]", "at least one"]);
    });

    it("unknown role and kv transfer", () => {
        rejects({ role: "encode" as never }, "role", ['"encode"', "decode, prefill, both"]);
        rejects({ pd: { kvTransfer: "lmcache" as never } }, "pd.kvTransfer", ['"lmcache"', "none, nixl"]);
    });

    it("both an HF token and a secret name", () => {
        rejects({ hfTokenSecretName: "llm-d-hf-token" }, "hfTokenSecretName", ["hfToken"], true);
    });

    it("both a cache size and a cache claim", () => {
        rejects({ modelCacheSize: "100Gi", cachePvc: "cache" }, "cachePvc", ["modelCacheSize"]);
        rejects({ modelCacheSize: "lots" }, "modelCacheSize", ['"lots"', "100Gi"]);
    });

    it("pool labels that contradict llmd's own", () => {
        rejects({ poolLabels: { "llm-d.ai/role": "prefill" }, role: "decode" }, "poolLabels.llm-d.ai/role", ['"prefill"', '"decode"']);
    });

    it("a tensor-parallel group spanning nodes with data parallelism", () => {
        rejects(
            { accelerator: "nvidia-h100", pool: h100Pool, nodesPerReplica: 2, tensorParallelSize: 16, dataParallelSize: 2 },
            "dataParallelSize",
            ["2"],
        );
    });
});
