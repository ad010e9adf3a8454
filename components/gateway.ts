import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GATEWAYS, GatewayImplementation } from "./catalog/gateways";
import { MANIFESTS, ManifestPin } from "./catalog/versions";
import { kindDependenciesOf } from "./dependencies";
import { optionalBoolean } from "./errors";
import { loadCrds } from "./crds";
import { createK8sObject } from "./k8s-object";
import { GatewayInput, gatewayControllerCharts, renderGateway, renderGatewayParameters, resolveGatewaySpec } from "./render/gateway";
import { outputsToRegister, whenPlain } from "./plain-inputs";
import { GATEWAY_CONTROLLER_POD_SECURITY } from "./catalog/pod-security";
import { podSecurityLabels } from "./render/pod-security-standards";
import { checkArgs } from "./strict";
import { unauthenticatedWarning } from "./render/gateway-exposure";
import { renderGatewayAuthentication } from "./render/gateway-auth";

/** A JWT issuer whose tokens the Gateway accepts. */
export interface GatewayJwtArgs {
    /** The token's `iss` claim, exactly. */
    issuer: string;
    /** HTTPS URL of the issuer's JSON Web Key Set (Istio only). Exactly one of `jwksUri` and `jwks`. */
    jwksUri?: string;
    /** The JSON Web Key Set itself, as a JSON string (public keys only). Exactly one of `jwksUri` and `jwks`. */
    jwks?: string;
    /** Accepted `aud` claims. Default: any audience. */
    audiences?: string[];
}

/** API keys the Gateway accepts (agentgateway only). */
export interface GatewayApiKeysArgs {
    /**
     * Secret in the Gateway's namespace holding the keys, one entry per client (agentgateway's format). The keys
     * themselves never pass through llmd's config.
     */
    secretName: string;
}

/** Authentication on the Gateway: requests without valid credentials are refused there. */
export interface GatewayAuthenticationArgs {
    /** Require a valid JWT (`Authorization: Bearer <token>`). */
    jwt?: GatewayJwtArgs;
    /** Require an API key (`Authorization: Bearer <key>`). With `jwt` too, both are required. */
    apiKeys?: GatewayApiKeysArgs;
}

/** An HTTPS listener terminating TLS at the Gateway. */
export interface GatewayTlsArgs {
    /** A `kubernetes.io/tls` Secret in the Gateway's namespace (e.g. issued by cert-manager). */
    certificateSecretName: string;
    /** Port of the HTTPS listener. Default 443. The plain-HTTP listener is left out when TLS is on. */
    port?: number;
}

/** Arguments of `InferenceGateway`. */
export interface InferenceGatewayArgs {
    /** Which gateway fronts the llm-d router. `none` installs only the InferencePool CRD (standalone router). */
    implementation: GatewayImplementation;
    /** Namespace of the Gateway object (usually the namespace the router and model servers run in). */
    namespace: pulumi.Input<string>;
    /** Create `namespace` as part of this component. Default false: the namespace must already exist. */
    createNamespace?: boolean;
    /** Name of the Gateway object. Default `llm-d-inference-gateway`. Not allowed with `none`. */
    gatewayName?: string;
    /** GatewayClass to use instead of the implementation's default (e.g. a second Istio class). */
    gatewayClassName?: string;
    /** Port of the Gateway's plain-HTTP listener. Default 80. Not allowed with `tls` (use `tls.port`). */
    listenerPort?: number;
    /** GKE only: the internal regional Application Load Balancer class (`gke-l7-rilb`), now the default; prefer `public`. */
    internal?: boolean;
    /**
     * Expose the Gateway outside the cluster's network. Default false: private (on GKE the internal regional
     * load balancer class `gke-l7-rilb`; istio, agentgateway and kgateway get a ClusterIP proxy Service). True
     * gives them a LoadBalancer Service. Needs `authentication`, or `allowUnauthenticated: true`.
     */
    public?: boolean;
    /** With `public` and no `authentication`: accept that the Gateway serves anyone who reaches it. Logs a warning. */
    allowUnauthenticated?: boolean;
    /** Who may send requests through the Gateway (istio: JWT; agentgateway: JWT and/or API keys). Default: anyone who reaches it. */
    authentication?: GatewayAuthenticationArgs;
    /** Serve HTTPS with a certificate from a Secret instead of plain HTTP. */
    tls?: GatewayTlsArgs;
    /**
     * Namespace of the HTTPRoutes that attach to the Gateway. Default: the Gateway's namespace. When it
     * differs, the listener admits routes from that one namespace only.
     */
    routeNamespace?: string;
    /**
     * Install the pinned Gateway API standard-channel CRDs. Default true, except on GKE (whose Gateway API
     * add-on ships them) and for `none` (no Gateway). Turn off when the cluster already manages them.
     */
    installGatewayApiCrds?: boolean;
    /** Install the pinned Inference Extension CRD (InferencePool v1). Default true. */
    installInferenceExtensionCrds?: boolean;
    /**
     * Keep the CRDs this component installs when it is destroyed. Default true: CRDs are cluster-wide, and
     * deleting one deletes every object of its kind, other teams' Gateways and HTTPRoutes included.
     */
    retainCrdsOnDelete?: boolean;
    /**
     * Labels that admit HTTPRoutes to the Gateway from any namespace carrying them (a platform shared by models
     * in several namespaces). Exclusive with `routeNamespace`.
     */
    routeNamespaceLabels?: { [key: string]: string };
    /**
     * Namespace of the gateway controller (Istio, agentgateway, kgateway). Defaults: `istio-system`,
     * `agentgateway-system`, `kgateway-system`.
     */
    controllerNamespace?: string;
    /** Create `controllerNamespace`. Default true; set false when it already exists. */
    createControllerNamespace?: boolean;
    /** Extra Helm values merged over llmd's for the controller chart (istiod, agentgateway or kgateway). */
    controllerValues?: { [key: string]: any };
    /** Kubernetes provider for every child; the inherited or default provider when unset. */
    kubernetesProvider?: k8s.Provider;
}

/**
 * The gateway layer of llm-d: the Gateway API and Inference Extension CRDs from llmd's pins, a gateway
 * controller with InferencePool support (Istio, agentgateway or kgateway, from their pinned Helm charts;
 * GKE's is managed) and the Gateway the router's HTTPRoute attaches to: private unless `public`, with
 * optional authentication (istio, agentgateway) and an HTTPS listener (`tls`). Cluster-scoped CRDs are owned
 * by this component, so use one InferenceGateway per cluster.
 */
export class InferenceGateway extends pulumi.ComponentResource {
    /** Name of the Gateway; empty string with implementation `none` (there is no Gateway). */
    public readonly gatewayName: pulumi.Output<string>;
    /** Namespace of the Gateway (the `namespace` argument). */
    public readonly gatewayNamespace: pulumi.Output<string>;
    /** GatewayClass of the Gateway; empty string with implementation `none`. */
    public readonly gatewayClassName: pulumi.Output<string>;

    constructor(name: string, args: InferenceGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:InferenceGateway", name, {}, opts);
        // From other languages every input is an Output: build once they are known (at once when plain, so a
        // composite reads `gatewayParts` right after construction).
        const built = whenPlain(args, ["kubernetesProvider"], (plain) => {
            checkArgs("InferenceGateway", plain, opts);
            // Validate everything before creating any child.
            const { kubernetesProvider, retainCrdsOnDelete, ...input } = plain;
            const spec = resolveGatewaySpec(input as GatewayInput);
            if (spec.gateway?.public && spec.gateway.authentication === undefined) {
                pulumi.log.warn(unauthenticatedWarning(spec.gateway.name), this);
            }
            const retainOnDelete = optionalBoolean("retainCrdsOnDelete", retainCrdsOnDelete, true);
            const deprecation = GATEWAYS[spec.implementation].deprecated;
            if (deprecation) {
                pulumi.log.warn(deprecation, this);
            }
            const charts = gatewayControllerCharts(spec);
            const gatewayObject = spec.gateway ? renderGateway(spec) : undefined;
            const provider = kubernetesProvider;

            const gatewayApiCrds = spec.installGatewayApiCrds ? createCrds(this, name, MANIFESTS.gatewayApi, provider, retainOnDelete) : new Map();
            const inferenceCrds = spec.installInferenceExtensionCrds
                ? createCrds(this, name, MANIFESTS.inferenceExtension, provider, retainOnDelete)
                : new Map();
            const crds = [...gatewayApiCrds.values(), ...inferenceCrds.values()];

            const gatewayNamespace = spec.createNamespace
                ? new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: spec.namespace } }, { parent: this, provider })
                : undefined;

            const controllerCharts: pulumi.Resource[] = [];
            if (spec.controller !== undefined) {
                const controllerNamespace = spec.controller.createNamespace
                    ? new k8s.core.v1.Namespace(
                          `${name}-controller-namespace`,
                          // The level the controller chart's pods meet (catalog/pod-security.ts says where that was read).
                          { metadata: { name: spec.controller.namespace, labels: podSecurityLabels(GATEWAY_CONTROLLER_POD_SECURITY[spec.implementation].level) } },
                          { parent: this, provider },
                      )
                    : undefined;
                // Controllers read Gateway API and InferencePool kinds at start-up (istiod only turns on the
                // inference extension if the InferencePool CRD exists), so every chart waits for the CRDs.
                let previous: pulumi.Resource[] = [...crds, ...(controllerNamespace ? [controllerNamespace] : [])];
                for (const chart of charts) {
                    const release = new k8s.helm.v4.Chart(
                        `${name}-${chart.role}`,
                        {
                            name: chart.role,
                            chart: chart.pin.chart,
                            version: chart.pin.version,
                            ...(chart.pin.repo ? { repositoryOpts: { repo: chart.pin.repo } } : {}),
                            namespace: spec.controller.namespace,
                            values: chart.values,
                        },
                        { parent: this, provider, dependsOn: previous },
                    );
                    controllerCharts.push(release);
                    previous = [...previous, release];
                }
            }

            let gateway: pulumi.CustomResource | undefined;
            const authentication: pulumi.Resource[] = [];
            if (gatewayObject !== undefined) {
                const afterNamespace = gatewayNamespace ? [gatewayNamespace] : [];
                const parameters = renderGatewayParameters(spec);
                // Istio's parameters are a ConfigMap; agentgateway's and kgateway's kinds come with their CRD chart.
                const crdChart = controllerCharts[charts.findIndex((chart) => chart.crdsOnly)];
                const parametersDependencies = parameters
                    ? [...(kindDependenciesOf(opts)?.(parameters.kind) ?? []), ...(parameters.kind !== "ConfigMap" && crdChart ? [crdChart] : [])]
                    : [];
                // The controller reads the parameters when it first provisions the Gateway's proxy.
                const parametersObject = parameters && createK8sObject(`${name}-gateway-parameters`, parameters, {
                    parent: this,
                    provider,
                    dependsOn: [...afterNamespace, ...parametersDependencies],
                });
                const target = { implementation: spec.implementation, namespace: spec.namespace, gatewayName: spec.gateway!.name };
                for (const object of renderGatewayAuthentication(spec.gateway!.authentication, target)) {
                    // Their kinds come with the controller's charts, and istiod's admission webhook validates
                    // security.istio.io objects, so they wait for the whole controller.
                    authentication.push(
                        createK8sObject(`${name}-${object.metadata.name}`, object, {
                            parent: this,
                            provider,
                            dependsOn: [...controllerCharts, ...afterNamespace, ...(kindDependenciesOf(opts)?.(object.kind) ?? [])],
                        }),
                    );
                }
                // `status` (never sent: it is undefined) makes the custom resource expose the controller's status as an
                // output, from which composites read the Gateway's address.
                gateway = createK8sObject(`${name}-gateway`, { ...gatewayObject, status: undefined }, {
                    parent: this,
                    provider,
                    dependsOn: [
                        ...(gatewayApiCrds.has("Gateway") ? [gatewayApiCrds.get("Gateway")!] : []),
                        ...controllerCharts,
                        ...afterNamespace,
                        ...(parametersObject ? [parametersObject] : []),
                        // The Gateway's proxy is provisioned only once its authentication is in place: it never serves
                        // a request unchecked, not even for the first seconds of a deployment.
                        ...authentication,
                        // A composite that created the namespace passes it here.
                        ...(kindDependenciesOf(opts)?.("Gateway") ?? []),
                    ],
                });
            }
            PARTS.set(this, { crds: new Map([...gatewayApiCrds, ...inferenceCrds]), controllerCharts, gateway, authentication });

            return { gatewayName: spec.gateway?.name ?? "", namespace: spec.namespace, className: spec.gateway?.className ?? "" };
        });

        this.gatewayName = built.gatewayName;
        this.gatewayNamespace = built.namespace;
        this.gatewayClassName = built.className;
        this.registerOutputs(outputsToRegister({
            gatewayName: this.gatewayName,
            gatewayNamespace: this.gatewayNamespace,
            gatewayClassName: this.gatewayClassName,
        }));
    }

}

/** What a composite built on an InferenceGateway needs to wire exact dependency edges. */
export interface GatewayParts {
    /** Installed CRDs by the kind they serve (`Gateway`, `HTTPRoute`, `InferencePool`, ...). */
    crds: Map<string, pulumi.Resource>;
    /** The controller's Helm releases, CRD chart first (Istio's carry its own CRDs, e.g. DestinationRule). */
    controllerCharts: pulumi.Resource[];
    /** The Gateway object, when there is one. */
    gateway?: pulumi.Resource;
    /** The objects enforcing authentication on the Gateway (empty without `authentication`). */
    authentication: pulumi.Resource[];
}

const PARTS = new WeakMap<InferenceGateway, GatewayParts>();

/** The parts of a constructed InferenceGateway. */
export function gatewayParts(gateway: InferenceGateway): GatewayParts {
    const parts = PARTS.get(gateway);
    if (parts === undefined) {
        throw new Error("gatewayParts: not a constructed InferenceGateway");
    }
    return parts;
}

/** Creates a pinned CRD set, returning each CRD by the kind it serves. */
export function createCrds(
    parent: pulumi.Resource,
    name: string,
    pin: ManifestPin,
    provider: k8s.Provider | undefined,
    retainOnDelete: boolean,
): Map<string, pulumi.Resource> {
    const created = new Map<string, pulumi.Resource>();
    for (const crd of loadCrds(pin)) {
        const kind = (crd.spec as { names: { kind: string } }).names.kind;
        created.set(kind, createK8sObject(`${name}-crd-${crd.metadata.name}`, crd, { parent, provider, retainOnDelete }));
    }
    return created;
}
