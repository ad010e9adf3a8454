import * as assert from "assert";
import { LlmdConfigError } from "../../components/errors";
import { resolveGatewayExposure } from "../../components/render/gateway-exposure";
import { resolveGatewaySpec } from "../../components/render/gateway";
import { assertConfigError, thrown } from "../support/config-errors";

describe("Gateway exposure: private by default", () => {
    it("every implementation is private unless asked", () => {
        for (const implementation of ["istio", "agentgateway", "kgateway", "gke", "none"] as const) {
            assert.deepStrictEqual(resolveGatewayExposure({ implementation }), { public: false, allowUnauthenticated: false });
        }
    });

    it("public needs authentication or allowUnauthenticated, on every implementation with a Gateway", () => {
        for (const implementation of ["istio", "agentgateway", "kgateway", "gke"] as const) {
            assertConfigError(thrown(() => resolveGatewayExposure({ implementation, public: true })), "public", /allowUnauthenticated: true/);
            assert.deepStrictEqual(resolveGatewayExposure({ implementation, public: true, allowUnauthenticated: true }), { public: true, allowUnauthenticated: true });
        }
        assert.deepStrictEqual(resolveGatewayExposure({ implementation: "istio", public: true, authenticated: true }), { public: true, allowUnauthenticated: false });
    });

    it("refuses the waiver when authentication is configured, and public where there is no Gateway", () => {
        assertConfigError(thrown(() => resolveGatewayExposure({ implementation: "istio", public: true, allowUnauthenticated: true, authenticated: true })), "allowUnauthenticated", /authentication is configured/);
        assertConfigError(thrown(() => resolveGatewayExposure({ implementation: "none", public: true, allowUnauthenticated: true })), "public", /none/);
    });

    it("rejects a waiver without public exposure, contradictions with internal, and a non-boolean public", () => {
        assertConfigError(thrown(() => resolveGatewayExposure({ implementation: "gke", allowUnauthenticated: true })), "allowUnauthenticated");
        assertConfigError(thrown(() => resolveGatewayExposure({ implementation: "gke", public: true, allowUnauthenticated: true, internal: true })), "internal");
        assertConfigError(thrown(() => resolveGatewayExposure({ implementation: "gke", internal: false })), "internal", /public: true/);
        assertConfigError(thrown(() => resolveGatewayExposure({ implementation: "gke", public: "yes" })), "public");
    });

    it("errors name the field under gateway. when resolved through a platform's gateway", () => {
        const err = thrown(() => resolveGatewaySpec({ implementation: "gke", namespace: "llm", public: true }));
        assert.ok(err instanceof LlmdConfigError && err.field === "public", String(err));
    });
});
