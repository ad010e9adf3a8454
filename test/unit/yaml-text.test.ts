import * as assert from "assert";
import { parse, stringify } from "yaml";
import { OFF_KUBERNETES_PROFILES, renderFileDiscoveryRouterConfig } from "../../components/offk8s/render-router-config";
import { renderGatewayParameters, resolveGatewaySpec } from "../../components/render/gateway";
import { SCHEDULER_PROFILES, renderRouterConfig } from "../../components/render/router-config";
import { yamlText } from "../../components/render/yaml-text";

/** How a YAML 1.1 reader (Go's, in the router and Istio) and a 1.2 reader take `text` back. */
function readBoth(text: string): [unknown, unknown] {
    return [parse(text, { version: "1.1" }), parse(text, { version: "1.2" })];
}

function withoutComments(text: string): string {
    return text.replace(/^#.*\n/gm, "");
}

// Each of these is a string a plain YAML scalar would turn into something else under one version or the other,
// or cannot hold as written.
const TRICKY = [
    "", " ", " lead", "trail ", "yes", "No", "ON", "off", "y", "N", "true", "False", "null", "NULL", "~", "=", "<<",
    "8", "-1", "+1", ".5", "1.0", "1e3", "1E", "0x1F", "0o17", "0b101", "0755", "1_000", "12:30", "190:20:30",
    "2026-01-01", "2026-01-01T10:00:00Z", ".inf", "-.Inf", ".nan", "NaN",
    "a: b", "a #b", "x:", "#x", "- x", "-x", "? x", "?x", "@x", "`x", "!x", "&x", "*x", "%x", "|", ">", "[a]", "{a}",
    "a, b", "a\"b", "it's", "\\", "multi\nline", "tab\there", "nul\u0000", "del\u007f", "nel\u0085", "ls\u2028", "ps\u2029",
    "bom\ufeff", "é", "模型", "emoji 🙂", "http://x:80/p", "tcp://0.0.0.0:5557", "kv@", "Qwen/Qwen3-32B", "16Gi", "100m",
];

describe("YAML text for the config files llmd renders", () => {
    it("is the yaml package's own YAML 1.1-safe text for every router config (every profile and option) and the gateway's parameters", () => {
        const texts: string[] = [];
        for (const profile of SCHEDULER_PROFILES) {
            for (const kvEventsListener of [false, true]) {
                for (const featureGates of [undefined, ["flowControl"], ["flowControl", "prepareDataPlugins"]]) {
                    texts.push(renderRouterConfig({ profile, tokenizerModel: "Qwen/Qwen3-32B", kvEventsListener, featureGates }));
                }
            }
        }
        for (const profile of OFF_KUBERNETES_PROFILES) {
            for (const watchFile of [undefined, false]) {
                texts.push(renderFileDiscoveryRouterConfig({ profile, endpointsFilePath: "/var/lib/llmd/endpoints.yaml", watchFile }));
            }
        }
        const parameters = renderGatewayParameters(resolveGatewaySpec({ implementation: "istio", namespace: "llm" })) as unknown as { data: Record<string, string> };
        texts.push(...Object.values(parameters.data));
        assert.ok(texts.length > 30);
        for (const text of texts) {
            const body = withoutComments(text);
            assert.strictEqual(body, stringify(parse(body), { version: "1.1" }));
        }
    });

    it("writes each tricky string so that YAML 1.1 and 1.2 readers both read back the same string, as a value, a key and a list item, with no raw line-break or non-printable character", () => {
        for (const s of TRICKY) {
            for (const doc of [{ key: s }, { [s]: "value" }, { list: [s, { nested: s }] }, [s], s]) {
                const text = yamlText(doc);
                // Go's reader folds NEL, LS and PS as line breaks even inside quotes; the parser here does not, so look.
                assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/, JSON.stringify(text));
                for (const read of readBoth(text)) {
                    assert.deepStrictEqual(read, doc, `${JSON.stringify(s)} written as ${JSON.stringify(text)}`);
                }
            }
        }
    });

    it("quotes only what needs it: names, paths, URLs and quantities stay plain, numbers-as-strings and 1.1 booleans are quoted", () => {
        assert.strictEqual(yamlText({ a: "Qwen/Qwen3-32B", b: "tcp://0.0.0.0:5557", c: "16Gi", d: "100m", e: "prefix-cache-scorer" }), "a: Qwen/Qwen3-32B\nb: tcp://0.0.0.0:5557\nc: 16Gi\nd: 100m\ne: prefix-cache-scorer\n");
        assert.strictEqual(yamlText({ cpu: "8", on: "on", y: 1 }), 'cpu: "8"\n"on": "on"\n"y": 1\n');
    });

    it("nests maps and lists in block style, with empty collections inline and absent fields left out", () => {
        const doc = { a: [{ b: 1, c: [1, 2] }, {}, [], [[3, 4], "x"]], d: {}, e: [], f: null, g: true, h: -1.5, i: undefined, j: { k: { l: "m" } } };
        const text = yamlText(doc);
        assert.strictEqual(
            text,
            ["a:", "  - b: 1", "    c:", "      - 1", "      - 2", "  - {}", "  - []", "  - - - 3", "      - 4", "    - x", "d: {}", "e: []", "f: null", "g: true", "h: -1.5", "j:", "  k:", "    l: m", ""].join("\n"),
        );
        const { i: _absent, ...present } = doc;
        for (const read of readBoth(text)) {
            assert.deepStrictEqual(read, present);
        }
        assert.strictEqual(yamlText({ only: undefined }), "{}\n");
        assert.strictEqual(yamlText([undefined]), "- null\n");
    });

    it("refuses what is not plain data, naming where it is", () => {
        assert.throws(() => yamlText({ a: { b: Number.NaN } }), /\$\.a\.b is NaN; only finite numbers/);
        assert.throws(() => yamlText({ a: [1, Infinity] }), /\$\.a\[1\] is Infinity/);
        assert.throws(() => yamlText({ when: new Date(0) }), /\$\.when is a Date; expected plain data/);
        assert.throws(() => yamlText({ m: new Map() }), /\$\.m is a Map/);
        assert.throws(() => yamlText({ f: () => 1 }), /\$\.f is a function/);
        assert.throws(() => yamlText({ n: 1n }), /\$\.n is a bigint/);
    });
});
