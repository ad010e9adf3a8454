/**
 * The pod template of a vLLM (or simulator) model server, following llm-d's model-server conventions:
 * `vllm serve` with the model first and the user's args last, compile caches under /tmp/cache/compile,
 * HF_HOME on a mounted cache, no fixed UID, long startup probe. Pure.
 */
import { MODEL_SERVER_POD_SETTINGS, engineSecurityContext, sidecarSecurityContext } from "./model-server-security";
import { Interconnect } from "../catalog/accelerators";
import { INTERCONNECTS } from "../catalog/networking";
import { IMAGES, imageRef } from "../catalog/versions";
import { placementPodAnnotations } from "./model-server-placement";
import { KvTransfer, ModelServerSpec } from "./model-server-types";
import { enginePorts, multiPortDataParallel, servedPorts, supervisorPort } from "./model-server-ports";
import { LLMD_LABELS } from "./labels";
import { POD_KV_EVENTS_PORT, POD_KV_EVENTS_REPLAY_PORT } from "./router-config";
import { GCS_FUSE_POD_ANNOTATIONS, gcsFuseVolume } from "./model-cache";

/** Where the HF cache is mounted; HF_HOME points here so no image's default cache dir is assumed. */
export const MODEL_CACHE_PATH = "/var/cache/huggingface";
/** Where a `pvc://` or `gs://` model is mounted read-only. */
export const MODEL_PVC_PATH = "/models";
/** Root of the compile caches (llm-d image convention). */
const COMPILE_CACHE_ROOT = "/tmp/cache";
/** NIXL side channel port (llm-d's P/D guides). */
export const NIXL_SIDE_CHANNEL_PORT = 5600;
/** vLLM's data-parallel RPC port across the pods of a group (llm-d's wide-EP guide). */
const DP_RPC_PORT = 5555;
/** Ray's GCS port on the leader of a multi-host TPU slice (Ray's default, as the LWS TPU example uses). */
export const RAY_PORT = 6379;

/** Which pod of a LeaderWorkerSet group a template is for. */
export type PodPosition = "single" | "leader" | "worker";

type Json = Record<string, unknown>;

function envValue(name: string, value: string): Json {
    return { name, value };
}

function envField(name: string, fieldPath: string): Json {
    return { name, valueFrom: { fieldRef: { fieldPath } } };
}

/**
 * Worker pods of a tensor-parallel group (headless vLLM, or Ray workers of a TPU slice) run no HTTP server,
 * so the pool must not select them.
 */
export function servesHttp(spec: ModelServerSpec, position: PodPosition): boolean {
    return !((spec.mode === "tensor" || spec.mode === "slice") && position === "worker");
}

/** Labels on the pods: the InferencePool's selector (poolLabels) plus llm-d's and Kubernetes' conventions. */
/** Labels every object of one model server carries: the workload and all of its pods. */
export function modelServerLabels(spec: ModelServerSpec): Record<string, string> {
    return {
        "app.kubernetes.io/name": spec.simulator ? "llm-d-inference-sim" : "vllm",
        "app.kubernetes.io/instance": spec.name,
        "app.kubernetes.io/component": "model-server",
        ...LLMD_LABELS,
        "llm-d.ai/model": spec.modelSlug,
        "llm-d.ai/role": spec.role,
    };
}

export function podLabels(spec: ModelServerSpec, position: PodPosition): Record<string, string> {
    const common = modelServerLabels(spec);
    if (!servesHttp(spec, position)) {
        return common;
    }
    return { ...spec.poolLabels, ...common, "llm-d.ai/inference-serving": "true" };
}

function modelArgument(spec: ModelServerSpec): string {
    return spec.location.kind === "hf" ? spec.location.repo : `${MODEL_PVC_PATH}/${spec.location.path}`;
}

function kvEventsConfig(spec: ModelServerSpec): string {
    const events = spec.kvEvents!;
    // vLLM binds when the endpoint has a wildcard host and connects otherwise. Bound on the pod (llm-d's
    // guide), it also serves a replay socket so a router that (re)connects can catch up. The topic carries
    // the pod's address so the router can attribute blocks to the endpoint it scores.
    const where = events.endpoint
        ? { endpoint: events.endpoint }
        : { endpoint: `tcp://*:${POD_KV_EVENTS_PORT}`, replay_endpoint: `tcp://*:${POD_KV_EVENTS_REPLAY_PORT}` };
    return JSON.stringify({
        enable_kv_cache_events: true,
        publisher: "zmq",
        ...where,
        topic: `kv@$(POD_IP):${spec.port}@${spec.servedModelName}`,
    });
}

/** Endpoints vLLM does not access-log (llm-d v0.9.0 guides' model servers). */
const QUIET_ENDPOINTS = ["/health", "/metrics", "/v1/models"];

function vllmArgs(spec: ModelServerSpec, position: PodPosition): string[] {
    const args = [
        modelArgument(spec), "--port", String(spec.enginePort), "--served-model-name", spec.servedModelName,
        // Probes and scrapes hit these every few seconds; the guides keep them out of the access log.
        `--disable-access-log-for-endpoints=${QUIET_ENDPOINTS.join(",")}`,
    ];
    if (spec.tensorParallelSize > 1) {
        args.push("--tensor-parallel-size", String(spec.tensorParallelSize));
    }
    if (spec.mode === "single" && spec.dataParallelSize > 1) {
        args.push("--data-parallel-size", String(spec.dataParallelSize));
    }
    if (spec.mode === "data") {
        args.push(
            "--data-parallel-size", String(spec.dataParallelSize),
            "--data-parallel-size-local", String(spec.dataParallelSizeLocal),
            "--data-parallel-address", "$(LWS_LEADER_ADDRESS)",
            "--data-parallel-rpc-port", String(DP_RPC_PORT),
        );
        if (multiPortDataParallel(spec)) {
            // One API server per local rank on consecutive ports, so the pool can target each rank directly
            // (llm-d's wide-EP guide); a supervisor on the next port answers the probes.
            args.push("--data-parallel-multi-port-external-lb", "--data-parallel-supervisor-port", String(supervisorPort(spec)));
        } else {
            // One rank per pod: its own API server (hybrid load balancing), so the router can pick any pod.
            args.push("--data-parallel-hybrid-lb", "--data-parallel-start-rank", "$(LWS_WORKER_INDEX)");
        }
    }
    if (spec.mode === "slice") {
        // The leader's Ray cluster spans the slice's hosts; vLLM places one worker per chip on it.
        args.push("--distributed-executor-backend", "ray");
    }
    if (spec.mode === "tensor") {
        args.push(
            "--nnodes", String(spec.nodesPerReplica),
            "--node-rank", position === "worker" ? "$(LWS_WORKER_INDEX)" : "0",
            "--master-addr", "$(LWS_LEADER_ADDRESS)",
        );
        if (position === "worker") {
            args.push("--headless");
        }
    }
    if (spec.enableExpertParallel) {
        args.push("--enable-expert-parallel");
    }
    if (spec.kvTransfer === KvTransfer.Nixl) {
        // Across nodes (wide EP) a failed KV load fails the request rather than silently recomputing the prefill
        // on a decode rank, which would stall its whole expert-parallel batch (the wide-EP guide's setting).
        const failurePolicy = spec.mode === "data" ? { kv_load_failure_policy: "fail" } : {};
        args.push("--kv-transfer-config", JSON.stringify({ kv_connector: "NixlConnector", kv_role: "kv_both", ...failurePolicy }));
    }
    if (spec.kvEvents) {
        args.push("--block-size", String(spec.kvEvents.blockSize), "--kv-events-config", kvEventsConfig(spec));
    }
    return [...args, ...spec.extraArgs];
}

function simulatorArgs(spec: ModelServerSpec): string[] {
    const args = ["--model", spec.model, "--served-model-name", spec.servedModelName, "--port", String(spec.enginePort), "--mode", "random"];
    if (spec.kvEvents) {
        args.push("--enable-kvcache", "--block-size", String(spec.kvEvents.blockSize), "--hash-seed", spec.kvEvents.hashSeed);
        if (spec.kvEvents.endpoint) {
            args.push("--zmq-endpoint", spec.kvEvents.endpoint);
        }
    }
    return [...args, ...spec.extraArgs];
}

function command(spec: ModelServerSpec, position: PodPosition): string[] | undefined {
    if (spec.command) {
        return spec.command;
    }
    if (spec.simulator) {
        return undefined; // the simulator image's entrypoint is the simulator
    }
    if (spec.mode === "slice") {
        // LWS starts workers as soon as the leader pod exists (LeaderCreated), possibly before its Ray head
        // listens: workers retry until they join, then block. vLLM on the leader waits for the placement
        // group to find every chip, so it starts serving only once the whole slice has joined.
        return position === "worker"
            ? ["/bin/sh", "-c", `until ray start --address="$\${LWS_LEADER_ADDRESS}:${RAY_PORT}" --block; do sleep 5; done`]
            : ["/bin/sh", "-c", `ray start --head --port=${RAY_PORT} --disable-usage-stats && exec vllm serve "$@"`, "vllm-serve"];
    }
    if (spec.mode === "data" && spec.dataParallelSizeLocal > 1) {
        // The start rank is worker index x local ranks; Kubernetes cannot multiply, so a shell does and then
        // execs `vllm serve` with the pod args unchanged ("$@"). `$$` keeps Kubernetes from expanding `$(`.
        return [
            "/bin/sh",
            "-c",
            'exec vllm serve "$@" --data-parallel-start-rank $$(( $${LWS_WORKER_INDEX:-0} * ' + spec.dataParallelSizeLocal + " ))",
            "vllm-serve",
        ];
    }
    return ["vllm", "serve"];
}

function engineEnv(spec: ModelServerSpec): Json[] {
    const env: Json[] = [];
    if (spec.simulator) {
        env.push(envField("POD_NAME", "metadata.name"), envField("POD_NAMESPACE", "metadata.namespace"), envField("POD_IP", "status.podIP"));
    } else {
        if (spec.kvEvents) {
            env.push(envField("POD_IP", "status.podIP"), envValue("PYTHONHASHSEED", spec.kvEvents.hashSeed));
        }
        env.push(
            envValue("HF_HOME", MODEL_CACHE_PATH),
            envValue("VLLM_CACHE_ROOT", `${COMPILE_CACHE_ROOT}/compile/vllm`),
            envValue("TRITON_CACHE_DIR", `${COMPILE_CACHE_ROOT}/compile/triton`),
            envValue("TORCHINDUCTOR_CACHE_DIR", `${COMPILE_CACHE_ROOT}/compile/torchinductor`),
            // Without a fixed UID the user has no passwd entry; torch >= 2.11 (vLLM >= 0.20) then fails to
            // look up the user name unless USER is set (llm-d's image recipes set it too).
            envValue("USER", "llm-d"),
        );
        if (spec.accelerator.vendor === "nvidia") {
            env.push(envValue("CUDA_CACHE_PATH", `${COMPILE_CACHE_ROOT}/compile/cuda`));
            // llm-d's CUDA image already lists /usr/local/nvidia/lib64 among NIXL/UCX/NVSHMEM paths that an
            // override would drop; other images get the driver path that GKE and the GPU operator mount.
            if (spec.image !== imageRef(IMAGES.vllmCuda)) {
                env.push(envValue("LD_LIBRARY_PATH", "/usr/local/nvidia/lib64:/usr/local/nvidia/lib:/usr/local/cuda/lib64"));
            }
        }
        env.push(...spec.network.env.map((e) => envValue(e.name, e.value)));
        if (spec.kvTransfer === KvTransfer.Nixl) {
            env.push(
                envField("VLLM_NIXL_SIDE_CHANNEL_HOST", "status.podIP"),
                envValue("VLLM_NIXL_SIDE_CHANNEL_PORT", String(NIXL_SIDE_CHANNEL_PORT)),
                // Matches the sidecar's keep-alive; a shorter vLLM default caused connection resets (502s).
                envValue("VLLM_HTTP_TIMEOUT_KEEP_ALIVE", "120"),
            );
        }
    }
    if (spec.hfTokenSecretName) {
        env.push({ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: spec.hfTokenSecretName, key: "HF_TOKEN" } } });
    }
    // The user's env wins over ours, name by name.
    const user = Object.entries(spec.env);
    const overridden = new Set(user.map(([name]) => name));
    return [...env.filter((e) => !overridden.has(e.name as string)), ...user.map(([name, value]) => envValue(name, value))];
}

/** What the simulator needs: it loads no model. */
const SIMULATOR_REQUESTS = { cpu: "100m", memory: "256Mi" } as const;

/**
 * Requests of a vLLM container nobody sized (no preset figure for its accelerator, nothing given): a floor that
 * keeps it out of the BestEffort class and fits every node size llmd offers, not a sizing. Set `cpu` / `memory`
 * for your model and nodes.
 */
export const VLLM_REQUEST_FLOOR = { cpu: "2", memory: "16Gi" } as const;

function resources(spec: ModelServerSpec): Json | undefined {
    const requests: Record<string, string> = {};
    const limits: Record<string, string> = {};
    // With neither a request nor a limit the container would be BestEffort: first to be evicted under node
    // memory pressure and with no CPU share of its own. A limit alone makes Kubernetes request the limit.
    const floor = spec.simulator ? SIMULATOR_REQUESTS : VLLM_REQUEST_FLOOR;
    const cpu = spec.cpu ?? (spec.cpuLimit ? undefined : floor.cpu);
    const memory = spec.memory ?? (spec.memoryLimit ? undefined : floor.memory);
    if (cpu) requests.cpu = cpu;
    if (memory) requests.memory = memory;
    if (spec.cpuLimit) limits.cpu = spec.cpuLimit;
    if (spec.memoryLimit) limits.memory = spec.memoryLimit;
    if (spec.acceleratorsPerPod > 0 && spec.accelerator.resourceName) {
        requests[spec.accelerator.resourceName] = String(spec.acceleratorsPerPod);
        limits[spec.accelerator.resourceName] = String(spec.acceleratorsPerPod);
    }
    for (const [name, count] of Object.entries(spec.network.resources)) {
        requests[name] = count;
        limits[name] = count;
    }
    if (Object.keys(requests).length === 0 && Object.keys(limits).length === 0) {
        return undefined;
    }
    return {
        ...(Object.keys(requests).length ? { requests } : {}),
        ...(Object.keys(limits).length ? { limits } : {}),
    };
}

function probes(spec: ModelServerSpec): Json {
    if (multiPortDataParallel(spec)) {
        // The supervisor stands for every rank of the pod: healthy while its children are, ready once all of
        // them serve (the wide-EP guide's probes).
        const supervisor = (path: string) => ({ httpGet: { path, port: "supervisor" } });
        return {
            startupProbe: { ...supervisor("/health"), initialDelaySeconds: 15, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 120 },
            readinessProbe: { ...supervisor("/readyz"), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
            livenessProbe: { ...supervisor("/health"), periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
        };
    }
    // Ready (and started) once the model is listed, alive while the server answers /health, as the guides'
    // model-server base (guides/recipes/modelserver/base/single-host/default/decode-deployment.yaml).
    const models = { httpGet: { path: "/v1/models", port: "modelserver" } };
    const health = { httpGet: { path: "/health", port: "modelserver" } };
    // Loading weights and compiling can take most of an hour for large models: the startup probe allows
    // 120 x 30 s before liveness takes over. The simulator is up in seconds.
    const startup = spec.simulator
        ? { ...models, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 60 }
        : { ...models, initialDelaySeconds: 15, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 120 };
    return {
        startupProbe: startup,
        readinessProbe: { ...models, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
        livenessProbe: { ...health, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    };
}

/**
 * Capabilities the vLLM container adds: the fabric's RDMA capabilities, or the same when the fabric is
 * unknown but the server runs DeepEP across pods. Exported so a platform that admits pods by their
 * capabilities (OpenShift SCCs) can tell which servers need more than its default.
 */
export function engineCapabilities(spec: ModelServerSpec): string[] {
    if (spec.network.capabilities.length === 0 && spec.network.transport === "unknown" && spec.enableExpertParallel && spec.mode !== "single") {
        // No pool, so the fabric is unknown: DeepEP over RDMA still pins memory and drives the NIC directly
        // (llm-d's wide-EP guide), so keep what it needs if RDMA is there.
        return [...INTERCONNECTS[Interconnect.InfiniBand].capabilities];
    }
    return [...spec.network.capabilities];
}

function engineContainer(spec: ModelServerSpec, position: PodPosition): Json {
    const ports: Json[] = enginePorts(spec).map((port, rank) => ({ name: rankPortName("modelserver", rank), containerPort: port, protocol: "TCP" }));
    const supervisor = supervisorPort(spec);
    if (supervisor !== undefined) {
        ports.push({ name: "supervisor", containerPort: supervisor, protocol: "TCP" });
    }
    if (spec.mode === "slice" && position === "leader") {
        ports.push({ name: "ray", containerPort: RAY_PORT, protocol: "TCP" });
    }
    if (spec.kvTransfer === KvTransfer.Nixl && !spec.simulator) {
        ports.push({ name: "nixl", containerPort: NIXL_SIDE_CHANNEL_PORT, protocol: "TCP" });
    }
    if (spec.kvEvents && !spec.kvEvents.endpoint) {
        // Declared so the router's pod discovery and network policies can name them.
        ports.push(
            { name: "kv-events", containerPort: POD_KV_EVENTS_PORT, protocol: "TCP" },
            { name: "kv-replay", containerPort: POD_KV_EVENTS_REPLAY_PORT, protocol: "TCP" },
        );
    }
    const mounts: Json[] = [];
    if (!spec.simulator) {
        mounts.push(
            { name: "shm", mountPath: "/dev/shm" },
            { name: "compile-cache", mountPath: COMPILE_CACHE_ROOT },
            { name: "model-cache", mountPath: MODEL_CACHE_PATH },
        );
        if (spec.location.kind !== "hf") {
            mounts.push({ name: "model", mountPath: MODEL_PVC_PATH, readOnly: true });
        }
    }
    const securityContext = engineSecurityContext(spec.network.privileged, engineCapabilities(spec), spec.image);
    const cmd = command(spec, position);
    const res = resources(spec);
    const rayWorker = spec.mode === "slice" && position === "worker" && !spec.command;
    return {
        name: "vllm",
        image: spec.image,
        imagePullPolicy: "IfNotPresent",
        ...(cmd ? { command: cmd } : {}),
        ...(rayWorker ? {} : { args: spec.simulator ? simulatorArgs(spec) : vllmArgs(spec, position) }),
        ports: servesHttp(spec, position) ? ports : ports.filter((p) => !String(p.name).startsWith("modelserver")),
        env: engineEnv(spec),
        ...(res ? { resources: res } : {}),
        ...(mounts.length ? { volumeMounts: mounts } : {}),
        ...(servesHttp(spec, position) ? probes(spec) : {}),
        securityContext,
    };
}

/** Port name of one local rank: the base name for rank 0, so probes and monitors find it as before. */
function rankPortName(base: string, rank: number): string {
    return rank === 0 ? base : `${base}-${rank}`;
}

function sidecarArgs(spec: ModelServerSpec): string[] {
    // Flags of the pinned v0.10.0 sidecar, as the guides pass them (vLLM behind it is on the sidecar's default
    // model-server port, 8200). --secure-proxy=false keeps the pool port plain HTTP like vLLM's (TLS is on by
    // default); newer sidecars rename it --secure-serving but keep --secure-proxy as an alias.
    const args = [`--port=${spec.port}`, "--kv-connector=nixlv2", "--zap-log-level=1", "--secure-proxy=false"];
    const ranks = servedPorts(spec).length;
    if (ranks > 1) {
        // The sidecar then listens on port..port+ranks-1 and forwards each to the vLLM rank at the same offset.
        args.push(`--data-parallel-size=${ranks}`);
    }
    if (spec.mode === "data") {
        // The wide-EP guide samples the first token on the prefill side, so decode starts from it.
        args.push("--enable-prefiller-sampling");
    }
    return args;
}

function routingSidecar(spec: ModelServerSpec): Json {
    return {
        name: "routing-proxy",
        image: imageRef(IMAGES.disaggSidecar),
        imagePullPolicy: "IfNotPresent",
        args: sidecarArgs(spec),
        ports: servedPorts(spec).map((port, rank) => ({ name: rankPortName("sidecar", rank), containerPort: port, protocol: "TCP" })),
        resources: { requests: { cpu: "100m", memory: "128Mi" } },
        // The sidecar answers GET /health on its own (first) port without asking vLLM (llm-d-router v0.10.0
        // pkg/sidecar/proxy/proxy.go), so these probe the proxy alone; vLLM has its own.
        readinessProbe: { httpGet: { path: "/health", port: rankPortName("sidecar", 0) }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
        livenessProbe: { httpGet: { path: "/health", port: rankPortName("sidecar", 0) }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        securityContext: sidecarSecurityContext(),
        ...(spec.nativeSidecar ? { restartPolicy: "Always" } : {}),
    };
}

function volumes(spec: ModelServerSpec): Json[] {
    if (spec.simulator) {
        return [];
    }
    const out: Json[] = [
        // NCCL and torch use /dev/shm; the guides cap it at 20Gi, and at 2Gi per wide-EP pod ("roughly 32MB
        // per local DP rank plus scratch").
        { name: "shm", emptyDir: { medium: "Memory", sizeLimit: spec.mode === "data" ? "2Gi" : "20Gi" } },
        { name: "compile-cache", emptyDir: {} },
        spec.cache.claim
            ? { name: "model-cache", persistentVolumeClaim: { claimName: spec.cache.claim } }
            : { name: "model-cache", emptyDir: spec.cache.sizeLimit ? { sizeLimit: spec.cache.sizeLimit } : {} },
    ];
    if (spec.location.kind === "pvc") {
        out.push({ name: "model", persistentVolumeClaim: { claimName: spec.location.claim, readOnly: true } });
    } else if (spec.location.kind === "gcs") {
        out.push(gcsFuseVolume("model", spec.location.bucket));
    }
    return out;
}

/** The pod template (metadata + spec) for one position in the workload. */
export function podTemplate(spec: ModelServerSpec, position: PodPosition): Json {
    const containers: Json[] = [engineContainer(spec, position)];
    const initContainers: Json[] = [];
    if (spec.routingSidecar && servesHttp(spec, position)) {
        // Native sidecar on 1.33+: it starts before vLLM and stops after it. Older clusters get a plain
        // container, since restartPolicy: Always init containers can hang pods in Init there.
        (spec.nativeSidecar ? initContainers : containers).push(routingSidecar(spec));
    }
    const vols = volumes(spec);
    const annotations = {
        ...(spec.location.kind === "gcs" && !spec.simulator ? GCS_FUSE_POD_ANNOTATIONS : {}),
        ...spec.network.annotations,
        ...placementPodAnnotations(spec.placement, position === "single" ? undefined : spec.name),
    };
    return {
        metadata: { labels: podLabels(spec, position), ...(Object.keys(annotations).length ? { annotations } : {}) },
        spec: {
            ...(initContainers.length ? { initContainers } : {}),
            containers,
            ...(vols.length ? { volumes: vols } : {}),
            ...(Object.keys(spec.nodeSelector).length ? { nodeSelector: spec.nodeSelector } : {}),
            ...(spec.tolerations.length ? { tolerations: spec.tolerations } : {}),
            // vLLM drains in-flight requests on SIGTERM; long generations need time.
            terminationGracePeriodSeconds: spec.simulator ? 30 : 120,
            ...(spec.serviceAccountName ? { serviceAccountName: spec.serviceAccountName } : {}),
            ...MODEL_SERVER_POD_SETTINGS,
            // No runAsUser: OpenShift assigns the UID from the namespace's range.
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
        },
    };
}
