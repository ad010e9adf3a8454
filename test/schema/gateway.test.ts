import * as assert from "assert";
import { GATEWAY_IMPLEMENTATIONS, GatewayImplementation } from "../../components/catalog/gateways";
import { MANIFESTS } from "../../components/catalog/versions";
import { loadCrds } from "../../components/crds";
import { GatewayInput, renderGateway, renderGatewayParameters, resolveGatewaySpec } from "../../components/render/gateway";
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

        it("a CRD with a broken spec", () => {
            const crd: any = structuredClone(loadCrds(MANIFESTS.inferenceExtension)[0]);
            crd.spec.scope = 42;
            const errors = validateObject(crd as K8sObject);
            assert.ok(errorsMention(errors, "scope"), errors.join("\n"));
        });
    });
});
