import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseEndpointsFile } from "../../components/offk8s/endpoints-file";
import { ENDPOINTS_UPDATER_CLI } from "../../components/offk8s/endpoints-updater";

const ENTRY = { name: "slurm-7-0", namespace: "default", address: "10.0.0.7", port: "8000" };
const BLOCK = 'endpoints:\n  - name: static-0\n    address: "10.9.9.9"\n    port: "9000"\n';

describe("off Kubernetes: the launchers' endpoints updater (Python)", function () {
    let dir = "";
    let script = "";
    before(function () {
        if (spawnSync("sh", ["-c", "command -v python3"]).status !== 0) {
            console.log("      (skipped: python3 is not installed)");
            this.skip();
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "llmd-updater-"));
        script = path.join(dir, "updater.py");
        fs.writeFileSync(script, ENDPOINTS_UPDATER_CLI);
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    /** Runs the CLI on a file holding `text`; `withoutYaml` hides PyYAML as on a bare compute node. */
    function update(text: string, args: string[], withoutYaml = false) {
        const file = path.join(dir, `endpoints-${Math.random().toString(16).slice(2)}.yaml`);
        fs.writeFileSync(file, text);
        const hide = withoutYaml ? "sys.modules['yaml'] = None; " : "";
        const result = spawnSync("python3", ["-c", `import runpy, sys; ${hide}sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')`, script, file, ...args], { encoding: "utf8" });
        return { status: result.status, stderr: result.stderr, text: fs.readFileSync(file, "utf8"), file };
    }

    it("adds, replaces and removes its own entry, keeping someone else's block-YAML entry", () => {
        const added = update(BLOCK, [ENTRY.name, JSON.stringify(ENTRY)]);
        assert.strictEqual(added.status, 0, added.stderr);
        assert.deepStrictEqual(parseEndpointsFile("f", added.text).map((e) => e.name), ["static-0", "slurm-7-0"]);
        const moved = update(added.text, [ENTRY.name, JSON.stringify({ ...ENTRY, port: "8001" })], true);
        assert.deepStrictEqual(parseEndpointsFile("f", moved.text).map((e) => `${e.name}:${e.port}`), ["static-0:9000", "slurm-7-0:8001"]);
        const removed = update(moved.text, [ENTRY.name], true);
        assert.deepStrictEqual(parseEndpointsFile("f", removed.text), [{ name: "static-0", address: "10.9.9.9", port: "9000" }]);
    });

    it("without PyYAML, still reads JSON and llmd's earlier one-line layout, and keeps other top-level keys", () => {
        const lines = update('endpoints:\n  - {"name":"ray-1-0","address":"10.0.0.2","port":"8000"}\n', [ENTRY.name, JSON.stringify(ENTRY)], true);
        assert.strictEqual(lines.status, 0, lines.stderr);
        assert.deepStrictEqual(JSON.parse(lines.text).endpoints.map((e: { name: string }) => e.name), ["ray-1-0", "slurm-7-0"]);
        const extra = update('{"endpoints": [], "note": "kept"}', [ENTRY.name, JSON.stringify(ENTRY)], true);
        assert.strictEqual(JSON.parse(extra.text).note, "kept");
    });

    it("leaves a file it cannot read untouched and fails, rather than dropping entries", () => {
        const blind = update(BLOCK, [ENTRY.name, JSON.stringify(ENTRY)], true);
        assert.strictEqual(blind.status, 1);
        assert.match(blind.stderr, /not rewriting .* PyYAML/);
        assert.strictEqual(blind.text, BLOCK);
        const wrong = update("endpoints: 5\n", [ENTRY.name]);
        assert.strictEqual(wrong.status, 1);
        assert.match(wrong.stderr, /expected a mapping with an endpoints list/);
        assert.strictEqual(wrong.text, "endpoints: 5\n");
        assert.deepStrictEqual(fs.readdirSync(dir).filter((f) => /\.yaml\.[A-Za-z0-9_]+$/.test(f) && !f.endsWith(".lock")), [], "a temp file was left behind");
    });
});
