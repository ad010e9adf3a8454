/**
 * The Kubernetes Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
 * baseline and restricted levels, as a checker over a pod spec, and the namespace labels that make the Pod
 * Security admission controller enforce a level. Each finding names the rule and where it failed, so a test can
 * list exceptions with their reasons. Windows-only, AppArmor annotation and probe/lifecycle `host` checks are
 * left out: llmd renders none of them. Pure.
 */
import { POD_SECURITY_STANDARDS } from "../catalog/versions";

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

/** Pod Security Standards levels, strictest first. */
export const PodSecurityLevel = {
    Restricted: "restricted",
    Baseline: "baseline",
    Privileged: "privileged",
} as const;
/** One of the values of `PodSecurityLevel`. */
export type PodSecurityLevel = (typeof PodSecurityLevel)[keyof typeof PodSecurityLevel];

/** Every level, strictest first. */
export const POD_SECURITY_LEVELS: PodSecurityLevel[] = [PodSecurityLevel.Restricted, PodSecurityLevel.Baseline, PodSecurityLevel.Privileged];

/** The strictest level `spec` meets. */
export function podSecurityLevel(spec: Json): PodSecurityLevel {
    if (baselineViolations(spec).length > 0) {
        return PodSecurityLevel.Privileged;
    }
    return restrictedViolations(spec).length > 0 ? PodSecurityLevel.Baseline : PodSecurityLevel.Restricted;
}

/** The least strict of `levels` (restricted for none): what a namespace holding all of them can enforce. */
export function lowestLevel(levels: PodSecurityLevel[]): PodSecurityLevel {
    return levels.reduce((a, b) => (POD_SECURITY_LEVELS.indexOf(b) > POD_SECURITY_LEVELS.indexOf(a) ? b : a), PodSecurityLevel.Restricted);
}

/** True when a pod at level `pod` is admitted by a namespace enforcing `enforced`. */
export function meetsLevel(pod: PodSecurityLevel, enforced: PodSecurityLevel): boolean {
    return POD_SECURITY_LEVELS.indexOf(pod) <= POD_SECURITY_LEVELS.indexOf(enforced);
}

/**
 * Namespace labels that enforce `level` and warn about and audit anything short of restricted, each at the pinned
 * policy version (a cluster upgrade then never tightens the rules under running pods).
 */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
    const version = POD_SECURITY_STANDARDS.version;
    return {
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/enforce-version": version,
        "pod-security.kubernetes.io/warn": PodSecurityLevel.Restricted,
        "pod-security.kubernetes.io/warn-version": version,
        "pod-security.kubernetes.io/audit": PodSecurityLevel.Restricted,
        "pod-security.kubernetes.io/audit-version": version,
    };
}

/** The pod specs of the workloads among `objects` (Deployments, DaemonSets, StatefulSets, Jobs, LeaderWorkerSets). */
export function workloadPodSpecs(objects: readonly { kind: string }[]): Json[] {
    return (objects as Json[]).flatMap((o) => {
        if (["Deployment", "DaemonSet", "StatefulSet", "Job"].includes(o.kind)) {
            return [o.spec.template.spec];
        }
        if (o.kind === "LeaderWorkerSet") {
            const t = o.spec.leaderWorkerTemplate;
            return [...(t.leaderTemplate ? [t.leaderTemplate.spec] : []), t.workerTemplate.spec];
        }
        return [];
    });
}
