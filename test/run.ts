/**
 * `npm test`: the suite as three mocha processes side by side (the parts are defined in `.mocharc.js`). The
 * integration tests, with real Slurm and Ray daemons, spend most of their minute and a half waiting (Slurm
 * checks time limits on its own timer, so one test alone waits a minute); everything else is CPU-bound on
 * one core, and split in two it uses both. One after the other took over four minutes here; side by side the
 * suite takes about as long as its longest part.
 *
 * The first part prints as it runs; the others are held and printed whole after it, so outputs never
 * interleave. The command fails when any part fails, and ends with the counts of all three.
 *
 * Arguments (`npm test -- --grep x`) run one plain mocha over every test instead.
 */
import { spawn } from "child_process";

const mocha = require.resolve("mocha/bin/mocha.js");
const args = process.argv.slice(2);

interface PartResult {
    part: string;
    code: number;
    output: string;
}

function run(part: string | undefined, live: boolean): { kill: (signal: NodeJS.Signals) => void; done: Promise<PartResult> } {
    const env = { ...process.env };
    delete env.LLMD_TESTS;
    if (part !== undefined) {
        env.LLMD_TESTS = part;
    }
    const child = spawn(process.execPath, [mocha, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const take = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
        output += chunk.toString();
        if (live) {
            stream.write(chunk);
        }
    };
    child.stdout.on("data", take(process.stdout));
    child.stderr.on("data", take(process.stderr));
    const done = new Promise<PartResult>((resolve) => {
        child.on("error", (err) => resolve({ part: part ?? "all", code: 1, output: `${output}could not start mocha: ${err.message}\n` }));
        child.on("close", (code, signal) => resolve({ part: part ?? "all", code: code ?? (signal ? 1 : 0), output }));
    });
    return { kill: (signal) => child.kill(signal), done };
}

/** The `N passing` / `N pending` / `N failing` counts of one mocha summary (0 when absent). */
export function summaryCounts(output: string): { passing: number; pending: number; failing: number } {
    const count = (word: string) => Number(new RegExp(`^\\s*(\\d+) ${word}`, "m").exec(output)?.[1] ?? 0);
    return { passing: count("passing"), pending: count("pending"), failing: count("failing") };
}

async function main(): Promise<number> {
    if (args.length > 0) {
        return (await run(undefined, true).done).code;
    }
    const parts = [run("a", true), run("b", false), run("integration", false)];
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.on(signal, () => parts.forEach((p) => p.kill(signal)));
    }
    const results: PartResult[] = [];
    for (const p of parts) {
        const result = await p.done;
        results.push(result);
        if (result.part !== "a") {
            process.stdout.write(`\n=== tests, part ${result.part} (ran beside the part above) ===\n${result.output}`);
        }
    }
    const total = results.map((r) => summaryCounts(r.output)).reduce((s, c) => ({ passing: s.passing + c.passing, pending: s.pending + c.pending, failing: s.failing + c.failing }));
    process.stdout.write(`\nnpm test, all parts: ${total.passing} passing, ${total.pending} pending, ${total.failing} failing\n`);
    const failed = results.filter((r) => r.code !== 0);
    if (failed.length > 0) {
        process.stderr.write(`npm test failed: part ${failed.map((r) => `${r.part} (exit ${r.code})`).join(", ")}\n`);
        return 1;
    }
    return 0;
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (err: unknown) => {
            process.stderr.write(`npm test: ${err instanceof Error ? err.stack : String(err)}\n`);
            process.exit(1);
        },
    );
}
