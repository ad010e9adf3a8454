/**
 * Splits one CPU profile of alternating llmd and raw runs into the two sides, by the time window of each run,
 * and sums each side's samples into a few categories (llmd's code, the SDK's promise stack traces, protobuf,
 * garbage collection, ...). One profile of alternating runs shares the machine's load between the sides;
 * two profiles taken one after the other do not, and differed by more than the gap they were to explain.
 */

/** The parts of a V8 `Profiler.stop` profile used here. */
export interface CpuProfile {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
    startTime: number;
    samples: number[];
    timeDeltas: number[];
}

/** One timed run: which side, and when it started and ended, in the profile's microseconds. */
export interface RunWindow {
    side: "llmd" | "raw";
    start: number;
    end: number;
}

// First match wins: llmd's own code before the libraries it calls.
const CATEGORIES: Array<[string, (url: string, fn: string) => boolean]> = [
    ["llmd code", (url) => /\/bin\/(components|providers)\//.test(url) || /\/bin\/stacks\/(?!mock-engine)/.test(url)],
    ["yaml package", (url) => /node_modules\/yaml\//.test(url)],
    ["SDK promise traces (debuggablePromise)", (url) => /pulumi\/runtime\/debuggable/.test(url)],
    ["stack trace formatting", (url, fn) => /node:internal\/errors/.test(url) || fn === "get stack"],
    ["protobuf", (url) => /google-protobuf/.test(url)],
    ["garbage collection", (_url, fn) => fn === "(garbage collector)"],
    ["microtasks", (_url, fn) => fn === "runMicrotasks"],
    ["SDK resource registration", (url) => /pulumi\/(runtime\/)?resource\.js/.test(url)],
    ["SDK serialisation (rpc)", (url) => /pulumi\/runtime\/rpc/.test(url)],
    ["SDK Outputs", (url) => /pulumi\/output\.js/.test(url)],
    ["rest of the Pulumi SDKs", (url) => /node_modules\/@pulumi\//.test(url)],
    ["mock engine and baseline program", (url) => /\/bin\/(stacks\/mock-engine|bench)\//.test(url)],
    ["idle", (_url, fn) => fn === "(idle)"],
];

function category(url: string, fn: string): string {
    return CATEGORIES.find(([, matches]) => matches(url, fn))?.[0] ?? "other (Node, V8)";
}

/** Milliseconds per run of each category on each side. */
export function splitProfile(profile: CpuProfile, windows: RunWindow[]): Map<string, { llmd: number; raw: number }> {
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const totals = new Map<string, { llmd: number; raw: number }>();
    const runs = { llmd: windows.filter((w) => w.side === "llmd").length, raw: windows.filter((w) => w.side === "raw").length };
    let time = profile.startTime;
    let w = 0;
    for (let i = 0; i < profile.samples.length; i++) {
        time += profile.timeDeltas[i];
        while (w < windows.length && windows[w].end < time) {
            w++;
        }
        if (w >= windows.length) {
            break;
        }
        const window = windows[w];
        if (time < window.start) {
            continue;
        }
        // A sample stands for the time until the next one.
        const duration = profile.timeDeltas[i + 1] ?? 0;
        const frame = nodes.get(profile.samples[i])!.callFrame;
        const key = category(frame.url, frame.functionName);
        const entry = totals.get(key) ?? { llmd: 0, raw: 0 };
        entry[window.side] += duration / 1000 / runs[window.side];
        totals.set(key, entry);
    }
    return totals;
}
