import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LlmdDeployment } from "../../components/llmd";
import { LlmdPlatform, LlmdPlatformArgs } from "../../components/platform";
import { MockRunOptions, RecordedResource, runWithMocks } from "../../stacks/mock-engine";
import { expectConstructionError } from "../support/config-errors";
import { admits } from "../support/network-policy-eval";
import { withCapturedWarnings } from "../support/warnings";
import { K8sObject } from "../../components/render/types";

const GATEWAY_COMPONENT = "llmd:index:InferenceGateway";
const CHART = "kubernetes:helm.sh/v4:Chart";
const JWKS = JSON.stringify({ keys: [{ kty: "RSA", n: "abc", e: "AQAB" }] });

interface Run {
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
    providerUrn: string;
}

async function run(args: LlmdPlatformArgs, options: Partial<MockRunOptions> = {}): Promise<Run> {
    const { resources, result } = await runWithMocks(
        () => {
            const kubernetesProvider = new k8s.Provider("k8s", { kubeconfig: "fake" });
            const platform = new LlmdPlatform("shared", { ...args, kubernetesProvider });
            return { baseUrl: platform.baseUrl, gatewayAddress: platform.gatewayAddress };
        },
        { stack: "test", preview: false, ...options },
    );
    const outputs = await new Promise<Record<string, unknown>>((resolve) => pulumi.all(result).apply((v) => resolve(v as Record<string, unknown>)));
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes");
    assert.ok(provider);
    return { resources, outputs, providerUrn: provider.urn };
}

function kind(resources: RecordedResource[], k: string): RecordedResource[] {
    return resources.filter((r) => (r.inputs as { kind?: string }).kind === k || r.type.endsWith(`:${k}`));
}

/** The platform namespace (the Gateway's), not the controller's. */
function platformNamespace(resources: RecordedResource[]): RecordedResource {
    const found = resources.find((r) => r.name === "shared-namespace");
    assert.ok(found);
    return found;
}

function one(resources: RecordedResource[], k: string): RecordedResource {
    const found = kind(resources, k);
    assert.strictEqual(found.length, 1, `one ${k}, got ${found.map((r) => r.name).join(", ")}`);
    return found[0];
}

/** Asserts `r` is the InferenceGateway's child on the given provider and depends on exactly `expected`. */
function assertWired(r: Run, object: RecordedResource, expected: RecordedResource[]): void {
    const component = one(r.resources, "InferenceGateway");
    assert.strictEqual(component.type, GATEWAY_COMPONENT);
    assert.strictEqual(object.parent, component.urn, `${object.name} is the gateway component's child`);
    assert.ok(object.provider?.startsWith(`${r.providerUrn}::`), `${object.name} uses the platform's provider`);
    assert.deepStrictEqual([...object.dependencies].sort(), expected.map((e) => e.urn).sort(), `${object.name} depends on exactly ${expected.map((e) => e.name)}`);
}

describe("Gateway security, wired by LlmdPlatform", () => {
    describe("istio with JWT authentication", () => {
        let r: Run;
        before(async () => {
            r = await run({ gateway: { implementation: "istio", public: true, authentication: { jwt: { issuer: "https://id.example.com", jwksUri: "https://id.example.com/keys" } } } });
        });

        it("the RequestAuthentication and AuthorizationPolicy wait for the namespace and Istio's charts, nothing else", () => {
            const namespace = platformNamespace(r.resources);
            const charts = r.resources.filter((x) => x.type === CHART && x.name.startsWith("shared-gateway-istio"));
            assert.strictEqual(charts.length, 2);
            for (const k of ["RequestAuthentication", "AuthorizationPolicy"]) {
                assertWired(r, one(r.resources, k), [...charts, namespace]);
            }
        });

        it("the Gateway is created only after them, so its proxy never serves unchecked", () => {
            const gateway = one(r.resources, "Gateway");
            for (const k of ["RequestAuthentication", "AuthorizationPolicy"]) {
                assert.ok(gateway.dependencies.includes(one(r.resources, k).urn), `Gateway waits for the ${k}`);
            }
        });

        it("the proxy Service is a LoadBalancer because public was asked for", () => {
            const parameters = one(r.resources, "ConfigMap");
            assert.match(String((parameters.inputs as any).data.service), /type: LoadBalancer/);
        });
    });

    describe("agentgateway, private, with API keys", () => {
        let r: Run;
        before(async () => {
            r = await run({ gateway: { implementation: "agentgateway", authentication: { apiKeys: { secretName: "llm-keys" } } } });
        });

        it("the AgentgatewayParameters wait for the namespace and the CRD chart only", () => {
            const crdChart = r.resources.find((x) => x.type === CHART && x.name === "shared-gateway-agentgateway-crds");
            assert.ok(crdChart);
            const parameters = one(r.resources, "AgentgatewayParameters");
            assertWired(r, parameters, [crdChart, platformNamespace(r.resources)]);
            assert.deepStrictEqual((parameters.inputs as any).spec, { service: { spec: { type: "ClusterIP" } } });
        });

        it("the authentication policy waits for agentgateway's charts and the namespace, and the Gateway waits for it", () => {
            const charts = r.resources.filter((x) => x.type === CHART && x.name.startsWith("shared-gateway-agentgateway"));
            const policy = kind(r.resources, "AgentgatewayPolicy").find((x) => x.name === "shared-gateway-llm-d-inference-gateway-authentication");
            assert.ok(policy, "the authentication policy exists");
            assertWired(r, policy, [...charts, platformNamespace(r.resources)]);
            assert.ok(one(r.resources, "Gateway").dependencies.includes(policy.urn));
        });
    });

    it("the base URL uses https on the TLS listener's port", async () => {
        const status = { outputs: (type: string) => (type.endsWith(":Gateway") ? { status: { addresses: [{ value: "10.0.0.7" }] } } : undefined) };
        const onDefault = await run({ gateway: { tls: { certificateSecretName: "cert" } } }, status);
        assert.deepStrictEqual(onDefault.outputs, { baseUrl: "https://10.0.0.7", gatewayAddress: "10.0.0.7" });
        const onPort = await run({ gateway: { tls: { certificateSecretName: "cert", port: 8443 } } }, status);
        assert.deepStrictEqual(onPort.outputs, { baseUrl: "https://10.0.0.7:8443", gatewayAddress: "10.0.0.7" });
    });

    it("LlmdDeployment's base URL uses https on the TLS listener too", async () => {
        const { result } = await runWithMocks(
            () => {
                const kubernetesProvider = new k8s.Provider("k8s", { kubeconfig: "fake" });
                return { baseUrl: new LlmdDeployment("one", { preset: "simulator", gateway: { tls: { certificateSecretName: "cert", port: 8443 } }, kubernetesProvider }).baseUrl };
            },
            { stack: "test", preview: false, outputs: (type) => (type.endsWith(":Gateway") ? { status: { addresses: [{ value: "gw.example" }] } } : undefined) },
        );
        const baseUrl = await new Promise((resolve) => result.baseUrl.apply(resolve));
        assert.strictEqual(baseUrl, "https://gw.example:8443");
    });

    it("NetworkPolicies let clients reach the Gateway on its TLS port, and the Gateway reach the payload processor", async () => {
        for (const implementation of ["istio", "agentgateway"] as const) {
            const r = await run({ gateway: { implementation, tls: { certificateSecretName: "cert", port: 8443 } } });
            const objects = r.resources.filter((x) => (x.inputs as { kind?: string }).kind === "NetworkPolicy").map((x) => x.inputs as unknown as K8sObject);
            assert.ok(objects.length > 0, "the platform renders policies");
            const gatewayPod = { namespace: "llm-d", labels: { "gateway.networking.k8s.io/gateway-name": "llm-d-inference-gateway" } };
            assert.ok(admits(objects, { namespace: "clients", labels: { app: "curl" } }, gatewayPod, 8443), `${implementation}: a client reaches the HTTPS listener`);
            assert.ok(!admits(objects, { namespace: "clients", labels: { app: "curl" } }, { namespace: "llm-d", labels: { app: "other" } }, 8443), "other pods stay closed");
        }
    });

    it("warns about a public Gateway without authentication, and only then", async () => {
        await withCapturedWarnings(async (warnings) => {
            await run({ gateway: { implementation: "istio", public: true, allowUnauthenticated: true } });
            assert.deepStrictEqual(warnings.filter((w) => /public and unauthenticated/.test(w)).length, 1, warnings.join("\n"));
            warnings.length = 0;
            await run({ gateway: { implementation: "istio", public: true, authentication: { jwt: { issuer: "https://id.example.com", jwksUri: "https://id.example.com/keys" } } } });
            await run({ gateway: { implementation: "istio" } });
            assert.deepStrictEqual(warnings.filter((w) => /unauthenticated/.test(w)), []);
        });
    });

    it("bad authentication input creates nothing and names the field under gateway.", async () => {
        await expectConstructionError(
            () => new LlmdPlatform("p", { gateway: { implementation: "gke", authentication: { jwt: { issuer: "i", jwks: JWKS } } } }),
            "gateway.authentication",
            /Identity-Aware Proxy/,
        );
        await expectConstructionError(
            () => new LlmdPlatform("p", { gateway: { implementation: "agentgateway", public: true, allowUnauthenticated: true, authentication: { apiKeys: { secretName: "k" } } } }),
            "gateway.allowUnauthenticated",
            /drop allowUnauthenticated/,
        );
    });
});
