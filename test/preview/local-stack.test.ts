import * as assert from "assert";
import { parseAllDocuments } from "yaml";
import { IMAGES, imageRef } from "../../components/catalog/versions";
import { K8sObject } from "../../components/render/types";
import { evaluateStack, renderYaml, toPlan } from "../../stacks/plan";
import { validateObject } from "../support/schema";

// The README's first command deploys this stack; what `npm run plan -- --stack local --yaml` prints must be
// the complete serving path, valid, and runnable on a laptop cluster with no GPU.
describe("the local simulator stack", () => {
    let objects: K8sObject[];
    let yamlText: string;

    before(async () => {
        yamlText = renderYaml(toPlan("local", await evaluateStack("local", true)));
        objects = parseAllDocuments(yamlText)
            .map((doc) => doc.toJS() as K8sObject | null)
            .filter((o): o is K8sObject => o !== null);
    });

    const kinds = () => objects.map((o) => o.kind);

    it("prints the whole serving path: Gateway, HTTPRoute, InferencePool, router and model servers", () => {
        for (const kind of ["Gateway", "HTTPRoute", "InferencePool", "Deployment", "Service", "ConfigMap", "Role", "RoleBinding"]) {
            assert.ok(kinds().includes(kind), `no ${kind} in the plan`);
        }
        const pool = objects.find((o) => o.kind === "InferencePool") as K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } };
        const servers = objects.filter(
            (o) => o.kind === "Deployment" && (o as any).spec.template.spec.containers.some((c: { image: string }) => c.image === imageRef(IMAGES.inferenceSim)),
        );
        assert.strictEqual(servers.length, 1, "one simulator Deployment");
        const podLabels = (servers[0] as any).spec.template.metadata.labels as Record<string, string>;
        for (const [key, value] of Object.entries(pool.spec.selector.matchLabels)) {
            assert.strictEqual(podLabels[key], value, `the pool selects ${key}=${value} but the simulator pods lack it`);
        }
    });

    it("routes the Gateway's traffic to the pool", () => {
        const gateway = objects.find((o) => o.kind === "Gateway")!;
        const route = objects.find((o) => o.kind === "HTTPRoute") as any;
        assert.strictEqual(route.spec.parentRefs[0].name, gateway.metadata.name);
        assert.deepStrictEqual(
            { group: route.spec.rules[0].backendRefs[0].group, kind: route.spec.rules[0].backendRefs[0].kind },
            { group: "inference.networking.k8s.io", kind: "InferencePool" },
        );
    });

    it("asks for no GPU or TPU anywhere", () => {
        assert.doesNotMatch(yamlText, /nvidia\.com\/gpu|amd\.com\/gpu|google\.com\/tpu/);
    });

    it("lists the Helm charts it installs as comments with pinned versions", () => {
        assert.match(yamlText, /^# helm chart llmd-gateway-istiod: istiod \d+\.\d+\.\d+ from https:\/\//m);
    });

    it("prints only schema-valid objects, CRDs first so kubectl apply works in one pass", () => {
        const errors = objects.flatMap((o) => validateObject(o).map((e) => `${o.kind}/${o.metadata.name}: ${e}`));
        assert.deepStrictEqual(errors, []);
        const firstOther = kinds().findIndex((k) => k !== "CustomResourceDefinition");
        assert.ok(kinds().slice(firstOther).every((k) => k !== "CustomResourceDefinition"));
    });
});
