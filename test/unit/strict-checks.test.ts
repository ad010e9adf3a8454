import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { checkShape } from "../../components/strict";
import { isSecretEnvName } from "../../components/strict-env";
import { quantityValue } from "../../components/strict-quantity";
import { closest } from "../../components/suggest";
import { packageRoot } from "../../components/package-root";
import { BAREMETAL } from "../../stacks/strict-config";
import { SECRET } from "../../stacks/mock-engine";
import { evaluateStack, renderTree, renderYaml, toPlan } from "../../stacks/plan";
import { KIND_STACK } from "../support/stack-program";

describe("strict input: what it lets through", () => {
    it("accepts the env names vLLM users set routinely, and empty secret-named values", () => {
        for (const name of ["TOKENIZERS_PARALLELISM", "VLLM_MAX_TOKENS", "VLLM_ALLOW_RUNTIME_LORA_UPDATING", "NCCL_DEBUG", "my.var-name"]) {
            assert.strictEqual(isSecretEnvName(name), false, name);
        }
        checkShape("env", { TOKENIZERS_PARALLELISM: "false", "my.var-name": "1", HF_TOKEN: "" }, "env");
        for (const name of ["HF_TOKEN", "OPENAI_API_KEY", "APIKEY", "DB_PASSWORD", "AWS_SECRET_ACCESS_KEY", "my_token"]) {
            assert.strictEqual(isSecretEnvName(name), true, name);
        }
    });

    it("lets Outputs, null (unset in YAML) and valid Kubernetes values through", () => {
        checkShape("x", { replicas: pulumi.output(3e9), image: null, extraArgs: ["--a"], memory: "16Gi", cpu: "500m" }, "LlmdModelServerArgs");
        checkShape("ns", "llm-d", "ownNamespace");
        checkShape("labels", { "cloud.google.com/gke-accelerator": "nvidia-h100-80gb", tier: "" }, "labels");
        for (const image of ["ghcr.io/llm-d/llm-d-cuda:v0.4.0", "vllm/vllm-openai", "localhost:5000/a/b:1", `a/b@sha256:${"f".repeat(64)}`]) {
            checkShape("image", image, "image");
        }
    });

    it("compares quantities in their units and suggests the nearest known name", () => {
        assert.ok(quantityValue("1Gi") > quantityValue("1G"));
        assert.strictEqual(quantityValue("500m"), 0.5);
        assert.strictEqual(quantityValue("2e3"), 2000);
        assert.strictEqual(closest("deploymnet", ["deployment", "models"]), "deployment");
        assert.strictEqual(closest("zzz", ["deployment", "models"]), undefined);
    });
});

describe("plan output never shows a secret in clear", () => {
    const token = "hf_PlanMustNotPrintThis123";

    it("redacts llmd:hfToken in the tree, the JSON and the YAML of a plan", async function () {
        this.timeout(60_000);
        const config = { ...KIND_STACK, "llmd:deployment": JSON.stringify({ preset: "simulator" }), "llmd:hfToken": token };
        const resources = await evaluateStack("secret-test", false, { config, secretKeys: ["llmd:hfToken"] });
        const plan = toPlan("secret-test", resources);
        const secret = plan.resources.find((r) => r.type === "kubernetes:core/v1:Secret");
        assert.ok(secret, "the token becomes a Kubernetes Secret");
        assert.ok(JSON.stringify(secret.inputs).includes(SECRET), "its value is shown as the secret marker");
        for (const [format, text] of [["tree", renderTree(plan)], ["json", JSON.stringify(plan)], ["yaml", renderYaml(plan)]]) {
            assert.ok(!text.includes(token), `${format} output shows the token`);
        }
    });
});

describe("strict input: llmd:baremetal", () => {
    // llmd:baremetal has no component of its own, so no schema: the program's reads are its field list.
    it("declares exactly the settings stacks/baremetal.ts reads", () => {
        const source = fs.readFileSync(path.join(packageRoot(), "stacks", "baremetal.ts"), "utf8");
        const read = new Set([...source.matchAll(/\bsettings\.(\w+)/g)].map((m) => m[1]));
        assert.deepStrictEqual(Object.keys(BAREMETAL).sort(), [...read].sort());
    });
});
