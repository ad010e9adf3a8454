/**
 * Security settings of model-server pods, as close to the Pod Security "restricted" profile as the workload
 * allows. Every capability is dropped and only what RDMA needs is added back, on RDMA pods only (IPC_LOCK to
 * pin memory for the NIC, SYS_RAWIO for GPU-initiated transfers).
 *
 * `runAsNonRoot` is set on the vLLM container only where the image's Dockerfile sets a numeric non-root USER
 * (`nonRootUser` in catalog/versions.ts: llm-d-cuda v0.9.0 runs as 2000, llm-d-inference-sim v0.10.2 as 65532),
 * so the kubelet can check it; the UID the container runs as does not change. The other pinned images are taken
 * to run as root: llm-d-rocm v0.8.1 (llm-d/llm-d docker/Dockerfile.rocm: FROM vllm/vllm-openai-rocm, no USER),
 * and vllm/vllm-openai, vllm-openai-cpu and vllm-tpu, whose Dockerfiles in vllm-project/vllm (docker/Dockerfile,
 * Dockerfile.cpu, Dockerfile.tpu; read on main, not at the pinned tags) set no USER on the published target
 * (the CUDA Dockerfile's non-root variant is a separate, opt-in `vllm-openai-nonroot` target). Pods that add
 * capabilities run as UID 0 (`runAsUser: 0`, which only changes anything on an image whose USER is non-root):
 * capabilities added to a non-root process are not effective in Kubernetes (no ambient capabilities), so on
 * llm-d-cuda's UID 2000 IPC_LOCK would be granted and never usable; llm-d's wide-EP guide runs those containers
 * as UID 0 for the same reason. A user's own image is not assumed to be non-root.
 *
 * The routing sidecar's image runs as non-root and gets the full restricted settings. vLLM never calls the
 * Kubernetes API, so its pods mount no service-account token. Pure.
 */
import { runsAsNonRoot } from "../catalog/versions";
import { RESTRICTED_CONTAINER_SECURITY } from "./pod-security";

/**
 * The vLLM container's securityContext: privileged only when asked (RDMA with GPU-initiated transfers), else no
 * escalation and only `capabilities` added (as UID 0, so they take effect), and `runAsNonRoot` where `image`
 * is known to run as non-root and nothing is added.
 */
export function engineSecurityContext(privileged: boolean, capabilities: string[], image: string): Record<string, unknown> {
    // Kubernetes rejects privileged together with allowPrivilegeEscalation: false.
    if (privileged) {
        return { privileged: true };
    }
    return {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"], ...(capabilities.length ? { add: [...capabilities] } : {}) },
        ...(capabilities.length === 0 && runsAsNonRoot(image) ? { runAsNonRoot: true } : {}),
        ...(capabilities.length > 0 ? { runAsUser: 0 } : {}),
    };
}

/** The routing sidecar's securityContext: restricted. */
export function sidecarSecurityContext(): Record<string, unknown> {
    return { ...RESTRICTED_CONTAINER_SECURITY, capabilities: { drop: [...RESTRICTED_CONTAINER_SECURITY.capabilities.drop] } };
}

/** Pod-level settings: no API token in pods that never use the API. */
export const MODEL_SERVER_POD_SETTINGS = { automountServiceAccountToken: false } as const;
