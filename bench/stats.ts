/** Timing helpers for the benchmark: medians of repeated runs, never assertions. */

/** Median of a non-empty list. */
export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds one call takes. */
export async function timeMs(run: () => unknown): Promise<number> {
    const start = process.hrtime.bigint();
    await run();
    return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Medians of two workloads timed alternately, so both see the same machine load (several people share
 * these cores): the ratio of the medians is what a single run can compare fairly.
 */
export async function pairedMedians(reps: number, a: () => unknown, b: () => unknown): Promise<{ a: number; b: number }> {
    const as: number[] = [];
    const bs: number[] = [];
    for (let i = 0; i < reps; i++) {
        as.push(await timeMs(a));
        bs.push(await timeMs(b));
    }
    return { a: median(as), b: median(bs) };
}
