/**
 * The llm-d router's scheduler configuration (`EndpointPickerConfig`), as plain data and as the YAML file
 * the router reads with `--config-file`. Plugin type names and parameters follow llm-d-router v0.10.0
 * (`config/charts/routerlib/templates/_config.yaml`, `deploy/config/*.yaml`).
 */
import { parse } from "yaml";
import { LlmdConfigError } from "../errors";
import { yamlText } from "./yaml-text";

/** Which scheduling strategy the router runs: one of llm-d's well-lit paths. */
export const SchedulerProfile = {
    /**
     * llm-d's optimized baseline over one pool of identical replicas: prefix-cache affinity filtering, then
     * token-load scoring (guides/optimized-baseline).
     */
    OptimizedBaseline: "optimized-baseline",
    /** Former name of `optimized-baseline`, still accepted. */
    InferenceScheduling: "inference-scheduling",
    /** Prefill/decode disaggregation: every request through a prefill pod, then a decode pod (`llm-d.ai/role`). */
    PdDisaggregation: "pd-disaggregation",
    /** Wide expert parallelism: always disaggregated, prefill on prefix cache and load, decode on active requests. */
    WideEp: "wide-ep",
    /** Prefix-cache scoring from the model servers' own KV-cache events (ZMQ), with exact tokenisation. */
    PrecisePrefixCache: "precise-prefix-cache",
} as const;
/** One of the values of `SchedulerProfile`. */
export type SchedulerProfile = (typeof SchedulerProfile)[keyof typeof SchedulerProfile];

/** All scheduler profile ids, the alias included. */
export const SCHEDULER_PROFILES = Object.values(SchedulerProfile);

/** The profile an alias stands for (`inference-scheduling` is `optimized-baseline`); other profiles unchanged. */
export function canonicalSchedulerProfile(profile: SchedulerProfile): Exclude<SchedulerProfile, "inference-scheduling"> {
    return profile === SchedulerProfile.InferenceScheduling ? SchedulerProfile.OptimizedBaseline : profile;
}

/** `apiVersion` of the config file: the chart of the pinned router renders `llm-d.ai/v1alpha1`. */
export const ENDPOINT_PICKER_CONFIG_API_VERSION = "llm-d.ai/v1alpha1";
export const ENDPOINT_PICKER_CONFIG_KIND = "EndpointPickerConfig";
/** Key of the config file in the router's ConfigMap (mounted at `/config`). */
export const ROUTER_CONFIG_FILE = "epp-config.yaml";

/**
 * Port the router binds for KV-cache events when it listens centrally (publishers that can only connect,
 * such as the inference simulator, send to `tcp://<router service>:5557`); 5557 is what the router image exposes.
 */
export const KV_EVENTS_PORT = 5557;
/** Port each vLLM binds its KV-event publisher on in its own pod, which the router dials (the guide's `socketPort`). */
export const POD_KV_EVENTS_PORT = 5556;
/** Port of each vLLM's KV-event replay socket (the guide's `replaySocketPort`). */
export const POD_KV_EVENTS_REPLAY_PORT = 5559;
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

/** One data-layer source and the plugins that extract from it. */
export interface DataLayerSourceConfig {
    pluginRef: string;
    extractors: { pluginRef: string }[];
}

/** The router's config file as plain data. */
export interface EndpointPickerConfig {
    apiVersion: string;
    kind: string;
    /** Gates as `name` or `name=<bool>` (see router-feature-gates.ts); unset keeps the router's defaults. */
    featureGates?: string[];
    plugins: PluginConfig[];
    schedulingProfiles: SchedulingProfileConfig[];
    /**
     * Extra data-layer sources (the router adds its metrics source and extractor itself), and off Kubernetes
     * the plugin that discovers endpoints.
     */
    dataLayer?: { sources?: DataLayerSourceConfig[]; discovery?: { pluginRef: string } };
}

/** What the config depends on besides the profile. */
export interface RouterConfigOptions {
    profile: SchedulerProfile;
    /** Hugging Face model id the precise profile tokenises with; required for that profile only. */
    tokenizerModel?: string;
    /** Feature gates to turn on (`flowControl` for InferenceObjective priorities). */
    featureGates?: string[];
    /**
     * Precise profile only: the router binds one ZMQ socket that every publisher connects to, instead of
     * discovering the pool's pods and dialling the socket each binds. For publishers that cannot bind.
     */
    kvEventsListener?: boolean;
}

// The configs below follow llm-d's v0.9.0 guides plugin for plugin. They name no picker, profile handler or
// metrics source where the guide names none: the pinned router adds max-score-picker, single-profile-handler
// and the metrics data source with its extractor itself (llm-d-router v0.10.0 pkg/epp/config/loader/defaults.go).

// guides/optimized-baseline/router/optimized-baseline.values.yaml
function optimizedBaseline(): EndpointPickerConfig {
    return config(
        [{ type: "approx-prefix-cache-producer" }, { type: "inflight-load-producer" }, { type: "prefix-cache-affinity-filter" }, { type: "token-load-scorer" }],
        [{ name: "default", plugins: [{ pluginRef: "prefix-cache-affinity-filter" }, { pluginRef: "token-load-scorer" }] }],
    );
}

// Both disaggregated guides send every request through prefill first and let each role's profile see only
// its own pods (by `llm-d.ai/role`).
const ALWAYS_DISAGGREGATE: PluginConfig[] = [
    { type: "disagg-headers-handler" },
    { type: "always-disagg-pd-decider" },
    { type: "disagg-profile-handler", parameters: { deciderPluginName: "always-disagg-pd-decider" } },
    { type: "prefill-filter" },
    { type: "decode-filter" },
];

// guides/pd-disaggregation/router/pd-disaggregation.values.yaml
function pdDisaggregation(): EndpointPickerConfig {
    return config(
        [
            ...ALWAYS_DISAGGREGATE,
            { type: "approx-prefix-cache-producer", parameters: { maxPrefixTokensToMatch: 131072 } },
            { type: "inflight-load-producer" },
            { type: "prefix-cache-affinity-filter", parameters: { peakPrefillThroughput: 33821 } },
            { type: "token-load-scorer" },
            { type: "active-request-scorer" },
            { type: "max-score-picker" },
        ],
        [
            {
                name: "prefill",
                plugins: [{ pluginRef: "prefill-filter" }, { pluginRef: "prefix-cache-affinity-filter" }, { pluginRef: "token-load-scorer" }, { pluginRef: "max-score-picker" }],
            },
            { name: "decode", plugins: [{ pluginRef: "decode-filter" }, { pluginRef: "active-request-scorer" }, { pluginRef: "max-score-picker" }] },
        ],
    );
}

// guides/wide-ep-lws/router/wide-ep-lws.values.yaml
function wideEp(): EndpointPickerConfig {
    return config(
        [...ALWAYS_DISAGGREGATE, { type: "prefix-cache-scorer" }, { type: "queue-scorer" }, { type: "active-request-scorer" }],
        [
            {
                name: "prefill",
                plugins: [
                    { pluginRef: "prefill-filter" },
                    { pluginRef: "prefix-cache-scorer", weight: 3 },
                    { pluginRef: "queue-scorer", weight: 2 },
                    { pluginRef: "active-request-scorer", weight: 2 },
                ],
            },
            { name: "decode", plugins: [{ pluginRef: "decode-filter" }, { pluginRef: "active-request-scorer" }] },
        ],
    );
}

// guides/precise-prefix-cache-routing/router/precise-prefix-cache-routing.values.yaml. Deliberate
// differences: the tokenizer is a sidecar on loopback rather than a separate render Deployment and Service,
// and the hash seed stays pinned on both sides (vLLM's PYTHONHASHSEED) so block hashes agree whatever the
// image's default.
function precisePrefixCache(tokenizerModel: string, listener: boolean): EndpointPickerConfig {
    const kvEventsConfig = listener
        ? { zmqEndpoint: `tcp://0.0.0.0:${KV_EVENTS_PORT}`, topicFilter: KV_EVENTS_TOPIC_PREFIX, concurrency: 8 }
        : {
              topicFilter: KV_EVENTS_TOPIC_PREFIX,
              concurrency: 8,
              // Each router dials every pod's own publisher, so a router restart or a second router loses nothing.
              discoverPods: true,
              podDiscoveryConfig: { socketPort: POD_KV_EVENTS_PORT, replaySocketPort: POD_KV_EVENTS_REPLAY_PORT },
          };
    const fromPrecise = { prefixMatchInfoProducerName: "precise-prefix-cache-producer" };
    const built = config(
        [
            { type: "token-producer", parameters: { modelName: tokenizerModel, vllm: { url: `http://localhost:${TOKENIZER_PORT}` } } },
            ...(listener ? [] : [{ type: "endpoint-notification-source" }]),
            {
                type: "precise-prefix-cache-producer",
                parameters: {
                    tokenProcessorConfig: { blockSizeTokens: PRECISE_PREFIX_BLOCK_SIZE, hashSeed: PRECISE_PREFIX_HASH_SEED },
                    speculativeIndexing: true,
                    indexerConfig: { kvBlockIndexConfig: { enableMetrics: true } },
                    kvEventsConfig,
                },
            },
            { type: "inflight-load-producer", parameters: fromPrecise },
            { type: "prefix-cache-affinity-filter", parameters: { ...fromPrecise, peakPrefillThroughput: 15926 } },
            { type: "token-load-scorer" },
        ],
        [{ name: "default", plugins: [{ pluginRef: "prefix-cache-affinity-filter" }, { pluginRef: "token-load-scorer" }] }],
    );
    if (!listener) {
        // Pod add/remove notifications drive the producer's subscriptions.
        built.dataLayer = { sources: [{ pluginRef: "endpoint-notification-source", extractors: [{ pluginRef: "precise-prefix-cache-producer" }] }] };
    }
    return built;
}

/**
 * The off-Kubernetes baseline (guides/no-kubernetes-deployment/router/epp/config.yaml): queue 2, kv-cache 2,
 * prefix 3 plus the no-hit LRU scorer 2, which spreads cold prompts over the file-listed workers.
 */
export function noKubernetesBaselineConfig(): EndpointPickerConfig {
    return config(
        [{ type: "queue-scorer" }, { type: "kv-cache-utilization-scorer" }, { type: "prefix-cache-scorer" }, { type: "no-hit-lru-scorer" }],
        [
            {
                name: "default",
                plugins: [
                    { pluginRef: "queue-scorer", weight: 2 },
                    { pluginRef: "kv-cache-utilization-scorer", weight: 2 },
                    { pluginRef: "prefix-cache-scorer", weight: 3 },
                    { pluginRef: "no-hit-lru-scorer", weight: 2 },
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
    const config = buildProfileConfig(options);
    return options.featureGates && options.featureGates.length > 0 ? { ...config, featureGates: [...options.featureGates] } : config;
}

function buildProfileConfig(options: RouterConfigOptions): EndpointPickerConfig {
    const profile = canonicalSchedulerProfile(options.profile);
    switch (profile) {
        case SchedulerProfile.OptimizedBaseline:
            return optimizedBaseline();
        case SchedulerProfile.PdDisaggregation:
            return pdDisaggregation();
        case SchedulerProfile.WideEp:
            return wideEp();
        case SchedulerProfile.PrecisePrefixCache:
            if (!options.tokenizerModel) {
                throw new LlmdConfigError("tokenizerModel", options.tokenizerModel, "the precise-prefix-cache profile needs the model's Hugging Face id");
            }
            return precisePrefixCache(options.tokenizerModel, options.kvEventsListener ?? false);
    }
}

/** The scheduler config file text for a profile. */
export function renderRouterConfig(options: RouterConfigOptions): string {
    return `# llm-d router scheduler config, profile ${options.profile} (rendered by llmd)\n${yamlText(buildRouterConfig(options))}`;
}

/** The config file the router gets: the user's own text when given, else the profile's. */
export function routerConfigText(options: RouterConfigOptions & { configOverride?: string }): string {
    return options.configOverride ?? renderRouterConfig(options);
}

/** Feature gates a user-supplied config text turns on. */
export function configTextFeatureGates(text: string): string[] {
    const gates = (parse(text) as { featureGates?: unknown }).featureGates;
    return Array.isArray(gates) ? gates.filter((g): g is string => typeof g === "string") : [];
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
