import * as assert from "assert";
import { K8sObject } from "../../components/render/types";
import { ChartInstall, chartSource, fluxObjects, repositoryName } from "../../stacks/flux";
import { SECRET } from "../../stacks/mock-engine";
import { redactedSecret } from "../../stacks/plan-yaml";
import { assertAllValid } from "../support/schema";

const istiod: ChartInstall = {
    resourceName: "gw-istiod",
    inputs: { chart: "istiod", version: "1.29.2", namespace: "istio-system", name: "istiod", repositoryOpts: { repo: "https://charts.example.com/istio/" } },
    dependsOn: [],
};

describe("Flux objects for Helm charts", () => {
    it("shares one HelmRepository among the charts of a repository", () => {
        const objects = fluxObjects([istiod, { ...istiod, resourceName: "gw-base", inputs: { ...istiod.inputs, chart: "base" } }]);
        assert.deepStrictEqual(objects.map((o) => o.kind), ["HelmRepository", "HelmRelease", "HelmRelease"]);
        assert.strictEqual((objects[0] as any).spec.url, "https://charts.example.com/istio");
        assertAllValid(objects);
    });

    it("reads an oci:// chart as an OCI HelmRepository and the chart's last path segment", () => {
        const install = { ...istiod, inputs: { chart: "oci://registry.example.com/charts/lws", version: "0.10.0", namespace: "lws-system" } };
        assert.deepStrictEqual(chartSource(install), { url: "oci://registry.example.com/charts", oci: true, chart: "lws" });
        const [repo, release] = fluxObjects([install]) as any[];
        assert.strictEqual(repo.spec.type, "oci");
        assert.strictEqual(release.spec.chart.spec.chart, "lws");
        assert.strictEqual(release.spec.releaseName, "gw-istiod", "no release name given: the resource name");
        assertAllValid([repo, release]);
    });

    it("maps skipCrds to Flux's Skip CRD policy on install and upgrade", () => {
        const [, release] = fluxObjects([{ ...istiod, inputs: { ...istiod.inputs, skipCrds: true } }]) as any[];
        assert.deepStrictEqual([release.spec.install.crds, release.spec.upgrade.crds], ["Skip", "Skip"]);
        assertAllValid([release]);
    });

    it("refuses a chart with no repository, which Flux could not fetch", () => {
        assert.throws(() => fluxObjects([{ ...istiod, inputs: { chart: "./charts/local" } }]), /chart gw-istiod: no repository URL/);
    });

    it("names repositories as DNS labels of at most 63 characters", () => {
        const name = repositoryName("https://a-very-long-host-name.example.com/with/a/deep/path/to/the/charts/index/of/things");
        assert.ok(name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name), name);
    });
});

describe("redacted Secrets", () => {
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { a: SECRET, b: "YmI=" } };

    it("moves redacted data values to stringData, where the marker is a valid string", () => {
        const out = redactedSecret(secret) as unknown as K8sObject;
        assert.deepStrictEqual([out.data, out.stringData], [{ b: "YmI=" }, { a: SECRET }]);
        assertAllValid([out]);
    });

    it("leaves other objects and unredacted Secrets alone", () => {
        const plain = { ...secret, data: { b: "YmI=" } };
        assert.strictEqual(redactedSecret(plain), plain);
        const map = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: SECRET } };
        assert.strictEqual(redactedSecret(map), map);
    });
});
