import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LlmdDeployment } from "../../components/llmd";
import { LlmdModel } from "../../components/model";
import { LlmdPlatform } from "../../components/platform";
import { RecordedResource, runWithMocks } from "../../stacks/mock-engine";

// From Python, Go or YAML the component provider host hands a component every input wrapped as an Output
// (pulumi/provider/experimental construct). The components must build the same objects from those as from
// plain values, in preview too, and keep secrets secret.
function wrapped<T extends object>(args: T, except: (keyof T)[] = []): T {
    return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, except.includes(k as keyof T) ? v : pulumi.output(v)])) as T;
}

const platformArgs = { gateway: { implementation: "istio" as const }, namespace: "llm-d" };
const modelArgs = { preset: "simulator" as const, model: "org/qwen", lora: { adapters: [{ name: "a1", source: "x/y" }] }, objectives: [{ name: "batch", priority: -1 }] };

async function plan(wrap: boolean, preview: boolean): Promise<RecordedResource[]> {
    const { resources } = await runWithMocks(
        () => {
            const kubernetesProvider = new k8s.Provider("k8s", { kubeconfig: "fake" });
            const p = new LlmdPlatform("shared", wrap ? wrapped({ ...platformArgs, kubernetesProvider }, ["kubernetesProvider"]) : { ...platformArgs, kubernetesProvider });
            // Another language passes the platform's ref as the output it is, of unknown origin to the model.
            const ref = wrap ? p.ref.apply((r) => ({ ...r })) : p.ref;
            const args = { ...modelArgs, platform: ref, hfToken: pulumi.secret("hf_abc"), kubernetesProvider };
            new LlmdModel("qwen", wrap ? wrapped(args, ["kubernetesProvider", "platform", "hfToken"]) : args);
        },
        { stack: "test", preview },
    );
    return resources;
}

const key = (r: RecordedResource) => `${r.type}::${r.name}::${JSON.stringify(r.inputs)}`;

describe("inputs arriving as Outputs (other languages, other resources' outputs)", () => {
    for (const preview of [false, true]) {
        it(`LlmdPlatform and LlmdModel build the same objects as from plain values (${preview ? "preview" : "update"})`, async () => {
            const plain = (await plan(false, preview)).map(key).sort();
            const fromOutputs = (await plan(true, preview)).map(key).sort();
            assert.deepStrictEqual(fromOutputs, plain);
            assert.ok(plain.length > 30);
        });
    }

    it("keeps the Hugging Face token secret when it arrives as an output", async () => {
        const resources = await plan(true, false);
        const secret = resources.find((r) => r.type === "kubernetes:core/v1:Secret")!;
        assert.ok(secret.secretPaths.some((p) => p.includes("HF_TOKEN")), JSON.stringify(secret.secretPaths));
    });

    it("LlmdDeployment too, with pools passed as another resource's output", async () => {
        const build = async (wrap: boolean) =>
            (
                await runWithMocks(
                    () => {
                        const args = { preset: "simulator" as const, gateway: { implementation: "agentgateway" as const }, pools: [] };
                        new LlmdDeployment("llmd", wrap ? wrapped(args) : args);
                    },
                    { stack: "test", preview: false },
                )
            ).resources
                .map(key)
                .sort();
        assert.deepStrictEqual(await build(true), await build(false));
    });

    it("a bad value inside an output fails the component's outputs (and so the update), naming the field", async () => {
        let platform!: LlmdPlatform;
        const { resources } = await runWithMocks(
            () => {
                platform = new LlmdPlatform("shared", { gateway: pulumi.output({ implementation: "nginx" }) as never });
            },
            { stack: "test", preview: false },
        );
        const namespace = (platform.namespace as unknown as { promise(): Promise<string> }).promise();
        await assert.rejects(namespace, /gateway\.implementation: got "nginx"/);
        assert.deepStrictEqual(resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).map((r) => r.name), []);
    });
});
