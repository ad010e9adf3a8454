import * as assert from "assert";
import { parse } from "yaml";
import { gatewayParametersRef, renderGateway, renderGatewayParameters, resolveGatewaySpec } from "../../components/render/gateway";
import { renderGatewayAuthentication, resolveGatewayAuthentication } from "../../components/render/gateway-auth";
import { resolveGatewayTls } from "../../components/render/gateway-tls";
import { assertConfigError, thrown } from "../support/config-errors";

const JWKS = JSON.stringify({ keys: [{ kty: "RSA", n: "abc", e: "AQAB", kid: "k1" }] });
const ISSUER = "https://issuer.example.com";

/** The proxy Service type an in-cluster implementation's parameters ask for. */
function serviceType(parameters: any): string {
    switch (parameters.kind) {
        case "ConfigMap":
            return parse(parameters.data.service).spec.type;
        case "AgentgatewayParameters":
            return parameters.spec.service.spec.type;
        case "GatewayParameters":
            return parameters.spec.kube.service.type;
        default:
            throw new Error(`unexpected parameters kind ${parameters.kind}`);
    }
}

describe("render/gateway: private by default, public on request", () => {
    for (const implementation of ["istio", "agentgateway", "kgateway"]) {
        it(`${implementation}: the Gateway references parameters giving its proxy a ClusterIP Service, a LoadBalancer when public`, () => {
            const spec = resolveGatewaySpec({ implementation, namespace: "llm" });
            const gateway = renderGateway(spec) as any;
            const parameters = renderGatewayParameters(spec) as any;
            const ref: any = gateway.spec.infrastructure.parametersRef;
            // The reference resolves to exactly the rendered object (same kind, group, name; same namespace as the Gateway).
            assert.deepStrictEqual(gatewayParametersRef(spec), ref);
            assert.strictEqual(ref.kind, parameters.kind);
            assert.strictEqual(ref.group, parameters.apiVersion.includes("/") ? parameters.apiVersion.split("/")[0] : "");
            assert.strictEqual(ref.name, parameters.metadata.name);
            assert.strictEqual(parameters.metadata.namespace, gateway.metadata.namespace);
            assert.strictEqual(serviceType(parameters), "ClusterIP");

            const open = resolveGatewaySpec({ implementation, namespace: "llm", public: true, allowUnauthenticated: true });
            assert.strictEqual(serviceType(renderGatewayParameters(open)), "LoadBalancer");
        });
    }

    it("agentgateway and kgateway use their own parameter kinds", () => {
        assert.deepStrictEqual(gatewayParametersRef(resolveGatewaySpec({ implementation: "agentgateway", namespace: "llm" })), {
            group: "agentgateway.dev",
            kind: "AgentgatewayParameters",
            name: "llm-d-inference-gateway",
        });
        assert.deepStrictEqual(gatewayParametersRef(resolveGatewaySpec({ implementation: "kgateway", namespace: "llm" })), {
            group: "gateway.kgateway.dev",
            kind: "GatewayParameters",
            name: "llm-d-inference-gateway",
        });
    });

    it("public with authentication needs no waiver; GKE's public class still applies", () => {
        const spec = resolveGatewaySpec({ implementation: "istio", namespace: "llm", public: true, authentication: { jwt: { issuer: ISSUER, jwks: JWKS } } });
        assert.strictEqual(spec.gateway?.public, true);
        assert.strictEqual(serviceType(renderGatewayParameters(spec)), "LoadBalancer");
        assertConfigError(thrown(() => resolveGatewaySpec({ implementation: "kgateway", namespace: "llm", public: true })), "public", /allowUnauthenticated/);
    });
});

describe("render/gateway-auth", () => {
    const target = { namespace: "llm", gatewayName: "gw" };

    it("istio: a RequestAuthentication and an ALLOW policy requiring a JWT principal, both targeting the Gateway", () => {
        const auth = resolveGatewayAuthentication({ jwt: { issuer: ISSUER, jwksUri: `${ISSUER}/jwks.json`, audiences: ["llm"] } }, "istio");
        const [request, policy] = renderGatewayAuthentication(auth, { ...target, implementation: "istio" }) as any[];
        const ref = [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "gw" }];
        assert.strictEqual(request.kind, "RequestAuthentication");
        assert.strictEqual(request.apiVersion, "security.istio.io/v1");
        assert.deepStrictEqual(request.spec, { targetRefs: ref, jwtRules: [{ issuer: ISSUER, jwksUri: `${ISSUER}/jwks.json`, audiences: ["llm"] }] });
        assert.strictEqual(policy.kind, "AuthorizationPolicy");
        assert.deepStrictEqual(policy.spec, { targetRefs: ref, action: "ALLOW", rules: [{ from: [{ source: { requestPrincipals: ["*"] } }] }] });
        assert.strictEqual(request.metadata.namespace, "llm");
        assert.strictEqual(policy.metadata.namespace, "llm");
    });

    it("istio: an inline key set is passed as jwks, and no audiences means none listed", () => {
        const auth = resolveGatewayAuthentication({ jwt: { issuer: ISSUER, jwks: JWKS } }, "istio");
        const [request] = renderGatewayAuthentication(auth, { ...target, implementation: "istio" }) as any[];
        assert.deepStrictEqual(request.spec.jwtRules, [{ issuer: ISSUER, jwks: JWKS }]);
    });

    it("agentgateway: one policy on the Gateway with strict JWT and API-key checks, the keys by Secret reference", () => {
        const auth = resolveGatewayAuthentication({ jwt: { issuer: ISSUER, jwks: JWKS, audiences: ["a", "b"] }, apiKeys: { secretName: "llm-keys" } }, "agentgateway");
        const objects = renderGatewayAuthentication(auth, { ...target, implementation: "agentgateway" }) as any[];
        assert.strictEqual(objects.length, 1);
        assert.strictEqual(objects[0].apiVersion, "agentgateway.dev/v1alpha1");
        assert.strictEqual(objects[0].kind, "AgentgatewayPolicy");
        assert.deepStrictEqual(objects[0].spec, {
            targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "gw" }],
            traffic: {
                phase: "PreRouting",
                jwtAuthentication: { mode: "Strict", providers: [{ issuer: ISSUER, audiences: ["a", "b"], jwks: { inline: JWKS } }] },
                apiKeyAuthentication: { mode: "Strict", secretRef: { name: "llm-keys" } },
            },
        });
        const keysOnly = renderGatewayAuthentication(resolveGatewayAuthentication({ apiKeys: { secretName: "k" } }, "agentgateway"), { ...target, implementation: "agentgateway" }) as any[];
        assert.deepStrictEqual(Object.keys(keysOnly[0].spec.traffic).sort(), ["apiKeyAuthentication", "phase"]);
    });

    it("renders nothing without authentication", () => {
        assert.deepStrictEqual(renderGatewayAuthentication(undefined, { ...target, implementation: "istio" }), []);
        assert.strictEqual(resolveGatewayAuthentication(undefined, "gke"), undefined);
    });

    it("says what GKE and kgateway offer instead, and that none has no Gateway", () => {
        const jwt = { jwt: { issuer: ISSUER, jwks: JWKS } };
        assertConfigError(thrown(() => resolveGatewayAuthentication(jwt, "gke")), "authentication", /Identity-Aware Proxy.*GCPBackendPolicy.*Cloud Armor/);
        assertConfigError(thrown(() => resolveGatewayAuthentication(jwt, "kgateway")), "authentication", /agentgateway/);
        assertConfigError(thrown(() => resolveGatewayAuthentication(jwt, "none")), "authentication", /no Gateway/);
    });

    it("rejects what an implementation cannot enforce, naming the field", () => {
        assertConfigError(thrown(() => resolveGatewayAuthentication({ apiKeys: { secretName: "k" } }, "istio")), "authentication.apiKeys", /agentgateway/);
        assertConfigError(thrown(() => resolveGatewayAuthentication({ jwt: { issuer: ISSUER, jwksUri: `${ISSUER}/jwks` } }, "agentgateway")), "authentication.jwt.jwksUri", /jwks/);
    });

    it("rejects malformed settings, naming the field", () => {
        const bad: [unknown, string, RegExp][] = [
            [{}, "authentication", /jwt.*apiKeys/],
            ["jwt", "authentication", /jwt/],
            [{ jwt: { jwks: JWKS } }, "authentication.jwt.issuer", /non-empty/],
            [{ jwt: { issuer: "x".repeat(257), jwks: JWKS } }, "authentication.jwt.issuer", /256/],
            [{ jwt: { issuer: ISSUER } }, "authentication.jwt.jwksUri", /exactly one/],
            [{ jwt: { issuer: ISSUER, jwks: JWKS, jwksUri: `${ISSUER}/k` } }, "authentication.jwt.jwksUri", /exactly one/],
            [{ jwt: { issuer: ISSUER, jwksUri: "http://plain.example.com/jwks" } }, "authentication.jwt.jwksUri", /https/],
            [{ jwt: { issuer: ISSUER, jwks: "{not json" } }, "authentication.jwt.jwks", /JSON Web Key Set/],
            [{ jwt: { issuer: ISSUER, jwks: '{"keys": []}' } }, "authentication.jwt.jwks", /at least one key/],
            [{ jwt: { issuer: ISSUER, jwks: JWKS, audiences: [] } }, "authentication.jwt.audiences", /1 to 64/],
            [{ jwt: { issuer: ISSUER, jwks: JWKS, audiences: ["a", ""] } }, "authentication.jwt.audiences[1]", /non-empty/],
        ];
        for (const [value, field, expected] of bad) {
            assertConfigError(thrown(() => resolveGatewayAuthentication(value, "istio")), field, expected);
        }
        assertConfigError(thrown(() => resolveGatewayAuthentication({ apiKeys: { secretName: "Keys!" } }, "agentgateway")), "authentication.apiKeys.secretName", /Secret/);
        const literal = thrown(() => resolveGatewayAuthentication({ apiKeys: "sk-123" }, "agentgateway"));
        assertConfigError(literal, "authentication.apiKeys", /not shown.*secretName/);
        assert.ok(!literal.message.includes("sk-123"), "a key written in place of the Secret name is not repeated");
    });

    it("errors name the field under the Gateway's arguments", () => {
        assertConfigError(thrown(() => resolveGatewaySpec({ implementation: "gke", namespace: "llm", authentication: { apiKeys: { secretName: "k" } } })), "authentication");
    });
});

describe("render/gateway-tls", () => {
    it("replaces the HTTP listener with an HTTPS one terminating TLS with the Secret, same allowed routes", () => {
        const plain = renderGateway(resolveGatewaySpec({ implementation: "istio", namespace: "llm", routeNamespace: "models" })) as any;
        const spec = resolveGatewaySpec({ implementation: "istio", namespace: "llm", routeNamespace: "models", tls: { certificateSecretName: "llm-cert" } });
        const gateway = renderGateway(spec) as any;
        assert.deepStrictEqual(gateway.spec.listeners, [
            {
                name: "https",
                protocol: "HTTPS",
                port: 443,
                tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "llm-cert" }] },
                allowedRoutes: plain.spec.listeners[0].allowedRoutes,
            },
        ]);
        assert.strictEqual((renderGateway(resolveGatewaySpec({ implementation: "gke", namespace: "llm", tls: { certificateSecretName: "c", port: 8443 } })) as any).spec.listeners[0].port, 8443);
    });

    it("rejects bad TLS settings and a listenerPort next to tls, naming the field", () => {
        assertConfigError(thrown(() => resolveGatewayTls("llm-cert")), "tls", /certificateSecretName/);
        assertConfigError(thrown(() => resolveGatewayTls({})), "tls.certificateSecretName", /kubernetes.io\/tls Secret/);
        assertConfigError(thrown(() => resolveGatewayTls({ certificateSecretName: "c", port: 0 })), "tls.port", /1 to 65535/);
        assertConfigError(
            thrown(() => resolveGatewaySpec({ implementation: "istio", namespace: "llm", listenerPort: 8080, tls: { certificateSecretName: "c" } })),
            "listenerPort",
            /tls.port/,
        );
        assertConfigError(thrown(() => resolveGatewaySpec({ implementation: "none", namespace: "llm", tls: { certificateSecretName: "c" } })), "tls", /none/);
    });
});
