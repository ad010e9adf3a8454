import * as assert from "assert";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { packageRoot } from "../../components/package-root";
import { ShapeSchema, shapeDrift } from "../support/shape-drift";

// The multi-language schema Python/Go/YAML users get is derived from our TypeScript source by the SDK's
// analyzer: a union in an args interface, a missing doc or a non-output property breaks it, so this is the
// test that keeps the package usable outside TypeScript.
describe("multi-language component schema", function () {
    // The analyzer type-checks the whole project once.
    this.timeout(120_000);

    let schema: {
        name: string;
        resources: Record<string, { isComponent?: boolean; description?: string; inputProperties: Record<string, { description?: string }>; requiredInputs?: string[]; properties: Record<string, { description?: string }> }>;
        types: Record<string, { properties?: Record<string, { description?: string }> }>;
    };
    const exported = ["LlmdPlatform", "LlmdModel", "LlmdDeployment", "InferenceGateway", "LeaderWorkerSetController", "InferenceRouter", "ModelServer", "TopologyAwareScheduling", "RouterHost", "ExistingCluster", "GkeCluster", "AksCluster", "DoksCluster"];

    before(async () => {
        const components = getPulumiComponents(require("../../index"));
        const provider = new ComponentProvider({ name: "llmd", dirname: packageRoot(), components });
        schema = JSON.parse(await provider.getSchema());
    });

    it("lists every exported component under llmd:index", () => {
        assert.strictEqual(schema.name, "llmd");
        assert.deepStrictEqual(
            Object.keys(schema.resources).sort(),
            exported.map((c) => `llmd:index:${c}`).sort(),
        );
        for (const resource of Object.values(schema.resources)) {
            assert.strictEqual(resource.isComponent, true);
        }
    });

    it("documents every component, input and output", () => {
        const missing: string[] = [];
        for (const [token, resource] of Object.entries(schema.resources)) {
            if (!resource.description) missing.push(`${token} (class)`);
            for (const [prop, def] of Object.entries(resource.inputProperties)) {
                if (!def.description) missing.push(`${token} input ${prop}`);
            }
            for (const [prop, def] of Object.entries(resource.properties)) {
                if (!def.description) missing.push(`${token} output ${prop}`);
            }
        }
        for (const [token, type] of Object.entries(schema.types)) {
            for (const [prop, def] of Object.entries(type.properties ?? {})) {
                if (!def.description) missing.push(`${token}.${prop}`);
            }
        }
        assert.deepStrictEqual(missing, []);
    });

    it("exposes the inputs and outputs users build on", () => {
        const llmd = schema.resources["llmd:index:LlmdDeployment"];
        for (const input of ["preset", "model", "accelerator", "pools", "hfToken", "gateway", "router", "decode", "prefill", "kubernetesProvider"]) {
            assert.ok(input in llmd.inputProperties, `LlmdDeployment input ${input}`);
        }
        for (const output of ["namespace", "gatewayName", "poolName", "servedModelName"]) {
            assert.ok(output in llmd.properties, `LlmdDeployment output ${output}`);
        }
        const platform = schema.resources["llmd:index:LlmdPlatform"];
        for (const input of ["namespace", "gateway", "installCrds", "retainCrdsOnDelete", "modelRouting", "leaderWorkerSet", "topologyAwareScheduling", "kubernetesProvider"]) {
            assert.ok(input in platform.inputProperties, `LlmdPlatform input ${input}`);
        }
        for (const output of ["ref", "namespace", "gatewayName", "gatewayAddress", "baseUrl"]) {
            assert.ok(output in platform.properties, `LlmdPlatform output ${output}`);
        }
        const model = schema.resources["llmd:index:LlmdModel"] as typeof llmd & { requiredInputs?: string[] };
        for (const input of ["platform", "preset", "model", "namespace", "lora", "objectives", "rewrites", "hfToken", "decode", "prefill", "kubernetesProvider"]) {
            assert.ok(input in model.inputProperties, `LlmdModel input ${input}`);
        }
        assert.deepStrictEqual(model.requiredInputs, ["platform"]);
        for (const output of ["namespace", "servedModelName", "servedModels", "poolName", "routerServiceName", "standaloneUrl"]) {
            assert.ok(output in model.properties, `LlmdModel output ${output}`);
        }
        assert.ok("baseUrl" in llmd.properties, "LlmdDeployment output baseUrl");
        // Inputs another language may pass as another resource's output: the schema must not mark them plain,
        // or the generated SDKs would refuse an Output there.
        const takesOutputs: Record<string, string[]> = {
            LlmdPlatform: ["pools", "network"],
            LlmdModel: ["platform", "pools", "network", "hfToken"],
            LlmdDeployment: ["pools", "network", "hfToken"],
        };
        for (const [component, inputs] of Object.entries(takesOutputs)) {
            const props = schema.resources[`llmd:index:${component}`].inputProperties as Record<string, { plain?: boolean }>;
            for (const input of inputs) {
                assert.ok(input in props, `${component}.${input}`);
                assert.notStrictEqual(props[input].plain, true, `${component}.${input} must accept an Output`);
            }
        }
        const host = schema.resources["llmd:index:RouterHost"] as typeof llmd & { requiredInputs?: string[] };
        assert.deepStrictEqual(host.requiredInputs, ["connection"]);
        for (const output of ["endpointUrl", "endpointsFilePath", "routerConfig"]) {
            assert.ok(output in host.properties, `RouterHost output ${output}`);
        }
        for (const cluster of ["ExistingCluster", "GkeCluster", "AksCluster", "DoksCluster"]) {
            const outputs = schema.resources[`llmd:index:${cluster}`].properties;
            for (const output of ["kubernetesProvider", "kubeconfig", "kubernetesVersion", "pools"]) {
                assert.ok(output in outputs, `${cluster} output ${output}`);
            }
        }
    });

    // Strict input checks args against components/shapes.ts; this keeps that table equal to the interfaces.
    it("declares the shape strict input checks for exactly the schema's inputs", () => {
        assert.deepStrictEqual(shapeDrift(schema as unknown as ShapeSchema), []);
    });
});
