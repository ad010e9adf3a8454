import * as assert from "assert";
import { LlmdConfigError } from "../../components/errors";
import { BASE_MODEL_HEADER, IPP_MANAGED_LABEL, PAYLOAD_PROCESSOR_PORT, renderModelRouting, renderModelRoutingConfigMap } from "../../components/render/model-routing";
import { GATEWAY_ACCESS_LABEL, checkPlatformRef, resolvePlatformSpec } from "../../components/render/platform";
import { renderGateway } from "../../components/render/gateway";
import { K8sObject } from "../../components/render/types";
import { assertConfigError, thrown } from "../support/config-errors";
import { h100Pool } from "../support/pools";
import { validateObject } from "../support/schema";

function kinds(objects: K8sObject[]): string[] {
    return objects.map((o) => o.kind);
}


describe("LlmdPlatform: resolving", () => {
    it("defaults: namespace llm-d, Istio, routing by model through the payload processor, CRDs kept on destroy", () => {
        const spec = resolvePlatformSpec("shared", {});
        assert.strictEqual(spec.namespace, "llm-d");
        assert.strictEqual(spec.createNamespace, true);
        assert.strictEqual(spec.ref.gatewayImplementation, "istio");
        assert.strictEqual(spec.ref.modelRouting, "payload-processor");
        assert.strictEqual(spec.retainCrdsOnDelete, true);
        assert.strictEqual(spec.installCrds, true);
        assert.strictEqual(spec.gateway.installGatewayApiCrds, true);
        assert.strictEqual(spec.gateway.installInferenceExtensionCrds, true);
        assert.strictEqual(spec.ref.leaderWorkerSet, false);
        assert.deepStrictEqual(spec.namespaceLabels, { [GATEWAY_ACCESS_LABEL]: "shared" });
    });

    it("admits routes from every namespace labelled for the platform, not from all namespaces", () => {
        const spec = resolvePlatformSpec("shared", { namespace: "gw" });
        const gateway = renderGateway(spec.gateway);
        const listener = (gateway.spec as any).listeners[0];
        assert.deepStrictEqual(listener.allowedRoutes.namespaces, { from: "Selector", selector: { matchLabels: { [GATEWAY_ACCESS_LABEL]: "shared" } } });
        assert.deepStrictEqual(validateObject(gateway), []);
    });

    it("picks the routing mechanism each implementation has", () => {
        assert.strictEqual(resolvePlatformSpec("p", { gateway: { implementation: "gke" } }).ref.modelRouting, "payload-processor");
        assert.strictEqual(resolvePlatformSpec("p", { gateway: { implementation: "agentgateway" } }).ref.modelRouting, "agentgateway-policy");
        assert.strictEqual(resolvePlatformSpec("p", { gateway: { implementation: "kgateway" } }).ref.modelRouting, "none");
        assert.strictEqual(resolvePlatformSpec("p", { gateway: { implementation: "none" } }).ref.modelRouting, "none");
        assert.strictEqual(resolvePlatformSpec("p", { modelRouting: false }).ref.modelRouting, "none");
    });

    it("lets the cluster keep the CRDs it already has", () => {
        const spec = resolvePlatformSpec("p", { installCrds: false, gateway: { installGatewayApiCrds: false } });
        assert.strictEqual(spec.installCrds, false);
        assert.strictEqual(spec.gateway.installGatewayApiCrds, false);
        assert.strictEqual(spec.gateway.installInferenceExtensionCrds, false);
    });

    it("carries Kueue's queue to the models when topology-aware scheduling is on", () => {
        const spec = resolvePlatformSpec("p", { clusterProvider: "gke", topologyAwareScheduling: { topologyProfile: "gke-nodepool" }, pools: [h100Pool] });
        assert.ok(spec.topologyAwareScheduling);
        assert.deepStrictEqual(spec.ref.kueue?.localQueue, "llmd");
        assert.strictEqual(spec.topologyAwareScheduling!.namespace, "llm-d");
    });

    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
        ["routing by model on kgateway", { gateway: { implementation: "kgateway" }, modelRouting: true }, "modelRouting", /istio, gke or agentgateway/],
        ["routing flag not a boolean", { modelRouting: "yes" }, "modelRouting", /true or false/],
        ["namespace not a DNS label", { namespace: "LLM" }, "namespace", /lowercase/],
        ["unknown gateway", { gateway: { implementation: "nginx" } }, "gateway.implementation", /istio, agentgateway/],
        ["gateway not an object", { gateway: "istio" }, "gateway", /object/],
        ["listener port out of range", { gateway: { listenerPort: 70000 } }, "gateway.listenerPort", /1 to 65535/],
        ["retain flag not a boolean", { retainCrdsOnDelete: "no" }, "retainCrdsOnDelete", /true or false/],
        ["install flag not a boolean", { installCrds: 1 }, "installCrds", /true or false/],
        ["LWS installed and declared pre-installed", { leaderWorkerSet: true, leaderWorkerSetPreinstalled: true }, "leaderWorkerSetPreinstalled", /only one/],
        ["topology scheduling without a provider", { topologyAwareScheduling: {} }, "topologyAwareScheduling.clusterProvider", /set it \(or clusterProvider\)/],
        ["unknown cluster provider", { clusterProvider: "eks" }, "clusterProvider", /gke/],
    ];
    for (const [what, input, field, expected] of cases) {
        it(`rejects ${what}, naming ${field}`, () => {
            assertConfigError(thrown(() => resolvePlatformSpec("p", input as never)), field, expected);
        });
    }

    it("rejects a platform name that cannot label a namespace", () => {
        assertConfigError(thrown(() => resolvePlatformSpec("Shared_Platform", {})), "name", /lowercase/);
    });
});

describe("LlmdPlatform: a hand-written ref for a platform in another stack", () => {
    const good = { name: "p", namespace: "llm-d", gatewayImplementation: "istio", gatewayName: "llm-d-inference-gateway", modelRouting: "payload-processor", leaderWorkerSet: false };

    it("is accepted as it is, and keeps its identity", () => {
        assert.strictEqual(checkPlatformRef("platform", good), good);
    });

    const cases: Array<[string, Record<string, unknown>, string]> = [
        ["a routing mechanism the implementation lacks", { ...good, modelRouting: "agentgateway-policy" }, "platform.modelRouting"],
        ["no gateway name", { ...good, gatewayName: undefined }, "platform.gatewayName"],
        ["a gateway name with implementation none", { ...good, gatewayImplementation: "none", modelRouting: "none" }, "platform.gatewayName"],
        ["a string for leaderWorkerSet", { ...good, leaderWorkerSet: "true" }, "platform.leaderWorkerSet"],
        ["a bad namespace", { ...good, namespace: "" }, "platform.namespace"],
    ];
    for (const [what, ref, field] of cases) {
        it(`rejects ${what}, naming ${field}`, () => {
            const err = thrown(() => checkPlatformRef("platform", ref));
            assert.ok(err instanceof LlmdConfigError);
            assert.strictEqual(err.field, field, err.message);
        });
    }
});

describe("routing by model: what the platform renders", () => {
    const target = { namespace: "llm-d", gatewayName: "llm-d-inference-gateway" };

    it("Istio: the payload processor, an EnvoyFilter inserting it first on the Gateway, TLS without verification", () => {
        const objects = renderModelRouting("payload-processor", { ...target, implementation: "istio" });
        assert.deepStrictEqual(kinds(objects), ["ServiceAccount", "Role", "RoleBinding", "Deployment", "Service", "EnvoyFilter", "DestinationRule"]);
        const filter = objects.find((o) => o.kind === "EnvoyFilter")!.spec as any;
        assert.deepStrictEqual(filter.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: target.gatewayName }]);
        const patch = filter.configPatches[0].patch;
        assert.strictEqual(patch.operation, "INSERT_FIRST");
        // The cluster Istio builds for the processor's Service: a typo here silently disables routing.
        const service = objects.find((o) => o.kind === "Service")!;
        assert.strictEqual(
            patch.value.typed_config.grpc_service.envoy_grpc.cluster_name,
            `outbound|${PAYLOAD_PROCESSOR_PORT}||${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`,
        );
        assert.strictEqual(patch.value.typed_config.processing_mode.request_body_mode, "FULL_DUPLEX_STREAMED");
        const rule = objects.find((o) => o.kind === "DestinationRule")!.spec as any;
        assert.strictEqual(rule.host, `${service.metadata.name}.llm-d.svc.cluster.local`);
    });

    it("the processor reads ConfigMaps of its own namespace only, and runs restricted", () => {
        const objects = renderModelRouting("payload-processor", { ...target, implementation: "istio" });
        const role = objects.find((o) => o.kind === "Role") as any;
        assert.deepStrictEqual(role.rules, [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }]);
        assert.ok(!objects.some((o) => o.kind === "ClusterRole"));
        const pod = (objects.find((o) => o.kind === "Deployment")!.spec as any).template.spec;
        assert.strictEqual(pod.securityContext.runAsNonRoot, true);
        assert.strictEqual(pod.securityContext.seccompProfile.type, "RuntimeDefault");
        assert.deepStrictEqual(pod.containers[0].securityContext.capabilities, { drop: ["ALL"] });
        assert.deepStrictEqual(pod.containers[0].env[0], { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } });
        // The Service selects the pods the Deployment makes.
        const service = objects.find((o) => o.kind === "Service")!.spec as any;
        const labels = (objects.find((o) => o.kind === "Deployment")!.spec as any).template.metadata.labels;
        for (const [k, v] of Object.entries(service.selector)) {
            assert.strictEqual(labels[k], v);
        }
    });

    it("GKE: a GCPRoutingExtension on the Gateway and a gRPC health check of the processor", () => {
        const objects = renderModelRouting("payload-processor", { ...target, implementation: "gke" });
        assert.deepStrictEqual(kinds(objects).slice(-2), ["GCPRoutingExtension", "HealthCheckPolicy"]);
        const ext = objects.find((o) => o.kind === "GCPRoutingExtension")!.spec as any;
        assert.deepStrictEqual(ext.targetRefs[0].name, target.gatewayName);
        assert.deepStrictEqual(ext.extensionChains[0].extensions[0].backendRef, { group: "", kind: "Service", name: "payload-processor", port: PAYLOAD_PROCESSOR_PORT });
        assert.ok(ext.extensionChains[0].extensions[0].supportedEvents.includes("RequestBody"));
    });

    it("agentgateway: one PreRouting policy copying the body's model into the header", () => {
        const [policy] = renderModelRouting("agentgateway-policy", { ...target, implementation: "agentgateway" });
        const spec = policy.spec as any;
        assert.strictEqual(spec.traffic.phase, "PreRouting");
        assert.deepStrictEqual(spec.traffic.transformation.request.set, [{ name: BASE_MODEL_HEADER, value: "json(request.body).model" }]);
        assert.deepStrictEqual(validateObject(policy), []);
    });

    it("nothing without routing by model", () => {
        assert.deepStrictEqual(renderModelRouting("none", { ...target, implementation: "istio" }), []);
    });

    it("one ConfigMap per model, labelled for the processor, listing its adapters as a YAML list", () => {
        const map = renderModelRoutingConfigMap({ name: "llama", platformNamespace: "llm-d", servedModelName: "meta-llama/Llama-3.1-8B-Instruct", adapters: ["food-review", "cad"] });
        assert.strictEqual(map.metadata.namespace, "llm-d");
        assert.strictEqual(map.metadata.labels?.[IPP_MANAGED_LABEL], "true");
        assert.strictEqual((map.data as any).baseModel, "meta-llama/Llama-3.1-8B-Instruct");
        assert.deepStrictEqual(require("yaml").parse((map.data as any).adapters), ["food-review", "cad"]);
        assert.ok(!("adapters" in (renderModelRoutingConfigMap({ name: "q", platformNamespace: "llm-d", servedModelName: "q", adapters: [] }).data as object)));
    });

    it("every object is valid against its schema", () => {
        for (const implementation of ["istio", "gke"] as const) {
            for (const object of renderModelRouting("payload-processor", { ...target, implementation })) {
                assert.deepStrictEqual(validateObject(object), [], `${object.kind}`);
            }
        }
    });
});
