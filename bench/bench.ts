/**
 * `npm run bench`: how fast llmd evaluates, measured against a plain Pulumi program that registers the
 * same resources (see `raw-program.ts` for exactly what it counts), the two alternating in one process (so they
 * share the machine's load), a fresh process per row. Prints, for each Kubernetes stack, the medians and the
 * llmd/raw ratios of wall-clock and CPU time; the cost per model for 1, 10 and 50 models; and the start-up of a
 * second `npm run plan` with nothing changed. Never part of `npm test`:
 * timings depend on the machine and its load, and nothing here asserts a limit.
 *
 *   npm run bench                       # everything
 *   npm run bench -- --reps 3 --models 1,10 --no-startup
 */
import { spawnSync } from "child_process";
import { RecordedResource, runWithMocks } from "../stacks/mock-engine";
import { listStacks } from "../stacks/stack-files";
import { evaluationTarget, localStackArgs } from "./models";
import { rawProgram } from "./raw-program";
import { startupTimes } from "./startup";
import { RunTime, pairedMedians } from "./stats";

interface BenchOptions {
    reps: number;
    /** Internal: measure this one row (a stack, or `models:<n>`) and print it as JSON. */
    child?: string;
    models: number[];
    startup: boolean;
    stacks?: string[];
}

function parseBenchArgs(argv: string[]): BenchOptions {
    const options: BenchOptions = { reps: 9, models: [1, 10, 50], startup: true };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--reps") {
            options.reps = Number(argv[++i]);
        } else if (arg === "--models") {
            options.models = argv[++i].split(",").map(Number);
        } else if (arg === "--stacks") {
            options.stacks = argv[++i].split(",");
        } else if (arg === "--child") {
            options.child = argv[++i];
        } else if (arg === "--no-startup") {
            options.startup = false;
        } else {
            throw new Error(`unknown argument ${JSON.stringify(arg)}; usage: npm run bench -- [--reps N] [--models 1,10,50] [--stacks a,b] [--no-startup]`);
        }
    }
    if (!Number.isInteger(options.reps) || options.reps < 1 || options.models.some((n) => !Number.isInteger(n) || n < 1)) {
        throw new Error("--reps and --models take positive integers");
    }
    return options;
}

async function record(program: () => unknown, stack: string, config: Record<string, string> = {}, secretKeys: string[] = []): Promise<RecordedResource[]> {
    return (await runWithMocks(program, { stack, preview: true, config, secretKeys })).resources;
}

/**
 * Untimed runs of both sides before timing. V8 compiles a function in stages as it keeps running, and llmd has
 * far more code of its own than the baseline: after a single warm-up run its first timed runs were still paying
 * for compilation (one stack alone in a bench process read 1.17 on its first row and 1.12-1.13 when repeated).
 * What a cold, once-only evaluation costs, module loading and compilation included, is the start-up section.
 */
async function warmUp(llmd: () => Promise<unknown>, raw: () => Promise<unknown>, runs = 6): Promise<void> {
    for (let i = 0; i < runs; i++) {
        await llmd();
        await raw();
    }
}

function row(cells: Array<string | number>, widths: number[]): string {
    return cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join("  ");
}

/** What one row measured: the resources llmd registered, and the paired medians of llmd (`a`) and raw (`b`). */
interface RowResult {
    resources: number;
    t: { a: RunTime; b: RunTime };
}

/** One stack, or N models on one platform (`models:<n>`), measured in this process. */
async function measure(target: string, reps: number): Promise<RowResult> {
    const { stack, config, secretKeys, program } = evaluationTarget(target);
    const llmd = () => record(program, stack, config, secretKeys);
    const recorded = await llmd(); // also loads the target's modules, so no run below pays for that
    const raw = rawProgram(recorded);
    await warmUp(llmd, () => record(raw, stack));
    return { resources: recorded.length, t: await pairedMedians(reps, llmd, () => record(raw, stack)) };
}

/**
 * Each row in a fresh Node process, as `pulumi up` evaluates one stack in a process of its own. In one process
 * shared by every row, a row read higher after other rows had run (openshift: 1.12-1.14 alone, 1.18-1.19 after
 * three other stacks, in alternating runs). Likely cause: V8 had compiled llmd's shared code for the shapes the
 * earlier stacks passed it, and the baseline has almost no code of its own to suffer that.
 */
function measureInChild(target: string, reps: number): RowResult {
    const child = spawnSync(process.execPath, [__filename, "--child", target, "--reps", String(reps)], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (child.status !== 0) {
        throw new Error(`bench: measuring ${target} failed (exit ${child.status}):\n${child.stderr}`);
    }
    return JSON.parse(child.stdout) as RowResult;
}

async function benchStacks(options: BenchOptions): Promise<void> {
    const stacks = (options.stacks ?? listStacks()).filter((s) => s !== "baremetal");
    const widths = [16, 10, 9, 9, 10, 10];
    console.log(`\nStack evaluation in preview, median of ${options.reps} (warm, one process per stack; wall-clock ms, and the llmd/raw ratio of wall and of CPU time)`);
    console.log(row(["stack", "resources", "llmd ms", "raw ms", "wall ratio", "CPU ratio"], widths));
    for (const stack of stacks) {
        const { resources, t } = measureInChild(stack, options.reps);
        console.log(row([stack, resources, t.a.wall.toFixed(1), t.b.wall.toFixed(1), (t.a.wall / t.b.wall).toFixed(2), (t.a.cpu / t.b.cpu).toFixed(2)], widths));
    }
}

function benchModels(options: BenchOptions): void {
    const widths = [8, 10, 9, 9, 10, 10, 10, 15];
    const preset = localStackArgs().model.preset ?? "the default preset";
    console.log(`\nModels on one platform (local stack config, ${preset} models, one LlmdModel each), median of ${options.reps}, one process per row`);
    console.log(row(["models", "resources", "llmd ms", "raw ms", "wall ratio", "CPU ratio", "ms/model", "ms/extra model"], widths));
    let first: { count: number; ms: number } | undefined;
    for (const count of options.models) {
        const { resources, t } = measureInChild(`models:${count}`, options.reps);
        // Beyond the first row, what each additional model costs: the platform's one-off share drops out.
        const extra = first && count > first.count ? ((t.a.wall - first.ms) / (count - first.count)).toFixed(1) : "-";
        first ??= { count, ms: t.a.wall };
        const ratios = [(t.a.wall / t.b.wall).toFixed(2), (t.a.cpu / t.b.cpu).toFixed(2)];
        console.log(row([count, resources, t.a.wall.toFixed(1), t.b.wall.toFixed(1), ...ratios, (t.a.wall / count).toFixed(1), extra], widths));
    }
}

async function main(): Promise<void> {
    const options = parseBenchArgs(process.argv.slice(2));
    if (options.child !== undefined) {
        process.stdout.write(JSON.stringify(await measure(options.child, options.reps)));
        return;
    }
    console.log(`llmd bench: node ${process.version}, ${require("os").cpus().length} cores, load average ${require("os").loadavg()[0].toFixed(2)}`);
    await benchStacks(options);
    benchModels(options);
    if (options.startup) {
        const reps = Math.min(options.reps, 3);
        console.log(`\nStart-up with no source change, median of ${reps} (seconds, includes Node and module loading)`);
        for (const { what, seconds } of startupTimes(reps)) {
            console.log(`${seconds.toFixed(2).padStart(7)} s  ${what}`);
        }
    }
}

main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
