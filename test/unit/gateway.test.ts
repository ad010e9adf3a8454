import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../../components/catalog/versions";
import { LlmdConfigError } from "../../components/errors";
import { InferenceGateway, InferenceGatewayArgs } from "../../components/gateway";
import { RecordedResource, runWithMocks } from "../../stacks/mock-engine";

const COMPONENT = "llmd:index:InferenceGateway";
const CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
const CHART = "kubernetes:helm.sh/v4:Chart";
const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const GATEWAY_API_CRD_COUNT = 10;
const INFERENCE_POOL_CRD = "gw-crd-inferencepools.inference.networking.k8s.io";

interface Run {
    resources: RecordedResource[];
    component: RecordedResource;
    providerUrn: string;
    outputs: { gatewayName?: string; gatewayNamespace?: string; gatewayClassName?: string };
}

async function run(args: Omit<InferenceGatewayArgs, "kubernetesProvider">, preview = false): Promise<Run> {
    const { resources, result } = await runWithMocks(
        async () => {
            const provider = new k8s.Provider("cluster", {});
            const gw = new InferenceGateway("gw", { ...args, kubernetesProvider: provider });
            if (preview) {
                return {};
            }
            const [gatewayName, gatewayNamespace, gatewayClassName] = await Promise.all(
                [gw.gatewayName, gw.gatewayNamespace, gw.gatewayClassName].map(
                    (o) => new Promise<string>((resolve) => pulumi.output(o).apply((v) => resolve(v))),
                ),
            );
            return { gatewayName, gatewayNamespace, gatewayClassName };
        },
        { stack: "test", preview },
    );
    const component = resources.find((r) => r.type === COMPONENT);
    assert.ok(component, "the component registered");
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes");
    assert.ok(provider);
    return { resources, component, providerUrn: provider.urn, outputs: result };
}

function ofType(resources: RecordedResource[], type: string): RecordedResource[] {
    return resources.filter((r) => r.type === type);
}

function named(resources: RecordedResource[], name: string): RecordedResource {
    const found = resources.filter((r) => r.name === name);
    assert.strictEqual(found.length, 1, `expected one resource named ${name}, got ${found.length}`);
    return found[0];
}

/** Every resource the component created is its child and uses the given provider. */
function assertWiring(r: Run): void {
    const children = r.resources.filter((x) => x.parent === r.component.urn);
    assert.ok(children.length > 0);
    for (const child of children) {
        assert.ok(child.provider?.startsWith(`${r.providerUrn}::`), `${child.name} uses the given provider, got ${child.provider}`);
    }
    // Nothing the component made escaped to another parent.
    for (const x of r.resources) {
        if (x.name.startsWith("gw-")) {
            assert.strictEqual(x.parent, r.component.urn, `${x.name} is parented to the component`);
        }
    }
}

describe("InferenceGateway", () => {
    describe("istio", () => {
        let r: Run;
        before(async () => {
            r = await run({ implementation: "istio", namespace: "llm" });
        });

        it("creates the Gateway API and InferencePool CRDs, two charts, the controller namespace and a Gateway", () => {
            const crds = ofType(r.resources, CRD);
            assert.strictEqual(crds.length, GATEWAY_API_CRD_COUNT + 1);
            assert.ok(crds.some((c) => c.name === INFERENCE_POOL_CRD));
            assert.ok(crds.some((c) => c.name === "gw-crd-httproutes.gateway.networking.k8s.io"));
            assert.deepStrictEqual(ofType(r.resources, CHART).map((c) => c.name), ["gw-istio-base", "gw-istiod"]);
            assert.deepStrictEqual(ofType(r.resources, NAMESPACE).map((n) => (n.inputs.metadata as any).name), ["istio-system"]);
            assert.strictEqual(ofType(r.resources, GATEWAY).length, 1);
        });

        it("wires every child to the component and the given provider", () => {
            assertWiring(r);
        });

        it("applies the CRDs as vendored, without status", () => {
            const crd = named(r.resources, INFERENCE_POOL_CRD);
            assert.strictEqual((crd.inputs.metadata as any).name, "inferencepools.inference.networking.k8s.io");
            assert.ok((crd.inputs.spec as any).versions.length >= 1);
            assert.strictEqual(crd.inputs.status, undefined);
        });

        it("pins each chart and turns on the inference extension in istiod", () => {
            const base = named(r.resources, "gw-istio-base");
            assert.strictEqual(base.inputs.chart, CHARTS.istioBase.chart);
            assert.strictEqual(base.inputs.version, CHARTS.istioBase.version);
            assert.deepStrictEqual(base.inputs.repositoryOpts, { repo: CHARTS.istioBase.repo });
            assert.strictEqual(base.inputs.namespace, "istio-system");
            const istiod = named(r.resources, "gw-istiod");
            assert.strictEqual(istiod.inputs.chart, CHARTS.istiod.chart);
            assert.strictEqual(istiod.inputs.version, CHARTS.istiod.version);
            assert.strictEqual(istiod.inputs.name, "istiod");
            assert.deepStrictEqual(istiod.inputs.values, { pilot: { env: { ENABLE_GATEWAY_API_INFERENCE_EXTENSION: "true" } }, seccompProfile: { type: "RuntimeDefault" }, gateways: { seccompProfile: { type: "RuntimeDefault" } } });
        });

        it("orders CRDs and namespace before base, base before istiod", () => {
            const crdUrns = ofType(r.resources, CRD).map((c) => c.urn);
            const base = named(r.resources, "gw-istio-base");
            const istiod = named(r.resources, "gw-istiod");
            const ns = named(r.resources, "gw-controller-namespace");
            for (const urn of [...crdUrns, ns.urn]) {
                assert.ok(base.dependencies.includes(urn), `base waits for ${urn}`);
                assert.ok(istiod.dependencies.includes(urn), `istiod waits for ${urn}`);
            }
            assert.ok(istiod.dependencies.includes(base.urn));
            assert.ok(!base.dependencies.includes(istiod.urn));
        });

        it("creates the Gateway after its own CRD and both charts, and no other CRD", () => {
            const gateway = named(r.resources, "gw-gateway");
            const gatewayApiCrds = ofType(r.resources, CRD).filter((c) => c.name.endsWith(".gateway.networking.k8s.io"));
            assert.strictEqual(gatewayApiCrds.length, GATEWAY_API_CRD_COUNT);
            for (const dep of [named(r.resources, "gw-crd-gateways.gateway.networking.k8s.io"), ...ofType(r.resources, CHART)]) {
                assert.ok(gateway.dependencies.includes(dep.urn), `Gateway waits for ${dep.name}`);
            }
            // Waiting for HTTPRoute or GRPCRoute CRDs would only serialise the update.
            const otherCrds = gatewayApiCrds.filter((c) => c.name !== "gw-crd-gateways.gateway.networking.k8s.io");
            assert.deepStrictEqual(otherCrds.filter((c) => gateway.dependencies.includes(c.urn)).map((c) => c.name), []);
            assert.strictEqual(gateway.inputs.apiVersion, "gateway.networking.k8s.io/v1");
            assert.strictEqual((gateway.inputs.metadata as any).namespace, "llm");
            assert.strictEqual((gateway.inputs.spec as any).gatewayClassName, "istio");
        });

        it("exposes the Gateway's name, namespace and class", () => {
            assert.deepStrictEqual(r.outputs, { gatewayName: "llm-d-inference-gateway", gatewayNamespace: "llm", gatewayClassName: "istio" });
        });
    });

    describe("agentgateway and kgateway", () => {
        // llm-d v0.9.0 guides/recipes/gateway/kgateway/gateway.yaml keeps kgateway only for migration.
        it("warns that kgateway is deprecated in llm-d, and says nothing for agentgateway", async () => {
            const warnings: string[] = [];
            const original = pulumi.log.warn;
            (pulumi.log as { warn: typeof pulumi.log.warn }).warn = async (msg: string) => {
                warnings.push(msg);
            };
            try {
                await run({ implementation: "agentgateway", namespace: "llm" });
                assert.deepStrictEqual(warnings, []);
                await run({ implementation: "kgateway", namespace: "llm" });
            } finally {
                (pulumi.log as { warn: typeof pulumi.log.warn }).warn = original;
            }
            assert.strictEqual(warnings.length, 1);
            assert.match(warnings[0], /kgateway is deprecated in llm-d.*use implementation agentgateway/);
        });

        for (const [implementation, crdChart, controllerChart, controllerNamespace] of [
            ["agentgateway", CHARTS.agentgatewayCrds, CHARTS.agentgateway, "agentgateway-system"],
            ["kgateway", CHARTS.kgatewayCrds, CHARTS.kgateway, "kgateway-system"],
        ] as const) {
            it(`${implementation}: CRD chart then controller chart with the inference extension, both OCI-pinned`, async () => {
                const r = await run({ implementation, namespace: "llm", createControllerNamespace: false });
                const charts = ofType(r.resources, CHART);
                assert.deepStrictEqual(charts.map((c) => c.name), [`gw-${implementation}-crds`, `gw-${implementation}`]);
                const [crds, controller] = charts;
                assert.strictEqual(crds.inputs.chart, crdChart.chart);
                assert.strictEqual(crds.inputs.version, crdChart.version);
                assert.strictEqual(controller.inputs.chart, controllerChart.chart);
                assert.strictEqual(controller.inputs.version, controllerChart.version);
                assert.strictEqual(controller.inputs.repositoryOpts, undefined);
                assert.strictEqual(controller.inputs.namespace, controllerNamespace);
                assert.deepStrictEqual(controller.inputs.values, { inferenceExtension: { enabled: true } });
                assert.ok(controller.dependencies.includes(crds.urn));
                // The namespace already exists: none created, and the charts depend on CRDs only.
                assert.strictEqual(ofType(r.resources, NAMESPACE).length, 0);
                assert.strictEqual(crds.dependencies.length, GATEWAY_API_CRD_COUNT + 1);
                assert.strictEqual((named(r.resources, "gw-gateway").inputs.spec as any).gatewayClassName, implementation);
                assertWiring(r);
            });
        }
    });

    describe("gke", () => {
        it("installs no chart and no Gateway API CRDs, only InferencePool and a GKE-class Gateway", async () => {
            const r = await run({ implementation: "gke", namespace: "llm" });
            assert.strictEqual(ofType(r.resources, CHART).length, 0);
            assert.deepStrictEqual(ofType(r.resources, CRD).map((c) => c.name), [INFERENCE_POOL_CRD]);
            const gateway = named(r.resources, "gw-gateway");
            assert.strictEqual((gateway.inputs.spec as any).gatewayClassName, "gke-l7-rilb", "private by default");
            assert.deepStrictEqual(gateway.dependencies, []);
            assert.strictEqual(r.outputs.gatewayClassName, "gke-l7-rilb");
            assertWiring(r);
        });

        it("uses gke-l7-rilb when internal, and the Gateway waits for a namespace it creates", async () => {
            const r = await run({ implementation: "gke", namespace: "llm", internal: true, createNamespace: true });
            const gateway = named(r.resources, "gw-gateway");
            assert.strictEqual((gateway.inputs.spec as any).gatewayClassName, "gke-l7-rilb");
            const ns = named(r.resources, "gw-namespace");
            assert.strictEqual((ns.inputs.metadata as any).name, "llm");
            assert.deepStrictEqual(gateway.dependencies, [ns.urn]);
        });
    });

    describe("none", () => {
        it("creates only the InferencePool CRD: no chart, no Gateway, empty gateway outputs", async () => {
            const r = await run({ implementation: "none", namespace: "llm" });
            const children = r.resources.filter((x) => x.parent === r.component.urn);
            assert.deepStrictEqual(children.map((c) => [c.type, c.name]), [[CRD, INFERENCE_POOL_CRD]]);
            assert.deepStrictEqual(r.outputs, { gatewayName: "", gatewayNamespace: "llm", gatewayClassName: "" });
            assertWiring(r);
        });

        it("installs nothing at all when the CRD is managed elsewhere", async () => {
            const r = await run({ implementation: "none", namespace: "llm", installInferenceExtensionCrds: false });
            assert.deepStrictEqual(r.resources.filter((x) => x.parent === r.component.urn), []);
        });
    });

    it("passes controllerValues to the controller chart only", async () => {
        const r = await run({ implementation: "agentgateway", namespace: "llm", controllerValues: { controller: { replicaCount: 2 } } });
        assert.deepStrictEqual(named(r.resources, "gw-agentgateway").inputs.values, {
            inferenceExtension: { enabled: true },
            controller: { replicaCount: 2 },
        });
        assert.deepStrictEqual(named(r.resources, "gw-agentgateway-crds").inputs.values, {});
    });

    it("skips the Gateway API CRDs when told to, and the Gateway then waits only for the charts and its parameters", async () => {
        const r = await run({ implementation: "istio", namespace: "llm", installGatewayApiCrds: false });
        assert.deepStrictEqual(ofType(r.resources, CRD).map((c) => c.name), [INFERENCE_POOL_CRD]);
        const gateway = named(r.resources, "gw-gateway");
        assert.deepStrictEqual(
            [...gateway.dependencies].sort(),
            [...ofType(r.resources, CHART).map((c) => c.urn), named(r.resources, "gw-gateway-parameters").urn].sort(),
        );
    });

    it("does not hang in preview, where every output is unknown", async () => {
        const r = await run({ implementation: "istio", namespace: "llm", createNamespace: true }, true);
        assert.strictEqual(ofType(r.resources, CHART).length, 2);
        assert.strictEqual(ofType(r.resources, GATEWAY).length, 1);
        assertWiring(r);
    });

    it("throws LlmdConfigError naming the field before creating anything", async () => {
        let caught: unknown;
        const { resources } = await runWithMocks(
            () => {
                try {
                    new InferenceGateway("gw", { implementation: "istio", namespace: "llm", internal: true });
                } catch (err) {
                    caught = err;
                }
            },
            { stack: "test", preview: false },
        );
        assert.ok(caught instanceof LlmdConfigError);
        assert.strictEqual(caught.field, "internal");
        // Only the component itself registered: no CRD, chart or Gateway.
        assert.deepStrictEqual(resources.filter((x) => x.name.startsWith("gw")).map((x) => x.type), [COMPONENT]);
    });

    it("rejects an unknown implementation, listing the valid ones", async () => {
        await assert.rejects(
            runWithMocks(() => new InferenceGateway("gw", { implementation: "traefik" as any, namespace: "llm" }), { stack: "test", preview: false }),
            (err: unknown) => err instanceof LlmdConfigError && err.field === "implementation" && /istio, agentgateway, kgateway, gke, none/.test(err.message),
        );
    });
});
