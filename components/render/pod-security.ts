/**
 * Pod Security Standards "restricted" settings for the small control-plane pods llmd renders itself (router
 * helpers, payload processor). Their images run as a non-root user already; `runAsNonRoot` makes the kubelet
 * refuse to start them otherwise instead of trusting the image.
 */

/** Pod-level part of the restricted profile. */
export const RESTRICTED_POD_SECURITY = {
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
} as const;

/** Container-level part of the restricted profile. */
export const RESTRICTED_CONTAINER_SECURITY = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    runAsNonRoot: true,
} as const;
