/**
 * A small profiling driver: evaluates one stack (or N models on one platform) under the mock engine `reps`
 * times, warm, and writes a CPU profile of just those runs (the warm-up and module loading are left out),
 * for Chrome DevTools or a script that sums self time per function.
 *
 *   node bin/bench/profile.js gke 20 llmd /tmp/gke.cpuprofile
 *   node bin/bench/profile.js gke 20 raw /tmp/gke-raw.cpuprofile       # the raw baseline (bench/raw-program.ts)
 *   node bin/bench/profile.js models:50 4 llmd /tmp/m50.cpuprofile
 *   node bin/bench/profile.js openshift 40 both /tmp/os.cpuprofile     # alternating, with a table per category
 *
 * Comparing an llmd profile with the raw one, function by function, shows what llmd adds. Not a benchmark:
 * the profiler itself slows every run, so timings belong to `npm run bench`.
 */
import * as fs from "fs";
import { Session } from "inspector";
import { runWithMocks } from "../stacks/mock-engine";
import { evaluationTarget } from "./models";
import { CpuProfile, RunWindow, splitProfile } from "./profile-split";
import { rawProgram } from "./raw-program";

function post<T>(session: Session, method: string, params?: object): Promise<T> {
    return new Promise((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T))));
}

async function main(): Promise<void> {
    const [target = "gke", repsArg = "10", side = "llmd", out = `${target.replace(/\W/g, "-")}-${side}.cpuprofile`] = process.argv.slice(2);
    const reps = Number(repsArg);
    const { stack, config, secretKeys, program } = evaluationTarget(target);
    const llmd = () => runWithMocks(program, { stack, preview: true, config, secretKeys });
    const rawRun = rawProgram((await llmd()).resources);
    const raw = () => runWithMocks(rawRun, { stack, preview: true });
    const sides: Array<["llmd" | "raw", () => Promise<unknown>]> = side === "both" ? [["llmd", llmd], ["raw", raw]] : side === "raw" ? [["raw", raw]] : [["llmd", llmd]];
    for (const [, run] of sides) {
        await run(); // loads every module either side needs
    }
    const session = new Session();
    session.connect();
    await post(session, "Profiler.enable");
    await post(session, "Profiler.start");
    const windows: RunWindow[] = [];
    // The profile's timestamps and hrtime share the monotonic clock, in microseconds here.
    const now = () => Number(process.hrtime.bigint() / 1000n);
    for (let i = 0; i < reps; i++) {
        for (const [name, run] of sides) {
            const start = now();
            await run();
            windows.push({ side: name, start, end: now() });
        }
    }
    const { profile } = await post<{ profile: CpuProfile }>(session, "Profiler.stop");
    fs.writeFileSync(out, JSON.stringify(profile));
    for (const [name] of sides) {
        const own = windows.filter((w) => w.side === name);
        const ms = own.reduce((sum, w) => sum + w.end - w.start, 0) / own.length / 1000;
        console.log(`${target} (${name}): ${ms.toFixed(1)} ms per evaluation under the profiler`);
    }
    console.log(`profile in ${out}`);
    if (side === "both") {
        const rows = [...splitProfile(profile, windows)].sort(([, a], [, b]) => b.llmd - b.raw - (a.llmd - a.raw));
        console.log(`\n${"self time per run, ms".padEnd(40)}${"llmd".padStart(9)}${"raw".padStart(9)}${"llmd-raw".padStart(10)}`);
        for (const [name, { llmd: l, raw: r }] of rows) {
            console.log(`${name.padEnd(40)}${l.toFixed(2).padStart(9)}${r.toFixed(2).padStart(9)}${(l - r).toFixed(2).padStart(10)}`);
        }
    }
}

main().catch((err: unknown) => {
    process.stderr.write(`profile failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
