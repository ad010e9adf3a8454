import * as assert from "assert";
import { GatewayImplementation } from "../../components/catalog/gateways";
import { CHARTS, MANIFESTS } from "../../components/catalog/versions";
import * as fs from "fs";
import { compiledCrdsFile, compiledCrdsText, loadCrds, parseCrdFolder } from "../../components/crds";
import { LlmdConfigError } from "../../components/errors";
import {
    DEFAULT_GATEWAY_NAME,
    GatewayInput,
    gatewayControllerCharts,
    mergeValues,
    renderGateway,
    renderGatewayParameters,
    resolveGatewaySpec,
} from "../../components/render/gateway";
import { parse } from "yaml";

function listener(input: GatewayInput): any {
    const gateway = renderGateway(resolveGatewaySpec(input)) as any;
    assert.strictEqual(gateway.spec.listeners.length, 1);
    return gateway.spec.listeners[0];
}

function assertConfigError(fn: () => unknown, field: string, mentions?: string): void {
    assert.throws(fn, (err: unknown) => {
        assert.ok(err instanceof LlmdConfigError, `expected LlmdConfigError, got ${String(err)}`);
        assert.strictEqual(err.field, field);
        assert.ok(err.message.startsWith(`${field}:`), err.message);
        if (mentions !== undefined) {
            assert.ok(err.message.includes(mentions), `"${err.message}" should mention ${mentions}`);
        }
        return true;
    });
}

describe("render/gateway", () => {
    describe("renderGateway", () => {
        const classes: [GatewayImplementation, string][] = [
            [GatewayImplementation.Istio, "istio"],
            [GatewayImplementation.Agentgateway, "agentgateway"],
            [GatewayImplementation.Kgateway, "kgateway"],
            // Private by default: GKE's internal regional load balancer.
            [GatewayImplementation.Gke, "gke-l7-rilb"],
        ];
        for (const [implementation, className] of classes) {
            it(`uses class ${className} for ${implementation}`, () => {
                const gateway = renderGateway(resolveGatewaySpec({ implementation, namespace: "llm" })) as any;
                assert.strictEqual(gateway.apiVersion, "gateway.networking.k8s.io/v1");
                assert.strictEqual(gateway.kind, "Gateway");
                const { labels, ...rest } = gateway.metadata;
                assert.deepStrictEqual(rest, { name: DEFAULT_GATEWAY_NAME, namespace: "llm" });
                assert.strictEqual(labels === undefined, implementation !== "istio");
                assert.strictEqual(gateway.spec.gatewayClassName, className);
            });
        }

        // llm-d v0.9.0 guides/recipes/gateway/istio/gateway.yaml and configmap.yaml
        it("istio: the inference ext-proc label and a parameters ConfigMap (ClusterIP Service, proxy resources)", () => {
            const spec = resolveGatewaySpec({ implementation: "istio", namespace: "llm" });
            const gateway = renderGateway(spec) as any;
            assert.deepStrictEqual(gateway.metadata.labels, { "istio.io/enable-inference-extproc": "true" });
            assert.deepStrictEqual(gateway.spec.infrastructure, { parametersRef: { group: "", kind: "ConfigMap", name: DEFAULT_GATEWAY_NAME } });
            const parameters = renderGatewayParameters(spec) as any;
            assert.strictEqual(parameters.kind, "ConfigMap");
            assert.strictEqual(parameters.metadata.name, gateway.spec.infrastructure.parametersRef.name);
            assert.strictEqual(parameters.metadata.namespace, "llm");
            assert.deepStrictEqual(parse(parameters.data.service), { spec: { type: "ClusterIP" } });
            const proxy = parse(parameters.data.deployment).spec.template.spec.containers[0];
            assert.strictEqual(proxy.name, "istio-proxy");
            assert.deepStrictEqual(proxy.resources, { limits: { cpu: "8", memory: "16Gi" }, requests: { cpu: "2", memory: "4Gi" } });
            for (const implementation of ["gke", "none"]) {
                assert.strictEqual(renderGatewayParameters(resolveGatewaySpec({ implementation, namespace: "llm" })), undefined, implementation);
            }
        });

        it("uses the internal class on GKE when asked, and the external one only for public: true with allowUnauthenticated", () => {
            const gateway = renderGateway(resolveGatewaySpec({ implementation: "gke", namespace: "llm", internal: true })) as any;
            assert.strictEqual(gateway.spec.gatewayClassName, "gke-l7-rilb");
            const open = resolveGatewaySpec({ implementation: "gke", namespace: "llm", public: true, allowUnauthenticated: true });
            assert.strictEqual((renderGateway(open) as any).spec.gatewayClassName, "gke-l7-regional-external-managed");
            assert.strictEqual(open.gateway?.public, true);
        });

        it("honours a class name override and a gateway name", () => {
            const gateway = renderGateway(
                resolveGatewaySpec({ implementation: "istio", namespace: "llm", gatewayClassName: "istio-canary", gatewayName: "edge" }),
            ) as any;
            assert.strictEqual(gateway.spec.gatewayClassName, "istio-canary");
            assert.strictEqual(gateway.metadata.name, "edge");
        });

        it("has one plain-HTTP listener on port 80 admitting routes from its own namespace by default", () => {
            assert.deepStrictEqual(listener({ implementation: "agentgateway", namespace: "llm" }), {
                // The guides' base Gateway names its listener "default" (guides/recipes/gateway/base/gateway.yaml).
                name: "default",
                protocol: "HTTP",
                port: 80,
                allowedRoutes: { namespaces: { from: "Same" } },
            });
        });

        it("uses the given listener port", () => {
            assert.strictEqual(listener({ implementation: "istio", namespace: "llm", listenerPort: 8080 }).port, 8080);
        });

        it("admits routes from exactly the route namespace when it differs", () => {
            assert.deepStrictEqual(listener({ implementation: "istio", namespace: "gateways", routeNamespace: "models" }).allowedRoutes, {
                namespaces: { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": "models" } } },
            });
            // Naming its own namespace is the same as the default.
            assert.deepStrictEqual(listener({ implementation: "istio", namespace: "llm", routeNamespace: "llm" }).allowedRoutes, {
                namespaces: { from: "Same" },
            });
        });

        it("refuses to render a Gateway for none", () => {
            assert.throws(() => renderGateway(resolveGatewaySpec({ implementation: "none", namespace: "llm" })), /no Gateway/);
        });
    });

    describe("resolveGatewaySpec defaults", () => {
        it("installs both CRD sets and a controller in istio-system for istio", () => {
            const spec = resolveGatewaySpec({ implementation: "istio", namespace: "llm" });
            assert.strictEqual(spec.installGatewayApiCrds, true);
            assert.strictEqual(spec.installInferenceExtensionCrds, true);
            assert.strictEqual(spec.createNamespace, false);
            assert.deepStrictEqual(spec.controller, { namespace: "istio-system", createNamespace: true, values: {} });
        });

        it("uses each project's controller namespace", () => {
            assert.strictEqual(resolveGatewaySpec({ implementation: "agentgateway", namespace: "llm" }).controller?.namespace, "agentgateway-system");
            assert.strictEqual(resolveGatewaySpec({ implementation: "kgateway", namespace: "llm" }).controller?.namespace, "kgateway-system");
            assert.strictEqual(
                resolveGatewaySpec({ implementation: "istio", namespace: "llm", controllerNamespace: "mesh" }).controller?.namespace,
                "mesh",
            );
        });

        it("leaves the Gateway API CRDs to GKE and installs no controller there", () => {
            const spec = resolveGatewaySpec({ implementation: "gke", namespace: "llm" });
            assert.strictEqual(spec.installGatewayApiCrds, false);
            assert.strictEqual(spec.installInferenceExtensionCrds, true);
            assert.strictEqual(spec.controller, undefined);
            assert.ok(spec.gateway);
            assert.strictEqual(resolveGatewaySpec({ implementation: "gke", namespace: "llm", installGatewayApiCrds: true }).installGatewayApiCrds, true);
        });

        it("installs only the InferencePool CRD and no Gateway for none", () => {
            const spec = resolveGatewaySpec({ implementation: "none", namespace: "llm" });
            assert.strictEqual(spec.gateway, undefined);
            assert.strictEqual(spec.controller, undefined);
            assert.strictEqual(spec.installGatewayApiCrds, false);
            assert.strictEqual(spec.installInferenceExtensionCrds, true);
        });
    });

    describe("resolveGatewaySpec errors name the field", () => {
        it("rejects an unknown implementation, listing the valid ones", () => {
            assertConfigError(() => resolveGatewaySpec({ implementation: "nginx", namespace: "llm" }), "implementation", "istio, agentgateway, kgateway, gke, none");
            assertConfigError(() => resolveGatewaySpec({ namespace: "llm" }), "implementation");
        });

        it("rejects listener ports out of range", () => {
            for (const port of [0, 65536, 80.5, "80"]) {
                assertConfigError(() => resolveGatewaySpec({ implementation: "istio", namespace: "llm", listenerPort: port }), "listenerPort", "1 to 65535");
            }
            assert.strictEqual(resolveGatewaySpec({ implementation: "istio", namespace: "llm", listenerPort: 65535 }).gateway?.listenerPort, 65535);
        });

        it("rejects names that are not DNS labels", () => {
            assertConfigError(() => resolveGatewaySpec({ implementation: "istio", namespace: "llm", gatewayName: "My_Gateway" }), "gatewayName");
            assertConfigError(() => resolveGatewaySpec({ implementation: "istio", namespace: "llm", gatewayName: "a".repeat(64) }), "gatewayName");
            assertConfigError(() => resolveGatewaySpec({ implementation: "istio", namespace: "LLM" }), "namespace");
            assertConfigError(() => resolveGatewaySpec({ implementation: "istio" }), "namespace");
            assertConfigError(() => resolveGatewaySpec({ implementation: "istio", namespace: "llm", routeNamespace: "-x" }), "routeNamespace");
            assertConfigError(() => resolveGatewaySpec({ implementation: "istio", namespace: "llm", controllerNamespace: "x_y" }), "controllerNamespace");
            assertConfigError(() => resolveGatewaySpec({ implementation: "istio", namespace: "llm", gatewayClassName: "Istio!" }), "gatewayClassName");
        });

        it("allows internal only on GKE and not together with a class name", () => {
            for (const implementation of ["istio", "agentgateway", "kgateway", "none"]) {
                assertConfigError(() => resolveGatewaySpec({ implementation, namespace: "llm", internal: true }), "internal", "gke");
            }
            assertConfigError(
                () => resolveGatewaySpec({ implementation: "gke", namespace: "llm", internal: true, gatewayClassName: "gke-l7-gxlb" }),
                "gatewayClassName",
            );
            assertConfigError(() => resolveGatewaySpec({ implementation: "gke", namespace: "llm", internal: "yes" }), "internal");
        });

        it("rejects Gateway options for none and controller options where nothing is installed", () => {
            assertConfigError(() => resolveGatewaySpec({ implementation: "none", namespace: "llm", gatewayName: "gw" }), "gatewayName", "none");
            assertConfigError(() => resolveGatewaySpec({ implementation: "none", namespace: "llm", listenerPort: 80 }), "listenerPort");
            assertConfigError(() => resolveGatewaySpec({ implementation: "gke", namespace: "llm", controllerNamespace: "x" }), "controllerNamespace", "gke");
            assertConfigError(() => resolveGatewaySpec({ implementation: "none", namespace: "llm", controllerValues: {} }), "controllerValues");
        });

        it("rejects non-boolean switches and non-object values", () => {
            assertConfigError(() => resolveGatewaySpec({ implementation: "istio", namespace: "llm", installGatewayApiCrds: "no" }), "installGatewayApiCrds");
            assertConfigError(() => resolveGatewaySpec({ implementation: "istio", namespace: "llm", createNamespace: 1 }), "createNamespace");
            assertConfigError(() => resolveGatewaySpec({ implementation: "istio", namespace: "llm", controllerValues: [1] }), "controllerValues");
        });
    });

    describe("gatewayControllerCharts", () => {
        it("installs Istio base then istiod with the inference extension on", () => {
            const charts = gatewayControllerCharts(resolveGatewaySpec({ implementation: "istio", namespace: "llm" }));
            assert.deepStrictEqual(charts.map((c) => [c.role, c.pin, c.crdsOnly]), [
                ["istio-base", CHARTS.istioBase, true],
                ["istiod", CHARTS.istiod, false],
            ]);
            // The seccomp values make istiod and its gateway proxies meet Pod Security restricted.
            assert.deepStrictEqual(charts[1].values, { pilot: { env: { ENABLE_GATEWAY_API_INFERENCE_EXTENSION: "true" } }, seccompProfile: { type: "RuntimeDefault" }, gateways: { seccompProfile: { type: "RuntimeDefault" } } });
        });

        it("installs agentgateway CRDs then the controller with inferenceExtension.enabled", () => {
            const charts = gatewayControllerCharts(resolveGatewaySpec({ implementation: "agentgateway", namespace: "llm" }));
            assert.deepStrictEqual(charts.map((c) => [c.role, c.pin]), [
                ["agentgateway-crds", CHARTS.agentgatewayCrds],
                ["agentgateway", CHARTS.agentgateway],
            ]);
            assert.deepStrictEqual(charts[1].values, { inferenceExtension: { enabled: true } });
        });

        it("installs kgateway CRDs then the controller with inferenceExtension.enabled", () => {
            const charts = gatewayControllerCharts(resolveGatewaySpec({ implementation: "kgateway", namespace: "llm" }));
            assert.deepStrictEqual(charts.map((c) => [c.role, c.pin]), [
                ["kgateway-crds", CHARTS.kgatewayCrds],
                ["kgateway", CHARTS.kgateway],
            ]);
            assert.deepStrictEqual(charts[1].values, { inferenceExtension: { enabled: true } });
        });

        it("installs nothing for gke and none", () => {
            assert.deepStrictEqual(gatewayControllerCharts(resolveGatewaySpec({ implementation: "gke", namespace: "llm" })), []);
            assert.deepStrictEqual(gatewayControllerCharts(resolveGatewaySpec({ implementation: "none", namespace: "llm" })), []);
        });

        it("merges user values over llmd's without losing the inference switch", () => {
            const charts = gatewayControllerCharts(
                resolveGatewaySpec({
                    implementation: "istio",
                    namespace: "llm",
                    controllerValues: { pilot: { env: { PILOT_TRACE_SAMPLING: "1" }, resources: { requests: { cpu: "1" } } } },
                }),
            );
            assert.deepStrictEqual(charts[1].values, {
                pilot: {
                    env: { ENABLE_GATEWAY_API_INFERENCE_EXTENSION: "true", PILOT_TRACE_SAMPLING: "1" },
                    resources: { requests: { cpu: "1" } },
                },
                seccompProfile: { type: "RuntimeDefault" }, gateways: { seccompProfile: { type: "RuntimeDefault" } },
            });
            // The CRD chart is untouched.
            assert.deepStrictEqual(charts[0].values, {});
        });

        it("mergeValues replaces non-objects and does not mutate its inputs", () => {
            const base = { a: { b: 1, c: [1] }, d: "x" };
            const merged = mergeValues(base, { a: { c: [2] }, d: { e: 1 } });
            assert.deepStrictEqual(merged, { a: { b: 1, c: [2] }, d: { e: 1 } });
            assert.deepStrictEqual(base, { a: { b: 1, c: [1] }, d: "x" });
        });
    });

    describe("loadCrds", () => {
        it("reads the pinned Gateway API standard channel in file-name order, CRDs only", () => {
            const crds = loadCrds(MANIFESTS.gatewayApi);
            assert.deepStrictEqual(
                crds.map((c) => c.metadata.name),
                [
                    "backendtlspolicies.gateway.networking.k8s.io",
                    "gatewayclasses.gateway.networking.k8s.io",
                    "gateways.gateway.networking.k8s.io",
                    "grpcroutes.gateway.networking.k8s.io",
                    "httproutes.gateway.networking.k8s.io",
                    "listenersets.gateway.networking.k8s.io",
                    "referencegrants.gateway.networking.k8s.io",
                    "tcproutes.gateway.networking.k8s.io",
                    "tlsroutes.gateway.networking.k8s.io",
                    "udproutes.gateway.networking.k8s.io",
                ],
            );
            for (const crd of crds) {
                assert.strictEqual(crd.kind, "CustomResourceDefinition");
                assert.strictEqual(crd.metadata.annotations?.["gateway.networking.k8s.io/bundle-version"], MANIFESTS.gatewayApi.version);
                assert.strictEqual(crd.metadata.annotations?.["gateway.networking.k8s.io/channel"], "standard");
            }
        });

        it("reads InferencePool v1 at the pinned version without the server-owned status", () => {
            const crds = loadCrds(MANIFESTS.inferenceExtension);
            assert.deepStrictEqual(crds.map((c) => c.metadata.name), ["inferencepools.inference.networking.k8s.io"]);
            const crd = crds[0] as any;
            assert.strictEqual(crd.metadata.annotations["inference.networking.k8s.io/bundle-version"], MANIFESTS.inferenceExtension.version);
            assert.ok(crd.spec.versions.some((v: any) => v.name === "v1" && v.served && v.storage));
            assert.strictEqual("status" in crd, false);
        });

        it("shares read-only objects, so a caller's change throws instead of leaking into the next load", () => {
            const first = loadCrds(MANIFESTS.inferenceExtension);
            assert.throws(() => {
                first[0].metadata.name = "changed";
            }, TypeError);
            assert.throws(() => {
                (first[0].spec as { versions: unknown[] }).versions.push({});
            }, TypeError);
            assert.strictEqual(loadCrds(MANIFESTS.inferenceExtension)[0].metadata.name, "inferencepools.inference.networking.k8s.io");
        });

        it("fails clearly for a folder that is not vendored or not parsed", () => {
            assert.throws(() => parseCrdFolder("nope-v0"), /no vendored CRDs/);
            assert.throws(() => loadCrds({ folder: "nope-v0", version: "v0", source: "test" }), /no parsed CRDs at .*nope-v0\.json: run `npm run crds`/);
        });

        // The package reads the JSON `npm run crds` wrote from the vendored YAML; a re-vendored or hand-edited
        // file on either side fails here until the two agree again.
        for (const [key, pin] of Object.entries(MANIFESTS)) {
            it(`reads for ${key} exactly what its vendored YAML parses to (${pin.folder}.json)`, () => {
                const parsed = parseCrdFolder(pin.folder);
                assert.ok(parsed.length > 0);
                assert.strictEqual(fs.readFileSync(compiledCrdsFile(pin.folder), "utf8"), compiledCrdsText(parsed));
                assert.deepStrictEqual(loadCrds(pin), parsed);
            });
        }
    });
});
