import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { CHARTS } from "../../components/catalog/versions";
import { K8sObject } from "../../components/render/types";
import { SECRET } from "../../stacks/mock-engine";
import { dependencyMap, evaluateStack, renderYaml, toPlan } from "../../stacks/plan";
import { readStackConfigFile } from "../../stacks/stack-files";
import { validateObject } from "../support/schema";

function objectsOf(yamlText: string): K8sObject[] {
    return parseAllDocuments(yamlText)
        .map((doc) => doc.toJS() as K8sObject | null)
        .filter((o): o is K8sObject => o !== null);
}

function schemaErrors(objects: K8sObject[]): string[] {
    return objects.flatMap((o) => validateObject(o).map((e) => `${o.kind}/${o.metadata.name}: ${e}`));
}

// `plan --yaml` is for review and for GitOps: every document must be an object an API server accepts, a
// secret must never appear in clear, and with --gitops flux the charts become Flux objects.
describe("plan --yaml output", function () {
    this.timeout(60_000);
    const TOKEN = "hf_this_must_never_be_printed";
    let withToken: string;
    let flux: string;

    before(async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llmd-yaml-"));
        const file = path.join(dir, "Pulumi.token.yaml");
        fs.writeFileSync(file, `config:\n  llmd:provider: kind\n  llmd:hfToken: ${TOKEN}\n  llmd:deployment:\n    preset: simulator\n`);
        withToken = renderYaml(toPlan("token", await evaluateStack("token", true, readStackConfigFile(file))));
        const resources = await evaluateStack("local");
        flux = renderYaml(toPlan("local", resources), { gitops: "flux", dependencies: dependencyMap(resources) });
    });

    it("renders the HF token Secret as a valid object with its key and a redacted value", () => {
        assert.ok(!withToken.includes(TOKEN), "the token is printed in clear");
        const secrets = objectsOf(withToken).filter((o) => o.kind === "Secret");
        assert.strictEqual(secrets.length, 1);
        assert.deepStrictEqual(secrets[0].stringData, { HF_TOKEN: SECRET });
        assert.deepStrictEqual(schemaErrors(secrets), []);
        assert.match(withToken, /# \[secret\] stands for a secret value the plan never prints: set it before applying\.\napiVersion: v1\nkind: Secret/);
    });

    it("says the charts are comments that kubectl does not apply, when no GitOps format is asked for", () => {
        assert.match(withToken, /# Helm charts are listed as comments and are not applied by kubectl/);
        assert.ok(!objectsOf(withToken).some((o) => o.kind === "HelmRelease"));
    });

    it("with --gitops flux, renders each chart as a HelmRelease from a HelmRepository, valid against Flux's CRDs", () => {
        const objects = objectsOf(flux);
        assert.deepStrictEqual(schemaErrors(objects), []);
        const repos = objects.filter((o) => o.kind === "HelmRepository") as any[];
        const releases = objects.filter((o) => o.kind === "HelmRelease") as any[];
        assert.deepStrictEqual(repos.map((r) => r.spec.url), [CHARTS.istiod.repo]);
        assert.deepStrictEqual(releases.map((r) => [r.metadata.name, r.spec.releaseName, r.spec.chart.spec.chart, r.spec.chart.spec.version]), [
            ["llmd-gateway-istio-base", "istio-base", CHARTS.istioBase.chart, CHARTS.istioBase.version],
            ["llmd-gateway-istiod", "istiod", CHARTS.istiod.chart, CHARTS.istiod.version],
        ]);
        for (const release of releases) {
            assert.deepStrictEqual(release.spec.chart.spec.sourceRef, { kind: "HelmRepository", name: repos[0].metadata.name, namespace: "flux-system" });
            assert.strictEqual(release.spec.targetNamespace, "istio-system");
        }
    });

    it("keeps the program's chart order and values: istiod waits for istio-base and enables the inference extension", () => {
        const istiod = objectsOf(flux).find((o) => o.kind === "HelmRelease" && o.metadata.name === "llmd-gateway-istiod") as any;
        assert.deepStrictEqual(istiod.spec.dependsOn, [{ name: "llmd-gateway-istio-base", namespace: "flux-system" }]);
        assert.strictEqual(istiod.spec.values.pilot.env.ENABLE_GATEWAY_API_INFERENCE_EXTENSION, "true");
        assert.doesNotMatch(flux, /^# helm chart/m);
    });
});
