import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packageRoot } from "../../components/package-root";
import { PlanCliResult, parsePlanArgs, runPlanCli } from "../../stacks/plan";

function configFile(name: string, body: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llmd-plan-"));
    const file = path.join(dir, `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, body);
    return file;
}

/** The built script in its own Node process, as `npm run plan` starts it. */
function planProcess(...args: string[]): Promise<PlanCliResult> {
    return new Promise((resolve) => {
        execFile(process.execPath, [path.join(packageRoot(), "bin/stacks/plan.js"), ...args], { encoding: "utf8", maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
            resolve({ status: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
        });
    });
}

// The command line users and CI run: output formats, and a non-zero exit that names the bad field. The
// command runs in this process (runPlanCli returns what the script prints and its exit status); two
// processes check that the script itself passes both through.
describe("npm run plan", function () {
    this.timeout(120_000);

    it("the script prints to stdout and exits 0, or prints to stderr and exits 1", async () => {
        const badConfig = configFile("bad", "config:\n  llmd:provider: kind\n  llmd:deployment:\n    preset: fastest\n");
        const [ok, bad, badProgram] = await Promise.all([
            planProcess("--stack", "openshift"),
            planProcess("--stack", "local", "--xml"),
            planProcess("--config-file", badConfig),
        ]);
        // A program error is reported once, as one line: the SDK's second, unawaited rejection of the stack
        // with the same error must not crash the script with a stack trace after it.
        assert.strictEqual(badProgram.status, 1);
        assert.match(badProgram.stderr, /^plan failed: llmd:deployment\.preset: got "fastest"; [^\n]*\n$/);
        assert.strictEqual(ok.status, 0, ok.stderr);
        assert.match(ok.stdout, /^stack openshift: \d+ resources\n/);
        assert.strictEqual(ok.stderr, "");
        assert.strictEqual(bad.status, 1);
        assert.strictEqual(bad.stdout, "");
        assert.match(bad.stderr, /^plan failed: unknown argument "--xml"; usage/);
    });

    it("prints the resource tree by default", async () => {
        const { status, stdout } = await runPlanCli(["--stack", "local"]);
        assert.strictEqual(status, 0);
        assert.match(stdout, /^stack local: \d+ resources\n/);
        assert.match(stdout, /llmd:index:LlmdPlatform {2}llmd\n/);
        assert.match(stdout, /llmd:index:InferenceRouter {2}qwen-router/);
    });

    it("prints {stack, resources: [{type, name, parent, provider, inputs}]} with --json", async () => {
        const { status, stdout } = await runPlanCli(["--stack", "local", "--json"]);
        assert.strictEqual(status, 0);
        const parsed = JSON.parse(stdout) as { stack: string; resources: Array<Record<string, unknown>> };
        assert.strictEqual(parsed.stack, "local");
        const pool = parsed.resources.find((r) => r.name === "qwen-router-pool")!;
        assert.deepStrictEqual(Object.keys(pool).sort(), ["inputs", "name", "parent", "provider", "type"]);
        assert.strictEqual(pool.parent, "llmd:index:InferenceRouter::qwen-router");
        assert.strictEqual(pool.provider, "kind-k8s");
    });

    it("evaluates a config file that is not shipped, named after the file", async () => {
        const file = configFile("mine", "config:\n  llmd:provider: kind\n  llmd:deployment:\n    preset: simulator\n    namespace: team-a\n");
        const { status, stdout } = await runPlanCli(["--config-file", file, "--json"]);
        assert.strictEqual(status, 0);
        const parsed = JSON.parse(stdout) as { stack: string; resources: Array<{ inputs: { kind?: string; metadata?: { name: string } } }> };
        assert.strictEqual(parsed.stack, "mine");
        assert.ok(parsed.resources.some((r) => r.inputs.kind === "Namespace" && r.inputs.metadata?.name === "team-a"));
    });

    it("exits non-zero with the field, the value and the choices on bad config", async () => {
        const file = configFile("bad", "config:\n  llmd:provider: kind\n  llmd:deployment:\n    preset: fastest\n");
        const { status, stdout, stderr } = await runPlanCli(["--config-file", file]);
        assert.strictEqual(status, 1);
        assert.strictEqual(stdout, "");
        assert.match(stderr, /plan failed: llmd:deployment.preset: got "fastest"; expected one of optimized-baseline, pd-disaggregation/);
    });

    it("exits non-zero naming the shipped stacks for an unknown stack", async () => {
        const missing = await runPlanCli(["--stack", "nope"]);
        assert.strictEqual(missing.status, 1);
        assert.match(missing.stderr, /no stack "nope": expected one of .*local/);
    });

    it("prints the charts as Flux HelmReleases with --yaml --gitops flux", async () => {
        const { status, stdout } = await runPlanCli(["--stack", "local", "--yaml", "--gitops", "flux"]);
        assert.strictEqual(status, 0);
        assert.match(stdout, /^kind: HelmRelease\nmetadata:\n {2}name: llmd-gateway-istiod\n/m);
        assert.match(stdout, /^ {4}- name: llmd-gateway-istio-base\n/m, "the CLI passes the chart order on");
        assert.doesNotMatch(stdout, /^# helm chart/m);
    });

    it("takes --gitops flux with --yaml only, and names the formats it knows", () => {
        assert.deepStrictEqual(parsePlanArgs(["--stack", "local", "--yaml", "--gitops", "flux"]), {
            stack: "local",
            configFile: undefined,
            format: "yaml",
            gitops: "flux",
        });
        assert.throws(() => parsePlanArgs(["--stack", "local", "--yaml", "--gitops", "argo"]), /--gitops: got "argo"; expected one of flux/);
        assert.throws(() => parsePlanArgs(["--stack", "local", "--json", "--gitops", "flux"]), /--gitops renders YAML: add --yaml/);
        assert.throws(() => parsePlanArgs([]), /missing --stack <name>; usage/);
    });
});
