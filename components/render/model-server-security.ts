/**
 * Security settings of model-server pods, as close to the Pod Security "restricted" profile as the workload
 * allows. Every capability is dropped and only what RDMA needs is added back, on RDMA pods only (IPC_LOCK to
 * pin memory for the NIC, SYS_RAWIO for GPU-initiated transfers). The vLLM container does not set
 * `runAsNonRoot`: the upstream vLLM and llm-d images run as root (their Dockerfiles set no USER), and running
 * them as another UID needs a writable HOME and caches that have not been verified yet. The routing sidecar's
 * image runs as non-root and gets the full restricted settings. vLLM never calls the Kubernetes API, so its
 * pods mount no service-account token. Pure.
 */
import { RESTRICTED_CONTAINER_SECURITY } from "./pod-security";

/** The vLLM container's securityContext: privileged only when asked (RDMA with GPU-initiated transfers), else no escalation and only `capabilities` added. */
export function engineSecurityContext(privileged: boolean, capabilities: string[]): Record<string, unknown> {
    // Kubernetes rejects privileged together with allowPrivilegeEscalation: false.
    if (privileged) {
        return { privileged: true };
    }
    return { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], ...(capabilities.length ? { add: [...capabilities] } : {}) } };
}

/** The routing sidecar's securityContext: restricted. */
export function sidecarSecurityContext(): Record<string, unknown> {
    return { ...RESTRICTED_CONTAINER_SECURITY, capabilities: { drop: [...RESTRICTED_CONTAINER_SECURITY.capabilities.drop] } };
}

/** Pod-level settings: no API token in pods that never use the API. */
export const MODEL_SERVER_POD_SETTINGS = { automountServiceAccountToken: false } as const;
