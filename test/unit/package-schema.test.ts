import * as assert from "assert";
import { SECRET_PROPERTIES, markSecrets } from "../../components/secret-schema";
import { servedSchema } from "../support/served-schema";
import { ShapeSchema, shapeDrift } from "../support/shape-drift";

// The multi-language schema Python/Go/YAML users get is derived from our TypeScript source by the SDK's
// analyzer: a union in an args interface, a missing doc or a non-output property breaks it, so this is the
// test that keeps the package usable outside TypeScript.
describe("multi-language component schema", function () {
    // The analyzer type-checks the whole project once.
    this.timeout(120_000);

    let schema: {
        name: string;
        resources: Record<string, { isComponent?: boolean; description?: string; inputProperties: Record<string, { description?: string; secret?: boolean }>; requiredInputs?: string[]; properties: Record<string, { description?: string; secret?: boolean }> }>;
        types: Record<string, { properties?: Record<string, { description?: string; secret?: boolean }> }>;
    };
    const exported = ["LlmdPlatform", "LlmdModel", "LlmdDeployment", "InferenceGateway", "LeaderWorkerSetController", "InferenceRouter", "ModelServer", "TopologyAwareScheduling", "RouterHost", "ExistingCluster", "GkeCluster", "AksCluster", "DoksCluster"];

    before(async () => {
        // The schema the package's plugin entry serves to other languages, not the analyzer's alone.
        schema = JSON.parse(await servedSchema());
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
            InferenceGateway: ["namespace"],
            LeaderWorkerSetController: ["namespace"],
            InferenceRouter: ["namespace", "gateway"],
            ModelServer: ["hfToken"],
            TopologyAwareScheduling: ["pools", "namespace"],
            RouterHost: ["connection"],
            ExistingCluster: ["kubeconfig", "pools", "context", "clusterName", "kubernetesVersion"],
            GkeCluster: ["project", "network", "subnetwork"],
            AksCluster: ["resourceGroupName"],
            DoksCluster: ["vpcUuid"],
        };
        for (const [component, inputs] of Object.entries(takesOutputs)) {
            const props = schema.resources[`llmd:index:${component}`].inputProperties as Record<string, { plain?: boolean }>;
            for (const input of inputs) {
                assert.ok(input in props, `${component}.${input}`);
                assert.notStrictEqual(props[input].plain, true, `${component}.${input} must accept an Output`);
            }
        }
        // A router host's address is usually a VM's output.
        const connection = schema.types["llmd:index:RouterHostConnection"].properties as Record<string, { plain?: boolean }>;
        assert.notStrictEqual(connection.host.plain, true, "RouterHostConnection.host must accept an Output");
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

    // Every property of the served schema, as `<owner> <inputs|outputs|properties>.<name>`, with its definition.
    function everyProperty(): [string, { secret?: boolean }][] {
        const all: [string, { secret?: boolean }][] = [];
        for (const [token, resource] of Object.entries(schema.resources)) {
            const owner = token.split(":")[2];
            all.push(...Object.entries(resource.inputProperties).map(([k, v]): [string, { secret?: boolean }] => [`${owner} inputs.${k}`, v]));
            all.push(...Object.entries(resource.properties).map(([k, v]): [string, { secret?: boolean }] => [`${owner} outputs.${k}`, v]));
        }
        for (const [token, type] of Object.entries(schema.types)) {
            all.push(...Object.entries(type.properties ?? {}).map(([k, v]): [string, { secret?: boolean }] => [`${token.split(":")[2]} properties.${k}`, v]));
        }
        return all;
    }
    const declared = Object.entries(SECRET_PROPERTIES)
        .flatMap(([owner, p]) => (["inputs", "outputs", "properties"] as const).flatMap((where) => (p[where] ?? []).map((name) => `${owner} ${where}.${name}`)))
        .sort();

    it("marks exactly the declared secret properties secret in the schema it serves", () => {
        const secret = everyProperty().filter(([, def]) => def.secret === true).map(([name]) => name).sort();
        assert.deepStrictEqual(secret, declared);
        assert.ok(secret.includes("RouterHostConnection properties.privateKey") && secret.includes("GkeCluster outputs.kubeconfig"));
    });

    it("declares every property whose name looks like a credential either secret or, with a reason, not", () => {
        // Names that only look secret; secret-schema.ts says why each is not.
        const notSecret = [
            "LlmdModel inputs.hfTokenSecretName",
            "LlmdDeployment inputs.hfTokenSecretName",
            "ModelServer inputs.hfTokenSecretName",
            "AksCluster inputs.amdDriverImageRegistrySecretName",
            "InferenceRouter inputs.tokenizerModel",
            "ModelServer inputs.topologyKey",
            "AcceleratorPoolTaint properties.key",
            "DoksCluster inputs.kubeconfigAuth",
            "DoksCluster inputs.kubeconfigExpireSeconds",
            "DoksCluster outputs.kubeconfigExpiresAt",
            "GatewayAuthenticationArgs properties.apiKeys",
            "GatewayApiKeysArgs properties.secretName",
            "GatewayTlsArgs properties.certificateSecretName",
        ];
        const looksSecret = /tok|secret|passw|private|key|credential|kubeconfig|cert/i;
        const undeclared = everyProperty()
            .map(([name]) => name)
            .filter((name) => looksSecret.test(name.split(".").pop()!) && !declared.includes(name) && !notSecret.includes(name));
        assert.deepStrictEqual(undeclared, []);
    });

    it("refuses a secret list naming a property the schema does not have", () => {
        assert.throws(() => markSecrets(schema as never, { ModelServer: { inputs: ["huggingFaceToken"] } }), /ModelServer inputs has no property huggingFaceToken/);
        assert.throws(() => markSecrets(schema as never, { Nothing: { inputs: ["x"] } }), /no component or type llmd:index:Nothing/);
    });
});
