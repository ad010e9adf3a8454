import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GATEWAYS, GatewayImplementation } from "./catalog/gateways";
import { MANIFESTS, ManifestPin } from "./catalog/versions";
import { kindDependenciesOf } from "./dependencies";
import { optionalBoolean } from "./errors";
import { loadCrds } from "./crds";
import { createK8sObject } from "./k8s-object";
import { GatewayInput, gatewayControllerCharts, renderGateway, renderGatewayParameters, resolveGatewaySpec } from "./render/gateway";
import { whenPlain } from "./plain-inputs";
import { checkArgs } from "./strict";
import { unauthenticatedWarning } from "./render/gateway-exposure";

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
    /** Port of the Gateway's plain-HTTP listener. Default 80. */
    listenerPort?: number;
    /** GKE only: the internal regional Application Load Balancer class (`gke-l7-rilb`), now the default; prefer `public`. */
    internal?: boolean;
    /**
     * Expose the Gateway outside the cluster's network. Default false: private (on GKE the internal regional
     * load balancer class `gke-l7-rilb`). GKE only for now. Needs `allowUnauthenticated: true` too.
     */
    public?: boolean;
    /**
     * With `public`: accept that the Gateway serves anyone who reaches it (llmd renders no authentication on it
     * yet). Logs a warning.
     */
    allowUnauthenticated?: boolean;
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
 * GKE's is managed) and the Gateway the router's HTTPRoute attaches to. Cluster-scoped CRDs are owned by
 * this component, so use one InferenceGateway per cluster.
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
            if (spec.gateway?.public) {
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
                          { metadata: { name: spec.controller.namespace } },
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
            if (gatewayObject !== undefined) {
                const afterNamespace = gatewayNamespace ? [gatewayNamespace] : [];
                const parameters = renderGatewayParameters(spec);
                // The controller reads the parameters when it first provisions the Gateway's proxy.
                const parametersObject = parameters && createK8sObject(`${name}-gateway-parameters`, parameters, {
                    parent: this,
                    provider,
                    dependsOn: [...afterNamespace, ...(kindDependenciesOf(opts)?.("ConfigMap") ?? [])],
                });
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
                        // A composite that created the namespace passes it here.
                        ...(kindDependenciesOf(opts)?.("Gateway") ?? []),
                    ],
                });
            }
            PARTS.set(this, { crds: new Map([...gatewayApiCrds, ...inferenceCrds]), controllerCharts, gateway });
            return { gatewayName: spec.gateway?.name ?? "", namespace: spec.namespace, className: spec.gateway?.className ?? "" };
        });

        this.gatewayName = built.gatewayName;
        this.gatewayNamespace = built.namespace;
        this.gatewayClassName = built.className;
        this.registerOutputs({
            gatewayName: this.gatewayName,
            gatewayNamespace: this.gatewayNamespace,
            gatewayClassName: this.gatewayClassName,
        });
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
