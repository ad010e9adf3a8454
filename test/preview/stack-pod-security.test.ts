import * as assert from "assert";
import { isKubernetesObject } from "../../stacks/plan";
import { listStacks } from "../../stacks/stack-files";
import { K8sObject } from "../../components/render/types";
import { baselineViolations, restrictedViolations } from "../support/pod-security";
import * as fs from "fs";
import * as path from "path";
import { GATEWAY_CONTROLLER_POD_SECURITY, GATEWAY_PROXY_POD_SECURITY } from "../../components/catalog/pod-security";
import { gatewayControllerCharts, resolveGatewaySpec } from "../../components/render/gateway";

const FIXTURES = path.join(__dirname, "..", "..", "..", "test", "fixtures", "pods");
const fixture = (file: string): Json => JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8"));
/** Pods of the pinned Istio that land in namespaces llmd creates (test/fixtures/pods/SOURCES.md). */
const ISTIO_GATEWAY_POD = fixture("istio-1.30.3-gateway.json");
const ISTIOD_POD = fixture("istio-1.30.3-istiod.json");

/** Namespaces a provider component creates for its node operators, which llmd leaves unlabelled or as they are. */
const UNLABELLED: Record<string, string> = {
    "network-operator": "the NVIDIA Network Operator's driver pods need host access; the AKS provider labels it enforce: privileged itself",
    "cert-manager": "created by the AKS provider for the AMD GPU operator's certificates; its level was not checked",
    "kube-amd-gpu": "the AMD GPU operator's driver and device-plugin pods need host access; created by the AKS provider",
};
import { shippedStackResources } from "../support/shipped-stacks";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

// Written out rather than read from the catalog, so a pin that loses its USER evidence fails here.
const NON_ROOT_IMAGES = ["ghcr.io/llm-d/llm-d-cuda:v0.9.0", "ghcr.io/llm-d/llm-d-inference-sim:v0.10.2"];

/** Pod templates of the workloads llmd renders itself (Helm charts are their authors' business). */
function templates(objects: K8sObject[]): { owner: string; spec: Json }[] {
    return (objects as Json[]).flatMap((o) => {
        if (o.kind === "Deployment" || o.kind === "DaemonSet" || o.kind === "StatefulSet" || o.kind === "Job") {
            return [{ owner: `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, spec: o.spec.template.spec }];
        }
        if (o.kind === "LeaderWorkerSet") {
            const t = o.spec.leaderWorkerTemplate;
            return [
                ...(t.leaderTemplate ? [{ owner: `LeaderWorkerSet ${o.metadata.namespace}/${o.metadata.name} (leader)`, spec: t.leaderTemplate.spec }] : []),
                { owner: `LeaderWorkerSet ${o.metadata.namespace}/${o.metadata.name} (worker)`, spec: t.workerTemplate.spec },
            ];
        }
        return [];
    });
}

/**
 * Why a pod of a shipped stack falls short of "restricted": each entry names the rule, the workloads and the
 * reason. A finding no entry explains fails the test.
 */
const EXCEPTIONS: { rule: RegExp; owner: RegExp; reason: string; when?: (spec: Json) => boolean }[] = [
    {
        rule: /^running as non-root: vllm$/,
        owner: /^(Deployment|LeaderWorkerSet) /,
        reason: "vllm-openai, vllm-tpu, vllm-openai-cpu and llm-d-rocm set no USER in their Dockerfiles; llm-d-cuda and the simulator do, so only RDMA pods (capabilities work only for root) may skip it there",
        when: (spec) => {
            const vllm = spec.containers.find((c: Json) => c.name === "vllm");
            return !NON_ROOT_IMAGES.includes(vllm.image) || (vllm.securityContext.capabilities?.add ?? []).length > 0 || vllm.securityContext.privileged === true;
        },
    },
    {
        rule: /^capabilities( \(baseline\))?: vllm adds (IPC_LOCK|SYS_RAWIO)$/,
        owner: /^LeaderWorkerSet /,
        reason: "RDMA: IPC_LOCK pins memory for the NIC, SYS_RAWIO serves GPU-initiated transfers (only on pods that use RDMA)",
    },
    {
        rule: /^running as non-root user: vllm runAsUser 0$/,
        owner: /^LeaderWorkerSet /,
        reason: "RDMA: the capabilities above are effective only for UID 0 (no ambient capabilities), as in llm-d's wide-EP guide",
        when: (spec) => (spec.containers.find((c: Json) => c.name === "vllm").securityContext.capabilities?.add ?? []).length > 0,
    },
];

/** The Pod Security level every pod llmd renders in each stack meets (the README's table says the same). */
const STACK_LEVELS: Record<string, "restricted" | "baseline" | "privileged"> = {
    local: "restricted",
    minikube: "baseline",
    openshift: "baseline",
    gke: "baseline",
    "gke-tpu": "baseline",
    "gke-multi-model": "baseline",
    aks: "baseline",
    "aks-mi300x": "baseline",
    "aks-wide-ep": "privileged",
    digitalocean: "baseline",
};

type Level = "restricted" | "baseline" | "privileged";
const ORDER: Level[] = ["privileged", "baseline", "restricted"];
const lowest = (levels: Level[]): Level => [...levels].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))[0] ?? "restricted";

function level(spec: Json): "restricted" | "baseline" | "privileged" {
    return baselineViolations(spec).length ? "privileged" : restrictedViolations(spec).length ? "baseline" : "restricted";
}

describe("third-party pods llmd places in its namespaces", () => {
    it("the pinned Istio's gateway proxy and istiod meet the level the catalog claims, with the values llmd passes", () => {
        assert.strictEqual(level(ISTIO_GATEWAY_POD), GATEWAY_PROXY_POD_SECURITY.istio.level);
        assert.strictEqual(level(ISTIOD_POD), GATEWAY_CONTROLLER_POD_SECURITY.istio.level);
        // The fixtures assume llmd's seccomp values; without them both would be baseline.
        const istiod = gatewayControllerCharts(resolveGatewaySpec({ implementation: "istio", namespace: "llm-d" })).find((c) => c.role === "istiod")!;
        assert.deepStrictEqual((istiod.values as Json).seccompProfile, { type: "RuntimeDefault" });
        assert.deepStrictEqual((istiod.values as Json).gateways.seccompProfile, { type: "RuntimeDefault" });
    });
});

for (const stack of listStacks().filter((s) => s !== "baremetal")) {
    describe(`stack ${stack}: Pod Security`, () => {
        let pods: { owner: string; spec: Json }[];
        let objects: Json[];
        let charts: { chart: string; namespace: string }[];

        before(async () => {
            const resources = await shippedStackResources(stack);
            objects = resources.filter(isKubernetesObject).map((r) => r.inputs as K8sObject);
            charts = resources.filter((r) => r.type.startsWith("kubernetes:helm.sh/")).map((r) => r.inputs as Json);
            pods = templates(objects);
        });

        /** Every pod that will run in `namespace`: llmd's own, and the third-party pods whose specs are known. */
        function podsIn(namespace: string): { owner: string; spec: Json }[] {
            const own = pods.filter(({ owner }) => owner.split(" ")[1].startsWith(`${namespace}/`));
            const proxies = objects
                .filter((o) => o.kind === "Gateway" && o.metadata.namespace === namespace && o.spec.gatewayClassName === "istio")
                .map((o) => ({ owner: `Istio gateway proxy ${o.metadata.name}`, spec: ISTIO_GATEWAY_POD }));
            const istiod = charts.filter((c) => c.chart === "istiod" && c.namespace === namespace).map(() => ({ owner: "istiod", spec: ISTIOD_POD }));
            return [...own, ...proxies, ...istiod];
        }

        it("every namespace llmd creates enforces the strictest level all the pods placed in it meet, at the pinned version", () => {
            const namespaces = objects.filter((o) => o.kind === "Namespace" && !(o.metadata.name in UNLABELLED));
            assert.ok(namespaces.length > 0);
            for (const ns of namespaces) {
                const labels = ns.metadata.labels ?? {};
                const name = ns.metadata.name;
                assert.strictEqual(labels["pod-security.kubernetes.io/warn"], "restricted", name);
                assert.strictEqual(labels["pod-security.kubernetes.io/audit"], "restricted", name);
                for (const mode of ["enforce", "warn", "audit"]) {
                    assert.strictEqual(labels[`pod-security.kubernetes.io/${mode}-version`], "v1.33", `${name} ${mode}`);
                }
                const inside = podsIn(name);
                const enforced = labels["pod-security.kubernetes.io/enforce"];
                if (inside.length === 0) {
                    // Only controller charts llmd has no pod specs of (KEDA, LWS, Kueue): catalog/pod-security.ts says why.
                    assert.ok(["restricted", "baseline", "privileged"].includes(enforced), name);
                    continue;
                }
                const failing = inside.filter(({ spec }) => ORDER.indexOf(level(spec)) < ORDER.indexOf(enforced)).map(({ owner }) => owner);
                assert.deepStrictEqual(failing, [], `${name} enforces ${enforced}`);
                assert.strictEqual(enforced, lowest(inside.map(({ spec }) => level(spec))), `${name}: stricter is possible`);
            }
        });

        it("a namespace holding a pod that adds RDMA capabilities is labelled privileged", () => {
            const rdma = pods.filter(({ spec }) => spec.containers.some((c: Json) => (c.securityContext?.capabilities?.add ?? []).includes("IPC_LOCK")));
            for (const { owner } of rdma) {
                const namespace = owner.split(" ")[1].split("/")[0];
                const ns = objects.find((o) => o.kind === "Namespace" && o.metadata.name === namespace);
                assert.strictEqual(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged", owner);
            }
            assert.strictEqual(rdma.length > 0, stack === "aks-wide-ep");
        });

        it("every pod llmd renders meets restricted, or its exception is listed with a reason", () => {
            assert.ok(pods.length > 0);
            const unexplained = pods.flatMap(({ owner, spec }) =>
                restrictedViolations(spec)
                    .filter((v) => !EXCEPTIONS.some((e) => e.rule.test(v) && e.owner.test(owner) && (e.when?.(spec) ?? true)))
                    .map((v) => `${owner}: ${v}`),
            );
            assert.deepStrictEqual(unexplained, []);
        });

        it(`every pod meets the stack's declared level (${STACK_LEVELS[stack]})`, () => {
            const order = ["privileged", "baseline", "restricted"];
            const lowest = pods.map(({ spec }) => level(spec)).sort((a, b) => order.indexOf(a) - order.indexOf(b))[0];
            assert.strictEqual(lowest, STACK_LEVELS[stack]);
        });
    });
}
