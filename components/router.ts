import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GatewayImplementation } from "./catalog/gateways";
import { kindDependenciesOf, plusDependencies } from "./dependencies";
import { createK8sObject } from "./k8s-object";
import {
    FailureMode,
    ROUTER_GRPC_PORT,
    RouterInput,
    kvEventsEndpoint,
    renderRouter,
    resolveRouterSpec,
    routerNames,
    routerProxyEndpoint,
    routerServiceHost,
} from "./render/router";
import { SchedulerProfile } from "./render/router-config";
import { K8sObject } from "./render/types";
import { outputsToRegister, whenPlain } from "./plain-inputs";
import { checkArgs } from "./strict";

export { FailureMode } from "./render/router";
export { SchedulerProfile } from "./render/router-config";

/** The Gateway whose traffic the router's HTTPRoute attaches to. */
export interface RouterGatewayRef {
    /** Name of the Gateway. */
    name: string;
    /** Namespace of the Gateway (its listeners must allow routes from the router's namespace). */
    namespace: string;
}

/** Router container resources, as Kubernetes quantities. */
export interface RouterResources {
    /** CPU request, e.g. "4" or "500m". Default "4" (llm-d guides). */
    cpuRequest?: string;
    /** Memory request, e.g. "8Gi". Default "8Gi". */
    memoryRequest?: string;
    /** Memory limit, e.g. "16Gi". Default "16Gi". */
    memoryLimit?: string;
}

/** Arguments of `InferenceRouter`. */
export interface InferenceRouterArgs {
    /** Namespace of the router, its InferencePool and HTTPRoute (the model servers' namespace). */
    namespace: pulumi.Input<string>;
    /** Name of the InferencePool. Default: the component name. */
    poolName?: string;
    /** Labels that select the model-server pods of the pool, e.g. `{ "llm-d.ai/model": "qwen3" }`. Must not be empty. */
    modelServerSelector: { [key: string]: string };
    /** Ports the model servers serve on (1 to 8, one per data-parallel rank). Default `[8000]`. */
    targetPorts?: number[];
    /** Scheduling strategy. Default `optimized-baseline` (`inference-scheduling` is its former name, still accepted). */
    schedulerProfile?: SchedulerProfile;
    /** Router replicas; more than one turns on leader election (one active, the rest standby). Default 1. */
    replicas?: number;
    /** Gateway to attach an HTTPRoute to (e.g. an `InferenceGateway`'s name and namespace outputs). Without it no route is created. */
    gateway?: pulumi.Input<RouterGatewayRef>;
    /** Implementation of `gateway`, which decides the extra policies rendered. Default `none`; required with a gateway. */
    gatewayImplementation?: GatewayImplementation;
    /**
     * Standalone mode: run an Envoy proxy in the router pod (listener `proxyPort`, ext-proc to the router over
     * loopback, forwarding to the pod the router picks) and expose it on the router Service's `http` port,
     * so clients need no Gateway. Default true when `gatewayImplementation` is `none`; only allowed then. Set
     * false to run the bare router and wire your own proxy to `endpointPickerAddress`.
     */
    standalone?: boolean;
    /** Port of the standalone proxy's listener and of the Service's `http` port (1024 to 65535). Default 8081. Standalone mode only. */
    proxyPort?: number;
    /** Standalone proxy container resources. Default: requests 4 CPU and 8Gi, limit 16Gi (the standalone chart's). Standalone mode only. */
    proxyResources?: RouterResources;
    /**
     * What the gateway does when the router is unreachable (written to the InferencePool). Default `FailOpen`.
     * The standalone proxy always fails closed: without the router it has no destination to forward to.
     */
    failureMode?: FailureMode;
    /** Router image override. Default: the pinned llm-d router image. */
    image?: string;
    /** Raw `EndpointPickerConfig` YAML replacing the profile's config (the profile still decides ports and sidecars). */
    schedulerConfig?: string;
    /** Hugging Face model id the `precise-prefix-cache` profile tokenises with; required for that profile only. */
    tokenizerModel?: string;
    /**
     * `precise-prefix-cache` only. Default false: the router discovers the pool's pods and dials the KV-event
     * socket each vLLM binds on its own pod (ports 5556, replay 5559), as llm-d's guide runs it. True: the
     * router binds one socket (port 5557, `kvEventsEndpoint`) that every publisher connects to, for
     * publishers that cannot bind, such as the inference simulator.
     */
    kvEventsListener?: boolean;
    /** Router container resources. */
    resources?: RouterResources;
    /** Kubernetes provider for every child. Default: the inherited or default provider. */
    kubernetesProvider?: k8s.Provider;
}

// Resource role per rendered kind: each kind appears at most once in a router, except the proxy's ConfigMap.
const ROLES: Record<string, string> = {
    ServiceAccount: "service-account",
    Role: "role",
    RoleBinding: "role-binding",
    ClusterRole: "metrics-auth-cluster-role",
    ClusterRoleBinding: "metrics-auth-cluster-role-binding",
    ConfigMap: "config",
    Deployment: "deployment",
    PodDisruptionBudget: "disruption-budget",
    Service: "service",
    InferencePool: "pool",
    HTTPRoute: "route",
    DestinationRule: "destination-rule",
    HealthCheckPolicy: "health-check-policy",
    GCPBackendPolicy: "backend-policy",
};

// Kinds served by CRDs that someone else installs: they must wait for whatever the caller depends on.
const NEEDS_CRDS = new Set(["InferencePool", "HTTPRoute", "DestinationRule", "HealthCheckPolicy", "GCPBackendPolicy"]);

/**
 * The llm-d router (endpoint picker, EPP) for one pool of model servers: its least-privilege RBAC, scheduler
 * config, Deployment and Service, the `InferencePool` it picks endpoints for, and, when a Gateway is given,
 * the `HTTPRoute` from that Gateway to the pool plus the gateway implementation's policies. Without a Gateway
 * the router runs standalone by default, with its own Envoy proxy in the pod: send OpenAI-compatible requests
 * to `endpoint`. The custom resources wait for `opts.dependsOn` (pass the component that installs the
 * Gateway API and InferencePool CRDs).
 */
export class InferenceRouter extends pulumi.ComponentResource {
    /** Name of the InferencePool. */
    public readonly poolName: pulumi.Output<string>;
    /** Name of the router's Service (the pool's endpoint picker). */
    public readonly serviceName: pulumi.Output<string>;
    /** Namespace of the router and the pool. */
    public readonly namespace: pulumi.Output<string>;
    /** `host:port` of the router's ext-proc gRPC endpoint inside the cluster. */
    public readonly endpointPickerAddress: pulumi.Output<string>;
    /**
     * `tcp://host:port` the model servers publish vLLM KV-cache events to (vLLM `--kv-events-config` endpoint);
     * empty unless `kvEventsListener` is on (by default the router dials each pod's own publisher).
     */
    public readonly kvEventsEndpoint: pulumi.Output<string>;
    /**
     * In standalone mode, the in-cluster base URL of the router's own proxy,
     * `http://<service>.<namespace>.svc.cluster.local:<proxyPort>` (OpenAI-compatible: append `/v1/...`);
     * empty when a Gateway (or your own proxy) takes the traffic.
     */
    public readonly endpoint: pulumi.Output<string>;

    constructor(name: string, args: InferenceRouterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:InferenceRouter", name, {}, opts);
        // From other languages (or with a gateway's outputs) inputs are Outputs: build once they are known.
        const built = whenPlain(args, ["kubernetesProvider"], (plain) => {
            checkArgs("InferenceRouter", plain, opts);

            const spec = resolveRouterSpec({ name, ...(plain as Omit<InferenceRouterArgs, "namespace" | "gateway"> & Pick<RouterInput, "namespace" | "gateway">) });
            const names = routerNames(spec);
            const created = new Map<string, pulumi.CustomResource>();
            let pool: pulumi.CustomResource | undefined;

            // A composite may give every kind its exact edges; otherwise the CRD-served kinds wait for opts.dependsOn.
            const kindDependencies = kindDependenciesOf(opts);
            for (const object of renderRouter(spec)) {
                const role = object.kind === "ConfigMap" && object.metadata.name === names.proxyConfigMap ? "proxy-config" : ROLES[object.kind];
                if (!role || created.has(role)) {
                    throw new Error(`InferenceRouter rendered an unexpected ${object.kind}`);
                }
                const after = object.kind === "InferencePool" || !pool ? [] : [pool];
                const dependsOn = kindDependencies
                    ? [...kindDependencies(object.kind), ...after]
                    : NEEDS_CRDS.has(object.kind)
                      ? plusDependencies(opts?.dependsOn, ...after)
                      : undefined;
                const resource = createK8sObject(`${name}-${role}`, object as K8sObject, {
                    parent: this,
                    provider: plain.kubernetesProvider,
                    dependsOn,
                });
                created.set(role, resource);
                if (object.kind === "InferencePool") {
                    pool = resource;
                }
            }

            // Outputs carry their resource so consumers wait for it.
            const after = (role: string, value: string) => created.get(role)!.urn.apply(() => value);
            const poolName = after(ROLES.InferencePool, names.pool);
            const serviceName = after(ROLES.Service, names.service);
            const endpointPickerAddress = after(ROLES.Service, `${routerServiceHost(spec)}:${ROUTER_GRPC_PORT}`);
            const kvEventsEndpointOut = after(ROLES.Service, spec.kvEventsListener ? kvEventsEndpoint(spec) : "");
            // Clients of the proxy need its pod (the Deployment waits for readiness) as well as the Service.
            const endpoint = spec.proxy
                ? pulumi.all([created.get(ROLES.Service)!.urn, created.get(ROLES.Deployment)!.urn]).apply(() => routerProxyEndpoint(spec))
                : pulumi.output("");
            return { poolName, serviceName, namespace: spec.namespace, endpointPickerAddress, kvEventsEndpoint: kvEventsEndpointOut, endpoint };
        });

        this.poolName = built.poolName;
        this.serviceName = built.serviceName;
        this.namespace = built.namespace;
        this.endpointPickerAddress = built.endpointPickerAddress;
        this.kvEventsEndpoint = built.kvEventsEndpoint;
        this.endpoint = built.endpoint;

        this.registerOutputs(outputsToRegister({
            poolName: this.poolName,
            serviceName: this.serviceName,
            namespace: this.namespace,
            endpointPickerAddress: this.endpointPickerAddress,
            kvEventsEndpoint: this.kvEventsEndpoint,
            endpoint: this.endpoint,
        }));
    }
}
