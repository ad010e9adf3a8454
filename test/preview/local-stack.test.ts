import * as assert from "assert";
import { parseAllDocuments } from "yaml";
import { IMAGES, imageRef } from "../../components/catalog/versions";
import { K8sObject } from "../../components/render/types";
import { renderYaml, toPlan } from "../../stacks/plan";
import { validateObject } from "../support/schema";
import { shippedStackResources } from "../support/shipped-stacks";

// The README's first command deploys this stack; what `npm run plan -- --stack local --yaml` prints must be
// the complete serving path, valid, and runnable on a laptop cluster with no GPU.
describe("the local simulator stack", () => {
    let objects: K8sObject[];
    let yamlText: string;

    before(async () => {
        yamlText = renderYaml(toPlan("local", await shippedStackResources("local")));
        objects = parseAllDocuments(yamlText)
            .map((doc) => doc.toJS() as K8sObject | null)
            .filter((o): o is K8sObject => o !== null);
    });

    const kinds = () => objects.map((o) => o.kind);

    it("prints the whole serving path: Gateway, HTTPRoutes, InferencePools, routers and model servers", () => {
        for (const kind of ["Gateway", "HTTPRoute", "InferencePool", "Deployment", "Service", "ConfigMap", "Role", "RoleBinding", "EnvoyFilter"]) {
            assert.ok(kinds().includes(kind), `no ${kind} in the plan`);
        }
    });

    it("serves two simulated models, each pool selecting its own simulator pods and no other's", () => {
        const pools = objects.filter((o) => o.kind === "InferencePool") as Array<K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } }>;
        const servers = objects.filter(
            (o) => o.kind === "Deployment" && (o as any).spec.template.spec.containers.some((c: { image: string }) => c.image === imageRef(IMAGES.inferenceSim)),
        );
        assert.strictEqual(pools.length, 2);
        assert.strictEqual(servers.length, 2, "one simulator Deployment per model");
        for (const pool of pools) {
            const selected = servers.filter((server) => {
                const podLabels = (server as any).spec.template.metadata.labels as Record<string, string>;
                return Object.entries(pool.spec.selector.matchLabels).every(([key, value]) => podLabels[key] === value);
            });
            assert.deepStrictEqual(selected.map((s) => s.metadata.name), [`${pool.metadata.name}-both`], `pool ${pool.metadata.name}`);
        }
    });

    it("routes each model's name on the one Gateway to that model's pool", () => {
        const gateway = objects.find((o) => o.kind === "Gateway")!;
        const routes = objects.filter((o) => o.kind === "HTTPRoute") as any[];
        const byHeader = Object.fromEntries(routes.map((route) => [route.spec.rules[0].matches[0].headers[0].value, route.spec.rules[0].backendRefs[0].name]));
        assert.deepStrictEqual(byHeader, { "Qwen/Qwen3-0.6B": "qwen", "meta-llama/Llama-3.2-1B-Instruct": "llama" });
        for (const route of routes) {
            assert.strictEqual(route.spec.parentRefs[0].name, gateway.metadata.name);
            assert.deepStrictEqual(
                { group: route.spec.rules[0].backendRefs[0].group, kind: route.spec.rules[0].backendRefs[0].kind },
                { group: "inference.networking.k8s.io", kind: "InferencePool" },
            );
        }
        // The adapter's name reaches the llama pool through the payload processor's ConfigMap.
        const routing = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "llama-model-routing") as any;
        assert.strictEqual(routing.data.baseModel, "meta-llama/Llama-3.2-1B-Instruct");
        assert.match(routing.data.adapters, /food-review/);
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
