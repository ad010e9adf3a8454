/** Timing helpers for the benchmark: medians of repeated runs, never assertions. */

/** Median of a non-empty list. */
export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One run's cost: wall-clock milliseconds, and the CPU milliseconds (user + system) this process spent. */
export interface RunTime {
    wall: number;
    cpu: number;
}

/** What one call costs. */
export async function timeRun(run: () => unknown): Promise<RunTime> {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    await run();
    const used = process.cpuUsage(cpu);
    return { wall: Number(process.hrtime.bigint() - start) / 1e6, cpu: (used.user + used.system) / 1000 };
}

/**
 * Medians of two workloads timed alternately, so both see the same machine load (several people share
 * these cores): the ratio of the medians is what a single run can compare fairly. CPU time is reported
 * beside wall time because on a loaded machine a run's wall time mostly measures how long it waited for a
 * core, while the evaluation itself is single-threaded and CPU-bound.
 */
export async function pairedMedians(reps: number, a: () => unknown, b: () => unknown): Promise<{ a: RunTime; b: RunTime }> {
    const as: RunTime[] = [];
    const bs: RunTime[] = [];
    for (let i = 0; i < reps; i++) {
        as.push(await timeRun(a));
        bs.push(await timeRun(b));
    }
    const medians = (runs: RunTime[]) => ({ wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)) });
    return { a: medians(as), b: medians(bs) };
}
