import * as assert from "assert";
import { GATEWAY_IMPLEMENTATIONS, GatewayImplementation } from "../../components/catalog/gateways";
import { LlmdConfigError } from "../../components/errors";
import { SCHEDULER_PROFILES } from "../../components/render/router-config";
import { RouterInput, renderRouter, resolveRouterSpec } from "../../components/render/router";
import { validateObject } from "../support/schema";

const base: RouterInput = {
    name: "qwen",
    namespace: "llm-d",
    modelServerSelector: { "llm-d.ai/inference-serving": "true", "llm-d.ai/model": "qwen3" },
};
const TOKENIZER_MODEL = "Qwen/Qwen3-0.6B";

function variants(): [string, RouterInput][] {
    const out: [string, RouterInput][] = [];
    for (const profile of SCHEDULER_PROFILES) {
        for (const impl of GATEWAY_IMPLEMENTATIONS) {
            for (const replicas of [1, 3]) {
                const input: RouterInput = {
                    ...base,
                    schedulerProfile: profile,
                    replicas,
                    tokenizerModel: profile === "precise-prefix-cache" ? TOKENIZER_MODEL : undefined,
                    gatewayImplementation: impl,
                    gateway: impl === GatewayImplementation.None ? undefined : { name: "inference-gateway", namespace: "gateway-system" },
                    targetPorts: replicas > 1 ? [8000, 8001, 8002, 8003] : [8000],
                    failureMode: replicas > 1 ? "FailClose" : "FailOpen",
                };
                out.push([`${profile} / ${impl} / ${replicas} replica(s)`, input]);
            }
        }
        // Without a gateway the default is standalone (Envoy in the pod); also the bare router, and a custom port.
        out.push([`${profile} / none / bare router (standalone: false)`, { ...base, schedulerProfile: profile, tokenizerModel: profile === "precise-prefix-cache" ? TOKENIZER_MODEL : undefined, standalone: false }]);
        out.push([`${profile} / none / standalone on port 8080`, { ...base, schedulerProfile: profile, tokenizerModel: profile === "precise-prefix-cache" ? TOKENIZER_MODEL : undefined, proxyPort: 8080, proxyResources: { cpuRequest: "1", memoryRequest: "1Gi" } }]);
    }
    return out;
}

describe("router objects against the Kubernetes and CRD schemas", () => {
    for (const [what, input] of variants()) {
        it(`${what}: every object is valid`, () => {
            const objects = renderRouter(resolveRouterSpec(input));
            assert.ok(objects.length >= 6);
            for (const object of objects) {
                assert.deepStrictEqual(validateObject(object), [], `${object.kind} ${object.metadata.name}`);
            }
        });
    }

    // The validator must be able to fail, or the loop above proves nothing.
    it("the validator rejects a broken InferencePool and a broken Deployment", () => {
        const objects = renderRouter(resolveRouterSpec(base));
        const pool = structuredClone(objects.find((o) => o.kind === "InferencePool")!) as any;
        pool.spec.endpointPickerRef.failureMode = "FailSometimes";
        assert.notDeepStrictEqual(validateObject(pool), []);
        const deploy = structuredClone(objects.find((o) => o.kind === "Deployment")!) as any;
        deploy.spec.template.spec.containers[0].ports[0].containerPort = "grpc";
        assert.notDeepStrictEqual(validateObject(deploy), []);
    });

    it("standalone: the Deployment, Service and both ConfigMaps are checked, and a broken proxy container fails", () => {
        const objects = renderRouter(resolveRouterSpec(base));
        const kinds = objects.map((o) => o.kind);
        assert.strictEqual(kinds.filter((k) => k === "ConfigMap").length, 2);
        for (const object of objects.filter((o) => ["Deployment", "Service", "ConfigMap"].includes(o.kind))) {
            assert.deepStrictEqual(validateObject(object), [], `${object.kind} ${object.metadata.name}`);
        }
        const deploy = structuredClone(objects.find((o) => o.kind === "Deployment")!) as any;
        const proxy = deploy.spec.template.spec.containers.find((c: any) => c.name === "proxy");
        proxy.readinessProbe.httpGet.scheme = 7;
        assert.notDeepStrictEqual(validateObject(deploy), []);
        const svc = structuredClone(objects.find((o) => o.kind === "Service")!) as any;
        svc.spec.ports.find((p: any) => p.name === "http").port = "8081";
        assert.notDeepStrictEqual(validateObject(svc), []);
        const cm = structuredClone(objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.endsWith("-proxy"))!) as any;
        cm.data["envoy.yaml"] = { not: "a string" };
        assert.notDeepStrictEqual(validateObject(cm), []);
    });
});

describe("router bad input is rejected before anything renders", () => {
    const cases: [string, Partial<RouterInput>, string][] = [
        ["an empty model-server selector", { modelServerSelector: {} }, "modelServerSelector"],
        ["zero replicas", { replicas: 0 }, "replicas"],
        ["a port out of range", { targetPorts: [8000, 70000] }, "targetPorts[1]"],
        ["a failure mode the pool CRD does not allow", { failureMode: "Retry" }, "failureMode"],
        ["gatewayImplementation none with a gateway", { gateway: { name: "gw", namespace: "gw" }, gatewayImplementation: "none" }, "gatewayImplementation"],
        ["a gateway implementation without a gateway", { gatewayImplementation: "gke" }, "gateway"],
        ["an unknown scheduler profile", { schedulerProfile: "random" }, "schedulerProfile"],
        ["a raw config that is not an EndpointPickerConfig", { schedulerConfig: "apiVersion: v1\nkind: ConfigMap\n" }, "schedulerConfig"],
        ["standalone mode with a gateway", { standalone: true, gateway: { name: "gw", namespace: "gw" }, gatewayImplementation: "agentgateway" }, "standalone"],
        ["a standalone proxy port that clashes with the router's ext-proc port", { proxyPort: 9002 }, "proxyPort"],
        ["a standalone proxy port that clashes with the router's health port", { proxyPort: 9003 }, "proxyPort"],
        ["a standalone proxy port that clashes with the router's metrics port", { proxyPort: 9090 }, "proxyPort"],
    ];
    for (const [what, change, field] of cases) {
        it(`${what} names ${field}`, () => {
            assert.throws(
                () => renderRouter(resolveRouterSpec({ ...base, ...change })),
                (e: unknown) => e instanceof LlmdConfigError && e.field === field && e.message.includes(field),
            );
        });
    }
});
