/**
 * Whether the shared Gateway is reachable from outside the cluster's network. Private by default for every
 * implementation: a public Gateway is an explicit choice (`public: true`), and it must either carry
 * authentication (`authentication`) or say `allowUnauthenticated: true`, acknowledging that anyone who reaches
 * the address can use the models (the component then logs a warning). On GKE the Gateway class decides it
 * (`gke-l7-rilb`: internal regional load balancer, the default; `gke-l7-regional-external-managed`: public);
 * for the in-cluster gateways the type of the proxy's Service does (ClusterIP by default, LoadBalancer when
 * public), set through each controller's own parameters resource. Pure.
 */
import { GatewayImplementation } from "../catalog/gateways";
import { LlmdConfigError, optionalBoolean } from "../errors";

/** The exposure fields of the gateway arguments, as the user gave them. */
export interface GatewayExposureInput {
    implementation: GatewayImplementation;
    public?: unknown;
    allowUnauthenticated?: unknown;
    internal?: unknown;
    /** Authentication is configured on the Gateway (resolved separately). */
    authenticated?: boolean;
}

/** Resolved exposure. */
export interface GatewayExposure {
    /** Reachable from outside the VPC. */
    public: boolean;
    /** The user accepted a public Gateway without authentication (warned about). */
    allowUnauthenticated: boolean;
}

/** Resolves and checks `public`, `allowUnauthenticated` and the older GKE `internal` flag. Fields as the user wrote them. */
export function resolveGatewayExposure(input: GatewayExposureInput): GatewayExposure {
    const isPublic = optionalBoolean("public", input.public, false);
    const allowUnauthenticated = optionalBoolean("allowUnauthenticated", input.allowUnauthenticated, false);
    if (input.public !== undefined && input.implementation === GatewayImplementation.None) {
        throw new LlmdConfigError("public", input.public, `implementation "none" has no Gateway to expose; pick a gateway implementation`);
    }
    if (input.internal !== undefined) {
        const internal = optionalBoolean("internal", input.internal, true);
        if (internal === isPublic) {
            throw new LlmdConfigError(
                "internal",
                input.internal,
                isPublic ? "public: true and internal: true contradict each other; drop internal" : "the Gateway is internal by default; set public: true (with authentication, or allowUnauthenticated: true) to expose it",
            );
        }
    }
    if (allowUnauthenticated && !isPublic) {
        throw new LlmdConfigError("allowUnauthenticated", input.allowUnauthenticated, "only applies with public: true (a private Gateway needs no waiver)");
    }
    if (allowUnauthenticated && input.authenticated) {
        throw new LlmdConfigError("allowUnauthenticated", input.allowUnauthenticated, "authentication is configured, so the Gateway is not unauthenticated: drop allowUnauthenticated");
    }
    if (isPublic && !allowUnauthenticated && !input.authenticated) {
        throw new LlmdConfigError(
            "public",
            input.public,
            "a public Gateway without authentication serves anyone who reaches its address: configure authentication (istio, agentgateway), or set allowUnauthenticated: true to accept that, or keep the Gateway private",
        );
    }
    return { public: isPublic, allowUnauthenticated };
}

/** The warning a public, unauthenticated Gateway logs. */
export function unauthenticatedWarning(gatewayName: string): string {
    return `Gateway ${gatewayName} is public and unauthenticated (gateway.public with gateway.allowUnauthenticated): anyone who reaches its address can use the models`;
}
