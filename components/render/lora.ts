/**
 * LoRA adapters on one base model: the vLLM flags that load them (`--enable-lora`, `--lora-modules`,
 * `--max-loras`, `--max-lora-rank`, `--max-cpu-loras`), runtime loading through vLLM's filesystem resolver, and
 * the adapter names the Gateway must route to the model. The llm-d inference simulator accepts the same
 * `--lora-modules` JSON entries and `--max-loras` / `--max-cpu-loras`, but not `--enable-lora`,
 * `--max-lora-rank` or runtime loading (llm-d-inference-sim `pkg/common/config.go`). Pure.
 */
import { LlmdConfigError, optionalBoolean, requireInteger, requireNonEmpty } from "../errors";

/** One LoRA adapter of a model. */
export interface LoraAdapterInput {
    /** Name clients send as `"model"`; unique across the platform. */
    name?: unknown;
    /**
     * Where vLLM loads it from at start-up: a Hugging Face repo id or a path in the pod. Leave unset for an
     * adapter loaded at run time (needs `runtimeLoading`); its name is still routed to this model.
     */
    source?: unknown;
}

/** The plain part of `LoraArgs`. */
export interface LoraInput {
    adapters?: unknown;
    maxLoras?: unknown;
    maxLoraRank?: unknown;
    maxCpuLoras?: unknown;
    runtimeLoading?: unknown;
}

/** Resolved LoRA settings of a model. */
export interface LoraSpec {
    /** Every adapter name the model serves (static and run-time), in the order given. */
    adapterNames: string[];
    /** Arguments added to every model server of the model, before the user's `extraArgs`. */
    args: string[];
    /** Environment added to every model server of the model. */
    env: Record<string, string>;
}

/** Where vLLM's filesystem resolver looks for run-time adapters (`<dir>/<adapter name>`); inside the writable cache volume. */
export const LORA_RESOLVER_CACHE_DIR = "/tmp/cache/lora";
/** vLLM's default `--max-loras`. */
export const DEFAULT_MAX_LORAS = 1;
const LORA_RANKS = [1, 8, 16, 32, 64, 128, 256, 320, 512];

/** An adapter name is sent as the OpenAI `model` and matched in a header: printable, no spaces, at most 253. */
function requireAdapterName(field: string, value: unknown): string {
    const name = requireNonEmpty(field, value);
    if (name.length > 253 || !/^[A-Za-z0-9][A-Za-z0-9._\/:-]*$/.test(name)) {
        throw new LlmdConfigError(field, value, "expected letters, digits, '.', '_', '-', '/' or ':' (at most 253), starting with a letter or digit");
    }
    return name;
}

/**
 * Resolves `lora` for one model. `simulator` narrows what is allowed to what the simulator accepts. Errors are
 * named under `lora.` as the user wrote them.
 */
export function resolveLora(input: LoraInput | undefined, simulator: boolean): LoraSpec | undefined {
    if (input === undefined) {
        return undefined;
    }
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
        throw new LlmdConfigError("lora", input, "expected an object of LoRA settings: { adapters, maxLoras, maxLoraRank, maxCpuLoras, runtimeLoading }");
    }
    const runtimeLoading = optionalBoolean("lora.runtimeLoading", input.runtimeLoading, false);
    if (runtimeLoading && simulator) {
        throw new LlmdConfigError("lora.runtimeLoading", input.runtimeLoading, "the inference simulator cannot load adapters at run time; give each adapter a source, or serve on vLLM");
    }
    const adapters = input.adapters ?? [];
    if (!Array.isArray(adapters)) {
        throw new LlmdConfigError("lora.adapters", adapters, "expected a list of { name, source } adapters");
    }
    const names: string[] = [];
    const modules: string[] = [];
    adapters.forEach((adapter: LoraAdapterInput, i) => {
        const field = `lora.adapters[${i}]`;
        if (typeof adapter !== "object" || adapter === null || Array.isArray(adapter)) {
            throw new LlmdConfigError(field, adapter, "expected { name, source }");
        }
        const name = requireAdapterName(`${field}.name`, adapter.name);
        if (names.includes(name)) {
            throw new LlmdConfigError(`${field}.name`, name, "expected each adapter name once");
        }
        names.push(name);
        if (adapter.source === undefined) {
            if (!runtimeLoading) {
                throw new LlmdConfigError(`${field}.source`, undefined, "expected a Hugging Face repo id or a path, or lora.runtimeLoading: true to load it at run time");
            }
        } else {
            modules.push(JSON.stringify({ name, path: requireNonEmpty(`${field}.source`, adapter.source) }));
        }
    });
    if (names.length === 0 && !runtimeLoading) {
        throw new LlmdConfigError("lora.adapters", adapters, "expected at least one adapter, or lora.runtimeLoading: true");
    }
    const maxLoras = input.maxLoras === undefined ? Math.max(DEFAULT_MAX_LORAS, modules.length) : requireInteger("lora.maxLoras", input.maxLoras, 1, 256);
    if (maxLoras < modules.length) {
        throw new LlmdConfigError("lora.maxLoras", maxLoras, `at least the ${modules.length} adapters loaded at start-up`);
    }
    const args: string[] = [];
    if (!simulator) {
        args.push("--enable-lora");
    }
    if (modules.length > 0) {
        args.push("--lora-modules", ...modules);
    }
    args.push("--max-loras", String(maxLoras));
    if (input.maxLoraRank !== undefined) {
        if (simulator) {
            throw new LlmdConfigError("lora.maxLoraRank", input.maxLoraRank, "the inference simulator has no rank limit; leave it unset");
        }
        const rank = requireInteger("lora.maxLoraRank", input.maxLoraRank, 1);
        if (!LORA_RANKS.includes(rank)) {
            throw new LlmdConfigError("lora.maxLoraRank", rank, `expected one of vLLM's supported ranks: ${LORA_RANKS.join(", ")}`);
        }
        args.push("--max-lora-rank", String(rank));
    }
    if (input.maxCpuLoras !== undefined) {
        const cpu = requireInteger("lora.maxCpuLoras", input.maxCpuLoras, 1);
        if (cpu < maxLoras) {
            throw new LlmdConfigError("lora.maxCpuLoras", cpu, `expected at least lora.maxLoras (${maxLoras}), as vLLM requires`);
        }
        args.push("--max-cpu-loras", String(cpu));
    }
    const env: Record<string, string> = runtimeLoading
        ? { VLLM_ALLOW_RUNTIME_LORA_UPDATING: "True", VLLM_PLUGINS: "lora_filesystem_resolver", VLLM_LORA_RESOLVER_CACHE_DIR: LORA_RESOLVER_CACHE_DIR }
        : {};
    return { adapterNames: names, args, env };
}
