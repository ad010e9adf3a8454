import * as assert from "assert";
import * as path from "path";
import { summaryCounts } from "../run";

const MOCHARC = path.join(__dirname, "..", "..", "..", ".mocharc.js");

/** The spec list `.mocharc.js` gives for one part (undefined: every test), loaded afresh with LLMD_TESTS set. */
function specOf(part: string | undefined): string[] {
    const saved = process.env.LLMD_TESTS;
    try {
        if (part === undefined) {
            delete process.env.LLMD_TESTS;
        } else {
            process.env.LLMD_TESTS = part;
        }
        delete require.cache[require.resolve(MOCHARC)];
        return (require(MOCHARC) as { spec: string[] }).spec;
    } finally {
        if (saved === undefined) {
            delete process.env.LLMD_TESTS;
        } else {
            process.env.LLMD_TESTS = saved;
        }
        delete require.cache[require.resolve(MOCHARC)];
    }
}

describe("npm test runs the suite in parts side by side", () => {
    it("the three parts run every test file exactly once, the integration tests apart", () => {
        const all = specOf(undefined);
        const parts = ["integration", "a", "b"].map(specOf);
        assert.deepStrictEqual([...parts.flat()].sort(), [...all].sort());
        assert.ok(all.includes(__filename), "this very file is in the suite");
        assert.ok(parts[0].length > 0 && parts[0].every((f) => f.includes(`${path.sep}integration${path.sep}`)));
        assert.ok(parts[1].length > 0 && parts[2].length > 0);
    });

    it("refuses a part it does not know, instead of running nothing", () => {
        assert.throws(() => specOf("unti"), /LLMD_TESTS=unti: expected one of integration, a, b/);
    });

    it("adds up mocha's summary counts (a part without pending tests prints no pending line)", () => {
        assert.deepStrictEqual(summaryCounts("\n  12 passing (3s)\n  2 pending\n  1 failing\n"), { passing: 12, pending: 2, failing: 1 });
        assert.deepStrictEqual(summaryCounts("  5 passing (2m)\n"), { passing: 5, pending: 0, failing: 0 });
    });
});
