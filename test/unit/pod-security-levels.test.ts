import * as assert from "assert";
import { GATEWAY_PROXY_POD_SECURITY } from "../../components/catalog/pod-security";
import { resolveMultiModel } from "../../components/render/multi-model";
import { resolvePlatformSpec } from "../../components/render/platform";
import { lowestLevel, meetsLevel, podSecurityLabels, podSecurityLevel } from "../../components/render/pod-security-standards";
import { assertConfigError, thrown } from "../support/config-errors";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A pod that meets restricted; each case below changes one thing. */
function pod(container: Json = {}, podLevel: Json = {}): Json {
    return {
        securityContext: { seccompProfile: { type: "RuntimeDefault" }, ...podLevel },
        containers: [{ name: "c", image: "x", securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, ...container } }],
    };
}

describe("Pod Security levels", () => {
    it("places a pod at the strictest level it meets", () => {
        assert.strictEqual(podSecurityLevel(pod()), "restricted");
        // Running as root is allowed by baseline, not by restricted.
        assert.strictEqual(podSecurityLevel(pod({ runAsNonRoot: undefined })), "baseline");
        // RDMA's capabilities are beyond baseline; NET_BIND_SERVICE is the one restricted allows.
        assert.strictEqual(podSecurityLevel(pod({ capabilities: { drop: ["ALL"], add: ["IPC_LOCK"] } })), "privileged");
        assert.strictEqual(podSecurityLevel(pod({ capabilities: { drop: ["ALL"], add: ["SYS_RAWIO"] } })), "privileged");
        assert.strictEqual(podSecurityLevel(pod({ capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } })), "restricted");
        assert.strictEqual(podSecurityLevel(pod({ privileged: true })), "privileged");
        assert.strictEqual(podSecurityLevel({ ...pod(), hostNetwork: true }), "privileged");
        assert.strictEqual(podSecurityLevel({ ...pod(), volumes: [{ name: "h", hostPath: { path: "/" } }] }), "privileged");
        // The sysctl Istio and agentgateway set on their proxies is a safe one.
        assert.strictEqual(podSecurityLevel(pod({}, { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] })), "restricted");
        assert.strictEqual(podSecurityLevel(pod({}, { seccompProfile: undefined })), "baseline");
    });

    it("a namespace can enforce only the lowest level of its pods", () => {
        assert.strictEqual(lowestLevel([]), "restricted");
        assert.strictEqual(lowestLevel(["restricted", "baseline"]), "baseline");
        assert.strictEqual(lowestLevel(["baseline", "privileged", "restricted"]), "privileged");
        assert.ok(meetsLevel("restricted", "baseline"));
        assert.ok(!meetsLevel("baseline", "restricted"));
    });

    it("labels enforce the level and warn and audit at restricted, all at the pinned policy version", () => {
        assert.deepStrictEqual(podSecurityLabels("baseline"), {
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/enforce-version": "v1.33",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/warn-version": "v1.33",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/audit-version": "v1.33",
        });
    });
});

describe("the platform namespace's Pod Security level", () => {
    it("defaults to the platform's own pods' level, at most baseline", () => {
        assert.strictEqual(resolvePlatformSpec("p", {}).podSecurity, "baseline");
        assert.strictEqual(resolvePlatformSpec("p", {}).ownPodSecurity.level, "restricted");
        // agentgateway's proxies set no seccomp profile.
        assert.strictEqual(resolvePlatformSpec("p", { gateway: { implementation: "agentgateway" } }).ownPodSecurity.level, GATEWAY_PROXY_POD_SECURITY.agentgateway.level);
        assert.strictEqual(resolvePlatformSpec("p", { gateway: { implementation: "kgateway" } }).podSecurity, "privileged");
    });

    it("takes a level the platform's own pods meet, and refuses a stricter one naming what falls short", () => {
        assert.strictEqual(resolvePlatformSpec("p", { podSecurity: "restricted" }).podSecurity, "restricted");
        assert.strictEqual(resolvePlatformSpec("p", { podSecurity: "restricted" }).ref.podSecurity, "restricted");
        const err = thrown(() => resolvePlatformSpec("p", { gateway: { implementation: "agentgateway" }, podSecurity: "restricted" }));
        assertConfigError(err, "podSecurity", ["meet only baseline", "agentgateway gateway proxy"]);
        assertConfigError(thrown(() => resolvePlatformSpec("p", { podSecurity: "strict" })), "podSecurity", ["restricted, baseline, privileged"]);
    });

    it("with every model known, enforces the strictest level all pods in the namespace meet", () => {
        const sims = resolveMultiModel("p", {}, [{ name: "a", preset: "simulator" }, { name: "b", preset: "simulator", model: "org/b" }]);
        assert.strictEqual(sims.platform.podSecurity, "restricted");
        assert.strictEqual(sims.models[0].platform, sims.platform.ref);
        const mixed = resolveMultiModel("p", {}, [{ name: "a", preset: "simulator" }, { name: "b", accelerator: "amd-mi300x", model: "org/b" }]);
        assert.strictEqual(mixed.platform.podSecurity, "baseline");
        // A model elsewhere does not lower the platform namespace.
        const apart = resolveMultiModel("p", {}, [{ name: "a", preset: "simulator" }, { name: "b", accelerator: "amd-mi300x", model: "org/b", namespace: "team-b" }]);
        assert.strictEqual(apart.platform.podSecurity, "restricted");
        assert.strictEqual(apart.models[1].podSecurity.level, "baseline");
    });
});
