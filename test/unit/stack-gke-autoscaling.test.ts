import * as assert from "assert";
import { gmpQueryAddress } from "../../components/render/autoscaling";
import { RecordedResource } from "../../stacks/mock-engine";
import { runStackProgram } from "../support/stack-program";

const GKE = {
    "gcp:project": "proj",
    "llmd:provider": "gke",
    "llmd:cluster": {
        location: "us-central1",
        deletionProtection: false,
        acceleratorPools: [{ name: "l4", accelerator: "nvidia-l4", acceleratorsPerNode: 2, nodeLocations: ["us-central1-a"], minNodes: 0, maxNodes: 2 }],
    },
};
const MODEL = { preset: "optimized-baseline", model: "Qwen/Qwen3-0.6B", accelerator: "nvidia-l4", decode: { replicas: 1, tensorParallelSize: 1 } };

const ofType = (resources: RecordedResource[], suffix: string) => resources.filter((r) => r.type.endsWith(suffix));

describe("GKE stack: autoscaling on Managed Prometheus", function () {
    this.timeout(120000);

    it("one model: KEDA acts as the cluster's Google identity and the model queries Managed Prometheus", async () => {
        const { resources, error } = await runStackProgram({ ...GKE, "llmd:deployment": { ...MODEL, operators: { keda: true }, autoscaling: { maxReplicas: 4 } } });
        assert.strictEqual(error, undefined, String(error));
        const [account] = ofType(resources, "serviceaccount/account:Account");
        const email = `${account.inputs.accountId}@proj.iam.gserviceaccount.com`;
        const [keda] = resources.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.name.endsWith("-keda"));
        assert.deepStrictEqual((keda.inputs.values as any).podIdentity.gcp, { enabled: true, gcpIAMServiceAccount: email });
        const [scaled] = ofType(resources, ":ScaledObject");
        assert.ok((scaled.inputs.spec as any).triggers.every((t: any) => t.metadata.serverAddress === gmpQueryAddress("proj")));
        const [auth] = ofType(resources, ":TriggerAuthentication");
        assert.deepStrictEqual((auth.inputs as any).spec, { podIdentity: { provider: "gcp" } });
    });

    it("several models: the platform's KEDA in its own namespace, each model's own address kept", async () => {
        const { resources, error } = await runStackProgram({
            ...GKE,
            "llmd:platform": { gateway: { implementation: "gke" }, operators: { keda: true, kedaNamespace: "autoscaling" } },
            "llmd:models": [
                { name: "a", ...MODEL, autoscaling: { maxReplicas: 2 } },
                { name: "b", ...MODEL, servedModelName: "b", autoscaling: { maxReplicas: 2, prometheusAddress: "http://thanos.monitoring.svc:9090" } },
            ],
        });
        assert.strictEqual(error, undefined, String(error));
        const [wi] = ofType(resources, "serviceaccount/iAMMember:IAMMember");
        assert.strictEqual(wi.inputs.member, "serviceAccount:proj.svc.id.goog[autoscaling/keda-operator]");
        const address = (name: string) => (resources.find((r) => r.type.endsWith(":ScaledObject") && r.name.startsWith(`${name}-`))!.inputs.spec as any).triggers[0].metadata.serverAddress;
        assert.deepStrictEqual([address("a"), address("b")], [gmpQueryAddress("proj"), "http://thanos.monitoring.svc:9090"]);
    });

    it("leaves a model whose metrics go to a Prometheus Operator to name its own Prometheus", async () => {
        const { resources, error } = await runStackProgram({ ...GKE, "llmd:deployment": { ...MODEL, monitoring: { provider: "prometheus-operator" }, operators: { keda: true }, autoscaling: { maxReplicas: 4 } } });
        assert.match(String(error), /llmd:deployment\.autoscaling\.prometheusAddress: got nothing/);
        assert.deepStrictEqual(ofType(resources, "serviceaccount/account:Account"), []);
    });

    it("creates no Google identity without autoscaling, or when the platform brings its own Prometheus", async () => {
        for (const deployment of [{ ...MODEL, monitoring: {} }, { ...MODEL, operators: { keda: true, prometheusStack: true }, autoscaling: { maxReplicas: 4 } }]) {
            const { resources, error } = await runStackProgram({ ...GKE, "llmd:deployment": deployment });
            assert.strictEqual(error, undefined, String(error));
            assert.deepStrictEqual(ofType(resources, "serviceaccount/account:Account"), []);
        }
    });
});
