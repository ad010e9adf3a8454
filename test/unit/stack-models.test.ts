import * as assert from "assert";
import { LlmdConfigError } from "../../components/errors";
import { byName } from "../support/recorded";
import { runStackProgram } from "../support/stack-program";

const program = (config: Record<string, unknown>) => runStackProgram(config);

function fieldOf(error: unknown): string {
    assert.ok(error instanceof LlmdConfigError, String(error));
    return error.field;
}

const sim = (name: string, model: string) => ({ name, preset: "simulator", model });

describe("stack config: llmd:platform and llmd:models", () => {
    it("one platform, one LlmdModel per entry, the models and the base URL as outputs", async () => {
        const { resources, outputs, error } = await program({ "llmd:platform": {}, "llmd:models": [sim("qwen", "Qwen/Qwen3-0.6B"), sim("llama", "org/llama")] });
        assert.strictEqual(error, undefined, String(error));
        assert.deepStrictEqual(resources.filter((r) => r.type === "llmd:index:LlmdPlatform").map((r) => r.name), ["llmd"]);
        assert.deepStrictEqual(resources.filter((r) => r.type === "llmd:index:LlmdModel").map((r) => r.name).sort(), ["llama", "qwen"]);
        assert.deepStrictEqual(outputs.models, ["Qwen/Qwen3-0.6B", "org/llama"]);
        assert.strictEqual(outputs.url, "", "no address under mocks: empty, not missing");
        assert.deepStrictEqual((outputs.modelEndpoints as any[]).map((m) => m.inferencePool), ["qwen", "llama"]);
    });

    it("llmd:deployment alone is still the one-model LlmdDeployment, with a url output", async () => {
        const { resources, outputs, error } = await program({ "llmd:deployment": { preset: "simulator" } });
        assert.strictEqual(error, undefined, String(error));
        assert.ok(resources.some((r) => r.type === "llmd:index:LlmdDeployment"));
        assert.ok(!resources.some((r) => r.type === "llmd:index:LlmdPlatform"));
        assert.ok("url" in outputs);
        assert.deepStrictEqual(outputs.models, ["Qwen/Qwen3-0.6B"]);
    });

    it("llmd:platform with llmd:deployment: the platform plus one model named llmd", async () => {
        const { resources, error } = await program({ "llmd:platform": { gateway: { implementation: "agentgateway" } }, "llmd:deployment": { preset: "simulator" } });
        assert.strictEqual(error, undefined, String(error));
        assert.deepStrictEqual(resources.filter((r) => r.type === "llmd:index:LlmdModel").map((r) => r.name), ["llmd"]);
        assert.ok(byName(resources, "llmd-model-header-policy"));
    });

    it("installs LeaderWorkerSet on the platform when some model spans nodes", async () => {
        const pools = [{ name: "h100", accelerator: "nvidia-h100", acceleratorsPerNode: 8, nodes: 2, nodeLabels: { pool: "h100" } }];
        const { resources, error } = await program({
            "llmd:provider": "existing",
            "llmd:cluster": { context: "c", kubernetesVersion: "1.33", pools },
            "llmd:platform": {},
            "llmd:models": [{ name: "ds", preset: "wide-ep", network: { allowTcp: true } }],
        });
        assert.strictEqual(error, undefined, String(error));
        assert.ok(resources.some((r) => r.type === "llmd:index:LeaderWorkerSetController"));
    });

    const cases: Array<[string, Record<string, unknown>, string]> = [
        ["both llmd:deployment and llmd:models", { "llmd:deployment": {}, "llmd:models": [sim("a", "a/a")] }, "llmd:models"],
        ["a bad field in the second model", { "llmd:models": [sim("a", "a/a"), { ...sim("b", "b/b"), decode: { replicas: -1 } }] }, "llmd:models[1].decode.replicas"],
        ["the same served name twice", { "llmd:models": [sim("a", "x/x"), sim("b", "x/x")] }, "llmd:models[1].servedModelName"],
        ["the same model name twice", { "llmd:models": [sim("a", "x/x"), sim("a", "y/y")] }, "llmd:models[1].name"],
        ["a model without a name", { "llmd:models": [{ preset: "simulator" }] }, "llmd:models[0].name"],
        ["a platform setting inside a model", { "llmd:models": [{ ...sim("a", "a/a"), gateway: { implementation: "istio" } }] }, "llmd:models[0].gateway"],
        ["models not a list", { "llmd:models": { name: "a" } }, "llmd:models"],
        ["a bad platform field", { "llmd:platform": { gateway: { implementation: "nginx" } }, "llmd:models": [sim("a", "a/a")] }, "llmd:platform.gateway.implementation"],
        ["two models on a platform without routing by model", { "llmd:platform": { modelRouting: false }, "llmd:models": [sim("a", "a/a"), sim("b", "b/b")] }, "llmd:platform.modelRouting"],
        ["a bad field of llmd:deployment on a platform", { "llmd:platform": {}, "llmd:deployment": { preset: "simulator", decode: { replicas: "two" } } }, "llmd:deployment.decode.replicas"],
    ];
    for (const [what, config, field] of cases) {
        it(`rejects ${what}, naming ${field}, and creates nothing`, async () => {
            const { resources, error } = await program(config);
            assert.strictEqual(fieldOf(error), field, (error as Error).message);
            assert.ok((error as Error).message.startsWith(`${field}: got `), (error as Error).message);
            assert.deepStrictEqual(resources.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.name), []);
        });
    }
});
