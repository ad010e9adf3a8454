/**
 * Gateway implementations llmd can put in front of the router, and what each needs. Plain data.
 * Class names from llm-d-router v0.10.0 `config/manifests/gateway/`.
 */

/** Which gateway fronts the llm-d router. */
export const GatewayImplementation = {
    /** Istio with the Gateway API Inference Extension turned on. */
    Istio: "istio",
    /** agentgateway (llm-d's recommended successor to kgateway). */
    Agentgateway: "agentgateway",
    /** kgateway (deprecated upstream in favour of agentgateway). */
    Kgateway: "kgateway",
    /** GKE's managed regional external Application Load Balancer: nothing to install. */
    Gke: "gke",
    /** No Gateway: the router runs in standalone mode with its own proxy. */
    None: "none",
} as const;
/** One of the values of `GatewayImplementation`. */
export type GatewayImplementation = (typeof GatewayImplementation)[keyof typeof GatewayImplementation];

/** All gateway implementation ids. */
export const GATEWAY_IMPLEMENTATIONS = Object.values(GatewayImplementation);

/** What llmd knows about a gateway implementation. */
export interface GatewayImplementationSpec {
    /** `GatewayClass` name the Gateway uses; absent for `none`. */
    gatewayClassName?: string;
    /** GKE only: the internal (regional internal ALB) class name. */
    internalGatewayClassName?: string;
    /** Whether llmd installs a controller for it (GKE's is managed, `none` has none). */
    installsController: boolean;
    /** Whether the platform already ships the Gateway API CRDs (GKE does when its Gateway API is enabled). */
    platformProvidesGatewayApiCrds: boolean;
    /** Why upstream llm-d no longer recommends this implementation, when it does not. */
    deprecated?: string;
}

export const GATEWAYS: Readonly<Record<GatewayImplementation, GatewayImplementationSpec>> = {
    istio: { gatewayClassName: "istio", installsController: true, platformProvidesGatewayApiCrds: false },
    agentgateway: { gatewayClassName: "agentgateway", installsController: true, platformProvidesGatewayApiCrds: false },
    kgateway: {
        gatewayClassName: "kgateway",
        installsController: true,
        platformProvidesGatewayApiCrds: false,
        // llm-d v0.9.0 guides/recipes/gateway/kgateway/gateway.yaml: kept only for migration, and it renders
        // gatewayClassName agentgateway. llmd still installs kgateway's own Envoy data plane when asked.
        deprecated:
            "gateway implementation kgateway is deprecated in llm-d (v0.9.0 guides keep its recipe only for migration and render an agentgateway Gateway); use implementation agentgateway",
    },
    gke: {
        gatewayClassName: "gke-l7-regional-external-managed",
        internalGatewayClassName: "gke-l7-rilb",
        installsController: false,
        platformProvidesGatewayApiCrds: true,
    },
    none: { installsController: false, platformProvidesGatewayApiCrds: false },
};
