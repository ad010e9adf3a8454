import * as assert from "assert";
import { GATEWAY_IMPLEMENTATIONS, GatewayImplementation } from "../../components/catalog/gateways";
import { MANIFESTS } from "../../components/catalog/versions";
import { loadCrds } from "../../components/crds";
import { GatewayInput, renderGateway, renderGatewayParameters, resolveGatewaySpec } from "../../components/render/gateway";
import { renderGatewayAuthentication } from "../../components/render/gateway-auth";
import { K8sObject } from "../../components/render/types";
import { validateObject } from "../support/schema";

function gatewayVariants(): [string, GatewayInput][] {
    const out: [string, GatewayInput][] = [];
    for (const implementation of GATEWAY_IMPLEMENTATIONS.filter((i) => i !== GatewayImplementation.None)) {
        for (const listenerPort of [undefined, 1, 8080, 65535]) {
            for (const routeNamespace of [undefined, "models"]) {
                out.push([`${implementation} / port ${listenerPort ?? "default"} / routes ${routeNamespace ?? "same"}`, {
                    implementation,
                    namespace: "llm-d",
                    listenerPort,
                    routeNamespace,
                }]);
            }
        }
    }
    out.push(["gke internal", { implementation: "gke", namespace: "llm-d", internal: true }]);
    for (const implementation of ["istio", "agentgateway", "kgateway", "gke"]) {
        out.push([`${implementation} public`, { implementation, namespace: "llm-d", public: true, allowUnauthenticated: true }]);
        out.push([`${implementation} with TLS`, { implementation, namespace: "llm-d", tls: { certificateSecretName: "llm-d-cert" }, routeNamespace: "models" }]);
        out.push([`${implementation} with TLS on a port`, { implementation, namespace: "llm-d", tls: { certificateSecretName: "a.b-c", port: 8443 } }]);
    }
    out.push(["istio custom class and name", { implementation: "istio", namespace: "llm-d", gatewayName: "edge", gatewayClassName: "istio-canary" }]);
    return out;
}

function errorsMention(errors: string[], word: string): boolean {
    return errors.some((e) => e.includes(word));
}

describe("schema: gateway", () => {
    describe("vendored CRDs are valid apiextensions.k8s.io/v1 CustomResourceDefinitions", () => {
        for (const pin of [MANIFESTS.gatewayApi, MANIFESTS.inferenceExtension]) {
            for (const crd of loadCrds(pin)) {
                it(`${pin.folder}: ${crd.metadata.name}`, () => {
                    assert.deepStrictEqual(validateObject(crd), []);
                });
            }
        }
    });

    describe("rendered Gateways validate against the vendored Gateway CRD", () => {
        for (const [label, input] of gatewayVariants()) {
            it(label, () => {
                const spec = resolveGatewaySpec(input);
                assert.deepStrictEqual(validateObject(renderGateway(spec)), []);
                const parameters = renderGatewayParameters(spec);
                assert.deepStrictEqual(parameters ? validateObject(parameters) : [], []);
            });
        }
    });

    describe("authentication objects validate against the vendored Istio and agentgateway CRDs", () => {
        const JWKS = JSON.stringify({ keys: [{ kty: "EC", crv: "P-256", x: "a", y: "b" }] });
        const cases: [string, GatewayInput][] = [
            ["istio jwksUri + audiences", { implementation: "istio", authentication: { jwt: { issuer: "https://id.example.com", jwksUri: "https://id.example.com/keys", audiences: ["llm"] } } }],
            ["istio inline jwks", { implementation: "istio", authentication: { jwt: { issuer: "https://id.example.com", jwks: JWKS } } }],
            ["agentgateway jwt + api keys", { implementation: "agentgateway", authentication: { jwt: { issuer: "id", jwks: JWKS, audiences: ["a"] }, apiKeys: { secretName: "keys" } } }],
            ["agentgateway api keys", { implementation: "agentgateway", authentication: { apiKeys: { secretName: "keys" } } }],
        ];
        for (const [label, input] of cases) {
            it(label, () => {
                const spec = resolveGatewaySpec({ ...input, namespace: "llm-d" });
                const objects = renderGatewayAuthentication(spec.gateway!.authentication, { implementation: spec.implementation, namespace: spec.namespace, gatewayName: spec.gateway!.name });
                assert.ok(objects.length > 0);
                for (const object of objects) {
                    assert.deepStrictEqual(validateObject(object), [], object.kind);
                }
            });
        }

        it("the validator really checks them: a misspelt JWT field and a bad action are caught", () => {
            const spec = resolveGatewaySpec({ ...cases[0][1], namespace: "llm-d" });
            const [request, policy] = renderGatewayAuthentication(spec.gateway!.authentication, { implementation: "istio", namespace: "llm-d", gatewayName: "gw" }) as any[];
            request.spec.jwtRules[0].jwks_url = "https://x";
            assert.ok(errorsMention(validateObject(request), "jwks_url"), validateObject(request).join("\n"));
            policy.spec.action = "PERMIT";
            assert.ok(errorsMention(validateObject(policy), "action"), validateObject(policy).join("\n"));
        });
    });

    describe("the validator really checks Gateways (bad objects are caught, naming the field)", () => {
        const good = (): any => renderGateway(resolveGatewaySpec({ implementation: "istio", namespace: "llm-d" }));

        it("listener port out of range", () => {
            const gateway = good();
            gateway.spec.listeners[0].port = 70000;
            const errors = validateObject(gateway as K8sObject);
            assert.ok(errorsMention(errors, "port"), errors.join("\n"));
        });

        it("missing gatewayClassName", () => {
            const gateway = good();
            delete gateway.spec.gatewayClassName;
            const errors = validateObject(gateway as K8sObject);
            assert.ok(errorsMention(errors, "gatewayClassName"), errors.join("\n"));
        });

        it("unknown allowedRoutes source", () => {
            const gateway = good();
            gateway.spec.listeners[0].allowedRoutes.namespaces.from = "Everywhere";
            const errors = validateObject(gateway as K8sObject);
            assert.ok(errorsMention(errors, "from"), errors.join("\n"));
        });

        it("a TLS listener with an unknown mode", () => {
            const gateway: any = renderGateway(resolveGatewaySpec({ implementation: "istio", namespace: "llm-d", tls: { certificateSecretName: "c" } }));
            gateway.spec.listeners[0].tls.mode = "Terminated";
            const errors = validateObject(gateway as K8sObject);
            assert.ok(errorsMention(errors, "mode"), errors.join("\n"));
        });

        it("a parameters resource with a field its CRD does not have", () => {
            const parameters: any = renderGatewayParameters(resolveGatewaySpec({ implementation: "kgateway", namespace: "llm-d" }));
            parameters.spec.kube.service.kind = "ClusterIP";
            const errors = validateObject(parameters as K8sObject);
            assert.ok(errorsMention(errors, "kind"), errors.join("\n"));
        });

        it("a CRD with a broken spec", () => {
            const crd: any = structuredClone(loadCrds(MANIFESTS.inferenceExtension)[0]);
            crd.spec.scope = 42;
            const errors = validateObject(crd as K8sObject);
            assert.ok(errorsMention(errors, "scope"), errors.join("\n"));
        });
    });
});
