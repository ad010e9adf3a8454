/**
 * A small profiling driver: evaluates one stack (or N models on one platform) under the mock engine `reps`
 * times, warm, and writes a CPU profile of just those runs (the warm-up and module loading are left out),
 * for Chrome DevTools or a script that sums self time per function.
 *
 *   node bin/bench/profile.js gke 20 llmd /tmp/gke.cpuprofile
 *   node bin/bench/profile.js gke 20 raw /tmp/gke-raw.cpuprofile       # the raw baseline (bench/raw-program.ts)
 *   node bin/bench/profile.js models:50 4 llmd /tmp/m50.cpuprofile
 *
 * Comparing an llmd profile with the raw one, function by function, shows what llmd adds. Not a benchmark:
 * the profiler itself slows every run, so timings belong to `npm run bench`.
 */
import * as fs from "fs";
import { Session } from "inspector";
import { runWithMocks } from "../stacks/mock-engine";
import { runProgram } from "../stacks/program";
import { readStackConfig } from "../stacks/stack-files";
import { modelsProgram } from "./models";
import { rawProgram } from "./raw-program";

function post<T>(session: Session, method: string, params?: object): Promise<T> {
    return new Promise((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T))));
}

async function main(): Promise<void> {
    const [target = "gke", repsArg = "10", side = "llmd", out = `${target.replace(/\W/g, "-")}-${side}.cpuprofile`] = process.argv.slice(2);
    const reps = Number(repsArg);
    const models = /^models:(\d+)$/.exec(target);
    const stack = models ? "models" : target;
    const { config, secretKeys } = models ? { config: {}, secretKeys: [] as string[] } : readStackConfig(target);
    const program = models ? modelsProgram(Number(models[1])) : runProgram;
    let run = () => runWithMocks(program, { stack, preview: true, config, secretKeys });
    if (side === "raw") {
        const raw = rawProgram((await run()).resources);
        run = () => runWithMocks(raw, { stack, preview: true });
    }
    await run(); // loads every module either side needs
    const session = new Session();
    session.connect();
    await post(session, "Profiler.enable");
    await post(session, "Profiler.start");
    const start = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) {
        await run();
    }
    const ms = Number(process.hrtime.bigint() - start) / 1e6 / reps;
    const { profile } = await post<{ profile: object }>(session, "Profiler.stop");
    fs.writeFileSync(out, JSON.stringify(profile));
    console.log(`${target} (${side}): ${ms.toFixed(1)} ms per evaluation under the profiler; profile in ${out}`);
}

main().catch((err: unknown) => {
    process.stderr.write(`profile failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
