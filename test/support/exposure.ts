/**
 * What a plan exposes outside the cluster's network, read from the rendered objects: Services of type
 * LoadBalancer or NodePort, GKE Gateways on an external class, and the proxy Service type each in-cluster
 * Gateway asks its controller for (through `spec.infrastructure.parametersRef`). A Gateway without parameters
 * gets its controller's default, a LoadBalancer, so it counts as exposed.
 */
import { parse } from "yaml";
import { K8sObject } from "../../components/render/types";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Exposed things, one line each (`<kind> <namespace>/<name>: <why>`); empty for a private plan. */
export function publicExposures(objects: K8sObject[]): string[] {
    const all = objects as Json[];
    const out: string[] = [];
    for (const o of all) {
        const at = `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
        if (o.kind === "Service" && ["LoadBalancer", "NodePort"].includes(o.spec?.type)) {
            out.push(`${at}: type ${o.spec.type}`);
        }
        if (o.kind !== "Gateway") {
            continue;
        }
        const className: string = o.spec.gatewayClassName;
        if (className.startsWith("gke-")) {
            if (/external|gxlb/.test(className)) {
                out.push(`${at}: class ${className}`);
            }
            continue;
        }
        const ref = o.spec.infrastructure?.parametersRef;
        const parameters = ref && all.find((p) => p.kind === ref.kind && p.metadata.name === ref.name && p.metadata.namespace === o.metadata.namespace);
        const type = parameters ? proxyServiceType(parameters) : undefined;
        if (type !== "ClusterIP") {
            out.push(`${at}: proxy Service ${type ?? "left to the controller's default (LoadBalancer)"}`);
        }
    }
    return out;
}

/** The proxy Service type a Gateway parameters object asks for, per controller. */
function proxyServiceType(parameters: Json): string | undefined {
    switch (parameters.kind) {
        case "ConfigMap":
            return parameters.data?.service ? parse(parameters.data.service)?.spec?.type : undefined;
        case "AgentgatewayParameters":
            return parameters.spec?.service?.spec?.type;
        case "GatewayParameters":
            return parameters.spec?.kube?.service?.type;
        default:
            return undefined;
    }
}
