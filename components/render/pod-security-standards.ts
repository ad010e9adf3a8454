/**
 * The Kubernetes Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/,
 * policy version "latest"), baseline and restricted levels, as a checker over a pod spec. Each finding names the
 * rule and where it failed, so a test can list exceptions with their reasons. Windows-only and AppArmor
 * annotation checks are left out: llmd renders neither.
 */

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const BASELINE_CAPABILITIES = new Set([
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]);
const SAFE_SYSCTLS = new Set([
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
const RESTRICTED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);

function containersOf(spec: Json): Json[] {
    return [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/** Violations of the baseline level, as `<rule>: <where>`. */
export function baselineViolations(spec: Json): string[] {
    const out: string[] = [];
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
        if (spec[field] === true) {
            out.push(`host namespaces: ${field}`);
        }
    }
    for (const v of spec.volumes ?? []) {
        if (v.hostPath) {
            out.push(`hostPath volumes: ${v.name}`);
        }
    }
    const podSelinux = spec.securityContext?.seLinuxOptions;
    const checkSelinux = (where: string, o: Json) => {
        if (o && (!SELINUX_TYPES.has(o.type ?? "") || o.user !== undefined || o.role !== undefined)) {
            out.push(`SELinux: ${where}`);
        }
    };
    checkSelinux("pod", podSelinux);
    if (spec.securityContext?.seccompProfile?.type === "Unconfined") {
        out.push("seccomp: pod Unconfined");
    }
    for (const s of spec.securityContext?.sysctls ?? []) {
        if (!SAFE_SYSCTLS.has(s.name)) {
            out.push(`sysctls: ${s.name}`);
        }
    }
    for (const c of containersOf(spec)) {
        const sc = c.securityContext ?? {};
        if (sc.privileged === true) {
            out.push(`privileged: ${c.name}`);
        }
        for (const cap of sc.capabilities?.add ?? []) {
            if (!BASELINE_CAPABILITIES.has(cap)) {
                out.push(`capabilities (baseline): ${c.name} adds ${cap}`);
            }
        }
        for (const p of c.ports ?? []) {
            if (p.hostPort !== undefined && p.hostPort !== 0) {
                out.push(`host ports: ${c.name} ${p.hostPort}`);
            }
        }
        checkSelinux(c.name, sc.seLinuxOptions);
        if (sc.procMount !== undefined && sc.procMount !== "Default") {
            out.push(`/proc mount: ${c.name}`);
        }
        if (sc.seccompProfile?.type === "Unconfined") {
            out.push(`seccomp: ${c.name} Unconfined`);
        }
    }
    return out;
}

/** Violations of the restricted level (which includes baseline), as `<rule>: <where>`. */
export function restrictedViolations(spec: Json): string[] {
    const out = baselineViolations(spec);
    const pod = spec.securityContext ?? {};
    for (const v of spec.volumes ?? []) {
        const type = Object.keys(v).find((k) => k !== "name");
        if (type === undefined || !RESTRICTED_VOLUMES.has(type)) {
            out.push(`volume types: ${v.name} (${type})`);
        }
    }
    if (pod.runAsUser === 0) {
        out.push("running as non-root user: pod runAsUser 0");
    }
    for (const c of containersOf(spec)) {
        const sc = c.securityContext ?? {};
        if (sc.allowPrivilegeEscalation !== false) {
            out.push(`privilege escalation: ${c.name}`);
        }
        const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
        if (nonRoot !== true) {
            out.push(`running as non-root: ${c.name}`);
        }
        if (sc.runAsUser === 0) {
            out.push(`running as non-root user: ${c.name} runAsUser 0`);
        }
        const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
            out.push(`seccomp: ${c.name}`);
        }
        if (!(sc.capabilities?.drop ?? []).includes("ALL")) {
            out.push(`capabilities: ${c.name} does not drop ALL`);
        }
        for (const cap of sc.capabilities?.add ?? []) {
            if (cap !== "NET_BIND_SERVICE") {
                out.push(`capabilities: ${c.name} adds ${cap}`);
            }
        }
    }
    return out;
}
