/**
 * OpenShift admits every pod under a SecurityContextConstraints (SCC). llmd pins no UID, so the default
 * `restricted-v2` admits the router and plain vLLM pods; it drops every capability, though, so model servers
 * wired for RDMA (IPC_LOCK, SYS_RAWIO) are rejected. This file renders the one grant they need: an SCC that is
 * restricted-v2 plus exactly those capabilities, a ClusterRole allowed to `use` it, and a RoleBinding of that
 * role to the model servers' ServiceAccount in the serving namespace. Pure.
 *
 * Facts (OpenShift's restricted-v2 manifest in cluster-kube-apiserver-operator and the SCC CRD in
 * openshift/api): pods get an SCC their own ServiceAccount (or creator) may `use`; among the usable ones the
 * most restrictive that admits the pod wins at equal priority, so pods without capabilities keep
 * restricted-v2 even when their account can also use this SCC.
 */
import { Interconnect } from "../catalog/accelerators";
import { INTERCONNECTS } from "../catalog/networking";
import { K8sObject } from "./types";
import { LLMD_LABELS } from "./labels";

/**
 * Every capability a model server adds for RDMA, as the fabric catalog lists them: the SCC allows these and
 * nothing else.
 */
export const RDMA_POD_CAPABILITIES: readonly string[] = Array.from(
    new Set((Object.keys(INTERCONNECTS) as Interconnect[]).flatMap((id) => INTERCONNECTS[id].capabilities)),
);

/** The volume types llmd's pods mount (the service-account token is a projected volume). */
export const SCC_VOLUMES = ["configMap", "downwardAPI", "emptyDir", "persistentVolumeClaim", "projected", "secret"];

/** What to render for one deployment. */
export interface OpenShiftSccSpec {
    /** The deployment's name (labels and namespaced names). */
    deployment: string;
    /** The serving namespace (the RoleBinding and ServiceAccount live there). */
    namespace: string;
    /** Cluster-scoped SCC name; includes the namespace so deployments of one name in two namespaces do not clash. */
    sccName: string;
    /** ClusterRole allowed to use the SCC. */
    clusterRoleName: string;
    /** RoleBinding (in `namespace`) of the ClusterRole to the ServiceAccount. */
    roleBindingName: string;
    /** ServiceAccount the model servers that need the SCC run as. */
    serviceAccountName: string;
    /**
     * Some model server runs a privileged container (`network.privileged`, GPU-initiated RDMA): the SCC must
     * then allow privileged containers and privilege escalation, which Kubernetes requires alongside them.
     */
    privileged: boolean;
}

/** Names for one deployment's SCC objects. */
export function openShiftSccSpec(deployment: string, namespace: string, privileged: boolean): OpenShiftSccSpec {
    const sccName = `llmd-${namespace}-${deployment}-rdma`;
    return {
        deployment,
        namespace,
        sccName,
        clusterRoleName: `${sccName}-use`,
        roleBindingName: `${deployment}-rdma-scc`,
        serviceAccountName: `${deployment}-model-server`,
        privileged,
    };
}

function labels(spec: OpenShiftSccSpec): Record<string, string> {
    return {
        "app.kubernetes.io/instance": spec.deployment,
        "app.kubernetes.io/component": "model-server",
        ...LLMD_LABELS,
    };
}

/** The ServiceAccount the RDMA model servers run as. */
export function renderOpenShiftServiceAccount(spec: OpenShiftSccSpec): K8sObject {
    return {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: spec.serviceAccountName, namespace: spec.namespace, labels: labels(spec) },
    };
}

/** [SecurityContextConstraints, ClusterRole, RoleBinding] for the model servers that add RDMA capabilities. */
export function renderOpenShiftScc(spec: OpenShiftSccSpec): K8sObject[] {
    const scc: K8sObject = {
        apiVersion: "security.openshift.io/v1",
        kind: "SecurityContextConstraints",
        metadata: {
            name: spec.sccName,
            labels: labels(spec),
            annotations: {
                "kubernetes.io/description":
                    `restricted-v2 plus the capabilities RDMA needs (${RDMA_POD_CAPABILITIES.join(", ")}) and UID 0 to use them, for the llm-d model servers ` +
                    `of ${spec.namespace}/${spec.deployment}` + (spec.privileged ? "; privileged containers allowed for GPU-initiated RDMA" : ""),
            },
        },
        // Same priority as restricted-v2: the more restrictive SCC is tried first, so only pods that need
        // the capabilities land here.
        priority: 0,
        allowPrivilegedContainer: spec.privileged,
        // restricted-v2 forbids escalation; a privileged container implies it, and Kubernetes rejects
        // privileged together with allowPrivilegeEscalation: false.
        allowPrivilegeEscalation: spec.privileged,
        allowHostDirVolumePlugin: false,
        allowHostIPC: false,
        allowHostNetwork: false,
        allowHostPID: false,
        allowHostPorts: false,
        allowedCapabilities: [...RDMA_POD_CAPABILITIES],
        defaultAddCapabilities: [],
        // As restricted-v2: every capability not requested is dropped; requested ones must be allowed above.
        requiredDropCapabilities: ["ALL"],
        readOnlyRootFilesystem: false,
        // The pods run as UID 0 because capabilities added to a non-root process are not effective
        // (model-server-security.ts); restricted-v2's MustRunAsRange would refuse them.
        runAsUser: { type: "RunAsAny" },
        seLinuxContext: { type: "MustRunAs" },
        fsGroup: { type: "MustRunAs" },
        supplementalGroups: { type: "RunAsAny" },
        // The pods set RuntimeDefault; an SCC without profiles would reject any profile at all.
        seccompProfiles: ["runtime/default"],
        volumes: [...SCC_VOLUMES],
        // Granted through RBAC (the ClusterRole below), never to users or groups directly.
        users: [],
        groups: [],
    };
    const clusterRole: K8sObject = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: spec.clusterRoleName, labels: labels(spec) },
        rules: [{ apiGroups: ["security.openshift.io"], resources: ["securitycontextconstraints"], resourceNames: [spec.sccName], verbs: ["use"] }],
    };
    // A RoleBinding, not a ClusterRoleBinding: the account may use the SCC in the serving namespace only.
    const roleBinding: K8sObject = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: spec.roleBindingName, namespace: spec.namespace, labels: labels(spec) },
        subjects: [{ kind: "ServiceAccount", name: spec.serviceAccountName, namespace: spec.namespace }],
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: spec.clusterRoleName },
    };
    return [scc, clusterRole, roleBinding];
}
