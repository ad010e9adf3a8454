import * as assert from "assert";
import { parse } from "yaml";
import { LlmdConfigError } from "../../components/errors";
import { AUTOSCALING_DEFAULTS, ScaleTarget, gmpQueryAddress, renderAutoscaling, resolveAutoscaling, scaleTarget } from "../../components/render/autoscaling";
import { checkAutoscalingCapacity } from "../../components/render/autoscaling-capacity";
import { ModelMetricsScope } from "../../components/render/monitoring-scope";
import { metricsReaderNames } from "../../components/render/monitoring";
import { renderModelServer, resolveModelServer } from "../../components/render/model-server";
import { buildRouterConfig, renderRouterConfig, validateRouterConfigText } from "../../components/render/router-config";
import { FLOW_CONTROL_GATE, withFlowControl, withFlowControlText } from "../../components/render/router-feature-gates";
import { validateObject } from "../support/schema";
import { h100Pool } from "./model-server-fixtures";

const scope: ModelMetricsScope = { release: "qwen", namespace: "llm-d", poolName: "qwen-pool", servedModelName: "Qwen/Qwen3-32B", pd: true };
const targets: ScaleTarget[] = [
    { role: "decode", kind: "Deployment", name: "qwen-decode" },
    { role: "prefill", kind: "LeaderWorkerSet", name: "qwen-prefill" },
];
const PROM = "http://kube-prometheus-stack-prometheus.monitoring.svc:9090";

function configError(fn: () => unknown, field: string): void {
    assert.throws(fn, (e: unknown) => e instanceof LlmdConfigError && e.field === field && e.message.startsWith(`${field}: got `));
}

describe("KEDA autoscaling", () => {
    it("defaults to the guide's thresholds and bounds", () => {
        const spec = resolveAutoscaling({ prometheusAddress: PROM });
        assert.deepStrictEqual({ ...spec, prometheusAddress: undefined, bearerAuth: undefined }, { ...AUTOSCALING_DEFAULTS, gcpWorkloadIdentity: false, openshiftThanos: false, prometheusAddress: undefined, bearerAuth: undefined });
        const objects = renderAutoscaling(spec, scope, targets);
        const so = objects.find((o) => o.kind === "ScaledObject") as any;
        assert.deepStrictEqual(
            [so.spec.minReplicaCount, so.spec.maxReplicaCount, so.spec.pollingInterval, so.spec.cooldownPeriod],
            [1, 8, 15, 300],
        );
        assert.deepStrictEqual(so.spec.triggers.map((t: any) => [t.metricType, t.metadata.threshold]), [["AverageValue", "1"], ["AverageValue", "16"]]);
    });

    it("renders one ScaledObject per workload, each aimed at its kind, and a TriggerAuthentication with the release's token", () => {
        const objects = renderAutoscaling(resolveAutoscaling({ prometheusAddress: PROM, maxReplicas: 4 }), scope, targets);
        const auth = objects.find((o) => o.kind === "TriggerAuthentication") as any;
        assert.deepStrictEqual(auth.spec.secretTargetRef, [{ parameter: "bearerToken", name: metricsReaderNames(scope).tokenSecret, key: "token" }]);
        const scaled = objects.filter((o) => o.kind === "ScaledObject") as any[];
        assert.deepStrictEqual(
            scaled.map((s) => s.spec.scaleTargetRef),
            [
                { apiVersion: "apps/v1", kind: "Deployment", name: "qwen-decode" },
                { apiVersion: "leaderworkerset.x-k8s.io/v1", kind: "LeaderWorkerSet", name: "qwen-prefill" },
            ],
        );
        for (const s of scaled) {
            for (const t of s.spec.triggers) {
                assert.strictEqual(t.authenticationRef.name, auth.metadata.name);
                assert.strictEqual(t.metadata.authModes, "bearer");
                assert.strictEqual(t.metadata.serverAddress, PROM);
                assert.match(t.metadata.query, /namespace="llm-d"/);
            }
        }
        assert.match(scaled[0].spec.triggers[0].metadata.query, /^sum\(llm_d_epp_flow_control_queue_size\{.*inference_pool="qwen-pool"/);
        assert.match(scaled[0].spec.triggers[1].metadata.query, /^sum\(llm_d_epp_request_running\{.*model_name="Qwen\/Qwen3-32B"/);
    });

    it("without bearer auth there is no TriggerAuthentication and no reference to one", () => {
        const objects = renderAutoscaling(resolveAutoscaling({ prometheusAddress: PROM, bearerAuth: false }), scope, targets);
        assert.deepStrictEqual(objects.map((o) => o.kind), ["ScaledObject", "ScaledObject"]);
        assert.ok(!JSON.stringify(objects).includes("authenticationRef"));
    });

    it("scale to zero is an opt-in minReplicas of 0", () => {
        const so = renderAutoscaling(resolveAutoscaling({ prometheusAddress: PROM, minReplicas: 0 }), scope, targets)[1] as any;
        assert.strictEqual(so.spec.minReplicaCount, 0);
    });

    it("every object is valid against the pinned KEDA CRDs", () => {
        for (const args of [{ prometheusAddress: PROM }, { prometheusAddress: PROM, minReplicas: 0, bearerAuth: false, queueSizeThreshold: 0.5 }]) {
            for (const o of renderAutoscaling(resolveAutoscaling(args), scope, targets)) {
                assert.deepStrictEqual(validateObject(o), [], `${o.kind} ${o.metadata.name}`);
            }
        }
        const broken = structuredClone(renderAutoscaling(resolveAutoscaling({ prometheusAddress: PROM }), scope, targets)[1]) as any;
        broken.spec.scaleTargetRef = { kind: "Deployment" };
        assert.notDeepStrictEqual(validateObject(broken), []);
    });

    it("rejects bad settings naming the field", () => {
        configError(() => resolveAutoscaling({ prometheusAddress: "prometheus:9090" }), "autoscaling.prometheusAddress");
        configError(() => resolveAutoscaling({ prometheusAddress: PROM, minReplicas: 3, maxReplicas: 2 }), "autoscaling.maxReplicas");
        configError(() => resolveAutoscaling({ prometheusAddress: PROM, minReplicas: -1 }), "autoscaling.minReplicas");
        configError(() => resolveAutoscaling({ prometheusAddress: PROM, runningRequestsThreshold: 0 }), "autoscaling.runningRequestsThreshold");
        configError(() => resolveAutoscaling({ prometheusAddress: PROM, maxReplica: 3 } as any), "autoscaling.maxReplica");
        configError(() => resolveAutoscaling({ prometheusAddress: PROM, bearerAuth: "yes" } as any), "autoscaling.bearerAuth");
        configError(() => resolveAutoscaling({ prometheusAddress: PROM, pollingIntervalSeconds: 0 }, "decode.autoscaling"), "decode.autoscaling.pollingIntervalSeconds");
    });
});

describe("autoscaling capacity check", () => {
    // 8 GPUs per node; one GPU per pod packs 8 pods a node.
    const pool = { ...h100Pool, maxNodes: 2 };
    const server = resolveModelServer({ namespace: "llm-d", model: "Qwen/Qwen3-32B", accelerator: "nvidia-h100", pool }, { name: "qwen-decode", hfTokenGiven: false });

    it("accepts a ceiling the pool can hold and rejects one it cannot, saying what would fit", () => {
        checkAutoscalingCapacity("autoscaling", { maxReplicas: 16 }, server, pool);
        assert.throws(
            () => checkAutoscalingCapacity("autoscaling", { maxReplicas: 17 }, server, pool),
            (e: unknown) => e instanceof LlmdConfigError && e.field === "autoscaling.maxReplicas" && /at most 2\b/.test(e.message) && /expected at most 16 /.test(e.message),
        );
    });

    it("counts whole groups for replicas that span nodes", () => {
        const wide = resolveModelServer(
            { namespace: "llm-d", model: "deepseek-ai/DeepSeek-R1", accelerator: "nvidia-h100", pool: { ...pool, maxNodes: 4 }, nodesPerReplica: 2, tensorParallelSize: 8, network: { allowTcp: true } },
            { name: "ds-decode", hfTokenGiven: false },
        );
        checkAutoscalingCapacity("autoscaling", { maxReplicas: 2 }, wide, { ...pool, maxNodes: 4 });
        assert.throws(() => checkAutoscalingCapacity("autoscaling", { maxReplicas: 3 }, wide, { ...pool, maxNodes: 4 }), LlmdConfigError);
    });

    it("targets the workload kind the model server renders", () => {
        const wide = resolveModelServer(
            { namespace: "llm-d", model: "deepseek-ai/DeepSeek-R1", accelerator: "nvidia-h100", pool, nodesPerReplica: 2, tensorParallelSize: 16, network: { allowTcp: true } },
            { name: "ds-decode", hfTokenGiven: false },
        );
        for (const spec of [server, wide]) {
            const target = scaleTarget(spec);
            assert.deepStrictEqual([target.kind, target.name, target.role], [renderModelServer(spec)[0].kind, spec.name, spec.role]);
        }
    });

    it("does not check servers without a pool", () => {
        checkAutoscalingCapacity("autoscaling", { maxReplicas: 1000 }, server, undefined);
    });
});

describe("KEDA autoscaling on GKE Managed Prometheus", () => {
    const GMP = gmpQueryAddress("my-gcp-project");

    it("authenticates by the operator's Workload Identity, with no bearer token or auth mode beside it", () => {
        assert.strictEqual(GMP, "https://monitoring.googleapis.com/v1/projects/my-gcp-project/location/global/prometheus");
        const spec = resolveAutoscaling({ prometheusAddress: GMP });
        assert.deepStrictEqual([spec.gcpWorkloadIdentity, spec.bearerAuth], [true, false]);
        const objects = renderAutoscaling(spec, scope, targets);
        const auth = objects.find((o) => o.kind === "TriggerAuthentication") as any;
        assert.deepStrictEqual(auth.spec, { podIdentity: { provider: "gcp" } });
        for (const so of objects.filter((o) => o.kind === "ScaledObject") as any[]) {
            for (const trigger of so.spec.triggers) {
                assert.strictEqual(trigger.metadata.serverAddress, GMP);
                assert.strictEqual(trigger.metadata.authModes, undefined, "KEDA refuses pod identity with another auth mode");
                assert.deepStrictEqual(trigger.authenticationRef, { name: auth.metadata.name });
            }
        }
        for (const object of objects) {
            assert.deepStrictEqual(validateObject(object), [], `${object.kind} ${object.metadata.name}`);
        }
    });

    it("refuses a bearer token on Managed Prometheus and a Monitoring URL that is not its query API", () => {
        configError(() => resolveAutoscaling({ prometheusAddress: GMP, bearerAuth: true }), "autoscaling.bearerAuth");
        resolveAutoscaling({ prometheusAddress: GMP, bearerAuth: false });
        configError(() => resolveAutoscaling({ prometheusAddress: "https://monitoring.googleapis.com/v1/projects/p/timeSeries" }), "autoscaling.prometheusAddress");
    });

    it("keeps the bearer token for any other Prometheus", () => {
        const spec = resolveAutoscaling({ prometheusAddress: PROM });
        assert.deepStrictEqual([spec.gcpWorkloadIdentity, spec.bearerAuth], [false, true]);
        const auth = renderAutoscaling(spec, scope, targets).find((o) => o.kind === "TriggerAuthentication") as any;
        assert.ok(auth.spec.secretTargetRef, JSON.stringify(auth.spec));
    });
});

describe("router flow-control gate", () => {
    it("adds flowControl to a rendered config, replacing an explicit opt-out and keeping other gates", () => {
        const config = { ...buildRouterConfig({ profile: "inference-scheduling" }), featureGates: ["flowControl=false", "other"] };
        assert.deepStrictEqual(withFlowControl(config).featureGates, ["other", FLOW_CONTROL_GATE]);
        assert.deepStrictEqual(config.featureGates, ["flowControl=false", "other"], "input unchanged");
        assert.deepStrictEqual(withFlowControl(buildRouterConfig({ profile: "pd-disaggregation" })).featureGates, ["flowControl"]);
    });

    it("adds it to config file text, which stays a valid router config with its comment", () => {
        const text = withFlowControlText(renderRouterConfig({ profile: "pd-disaggregation" }));
        assert.match(text, /^# llm-d router scheduler config/);
        assert.deepStrictEqual(parse(text).featureGates, ["flowControl"]);
        assert.strictEqual(validateRouterConfigText("schedulerConfig", text), text);
        assert.deepStrictEqual(parse(withFlowControlText(text)).featureGates, ["flowControl"], "idempotent");
    });
});
