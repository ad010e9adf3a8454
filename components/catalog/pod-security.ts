/**
 * The Pod Security level the pods llmd does not render itself need: the gateway proxies a controller deploys into
 * the Gateway's namespace, and the pods of the controller and operator charts llmd installs into namespaces it
 * creates. Each level was read from the pinned chart's pod templates (with the values llmd passes); where that was
 * not checked, the level is privileged (no enforcement) and says so. Plain data.
 */
import { GatewayImplementation } from "./gateways";

/** A level and where it was read. */
export interface ThirdPartyPodSecurity {
    level: "restricted" | "baseline" | "privileged";
    source: string;
}

/** What the proxies a gateway controller deploys next to the Gateway need. */
export const GATEWAY_PROXY_POD_SECURITY: Record<GatewayImplementation, ThirdPartyPodSecurity> = {
    istio: {
        level: "restricted",
        source:
            "istio 1.30.3 manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml: drops ALL, no privilege escalation, runAsNonRoot (1337), " +
            "the safe sysctl net.ipv4.ip_unprivileged_port_start, emptyDir/downwardAPI/projected/secret/configMap/csi volumes; seccomp RuntimeDefault " +
            "from the gateways.seccompProfile value llmd sets (ISTIO_RESTRICTED_VALUES)",
    },
    agentgateway: {
        level: "baseline",
        source: "agentgateway v1.4.1 controller/pkg/helm/agentgateway/templates/_helpers.tpl: restricted except that it sets no seccompProfile",
    },
    kgateway: { level: "privileged", source: "not checked: kgateway v2.1.1's Envoy proxy template was not read, so nothing is enforced" },
    gke: { level: "restricted", source: "GKE's managed load balancer runs no pods in the cluster" },
    none: { level: "restricted", source: "no Gateway, no proxy pods (the standalone router's Envoy is llmd's own)" },
};

/** What the gateway controller chart's pods need in their namespace. */
export const GATEWAY_CONTROLLER_POD_SECURITY: Record<GatewayImplementation, ThirdPartyPodSecurity> = {
    istio: {
        level: "restricted",
        source:
            "istio 1.30.3 istiod chart templates/deployment.yaml: drops ALL, no privilege escalation, runAsNonRoot, restricted volume types; seccomp " +
            "RuntimeDefault from the seccompProfile value llmd sets (ISTIO_RESTRICTED_VALUES). istio-base installs no pods",
    },
    agentgateway: {
        level: "baseline",
        source: "agentgateway v1.4.1 controller/install/helm/agentgateway/templates/deployment.yaml: restricted except that podSecurityContext defaults to {} (no seccompProfile)",
    },
    kgateway: { level: "privileged", source: "not checked: kgateway v2.1.1's chart was not read, so nothing is enforced" },
    gke: { level: "restricted", source: "no controller chart" },
    none: { level: "restricted", source: "no controller chart" },
};

/** What the operator charts' pods need in the namespaces llmd creates for them. */
export const OPERATOR_POD_SECURITY = {
    keda: {
        level: "restricted",
        source: "kedacore/charts v2.20.2 keda/values.yaml: every pod runAsNonRoot, every container drops ALL, no escalation, seccomp RuntimeDefault; useHostNetwork false; secret volumes",
    },
    lws: {
        level: "baseline",
        source: "kubernetes-sigs/lws v0.10.0 charts/lws/values.yaml: runAsNonRoot, drops ALL, no escalation, but no seccompProfile",
    },
    kueue: {
        level: "restricted",
        source: "kubernetes-sigs/kueue v0.19.2 charts/kueue/values.yaml: runAsNonRoot, seccomp RuntimeDefault, drops ALL, no escalation; hostNetwork false",
    },
} as const satisfies Record<string, ThirdPartyPodSecurity>;

/**
 * istiod chart values that give istiod and the gateway pods it deploys the RuntimeDefault seccomp profile, the one
 * restricted setting Istio 1.30.3 leaves to the installer (values.yaml: `seccompProfile: {}` and
 * `gateways.seccompProfile: {}`, "Set to `type: RuntimeDefault` to use the default profile").
 */
export const ISTIO_RESTRICTED_VALUES = {
    seccompProfile: { type: "RuntimeDefault" },
    gateways: { seccompProfile: { type: "RuntimeDefault" } },
} as const;
