/**
 * A small driver for `node --cpu-prof`: evaluates one stack (or N models on one platform) under the mock
 * engine, warm, `reps` times, and nothing else, so a CPU profile shows llmd's evaluation and the engine's
 * registration work without the benchmark's raw baseline mixed in.
 *
 *   node --cpu-prof --cpu-prof-dir /tmp/prof bin/bench/profile.js gke 20
 *   node --cpu-prof --cpu-prof-dir /tmp/prof bin/bench/profile.js models:50 5
 */
import { runWithMocks } from "../stacks/mock-engine";
import { runProgram } from "../stacks/program";
import { readStackConfig } from "../stacks/stack-files";
import { modelsProgram } from "./models";

async function main(): Promise<void> {
    const [target = "gke", repsArg = "10"] = process.argv.slice(2);
    const reps = Number(repsArg);
    const models = /^models:(\d+)$/.exec(target);
    const run = models
        ? () => runWithMocks(modelsProgram(Number(models[1])), { stack: "models", preview: true })
        : (() => {
              const { config, secretKeys } = readStackConfig(target);
              return () => runWithMocks(runProgram, { stack: target, preview: true, config, secretKeys });
          })();
    await run(); // loads the modules, so the profile's repeated part is evaluation alone
    const start = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) {
        await run();
    }
    console.log(`${target}: ${(Number(process.hrtime.bigint() - start) / 1e6 / reps).toFixed(1)} ms per evaluation`);
}

main().catch((err: unknown) => {
    process.stderr.write(`profile failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
