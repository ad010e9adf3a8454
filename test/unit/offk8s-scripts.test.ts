import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { LlmdConfigError } from "../../components/errors";
import { endpointsFileErrors, parseEndpointsFile, renderEndpointsFile } from "../../components/offk8s/endpoints-file";
import { planRouterHost } from "../../components/offk8s/host";
import { renderRayScript } from "../../components/offk8s/ray";
import { SlurmJobOptions, renderSlurmScript, renderSlurmWorker } from "../../components/offk8s/slurm";
import { killLeftovers } from "../integration/daemons";

function has(command: string): boolean {
    return spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
}

function check(command: string, args: string[], input?: string) {
    const result = spawnSync(command, args, { input, encoding: "utf8" });
    assert.strictEqual(result.status, 0, `${command} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
}

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "llmd-offk8s-"));
}

const JOB: SlurmJobOptions = {
    model: "Qwen/Qwen3-32B",
    servedModelName: "qwen3-32b",
    nodes: 2,
    gpusPerNode: 4,
    tensorParallelSize: 2,
    time: "12:00:00",
    partition: "gpu",
    endpointsFile: "/shared/llmd/endpoints.yaml",
    vllmArgs: ["--gpu-memory-utilization=0.95", "--max-model-len=8192"],
    labels: { "llm-d.ai/role": "decode" },
};

function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const server = net.createServer().listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
    }
}

describe("off Kubernetes: Slurm batch script", () => {
    const script = renderSlurmScript(JOB);
    const worker = renderSlurmWorker(JOB);

    it("asks Slurm for the nodes, GPUs and time, one task per replica", () => {
        assert.match(script, /^#SBATCH --nodes=2$/m);
        assert.match(script, /^#SBATCH --gpus-per-node=4$/m);
        assert.match(script, /^#SBATCH --ntasks-per-node=2$/m);
        assert.match(script, /^#SBATCH --time=12:00:00$/m);
        assert.match(script, /^#SBATCH --partition=gpu$/m);
        assert.match(script, /^srun --ntasks-per-node=2 --gpus-per-task=2 /m);
        // Every #SBATCH line must come before the first command, or Slurm ignores it.
        const lines = script.split("\n");
        const lastSbatch = lines.map((l) => l.startsWith("#SBATCH")).lastIndexOf(true);
        assert.ok(lines.slice(1, lastSbatch).every((l) => l.startsWith("#")), "a command precedes an #SBATCH line");
    });

    it("starts vLLM with the model, port, launch token and tensor parallelism, and embeds the worker verbatim", () => {
        assert.match(worker, /"\$vllm" serve "\$model" --host 0\.0\.0\.0 --port "\$port" --served-model-name "\$served_model_name" "\$launch_token" --tensor-parallel-size=2 --gpu-memory-utilization=0\.95 --max-model-len=8192 &/);
        assert.match(worker, /^model=Qwen\/Qwen3-32B$/m);
        assert.match(worker, /^vllm=vllm$/m);
        assert.match(worker, /^port=\$\(\( 8000 \+ \$\{SLURM_LOCALID:-0\} \)\)$/m);
        assert.match(worker, /^port_stride=2$/m);
        assert.ok(script.includes(worker), "batch script embeds the worker script");
    });

    it("deregisters from an EXIT trap that ignores the TERMs Slurm keeps sending", () => {
        assert.match(worker, /^trap cleanup EXIT$/m);
        assert.match(worker, /^trap 'trap "" TERM INT; exit 143' TERM$/m);
        const cleanup = /^cleanup\(\) \{\n([\s\S]*?)\n\}$/m.exec(worker)![1];
        assert.match(cleanup.split("\n").filter((l) => !l.trim().startsWith("#"))[0], /^\s+trap '' TERM INT$/);
        assert.match(worker, /python3 -c "\$updater" "\$endpoints_file" "\$name"/);
    });

    it("asks for CPUs instead of GPUs with accelerator cpu", () => {
        const cpu = renderSlurmScript({ ...JOB, accelerator: "cpu", gpusPerNode: undefined, tensorParallelSize: 1, replicasPerNode: 3, cpusPerReplica: 4 });
        assert.doesNotMatch(cpu, /gpus/);
        assert.match(cpu, /^#SBATCH --ntasks-per-node=3$/m);
        assert.match(cpu, /^#SBATCH --cpus-per-task=4$/m);
        assert.match(cpu, /^srun --ntasks-per-node=3 --cpus-per-task=4 /m);
    });

    it("passes bash -n (batch script and worker)", () => {
        check("bash", ["-n"], script);
        check("bash", ["-n"], worker);
    });

    it("passes shellcheck (batch script and worker)", function () {
        if (!has("shellcheck")) {
            console.log("      (skipped: shellcheck is not installed; `apt-get install -y shellcheck` runs this check; bash -n ran above)");
            this.skip();
        }
        check("shellcheck", ["-s", "bash", "-"], script);
        check("shellcheck", ["-s", "bash", "-"], worker);
    });

    it("uses the given network interface's IPv4 when one is named", () => {
        assert.match(renderSlurmWorker({ ...JOB, networkInterface: "ib0" }), /ip -4 -o addr show dev ib0/);
    });

    it("rejects job shapes Slurm or vLLM cannot run, naming the field", () => {
        const rejects = (options: Partial<SlurmJobOptions>, field: string, pattern: RegExp) =>
            assert.throws(
                () => renderSlurmScript({ ...JOB, ...options }),
                (e: unknown) => e instanceof LlmdConfigError && e.field === field && pattern.test(e.message),
            );
        rejects({ tensorParallelSize: 3 }, "tensorParallelSize", /divisor of gpusPerNode \(4\)/);
        rejects({ time: "12h" }, "time", /HH:MM:SS/);
        rejects({ nodes: 0 }, "nodes", /from 1/);
        rejects({ partition: "gpu; rm -rf /" }, "partition", /letters, digits/);
        rejects({ endpointsFile: "relative/endpoints.yaml" }, "endpointsFile", /absolute path/);
        rejects({ model: "" }, "model", /non-empty/);
        rejects({ replicasPerNode: 3 }, "replicasPerNode", /gpusPerNode \/ tensorParallelSize \(2\)/);
        rejects({ accelerator: "cpu", gpusPerNode: 4 }, "gpusPerNode", /0 or unset/);
        rejects({ accelerator: "tpu" as never }, "accelerator", /gpu, cpu/);
        rejects({ vllmCommand: "vllm; reboot" }, "vllmCommand", /command name or path/);
        rejects({ networkInterface: "ib0 up" }, "networkInterface", /interface name/);
    });

    it("outside Slurm too: registers two workers' own servers, keeps a block-YAML entry, and TERM removes each", async function () {
        if (!has("flock") || !has("curl") || !has("python3")) {
            console.log("      (skipped: flock, curl or python3 is not installed here; the static checks above still ran)");
            this.skip();
        }
        this.timeout(40_000);
        const dir = tempDir();
        const stub = path.join(dir, "vllm");
        fs.copyFileSync(path.resolve(__dirname, "../../../test/integration/stub-vllm.py"), stub);
        fs.chmodSync(stub, 0o755);
        const endpoints = path.join(dir, "shared", "endpoints.yaml");
        fs.mkdirSync(path.dirname(endpoints));
        // Someone else's entry, in the README's block layout, which the worker must keep.
        fs.writeFileSync(endpoints, 'endpoints:\n  - name: static-0\n    address: "10.9.9.9"\n    port: "8000"\n');
        const port = await freePort();
        const script = renderSlurmWorker({ ...JOB, endpointsFile: endpoints, vllmCommand: stub, networkInterface: "lo", port, healthIntervalSeconds: 1, readyTimeoutSeconds: 20 });
        const env = { ...process.env, SLURM_JOB_ID: "42", SLURMD_NODENAME: "node7" };
        const start = (procid: number) => spawn("bash", ["-c", script, "llmd-worker"], { env: { ...env, SLURM_PROCID: String(procid), SLURM_LOCALID: String(procid) }, stdio: "ignore" });
        const workers = [start(0), start(1)];
        const exited = workers.map((w) => new Promise<void>((done) => w.on("exit", () => done())));
        const names = () => (fs.existsSync(endpoints) ? parseEndpointsFile("endpoints", fs.readFileSync(endpoints, "utf8")).map((e) => e.name).sort() : []);
        try {
            await waitFor(() => names().length === 3, "both workers to register", 30_000);
            const text = fs.readFileSync(endpoints, "utf8");
            assert.deepStrictEqual(endpointsFileErrors(text), []);
            const entries = parseEndpointsFile("endpoints", text);
            assert.deepStrictEqual(names(), ["slurm-42-0", "slurm-42-1", "static-0"]);
            const first = entries.find((e) => e.name === "slurm-42-0")!;
            assert.deepStrictEqual(first, {
                name: "slurm-42-0",
                namespace: "default",
                address: "127.0.0.1",
                port: first.port,
                labels: { "llm-d.ai/model": "qwen3-32b", "llm-d.ai/role": "decode", "llm-d.ai/launcher": "slurm", "slurm.job": "42", "slurm.node": "node7" },
            });
            assert.notStrictEqual(entries.find((e) => e.name === "slurm-42-1")!.port, first.port);

            workers[0].kill("SIGTERM");
            await exited[0];
            assert.deepStrictEqual(names(), ["slurm-42-1", "static-0"]);
            workers[1].kill("SIGTERM");
            await exited[1];
            assert.deepStrictEqual(parseEndpointsFile("endpoints", fs.readFileSync(endpoints, "utf8")), [{ name: "static-0", address: "10.9.9.9", port: "8000" }]);
            // No temp files left behind next to the endpoints file.
            assert.deepStrictEqual(fs.readdirSync(path.dirname(endpoints)).sort(), ["endpoints.yaml", "endpoints.yaml.lock"]);
        } finally {
            workers.forEach((w) => w.exitCode === null && w.kill("SIGKILL"));
            // A KILLed worker cannot stop its server: stop the stubs started from this dir, by pid.
            killLeftovers(dir);
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("off Kubernetes: Ray driver script", () => {
    const options = { ...JOB, replicas: 4 };

    it("compiles (python3 -m py_compile)", function () {
        if (!has("python3")) {
            console.log("      (skipped: python3 is not installed)");
            this.skip();
        }
        const dir = tempDir();
        try {
            const file = path.join(dir, "llmd_ray_workers.py");
            fs.writeFileSync(file, renderRayScript(options));
            check("python3", ["-m", "py_compile", file]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("starts one actor per replica with tensorParallelSize GPUs, running vLLM with the model", () => {
        const text = renderRayScript(options);
        assert.match(text, /^REPLICAS = 4$/m);
        assert.match(text, /VllmReplica\.options\(num_gpus=NUM_GPUS, num_cpus=NUM_CPUS\)/);
        assert.match(text, /^NUM_GPUS = 2$/m);
        assert.match(text, /^TENSOR_PARALLEL_SIZE = 2$/m);
        assert.match(text, /^MODEL = "Qwen\/Qwen3-32B"$/m);
        assert.match(text, /os\.replace\(tmp, path\)/);
        assert.match(text, /fcntl\.flock\(lock, fcntl\.LOCK_EX\)/);
        const cpu = renderRayScript({ ...options, accelerator: "cpu", cpusPerReplica: 2 });
        assert.match(cpu, /^NUM_GPUS = 0$/m);
        assert.match(cpu, /^NUM_CPUS = 2$/m);
    });

    it("shares the endpoints file with Slurm workers: keeps their lines, adds and removes its own", function () {
        if (!has("python3")) {
            console.log("      (skipped: python3 is not installed)");
            this.skip();
        }
        const dir = tempDir();
        try {
            const endpoints = path.join(dir, "endpoints.yaml");
            const script = path.join(dir, "llmd_ray_workers.py");
            fs.writeFileSync(script, renderRayScript({ ...options, endpointsFile: endpoints }));
            fs.writeFileSync(endpoints, renderEndpointsFile([{ name: "slurm-42-0", address: "10.0.0.1", port: "8000" }]));
            // Ray is not needed to exercise the file logic: a stub module stands in for it.
            const driver = `
import importlib.util, sys, types
ray = types.ModuleType("ray")
ray.remote = lambda cls: cls
sys.modules["ray"] = ray
spec = importlib.util.spec_from_file_location("w", sys.argv[1])
w = importlib.util.module_from_spec(spec)
spec.loader.exec_module(w)
entries = [] if sys.argv[2] == "clear" else [{"name": "ray-01-0", "namespace": "ray", "address": "10.0.0.7", "port": "8000", "labels": {"ray.replica": "0"}}]
w.update_endpoints(w.ENDPOINTS_FILE, lambda e: e["name"].startswith("ray-01-"), entries)
`;
            check("python3", ["-c", driver, script, "add"]);
            const added = parseEndpointsFile("endpoints", fs.readFileSync(endpoints, "utf8"));
            assert.deepStrictEqual(added.map((e) => e.name), ["slurm-42-0", "ray-01-0"]);
            check("python3", ["-c", driver, script, "clear"]);
            assert.deepStrictEqual(parseEndpointsFile("endpoints", fs.readFileSync(endpoints, "utf8")).map((e) => e.name), ["slurm-42-0"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("off Kubernetes: host commands and sync script", () => {
    const plan = planRouterHost("router", { host: "192.0.2.10", user: "llmd", sharedEndpointsFile: "/shared/llmd/endpoints.yaml" });
    const sync = plan.files.find((f) => f.role === "sync-script")!.content;

    it("pass sh -n and shellcheck", function () {
        for (const text of [plan.prepare, plan.install, plan.start, plan.stop, sync]) {
            check("sh", ["-n"], text);
        }
        if (!has("shellcheck")) {
            console.log("      (skipped shellcheck: not installed; sh -n ran)");
            return;
        }
        for (const text of [plan.prepare, plan.install, plan.start, plan.stop, sync]) {
            check("shellcheck", ["-s", "sh", "-"], text.startsWith("#!") ? text : `#!/bin/sh\n${text}`);
        }
    });

    it("the sync script copies a changed shared file atomically and leaves an unchanged one alone", () => {
        const dir = tempDir();
        try {
            const src = path.join(dir, "shared.yaml");
            const dst = path.join(dir, "local.yaml");
            const script = sync.replace(/^src=.*$/m, `src=${src}`).replace(/^dst=.*$/m, `dst=${dst}`);
            fs.writeFileSync(dst, "endpoints: []\n");
            check("sh", ["-c", script]); // no shared file yet: keeps the local copy
            assert.strictEqual(fs.readFileSync(dst, "utf8"), "endpoints: []\n");
            const text = renderEndpointsFile([{ name: "a", address: "10.0.0.1", port: "8000" }]);
            fs.writeFileSync(src, text);
            const before = fs.statSync(dst).ino;
            check("sh", ["-c", script]);
            assert.strictEqual(fs.readFileSync(dst, "utf8"), text);
            // Replaced by rename (new inode), which is the event the router's watcher reloads on.
            assert.notStrictEqual(fs.statSync(dst).ino, before);
            const after = fs.statSync(dst).ino;
            check("sh", ["-c", script]);
            assert.strictEqual(fs.statSync(dst).ino, after, "an unchanged file must not be rewritten");
            assert.strictEqual((fs.statSync(dst).mode & 0o777).toString(8), "644");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("the file writer replaces a file atomically and the seed writer keeps an existing one", () => {
        const dir = tempDir();
        try {
            const target = path.join(dir, "router.yaml");
            const seed = path.join(dir, "endpoints.yaml");
            const write = (p: string, keepExisting: boolean, content: string) => {
                const { writeFileCommand } = require("../../components/offk8s/host") as typeof import("../../components/offk8s/host");
                check("sh", ["-c", writeFileCommand({ role: "x", path: p, mode: "0644", content, keepExisting }, false)], content);
            };
            write(target, false, "one\n");
            write(target, false, "two\n");
            assert.strictEqual(fs.readFileSync(target, "utf8"), "two\n");
            write(seed, true, "endpoints: []\n");
            fs.writeFileSync(seed, "written by a worker\n");
            write(seed, true, "endpoints: []\n");
            assert.strictEqual(fs.readFileSync(seed, "utf8"), "written by a worker\n");
            assert.deepStrictEqual(fs.readdirSync(dir).sort(), ["endpoints.yaml", "router.yaml"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
