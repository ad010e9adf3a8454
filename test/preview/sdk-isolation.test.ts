import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { packageRoot } from "../../components/package-root";

const SDKS = ["@pulumi/gcp", "@pulumi/azure-native", "@pulumi/digitalocean"];

// Loading a cloud SDK costs seconds and hundreds of MB; a stack must load only the one it uses. The mocha
// process has loaded all of them already, so each stack is evaluated in a fresh Node process.
function sdksLoadedBy(stack: string): string[] {
    const script = `
        const { evaluateStack } = require(${JSON.stringify(path.join(packageRoot(), "bin/stacks/plan"))});
        evaluateStack(${JSON.stringify(stack)}).then(() => {
            const sdks = ${JSON.stringify(SDKS)};
            const loaded = sdks.filter((sdk) => Object.keys(require.cache).some((file) => file.includes("/node_modules/" + sdk + "/")));
            process.stdout.write(JSON.stringify(loaded));
        });`;
    return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }));
}

describe("stacks load only the cloud SDK they use", function () {
    this.timeout(60_000);
    const expected: Record<string, string[]> = {
        local: [],
        openshift: [],
        gke: ["@pulumi/gcp"],
        aks: ["@pulumi/azure-native"],
        digitalocean: ["@pulumi/digitalocean"],
    };
    for (const [stack, sdks] of Object.entries(expected)) {
        it(`${stack}: ${sdks.length ? sdks.join(", ") : "no cloud SDK"}`, () => {
            assert.deepStrictEqual(sdksLoadedBy(stack), sdks);
        });
    }
});
