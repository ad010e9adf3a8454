import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LlmdModel, LlmdModelArgs } from "../../components/model";
import { LlmdPlatform, LlmdPlatformArgs } from "../../components/platform";
import { BASE_MODEL_HEADER } from "../../components/render/model-routing";
import { podSecurityLabels } from "../../components/render/pod-security-standards";
import { IMAGES, imageRef } from "../../components/catalog/versions";
import { K8sObject } from "../../components/render/types";
import { isKubernetesObject } from "../../stacks/plan";
import { MockRunOptions, RecordedResource, runWithMocks } from "../../stacks/mock-engine";
import { assertConfigError } from "../support/config-errors";
import { byName } from "../support/recorded";
import { validateObject } from "../support/schema";

const CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
const SIM = { preset: "simulator" as const };

interface Run {
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
    error?: unknown;
}

/** A platform named `shared` and the given models on it, under mocks. */
async function run(
    models: Array<[string, Partial<LlmdModelArgs>]>,
    platformArgs: LlmdPlatformArgs = {},
    options: Partial<MockRunOptions> = {},
): Promise<Run> {
    let error: unknown;
    const { resources, result } = await runWithMocks(
        async () => {
            const kubernetesProvider = new k8s.Provider("k8s", { kubeconfig: "fake" });
            const platform = new LlmdPlatform("shared", { ...platformArgs, kubernetesProvider });
            try {
                for (const [name, args] of models) {
                    new LlmdModel(name, { ...SIM, ...args, platform: platform.ref, kubernetesProvider } as LlmdModelArgs);
                }
            } catch (err) {
                error = err;
            }
            return { baseUrl: platform.baseUrl, gatewayAddress: platform.gatewayAddress };
        },
        { stack: "test", preview: false, ...options },
    );
    const outputs = options.preview ? {} : await new Promise<Record<string, unknown>>((resolve) => pulumi.all(result).apply((v) => resolve(v as Record<string, unknown>)));
    return { resources, outputs, error };
}

function objects(resources: RecordedResource[]): K8sObject[] {
    return resources.filter(isKubernetesObject).map((r) => r.inputs as unknown as K8sObject);
}

/** Whether `r` sits anywhere below a component of `type` (the mock engine's URNs name only the direct parent's type). */
function below(resources: RecordedResource[], r: RecordedResource, type: string): boolean {
    const byUrn = new Map(resources.map((x) => [x.urn, x]));
    for (let p = r.parent ? byUrn.get(r.parent) : undefined; p; p = p.parent ? byUrn.get(p.parent) : undefined) {
        if (p.type === type) {
            return true;
        }
    }
    return r.type === type;
}

function identity(o: K8sObject): string {
    return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

const three: Array<[string, Partial<LlmdModelArgs>]> = [
    ["qwen", { model: "Qwen/Qwen3-0.6B" }],
    ["llama", { model: "meta-llama/Llama-3.2-1B-Instruct", namespace: "team-a", lora: { adapters: [{ name: "food-review", source: "Kawon/llama3.1-food-finetune_v14_r8" }, { name: "cad", source: "redcathode/fabricator" }] } }],
    ["small", { model: "HuggingFaceTB/SmolLM2-135M-Instruct" }],
];

describe("LlmdPlatform with several LlmdModels", () => {
    let r: Run;
    before(async () => {
        r = await run(three);
        assert.strictEqual(r.error, undefined, String(r.error));
    });

    it("renders no two Kubernetes objects with the same apiVersion, kind, namespace and name", () => {
        const ids = objects(r.resources).map(identity);
        assert.deepStrictEqual(ids.filter((id, i) => ids.indexOf(id) !== i), []);
    });

    it("one InferencePool and one HTTPRoute per model, each route matching its own model's header", () => {
        const pools = objects(r.resources).filter((o) => o.kind === "InferencePool");
        assert.deepStrictEqual(pools.map((p) => p.metadata.name).sort(), ["llama", "qwen", "small"]);
        const routes = objects(r.resources).filter((o) => o.kind === "HTTPRoute");
        assert.strictEqual(routes.length, 3);
        const matched = Object.fromEntries(
            routes.map((route) => [
                (route.spec as any).rules[0].backendRefs[0].name,
                (route.spec as any).rules[0].matches.map((m: any) => `${m.headers[0].name}=${m.headers[0].value}`),
            ]),
        );
        assert.deepStrictEqual(matched, {
            qwen: [`${BASE_MODEL_HEADER}=Qwen/Qwen3-0.6B`],
            llama: [`${BASE_MODEL_HEADER}=meta-llama/Llama-3.2-1B-Instruct`],
            small: [`${BASE_MODEL_HEADER}=HuggingFaceTB/SmolLM2-135M-Instruct`],
        });
        for (const route of routes) {
            assert.deepStrictEqual((route.spec as any).parentRefs[0], { group: "gateway.networking.k8s.io", kind: "Gateway", name: "llm-d-inference-gateway", namespace: "llm-d" });
        }
    });

    it("one set of cluster-wide objects: CRDs, controller charts, the Gateway and the payload processor", () => {
        const count = (pred: (r: RecordedResource) => boolean) => r.resources.filter(pred).length;
        assert.strictEqual(count((x) => x.type === CRD), 10 + 1 + 2, "Gateway API (standard channel), InferencePool, llm-d router CRDs");
        assert.strictEqual(count((x) => x.type === "kubernetes:helm.sh/v4:Chart"), 2);
        assert.strictEqual(count((x) => x.type.endsWith(":Gateway")), 1);
        assert.strictEqual(count((x) => x.name === "shared-ipp"), 1);
        // Every CRD and the Gateway belong to the platform, none to a model.
        for (const x of r.resources.filter((x) => x.type === CRD || x.type.endsWith(":Gateway"))) {
            assert.ok(!below(r.resources, x, "llmd:index:LlmdModel"), `${x.name} is under a model`);
        }
    });

    it("keeps every CRD in the cluster on destroy, and nothing else", () => {
        const retained = r.resources.filter((x) => x.retainOnDelete);
        assert.ok(retained.length > 0);
        assert.deepStrictEqual(retained.filter((x) => x.type !== CRD).map((x) => x.name), []);
        assert.deepStrictEqual(r.resources.filter((x) => x.type === CRD && !x.retainOnDelete).map((x) => x.name), []);
    });

    it("a model in its own namespace creates it, labelled for the Gateway; the payload processor learns its adapters", () => {
        const ns = byName(r.resources, "llama-namespace");
        // Its router and simulator pods meet restricted, so its own namespace enforces that.
        assert.deepStrictEqual((ns.inputs.metadata as any).labels, { "llm-d.ai/gateway-access": "shared", ...podSecurityLabels("restricted") });
        const map = byName(r.resources, "llama-model-routing").inputs as any;
        assert.strictEqual(map.metadata.namespace, "llm-d");
        assert.strictEqual(map.data.adapters, '- "food-review"\n- "cad"\n');
        const pool = objects(r.resources).find((o) => o.kind === "InferencePool" && o.metadata.name === "llama")!;
        assert.strictEqual(pool.metadata.namespace, "team-a");
    });

    it("each object waits for exactly what it needs: its namespace, its CRD, its controller", () => {
        const urn = (name: string) => byName(r.resources, name).urn;
        const deps = (name: string) => byName(r.resources, name).dependencies;
        assert.ok(deps("qwen-router-pool").includes(urn("shared-gateway-crd-inferencepools.inference.networking.k8s.io")));
        assert.ok(deps("qwen-router-route").includes(urn("shared-gateway-crd-httproutes.gateway.networking.k8s.io")));
        assert.ok(deps("qwen-router-destination-rule").includes(urn("shared-gateway-istio-base")));
        // The router's own workload needs its namespace, not the gateway's charts or any CRD.
        assert.deepStrictEqual(deps("qwen-router-deployment"), [urn("shared-namespace")]);
        assert.deepStrictEqual(deps("llama-router-deployment"), [urn("llama-namespace")]);
        assert.ok(!deps("qwen-router-pool").includes(urn("shared-gateway-istiod")), "the pool does not wait for istiod");
        assert.ok(!deps("qwen-router-route").includes(urn("shared-gateway-crd-grpcroutes.gateway.networking.k8s.io")));
        assert.ok(deps("qwen-both-workload").includes(urn("shared-namespace")));
    });

    it("every object is valid against the Kubernetes and pinned CRD schemas", () => {
        const errors = objects(r.resources).flatMap((o) => validateObject(o).map((e) => `${identity(o)}: ${e}`));
        assert.deepStrictEqual(errors, []);
    });

    it("reports the Gateway's address and base URL once the controller assigns one", async () => {
        const withAddress = await run([["qwen", {}]], {}, {
            outputs: (type) => (type === "kubernetes:gateway.networking.k8s.io/v1:Gateway" ? { status: { addresses: [{ type: "IPAddress", value: "10.1.2.3" }] } } : undefined),
        });
        assert.deepStrictEqual(withAddress.outputs, { baseUrl: "http://10.1.2.3", gatewayAddress: "10.1.2.3" });
        const onPort = await run([["qwen", {}]], { gateway: { listenerPort: 8080 } }, {
            outputs: (type) => (type.endsWith(":Gateway") ? { status: { addresses: [{ value: "gw.example" }] } } : undefined),
        });
        assert.strictEqual(onPort.outputs.baseUrl, "http://gw.example:8080");
        assert.deepStrictEqual(r.outputs, { baseUrl: "", gatewayAddress: "" }, "no address yet: empty, not a throw");
    });

    it("in preview the address is unknown and nothing hangs", async () => {
        const preview = await run(three, {}, { preview: true });
        assert.strictEqual(preview.error, undefined);
        assert.ok(preview.resources.length > 40);
    });
});

describe("LlmdPlatform: models grow linearly", () => {
    // Counts, not time: the benchmark (`npm run bench`) reports milliseconds per model.
    it("1, 5 and 20 models: the platform's objects once, then the same number per model", async () => {
        const counts: Record<number, { total: number; platform: number }> = {};
        for (const n of [1, 5, 20]) {
            const models = Array.from({ length: n }, (_, i): [string, Partial<LlmdModelArgs>] => [`m${i}`, { model: `org/model-${i}` }]);
            const { resources, error } = await run(models);
            assert.strictEqual(error, undefined);
            counts[n] = { total: resources.length, platform: resources.filter((x) => !below(resources, x, "llmd:index:LlmdModel")).length };
            const ids = objects(resources).map(identity);
            assert.strictEqual(new Set(ids).size, ids.length, `${n} models: duplicate objects`);
        }
        assert.strictEqual(counts[1].platform, counts[5].platform);
        assert.strictEqual(counts[1].platform, counts[20].platform);
        const perModel = counts[1].total - counts[1].platform;
        assert.ok(perModel > 5);
        assert.strictEqual(counts[5].total, counts[1].platform + 5 * perModel);
        assert.strictEqual(counts[20].total, counts[1].platform + 20 * perModel);
    });
});

describe("LlmdPlatform: Pod Security of the namespaces", () => {
    const rootVllm: Partial<LlmdModelArgs> = { preset: "optimized-baseline", accelerator: "nvidia-l4", decode: { image: imageRef(IMAGES.vllmOpenai) } } as Partial<LlmdModelArgs>;
    const labelsOf = (r: Run, name: string) => (byName(r.resources, name).inputs.metadata as any).labels;

    it("the platform namespace enforces baseline by default, so models on root-running vLLM images may join", async () => {
        const r = await run([["a", {}], ["b", rootVllm]]);
        assert.strictEqual(r.error, undefined, String(r.error));
        assert.deepStrictEqual(labelsOf(r, "shared-namespace"), { "llm-d.ai/gateway-access": "shared", ...podSecurityLabels("baseline") });
    });

    it("podSecurity: restricted admits the simulator and refuses a model running vLLM as root, naming the namespace and why", async () => {
        const r = await run([["a", {}], ["b", rootVllm]], { podSecurity: "restricted" });
        assertConfigError(r.error, "namespace", ["enforces Pod Security restricted", "meet only baseline", "running as non-root: vllm", "podSecurity set to baseline"]);
        assert.strictEqual(labelsOf(r, "shared-namespace")["pod-security.kubernetes.io/enforce"], "restricted");
        assert.ok(r.resources.some((x) => x.name === "a-both"));
    });

    it("a model in a namespace of its own labels it at the level its pods meet", async () => {
        const r = await run([["b", { ...rootVllm, namespace: "team-b" }]], { podSecurity: "restricted" });
        assert.strictEqual(r.error, undefined, String(r.error));
        assert.strictEqual(labelsOf(r, "b-namespace")["pod-security.kubernetes.io/enforce"], "baseline");
    });
});

describe("LlmdPlatform: names are unique across models", () => {
    it("a served model name twice names both places, and the second model creates nothing", async () => {
        const r = await run([
            ["a", { model: "Qwen/Qwen3-0.6B" }],
            ["b", { model: "Qwen/Qwen3-0.6B" }],
        ]);
        assertConfigError(r.error, "servedModelName", ["already served on platform shared by model a (servedModelName)"]);
        assert.deepStrictEqual(r.resources.filter((x) => x.custom && x.name.startsWith("b-")).map((x) => x.name), []);
    });

    it("an adapter named like another model's served name", async () => {
        const r = await run([
            ["a", { model: "org/base" }],
            ["b", { model: "org/other", lora: { adapters: [{ name: "org/base", source: "x/y" }] } }],
        ]);
        assertConfigError(r.error, "lora.adapters[0].name", ["model a (servedModelName)"]);
    });

    it("an objective name twice in one namespace", async () => {
        const r = await run([
            ["a", { model: "org/a", objectives: [{ name: "batch", priority: 1 }] }],
            ["b", { model: "org/b", objectives: [{ name: "batch", priority: 2 }] }],
        ]);
        assertConfigError(r.error, "objectives[0].name", ["already defined in namespace llm-d by model a"]);
    });

    it("a second model on a platform that routes every request to one model", async () => {
        const r = await run([["a", {}], ["b", { model: "org/b" }]], { modelRouting: false });
        assertConfigError(r.error, "platform", ["routes every request to one model"]);
    });
});

describe("LlmdModel: joining a platform", () => {
    it("takes a hand-written ref for a platform in another stack, with no edges to objects it does not own", async () => {
        const { resources } = await runWithMocks(
            () => {
                const kubernetesProvider = new k8s.Provider("k8s", { kubeconfig: "fake" });
                new LlmdModel("qwen", {
                    ...SIM,
                    platform: { name: "shared", namespace: "llm-d", gatewayImplementation: "istio", gatewayName: "llm-d-inference-gateway", modelRouting: "payload-processor", leaderWorkerSet: false },
                    kubernetesProvider,
                });
            },
            { stack: "test", preview: false },
        );
        assert.strictEqual(resources.filter((x) => x.type === CRD).length, 0);
        assert.deepStrictEqual(byName(resources, "qwen-router-pool").dependencies, []);
        assert.strictEqual((byName(resources, "qwen-model-routing").inputs as any).metadata.namespace, "llm-d");
    });

    it("its outputs: the names it answers to and its pool", async () => {
        let model!: LlmdModel;
        await runWithMocks(
            () => {
                const platform = new LlmdPlatform("shared", {});
                model = new LlmdModel("llama", { ...SIM, model: "org/llama", lora: { adapters: [{ name: "a1", source: "x/y" }] }, platform: platform.ref });
            },
            { stack: "test", preview: false },
        );
        const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
        assert.deepStrictEqual(await value(model.servedModels), ["org/llama", "a1"]);
        assert.strictEqual(await value(model.poolName), "llama");
        assert.strictEqual(await value(model.standaloneUrl), "");
    });

    it("with implementation none each model runs its own standalone router, and many models are fine", async () => {
        const r = await run([["a", { model: "org/a" }], ["b", { model: "org/b" }]], { gateway: { implementation: "none" } });
        assert.strictEqual(r.error, undefined, String(r.error));
        assert.strictEqual(objects(r.resources).filter((o) => o.kind === "HTTPRoute").length, 0);
        assert.strictEqual(objects(r.resources).filter((o) => o.kind === "Gateway").length, 0);
    });

    it("the platform's namespace already exists: labelled in place with a patch, not created", async () => {
        const r = await run([["a", {}]], { createNamespace: false });
        const patch = byName(r.resources, "shared-namespace-labels");
        assert.strictEqual(patch.type, "kubernetes:core/v1:NamespacePatch");
        assert.deepStrictEqual((patch.inputs.metadata as any).labels, { "llm-d.ai/gateway-access": "shared" });
        assert.strictEqual(r.resources.filter((x) => x.type === "kubernetes:core/v1:Namespace" && (x.inputs.metadata as any).name === "llm-d").length, 0);
    });

    it("skips the CRDs a cluster already has (OpenShift manages the Gateway API's itself)", async () => {
        const r = await run([["a", {}]], { installCrds: false, gateway: { installGatewayApiCrds: false } });
        assert.strictEqual(r.resources.filter((x) => x.type === CRD).length, 0);
        assert.deepStrictEqual(byName(r.resources, "a-router-pool").dependencies.filter((d) => d.includes("CustomResourceDefinition")), []);
    });

    it("in preview the base URL is unknown rather than empty or a throw", async () => {
        let url!: pulumi.Output<string>;
        await runWithMocks(
            () => {
                url = new LlmdPlatform("shared", {}).baseUrl;
            },
            { stack: "test", preview: true },
        );
        assert.strictEqual(await (url as unknown as { isKnown: Promise<boolean> }).isKnown, false);
    });
});

describe("LlmdModels on OpenShift autoscaling on the Thanos querier", () => {
    const thanos = { clusterProvider: "openshift", monitoring: {}, autoscaling: { prometheusAddress: "https://thanos-querier.openshift-monitoring.svc.cluster.local:9092", maxReplicas: 2 } } as const;
    let r: Run;
    before(async () => {
        r = await run([
            ["qwen", { ...thanos, model: "Qwen/Qwen3-0.6B" }],
            ["small", { ...thanos, model: "HuggingFaceTB/SmolLM2-135M-Instruct" }],
        ]);
        assert.strictEqual(r.error, undefined, String(r.error));
    });

    it("two models in one namespace: no object twice, each ScaledObject on its own TriggerAuthentication, token and Role", () => {
        const all = objects(r.resources);
        const ids = all.map(identity);
        assert.deepStrictEqual(ids.filter((id, i) => ids.indexOf(id) !== i), []);
        for (const model of ["qwen", "small"]) {
            const scaled = all.find((o) => o.kind === "ScaledObject" && o.metadata.name === `${model}-both`) as any;
            const auth = all.find((o) => o.kind === "TriggerAuthentication" && o.metadata.name === scaled.spec.triggers[0].authenticationRef.name) as any;
            assert.deepStrictEqual(auth.spec.secretTargetRef.map((t: any) => t.name), [`${model}-thanos-reader-token`, `${model}-thanos-reader-token`]);
            const binding = all.find((o) => o.kind === "RoleBinding" && o.metadata.name === `${model}-thanos-metrics-reader`) as any;
            assert.deepStrictEqual(binding.subjects.map((s: any) => s.name), [`${model}-thanos-reader`]);
        }
    });

    it("each waits for its namespace, the token Secret also for its ServiceAccount, and nothing for a KEDA the platform does not install", () => {
        const deps = (name: string) => byName(r.resources, name).dependencies;
        const ns = byName(r.resources, "shared-namespace").urn;
        assert.deepStrictEqual(deps("qwen-secret-qwen-thanos-reader-token"), [ns, byName(r.resources, "qwen-serviceaccount-qwen-thanos-reader").urn]);
        for (const name of ["qwen-scaledobject-qwen-both", "qwen-triggerauthentication-qwen-prometheus", "qwen-role-qwen-thanos-metrics-reader", "qwen-rolebinding-qwen-thanos-metrics-reader"]) {
            assert.deepStrictEqual(deps(name), [ns], name);
        }
    });
});
