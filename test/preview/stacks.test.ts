import * as assert from "assert";
import { RecordedResource, SECRET, UNKNOWN } from "../../stacks/mock-engine";
import { parseAllDocuments } from "yaml";
import { PlannedResource, dependencyMap, isKubernetesObject, renderYaml, toPlan } from "../../stacks/plan";
import { listStacks, readStackConfig } from "../../stacks/stack-files";
import { workloadStartupBudgetSeconds } from "../../components/render/timeouts";
import { validateObject } from "../support/schema";
import { matchSnapshot } from "../support/snapshot";
import { previewShippedStack } from "../support/shipped-stacks";
import { K8sObject } from "../../components/render/types";

const CLOUD_STACKS = /^(gke|aks|digitalocean)/;

// Accelerator stacks plan the whole operations set (issue "operate it"); these are the deliberate exceptions,
// each also written in the README's operations section or the stack's own comments.
const NOT_AUTOSCALED: Record<string, string> = {
    "aks-wide-ep": "its two wide-EP groups already fill the pool's four InfiniBand nodes",
    minikube: "one GPU on one workstation",
    local: "CPU-only simulator on kind, nothing to operate",
    baremetal: "no Kubernetes: Slurm places the workers",
};
const NOT_MONITORED = new Set(["local", "baremetal"]);

// CRD bodies are vendored upstream files (checked by their own tests); the snapshot keeps their names only
// so a reviewer sees which CRDs a stack installs without thousands of lines of OpenAPI.
function snapshotOf(resource: PlannedResource): PlannedResource {
    if (resource.inputs.kind === "CustomResourceDefinition") {
        const { metadata } = resource.inputs as { metadata: { name: string } };
        return { ...resource, inputs: { kind: "CustomResourceDefinition", metadata: { name: metadata.name } } };
    }
    return resource;
}

// Every shipped stack, evaluated as `pulumi preview` would: cloud outputs (endpoints, kubeconfigs, ids) are
// unknown, so anything that awaited them would hang here and anything that assumed them would throw.
for (const stack of listStacks()) {
    describe(`stack ${stack} in preview`, () => {
        let resources: RecordedResource[];
        let outputs: Record<string, unknown>;

        before(async () => {
            ({ resources, outputs } = await previewShippedStack(stack));
        });

        it("outputs the URL clients call (and, on Kubernetes, the models it serves)", () => {
            assert.ok("url" in outputs, `outputs: ${Object.keys(outputs).join(", ")}`);
            if (stack !== "baremetal") {
                assert.ok("models" in outputs, `outputs: ${Object.keys(outputs).join(", ")}`);
            }
        });

        it("renders no two Kubernetes objects with the same apiVersion, kind, namespace and name", () => {
            const ids = resources
                .filter(isKubernetesObject)
                .map((r) => r.inputs as unknown as K8sObject)
                .map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
            assert.deepStrictEqual(ids.filter((id, i) => ids.indexOf(id) !== i), []);
        });

        it("routes to every InferencePool through exactly one HTTPRoute, and renders none without a Gateway", () => {
            const objects = resources.filter(isKubernetesObject).map((r) => r.inputs as any);
            if (!objects.some((o) => o.kind === "Gateway")) {
                assert.deepStrictEqual(objects.filter((o) => o.kind === "HTTPRoute").map((o) => o.metadata.name), []);
                return;
            }
            for (const pool of objects.filter((o) => o.kind === "InferencePool")) {
                const routes = objects.filter(
                    (o) => o.kind === "HTTPRoute" && o.metadata.namespace === pool.metadata.namespace && o.spec.rules.some((rule: any) => rule.backendRefs.some((b: any) => b.name === pool.metadata.name)),
                );
                assert.strictEqual(routes.length, 1, `InferencePool ${pool.metadata.name}`);
            }
        });

        it("monitors and autoscales the models the config asks it to", () => {
            const { config } = readStackConfig(stack);
            const models: any[] = config["llmd:models"] ? JSON.parse(config["llmd:models"]) : config["llmd:deployment"] ? [JSON.parse(config["llmd:deployment"])] : [];
            const kinds = resources.filter(isKubernetesObject).map((r) => (r.inputs as any).kind as string);
            const count = (kind: string) => kinds.filter((k) => k === kind).length;
            const monitored = models.filter((m) => m.monitoring !== undefined).length;
            const scaled = models.filter((m) => m.autoscaling !== undefined).length;
            assert.ok(count("PodMonitor") + count("PodMonitoring") >= monitored, "a vLLM monitor per monitored model");
            assert.ok(count("ServiceMonitor") + count("PodMonitoring") >= monitored, "a router monitor per monitored model");
            assert.strictEqual(count("ScaledObject") >= scaled, true, "a ScaledObject per autoscaled model");
            if (monitored === 0) {
                assert.strictEqual(count("PodMonitor") + count("ServiceMonitor") + count("PodMonitoring"), 0, "no monitor unless asked");
            }
        });

        it(NOT_AUTOSCALED[stack] ? `monitors, alerts and has dashboards (not autoscaled: ${NOT_AUTOSCALED[stack]})` : "monitors, alerts, has dashboards and autoscales", () => {
            const objects = resources.filter(isKubernetesObject).map((r) => r.inputs as unknown as K8sObject);
            const count = (kinds: string[]) => objects.filter((o) => kinds.includes(o.kind)).length;
            const dashboards = objects.filter((o) => o.kind === "ConfigMap" && o.metadata.labels?.grafana_dashboard === "1").length;
            const present = {
                monitors: count(["PodMonitor", "ServiceMonitor", "PodMonitoring"]) > 0,
                alerts: count(["PrometheusRule", "Rules"]) > 0,
                dashboards: dashboards > 0,
                scalers: count(["ScaledObject"]) > 0,
            };
            const monitored = !NOT_MONITORED.has(stack);
            assert.deepStrictEqual(present, { monitors: monitored, alerts: monitored, dashboards: monitored, scalers: NOT_AUTOSCALED[stack] === undefined });
        });

        it("gives every model workload at least its startup probe's budget before pulumi up gives up", () => {
            const workloads = resources.filter((r) => /:(Deployment|LeaderWorkerSet)$/.test(r.type) && r.name.endsWith("-workload"));
            if (stack !== "baremetal") {
                assert.ok(workloads.length > 0);
            }
            for (const w of workloads) {
                const budget = workloadStartupBudgetSeconds(w.inputs as unknown as K8sObject);
                const minutes = Number(/^(\d+)m$/.exec(w.customTimeouts?.create ?? "")?.[1]);
                assert.ok(minutes * 60 >= budget, `${w.name}: create timeout ${w.customTimeouts?.create} < startup budget ${budget}s`);
            }
        });

        it("evaluates without throwing or hanging", () => {
            assert.ok(resources.length > 15, `only ${resources.length} resources`);
        });

        it("matches the reviewed plan snapshot", () => {
            const plan = toPlan(stack, resources);
            matchSnapshot("preview", stack, { stack, resources: plan.resources.map(snapshotOf) });
        });

        it("puts every Kubernetes resource on the cluster's own provider, built from a protected kubeconfig", function () {
            if (stack === "baremetal") {
                // Off Kubernetes: there must be no cluster provider and no Kubernetes resource at all.
                assert.deepStrictEqual(resources.filter((r) => r.type.startsWith("kubernetes:") || r.type === "pulumi:providers:kubernetes"), []);
                return;
            }
            const providers = resources.filter((r) => r.type === "pulumi:providers:kubernetes");
            assert.strictEqual(providers.length, 1, "one Kubernetes provider per stack");
            const [provider] = providers;
            assert.ok(provider.inputs.clusterIdentifier !== undefined, "clusterIdentifier set");
            if (CLOUD_STACKS.test(stack)) {
                // The cluster does not exist yet: the kubeconfig must be computed, never a literal.
                assert.ok([UNKNOWN, SECRET].includes(provider.inputs.kubeconfig as string), String(provider.inputs.kubeconfig));
            }
            for (const r of resources.filter((r) => r.type.startsWith("kubernetes:"))) {
                assert.ok(r.provider?.startsWith(`${provider.urn}::`), `${r.type} ${r.name} is not on the stack's provider`);
            }
        });

        it("renders only objects valid against the Kubernetes and pinned CRD schemas", () => {
            const errors = resources
                .filter(isKubernetesObject)
                .flatMap((r) => validateObject(r.inputs as K8sObject).map((e) => `${r.name}: ${e}`));
            assert.deepStrictEqual(errors, []);
        });

        it("renders every Helm chart as a Flux HelmRelease valid against Flux's CRDs (plan --yaml --gitops flux)", () => {
            // Only the charts go through the renderer: the other objects are checked above.
            const charts = resources.filter((r) => /^kubernetes:helm\.sh\//.test(r.type));
            const objects = parseAllDocuments(renderYaml(toPlan(stack, charts), { gitops: "flux", dependencies: dependencyMap(resources) }))
                .map((doc) => doc.toJS() as K8sObject | null)
                .filter((o): o is K8sObject => o !== null && o.kind === "HelmRelease");
            assert.deepStrictEqual(objects.map((o) => o.metadata.name).sort(), charts.map((r) => r.name).sort());
            assert.deepStrictEqual(objects.flatMap((o) => validateObject(o).map((e) => `${o.metadata.name}: ${e}`)), []);
        });
    });
}
