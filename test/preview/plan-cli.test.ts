import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packageRoot } from "../../components/package-root";

function plan(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [path.join(packageRoot(), "bin/stacks/plan.js"), ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function configFile(name: string, body: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llmd-plan-"));
    const file = path.join(dir, `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, body);
    return file;
}

// The command line users and CI run: output formats, and a non-zero exit that names the bad field.
describe("npm run plan", function () {
    this.timeout(60_000);

    it("prints the resource tree by default", () => {
        const { status, stdout } = plan("--stack", "local");
        assert.strictEqual(status, 0);
        assert.match(stdout, /^stack local: \d+ resources\n/);
        assert.match(stdout, /llmd:index:LlmdPlatform {2}llmd\n/);
        assert.match(stdout, /llmd:index:InferenceRouter {2}qwen-router/);
    });

    it("prints {stack, resources: [{type, name, parent, provider, inputs}]} with --json", () => {
        const { status, stdout } = plan("--stack", "local", "--json");
        assert.strictEqual(status, 0);
        const parsed = JSON.parse(stdout) as { stack: string; resources: Array<Record<string, unknown>> };
        assert.strictEqual(parsed.stack, "local");
        const pool = parsed.resources.find((r) => r.name === "qwen-router-pool")!;
        assert.deepStrictEqual(Object.keys(pool).sort(), ["inputs", "name", "parent", "provider", "type"]);
        assert.strictEqual(pool.parent, "llmd:index:InferenceRouter::qwen-router");
        assert.strictEqual(pool.provider, "kind-k8s");
    });

    it("evaluates a config file that is not shipped, named after the file", () => {
        const file = configFile("mine", "config:\n  llmd:provider: kind\n  llmd:deployment:\n    preset: simulator\n    namespace: team-a\n");
        const { status, stdout } = plan("--config-file", file, "--json");
        assert.strictEqual(status, 0);
        const parsed = JSON.parse(stdout) as { stack: string; resources: Array<{ inputs: { kind?: string; metadata?: { name: string } } }> };
        assert.strictEqual(parsed.stack, "mine");
        assert.ok(parsed.resources.some((r) => r.inputs.kind === "Namespace" && r.inputs.metadata?.name === "team-a"));
    });

    it("exits non-zero with the field, the value and the choices on bad config", () => {
        const file = configFile("bad", "config:\n  llmd:provider: kind\n  llmd:deployment:\n    preset: fastest\n");
        const { status, stdout, stderr } = plan("--config-file", file);
        assert.strictEqual(status, 1);
        assert.strictEqual(stdout, "");
        assert.match(stderr, /plan failed: preset: got "fastest"; expected one of optimized-baseline, pd-disaggregation/);
    });

    it("exits non-zero naming the shipped stacks for an unknown stack, and on unknown flags", () => {
        const missing = plan("--stack", "nope");
        assert.strictEqual(missing.status, 1);
        assert.match(missing.stderr, /no stack "nope": expected one of .*local/);
        const flag = plan("--stack", "local", "--xml");
        assert.strictEqual(flag.status, 1);
        assert.match(flag.stderr, /unknown argument "--xml"; usage/);
    });
});
