import * as assert from "assert";
import { parse } from "yaml";
import { LlmdConfigError } from "../../components/errors";
import {
    ENDPOINT_PICKER_CONFIG_API_VERSION,
    EndpointPickerConfig,
    KV_EVENTS_PORT,
    PRECISE_PREFIX_BLOCK_SIZE,
    SCHEDULER_PROFILES,
    SchedulerProfile,
    TOKENIZER_PORT,
    renderRouterConfig,
    routerConfigText,
    undefinedPluginRefs,
    validateRouterConfigText,
} from "../../components/render/router-config";

const MODEL = "Qwen/Qwen3-0.6B";

function parsed(profile: SchedulerProfile): EndpointPickerConfig {
    return parse(renderRouterConfig({ profile, tokenizerModel: MODEL })) as EndpointPickerConfig;
}

function plugin(config: EndpointPickerConfig, type: string) {
    const found = config.plugins.filter((p) => p.type === type);
    assert.strictEqual(found.length, 1, `expected one ${type} plugin`);
    return found[0];
}

describe("router config (EndpointPickerConfig)", () => {
    for (const profile of SCHEDULER_PROFILES) {
        it(`${profile}: parses as an EndpointPickerConfig whose refs all name defined plugins`, () => {
            const config = parsed(profile);
            assert.strictEqual(config.apiVersion, ENDPOINT_PICKER_CONFIG_API_VERSION);
            assert.strictEqual(config.kind, "EndpointPickerConfig");
            assert.ok(config.plugins.length > 0 && config.schedulingProfiles.length > 0);
            assert.deepStrictEqual(undefinedPluginRefs(config), []);
            const names = config.plugins.map((p) => p.name ?? p.type);
            assert.strictEqual(new Set(names).size, names.length, "plugin names must be unique");
            // Only scorers carry weights.
            for (const s of config.schedulingProfiles) {
                for (const ref of s.plugins) {
                    assert.ok(ref.weight === undefined || ref.pluginRef.endsWith("-scorer"), `${s.name}/${ref.pluginRef}`);
                }
            }
            // The validator accepts what we render.
            assert.doesNotThrow(() => validateRouterConfigText("schedulerConfig", renderRouterConfig({ profile, tokenizerModel: MODEL })));
        });
    }

    /** Each profile's plugin types and its scheduling profiles as `name: ref(weight) ...`, to compare with a guide. */
    function shape(config: EndpointPickerConfig): { plugins: string[]; profiles: string[] } {
        return {
            plugins: config.plugins.map((p) => p.type),
            profiles: config.schedulingProfiles.map((s) => `${s.name}: ${s.plugins.map((r) => (r.weight === undefined ? r.pluginRef : `${r.pluginRef}(${r.weight})`)).join(" ")}`),
        };
    }

    // llm-d v0.9.0 guides/optimized-baseline/router/optimized-baseline.values.yaml
    it("optimized-baseline: prefix-cache affinity filter then token-load scoring, as the guide", () => {
        for (const profile of [SchedulerProfile.OptimizedBaseline, SchedulerProfile.InferenceScheduling]) {
            assert.deepStrictEqual(shape(parsed(profile)), {
                plugins: ["approx-prefix-cache-producer", "inflight-load-producer", "prefix-cache-affinity-filter", "token-load-scorer"],
                profiles: ["default: prefix-cache-affinity-filter token-load-scorer"],
            });
        }
    });

    // llm-d v0.9.0 guides/pd-disaggregation/router/pd-disaggregation.values.yaml
    it("pd-disaggregation: always disaggregate, prefill on affinity + token load, decode on active requests", () => {
        const config = parsed(SchedulerProfile.PdDisaggregation);
        assert.deepStrictEqual(shape(config).profiles, [
            "prefill: prefill-filter prefix-cache-affinity-filter token-load-scorer max-score-picker",
            "decode: decode-filter active-request-scorer max-score-picker",
        ]);
        assert.deepStrictEqual(plugin(config, "disagg-profile-handler").parameters, { deciderPluginName: "always-disagg-pd-decider" });
        plugin(config, "always-disagg-pd-decider");
        plugin(config, "disagg-headers-handler");
        assert.deepStrictEqual(plugin(config, "prefix-cache-affinity-filter").parameters, { peakPrefillThroughput: 33821 });
        assert.deepStrictEqual(plugin(config, "approx-prefix-cache-producer").parameters, { maxPrefixTokensToMatch: 131072 });
        assert.ok(!config.plugins.some((p) => p.type === "single-profile-handler"), "two profile handlers");
    });

    // llm-d v0.9.0 guides/wide-ep-lws/router/wide-ep-lws.values.yaml
    it("wide-ep: always disaggregate, prefill prefix 3 / queue 2 / active 2, decode active requests", () => {
        const config = parsed(SchedulerProfile.WideEp);
        assert.deepStrictEqual(shape(config).profiles, [
            "prefill: prefill-filter prefix-cache-scorer(3) queue-scorer(2) active-request-scorer(2)",
            "decode: decode-filter active-request-scorer",
        ]);
        assert.deepStrictEqual(plugin(config, "disagg-profile-handler").parameters, { deciderPluginName: "always-disagg-pd-decider" });
    });

    // llm-d v0.9.0 guides/precise-prefix-cache-routing/router/precise-prefix-cache-routing.values.yaml
    it("precise-prefix-cache: discovers pods, speculative indexing, affinity filter + token load from the precise producer", () => {
        const config = parsed(SchedulerProfile.PrecisePrefixCache);
        assert.deepStrictEqual(shape(config).profiles, ["default: prefix-cache-affinity-filter token-load-scorer"]);
        const producer = plugin(config, "precise-prefix-cache-producer").parameters as any;
        assert.deepStrictEqual(producer.kvEventsConfig, {
            topicFilter: "kv@",
            concurrency: 8,
            discoverPods: true,
            podDiscoveryConfig: { socketPort: 5556, replaySocketPort: 5559 },
        });
        assert.strictEqual(producer.speculativeIndexing, true);
        assert.strictEqual(producer.tokenProcessorConfig.blockSizeTokens, PRECISE_PREFIX_BLOCK_SIZE);
        assert.deepStrictEqual(config.dataLayer, { sources: [{ pluginRef: "endpoint-notification-source", extractors: [{ pluginRef: "precise-prefix-cache-producer" }] }] });
        const tokens = plugin(config, "token-producer").parameters as any;
        assert.strictEqual(tokens.modelName, MODEL);
        assert.strictEqual(tokens.vllm.url, `http://localhost:${TOKENIZER_PORT}`);
        for (const type of ["inflight-load-producer", "prefix-cache-affinity-filter"]) {
            assert.strictEqual((plugin(config, type).parameters as any).prefixMatchInfoProducerName, "precise-prefix-cache-producer", type);
        }
        assert.strictEqual((plugin(config, "prefix-cache-affinity-filter").parameters as any).peakPrefillThroughput, 15926);
    });

    it("precise-prefix-cache with a central listener binds the KV-events socket and discovers nothing", () => {
        const config = parse(renderRouterConfig({ profile: SchedulerProfile.PrecisePrefixCache, tokenizerModel: MODEL, kvEventsListener: true })) as EndpointPickerConfig;
        const producer = plugin(config, "precise-prefix-cache-producer").parameters as any;
        assert.strictEqual(producer.kvEventsConfig.zmqEndpoint, `tcp://0.0.0.0:${KV_EVENTS_PORT}`);
        assert.strictEqual(producer.kvEventsConfig.discoverPods, undefined);
        assert.strictEqual(config.dataLayer, undefined);
        assert.ok(!config.plugins.some((p) => p.type === "endpoint-notification-source"));
    });

    it("precise-prefix-cache without a tokenizer model throws naming tokenizerModel", () => {
        assert.throws(
            () => renderRouterConfig({ profile: SchedulerProfile.PrecisePrefixCache }),
            (e: unknown) => e instanceof LlmdConfigError && e.field === "tokenizerModel",
        );
    });

    it("a raw override is used verbatim", () => {
        const raw = "apiVersion: llm-d.ai/v1alpha1\nkind: EndpointPickerConfig\nplugins:\n- type: random-picker\nschedulingProfiles:\n- name: default\n  plugins:\n  - pluginRef: random-picker\n";
        assert.strictEqual(routerConfigText({ profile: SchedulerProfile.OptimizedBaseline, configOverride: raw }), raw);
    });

    describe("validateRouterConfigText", () => {
        const bad: [string, unknown][] = [
            ["empty", ""],
            ["not YAML", "plugins: [unclosed"],
            ["wrong kind", "kind: ConfigMap\n"],
            ["a scalar", "just text"],
            ["a dangling pluginRef", "kind: EndpointPickerConfig\nplugins:\n- type: queue-scorer\nschedulingProfiles:\n- name: default\n  plugins:\n  - pluginRef: nope\n"],
        ];
        for (const [what, text] of bad) {
            it(`rejects ${what}, naming the field`, () => {
                assert.throws(
                    () => validateRouterConfigText("schedulerConfig", text),
                    (e: unknown) => e instanceof LlmdConfigError && e.field === "schedulerConfig" && e.message.startsWith("schedulerConfig:"),
                );
            });
        }
        it("resolves refs by plugin name when a plugin is renamed", () => {
            const text = "kind: EndpointPickerConfig\nplugins:\n- type: prefix-cache-scorer\n  name: p\nschedulingProfiles:\n- name: default\n  plugins:\n  - pluginRef: p\n";
            assert.doesNotThrow(() => validateRouterConfigText("schedulerConfig", text));
        });
    });
});
