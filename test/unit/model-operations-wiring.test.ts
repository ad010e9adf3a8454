import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import { parse } from "yaml";
import { LlmdModel, LlmdModelArgs } from "../../components/model";
import { LlmdPlatform, LlmdPlatformArgs } from "../../components/platform";
import { ROUTER_CONFIG_FILE } from "../../components/render/router-config";
import { prometheusStackAddress } from "../../components/render/operators";
import { RecordedResource, runWithMocks } from "../../stacks/mock-engine";
import { assertConfigError } from "../support/config-errors";
import { h100Pool } from "../support/pools";
import { byName } from "../support/recorded";
import { withCapturedWarnings } from "../support/warnings";

async function run(model: Partial<LlmdModelArgs>, platform: LlmdPlatformArgs = {}): Promise<{ resources: RecordedResource[]; error?: unknown }> {
    let error: unknown;
    const { resources } = await runWithMocks(
        () => {
            const kubernetesProvider = new k8s.Provider("k8s", { kubeconfig: "fake" });
            const p = new LlmdPlatform("shared", { ...platform, kubernetesProvider });
            try {
                new LlmdModel("qwen", { preset: "simulator", ...model, platform: p.ref, kubernetesProvider } as LlmdModelArgs);
            } catch (err) {
                error = err;
            }
        },
        { stack: "test", preview: false },
    );
    return { resources, error };
}

const ofType = (resources: RecordedResource[], suffix: string) => resources.filter((r) => r.type.endsWith(suffix));

describe("LlmdModel: monitoring and autoscaling on the platform's operators", () => {
    let r: { resources: RecordedResource[]; error?: unknown };
    before(async () => {
        r = await run({ monitoring: {}, autoscaling: { minReplicas: 1, maxReplicas: 4 } }, { operators: { keda: true, prometheusStack: true } });
        assert.strictEqual(r.error, undefined, String(r.error));
    });

    it("installs KEDA and the Prometheus stack once, on the platform", () => {
        assert.strictEqual(byName(r.resources, "shared-keda").type, "kubernetes:helm.sh/v4:Chart");
        // kube-prometheus-stack creates its webhook certificates with Helm hooks, which only helm.v3.Release runs.
        assert.strictEqual(byName(r.resources, "shared-llmd-monitoring").type, "kubernetes:helm.sh/v3:Release");
    });

    it("monitors wait for the Prometheus Operator, scalers for KEDA, and not the other way round", () => {
        const prometheus = byName(r.resources, "shared-llmd-monitoring").urn;
        const keda = byName(r.resources, "shared-keda").urn;
        for (const monitor of [...ofType(r.resources, ":PodMonitor"), ...ofType(r.resources, ":ServiceMonitor"), ...ofType(r.resources, ":PrometheusRule")]) {
            assert.ok(monitor.dependencies.includes(prometheus), monitor.name);
            assert.ok(!monitor.dependencies.includes(keda), monitor.name);
        }
        const scalers = [...ofType(r.resources, ":ScaledObject"), ...ofType(r.resources, ":TriggerAuthentication")];
        assert.strictEqual(scalers.length, 2);
        for (const scaler of scalers) {
            assert.ok(scaler.dependencies.includes(keda), scaler.name);
        }
    });

    it("scales the model's workload on the platform's Prometheus, with the router's flowControl gate on", () => {
        const [scaled] = ofType(r.resources, ":ScaledObject");
        const spec = scaled.inputs.spec as any;
        assert.deepStrictEqual(spec.scaleTargetRef.name, "qwen-both");
        assert.strictEqual(spec.maxReplicaCount, 4);
        assert.ok(spec.triggers.every((t: any) => t.metadata.serverAddress === prometheusStackAddress()));
        const config = parse((byName(r.resources, "qwen-router-config").inputs.data as any)[ROUTER_CONFIG_FILE]);
        assert.ok(config.featureGates.includes("flowControl"));
    });

    it("leaves the replica count to KEDA on later updates", () => {
        assert.deepStrictEqual(byName(r.resources, "qwen-both-workload").ignoreChanges, ["spec.replicas"]);
    });

    it("waits for a model workload as long as its startup probe allows", () => {
        const timeouts = byName(r.resources, "qwen-both-workload").customTimeouts;
        assert.ok(timeouts && /m$/.test(timeouts.create), JSON.stringify(timeouts));
    });
});

describe("LlmdModel: autoscaling without monitoring", () => {
    it("warns that KEDA sees no series unless the user's own Prometheus scrapes the router, and only then", async () => {
        await withCapturedWarnings(async (warnings) => {
            const platform = { operators: { keda: true, prometheusStack: true } };
            const scaledOnly = await run({ autoscaling: { maxReplicas: 2 } }, platform);
            assert.strictEqual(scaledOnly.error, undefined, String(scaledOnly.error));
            const noMonitors = warnings.filter((w) => /has no monitoring/.test(w));
            assert.strictEqual(noMonitors.length, 1, warnings.join("\n"));
            assert.match(noMonitors[0], /model qwen .* unless http:\/\/\S+ already scrapes the router in namespace llm-d/);
            warnings.length = 0;
            await run({ monitoring: {}, autoscaling: { maxReplicas: 2 } }, platform);
            await run({}, platform);
            assert.deepStrictEqual(warnings.filter((w) => /has no monitoring/.test(w)), []);
        });
    });
});

describe("LlmdModel: operations settings checked against the platform and the pool", () => {
    it("autoscaling without a Prometheus to read names autoscaling.prometheusAddress", async () => {
        const r = await run({ autoscaling: {} });
        assertConfigError(r.error, "autoscaling.prometheusAddress", /operators.prometheusStack/);
    });

    it("more replicas than the pool can hold names autoscaling.maxReplicas", async () => {
        const r = await run(
            { preset: "optimized-baseline", model: "Qwen/Qwen3-32B", pools: [h100Pool], decode: { replicas: 1, tensorParallelSize: 8 }, autoscaling: { maxReplicas: 50 } },
            { operators: { keda: true, prometheusStack: true } },
        );
        assertConfigError(r.error, "autoscaling.maxReplicas", /pool h100/);
    });

    it("on GKE the model's monitors are GMP PodMonitorings, with no CRD the cluster lacks", async () => {
        const r = await run({ monitoring: {}, clusterProvider: "gke" });
        assert.ok(ofType(r.resources, "monitoring.googleapis.com/v1:PodMonitoring").length >= 2);
        assert.strictEqual(ofType(r.resources, ":PodMonitor").length, 0);
    });

    it("a shared weight cache: one ReadWriteMany claim, mounted by every server pod", async () => {
        const r = await run({ preset: "optimized-baseline", accelerator: "cpu", model: "Qwen/Qwen3-0.6B", decode: { replicas: 3 }, modelCache: { size: "200Gi" } });
        const [claim] = ofType(r.resources, ":PersistentVolumeClaim");
        assert.deepStrictEqual((claim.inputs.spec as any).accessModes, ["ReadWriteMany"]);
        const pod = (byName(r.resources, "qwen-both-workload").inputs.spec as any).template.spec;
        assert.ok(pod.volumes.some((v: any) => v.persistentVolumeClaim?.claimName === (claim.inputs.metadata as any).name));
    });

    it("three pods on a ReadWriteOnce cache names modelCache.accessMode", async () => {
        const r = await run({ decode: { replicas: 3 }, modelCache: { size: "200Gi", accessMode: "ReadWriteOnce" } });
        assertConfigError(r.error, "modelCache.accessMode", /ReadWriteMany/);
    });
});
