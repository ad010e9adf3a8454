/**
 * A small model of OpenShift's SCC admission, enough to tell whether an SCC admits a rendered pod: the checks
 * our pods can trip (capabilities, privileged, privilege escalation, volume types, host namespaces and ports,
 * a pinned UID against MustRunAsRange, seccomp profiles). Not the real admission plugin; it follows the
 * strategies as openshift/apiserver-library-go's sccmatching applies them.
 */
export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The fields of OpenShift's default `restricted-v2` SCC that admission reads, as shipped in
 * openshift/cluster-kube-apiserver-operator bindata/bootkube/scc-manifests/
 * 0000_20_kube-apiserver-operator_00_scc-restricted-v2.yaml (OpenShift 4.11+).
 */
export const RESTRICTED_V2: Json = {
    allowHostDirVolumePlugin: false,
    allowHostIPC: false,
    allowHostNetwork: false,
    allowHostPID: false,
    allowHostPorts: false,
    allowPrivilegeEscalation: false,
    allowPrivilegedContainer: false,
    allowedCapabilities: ["NET_BIND_SERVICE"],
    defaultAddCapabilities: null,
    requiredDropCapabilities: ["ALL"],
    runAsUser: { type: "MustRunAsRange" },
    seLinuxContext: { type: "MustRunAs" },
    fsGroup: { type: "MustRunAs" },
    supplementalGroups: { type: "RunAsAny" },
    seccompProfiles: ["runtime/default"],
    volumes: ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"],
};

const VOLUME_SOURCE_KEYS = new Set([
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret",
    "hostPath", "nfs", "iscsi", "glusterfs", "rbd", "cephfs", "flexVolume", "fc", "azureFile", "azureDisk",
]);

function seccompName(profile: Json): string | undefined {
    if (!profile) return undefined;
    return profile.type === "RuntimeDefault" ? "runtime/default" : profile.type === "Localhost" ? `localhost/${profile.localhostProfile}` : "unconfined";
}

/** Why `scc` would reject `pod` (a pod spec); [] when it admits it. */
export function admissionErrors(scc: Json, pod: Json): string[] {
    const errors: string[] = [];
    if (pod.hostNetwork && !scc.allowHostNetwork) errors.push("hostNetwork");
    if (pod.hostPID && !scc.allowHostPID) errors.push("hostPID");
    if (pod.hostIPC && !scc.allowHostIPC) errors.push("hostIPC");
    if (pod.securityContext?.runAsUser !== undefined && scc.runAsUser?.type === "MustRunAsRange") {
        // The namespace's range is random per namespace: a fixed UID falls outside it.
        errors.push(`runAsUser ${pod.securityContext.runAsUser} is pinned`);
    }
    const allowedVolumes: string[] = scc.volumes ?? [];
    for (const volume of pod.volumes ?? []) {
        const type = Object.keys(volume).find((k) => VOLUME_SOURCE_KEYS.has(k));
        if (!allowedVolumes.includes("*") && (!type || !allowedVolumes.includes(type))) {
            errors.push(`volume ${volume.name} of type ${type}`);
        }
    }
    const profiles: string[] = scc.seccompProfiles ?? [];
    const podProfile = seccompName(pod.securityContext?.seccompProfile);
    if (podProfile && !profiles.includes("*") && !profiles.includes(podProfile)) {
        errors.push(`pod seccomp ${podProfile}`);
    }
    const allowedCaps = new Set<string>([...(scc.allowedCapabilities ?? []), ...(scc.defaultAddCapabilities ?? [])]);
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
        const sc = c.securityContext ?? {};
        if (sc.privileged && !scc.allowPrivilegedContainer) errors.push(`${c.name}: privileged`);
        // With escalation forbidden the SCC defaults it to false; Kubernetes then rejects a privileged container.
        if ((sc.allowPrivilegeEscalation === true || sc.privileged) && scc.allowPrivilegeEscalation === false) {
            errors.push(`${c.name}: allowPrivilegeEscalation`);
        }
        if (!(scc.allowedCapabilities ?? []).includes("*")) {
            for (const cap of sc.capabilities?.add ?? []) {
                if (!allowedCaps.has(cap)) errors.push(`${c.name}: capability ${cap}`);
            }
        }
        if (sc.runAsUser !== undefined && scc.runAsUser?.type === "MustRunAsRange") errors.push(`${c.name}: runAsUser pinned`);
        const profile = seccompName(sc.seccompProfile);
        if (profile && !profiles.includes("*") && !profiles.includes(profile)) errors.push(`${c.name}: seccomp ${profile}`);
        for (const port of c.ports ?? []) {
            if (port.hostPort && !scc.allowHostPorts) errors.push(`${c.name}: hostPort ${port.hostPort}`);
        }
    }
    return errors;
}
