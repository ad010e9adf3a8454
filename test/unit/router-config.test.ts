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

function weights(config: EndpointPickerConfig, profile: string): Record<string, number | undefined> {
    const p = config.schedulingProfiles.find((s) => s.name === profile);
    assert.ok(p, `profile ${profile} missing`);
    return Object.fromEntries(p.plugins.map((r) => [r.pluginRef, r.weight]));
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
            // Scorers, and only scorers, carry weights; every profile ends in a picker.
            for (const s of config.schedulingProfiles) {
                for (const ref of s.plugins) {
                    assert.strictEqual(ref.weight !== undefined, ref.pluginRef.endsWith("-scorer"), `${s.name}/${ref.pluginRef}`);
                }
                assert.ok(s.plugins.some((r) => r.pluginRef.endsWith("-picker")), `${s.name} has no picker`);
            }
            // The queue and kv-cache scorers need model-server metrics.
            plugin(config, "metrics-data-source");
            plugin(config, "core-metrics-extractor");
            // The validator accepts what we render.
            assert.doesNotThrow(() => validateRouterConfigText("schedulerConfig", renderRouterConfig({ profile, tokenizerModel: MODEL })));
        });
    }

    it("inference-scheduling weighs queue 2, kv-cache 2, prefix-cache 3 in one default profile", () => {
        const config = parsed(SchedulerProfile.InferenceScheduling);
        assert.deepStrictEqual(config.schedulingProfiles.map((s) => s.name), ["default"]);
        assert.deepStrictEqual(weights(config, "default"), {
            "queue-scorer": 2,
            "kv-cache-utilization-scorer": 2,
            "prefix-cache-scorer": 3,
            "max-score-picker": undefined,
        });
        plugin(config, "single-profile-handler");
    });

    it("pd-disaggregation has prefill and decode profiles split by role filters and a disagg handler whose decider exists", () => {
        const config = parsed(SchedulerProfile.PdDisaggregation);
        assert.deepStrictEqual(config.schedulingProfiles.map((s) => s.name).sort(), ["decode", "prefill"]);
        assert.ok("prefill-filter" in weights(config, "prefill"));
        assert.ok(!("decode-filter" in weights(config, "prefill")));
        assert.ok("decode-filter" in weights(config, "decode"));
        assert.ok(!("prefill-filter" in weights(config, "decode")));
        const handler = plugin(config, "disagg-profile-handler");
        const decider = (handler.parameters as { deciders: { prefill: string } }).deciders.prefill;
        assert.ok(config.plugins.some((p) => (p.name ?? p.type) === decider), `decider ${decider} is not defined`);
        assert.ok(!config.plugins.some((p) => p.type === "single-profile-handler"), "two profile handlers");
    });

    it("precise-prefix-cache binds the KV-events socket, tokenises via the sidecar and scores from the precise producer", () => {
        const config = parsed(SchedulerProfile.PrecisePrefixCache);
        const producer = plugin(config, "precise-prefix-cache-producer").parameters as any;
        assert.strictEqual(producer.kvEventsConfig.zmqEndpoint, `tcp://0.0.0.0:${KV_EVENTS_PORT}`);
        assert.strictEqual(producer.tokenProcessorConfig.blockSize, PRECISE_PREFIX_BLOCK_SIZE);
        const tokens = plugin(config, "token-producer").parameters as any;
        assert.strictEqual(tokens.modelName, MODEL);
        assert.strictEqual(tokens.vllm.url, `http://localhost:${TOKENIZER_PORT}`);
        const scorer = plugin(config, "prefix-cache-scorer").parameters as any;
        assert.strictEqual(scorer.prefixMatchInfoProducerName, "precise-prefix-cache-producer");
    });

    it("precise-prefix-cache without a tokenizer model throws naming tokenizerModel", () => {
        assert.throws(
            () => renderRouterConfig({ profile: SchedulerProfile.PrecisePrefixCache }),
            (e: unknown) => e instanceof LlmdConfigError && e.field === "tokenizerModel",
        );
    });

    it("a raw override is used verbatim", () => {
        const raw = "apiVersion: llm-d.ai/v1alpha1\nkind: EndpointPickerConfig\nplugins:\n- type: random-picker\nschedulingProfiles:\n- name: default\n  plugins:\n  - pluginRef: random-picker\n";
        assert.strictEqual(routerConfigText({ profile: SchedulerProfile.InferenceScheduling, configOverride: raw }), raw);
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
