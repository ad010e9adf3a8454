import * as assert from "assert";
import { execFile } from "child_process";
import * as path from "path";
import { packageRoot } from "../../components/package-root";

const SDKS = ["@pulumi/gcp", "@pulumi/azure-native", "@pulumi/digitalocean"];

const EXPECTED: Record<string, string[]> = {
    local: [],
    openshift: [],
    gke: ["@pulumi/gcp"],
    aks: ["@pulumi/azure-native"],
    digitalocean: ["@pulumi/digitalocean"],
};

/**
 * Evaluates the stacks one after another in a fresh Node process (the mocha process has loaded every SDK
 * already) and returns, per stack, the SDKs that were first loaded while it was evaluated.
 */
function sdksFirstLoadedBy(stacks: string[]): Promise<Record<string, string[]>> {
    const script = `
        const { evaluateStack } = require(${JSON.stringify(path.join(packageRoot(), "bin/stacks/plan"))});
        const sdks = ${JSON.stringify(SDKS)};
        const loaded = () => sdks.filter((sdk) => Object.keys(require.cache).some((file) => file.includes("/node_modules/" + sdk + "/")));
        (async () => {
            const out = {};
            for (const stack of ${JSON.stringify(stacks)}) {
                const before = loaded();
                await evaluateStack(stack);
                out[stack] = loaded().filter((sdk) => !before.includes(sdk));
            }
            process.stdout.write(JSON.stringify(out));
        })();`;
    return new Promise((resolve, reject) => {
        execFile(process.execPath, ["-e", script], { encoding: "utf8" }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(JSON.parse(stdout))));
    });
}

// Loading a cloud SDK costs seconds and hundreds of MB; a stack must load only the one it uses. Two
// processes instead of one per stack: each sees only the SDKs a stack loads first. A stack that also
// loaded another stack's SDK shows it in the order where that stack comes later, so running the stacks
// forwards and backwards catches it for every pair.
describe("stacks load only the cloud SDK they use", function () {
    this.timeout(120_000);
    const forwards = Object.keys(EXPECTED);
    const backwards = [...forwards].reverse();
    let runs: Array<{ order: string[]; firstLoads: Record<string, string[]> }>;

    before(async () => {
        const [f, b] = await Promise.all([sdksFirstLoadedBy(forwards), sdksFirstLoadedBy(backwards)]);
        runs = [
            { order: forwards, firstLoads: f },
            { order: backwards, firstLoads: b },
        ];
    });

    for (const [stack, sdks] of Object.entries(EXPECTED)) {
        it(`${stack}: ${sdks.length ? sdks.join(", ") : "no cloud SDK"}`, () => {
            for (const { order, firstLoads } of runs) {
                const earlier = order.slice(0, order.indexOf(stack)).flatMap((s) => firstLoads[s]);
                const expected = sdks.filter((sdk) => !earlier.includes(sdk));
                assert.deepStrictEqual(firstLoads[stack], expected, `evaluated after ${order.slice(0, order.indexOf(stack)).join(", ") || "nothing"}`);
            }
        });
    }
});
