import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { LlmdConfigError } from "../../components/errors";
import { RecordedResource, UNKNOWN, runWithMocks } from "../../stacks/mock-engine";

// Loaded in before(): importing the Kubernetes SDK is the slow part.
let k8s: typeof import("@pulumi/kubernetes");
let InferenceRouter: typeof import("../../components/router").InferenceRouter;
type Args = import("../../components/router").InferenceRouterArgs;

const COMPONENT = "llmd:index:InferenceRouter";
const SELECTOR = { "llm-d.ai/model": "qwen3" };

interface Outputs {
    poolName: string;
    serviceName: string;
    namespace: string;
    endpointPickerAddress: string;
    kvEventsEndpoint: string;
    endpoint: string;
}

/** Runs a program that creates a stand-in CRD installer, a provider and one router depending on the installer. */
async function run(args: Partial<Args>, preview = false, dependsOnAsOutput = false) {
    return runWithMocks(
        () => {
            const provider = new k8s.Provider("cluster", { kubeconfig: "fake" });
            // Stands in for the gateway component that installs the Gateway API and InferencePool CRDs: the
            // engine turns a dependency on a component into dependencies on its custom-resource children.
            const crds = new pulumi.ComponentResource("test:index:Crds", "crds");
            const crd = new k8s.apiextensions.v1.CustomResourceDefinition(
                "crds-inferencepools",
                { metadata: { name: "inferencepools.inference.networking.k8s.io" }, spec: {} as any },
                { parent: crds, provider },
            );
            const router = new InferenceRouter(
                "qwen",
                { namespace: "llm-d", modelServerSelector: SELECTOR, kubernetesProvider: provider, ...args },
                // Callers may also hand over an Output of resources; that must reach the children too.
                { dependsOn: dependsOnAsOutput ? pulumi.output([crds]) : [crds] },
            );
            const outputs: Record<keyof Outputs, pulumi.Output<string>> = {
                poolName: router.poolName,
                serviceName: router.serviceName,
                namespace: router.namespace,
                endpointPickerAddress: router.endpointPickerAddress,
                kvEventsEndpoint: router.kvEventsEndpoint,
                endpoint: router.endpoint,
            };
            return { outputs, crdsUrn: crd.urn };
        },
        { stack: "test", preview },
    );
}

async function resolve<T>(o: pulumi.Output<T>): Promise<T | undefined> {
    return new Promise((done) => o.apply((v) => done(v)));
}

function kindOf(r: RecordedResource): string {
    return (r.inputs.kind as string | undefined) ?? r.type.split(":").pop()!;
}

describe("InferenceRouter (component)", function () {
    this.timeout(60000);

    before(async () => {
        k8s = await import("@pulumi/kubernetes");
        InferenceRouter = (await import("../../components/router")).InferenceRouter;
    });

    describe("with an Istio gateway (preview: false)", () => {
        let resources: RecordedResource[];
        let outputs: Record<keyof Outputs, pulumi.Output<string>>;
        let crdsUrn: string;

        before(async () => {
            const r = await run({ gateway: { name: "inference-gateway", namespace: "gw" }, gatewayImplementation: "istio" });
            resources = r.resources;
            outputs = r.result.outputs;
            crdsUrn = (await resolve(r.result.crdsUrn))!;
        });

        const component = () => resources.find((r) => r.type === COMPONENT)!;
        // Children of the router component only (the stand-in CRD is not one).
        const children = () => resources.filter((r) => r.parent === component().urn);
        const byKind = (kind: string) => {
            const found = children().filter((r) => kindOf(r) === kind);
            assert.strictEqual(found.length, 1, `expected one ${kind}`);
            return found[0];
        };

        it("creates every rendered object as a child of the component", () => {
            const kinds = children().map(kindOf).sort();
            assert.deepStrictEqual(kinds, [
                "ClusterRole",
                "ClusterRoleBinding",
                "ConfigMap",
                "Deployment",
                "DestinationRule",
                "HTTPRoute",
                "InferencePool",
                "Role",
                "RoleBinding",
                "Service",
                "ServiceAccount",
            ]);
            // Nothing else hangs off the stack besides our stand-ins.
            const strays = resources.filter((r) => r.type !== COMPONENT && r.parent !== component().urn && !["test:index:Crds", "pulumi:providers:kubernetes", "pulumi:pulumi:Stack"].includes(r.type) && r.name !== "crds-inferencepools");
            assert.deepStrictEqual(strays.map((r) => r.name), []);
        });

        it("passes the Kubernetes provider to every child", () => {
            const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
            for (const child of children()) {
                assert.ok(child.provider?.startsWith(provider.urn), `${child.name} has provider ${child.provider}`);
            }
        });

        it("names children <name>-<role>, uniquely", () => {
            const names = children().map((r) => r.name);
            assert.strictEqual(new Set(names).size, names.length);
            for (const n of names) {
                assert.ok(n.startsWith("qwen-"), n);
            }
        });

        it("registers each object under its Kubernetes type (apiVersion and kind)", () => {
            assert.strictEqual(byKind("Deployment").type, "kubernetes:apps/v1:Deployment");
            assert.strictEqual(byKind("Role").type, "kubernetes:rbac.authorization.k8s.io/v1:Role");
            const api: Record<string, string> = {
                InferencePool: "inference.networking.k8s.io/v1",
                HTTPRoute: "gateway.networking.k8s.io/v1",
                DestinationRule: "networking.istio.io/v1",
            };
            for (const [kind, apiVersion] of Object.entries(api)) {
                assert.strictEqual(byKind(kind).type, `kubernetes:${apiVersion}:${kind}`, kind);
            }
            assert.strictEqual(byKind("InferencePool").inputs.apiVersion, "inference.networking.k8s.io/v1");
        });

        it("makes the custom resources wait for opts.dependsOn, and the route for the pool", () => {
            for (const kind of ["InferencePool", "HTTPRoute", "DestinationRule"]) {
                assert.ok(byKind(kind).dependencies.includes(crdsUrn), `${kind} does not wait for the CRDs`);
            }
            assert.ok(byKind("HTTPRoute").dependencies.includes(byKind("InferencePool").urn));
        });

        it("passes the rendered spec through", () => {
            const pool = byKind("InferencePool").inputs as any;
            assert.deepStrictEqual(pool.spec.selector.matchLabels, SELECTOR);
            assert.strictEqual(pool.metadata.namespace, "llm-d");
            const route = byKind("HTTPRoute").inputs as any;
            assert.strictEqual(route.spec.parentRefs[0].name, "inference-gateway");
        });

        it("outputs the pool, service, namespace and picker address", async () => {
            assert.strictEqual(await resolve(outputs.poolName), "qwen");
            assert.strictEqual(await resolve(outputs.serviceName), "qwen-epp");
            assert.strictEqual(await resolve(outputs.namespace), "llm-d");
            assert.strictEqual(await resolve(outputs.endpointPickerAddress), "qwen-epp.llm-d.svc.cluster.local:9002");
            assert.strictEqual(await resolve(outputs.kvEventsEndpoint), "");
            assert.strictEqual(await resolve(outputs.endpoint), "", "behind a Gateway there is no proxy endpoint");
        });
    });

    describe("standalone (no gateway, the default)", () => {
        let resources: RecordedResource[];
        let outputs: Record<keyof Outputs, pulumi.Output<string>>;

        before(async () => {
            const r = await run({});
            resources = r.resources;
            outputs = r.result.outputs;
        });

        const children = () => {
            const component = resources.find((r) => r.type === COMPONENT)!;
            return resources.filter((r) => r.parent === component.urn);
        };

        it("creates the proxy ConfigMap as its own child next to the router's, and no route", () => {
            const configMaps = children().filter((r) => kindOf(r) === "ConfigMap").map((r) => [r.name, (r.inputs as any).metadata.name]).sort();
            assert.deepStrictEqual(configMaps, [["qwen-config", "qwen-epp"], ["qwen-proxy-config", "qwen-epp-proxy"]]);
            const kinds = children().map(kindOf);
            assert.ok(!kinds.includes("HTTPRoute"));
            const deploy = children().find((r) => kindOf(r) === "Deployment")!.inputs as any;
            assert.deepStrictEqual(deploy.spec.template.spec.containers.map((c: any) => c.name), ["epp", "proxy"]);
        });

        it("outputs the proxy URL on the Service's http port", async () => {
            assert.strictEqual(await resolve(outputs.endpoint), "http://qwen-epp.llm-d.svc.cluster.local:8081");
            const svc = children().find((r) => kindOf(r) === "Service")!.inputs as any;
            assert.ok(svc.spec.ports.some((p: any) => p.name === "http" && p.port === 8081));
        });

        it("standalone: false renders the bare router and an empty endpoint", async () => {
            const r = await run({ standalone: false });
            const component = r.resources.find((x) => x.type === COMPONENT)!;
            const mine = r.resources.filter((x) => x.parent === component.urn);
            assert.strictEqual(mine.filter((x) => kindOf(x) === "ConfigMap").length, 1);
            assert.strictEqual(await resolve(r.result.outputs.endpoint), "");
        });

        it("a custom proxyPort reaches the endpoint", async () => {
            const r = await run({ proxyPort: 8080 });
            assert.strictEqual(await resolve(r.result.outputs.endpoint), "http://qwen-epp.llm-d.svc.cluster.local:8080");
        });

        it("preview: true does not hang and leaves the proxy's inputs known", async () => {
            const r = await run({}, true);
            const component = r.resources.find((x) => x.type === COMPONENT)!;
            assert.strictEqual(r.resources.filter((x) => x.parent === component.urn).length, 10);
            const cm = r.resources.find((x) => x.name === "qwen-proxy-config")!;
            assert.ok(!JSON.stringify(cm.inputs).includes(UNKNOWN));
        });

        it("standalone with a gateway throws before creating anything", async () => {
            await assert.rejects(
                run({ standalone: true, gateway: { name: "gw", namespace: "gw" }, gatewayImplementation: "istio" }),
                (e: unknown) => e instanceof LlmdConfigError && e.field === "standalone",
            );
        });
    });

    it("without a gateway creates no HTTPRoute; dependsOn still reaches the pool", async () => {
        const { resources, result } = await run({});
        const kinds = resources.map(kindOf);
        assert.ok(!kinds.includes("HTTPRoute"));
        const pool = resources.find((r) => kindOf(r) === "InferencePool")!;
        assert.ok(pool.dependencies.includes((await resolve(result.crdsUrn))!));
    });

    it("gke adds the two pool policies, both waiting for the CRDs and the pool", async () => {
        const { resources, result } = await run({ gateway: { name: "gw", namespace: "gw" }, gatewayImplementation: "gke" });
        const crds = (await resolve(result.crdsUrn))!;
        const pool = resources.find((r) => kindOf(r) === "InferencePool")!;
        for (const kind of ["HealthCheckPolicy", "GCPBackendPolicy"]) {
            const p = resources.find((r) => kindOf(r) === kind);
            assert.ok(p, kind);
            assert.ok(p.dependencies.includes(crds) && p.dependencies.includes(pool.urn), kind);
        }
    });

    it("dependsOn given as an Output still reaches the pool and the route", async () => {
        const { resources, result } = await run({ gateway: { name: "gw", namespace: "gw" }, gatewayImplementation: "kgateway" }, false, true);
        const crds = (await resolve(result.crdsUrn))!;
        const pool = resources.find((r) => kindOf(r) === "InferencePool")!;
        const route = resources.find((r) => kindOf(r) === "HTTPRoute")!;
        assert.ok(pool.dependencies.includes(crds));
        assert.ok(route.dependencies.includes(crds) && route.dependencies.includes(pool.urn));
    });

    it("precise-prefix-cache outputs the KV-events endpoint only when the router listens centrally", async () => {
        const precise = { schedulerProfile: "precise-prefix-cache" as const, tokenizerModel: "Qwen/Qwen3-0.6B" };
        assert.strictEqual(await resolve((await run(precise)).result.outputs.kvEventsEndpoint), "");
        const { result } = await run({ ...precise, kvEventsListener: true });
        assert.strictEqual(await resolve(result.outputs.kvEventsEndpoint), "tcp://qwen-epp.llm-d.svc.cluster.local:5557");
    });

    it("preview: true registers the same resources without hanging", async () => {
        const { resources } = await run({ gateway: { name: "gw", namespace: "gw" }, gatewayImplementation: "istio" }, true);
        const component = resources.find((r) => r.type === COMPONENT)!;
        assert.strictEqual(resources.filter((r) => r.parent === component.urn).length, 11);
        // Inputs are plain values: nothing the router needs is unknown at preview.
        const deploy = resources.find((r) => kindOf(r) === "Deployment")!;
        assert.ok(!JSON.stringify(deploy.inputs).includes(UNKNOWN));
    });

    it("bad arguments throw LlmdConfigError naming the field", async () => {
        await assert.rejects(
            run({ modelServerSelector: {} }),
            (e: unknown) => e instanceof LlmdConfigError && e.field === "modelServerSelector",
        );
    });
});
