import * as assert from "assert";
import { LlmdDeploymentArgs } from "../../components/llmd";
import { K8sObject } from "../../components/render/types";
import { RecordedResource } from "../../stacks/mock-engine";
import { evaluateStack } from "../../stacks/plan";
import { readStackConfig } from "../../stacks/stack-files";
import { validateObject } from "../support/schema";
import { Json, h100IbPool, ibDevices } from "./model-server-fixtures";
import { deployLlmd } from "../support/deployment";
import { byName } from "../support/recorded";

const network = { rdmaDevices: ibDevices };
const rdmaPd: LlmdDeploymentArgs = { preset: "pd-disaggregation", namespace: "serving", pools: [h100IbPool], network, platform: "openshift" };

/** The Kubernetes object a recorded resource would apply. */
function objectOf(r: RecordedResource): K8sObject {
    return r.inputs as K8sObject;
}

const SCC_CHILDREN = ["llmd-model-server-sa", "llmd-scc", "llmd-scc-role", "llmd-scc-binding"];

describe("LlmdDeployment on OpenShift", () => {
    it("with RDMA model servers: creates the ServiceAccount, SCC, ClusterRole and RoleBinding under the deployment", async () => {
        const resources = await deployLlmd(rdmaPd);
        const deployment = byName(resources, "llmd");
        const provider = byName(resources, "k8s");
        const expected: Record<string, string> = {
            "llmd-model-server-sa": "kubernetes:core/v1:ServiceAccount",
            "llmd-scc": "kubernetes:security.openshift.io/v1:SecurityContextConstraints",
            "llmd-scc-role": "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
            "llmd-scc-binding": "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        };
        for (const [name, type] of Object.entries(expected)) {
            const r = byName(resources, name);
            assert.strictEqual(r.type, type, name);
            assert.strictEqual(r.parent, deployment.urn, `${name} is not a child of the deployment`);
            assert.ok(r.provider?.startsWith(provider.urn), `${name} does not use the given provider`);
            assert.deepStrictEqual(validateObject(objectOf(r)), [], name);
        }
        const scc = byName(resources, "llmd-scc").inputs as Json;
        assert.deepStrictEqual([...scc.allowedCapabilities].sort(), ["IPC_LOCK", "SYS_RAWIO"]);
        assert.strictEqual(scc.allowPrivilegedContainer, false);
        const binding = byName(resources, "llmd-scc-binding").inputs as Json;
        assert.strictEqual(binding.metadata.namespace, "serving");
        assert.strictEqual(binding.roleRef.name, (byName(resources, "llmd-scc-role").inputs as Json).metadata.name);
        assert.strictEqual(binding.subjects[0].name, (byName(resources, "llmd-model-server-sa").inputs as Json).metadata.name);
    });

    it("orders the grant: namespace, then account and SCC, then role, then binding, then the model servers", async () => {
        const resources = await deployLlmd(rdmaPd);
        const urn = (name: string) => byName(resources, name).urn;
        const deps = (name: string) => byName(resources, name).dependencies;
        assert.ok(deps("llmd-model-server-sa").includes(urn("llmd-namespace")));
        assert.ok(deps("llmd-scc-role").includes(urn("llmd-scc")));
        for (const needed of ["llmd-namespace", "llmd-scc-role", "llmd-model-server-sa"]) {
            assert.ok(deps("llmd-scc-binding").includes(urn(needed)), `binding does not wait for ${needed}`);
        }
        for (const role of ["decode", "prefill"]) {
            const workload = byName(resources, `llmd-${role}-workload`);
            const pod = (workload.inputs as Json).spec.template.spec;
            assert.strictEqual(pod.serviceAccountName, "llmd-model-server", role);
            assert.ok(workload.dependencies.includes(urn("llmd-scc-binding")), `${role} workload does not wait for the SCC binding`);
            assert.ok(workload.dependencies.includes(urn("llmd-model-server-sa")), `${role} workload does not wait for its ServiceAccount`);
            assert.deepStrictEqual(validateObject(objectOf(workload)), [], role);
        }
    });

    it("creates nothing extra when restricted-v2 admits every pod, or off OpenShift", async () => {
        const cases: LlmdDeploymentArgs[] = [
            { ...rdmaPd, preset: "inference-scheduling" },
            { preset: "simulator", platform: "openshift" },
            { ...rdmaPd, platform: "gke" },
            { ...rdmaPd, platform: undefined },
        ];
        for (const args of cases) {
            const resources = await deployLlmd(args);
            const extra = resources.filter((r) => SCC_CHILDREN.includes(r.name) || r.type.includes("SecurityContextConstraints"));
            assert.deepStrictEqual(extra.map((r) => r.name), [], JSON.stringify({ preset: args.preset, platform: args.platform }));
            for (const workload of resources.filter((r) => r.name.endsWith("-workload"))) {
                const template = (workload.inputs as Json).spec.template ?? (workload.inputs as Json).spec.leaderWorkerTemplate.leaderTemplate;
                assert.strictEqual(template.spec.serviceAccountName, undefined, workload.name);
            }
        }
    });

    it("evaluates in preview, with unknown outputs, without hanging", async () => {
        const resources = await deployLlmd({ ...rdmaPd, preset: "wide-ep" }, true);
        assert.ok(resources.some((r) => r.name === "llmd-scc-binding"));
        const workload = byName(resources, "llmd-decode-workload").inputs as Json;
        for (const template of ["leaderTemplate", "workerTemplate"]) {
            assert.strictEqual(workload.spec.leaderWorkerTemplate[template].spec.serviceAccountName, "llmd-model-server");
        }
    });

    describe("from the stacks: the ExistingCluster platform reaches the deployment", () => {
        /** The shipped openshift stack with its pool on InfiniBand and the P/D preset. */
        function rdmaStack(provider: string, kind?: string) {
            const file = readStackConfig("openshift");
            const cluster = JSON.parse(file.config["llmd:cluster"]);
            cluster.pools = cluster.pools.map((p: Json) => ({ ...p, interconnect: "infiniband" }));
            if (kind) cluster.kind = kind;
            const deployment = JSON.parse(file.config["llmd:deployment"]);
            const config = {
                ...file.config,
                "llmd:provider": provider,
                "llmd:cluster": JSON.stringify(cluster),
                // Without the shipped autoscaling: its ceiling fits the shipped preset's pods, and its Thanos address
                // only an OpenShift cluster, while this variant changes both.
                "llmd:deployment": JSON.stringify({ ...deployment, preset: "pd-disaggregation", decode: undefined, autoscaling: undefined, network }),
            };
            return { ...file, config };
        }

        for (const [provider, kind, grant] of [
            ["openshift", undefined, true],
            ["existing", "openshift", true],
            ["existing", undefined, false],
        ] as const) {
            it(`${provider}${kind ? ` (kind ${kind})` : ""}: ${grant ? "creates" : "no"} SCC grant`, async () => {
                const resources = await evaluateStack("openshift", false, rdmaStack(provider, kind));
                const scc = resources.filter((r) => r.type.endsWith(":SecurityContextConstraints"));
                assert.strictEqual(scc.length, grant ? 1 : 0);
            });
        }
    });
});
