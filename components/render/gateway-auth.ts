/**
 * Authentication on the shared Gateway: who may send requests at all, decided at the Gateway before any
 * request reaches the router or a model server. Pure: plain values in, plain objects out.
 *
 * - Istio: a `RequestAuthentication` (how to validate a JWT) and an `AuthorizationPolicy` that admits only
 *   requests carrying a valid one, both `security.istio.io/v1` with `targetRefs` to the Gateway. Istio
 *   validates JWTs only; it has no API-key check of its own.
 * - agentgateway: one `AgentgatewayPolicy` (`agentgateway.dev/v1alpha1`) on the Gateway with
 *   `traffic.jwtAuthentication` and/or `traffic.apiKeyAuthentication`, each in `Strict` mode, in the
 *   `PreRouting` phase.
 * - kgateway, GKE: nothing is rendered; asking for it is an error that says what those offer instead.
 *
 * Field names and shapes checked against the pinned CRDs: istio 1.29.6 `crd-all.gen.yaml`, agentgateway
 * v1.4.1 `agentgateway.dev_agentgatewaypolicies.yaml` (vendored in test/fixtures/crds).
 */
import { GatewayImplementation } from "../catalog/gateways";
import { LlmdConfigError, hiddenValueError, requireNonEmpty, requireSecretName } from "../errors";
import { LLMD_LABELS } from "./labels";
import { K8sObject } from "./types";

/** `authentication` as the user gave it. */
export interface GatewayAuthenticationInput {
    jwt?: unknown;
    apiKeys?: unknown;
}

/** A validated JWT provider. Exactly one of `jwksUri` and `jwks`. */
export interface GatewayJwt {
    issuer: string;
    /** HTTPS URL of the issuer's JSON Web Key Set (Istio fetches and caches it). */
    jwksUri?: string;
    /** The JSON Web Key Set itself, as a JSON string. */
    jwks?: string;
    /** Accepted `aud` values; empty accepts any audience. */
    audiences: string[];
}

/** Validated authentication settings. */
export interface GatewayAuthentication {
    jwt?: GatewayJwt;
    /** API keys live in a Secret in the Gateway's namespace, never in llmd's config. */
    apiKeys?: { secretName: string };
}

const API_GROUP = "gateway.networking.k8s.io";
// agentgateway v1.4.1 bounds (AgentgatewayPolicy jwtAuthentication.providers[]).
const MAX_ISSUER = 256;
const MAX_INLINE_JWKS = 65536;
const MAX_AUDIENCES = 64;

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What each implementation without llmd-rendered authentication offers instead. */
const ALTERNATIVES: Partial<Record<GatewayImplementation, string>> = {
    gke: "GKE's managed gateway authenticates with Identity-Aware Proxy (a GCPBackendPolicy with iap on the backend) or filters with Cloud Armor; llmd renders neither: configure one yourself, or use implementation istio or agentgateway",
    kgateway: "llmd renders no authentication for kgateway (deprecated in llm-d); use implementation agentgateway (JWT or API keys) or istio (JWT)",
    none: "implementation none has no Gateway to authenticate on",
};

function resolveJwt(value: unknown, implementation: GatewayImplementation): GatewayJwt {
    if (!isPlainObject(value)) {
        throw new LlmdConfigError("authentication.jwt", value, "expected { issuer, jwksUri or jwks, audiences }");
    }
    const issuer = requireNonEmpty("authentication.jwt.issuer", value.issuer);
    if (issuer.length > MAX_ISSUER) {
        throw new LlmdConfigError("authentication.jwt.issuer", issuer, `expected at most ${MAX_ISSUER} characters`);
    }
    if ((value.jwksUri === undefined) === (value.jwks === undefined)) {
        throw new LlmdConfigError("authentication.jwt.jwksUri", value.jwksUri, "expected exactly one of jwksUri (an https URL) and jwks (the key set as JSON)");
    }
    const jwt: GatewayJwt = { issuer, audiences: [] };
    if (value.jwksUri !== undefined) {
        if (implementation === GatewayImplementation.Agentgateway) {
            // agentgateway v1.4.1 fetches a remote key set only through a backendRef to a Service, not a URL.
            throw new LlmdConfigError("authentication.jwt.jwksUri", value.jwksUri, "agentgateway takes the key set inline here: set jwks (the JSON Web Key Set) instead");
        }
        if (typeof value.jwksUri !== "string" || !/^https:\/\/[^\s/]+(\/\S*)?$/.test(value.jwksUri)) {
            throw new LlmdConfigError("authentication.jwt.jwksUri", value.jwksUri, "expected an https:// URL of the issuer's JSON Web Key Set");
        }
        jwt.jwksUri = value.jwksUri;
    } else {
        jwt.jwks = requireJwks(value.jwks);
    }
    if (value.audiences !== undefined) {
        const audiences = value.audiences;
        if (!Array.isArray(audiences) || audiences.length === 0 || audiences.length > MAX_AUDIENCES) {
            throw new LlmdConfigError("authentication.jwt.audiences", audiences, `expected a list of 1 to ${MAX_AUDIENCES} audience strings (leave it out to accept any audience)`);
        }
        jwt.audiences = audiences.map((audience, i) => requireNonEmpty(`authentication.jwt.audiences[${i}]`, audience));
    }
    return jwt;
}

function requireJwks(value: unknown): string {
    let parsed: unknown;
    try {
        parsed = typeof value === "string" ? JSON.parse(value) : undefined;
    } catch {
        parsed = undefined;
    }
    if (typeof value !== "string" || !isPlainObject(parsed) || !Array.isArray(parsed.keys) || parsed.keys.length === 0 || value.length > MAX_INLINE_JWKS) {
        throw new LlmdConfigError("authentication.jwt.jwks", value, `expected a JSON Web Key Set as a JSON string ({"keys": [...]}, at least one key, at most ${MAX_INLINE_JWKS} characters)`);
    }
    return value;
}

/**
 * Validates `authentication` for `implementation`; undefined when it is not set. Errors name fields as
 * `authentication.<...>` (a platform prefixes `gateway.`).
 */
export function resolveGatewayAuthentication(value: unknown, implementation: GatewayImplementation): GatewayAuthentication | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (!isPlainObject(value) || (value.jwt === undefined && value.apiKeys === undefined)) {
        throw new LlmdConfigError("authentication", value, "expected { jwt: { issuer, jwksUri | jwks, audiences } } and/or { apiKeys: { secretName } }");
    }
    const alternative = ALTERNATIVES[implementation];
    if (alternative !== undefined) {
        throw new LlmdConfigError("authentication", value, alternative);
    }
    const out: GatewayAuthentication = {};
    if (value.jwt !== undefined) {
        out.jwt = resolveJwt(value.jwt, implementation);
    }
    if (value.apiKeys !== undefined) {
        if (implementation === GatewayImplementation.Istio) {
            throw new LlmdConfigError("authentication.apiKeys", value.apiKeys, "Istio checks JWTs, not API keys: use authentication.jwt, or implementation agentgateway for API keys");
        }
        if (!isPlainObject(value.apiKeys)) {
            // Whatever was written here instead (a key?) is not repeated.
            throw hiddenValueError("authentication.apiKeys", "expected { secretName }: the name of a Secret holding the keys");
        }
        out.apiKeys = {
            secretName: requireSecretName("authentication.apiKeys.secretName", value.apiKeys.secretName, "expected the name of a Secret in the Gateway's namespace holding the API keys"),
        };
    }
    return out;
}

/** Where the authentication objects go: the Gateway they target. */
export interface GatewayAuthTarget {
    implementation: GatewayImplementation;
    namespace: string;
    gatewayName: string;
}

function gatewayRef(gatewayName: string): { group: string; kind: string; name: string } {
    return { group: API_GROUP, kind: "Gateway", name: gatewayName };
}

function labels(): Record<string, string> {
    return { ...LLMD_LABELS, "app.kubernetes.io/component": "gateway-authentication" };
}

function istioObjects(auth: GatewayAuthentication, target: GatewayAuthTarget): K8sObject[] {
    const jwt = auth.jwt as GatewayJwt;
    const metadata = (suffix: string) => ({ name: `${target.gatewayName}-${suffix}`, namespace: target.namespace, labels: labels() });
    return [
        {
            apiVersion: "security.istio.io/v1",
            kind: "RequestAuthentication",
            metadata: metadata("jwt"),
            spec: {
                targetRefs: [gatewayRef(target.gatewayName)],
                jwtRules: [
                    {
                        issuer: jwt.issuer,
                        ...(jwt.jwksUri ? { jwksUri: jwt.jwksUri } : { jwks: jwt.jwks }),
                        ...(jwt.audiences.length ? { audiences: [...jwt.audiences] } : {}),
                    },
                ],
            },
        },
        {
            // RequestAuthentication alone only rejects invalid tokens; a request with none passes. This ALLOW
            // policy admits only requests with a validated principal, so everything else is denied.
            apiVersion: "security.istio.io/v1",
            kind: "AuthorizationPolicy",
            metadata: metadata("require-jwt"),
            spec: {
                targetRefs: [gatewayRef(target.gatewayName)],
                action: "ALLOW",
                rules: [{ from: [{ source: { requestPrincipals: ["*"] } }] }],
            },
        },
    ];
}

function agentgatewayObjects(auth: GatewayAuthentication, target: GatewayAuthTarget): K8sObject[] {
    const traffic: Record<string, unknown> = {};
    if (auth.jwt) {
        const { issuer, jwks, audiences } = auth.jwt;
        traffic.jwtAuthentication = {
            mode: "Strict",
            providers: [{ issuer, ...(audiences.length ? { audiences: [...audiences] } : {}), jwks: { inline: jwks } }],
        };
    }
    if (auth.apiKeys) {
        traffic.apiKeyAuthentication = { mode: "Strict", secretRef: { name: auth.apiKeys.secretName } };
    }
    // PreRouting (allowed for both checks on a Gateway target): credentials are checked before a route is
    // chosen, in the phase where model routing reads the request body, rather than after it.
    traffic.phase = "PreRouting";
    return [
        {
            apiVersion: "agentgateway.dev/v1alpha1",
            kind: "AgentgatewayPolicy",
            metadata: { name: `${target.gatewayName}-authentication`, namespace: target.namespace, labels: labels() },
            spec: { targetRefs: [gatewayRef(target.gatewayName)], traffic },
        },
    ];
}

/** The objects that enforce `auth` on the Gateway; empty without authentication. */
export function renderGatewayAuthentication(auth: GatewayAuthentication | undefined, target: GatewayAuthTarget): K8sObject[] {
    if (auth === undefined) {
        return [];
    }
    switch (target.implementation) {
        case GatewayImplementation.Istio:
            return istioObjects(auth, target);
        case GatewayImplementation.Agentgateway:
            return agentgatewayObjects(auth, target);
        default:
            throw new Error(`no authentication objects for implementation ${target.implementation}`);
    }
}
