import * as assert from "assert";
import { isKubernetesObject } from "../../stacks/plan";
import { K8sObject } from "../../components/render/types";
import { publicExposures } from "../support/exposure";
import { runStackProgram } from "../support/stack-program";

const JWKS = JSON.stringify({ keys: [{ kty: "RSA", n: "abc", e: "AQAB" }] });

// The shipped stacks all use istio or gke; a kind stack planned with each in-cluster implementation shows
// that private is the default for every one, and that public: true is what makes the proxy a LoadBalancer.
describe("stack plans: the Gateway is private unless the config asks for public", () => {
    for (const implementation of ["istio", "agentgateway", "kgateway"]) {
        it(`${implementation}: nothing exposed by default; public gives the Gateway a LoadBalancer proxy and nothing else`, async () => {
            const plan = async (gateway: Record<string, unknown>): Promise<string[]> => {
                const { resources, error } = await runStackProgram({
                    "llmd:platform": { gateway: { implementation, ...gateway }, modelRouting: false },
                    "llmd:models": [{ name: "qwen", preset: "simulator", model: "Qwen/Qwen3-0.6B" }],
                });
                assert.strictEqual(error, undefined, String(error));
                return publicExposures(resources.filter(isKubernetesObject).map((r) => r.inputs as K8sObject));
            };
            assert.deepStrictEqual(await plan({}), []);
            const exposed = await plan({ public: true, allowUnauthenticated: true });
            assert.deepStrictEqual(exposed, ["Gateway llm-d/llm-d-inference-gateway: proxy Service LoadBalancer"]);
        });
    }

    it("a public agentgateway with authentication plans its policy and needs no waiver", async () => {
        const { resources, error } = await runStackProgram({
            "llmd:platform": { gateway: { implementation: "agentgateway", public: true, authentication: { jwt: { issuer: "https://id.example.com", jwks: JWKS } } } },
            "llmd:models": [{ name: "qwen", preset: "simulator", model: "Qwen/Qwen3-0.6B" }],
        });
        assert.strictEqual(error, undefined, String(error));
        const policies = resources.filter((r) => (r.inputs as any).kind === "AgentgatewayPolicy" && (r.inputs as any).spec?.traffic?.jwtAuthentication);
        assert.strictEqual(policies.length, 1);
    });
});
