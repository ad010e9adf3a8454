/**
 * The generated Slurm and Ray launchers, run for real: a one-node Slurm (munge, slurmctld, slurmd) and a
 * local Ray head, started here with config in a temp dir, drive a stub vLLM (stub-vllm.py) on 127.0.0.1.
 * When Slurm or Ray is not installed the suite says why and skips (`.ci/run` installs both).
 */
import * as assert from "assert";
import { ChildProcess } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { EndpointEntry, endpointsFileErrors, parseEndpointsFile } from "../../components/offk8s/endpoints-file";
import { RayWorkersOptions, renderRayScript } from "../../components/offk8s/ray";
import { SlurmJobOptions, renderSlurmScript } from "../../components/offk8s/slurm";
import { RayCluster, SlurmCluster, freePort, killLeftovers, stopProcess, waitUntil } from "./daemons";

const STUB_SOURCE = path.resolve(__dirname, "../../../test/integration/stub-vllm.py");
/** Someone else's entry, in the README's block-YAML layout: every launcher must keep it. */
const OTHER = 'endpoints:\n  - name: static-0\n    namespace: inference\n    address: "10.9.9.9"\n    port: "9000"\n    labels:\n      llm-d.ai/role: decode\n';
const OTHER_ENTRY: EndpointEntry = { name: "static-0", namespace: "inference", address: "10.9.9.9", port: "9000", labels: { "llm-d.ai/role": "decode" } };

function entries(file: string): EndpointEntry[] {
    return fs.existsSync(file) ? parseEndpointsFile(file, fs.readFileSync(file, "utf8")) : [];
}

function own(file: string, prefix: string): EndpointEntry[] {
    return entries(file).filter((e) => e.name.startsWith(prefix));
}

/** Model ids the server on 127.0.0.1:port lists, [] when nothing answers. */
function modelsAt(port: string | number): Promise<string[]> {
    return new Promise((resolve) => {
        const request = http.get({ host: "127.0.0.1", port: Number(port), path: "/v1/models", timeout: 2000 }, (response) => {
            let body = "";
            response.on("data", (chunk) => (body += chunk));
            response.on("end", () => {
                try {
                    resolve((JSON.parse(body).data as { id: string }[]).map((m) => m.id));
                } catch {
                    resolve([]);
                }
            });
        });
        request.on("error", () => resolve([]));
        request.on("timeout", () => {
            request.destroy();
            resolve([]);
        });
    });
}

/** `promise`, with the tail of `log` added to its error: what a driver said when a wait timed out. */
async function explained<T>(promise: Promise<T>, ...logs: string[]): Promise<T> {
    try {
        return await promise;
    } catch (err) {
        const tails = logs.map((log) => {
            const lines = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter((l) => /llmd|Error|error|srun|slurmstepd/.test(l)) : ["(no log)"];
            return `--- ${path.basename(log)}:\n${lines.slice(-15).join("\n")}`;
        });
        throw new Error([(err as Error).message, ...tails].join("\n"));
    }
}

function stubPid(stateDir: string, port: string): number {
    return Number(fs.readFileSync(path.join(stateDir, `${port}.pid`), "utf8"));
}

describe("off Kubernetes, for real: Slurm and Ray launchers with a stub vLLM", function () {
    let root = "";
    let stub = "";
    let slurm: SlurmCluster | undefined;
    let ray: RayCluster | undefined;
    let slurmWhy: string | undefined;
    let rayWhy: string | undefined;
    let timeLimit: { job: string; file: string; dir: string } | undefined;
    let serial = 0;

    /** A fresh folder with a seeded endpoints file for one test. */
    function workspace(): { dir: string; file: string; state: string } {
        const dir = path.join(root, `t${++serial}`);
        const state = path.join(dir, "stub");
        fs.mkdirSync(state, { recursive: true });
        const file = path.join(dir, "shared", "endpoints.yaml");
        fs.mkdirSync(path.dirname(file));
        fs.writeFileSync(file, OTHER);
        return { dir, file, state };
    }

    const worker = (file: string, state: string, port: number, extra: string[] = []) => ({
        model: "stub/model",
        servedModelName: "stub",
        tensorParallelSize: 1,
        accelerator: "cpu" as const,
        port,
        endpointsFile: file,
        vllmCommand: stub,
        networkInterface: "lo",
        vllmArgs: ["--stub-state", state, ...extra],
        readyTimeoutSeconds: 30,
        healthIntervalSeconds: 1,
        healthTimeoutSeconds: 1,
        unhealthyThreshold: 2,
    });

    function slurmJob(file: string, state: string, port: number, options: Partial<SlurmJobOptions> = {}, extra: string[] = []): string {
        return renderSlurmScript({ ...worker(file, state, port, extra), nodes: 1, replicasPerNode: 1, time: "00:05:00", ...options });
    }

    function slurmOutput(dir: string, job: string): string {
        const file = path.join(dir, `llmd-vllm-${job}.out`);
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    }

    before(async function () {
        this.timeout(180_000);
        root = fs.mkdtempSync(path.join(os.tmpdir(), "llmd-it-"));
        stub = path.join(root, "vllm");
        fs.copyFileSync(STUB_SOURCE, stub);
        fs.chmodSync(stub, 0o755);
        slurmWhy = SlurmCluster.unavailable();
        if (!slurmWhy) {
            slurm = await SlurmCluster.start(path.join(root, "slurm")).catch((err) => {
                slurmWhy = `Slurm did not start: ${(err as Error).message}`;
                return undefined;
            });
        }
        rayWhy = RayCluster.unavailable();
        if (!rayWhy) {
            ray = await RayCluster.start(path.join(root, "ray")).catch((err) => {
                rayWhy = `Ray did not start: ${(err as Error).message}`;
                return undefined;
            });
        }
        if (slurm) {
            // Submitted first so its one-minute limit runs out while the other tests (Ray's first) run; checked last.
            const { dir, file, state } = workspace();
            const job = slurm.sbatch(slurmJob(file, state, await freePort(), { time: "00:01:00" }), dir);
            timeLimit = { job, file, dir };
            await waitUntil(() => own(file, "slurm-").length === 1, "the time-limited job to register", 30_000);
        }
    });

    after(async function () {
        this.timeout(120_000);
        await slurm?.stop();
        await ray?.stop();
        if (root) {
            killLeftovers(root);
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    describe("Ray", function () {
        this.timeout(90_000);
        // Real daemons on a shared 2-core machine: one retry absorbs a scheduling stall. Each test works in a
        // fresh workspace, and every defect these tests guard against fails on both tries.
        this.retries(1);
        const drivers: ChildProcess[] = [];
        before(function () {
            if (!ray) {
                console.log(`      (skipped: ${rayWhy})`);
                this.skip();
            }
        });
        afterEach(async () => {
            for (const d of drivers.splice(0)) await stopProcess(d, 60_000);
        });

        function startDriver(dir: string, options: RayWorkersOptions, cluster: RayCluster = ray!): { child: ChildProcess; log: string; exited: Promise<number | null> } {
            const script = path.join(dir, `driver-${++serial}.py`);
            fs.writeFileSync(script, renderRayScript(options));
            const log = `${script}.log`;
            const child = cluster.driver(script, log);
            drivers.push(child);
            const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
            return { child, log, exited };
        }

        // First in this suite, so that both drivers are their cluster's first job (Ray job ids restart per cluster).
        it("two Ray clusters' drivers sharing one file keep their entries apart", async () => {
            const { dir, file, state } = workspace();
            const other = await RayCluster.start(path.join(root, "ray-2"));
            try {
                const a = startDriver(dir, { ...worker(file, state, await freePort()), replicas: 1 });
                await waitUntil(() => own(file, "ray-").length === 1, "cluster A's replica to register", 60_000);
                const b = startDriver(dir, { ...worker(file, state, await freePort()), replicas: 1 }, other);
                await waitUntil(() => own(file, "ray-").length === 2, "cluster B's replica to register next to A's", 60_000);
                const [x, y] = own(file, "ray-").map((e) => e.name);
                assert.strictEqual(x.split("-")[1], y.split("-")[1], "precondition: both drivers have the same Ray job id");
                b.child.kill("SIGTERM");
                await b.exited;
                assert.deepStrictEqual(own(file, "ray-").map((e) => e.name), [x]);
                a.child.kill("SIGTERM");
                await a.exited;
                assert.deepStrictEqual(entries(file), [OTHER_ENTRY]);
            } finally {
                for (const d of drivers.splice(0)) await stopProcess(d, 60_000);
                await other.stop();
            }
        });

        it("registers replicas as their own servers answer, drops a hung one, and removes the rest on SIGTERM", async () => {
            const { dir, file, state } = workspace();
            const driver = startDriver(dir, { ...worker(file, state, await freePort()), replicas: 2 });
            await explained(waitUntil(() => own(file, "ray-").length === 2, "two Ray replicas to register", 60_000), driver.log);
            const mine = own(file, "ray-").sort((a, b) => a.name.localeCompare(b.name));
            assert.deepStrictEqual(entries(file)[0], OTHER_ENTRY);
            assert.notStrictEqual(mine[0].port, mine[1].port);
            for (const entry of mine) {
                assert.match(entry.name, /^ray-[0-9a-f]+-[0-9a-f]{8}-[01]$/);
                assert.strictEqual(entry.address, "127.0.0.1");
                const models = await modelsAt(entry.port);
                assert.strictEqual(models[0], "stub");
                assert.ok(models[1]?.startsWith(`llmd-launch-${entry.name.slice(4, -2)}-`), `${entry.name} points at a server listing ${models.join(",")}`);
            }
            const pid = stubPid(state, mine[0].port);
            process.kill(pid, "SIGSTOP");
            try {
                await explained(waitUntil(() => own(file, "ray-").length === 1, "the hung replica to be deregistered", 30_000), driver.log);
                assert.strictEqual(own(file, "ray-")[0].name, mine[1].name);
            } finally {
                try {
                    process.kill(pid, "SIGCONT");
                } catch {
                    // already stopped by the driver
                }
            }
            driver.child.kill("SIGTERM");
            await driver.exited;
            assert.deepStrictEqual(entries(file), [OTHER_ENTRY]);
        });

        it("an unsatisfiable GPU request fails with a clear error instead of waiting forever", async () => {
            const { dir, file, state } = workspace();
            const before = fs.readFileSync(file, "utf8");
            const driver = startDriver(dir, { ...worker(file, state, await freePort()), accelerator: "gpu", replicas: 1, placementTimeoutSeconds: 3 });
            const code = await driver.exited;
            assert.notStrictEqual(code, 0);
            const log = fs.readFileSync(driver.log, "utf8");
            assert.match(log, /no node of this Ray cluster has 1 GPU\(s\)/);
            assert.match(log, /replica 0: Ray could not place an actor with 1 GPU\(s\) and 1 CPU\(s\) within 3s/);
            assert.match(log, /no replica started/);
            assert.deepStrictEqual(entries(file), parseEndpointsFile("seed", before));
        });

        it("a Slurm job and a Ray driver share one file and one base port without clashing", async function () {
            if (!slurm) {
                console.log(`      (skipped: ${slurmWhy})`);
                this.skip();
            }
            const { dir, file, state } = workspace();
            const port = await freePort();
            const job = slurm!.sbatch(slurmJob(file, state, port), dir);
            await waitUntil(() => own(file, "slurm-").length === 1, "the Slurm replica to register", 30_000);
            const driver = startDriver(dir, { ...worker(file, state, port), replicas: 1 });
            await waitUntil(() => own(file, "ray-").length === 1, "the Ray replica to register", 60_000);
            const [s, r] = [own(file, "slurm-")[0], own(file, "ray-")[0]];
            assert.strictEqual(s.port, String(port));
            assert.notStrictEqual(r.port, s.port);
            assert.deepStrictEqual(endpointsFileErrors(fs.readFileSync(file, "utf8")), []);
            assert.ok((await modelsAt(s.port))[1].startsWith(`llmd-launch-${job}-0-`));
            assert.ok((await modelsAt(r.port))[1].startsWith(`llmd-launch-${r.name.slice(4, -2)}-`));
            driver.child.kill("SIGTERM");
            await driver.exited;
            assert.deepStrictEqual(entries(file).map((e) => e.name), ["static-0", s.name]);
            slurm!.scancel(job);
            await waitUntil(() => own(file, "slurm-").length === 0, "the Slurm replica to deregister", 30_000);
            assert.deepStrictEqual(entries(file), [OTHER_ENTRY]);
        });
    });

    describe("Slurm", function () {
        this.timeout(60_000);
        // As for Ray: one retry for a stall under load, never for a defect (each fails deterministically).
        this.retries(1);
        before(function () {
            if (!slurm) {
                console.log(`      (skipped: ${slurmWhy})`);
                this.skip();
            }
        });

        it("registers two replicas once their own servers answer, keeps a block-YAML entry, and scancel removes them", async () => {
            const { dir, file, state } = workspace();
            const port = await freePort();
            const job = slurm!.sbatch(slurmJob(file, state, port, { replicasPerNode: 2 }), dir);
            await explained(waitUntil(() => own(file, "slurm-").length === 2, "two replicas to register", 30_000), path.join(dir, `llmd-vllm-${job}.out`));
            assert.deepStrictEqual(endpointsFileErrors(fs.readFileSync(file, "utf8")), []);
            const list = entries(file);
            assert.deepStrictEqual(list.find((e) => e.name === "static-0"), OTHER_ENTRY);
            const mine = own(file, "slurm-").sort((a, b) => a.name.localeCompare(b.name));
            assert.deepStrictEqual(mine.map((e) => e.name), [`slurm-llmd${process.pid}-${job}-0`, `slurm-llmd${process.pid}-${job}-1`]);
            assert.notStrictEqual(mine[0].port, mine[1].port);
            for (const [i, entry] of mine.entries()) {
                assert.strictEqual(entry.address, "127.0.0.1");
                assert.deepStrictEqual(entry.labels, { "llm-d.ai/model": "stub", "llm-d.ai/launcher": "slurm", "slurm.job": job, "slurm.node": "llmdnode" });
                const models = await modelsAt(entry.port);
                assert.strictEqual(models[0], "stub");
                assert.ok(models[1]?.startsWith(`llmd-launch-${job}-${i}-`), `port ${entry.port} serves ${models.join(",")}, not task ${i}'s server`);
            }

            slurm!.scancel(job);
            await explained(waitUntil(() => own(file, "slurm-").length === 0, "scancel to deregister both", 30_000), path.join(dir, `llmd-vllm-${job}.out`));
            assert.deepStrictEqual(entries(file), [OTHER_ENTRY]);
            await waitUntil(() => slurm!.jobState(job) === "CANCELLED", "the job to end", 30_000);
            assert.doesNotMatch(slurmOutput(dir, job), /could not remove/);
        });

        it("two jobs on one node, started together, each register their own server on their own port", async () => {
            const { dir, file, state } = workspace();
            const port = await freePort();
            // The stub binds after 2 s, like vLLM after loading a model: both jobs probe the same free port.
            const script = slurmJob(file, state, port, {}, ["--stub-bind-delay", "2"]);
            const jobs = [slurm!.sbatch(script, dir), slurm!.sbatch(script, dir)];
            await explained(waitUntil(() => own(file, "slurm-").length === 2, "both jobs to register", 40_000), ...jobs.map((job) => path.join(dir, `llmd-vllm-${job}.out`)));
            const mine = own(file, "slurm-");
            assert.notStrictEqual(mine[0].port, mine[1].port);
            for (const job of jobs) {
                const entry = mine.find((e) => e.name.endsWith(`-${job}-0`));
                assert.ok(entry, `job ${job} is not registered: ${JSON.stringify(mine)}`);
                const models = await modelsAt(entry.port);
                assert.ok(models[1]?.startsWith(`llmd-launch-${job}-0-`), `job ${job}'s entry points at a server listing ${models.join(",")}`);
            }
            // Both stay up: neither lost its server to an "Address already in use".
            await new Promise((r) => setTimeout(r, 3000));
            assert.deepStrictEqual(own(file, "slurm-").map((e) => e.port).sort(), mine.map((e) => e.port).sort());
            jobs.forEach((job) => assert.strictEqual(slurm!.jobState(job), "RUNNING"));
            jobs.forEach((job) => slurm!.scancel(job));
            await waitUntil(() => own(file, "slurm-").length === 0, "both jobs to deregister", 30_000);
        });

        it("a server that fails to start is never registered and the file is left as it was", async () => {
            const { dir, file, state } = workspace();
            const before = fs.readFileSync(file, "utf8");
            const job = slurm!.sbatch(slurmJob(file, state, await freePort(), {}, ["--stub-fail"]), dir);
            await waitUntil(() => ["FAILED", "COMPLETED"].includes(slurm!.jobState(job)), "the job to end", 30_000);
            assert.strictEqual(fs.readFileSync(file, "utf8"), before);
            assert.match(slurmOutput(dir, job), /exited before it was ready/);
        });

        it("a hung server is deregistered by the health check and stopped", async () => {
            const { dir, file, state } = workspace();
            const job = slurm!.sbatch(slurmJob(file, state, await freePort()), dir);
            await waitUntil(() => own(file, "slurm-").length === 1, "the replica to register", 30_000);
            const pid = stubPid(state, own(file, "slurm-")[0].port);
            process.kill(pid, "SIGSTOP"); // accepts connections, answers nothing: a hung vLLM
            try {
                await waitUntil(() => own(file, "slurm-").length === 0, "the hung replica to be deregistered", 30_000);
                assert.deepStrictEqual(entries(file), [OTHER_ENTRY]);
                await waitUntil(() => slurm!.jobState(job) !== "RUNNING", "the job to end", 30_000);
                assert.match(slurmOutput(dir, job), /failed 2 health checks; deregistering and stopping it/);
            } finally {
                try {
                    process.kill(pid, "SIGCONT");
                } catch {
                    // stopped and gone, as it should be
                }
            }
        });

        it("a job that hits its time limit removes its entry before Slurm kills it", async function () {
            this.timeout(200_000);
            const { job, file, dir } = timeLimit!;
            await waitUntil(() => own(file, "slurm-").length === 0, "the time limit to deregister the job", 180_000, 1000);
            await waitUntil(() => slurm!.jobState(job) === "TIMEOUT", "the job to end in TIMEOUT", 60_000, 1000);
            assert.deepStrictEqual(entries(file), [OTHER_ENTRY]);
            assert.match(slurmOutput(dir, job), /DUE TO TIME LIMIT/);
            assert.doesNotMatch(slurmOutput(dir, job), /could not remove/);
        });
    });
});
