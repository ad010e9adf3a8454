import * as assert from "assert";
import { CpuProfile, RunWindow, splitProfile } from "../../bench/profile-split";

describe("bench: splitting one profile of alternating runs into llmd and raw", () => {
    it("gives each sample to the run it fell in, per category and per run, and drops samples outside every run", () => {
        const frames: Record<number, [string, string]> = {
            1: ["buildModel", "file:///work/main/bin/components/model.js"],
            2: ["(garbage collector)", ""],
            3: ["N.toString", "file:///work/main/node_modules/google-protobuf/google-protobuf.js"],
        };
        const profile: CpuProfile = {
            nodes: Object.entries(frames).map(([id, [functionName, url]]) => ({ id: Number(id), callFrame: { functionName, url } })),
            startTime: 900,
            // Samples every 100 µs from 1000 to 1700; each stands for the 100 µs until the next.
            samples: [1, 1, 2, 3, 2, 1, 1, 1],
            timeDeltas: [100, 100, 100, 100, 100, 100, 100, 100],
        };
        const windows: RunWindow[] = [
            { side: "llmd", start: 1050, end: 1250 },
            { side: "raw", start: 1250, end: 1450 },
            { side: "llmd", start: 1450, end: 1650 },
        ];
        const round = (ms: number) => Math.round(ms * 1000) / 1000;
        const split = new Map([...splitProfile(profile, windows)].map(([name, { llmd, raw }]) => [name, { llmd: round(llmd), raw: round(raw) }]));
        // llmd: code at 1100, 1500 and 1600, GC at 1200, over two runs; raw: protobuf at 1300, GC at 1400, one run.
        assert.deepStrictEqual(Object.fromEntries(split), {
            "llmd code": { llmd: 0.15, raw: 0 },
            "garbage collection": { llmd: 0.05, raw: 0.1 },
            protobuf: { llmd: 0, raw: 0.1 },
        });
    });
});
