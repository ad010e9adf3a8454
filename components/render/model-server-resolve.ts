/**
 * Validation and defaults for one vLLM model server: turns the user's plain args into a `ModelServerSpec`
 * or throws an `LlmdConfigError` naming the field, the value and what would be valid. Pure.
 */
import { ACCELERATORS, AcceleratorSpec, acceleratorSpec, ImageFamily, tpuChips } from "../catalog/accelerators";
import { requireBucketName } from "./model-cache";
import { IMAGES, ImagePin, imageRef } from "../catalog/versions";
import {
    LlmdConfigError,
    parseKubernetesMinor,
    requireDnsLabel,
    requireInteger,
    requireNonEmpty,
    requireOneOf,
} from "../errors";
import {
    KvTransfer,
    ModelLocation,
    ModelServerContext,
    ModelServerInput,
    ModelServerRole,
    ModelServerSpec,
    ParallelMode,
    TolerationSpec,
} from "./model-server-types";
import { GKE_NODEPOOL_LABEL, resolvePlacement } from "./model-server-placement";
import { resolveNetwork } from "./networking";
import { checkServedPorts } from "./model-server-ports";

/** Where vLLM listens when the routing sidecar owns the pool port: llm-d's P/D convention and the sidecar's default `--model-server-port`. */
export const ENGINE_PORT_BEHIND_SIDECAR = 8200;
/** First Kubernetes minor that runs init containers with `restartPolicy: Always` as native sidecars by default. */
const NATIVE_SIDECAR_MINOR = 33;

const IMAGE_BY_FAMILY: Record<ImageFamily, ImagePin> = {
    cuda: IMAGES.vllmCuda,
    rocm: IMAGES.vllmRocm,
    tpu: IMAGES.vllmTpu,
    cpu: IMAGES.vllmCpu,
};

// RFC 1123 subdomain: what Kubernetes accepts as a ServiceAccount name.
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const quantity = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/**
 * A label-safe form of a model id, e.g. `Qwen/Qwen3-0.6B` -> `qwen-qwen3-0.6b`, for `llm-d.ai/model`. Exported
 * so the router side can select the same pods.
 */
export function modelSlug(model: string): string {
    const slug = model
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, "-")
        .replace(/-{2,}/g, "-")
        .slice(0, 63)
        .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
    return slug || "model";
}

function optionalInteger(field: string, value: number | undefined, min: number, max?: number): number | undefined {
    return value === undefined ? undefined : requireInteger(field, value, min, max);
}

function requireStringArray(field: string, value: unknown): string[] {
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
        throw new LlmdConfigError(field, value, "expected a list of strings");
    }
    return value as string[];
}

function requireStringMap(field: string, value: unknown): { [key: string]: string } {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new LlmdConfigError(field, value, "expected a map of string keys to string values");
    }
    for (const [key, item] of Object.entries(value)) {
        if (key === "" || typeof item !== "string") {
            throw new LlmdConfigError(`${field}.${key}`, item, "expected a string value under a non-empty key");
        }
    }
    return value as { [key: string]: string };
}

function optionalDnsSubdomain(field: string, value: unknown): string | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (typeof value !== "string" || value.length > 253 || !dnsSubdomain.test(value)) {
        throw new LlmdConfigError(
            field,
            value,
            "expected a Kubernetes object name: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters",
        );
    }
    return value;
}

function requireQuantity(field: string, value: string | undefined): string | undefined {
    if (value !== undefined && (typeof value !== "string" || !quantity.test(value))) {
        throw new LlmdConfigError(field, value, 'expected a Kubernetes quantity such as "4", "500m", "16Gi" or "100Gi"');
    }
    return value;
}

const QUANTITY_SUFFIX: Record<string, number> = {
    "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The value of a quantity that passed `requireQuantity`, in base units. */
function quantityValue(value: string): number {
    const [, number, suffix] = /^([0-9.]+)(.*)$/.exec(value)!;
    return Number(number) * QUANTITY_SUFFIX[suffix];
}

/** Kubernetes rejects a pod whose request exceeds its limit: say so at construction instead. */
function requireWithinLimit(field: string, request: string | undefined, limit: string | undefined): void {
    if (request !== undefined && limit !== undefined && quantityValue(request) > quantityValue(limit)) {
        throw new LlmdConfigError(field, limit, `expected at least the request (${request}): a limit below the request is rejected by Kubernetes`);
    }
}

function parseModelSource(source: string, model: string): ModelLocation {
    const hf = /^hf:\/\/(.+)$/.exec(source);
    if (hf) {
        return { kind: "hf", repo: hf[1] };
    }
    const pvc = /^pvc:\/\/([^/]+)\/(.+)$/.exec(source);
    if (pvc) {
        requireDnsLabel("modelSource", pvc[1], 253);
        return { kind: "pvc", claim: pvc[1], path: pvc[2].replace(/\/+$/, "") };
    }
    const gcs = /^gs:\/\/([^/]+)\/(.+)$/.exec(source);
    if (gcs) {
        return { kind: "gcs", bucket: requireBucketName("modelSource", gcs[1]), path: gcs[2].replace(/\/+$/, "") };
    }
    throw new LlmdConfigError(
        "modelSource",
        source,
        `expected "hf://<repo>" (e.g. "hf://${model}"), "pvc://<claim>/<path inside the claim>" or "gs://<bucket>/<path inside the bucket>"`,
    );
}

interface Parallel {
    mode: ParallelMode;
    tensorParallelSize: number;
    dataParallelSize: number;
    dataParallelSizeLocal: number;
    acceleratorsPerPod: number;
}

/** Works out how one replica spreads over nodes and accelerators, checking it fits the nodes. */
function resolveParallel(args: ModelServerInput, accelerator: AcceleratorSpec, nodes: number, simulator: boolean): Parallel {
    const tp = requireInteger("tensorParallelSize", args.tensorParallelSize ?? 1, 1);
    const dp = optionalInteger("dataParallelSize", args.dataParallelSize, 1);
    const dpLocalArg = optionalInteger("dataParallelSizeLocal", args.dataParallelSizeLocal, 1);
    const perNode = optionalInteger("acceleratorsPerNode", args.acceleratorsPerNode, 1) ?? args.pool?.acceleratorsPerNode;
    const hasDevices = accelerator.resourceName !== undefined && !simulator;
    const onNode = `a ${accelerator.displayName} node has ${perNode} accelerators`;

    if (nodes === 1) {
        const dpLocal = dpLocalArg ?? dp ?? 1;
        if (dp !== undefined && dp !== dpLocal) {
            throw new LlmdConfigError(
                "dataParallelSize",
                dp,
                `expected ${dpLocal} (dataParallelSizeLocal): one node holds every data-parallel rank; set nodesPerReplica above 1 to span nodes`,
            );
        }
        if (hasDevices && perNode !== undefined) {
            if (tp > perNode) {
                throw new LlmdConfigError(
                    "tensorParallelSize",
                    tp,
                    `expected at most ${perNode}: ${onNode} (set nodesPerReplica above 1 to span nodes)`,
                );
            }
            if (tp * dpLocal > perNode) {
                throw new LlmdConfigError(
                    "dataParallelSizeLocal",
                    dpLocal,
                    `expected at most ${Math.floor(perNode / tp)}: tensorParallelSize ${tp} x ${dpLocal} local ranks needs ${tp * dpLocal} accelerators but ${onNode}`,
                );
            }
        }
        return { mode: "single", tensorParallelSize: tp, dataParallelSize: dpLocal, dataParallelSizeLocal: dpLocal, acceleratorsPerPod: hasDevices ? tp * dpLocal : 0 };
    }

    if (hasDevices && perNode !== undefined && tp > perNode) {
        // One tensor-parallel group larger than a node: vLLM spreads it over the group's pods.
        if (tp % nodes !== 0 || tp / nodes > perNode) {
            throw new LlmdConfigError(
                "tensorParallelSize",
                tp,
                `expected a multiple of nodesPerReplica (${nodes}) of at most ${nodes * perNode}: ${onNode}`,
            );
        }
        if ((dp ?? 1) !== 1 || (dpLocalArg ?? 1) !== 1) {
            throw new LlmdConfigError(
                dp !== undefined && dp !== 1 ? "dataParallelSize" : "dataParallelSizeLocal",
                dp ?? dpLocalArg,
                "expected 1 (or unset): a tensor-parallel group spanning nodes leaves no room for data parallelism",
            );
        }
        return { mode: "tensor", tensorParallelSize: tp, dataParallelSize: 1, dataParallelSizeLocal: 1, acceleratorsPerPod: tp / nodes };
    }

    const dpLocal = dpLocalArg ?? (hasDevices && perNode !== undefined ? Math.floor(perNode / tp) : 1);
    if (hasDevices && perNode !== undefined && tp * dpLocal > perNode) {
        throw new LlmdConfigError(
            "dataParallelSizeLocal",
            dpLocal,
            `expected at most ${Math.floor(perNode / tp)}: tensorParallelSize ${tp} x ${dpLocal} local ranks needs ${tp * dpLocal} accelerators but ${onNode}`,
        );
    }
    if (dp !== undefined && dp !== nodes * dpLocal) {
        throw new LlmdConfigError(
            "dataParallelSize",
            dp,
            `expected ${nodes * dpLocal} (nodesPerReplica ${nodes} x dataParallelSizeLocal ${dpLocal})`,
        );
    }
    return { mode: "data", tensorParallelSize: tp, dataParallelSize: nodes * dpLocal, dataParallelSizeLocal: dpLocal, acceleratorsPerPod: hasDevices ? tp * dpLocal : 0 };
}

/**
 * The multi-host TPU slice a pool is made of, when it spans more than one host: its topology, hosts (nodes)
 * and chips. Undefined for GPU pools, single-host slices and servers without a pool.
 */
function tpuSlice(args: ModelServerInput, accelerator: AcceleratorSpec): { topology: string; hosts: number; chips: number } | undefined {
    const pool = args.pool;
    if (accelerator.vendor !== "google" || !pool?.tpuTopology) {
        return undefined;
    }
    const chips = tpuChips(pool.tpuTopology);
    if (!Number.isInteger(chips) || chips < 1) {
        throw new LlmdConfigError("pool.tpuTopology", pool.tpuTopology, 'expected a TPU topology such as "2x4" or "4x4"');
    }
    const hosts = Math.max(1, Math.ceil(chips / pool.acceleratorsPerNode));
    return hosts > 1 ? { topology: pool.tpuTopology, hosts, chips } : undefined;
}

function tolerationsFor(accelerator: AcceleratorSpec, args: ModelServerInput): TolerationSpec[] {
    const out: TolerationSpec[] = [];
    // An `Exists` toleration already matches every value of its key and effect.
    const add = (t: TolerationSpec) => {
        const covered = out.some((o) => o.key === t.key && o.effect === t.effect && (o.operator === "Exists" || o.value === t.value));
        if (!covered) {
            out.push(t);
        }
    };
    // The catalog taint is tolerated even without a pool, so servers land on llmd's own tainted pools and on
    // clusters (DOKS, AKS) whose GPU nodes carry the vendor taint.
    if (accelerator.taint) {
        add({ key: accelerator.taint.key, operator: "Exists", effect: accelerator.taint.effect });
    }
    for (const taint of args.pool?.taints ?? []) {
        add(
            taint.value === undefined
                ? { key: taint.key, operator: "Exists", effect: taint.effect }
                : { key: taint.key, operator: "Equal", value: taint.value, effect: taint.effect },
        );
    }
    return out;
}

/** Validates `args` and fills in every default. Throws `LlmdConfigError` on the first bad field. */
export function resolveModelServer(args: ModelServerInput, context: ModelServerContext): ModelServerSpec {
    const name = requireDnsLabel("name", context.name, 50);
    const namespace = requireDnsLabel("namespace", args.namespace);
    const model = requireNonEmpty("model", args.model);
    const location = parseModelSource(args.modelSource ?? `hf://${model}`, model);
    const servedModelName =
        args.servedModelName === undefined ? model : requireNonEmpty("servedModelName", args.servedModelName);
    const role = requireOneOf("role", args.role ?? ModelServerRole.Both, Object.values(ModelServerRole));
    const replicas = requireInteger("replicas", args.replicas ?? 1, 0);
    const simulator = args.simulator ?? false;
    if (typeof simulator !== "boolean") {
        throw new LlmdConfigError("simulator", simulator, "expected true or false");
    }

    let accelerator: AcceleratorSpec;
    if (simulator) {
        if (args.accelerator !== undefined && args.accelerator !== "cpu") {
            throw new LlmdConfigError(
                "accelerator",
                args.accelerator,
                "expected cpu or unset: the inference simulator runs on CPU and requests no accelerators",
            );
        }
        accelerator = ACCELERATORS.cpu;
    } else {
        accelerator = acceleratorSpec("accelerator", args.accelerator);
    }
    if (args.pool !== undefined && args.pool.accelerator !== accelerator.id) {
        throw new LlmdConfigError(
            "pool.accelerator",
            args.pool.accelerator,
            `expected ${accelerator.id} to match accelerator (pool ${JSON.stringify(args.pool.name)} carries ${args.pool.accelerator})`,
        );
    }

    const slice = simulator ? undefined : tpuSlice(args, accelerator);
    const nodesPerReplica = requireInteger("nodesPerReplica", args.nodesPerReplica ?? slice?.hosts ?? 1, 1);
    if (simulator && nodesPerReplica !== 1) {
        throw new LlmdConfigError("nodesPerReplica", nodesPerReplica, "expected 1: the simulator has no multi-node mode");
    }
    let tensorParallelSize = args.tensorParallelSize;
    if (slice) {
        if (nodesPerReplica !== slice.hosts) {
            throw new LlmdConfigError(
                "nodesPerReplica",
                nodesPerReplica,
                `expected ${slice.hosts} (or unset): one replica is one TPU slice, and a ${slice.topology} slice of ${args.pool!.machineType ?? "this pool"} has ${slice.hosts} hosts`,
            );
        }
        tensorParallelSize ??= slice.chips;
        if (tensorParallelSize !== slice.chips) {
            throw new LlmdConfigError(
                "tensorParallelSize",
                tensorParallelSize,
                `expected ${slice.chips} (or unset): a replica spanning the ${slice.hosts} hosts of a ${slice.topology} TPU slice shards the model over all ${slice.chips} chips`,
            );
        }
    }
    const parallel = resolveParallel({ ...args, tensorParallelSize }, accelerator, nodesPerReplica, simulator);
    if (accelerator.vendor === "google" && nodesPerReplica > 1) {
        if (parallel.mode !== "tensor") {
            throw new LlmdConfigError(
                "tensorParallelSize",
                parallel.tensorParallelSize,
                `expected nodesPerReplica x chips per host: a TPU replica spanning ${nodesPerReplica} hosts is one tensor-parallel group over the slice (vLLM on TPU has no data parallelism across hosts)`,
            );
        }
        parallel.mode = "slice";
    }
    const enableExpertParallel = args.enableExpertParallel ?? false;

    let command: string[] | undefined;
    if (args.command !== undefined) {
        command = requireStringArray("command", args.command);
        if (command.length === 0) {
            throw new LlmdConfigError("command", command, 'expected at least one element, e.g. ["vllm", "serve"]; leave it unset for the default');
        }
        if (parallel.mode === "data" && parallel.dataParallelSizeLocal > 1) {
            throw new LlmdConfigError(
                "command",
                command,
                "expected unset: with several data-parallel ranks per pod across nodes llmd wraps `vllm serve` in a shell to compute each pod's start rank",
            );
        }
        if (parallel.mode === "slice") {
            throw new LlmdConfigError("command", command, "expected unset: on a multi-host TPU slice llmd wraps `vllm serve` in a shell that starts Ray first");
        }
    }
    const extraArgs = args.extraArgs === undefined ? [] : requireStringArray("extraArgs", args.extraArgs);
    const env = args.env === undefined ? {} : requireStringMap("env", args.env);
    const port = requireInteger("port", args.port ?? 8000, 1, 65535);
    const poolLabels = args.poolLabels === undefined ? {} : requireStringMap("poolLabels", args.poolLabels);

    if (context.hfTokenGiven && args.hfTokenSecretName !== undefined) {
        throw new LlmdConfigError("hfTokenSecretName", args.hfTokenSecretName, "expected unset when hfToken is given: pass one or the other");
    }
    const hfTokenSecretName = context.hfTokenGiven
        ? `${name}-hf-token`
        : args.hfTokenSecretName === undefined
          ? undefined
          : requireDnsLabel("hfTokenSecretName", args.hfTokenSecretName, 253);

    const nativeSidecar =
        args.kubernetesVersion === undefined || parseKubernetesMinor("kubernetesVersion", args.kubernetesVersion) >= NATIVE_SIDECAR_MINOR;

    const kvTransfer = requireOneOf("pd.kvTransfer", args.pd?.kvTransfer ?? KvTransfer.None, Object.values(KvTransfer));
    if (role === ModelServerRole.Prefill && args.pd?.routingSidecar === true) {
        throw new LlmdConfigError(
            "pd.routingSidecar",
            true,
            "expected false or unset for role prefill: the routing sidecar runs in front of decode servers only",
        );
    }
    const routingSidecar = args.pd?.routingSidecar ?? (role === ModelServerRole.Decode && kvTransfer !== KvTransfer.None);
    if (routingSidecar && port === ENGINE_PORT_BEHIND_SIDECAR) {
        throw new LlmdConfigError("port", port, `expected a port other than ${ENGINE_PORT_BEHIND_SIDECAR}, where vLLM listens behind the routing sidecar`);
    }

    let kvEvents: ModelServerSpec["kvEvents"];
    if (args.kvEvents?.enabled && simulator && args.kvEvents.endpoint === undefined) {
        throw new LlmdConfigError(
            "kvEvents.endpoint",
            undefined,
            "expected the router's KV-events endpoint (tcp://<router>-epp.<namespace>.svc.cluster.local:5557, with the router's kvEventsListener on): the inference simulator can only connect, not bind",
        );
    }
    if (args.kvEvents?.enabled) {
        kvEvents = {
            endpoint: args.kvEvents.endpoint === undefined ? undefined : requireNonEmpty("kvEvents.endpoint", args.kvEvents.endpoint),
            blockSize: requireInteger("kvEvents.blockSize", args.kvEvents.blockSize ?? 64, 1),
            hashSeed: args.kvEvents.hashSeed === undefined ? "42" : requireNonEmpty("kvEvents.hashSeed", args.kvEvents.hashSeed),
        };
    }

    if (args.modelCacheSize !== undefined && args.cachePvc !== undefined) {
        throw new LlmdConfigError("cachePvc", args.cachePvc, "expected unset when modelCacheSize is given: the cache is either an emptyDir or a claim");
    }
    const cache = {
        sizeLimit: requireQuantity("modelCacheSize", args.modelCacheSize),
        claim: args.cachePvc === undefined ? undefined : requireDnsLabel("cachePvc", args.cachePvc, 253),
    };

    const slug = modelSlug(model);
    const fixedLabels: Record<string, string> = { "llm-d.ai/inference-serving": "true", "llm-d.ai/model": slug, "llm-d.ai/role": role };
    for (const [key, value] of Object.entries(poolLabels)) {
        if (key in fixedLabels && fixedLabels[key] !== value) {
            throw new LlmdConfigError(`poolLabels.${key}`, value, `expected ${JSON.stringify(fixedLabels[key])} or no such key: llmd sets this label itself`);
        }
    }

    const network = resolveNetwork("network", args.network, {
        pool: args.pool,
        accelerator,
        simulator,
        kvTransfer: kvTransfer !== KvTransfer.None,
        nodesPerReplica,
        expertParallel: enableExpertParallel,
        acceleratorsPerPod: parallel.acceleratorsPerPod,
    });
    // A multi-host TPU slice is one GKE node pool: without exclusivity two groups could share a slice's
    // hosts, and ICI does not join hosts of different slices.
    const placement = resolvePlacement(args, nodesPerReplica > 1, parallel.mode === "slice" ? GKE_NODEPOOL_LABEL : undefined);

    requireWithinLimit("cpuLimit", requireQuantity("cpu", args.cpu), requireQuantity("cpuLimit", args.cpuLimit));
    requireWithinLimit("memoryLimit", requireQuantity("memory", args.memory), requireQuantity("memoryLimit", args.memoryLimit));
    const spec: ModelServerSpec = {
        name,
        namespace,
        model,
        modelSlug: slug,
        servedModelName,
        location,
        role,
        replicas,
        accelerator,
        simulator,
        acceleratorsPerPod: parallel.acceleratorsPerPod,
        mode: parallel.mode,
        nodesPerReplica,
        tensorParallelSize: parallel.tensorParallelSize,
        dataParallelSize: parallel.dataParallelSize,
        dataParallelSizeLocal: parallel.dataParallelSizeLocal,
        enableExpertParallel,
        image: args.image === undefined ? imageRef(simulator ? IMAGES.inferenceSim : IMAGE_BY_FAMILY[accelerator.imageFamily]) : requireNonEmpty("image", args.image),
        command,
        extraArgs,
        env,
        port,
        enginePort: routingSidecar ? ENGINE_PORT_BEHIND_SIDECAR : port,
        poolLabels,
        hfTokenSecretName,
        createHfTokenSecret: context.hfTokenGiven,
        serviceAccountName: optionalDnsSubdomain("serviceAccountName", args.serviceAccountName),
        nativeSidecar,
        routingSidecar,
        kvTransfer,
        kvEvents,
        cpu: requireQuantity("cpu", args.cpu),
        memory: requireQuantity("memory", args.memory),
        cpuLimit: requireQuantity("cpuLimit", args.cpuLimit),
        memoryLimit: requireQuantity("memoryLimit", args.memoryLimit),
        cache,
        nodeSelector: { ...(args.pool?.nodeLabels ?? {}) },
        tolerations: tolerationsFor(accelerator, args),
        network,
        placement,
    };
    checkServedPorts(spec);
    return spec;
}
