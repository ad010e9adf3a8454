import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import { runWithMocks, setPromiseStackTraces } from "../../stacks/mock-engine";

describe("mock engine: the SDK's per-promise stack traces", () => {
    const limitDuring = async (program: () => void = () => undefined): Promise<number> => {
        let seen = -1;
        await runWithMocks(
            () => {
                seen = Error.stackTraceLimit;
                new k8s.core.v1.ConfigMap("cm", { data: { a: "b" } });
                program();
            },
            { stack: "test", preview: true },
        );
        return seen;
    };

    afterEach(() => setPromiseStackTraces(process.env.LLMD_TEST_STACKS === "1"));

    it("are off during a run when the suite turns them off, and the process's limit is back afterwards", async () => {
        const before = Error.stackTraceLimit;
        setPromiseStackTraces(false);
        assert.strictEqual(await limitDuring(), 0);
        assert.strictEqual(Error.stackTraceLimit, before);
    });

    it("are back after a run whose program throws", async () => {
        const before = Error.stackTraceLimit;
        setPromiseStackTraces(false);
        await assert.rejects(
            limitDuring(() => {
                throw new Error("bad program");
            }),
            /bad program/,
        );
        assert.strictEqual(Error.stackTraceLimit, before);
    });

    it("stay as the process has them by default, as in npm run plan and the bench", async () => {
        setPromiseStackTraces(true);
        assert.strictEqual(await limitDuring(), Error.stackTraceLimit);
        assert.ok(Error.stackTraceLimit > 0);
    });
});
