import * as assert from "assert";
import { Accelerator } from "../../components/catalog/accelerators";
import { IMAGES, imageRef } from "../../components/catalog/versions";
import { modelSlug, renderHfTokenSecret, resolveModelServer } from "../../components/render/model-server";
import { engineSecurityContext } from "../../components/render/model-server-security";
import { envOf, flagValue, h100IbPool, h100Pool, ibDevices, Json, podSpec, render, templates, tpuPool, vllm } from "./model-server-fixtures";

describe("model server render", () => {
    describe("defaults and args", () => {
        it("renders a Deployment running `vllm serve <model>` on the pool port with the user's args last", () => {
            const obj = render({ extraArgs: ["--max-model-len", "8192", "--enable-prefix-caching"] });
            assert.strictEqual(obj.kind, "Deployment");
            assert.strictEqual(obj.metadata.name, "qwen");
            assert.strictEqual(obj.metadata.namespace, "llm-d");
            const c = vllm(obj);
            assert.deepStrictEqual(c.command, ["vllm", "serve"]);
            assert.deepStrictEqual(c.args, [
                "Qwen/Qwen3-0.6B", "--port", "8000", "--served-model-name", "Qwen/Qwen3-0.6B",
                // As every v0.9.0 guide's vLLM (e.g. guides/optimized-baseline/modelserver/gpu/vllm/base/patch-vllm.yaml).
                "--disable-access-log-for-endpoints=/health,/metrics,/v1/models",
                "--max-model-len", "8192", "--enable-prefix-caching",
            ]);
            assert.strictEqual(c.image, imageRef(IMAGES.vllmCuda));
            assert.deepStrictEqual(c.ports, [{ name: "modelserver", containerPort: 8000, protocol: "TCP" }]);
            assert.strictEqual((obj.spec as Json).replicas, 1);
        });

        it("adds --tensor-parallel-size only above 1 and honours port and served name", () => {
            const one = vllm(render({}));
            assert.strictEqual(one.args.includes("--tensor-parallel-size"), false);
            const c = vllm(render({ tensorParallelSize: 4, port: 9000, servedModelName: "qwen-small", pool: { ...h100Pool, accelerator: "nvidia-l4" } }));
            assert.strictEqual(flagValue(c.args, "--tensor-parallel-size"), "4");
            assert.strictEqual(flagValue(c.args, "--port"), "9000");
            assert.strictEqual(flagValue(c.args, "--served-model-name"), "qwen-small");
            assert.strictEqual(c.ports[0].containerPort, 9000);
        });

        it("lets the user replace the command while keeping the args", () => {
            const c = vllm(render({ command: ["python3", "-m", "vllm.entrypoints.openai.api_server"] }));
            assert.deepStrictEqual(c.command, ["python3", "-m", "vllm.entrypoints.openai.api_server"]);
            assert.strictEqual(c.args[0], "Qwen/Qwen3-0.6B");
        });

        it("labels pods for the pool and for llm-d, with the pool labels included", () => {
            const obj = render({ role: "decode" });
            const labels = templates(obj).leader.metadata.labels;
            assert.strictEqual(labels["llm-d.ai/inference-serving"], "true");
            assert.strictEqual(labels["llm-d.ai/model"], "qwen-qwen3-0.6b");
            assert.strictEqual(labels["llm-d.ai/role"], "decode");
            assert.strictEqual(labels["llm-d.ai/guide"], "demo");
            assert.strictEqual(labels["app.kubernetes.io/instance"], "qwen");
            // The selector must match the template.
            for (const [k, v] of Object.entries((obj.spec as Json).selector.matchLabels)) {
                assert.strictEqual(labels[k], v);
            }
        });

        it("slugs model ids into valid label values", () => {
            assert.strictEqual(modelSlug("Qwen/Qwen3-0.6B"), "qwen-qwen3-0.6b");
            assert.strictEqual(modelSlug("meta-llama/Llama-3.1-8B-Instruct"), "meta-llama-llama-3.1-8b-instruct");
            const long = modelSlug(`org/${"x".repeat(80)}`);
            assert.ok(long.length <= 63 && /^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$/.test(long));
        });

        it("mounts /dev/shm in memory, the compile cache at /tmp/cache and points HF_HOME at the model cache", () => {
            const obj = render({ modelCacheSize: "100Gi" });
            const spec = podSpec(obj);
            const vols = Object.fromEntries(spec.volumes.map((v: Json) => [v.name, v]));
            // The guides' 20Gi cap (guides/recipes/modelserver and every guide's patch).
            assert.deepStrictEqual(vols.shm.emptyDir, { medium: "Memory", sizeLimit: "20Gi" });
            assert.deepStrictEqual(vols["model-cache"].emptyDir, { sizeLimit: "100Gi" });
            const c = vllm(obj);
            const mounts = Object.fromEntries(c.volumeMounts.map((m: Json) => [m.name, m.mountPath]));
            assert.strictEqual(mounts.shm, "/dev/shm");
            assert.strictEqual(mounts["compile-cache"], "/tmp/cache");
            const env = envOf(c);
            assert.strictEqual(env.HF_HOME, mounts["model-cache"]);
            assert.strictEqual(env.VLLM_CACHE_ROOT, "/tmp/cache/compile/vllm");
            assert.ok(env.TRITON_CACHE_DIR.startsWith("/tmp/cache/compile/"));
        });

        it("uses an existing claim as model cache when cachePvc is set", () => {
            const vols = podSpec(render({ cachePvc: "hf-cache" })).volumes;
            assert.deepStrictEqual(vols.find((v: Json) => v.name === "model-cache").persistentVolumeClaim, { claimName: "hf-cache" });
        });

        it("serves pvc:// models from a read-only mount", () => {
            const obj = render({ modelSource: "pvc://models/qwen3-0.6b/" });
            const c = vllm(obj);
            assert.strictEqual(c.args[0], "/models/qwen3-0.6b");
            assert.deepStrictEqual(c.volumeMounts.find((m: Json) => m.name === "model"), { name: "model", mountPath: "/models", readOnly: true });
            assert.deepStrictEqual(podSpec(obj).volumes.find((v: Json) => v.name === "model").persistentVolumeClaim, { claimName: "models", readOnly: true });
        });

        // guides/recipes/modelserver/base/single-host/default/decode-deployment.yaml: started and ready on
        // /v1/models (the model is loaded), alive on /health.
        it("probes /v1/models to start and be ready, /health to live, and tolerates an hour of loading", () => {
            for (const c of [vllm(render({})), vllm(render({ simulator: true, accelerator: undefined }))]) {
                assert.strictEqual(c.startupProbe.httpGet.path, "/v1/models");
                assert.strictEqual(c.readinessProbe.httpGet.path, "/v1/models");
                assert.strictEqual(c.livenessProbe.httpGet.path, "/health");
            }
            const c = vllm(render({}));
            assert.ok(c.startupProbe.failureThreshold * c.startupProbe.periodSeconds >= 3600);
        });

        it("sets no fixed UID and a generous grace period", () => {
            const spec = podSpec(render({}));
            assert.strictEqual(spec.securityContext.runAsUser, undefined);
            assert.strictEqual(vllm(render({})).securityContext.runAsUser, undefined);
            assert.ok(spec.terminationGracePeriodSeconds >= 90);
        });

        it("requests a CPU and memory floor when nobody sized vLLM, and only then", () => {
            assert.deepStrictEqual(vllm(render({})).resources.requests, { cpu: "2", memory: "16Gi", "nvidia.com/gpu": "1" });
            assert.deepStrictEqual(vllm(render({ cpu: "8", memory: "64Gi" })).resources.requests, { cpu: "8", memory: "64Gi", "nvidia.com/gpu": "1" });
            // A limit alone: Kubernetes requests the limit, so a floor above it would make the pod invalid.
            const limited = vllm(render({ cpuLimit: "1", memoryLimit: "8Gi" })).resources;
            assert.deepStrictEqual([limited.requests.cpu, limited.requests.memory], [undefined, undefined]);
            assert.deepStrictEqual(vllm(render({ simulator: true, accelerator: undefined })).resources.requests, { cpu: "100m", memory: "256Mi" });
        });

        it("sets runAsNonRoot only where the pinned image's Dockerfile sets a numeric non-root USER and nothing is added", () => {
            // llm-d-cuda (USER 2000) is the NVIDIA default; the simulator's image runs as 65532.
            assert.strictEqual(vllm(render({})).securityContext.runAsNonRoot, true);
            assert.strictEqual(vllm(render({ simulator: true, accelerator: undefined })).securityContext.runAsNonRoot, true);
            // Images that run as root, and images llmd knows nothing about, are left alone.
            for (const args of [{ image: imageRef(IMAGES.vllmOpenai) }, { image: "example.com/vllm:dev" }, { accelerator: "amd-mi300x" as const }]) {
                assert.strictEqual(vllm(render(args)).securityContext.runAsNonRoot, undefined, JSON.stringify(args));
            }
            // Added capabilities are only effective for root, so an RDMA container runs as UID 0 even on llm-d-cuda (USER 2000).
            assert.strictEqual(engineSecurityContext(false, ["IPC_LOCK"], imageRef(IMAGES.vllmCuda)).runAsNonRoot, undefined);
            assert.strictEqual(engineSecurityContext(false, ["IPC_LOCK"], imageRef(IMAGES.vllmCuda)).runAsUser, 0);
            assert.strictEqual(engineSecurityContext(false, [], imageRef(IMAGES.vllmCuda)).runAsUser, undefined);
            assert.strictEqual(engineSecurityContext(true, [], imageRef(IMAGES.vllmCuda)).runAsNonRoot, undefined);
        });

        it("lets the user's env override llmd's by name", () => {
            const env = vllm(render({ env: { VLLM_CACHE_ROOT: "/mine", FOO: "bar" } })).env;
            assert.deepStrictEqual(env.filter((e: Json) => e.name === "VLLM_CACHE_ROOT"), [{ name: "VLLM_CACHE_ROOT", value: "/mine" }]);
            assert.deepStrictEqual(envOf({ env }).FOO, "bar");
        });

        it("references the HF token Secret: its own when a token is given, else the named one", () => {
            const own = envOf(vllm(render({}, "qwen", true)));
            assert.deepStrictEqual(own.HF_TOKEN, { secretKeyRef: { name: "qwen-hf-token", key: "HF_TOKEN" } });
            const existing = envOf(vllm(render({ hfTokenSecretName: "llm-d-hf-token" })));
            assert.deepStrictEqual(existing.HF_TOKEN, { secretKeyRef: { name: "llm-d-hf-token", key: "HF_TOKEN" } });
            assert.strictEqual(envOf(vllm(render({}))).HF_TOKEN, undefined);
        });

        it("renders the token Secret with the given value under HF_TOKEN", () => {
            const spec = resolveModelServer({ namespace: "ns", model: "m/m", accelerator: "nvidia-l4" }, { name: "m", hfTokenGiven: true });
            const secret = renderHfTokenSecret(spec, "hf_x");
            assert.strictEqual(secret.metadata.name, "m-hf-token");
            assert.deepStrictEqual(secret.stringData, { HF_TOKEN: "hf_x" });
        });
    });

    describe("accelerators", () => {
        it("requests accelerators per pod of the vendor's resource, limits equal to requests", () => {
            const cases: Array<[Accelerator, string, number]> = [
                ["nvidia-h100", "nvidia.com/gpu", 4],
                ["amd-mi300x", "amd.com/gpu", 2],
                ["tpu-v6e", "google.com/tpu", 4],
            ];
            for (const [accelerator, resource, tp] of cases) {
                const r = vllm(render({ accelerator, tensorParallelSize: tp, cpu: "8", memory: "64Gi" })).resources;
                assert.strictEqual(r.requests[resource], String(tp), accelerator);
                assert.strictEqual(r.limits[resource], String(tp), accelerator);
                assert.strictEqual(r.requests.cpu, "8");
                assert.strictEqual(r.requests.memory, "64Gi");
            }
        });

        it("picks the image by accelerator family", () => {
            assert.strictEqual(vllm(render({ accelerator: "amd-mi300x" })).image, imageRef(IMAGES.vllmRocm));
            assert.strictEqual(vllm(render({ accelerator: "tpu-v6e" })).image, imageRef(IMAGES.vllmTpu));
            assert.strictEqual(vllm(render({ accelerator: "cpu" })).image, imageRef(IMAGES.vllmCpu));
            assert.strictEqual(vllm(render({ image: "example.com/vllm:dev" })).image, "example.com/vllm:dev");
        });

        it("sets NVIDIA-only env: driver library path for custom images, none for AMD and TPU", () => {
            const custom = envOf(vllm(render({ image: "docker.io/vllm/vllm-openai:v0.27.1" })));
            assert.ok(custom.LD_LIBRARY_PATH.split(":").includes("/usr/local/nvidia/lib64"));
            assert.ok(custom.CUDA_CACHE_PATH.startsWith("/tmp/cache/compile/"));
            // llm-d's CUDA image lists the driver path itself among NIXL/UCX paths an override would drop.
            assert.strictEqual(envOf(vllm(render({}))).LD_LIBRARY_PATH, undefined);
            for (const accelerator of ["amd-mi300x", "tpu-v6e"] as const) {
                const env = envOf(vllm(render({ accelerator, image: "example.com/x:1" })));
                assert.strictEqual(env.LD_LIBRARY_PATH, undefined, accelerator);
                assert.strictEqual(env.CUDA_CACHE_PATH, undefined, accelerator);
            }
        });

        it("tolerates the catalog taint even without a pool", () => {
            assert.deepStrictEqual(podSpec(render({ accelerator: "amd-mi300x" })).tolerations, [
                { key: "amd.com/gpu", operator: "Exists", effect: "NoSchedule" },
            ]);
            assert.strictEqual(podSpec(render({ accelerator: "amd-mi300x" })).nodeSelector, undefined);
        });

        it("takes nodeSelector and tolerations from the pool", () => {
            const spec = podSpec(render({ accelerator: "nvidia-h100", pool: h100Pool, tensorParallelSize: 8 }));
            assert.deepStrictEqual(spec.nodeSelector, h100Pool.nodeLabels);
            // The pool's nvidia.com/gpu=present taint is already matched by the catalog's Exists toleration.
            assert.deepStrictEqual(spec.tolerations, [
                { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
                { key: "llmd.dev/pool", operator: "Equal", value: "h100", effect: "NoSchedule" },
            ]);
        });

        it("selects TPU nodes only through the pool's accelerator and topology labels", () => {
            const spec = podSpec(render({ accelerator: "tpu-v6e", pool: tpuPool, tensorParallelSize: 4 }));
            assert.strictEqual(spec.nodeSelector["cloud.google.com/gke-tpu-topology"], "2x2");
            assert.strictEqual(spec.nodeSelector["cloud.google.com/gke-tpu-accelerator"], "tpu-v6e-slice");
            assert.strictEqual(spec.containers[0].resources.limits["google.com/tpu"], "4");
        });

        it("replaces accelerator pods without a surge pod", () => {
            assert.deepStrictEqual((render({}).spec as Json).strategy.rollingUpdate, { maxSurge: 0, maxUnavailable: 1 });
            assert.strictEqual((render({ simulator: true, accelerator: undefined }).spec as Json).strategy, undefined);
        });
    });

    describe("P/D disaggregation", () => {
        const decode = { role: "decode" as const, pd: { kvTransfer: "nixl" as const } };

        it("puts the routing sidecar on the pool port as a native sidecar on 1.33, vLLM on 8200", () => {
            const obj = render({ ...decode, kubernetesVersion: "1.33" });
            const spec = podSpec(obj);
            assert.strictEqual(spec.initContainers.length, 1);
            const sidecar = spec.initContainers[0];
            assert.strictEqual(sidecar.restartPolicy, "Always");
            assert.strictEqual(sidecar.image, imageRef(IMAGES.disaggSidecar));
            // guides/recipes/modelserver/base/single-host/pd/vllm/patch-sidecar.yaml; vLLM on the default 8200.
            assert.deepStrictEqual(sidecar.args, ["--port=8000", "--kv-connector=nixlv2", "--zap-log-level=1", "--secure-proxy=false"]);
            assert.strictEqual(sidecar.ports[0].containerPort, 8000);
            const c = vllm(obj);
            assert.strictEqual(flagValue(c.args, "--port"), "8200");
            assert.strictEqual(c.ports[0].containerPort, 8200);
            assert.strictEqual(spec.containers.length, 1);
        });

        it("runs the sidecar as a plain container on 1.32", () => {
            const spec = podSpec(render({ ...decode, kubernetesVersion: "1.32" }));
            assert.strictEqual(spec.initContainers, undefined);
            const sidecar = spec.containers.find((c: Json) => c.name === "routing-proxy");
            assert.ok(sidecar);
            assert.strictEqual(sidecar.restartPolicy, undefined);
        });

        it("probes the sidecar's own /health on its first port, native or plain", () => {
            for (const spec of [podSpec(render(decode)), podSpec(render({ ...decode, kubernetesVersion: "1.32" }))]) {
                const sidecar = [...spec.containers, ...(spec.initContainers ?? [])].find((c: Json) => c.name === "routing-proxy");
                for (const probe of [sidecar.readinessProbe, sidecar.livenessProbe]) {
                    assert.deepStrictEqual(probe.httpGet, { path: "/health", port: "sidecar" });
                    assert.ok(sidecar.ports.some((p: Json) => p.name === probe.httpGet.port));
                }
            }
        });

        it("configures NIXL: kv-transfer-config, side channel env and port, keep-alive", () => {
            const c = vllm(render(decode));
            assert.deepStrictEqual(JSON.parse(flagValue(c.args, "--kv-transfer-config")!), { kv_connector: "NixlConnector", kv_role: "kv_both" });
            const env = envOf(c);
            assert.deepStrictEqual(env.VLLM_NIXL_SIDE_CHANNEL_HOST, { fieldRef: { fieldPath: "status.podIP" } });
            assert.strictEqual(env.VLLM_NIXL_SIDE_CHANNEL_PORT, "5600");
            assert.strictEqual(env.VLLM_HTTP_TIMEOUT_KEEP_ALIVE, "120");
            assert.ok(c.ports.some((p: Json) => p.name === "nixl" && p.containerPort === 5600));
        });

        it("serves prefill on the pool port with no sidecar", () => {
            const obj = render({ role: "prefill", pd: { kvTransfer: "nixl" } });
            assert.strictEqual(podSpec(obj).initContainers, undefined);
            assert.strictEqual(flagValue(vllm(obj).args, "--port"), "8000");
            assert.ok(flagValue(vllm(obj).args, "--kv-transfer-config"));
        });

        it("lets decode opt out of the sidecar", () => {
            const obj = render({ role: "decode", pd: { kvTransfer: "nixl", routingSidecar: false } });
            assert.strictEqual(podSpec(obj).initContainers, undefined);
            assert.strictEqual(flagValue(vllm(obj).args, "--port"), "8000");
        });
    });

    describe("KV events", () => {
        it("publishes KV events over ZMQ with block size 64 and a pod-addressed topic", () => {
            const c = vllm(render({ kvEvents: { enabled: true } }));
            assert.strictEqual(flagValue(c.args, "--block-size"), "64");
            const cfg = JSON.parse(flagValue(c.args, "--kv-events-config")!);
            assert.strictEqual(cfg.enable_kv_cache_events, true);
            assert.strictEqual(cfg.publisher, "zmq");
            // Bound on the pod with a replay socket, as llm-d v0.9.0
            // guides/precise-prefix-cache-routing/modelserver/gpu/vllm/base/patch-vllm.yaml runs it.
            assert.strictEqual(cfg.endpoint, "tcp://*:5556");
            assert.strictEqual(cfg.replay_endpoint, "tcp://*:5559");
            assert.strictEqual(cfg.topic, "kv@$(POD_IP):8000@Qwen/Qwen3-0.6B");
            const env = envOf(c);
            assert.deepStrictEqual(env.POD_IP, { fieldRef: { fieldPath: "status.podIP" } });
            assert.strictEqual(env.PYTHONHASHSEED, "42");
            assert.deepStrictEqual(c.ports.filter((p: Json) => p.name.startsWith("kv-")).map((p: Json) => p.containerPort), [5556, 5559]);
            // POD_IP must come before anything that references it.
            assert.strictEqual(c.env[0].name, "POD_IP");
        });

        it("connects to a central endpoint when one is given", () => {
            const c = vllm(render({ kvEvents: { enabled: true, endpoint: "tcp://router-epp.llm-d.svc:5557" } }));
            const cfg = JSON.parse(flagValue(c.args, "--kv-events-config")!);
            assert.strictEqual(cfg.endpoint, "tcp://router-epp.llm-d.svc:5557");
            assert.strictEqual(cfg.replay_endpoint, undefined);
            assert.ok(!c.ports.some((p: Json) => String(p.name).startsWith("kv-")));
        });
    });

    describe("simulator", () => {
        it("runs the simulator image with its own flags and no accelerator resources", () => {
            const obj = render({ simulator: true, accelerator: undefined });
            const c = vllm(obj);
            assert.strictEqual(c.image, imageRef(IMAGES.inferenceSim));
            assert.strictEqual(c.command, undefined);
            assert.strictEqual(flagValue(c.args, "--model"), "Qwen/Qwen3-0.6B");
            assert.strictEqual(flagValue(c.args, "--port"), "8000");
            assert.strictEqual(flagValue(c.args, "--mode"), "random");
            assert.deepStrictEqual(Object.keys(c.resources.requests).sort(), ["cpu", "memory"]);
            assert.strictEqual(c.resources.limits, undefined);
            assert.strictEqual(podSpec(obj).tolerations, undefined);
            assert.strictEqual(templates(obj).leader.metadata.labels["llm-d.ai/inference-serving"], "true");
        });

        it("keeps the routing sidecar for P/D with the simulator on 8200 behind it", () => {
            const obj = render({ simulator: true, accelerator: "cpu", role: "decode", pd: { kvTransfer: "nixl" } });
            assert.strictEqual(podSpec(obj).initContainers[0].name, "routing-proxy");
            assert.strictEqual(flagValue(vllm(obj).args, "--port"), "8200");
            assert.strictEqual(vllm(obj).args.includes("--kv-transfer-config"), false);
        });
    });

    describe("multi-node (LeaderWorkerSet)", () => {
        it("sizes wide EP on two H100x8 nodes: DP 16, 8 local ranks, 8 GPUs per pod", () => {
            const obj = render({
                accelerator: "nvidia-h100",
                pool: h100IbPool,
                network: { rdmaDevices: ibDevices },
                nodesPerReplica: 2,
                enableExpertParallel: true,
                role: "decode",
                pd: { kvTransfer: "nixl" },
            });
            assert.strictEqual(obj.apiVersion, "leaderworkerset.x-k8s.io/v1");
            assert.strictEqual(obj.kind, "LeaderWorkerSet");
            const spec = obj.spec as Json;
            assert.strictEqual(spec.replicas, 1);
            assert.strictEqual(spec.startupPolicy, "LeaderCreated");
            assert.strictEqual(spec.leaderWorkerTemplate.size, 2);
            assert.strictEqual(spec.leaderWorkerTemplate.restartPolicy, "RecreateGroupOnPodRestart");
            for (const t of [templates(obj).leader, templates(obj).worker]) {
                const c = t.spec.containers.find((x: Json) => x.name === "vllm");
                assert.strictEqual(c.resources.limits["nvidia.com/gpu"], "8");
                assert.strictEqual(flagValue(c.args, "--data-parallel-size"), "16");
                assert.strictEqual(flagValue(c.args, "--data-parallel-size-local"), "8");
                assert.strictEqual(flagValue(c.args, "--data-parallel-address"), "$(LWS_LEADER_ADDRESS)");
                assert.ok(c.args.includes("--enable-expert-parallel"));
                // llm-d v0.9.0 guides/wide-ep-lws/modelserver/gpu/vllm/base/decode.yaml: one API server per
                // local rank on 8200-8207 behind the sidecar, the supervisor on 8208 answering the probes.
                assert.ok(c.args.includes("--data-parallel-multi-port-external-lb"));
                assert.ok(!c.args.includes("--data-parallel-hybrid-lb"));
                assert.strictEqual(flagValue(c.args, "--data-parallel-supervisor-port"), "8208");
                assert.strictEqual(flagValue(c.args, "--port"), "8200");
                assert.deepStrictEqual(c.ports.filter((p: Json) => p.containerPort >= 8200).map((p: Json) => p.containerPort), [8200, 8201, 8202, 8203, 8204, 8205, 8206, 8207, 8208]);
                assert.deepStrictEqual([c.readinessProbe.httpGet, c.livenessProbe.httpGet], [{ path: "/readyz", port: "supervisor" }, { path: "/health", port: "supervisor" }]);
                // The start rank is computed per pod from the LWS worker index.
                assert.strictEqual(c.command[0], "/bin/sh");
                assert.match(c.command[2], /--data-parallel-start-rank \$\$\(\( \$\$\{LWS_WORKER_INDEX:-0\} \* 8 \)\)/);
                assert.match(c.command[2], /^exec vllm serve "\$@"/);
                // Every pod serves HTTP, so every pod carries the pool labels and the sidecar, which listens
                // on one port per rank (8000-8007) and forwards each to the rank at the same offset.
                assert.strictEqual(t.metadata.labels["llm-d.ai/inference-serving"], "true");
                const sidecar = t.spec.initContainers[0];
                assert.strictEqual(sidecar.name, "routing-proxy");
                assert.ok(sidecar.args.includes("--data-parallel-size=8"));
                assert.ok(sidecar.args.includes("--enable-prefiller-sampling"));
                assert.deepStrictEqual(JSON.parse(flagValue(c.args, "--kv-transfer-config")!), { kv_connector: "NixlConnector", kv_role: "kv_both", kv_load_failure_policy: "fail" });
                assert.deepStrictEqual(t.spec.volumes.find((v: Json) => v.name === "shm").emptyDir, { medium: "Memory", sizeLimit: "2Gi" });
                assert.deepStrictEqual(sidecar.ports.map((p: Json) => p.containerPort), [8000, 8001, 8002, 8003, 8004, 8005, 8006, 8007]);
                assert.deepStrictEqual(c.securityContext.capabilities.add, ["IPC_LOCK", "SYS_RAWIO"]);
            }
        });

        it("serves every local rank's port itself on wide-EP prefill, supervisor after the last", () => {
            // llm-d v0.9.0 guides/wide-ep-lws/modelserver/gpu/vllm/base/prefill.yaml: 8000-8007, supervisor 8008.
            const obj = render({ accelerator: "nvidia-h100", pool: h100IbPool, network: { rdmaDevices: ibDevices }, nodesPerReplica: 2, enableExpertParallel: true, role: "prefill", pd: { kvTransfer: "nixl" } });
            for (const t of [templates(obj).leader, templates(obj).worker]) {
                assert.strictEqual(t.spec.initContainers, undefined);
                const c = t.spec.containers[0];
                assert.strictEqual(flagValue(c.args, "--port"), "8000");
                assert.strictEqual(flagValue(c.args, "--data-parallel-supervisor-port"), "8008");
                assert.deepStrictEqual(
                    c.ports.filter((p: Json) => p.containerPort >= 8000 && p.containerPort < 8100).map((p: Json) => [p.name, p.containerPort]),
                    [["modelserver", 8000], ...[1, 2, 3, 4, 5, 6, 7].map((i) => [`modelserver-${i}`, 8000 + i]), ["supervisor", 8008]],
                );
            }
        });

        it("refuses per-rank ports the pool cannot target or that collide behind the sidecar", () => {
            const wide = { accelerator: "nvidia-h100" as const, nodesPerReplica: 2, network: { allowTcp: true } };
            assert.throws(() => render({ ...wide, acceleratorsPerNode: 16, dataParallelSizeLocal: 16 }), /^LlmdConfigError: dataParallelSizeLocal: got 16; expected at most 8/);
            assert.throws(
                () => render({ ...wide, acceleratorsPerNode: 8, role: "decode", pd: { kvTransfer: "nixl" }, port: 8195 }),
                /^LlmdConfigError: port: got 8195; expected the sidecar's ports 8195-8202 to stay clear of vLLM's behind it \(from 8200\); 8200 is taken/,
            );
        });

        it("uses the worker index directly as start rank with one rank per pod", () => {
            const obj = render({ accelerator: "nvidia-h100", nodesPerReplica: 4, tensorParallelSize: 8, acceleratorsPerNode: 8 });
            const c = templates(obj).worker.spec.containers[0];
            assert.deepStrictEqual(c.command, ["vllm", "serve"]);
            assert.strictEqual(flagValue(c.args, "--data-parallel-start-rank"), "$(LWS_WORKER_INDEX)");
            assert.strictEqual(flagValue(c.args, "--data-parallel-size"), "4");
        });

        it("spans one tensor-parallel group over nodes with headless workers outside the pool", () => {
            const obj = render({ accelerator: "nvidia-h100", pool: h100Pool, nodesPerReplica: 2, tensorParallelSize: 16, replicas: 3, network: { allowTcp: true } });
            assert.strictEqual((obj.spec as Json).replicas, 3);
            const { leader, worker } = templates(obj);
            const l = leader.spec.containers[0];
            const w = worker.spec.containers[0];
            assert.strictEqual(flagValue(l.args, "--tensor-parallel-size"), "16");
            assert.strictEqual(flagValue(l.args, "--node-rank"), "0");
            assert.strictEqual(flagValue(w.args, "--node-rank"), "$(LWS_WORKER_INDEX)");
            assert.ok(w.args.includes("--headless") && !l.args.includes("--headless"));
            assert.strictEqual(l.resources.limits["nvidia.com/gpu"], "8");
            assert.strictEqual(leader.metadata.labels["llm-d.ai/inference-serving"], "true");
            assert.strictEqual(worker.metadata.labels["llm-d.ai/inference-serving"], undefined);
            assert.strictEqual(worker.metadata.labels["llm-d.ai/guide"], undefined);
            assert.strictEqual(w.readinessProbe, undefined);
            assert.ok(l.readinessProbe);
        });
    });
});
