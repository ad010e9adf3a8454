/**
 * A single-node Slurm (munged, slurmctld, slurmd) and a local Ray head for the integration tests, each with
 * config written into a temp dir, random ports and only loopback addresses, stopped by pid.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

const REPO = path.resolve(__dirname, "../../..");
/** The virtualenv `.ci/run` installs Ray into (ignored by git). */
export const RAY_VENV = process.env.LLMD_RAY_VENV ?? path.join(REPO, ".cache", "ray-venv");
/** What `.ci/run` logs while installing Slurm, munge and Ray; quoted when they are missing. */
const INSTALL_LOG = path.join(REPO, ".cache", "integration-install.log");

export function which(command: string): boolean {
    return spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
}

function installHint(): string {
    if (!fs.existsSync(INSTALL_LOG)) return "run .ci/run, which installs them";
    const lines = fs.readFileSync(INSTALL_LOG, "utf8").trim().split("\n");
    return `.ci/run's install log (${INSTALL_LOG}) ends: ${lines.slice(-2).join(" | ")}`;
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

export async function waitUntil(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs: number, intervalMs = 250): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await predicate())) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
        await new Promise((r) => setTimeout(r, intervalMs));
    }
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** TERM, then KILL after `graceMs`: one process this file started, by its pid. */
export async function stopProcess(child: ChildProcess | undefined, graceMs: number): Promise<void> {
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const pid = child.pid;
    child.kill("SIGTERM");
    try {
        await waitUntil(() => !alive(pid) || child.exitCode !== null || child.signalCode !== null, `pid ${pid} to exit`, graceMs);
    } catch {
        child.kill("SIGKILL");
    }
}

/**
 * KILLs, by pid, the processes whose command line or environment names `marker` (a temp dir of ours): what a
 * stopped daemon may leave behind (Slurm step daemons, Ray workers, stub servers).
 */
export function killLeftovers(marker: string): number[] {
    const killed: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        const pid = Number(entry);
        if (!Number.isInteger(pid) || pid === process.pid) continue;
        let text = "";
        try {
            text = fs.readFileSync(`/proc/${pid}/cmdline`, "latin1") + fs.readFileSync(`/proc/${pid}/environ`, "latin1");
        } catch {
            continue;
        }
        if (text.includes(marker)) {
            try {
                process.kill(pid, "SIGKILL");
                killed.push(pid);
            } catch {
                // already gone
            }
        }
    }
    return killed;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): string {
    const result = spawnSync(command, args, { env, cwd, encoding: "utf8", timeout: 30_000 });
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed (${result.status ?? result.signal}): ${result.stdout}${result.stderr}`);
    }
    return result.stdout;
}

function daemon(command: string, args: string[], env: NodeJS.ProcessEnv, log: string): ChildProcess {
    const out = fs.openSync(log, "a");
    const child = spawn(command, args, { env, stdio: ["ignore", out, out] });
    fs.closeSync(out);
    return child;
}

/** A one-node Slurm cluster, "llmdnode", with 8 CPUs (more than the machine has: jobs here only sleep). */
export class SlurmCluster {
    /** Why the cluster cannot run here, or undefined. */
    static unavailable(): string | undefined {
        const missing = ["munged", "slurmctld", "slurmd", "sbatch", "scancel", "scontrol", "srun", "flock", "curl", "python3"].filter((c) => !which(c));
        return missing.length > 0 ? `not installed: ${missing.join(", ")} (apt-get install slurm-wlm munge; ${installHint()})` : undefined;
    }

    readonly env: NodeJS.ProcessEnv;
    private readonly daemons: ChildProcess[] = [];

    private constructor(readonly dir: string) {
        this.env = { ...process.env, SLURM_CONF: path.join(dir, "slurm.conf") };
    }

    static async start(dir: string): Promise<SlurmCluster> {
        const cluster = new SlurmCluster(dir);
        try {
            await cluster.boot();
        } catch (err) {
            await cluster.stop();
            throw err;
        }
        return cluster;
    }

    private async boot(): Promise<void> {
        const d = this.dir;
        const munge = path.join(d, "munge");
        fs.mkdirSync(munge, { recursive: true });
        // munged wants its socket's directories searchable by everyone (mkdtemp makes 0700 ones).
        for (const dir of [path.dirname(d), d, munge]) fs.chmodSync(dir, 0o755);
        fs.mkdirSync(path.join(d, "state"));
        fs.mkdirSync(path.join(d, "spool"));
        fs.writeFileSync(path.join(munge, "munge.key"), Buffer.from(Array.from({ length: 1024 }, () => Math.floor(Math.random() * 256))), { mode: 0o400 });
        const socket = path.join(munge, "munge.socket");
        this.daemons.push(
            daemon("munged", ["-F", `--socket=${socket}`, `--key-file=${munge}/munge.key`, `--pid-file=${munge}/munged.pid`, `--log-file=${munge}/munged.log`, `--seed-file=${munge}/munged.seed`], this.env, path.join(d, "munged.out")),
        );
        await waitUntil(() => fs.existsSync(socket), "munged's socket", 15_000);
        const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
        fs.writeFileSync(
            this.env.SLURM_CONF!,
            [
                `ClusterName=llmd${process.pid}`,
                "SlurmctldHost=localhost(127.0.0.1)",
                `SlurmctldPort=${ctldPort}`,
                `SlurmdPort=${slurmdPort}`,
                `SlurmUser=${os.userInfo().username}`,
                "AuthType=auth/munge",
                "CredType=cred/munge",
                `AuthInfo=socket=${socket}`,
                `StateSaveLocation=${d}/state`,
                `SlurmdSpoolDir=${d}/spool`,
                `SlurmctldPidFile=${d}/slurmctld.pid`,
                `SlurmdPidFile=${d}/slurmd.pid`,
                `SlurmctldLogFile=${d}/slurmctld.log`,
                `SlurmdLogFile=${d}/slurmd.log`,
                "ProctrackType=proctrack/linuxproc",
                "TaskPlugin=task/none",
                "JobAcctGatherType=jobacct_gather/none",
                "SelectType=select/cons_tres",
                "SelectTypeParameters=CR_CPU",
                // The node claims 8 CPUs whatever the machine has, so two jobs of two tasks fit side by side.
                "SlurmdParameters=config_overrides",
                "MpiDefault=none",
                "ReturnToService=2",
                // Seconds between Slurm's TERM and its KILL: the time a worker has to deregister.
                "KillWait=10",
                "MinJobAge=600",
                "InactiveLimit=0",
                "SchedulerType=sched/builtin",
                `NodeName=llmdnode NodeHostname=${os.hostname()} NodeAddr=127.0.0.1 CPUs=8 State=UNKNOWN`,
                "PartitionName=llmd Nodes=llmdnode Default=YES MaxTime=INFINITE State=UP",
                "",
            ].join("\n"),
        );
        this.daemons.push(daemon("slurmctld", ["-D", "-c", "-i"], this.env, path.join(d, "slurmctld.out")));
        this.daemons.push(daemon("slurmd", ["-D", "-N", "llmdnode"], this.env, path.join(d, "slurmd.out")));
        await waitUntil(
            () => {
                const r = spawnSync("sinfo", ["-h", "-o", "%T"], { env: this.env, encoding: "utf8" });
                return r.status === 0 && r.stdout.trim() === "idle";
            },
            "the Slurm node to become idle",
            40_000,
            500,
        );
    }

    /** Submits a batch script from `cwd`; returns the job id. */
    sbatch(script: string, cwd: string): string {
        const file = path.join(cwd, `job-${Date.now()}-${Math.random().toString(16).slice(2, 8)}.sbatch`);
        fs.writeFileSync(file, script);
        return run("sbatch", ["--parsable", file], this.env, cwd).trim().split(";")[0];
    }

    scancel(job: string): void {
        run("scancel", [job], this.env);
    }

    /** `JobState` from `scontrol show job` (RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ...). */
    jobState(job: string): string {
        const out = spawnSync("scontrol", ["-o", "show", "job", job], { env: this.env, encoding: "utf8" }).stdout ?? "";
        return /JobState=(\S+)/.exec(out)?.[1] ?? "UNKNOWN";
    }

    /** Cancels every job, waits for them to end, then stops the daemons. */
    async stop(): Promise<void> {
        spawnSync("scancel", ["--user", os.userInfo().username], { env: this.env });
        await waitUntil(
            () => (spawnSync("squeue", ["-h"], { env: this.env, encoding: "utf8" }).stdout ?? "").trim() === "",
            "Slurm jobs to end",
            30_000,
            500,
        ).catch(() => undefined);
        for (const child of this.daemons.reverse()) {
            await stopProcess(child, 10_000);
        }
    }
}

/** A local Ray head with no GPUs and 4 CPUs, bound to loopback, from the virtualenv `.ci/run` fills. */
export class RayCluster {
    static unavailable(): string | undefined {
        const python = path.join(RAY_VENV, "bin", "python");
        if (!fs.existsSync(path.join(RAY_VENV, "bin", "ray"))) {
            return `Ray is not installed in ${RAY_VENV} (python3 -m venv ${RAY_VENV} && ${RAY_VENV}/bin/pip install ray; ${installHint()})`;
        }
        const check = spawnSync(python, ["-c", "import ray"], { encoding: "utf8" });
        return check.status === 0 ? undefined : `${python} cannot import ray: ${check.stderr.trim().split("\n").pop()}`;
    }

    readonly python = path.join(RAY_VENV, "bin", "python");
    readonly env: NodeJS.ProcessEnv;
    private head?: ChildProcess;

    private constructor(readonly dir: string, port: number) {
        this.env = {
            ...process.env,
            RAY_ADDRESS: `127.0.0.1:${port}`,
            RAY_USAGE_STATS_ENABLED: "0",
            // Ray swaps 127.0.0.1 for the machine's routable address unless told this is a one-machine cluster.
            RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER: "0",
        };
    }

    static async start(dir: string): Promise<RayCluster> {
        const port = await freePort();
        const cluster = new RayCluster(dir, port);
        try {
            await cluster.boot(port);
        } catch (err) {
            await cluster.stop();
            throw err;
        }
        return cluster;
    }

    private async boot(port: number): Promise<void> {
        fs.mkdirSync(this.dir, { recursive: true });
        // Every port Ray would otherwise take from a fixed default, so parallel runs on one machine do not clash.
        const ports: string[] = [];
        for (const flag of ["dashboard-agent-listen-port", "dashboard-agent-grpc-port", "metrics-export-port", "runtime-env-agent-port", "node-manager-port", "object-manager-port"]) {
            ports.push(`--${flag}=${await freePort()}`);
        }
        const log = path.join(this.dir, "ray-start.out");
        this.head = daemon(
            path.join(RAY_VENV, "bin", "ray"),
            ["start", "--head", "--block", `--port=${port}`, "--node-ip-address=127.0.0.1", "--num-cpus=4", "--num-gpus=0", "--include-dashboard=false", "--disable-usage-stats", `--temp-dir=${this.dir}`, "--min-worker-port=0", "--max-worker-port=0", ...ports],
            this.env,
            log,
        );
        await waitUntil(
            () => {
                if (this.head!.exitCode !== null) throw new Error(`ray start exited: ${fs.readFileSync(log, "utf8").slice(-1500)}`);
                return fs.readFileSync(log, "utf8").includes("Ray runtime started");
            },
            "ray start --head",
            90_000,
            500,
        );
    }

    /** Runs a driver script; the caller stops it. */
    driver(script: string, log: string): ChildProcess {
        return daemon(this.python, [script], this.env, log);
    }

    async stop(): Promise<void> {
        // Ray drains for up to 30 s on TERM before it stops its processes.
        await stopProcess(this.head, 45_000);
    }
}
