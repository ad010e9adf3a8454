import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import { CHARTS } from "../../components/catalog/versions";
import { LlmdConfigError } from "../../components/errors";
import { LeaderWorkerSetController, LeaderWorkerSetControllerArgs, resolveLwsSpec } from "../../components/lws";
import { runWithMocks } from "../../stacks/mock-engine";
import { one } from "../support/recorded";

const COMPONENT = "llmd:index:LeaderWorkerSetController";
const CHART = "kubernetes:helm.sh/v4:Chart";
const NAMESPACE = "kubernetes:core/v1:Namespace";

async function run(args: Omit<LeaderWorkerSetControllerArgs, "kubernetesProvider">, preview = false) {
    const { resources, result } = await runWithMocks(
        async () => {
            const provider = new k8s.Provider("cluster", {});
            const lws = new LeaderWorkerSetController("lws", { ...args, kubernetesProvider: provider });
            return preview ? undefined : await new Promise<string>((resolve) => lws.namespace.apply(resolve));
        },
        { stack: "test", preview },
    );
    const component = resources.find((r) => r.type === COMPONENT)!;
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    const children = resources.filter((r) => r.parent === component.urn);
    return { resources, component, provider, children, namespace: result };
}

describe("LeaderWorkerSetController", () => {
    it("installs the pinned LWS chart into a new lws-system namespace", async () => {
        const r = await run({});
        assert.deepStrictEqual(r.children.map((c) => c.type).sort(), [NAMESPACE, CHART].sort());
        const ns = one(r.children, NAMESPACE);
        assert.strictEqual((ns.inputs.metadata as any).name, "lws-system");
        const chart = one(r.children, CHART);
        assert.strictEqual(chart.name, "lws-chart");
        assert.strictEqual(chart.inputs.chart, CHARTS.lws.chart);
        assert.strictEqual(chart.inputs.chart, "oci://registry.k8s.io/lws/charts/lws");
        // OCI chart versions carry no leading "v" (release v0.10.0 is chart 0.10.0).
        assert.strictEqual(chart.inputs.version, CHARTS.lws.version);
        assert.match(String(chart.inputs.version), /^\d+\.\d+\.\d+$/);
        assert.strictEqual(chart.inputs.name, "lws");
        assert.strictEqual(chart.inputs.namespace, "lws-system");
        // CRDs come from the chart's crds/ folder: they must not be skipped.
        assert.notStrictEqual(chart.inputs.skipCrds, true);
        assert.deepStrictEqual(chart.inputs.values, {});
        assert.deepStrictEqual(chart.dependencies, [ns.urn]);
        assert.strictEqual(r.namespace, "lws-system");
    });

    it("wires every child to the component and the given provider", async () => {
        const r = await run({});
        assert.strictEqual(r.children.length, 2);
        for (const child of r.children) {
            assert.ok(child.provider?.startsWith(`${r.provider.urn}::`), `${child.name} uses the given provider`);
        }
    });

    it("uses an existing namespace and passes extra values through", async () => {
        const r = await run({ namespace: "batch", createNamespace: false, values: { enablePrometheus: true, replicaCount: 2 } });
        assert.strictEqual(r.children.filter((c) => c.type === NAMESPACE).length, 0);
        const chart = one(r.children, CHART);
        assert.strictEqual(chart.inputs.namespace, "batch");
        assert.deepStrictEqual(chart.inputs.values, { enablePrometheus: true, replicaCount: 2 });
        assert.deepStrictEqual(chart.dependencies, []);
        assert.strictEqual(r.namespace, "batch");
    });

    it("does not hang in preview", async () => {
        const r = await run({}, true);
        assert.strictEqual(r.children.length, 2);
    });

    describe("bad input names the field", () => {
        const cases: [string, Record<string, unknown>][] = [
            ["namespace", { namespace: "LWS" }],
            ["namespace", { namespace: "" }],
            ["createNamespace", { createNamespace: "yes" }],
            ["values", { values: [1, 2] }],
            ["values", { values: "enablePrometheus=true" }],
        ];
        for (const [field, args] of cases) {
            it(`${field}: ${JSON.stringify(args[field])}`, () => {
                assert.throws(
                    () => resolveLwsSpec(args),
                    (err: unknown) => err instanceof LlmdConfigError && err.field === field && err.message.startsWith(`${field}:`),
                );
            });
        }

        it("throws from the constructor before creating any child", async () => {
            let caught: unknown;
            const { resources } = await runWithMocks(
                () => {
                    try {
                        new LeaderWorkerSetController("lws", { namespace: "Not_Valid" });
                    } catch (err) {
                        caught = err;
                    }
                },
                { stack: "test", preview: false },
            );
            assert.ok(caught instanceof LlmdConfigError && caught.field === "namespace");
            assert.deepStrictEqual(resources.filter((r) => r.name.startsWith("lws")).map((r) => r.type), [COMPONENT]);
        });
    });
});
