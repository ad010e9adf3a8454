/**
 * Whether the shared Gateway is reachable from outside the cluster's network. Private by default: a public
 * Gateway is an explicit choice (`public: true`), and since llmd renders no authentication on the Gateway
 * yet, it also needs `allowUnauthenticated: true`, acknowledging that anyone who reaches the address can use
 * the models (the component then logs a warning). Today the choice is made on GKE, where the Gateway class
 * decides it (`gke-l7-rilb`: internal regional load balancer, the default; `gke-l7-regional-external-managed`:
 * public). Pure.
 */
import { GatewayImplementation } from "../catalog/gateways";
import { LlmdConfigError, optionalBoolean } from "../errors";

/** The exposure fields of the gateway arguments, as the user gave them. */
export interface GatewayExposureInput {
    implementation: GatewayImplementation;
    public?: unknown;
    allowUnauthenticated?: unknown;
    internal?: unknown;
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
    if (input.public !== undefined && input.implementation !== GatewayImplementation.Gke) {
        throw new LlmdConfigError(
            "public",
            input.public,
            `only applies to implementation "gke" for now (got "${input.implementation}"); an in-cluster gateway's Service type follows its controller's parameters`,
        );
    }
    if (input.internal !== undefined) {
        const internal = optionalBoolean("internal", input.internal, true);
        if (internal === isPublic) {
            throw new LlmdConfigError(
                "internal",
                input.internal,
                isPublic ? "public: true and internal: true contradict each other; drop internal" : "the Gateway is internal by default; set public: true (with allowUnauthenticated: true) to expose it",
            );
        }
    }
    if (allowUnauthenticated && !isPublic) {
        throw new LlmdConfigError("allowUnauthenticated", input.allowUnauthenticated, "only applies with public: true (a private Gateway needs no waiver)");
    }
    if (isPublic && !allowUnauthenticated) {
        throw new LlmdConfigError(
            "public",
            input.public,
            "a public Gateway serves anyone who reaches its address, and llmd renders no authentication on it yet: also set allowUnauthenticated: true to accept that, or keep the Gateway private",
        );
    }
    return { public: isPublic, allowUnauthenticated };
}

/** The warning a public, unauthenticated Gateway logs. */
export function unauthenticatedWarning(gatewayName: string): string {
    return `Gateway ${gatewayName} is public and unauthenticated (gateway.public with gateway.allowUnauthenticated): anyone who reaches its address can use the models`;
}
