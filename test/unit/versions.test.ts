import * as assert from "assert";
import { CHARTS, IMAGES, MANIFESTS } from "../../components/catalog/versions";

// Every pin says where it comes from: the upstream repository, the release, and the file the version was
// read from (issue: "the versions file names the upstream release and file for every pin").
describe("every version pin names its upstream release and file", () => {
    const pins: [string, { source: string }][] = [
        ...Object.entries(IMAGES).map(([k, p]): [string, { source: string }] => [`IMAGES.${k}`, p]),
        ...Object.entries(CHARTS).map(([k, p]): [string, { source: string }] => [`CHARTS.${k}`, p]),
        ...Object.entries(MANIFESTS).map(([k, p]): [string, { source: string }] => [`MANIFESTS.${k}`, p]),
    ];
    for (const [name, pin] of pins) {
        it(name, () => {
            // owner/repo, then a path inside it (a file or a chart folder).
            const paths = pin.source.match(/[\w.-]+\/[\w./-]*[\w-]/g) ?? [];
            assert.ok(paths.length >= 2, `${name}: expected a repository and a file in ${JSON.stringify(pin.source)}`);
            assert.match(pin.source, /\bv?\d+\.\d+(\.\d+)?\b/, `${name}: expected the release in ${JSON.stringify(pin.source)}`);
        });
    }

    it("the check rejects a source without a file", () => {
        const paths = "istio/istio release 1.30.3".match(/[\w.-]+\/[\w./-]*[\w-]/g) ?? [];
        assert.strictEqual(paths.length, 1);
    });
});
