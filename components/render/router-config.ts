/**
 * The llm-d router's scheduler configuration (`EndpointPickerConfig`), as plain data and as the YAML file
 * the router reads with `--config-file`. Plugin type names and parameters follow llm-d-router v0.10.0
 * (`config/charts/routerlib/templates/_config.yaml`, `deploy/config/*.yaml`).
 */
import { stringify, parse } from "yaml";
import { LlmdConfigError } from "../errors";

/** Which scheduling strategy the router runs: one of llm-d's well-lit paths. */
export const SchedulerProfile = {
    /** Load- and prefix-aware balancing over one pool of identical replicas (queue 2, kv-cache 2, prefix 3). */
    InferenceScheduling: "inference-scheduling",
    /** Prefill/decode disaggregation: a prefill pod and a decode pod per request, split by `llm-d.ai/role`. */
    PdDisaggregation: "pd-disaggregation",
    /** Prefix-cache scoring from the model servers' own KV-cache events (ZMQ), with exact tokenisation. */
    PrecisePrefixCache: "precise-prefix-cache",
} as const;
/** One of the values of `SchedulerProfile`. */
export type SchedulerProfile = (typeof SchedulerProfile)[keyof typeof SchedulerProfile];

/** All scheduler profile ids. */
export const SCHEDULER_PROFILES = Object.values(SchedulerProfile);

/** `apiVersion` of the config file: the chart of the pinned router renders `llm-d.ai/v1alpha1`. */
export const ENDPOINT_PICKER_CONFIG_API_VERSION = "llm-d.ai/v1alpha1";
export const ENDPOINT_PICKER_CONFIG_KIND = "EndpointPickerConfig";
/** Key of the config file in the router's ConfigMap (mounted at `/config`). */
export const ROUTER_CONFIG_FILE = "epp-config.yaml";

/**
 * Port the router binds for KV-cache events in the precise profile. The model servers connect to it
 * (vLLM `--kv-events-config` endpoint `tcp://<router service>:5557`); 5557 is what the router image exposes.
 */
export const KV_EVENTS_PORT = 5557;
/** Topic prefix the router subscribes to; vLLM topics must be `kv@<pod>@<model>`. */
export const KV_EVENTS_TOPIC_PREFIX = "kv@";
/** Token block size the precise index hashes by: vLLM must run with `--block-size` equal to it. */
export const PRECISE_PREFIX_BLOCK_SIZE = 64;
/** Hash seed of the precise index: vLLM must run with `PYTHONHASHSEED` equal to it. */
export const PRECISE_PREFIX_HASH_SEED = "42";
/** Loopback port of the tokenizer (render) sidecar the precise profile runs in the router pod. */
export const TOKENIZER_PORT = 8082;

/** One plugin instance. `name` defaults to `type` in the router, so it is only set when they differ. */
export interface PluginConfig {
    type: string;
    name?: string;
    parameters?: Record<string, unknown>;
}

/** A plugin used by a scheduling profile; scorers carry a weight. */
export interface ProfilePluginRef {
    pluginRef: string;
    weight?: number;
}

export interface SchedulingProfileConfig {
    name: string;
    plugins: ProfilePluginRef[];
}

/** The router's config file as plain data. */
export interface EndpointPickerConfig {
    apiVersion: string;
    kind: string;
    /** Gates as `name` or `name=<bool>` (see router-feature-gates.ts); unset keeps the router's defaults. */
    featureGates?: string[];
    plugins: PluginConfig[];
    schedulingProfiles: SchedulingProfileConfig[];
}

/** What the config depends on besides the profile. */
export interface RouterConfigOptions {
    profile: SchedulerProfile;
    /** Hugging Face model id the precise profile tokenises with; required for that profile only. */
    tokenizerModel?: string;
}

// The model servers expose vLLM's Prometheus metrics over plain HTTP; queue and kv-cache scorers need them.
const METRICS_PLUGINS: PluginConfig[] = [
    { type: "metrics-data-source", parameters: { scheme: "http", path: "/metrics", insecureSkipVerify: true } },
    { type: "core-metrics-extractor" },
];

function inferenceScheduling(): EndpointPickerConfig {
    return config(
        [
            { type: "queue-scorer" },
            { type: "kv-cache-utilization-scorer" },
            { type: "prefix-cache-scorer" },
            ...METRICS_PLUGINS,
            { type: "max-score-picker" },
            { type: "single-profile-handler" },
        ],
        [
            {
                name: "default",
                plugins: [
                    { pluginRef: "queue-scorer", weight: 2 },
                    { pluginRef: "kv-cache-utilization-scorer", weight: 2 },
                    { pluginRef: "prefix-cache-scorer", weight: 3 },
                    { pluginRef: "max-score-picker" },
                ],
            },
        ],
    );
}

function pdDisaggregation(): EndpointPickerConfig {
    // Each role's profile sees only its own pods (by `llm-d.ai/role`); the decider sends a request through
    // prefill first when enough of its prompt is not already cached on the chosen decode pod.
    const roleProfile = (role: "prefill" | "decode"): SchedulingProfileConfig => ({
        name: role,
        plugins: [
            { pluginRef: `${role}-filter` },
            { pluginRef: "max-score-picker" },
            { pluginRef: "prefix-cache-scorer", weight: 2 },
            { pluginRef: "queue-scorer", weight: 1 },
        ],
    });
    return config(
        [
            { type: "prefill-filter" },
            { type: "decode-filter" },
            { type: "prefix-cache-scorer" },
            { type: "queue-scorer" },
            ...METRICS_PLUGINS,
            { type: "max-score-picker" },
            { type: "prefix-based-pd-decider", parameters: { nonCachedTokens: 16 } },
            { type: "disagg-profile-handler", parameters: { deciders: { prefill: "prefix-based-pd-decider" } } },
        ],
        [roleProfile("prefill"), roleProfile("decode")],
    );
}

function precisePrefixCache(tokenizerModel: string): EndpointPickerConfig {
    return config(
        [
            // Tokenises prompts through vLLM's render server in the same pod, so block hashes match vLLM's.
            {
                type: "token-producer",
                parameters: { modelName: tokenizerModel, vllm: { url: `http://localhost:${TOKENIZER_PORT}` } },
            },
            {
                // Central mode: the router binds one ZMQ socket and every model server publishes to it.
                type: "precise-prefix-cache-producer",
                parameters: {
                    tokenProcessorConfig: { blockSize: PRECISE_PREFIX_BLOCK_SIZE, hashSeed: PRECISE_PREFIX_HASH_SEED },
                    kvEventsConfig: { zmqEndpoint: `tcp://0.0.0.0:${KV_EVENTS_PORT}`, topicFilter: KV_EVENTS_TOPIC_PREFIX },
                    indexerConfig: { kvBlockIndexConfig: { enableMetrics: true } },
                },
            },
            // Without the producer name the scorer silently falls back to the approximate producer.
            { type: "prefix-cache-scorer", parameters: { prefixMatchInfoProducerName: "precise-prefix-cache-producer" } },
            { type: "kv-cache-utilization-scorer" },
            { type: "queue-scorer" },
            ...METRICS_PLUGINS,
            { type: "max-score-picker" },
            { type: "single-profile-handler" },
        ],
        [
            {
                name: "default",
                plugins: [
                    { pluginRef: "prefix-cache-scorer", weight: 2 },
                    { pluginRef: "kv-cache-utilization-scorer", weight: 1 },
                    { pluginRef: "queue-scorer", weight: 1 },
                    { pluginRef: "max-score-picker" },
                ],
            },
        ],
    );
}

function config(plugins: PluginConfig[], schedulingProfiles: SchedulingProfileConfig[]): EndpointPickerConfig {
    return { apiVersion: ENDPOINT_PICKER_CONFIG_API_VERSION, kind: ENDPOINT_PICKER_CONFIG_KIND, plugins, schedulingProfiles };
}

/** The scheduler config for a profile, as plain data. */
export function buildRouterConfig(options: RouterConfigOptions): EndpointPickerConfig {
    switch (options.profile) {
        case SchedulerProfile.InferenceScheduling:
            return inferenceScheduling();
        case SchedulerProfile.PdDisaggregation:
            return pdDisaggregation();
        case SchedulerProfile.PrecisePrefixCache:
            if (!options.tokenizerModel) {
                throw new LlmdConfigError("tokenizerModel", options.tokenizerModel, "the precise-prefix-cache profile needs the model's Hugging Face id");
            }
            return precisePrefixCache(options.tokenizerModel);
    }
}

/** The scheduler config file text for a profile. */
export function renderRouterConfig(options: RouterConfigOptions): string {
    return `# llm-d router scheduler config, profile ${options.profile} (rendered by llmd)\n${stringify(buildRouterConfig(options))}`;
}

/** The config file the router gets: the user's own text when given, else the profile's. */
export function routerConfigText(options: RouterConfigOptions & { configOverride?: string }): string {
    return options.configOverride ?? renderRouterConfig(options);
}

/**
 * Checks a user-supplied config text enough to fail at construction instead of in a crash-looping pod:
 * it must be YAML describing an `EndpointPickerConfig` with plugins, and every `pluginRef` must name one.
 */
export function validateRouterConfigText(field: string, text: unknown): string {
    if (typeof text !== "string" || text.trim() === "") {
        throw new LlmdConfigError(field, text, "expected the text of an EndpointPickerConfig YAML file");
    }
    let doc: unknown;
    try {
        doc = parse(text);
    } catch (err) {
        throw new LlmdConfigError(field, text, `expected valid YAML (${(err as Error).message.split("\n")[0]})`);
    }
    if (typeof doc !== "object" || doc === null || (doc as { kind?: unknown }).kind !== ENDPOINT_PICKER_CONFIG_KIND) {
        throw new LlmdConfigError(field, text, `expected a YAML document with kind: ${ENDPOINT_PICKER_CONFIG_KIND}`);
    }
    const undefinedRefs = undefinedPluginRefs(doc as Partial<EndpointPickerConfig>);
    if (undefinedRefs.length > 0) {
        throw new LlmdConfigError(field, text, `every pluginRef must name a plugin; undefined: ${undefinedRefs.join(", ")}`);
    }
    return text;
}

/** `pluginRef`s in the scheduling profiles that no plugin defines (a plugin's name is its `name` or `type`). */
export function undefinedPluginRefs(config: Partial<EndpointPickerConfig>): string[] {
    const defined = new Set((config.plugins ?? []).map((p) => p.name ?? p.type));
    const refs = (config.schedulingProfiles ?? []).flatMap((profile) => (profile.plugins ?? []).map((p) => p.pluginRef));
    return [...new Set(refs.filter((ref) => !defined.has(ref)))];
}
