import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GATEWAYS, GatewayImplementation } from "./catalog/gateways";
import { MANIFESTS } from "./catalog/versions";
import { loadCrds } from "./crds";
import { createK8sObject } from "./k8s-object";
import { gatewayControllerCharts, renderGateway, renderGatewayParameters, resolveGatewaySpec } from "./render/gateway";
import { K8sObject } from "./render/types";

/** Arguments of `InferenceGateway`. */
export interface InferenceGatewayArgs {
    /** Which gateway fronts the llm-d router. `none` installs only the InferencePool CRD (standalone router). */
    implementation: GatewayImplementation;
    /** Namespace of the Gateway object (usually the namespace the router and model servers run in). */
    namespace: string;
    /** Create `namespace` as part of this component. Default false: the namespace must already exist. */
    createNamespace?: boolean;
    /** Name of the Gateway object. Default `llm-d-inference-gateway`. Not allowed with `none`. */
    gatewayName?: string;
    /** GatewayClass to use instead of the implementation's default (e.g. a second Istio class). */
    gatewayClassName?: string;
    /** Port of the Gateway's plain-HTTP listener. Default 80. */
    listenerPort?: number;
    /** GKE only: use the internal regional Application Load Balancer class (`gke-l7-rilb`). Default false. */
    internal?: boolean;
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
        // Validate everything before creating any child.
        const { kubernetesProvider, ...input } = args;
        const spec = resolveGatewaySpec(input);
        const deprecation = GATEWAYS[spec.implementation].deprecated;
        if (deprecation) {
            pulumi.log.warn(deprecation, this);
        }
        const charts = gatewayControllerCharts(spec);
        const gatewayObject = spec.gateway ? renderGateway(spec) : undefined;
        const provider = kubernetesProvider;

        const gatewayApiCrds = spec.installGatewayApiCrds ? createCrds(this, name, loadCrds(MANIFESTS.gatewayApi), provider) : [];
        const inferenceCrds = spec.installInferenceExtensionCrds
            ? createCrds(this, name, loadCrds(MANIFESTS.inferenceExtension), provider)
            : [];
        const crds = [...gatewayApiCrds, ...inferenceCrds];

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

        if (gatewayObject !== undefined) {
            const afterNamespace = gatewayNamespace ? [gatewayNamespace] : [];
            const parameters = renderGatewayParameters(spec);
            // The controller reads the parameters when it first provisions the Gateway's proxy.
            const parametersObject = parameters && createK8sObject(`${name}-gateway-parameters`, parameters, { parent: this, provider, dependsOn: afterNamespace });
            createK8sObject(`${name}-gateway`, gatewayObject, {
                parent: this,
                provider,
                dependsOn: [...gatewayApiCrds, ...controllerCharts, ...afterNamespace, ...(parametersObject ? [parametersObject] : [])],
            });
        }

        this.gatewayName = pulumi.output(spec.gateway?.name ?? "");
        this.gatewayNamespace = pulumi.output(spec.namespace);
        this.gatewayClassName = pulumi.output(spec.gateway?.className ?? "");
        this.registerOutputs({
            gatewayName: this.gatewayName,
            gatewayNamespace: this.gatewayNamespace,
            gatewayClassName: this.gatewayClassName,
        });
    }

}

function createCrds(parent: pulumi.Resource, name: string, crds: K8sObject[], provider: k8s.Provider | undefined): pulumi.Resource[] {
    return crds.map((crd) => createK8sObject(`${name}-crd-${crd.metadata.name}`, crd, { parent, provider }));
}
