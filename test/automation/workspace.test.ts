import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { packageRoot } from "../../components/package-root";
import { pulumiCli } from "../../stacks/automation";
import { automationConfig, runStack, secretConfig, workspaceProgram } from "../../stacks/workspace";

describe("automation helper for your own program: arguments", () => {
    const program = () => ({ ok: true });

    it("takes an inline program, with the project name defaulting to llmd", () => {
        const target = workspaceProgram({ stackName: "dev", program });
        assert.deepStrictEqual({ ...target, program: undefined }, { kind: "inline", stackName: "dev", projectName: "llmd", program: undefined });
        assert.strictEqual(target.kind === "inline" && target.program, program);
        assert.strictEqual((workspaceProgram({ stackName: "dev", program, projectName: "mine" }) as { projectName: string }).projectName, "mine");
    });

    it("takes a project folder, resolved to an absolute path, when it holds a Pulumi.yaml", () => {
        const relative = path.relative(process.cwd(), packageRoot()) || ".";
        assert.deepStrictEqual(workspaceProgram({ stackName: "org/proj/dev", workDir: relative }), { kind: "workDir", stackName: "org/proj/dev", workDir: packageRoot() });
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "llmd-noproject-"));
        assert.throws(() => workspaceProgram({ stackName: "dev", workDir: empty }), new RegExp(`^LlmdConfigError: workDir: got "${empty}"; expected a folder holding a Pulumi project`));
    });

    it("wants exactly one of workDir and program, and a usable stack name", () => {
        assert.throws(() => workspaceProgram({ stackName: "dev" }), /workDir: got nothing; expected exactly one of workDir or program \(program not given\)/);
        assert.throws(() => workspaceProgram({ stackName: "dev", workDir: packageRoot(), program }), /expected exactly one of workDir or program \(program given\)/);
        assert.throws(() => workspaceProgram({ stackName: "my stack", program }), /stackName: got "my stack"; expected a stack name/);
        assert.throws(() => workspaceProgram({ stackName: "dev", program: "index.ts" as never }), /program: got "index.ts"; expected a function/);
    });

    it("rejects bad arguments before it looks for the CLI", async () => {
        await assert.rejects(runStack("preview", { stackName: "dev" }), /expected exactly one of workDir or program/);
        await assert.rejects(runStack("up", { stackName: "dev", program, config: { provider: "kind" } }), /config: got "provider"; expected keys as namespace:key/);
    });
});

describe("automation helper for your own program: config", () => {
    it("maps strings as they are, numbers and booleans as text, objects as JSON, secrets as secret", () => {
        assert.deepStrictEqual(
            automationConfig({
                "llmd:provider": "kind",
                "llmd:replicas": 2,
                "llmd:debug": false,
                "llmd:deployment": { preset: "simulator", gateway: { implementation: "istio" } },
                "llmd:hfToken": secretConfig("hf_abc"),
                "llmd:keys": secretConfig({ a: 1 }),
            }),
            {
                "llmd:provider": { value: "kind" },
                "llmd:replicas": { value: "2" },
                "llmd:debug": { value: "false" },
                "llmd:deployment": { value: '{"preset":"simulator","gateway":{"implementation":"istio"}}' },
                "llmd:hfToken": { value: "hf_abc", secret: true },
                "llmd:keys": { value: '{"a":1}', secret: true },
            },
        );
    });

    it("gives structured values back to the program through config.getObject", () => {
        const { value } = automationConfig({ "llmd:deployment": { preset: "simulator" } })["llmd:deployment"];
        pulumi.runtime.setAllConfig({ "llmd:deployment": value });
        assert.deepStrictEqual(new pulumi.Config("llmd").getObject("deployment"), { preset: "simulator" });
    });

    it("names the key of a value it cannot store", () => {
        assert.throws(() => automationConfig({ "llmd:x": undefined }), /^LlmdConfigError: config\["llmd:x"\]: got nothing; expected a string, number, boolean, object or list$/);
        assert.throws(() => automationConfig({ "a:b:c": "x" }), /config: got "a:b:c"; expected keys as namespace:key/);
    });
});

// The run itself needs the Pulumi CLI (no cluster: the inline program creates no resource). Where the CLI
// is missing (CI here) this suite says so and is reported as pending, not passed.
describe("automation helper for your own program: inline program with a file backend", function () {
    this.timeout(300_000);

    before(function () {
        const cli = pulumiCli();
        if (!cli.available) {
            console.log(`      skipped: ${cli.reason}`);
            this.skip();
        }
    });

    it("runs up on an inline program, passing config and returning its outputs", async () => {
        const state = fs.mkdtempSync(path.join(os.tmpdir(), "llmd-inline-"));
        const result = await runStack("up", {
            stackName: "inline",
            projectName: "llmd-inline-test",
            program: () => ({ provider: new pulumi.Config("llmd").require("provider") }),
            config: { "llmd:provider": "kind" },
            backendUrl: `file://${state}`,
            passphrase: "llmd-test",
        });
        assert.strictEqual(result.outputs.provider.value, "kind");
    });
});
