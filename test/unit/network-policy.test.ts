import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import { WELL_LIT_PATHS } from "../../components/catalog/presets";
import { LlmdModel, LlmdModelArgs } from "../../components/model";
import { LlmdPlatform, LlmdPlatformArgs } from "../../components/platform";
import { GatewayImplementation } from "../../components/catalog/gateways";
import { resolveNetworkPolicySettings } from "../../components/render/network-policy";
import { K8sObject } from "../../components/render/types";
import { isKubernetesObject } from "../../stacks/plan";
import { runWithMocks } from "../../stacks/mock-engine";
import { assertConfigError, thrown } from "../support/config-errors";
import { Pod, Source, admits, inCidr } from "../support/network-policy-eval";
import { podTemplates } from "../support/pool-ports";
import { h100IbPool as h100 } from "../support/pools";
import { validateObject } from "../support/schema";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const network = { rdmaDevices: ["mlx5_0:1", "mlx5_1:1"] };

async function render(platform: Omit<LlmdPlatformArgs, "kubernetesProvider">, model: Omit<LlmdModelArgs, "platform" | "kubernetesProvider">): Promise<K8sObject[]> {
    const { resources } = await runWithMocks(
        () => {
            const kubernetesProvider = new k8s.Provider("k8s", { kubeconfig: "fake" });
            // RDMA models share the platform namespace in some cases: only a privileged namespace admits them.
            const p = new LlmdPlatform("shared", { podSecurity: "privileged", ...platform, leaderWorkerSet: true, kubernetesProvider });
            new LlmdModel("qwen", { ...model, platform: p.ref, kubernetesProvider });
        },
        { stack: "test", preview: true },
    );
    return resources.filter(isKubernetesObject).map((r) => r.inputs as K8sObject);
}

/** A pod of a rendered workload, with its named container ports (running containers and native sidecars). */
interface RenderedPod extends Pod {
    owner: string;
    ports: { name: string; port: number }[];
}

function renderedPods(objects: K8sObject[]): RenderedPod[] {
    const namespaceOf = new Map((objects as Json[]).map((o) => [o.metadata.name, o.metadata.namespace]));
    return podTemplates(objects).map(({ owner, template }) => {
        const running = [...(template.spec.containers ?? []), ...(template.spec.initContainers ?? []).filter((c: Json) => c.restartPolicy === "Always")];
        const workload = owner.replace(/ \((leader|worker)\)$/, "");
        return {
            owner,
            namespace: namespaceOf.get(workload),
            labels: template.metadata.labels,
            ports: running.flatMap((c: Json) => (c.ports ?? []).map((p: Json) => ({ name: p.name, port: p.containerPort }))),
        };
    });
}

const PROMETHEUS: Source = { namespace: "llmd-monitoring", labels: { app: "prometheus" } };
const STRANGER: Source = { namespace: "elsewhere", labels: { app: "curl" } };
const INTERNET: Source = { ip: "203.0.113.9" };
const GKE_PROXY: Source = { ip: "10.129.0.7" };
const GKE_HEALTH_CHECK: Source = { ip: "35.191.3.4" };

/**
 * Every flow the rendered objects imply, independently of the policies: the InferencePool's target ports and
 * endpoint picker, the monitors' ports, the P/D pair and the LeaderWorkerSet groups, the KV-event sockets.
 */
function expected(objects: K8sObject[], implementation: string, gatewayPod: Source | undefined, source: { name: string; src: Source; pod?: RenderedPod }, dest: RenderedPod, port: { name: string; port: number }): boolean {
    const pool = (objects as Json[]).find((o) => o.kind === "InferencePool");
    const targetPorts: number[] = pool ? pool.spec.targetPorts.map((p: Json) => p.number) : [];
    const gke = implementation === "gke";
    const fromGateway = gke ? source.src === GKE_PROXY || source.src === GKE_HEALTH_CHECK : gatewayPod !== undefined && source.src === gatewayPod;
    const role = dest.labels["app.kubernetes.io/component"];
    const srcRole = source.pod?.labels["app.kubernetes.io/component"];
    if (role === "router") {
        switch (port.name) {
            case "grpc":
                return fromGateway && pool?.spec.endpointPickerRef.port.number === port.port;
            case "grpc-health":
                return gke && fromGateway;
            case "metrics":
                return source.src === PROMETHEUS;
            case "kv-events":
                return srcRole === "model-server";
            case "http":
                return true; // the standalone proxy: the entry point without a Gateway
            default:
                return false;
        }
    }
    if (role === "model-server") {
        const instance = (p: Pod | undefined) => p?.labels["app.kubernetes.io/instance"];
        const nixl = (p: RenderedPod) => p.ports.some((q) => q.name === "nixl");
        const sameSet = source.pod !== undefined && srcRole === "model-server" && instance(source.pod) === instance(dest) && /\((leader|worker)\)/.test(dest.owner);
        const pdPair = source.pod !== undefined && srcRole === "model-server" && nixl(source.pod) && nixl(dest) && source.pod.labels["llm-d.ai/role"] !== dest.labels["llm-d.ai/role"];
        if (sameSet || pdPair) {
            return true;
        }
        const engine = /^modelserver/.test(port.name);
        const fromRouter = srcRole === "router" && (engine || /^sidecar/.test(port.name) || port.name === "kv-events" || port.name === "kv-replay");
        return (fromGateway && targetPorts.includes(port.port)) || fromRouter || (source.src === PROMETHEUS && engine);
    }
    if (dest.labels.app === "payload-processor") {
        return fromGateway && (port.name === "grpc" || (gke && port.name === "grpc-health"));
    }
    return false;
}

describe("NetworkPolicies: every flow the serving path needs is admitted, and nothing else", () => {
    const implementations = ["istio", "agentgateway", "kgateway", "gke", "none"] as const;
    const variants: [string, Omit<LlmdModelArgs, "platform" | "kubernetesProvider">][] = [
        ...WELL_LIT_PATHS.map((preset): [string, Omit<LlmdModelArgs, "platform" | "kubernetesProvider">] => [
            `${preset}${preset === "simulator" ? "" : " on H100"}`,
            preset === "simulator" ? { preset } : { preset, pools: [h100], network },
        ]),
        ["precise-prefix-cache on the simulator", { preset: "precise-prefix-cache", simulate: true }],
    ];
    // Every pair of factors is covered (each implementation with each path, and each of them with the model in
    // its own namespace and in the platform's); the full cube took half a minute of the suite for no pair more.
    implementations.forEach((implementation, i) => {
        variants.forEach(([title, model], j) => {
            const ownNamespace = (i + j) % 2 === 0;
            {
                it(`${title}, ${implementation}, model in ${ownNamespace ? "its own namespace" : "the platform namespace"}`, async () => {
                    const objects = await render({ gateway: { implementation } }, { ...model, ...(ownNamespace ? { namespace: "team-a" } : {}) });
                    const policies = objects.filter((o) => o.kind === "NetworkPolicy");
                    policies.forEach((p) => assert.deepStrictEqual(validateObject(p), [], p.metadata.name));
                    const pods = renderedPods(objects);
                    const gatewayName = (objects as Json[]).find((o) => o.kind === "Gateway")?.metadata.name;
                    const gatewayPod: Source | undefined =
                        gatewayName && implementation !== "gke" ? { namespace: "llm-d", labels: { "gateway.networking.k8s.io/gateway-name": gatewayName } } : undefined;
                    const sources = [
                        ...pods.map((pod) => ({ name: pod.owner, src: pod as Source, pod })),
                        { name: "prometheus", src: PROMETHEUS },
                        { name: "a pod in another namespace", src: STRANGER },
                        { name: "an unlabelled pod in the model's namespace", src: { namespace: ownNamespace ? "team-a" : "llm-d", labels: {} } as Source },
                        { name: "an internet address", src: INTERNET },
                        ...(gatewayPod ? [{ name: "the gateway", src: gatewayPod }] : []),
                        ...(implementation === "gke" ? [{ name: "GKE proxy", src: GKE_PROXY }, { name: "GKE health check", src: GKE_HEALTH_CHECK }] : []),
                    ];
                    const wrong: string[] = [];
                    let admitted = 0;
                    for (const dest of pods) {
                        for (const port of dest.ports) {
                            for (const source of sources) {
                                const want = expected(objects, implementation, gatewayPod, source, dest, port);
                                const got = admits(objects, source.src, dest, port.port);
                                admitted += got ? 1 : 0;
                                if (want !== got) {
                                    wrong.push(`${source.name} -> ${dest.owner}:${port.port} (${port.name}): ${got ? "admitted" : "denied"}, expected ${want ? "admitted" : "denied"}`);
                                }
                            }
                        }
                    }
                    assert.deepStrictEqual(wrong, []);
                    assert.ok(admitted > 0, "some flow must be admitted");
                    // The Gateway's own pods are the entry point: open to all, yet nobody reaches the rest of the namespace.
                    if (gatewayPod) {
                        const gw = gatewayPod as Pod;
                        assert.ok(admits(objects, INTERNET, gw, 80) && admits(objects, STRANGER, gw, 8080));
                    }
                    assert.ok(!admits(objects, STRANGER, { namespace: "llm-d", labels: { app: "something-else" } }, 8080), "the platform namespace denies by default");
                });
            }
        });
    });
});

describe("NetworkPolicies: settings", () => {
    it("default: on, scraping from llmd's monitoring namespace (and GMP's on GKE), the GKE gateway from Google's health-check and private ranges", () => {
        assert.deepStrictEqual(resolveNetworkPolicySettings(undefined, GatewayImplementation.Istio), { enabled: true, monitoringNamespaces: ["llmd-monitoring"], gatewaySourceRanges: [] });
        const gke = resolveNetworkPolicySettings(undefined, GatewayImplementation.Gke);
        assert.deepStrictEqual(gke.monitoringNamespaces, ["llmd-monitoring", "gmp-system"]);
        assert.ok(gke.gatewaySourceRanges.includes("35.191.0.0/16") && gke.gatewaySourceRanges.includes("10.0.0.0/8"));
    });

    it("narrows the GKE gateway to the proxy-only subnet given", async () => {
        const objects = await render({ gateway: { implementation: "gke" }, networkPolicies: { gatewaySourceRanges: ["10.129.0.0/23"] } }, { preset: "simulator" });
        const router = renderedPods(objects).find((p) => p.labels["app.kubernetes.io/component"] === "router")!;
        assert.ok(admits(objects, GKE_PROXY, router, 9002));
        assert.ok(!admits(objects, { ip: "10.0.0.5" }, router, 9002));
        assert.ok(inCidr("10.129.1.255", "10.129.0.0/23") && !inCidr("10.129.2.0", "10.129.0.0/23"));
    });

    it("enabled: false renders none", async () => {
        const objects = await render({ networkPolicies: { enabled: false } }, { preset: "simulator", namespace: "team-a" });
        assert.deepStrictEqual(objects.filter((o) => o.kind === "NetworkPolicy"), []);
    });

    it("rejects bad settings, naming the field", () => {
        assertConfigError(thrown(() => resolveNetworkPolicySettings({ enabled: "no" }, GatewayImplementation.Istio)), "networkPolicies.enabled");
        assertConfigError(thrown(() => resolveNetworkPolicySettings({ monitoringNamespaces: "monitoring" }, GatewayImplementation.Istio)), "networkPolicies.monitoringNamespaces");
        assertConfigError(thrown(() => resolveNetworkPolicySettings({ monitoringNamespaces: ["Bad_NS"] }, GatewayImplementation.Istio)), "networkPolicies.monitoringNamespaces[0]");
        assertConfigError(thrown(() => resolveNetworkPolicySettings({ gatewaySourceRanges: ["10.0.0.0/8"] }, GatewayImplementation.Istio)), "networkPolicies.gatewaySourceRanges");
        assertConfigError(thrown(() => resolveNetworkPolicySettings({ gatewaySourceRanges: ["10.0.0.300/8"] }, GatewayImplementation.Gke)), "networkPolicies.gatewaySourceRanges[0]");
        assertConfigError(thrown(() => resolveNetworkPolicySettings([] as any, GatewayImplementation.Gke)), "networkPolicies");
    });
});
