/**
 * Loaded by mocha before every test file (`.mocharc.js` `require`): mock runs skip the SDK's per-promise stack
 * traces, which no test reads and which cost half of every evaluation (see `setPromiseStackTraces`). Stacks of
 * assertion failures are untouched; set LLMD_TEST_STACKS=1 to keep the traces of errors thrown inside a run.
 */
import { setPromiseStackTraces } from "../../stacks/mock-engine";

setPromiseStackTraces(process.env.LLMD_TEST_STACKS === "1");
