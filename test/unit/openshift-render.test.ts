import * as assert from "assert";
import { INTERCONNECTS } from "../../components/catalog/networking";
import { resolveLlmdDeployment } from "../../components/render/llmd-deployment";
import { engineCapabilities } from "../../components/render/model-server-pod";
import { renderModelServer, resolveModelServer } from "../../components/render/model-server";
import { ModelServerInput } from "../../components/render/model-server-types";
import { RDMA_POD_CAPABILITIES, openShiftSccSpec, renderOpenShiftScc, renderOpenShiftServiceAccount } from "../../components/render/openshift";
import { renderRouter, resolveRouterSpec } from "../../components/render/router";
import { K8sObject } from "../../components/render/types";
import { assertConfigError } from "../support/config-errors";
import { validateObject } from "../support/schema";
import { RESTRICTED_V2, admissionErrors } from "./openshift-admission";
import { base, h100IbPool, h100Pool, h200RocePool, ibDevices, Json, render, templates } from "./model-server-fixtures";

/** Fields the SCC CRD (openshift/api security/v1, Default feature set) marks required. */
const SCC_REQUIRED = [
    "allowHostDirVolumePlugin", "allowHostIPC", "allowHostNetwork", "allowHostPID", "allowHostPorts", "allowPrivilegedContainer",
    "allowedCapabilities", "defaultAddCapabilities", "priority", "readOnlyRootFilesystem", "requiredDropCapabilities", "volumes",
];

const spec = openShiftSccSpec("llmd", "serving", false);
const [scc, clusterRole, roleBinding] = renderOpenShiftScc(spec) as Json[];

const rdmaDecode: Partial<ModelServerInput> = {
    accelerator: "nvidia-h100",
    pool: h100IbPool,
    role: "decode",
    pd: { kvTransfer: "nixl" },
    network: { rdmaDevices: ibDevices },
};

/** Every pod spec of a workload (leader and worker templates). */
function podSpecs(obj: K8sObject): Json[] {
    return Object.values(templates(obj)).filter(Boolean).map((t: Json) => t.spec);
}

const sorted = (list: readonly string[]) => [...list].sort();

describe("OpenShift SCC rendering", () => {
    it("renders an SCC, a ClusterRole and a RoleBinding, each schema-valid, plus the ServiceAccount", () => {
        const objects = [...renderOpenShiftScc(spec), renderOpenShiftServiceAccount(spec)];
        assert.deepStrictEqual(objects.map((o) => `${o.apiVersion}/${o.kind}`), [
            "security.openshift.io/v1/SecurityContextConstraints",
            "rbac.authorization.k8s.io/v1/ClusterRole",
            "rbac.authorization.k8s.io/v1/RoleBinding",
            "v1/ServiceAccount",
        ]);
        for (const o of objects) {
            assert.deepStrictEqual(validateObject(o), [], `${o.kind}`);
        }
    });

    it("the SCC is cluster-scoped, named for its namespace and deployment, and has every field the CRD requires", () => {
        assert.strictEqual(scc.metadata.namespace, undefined);
        assert.strictEqual(scc.metadata.name, "llmd-serving-llmd-rdma");
        assert.notStrictEqual(openShiftSccSpec("llmd", "other", false).sccName, scc.metadata.name, "two namespaces must not share one SCC");
        for (const field of SCC_REQUIRED) {
            assert.ok(field in scc && scc[field] !== undefined && scc[field] !== null, `missing ${field}`);
        }
        assert.strictEqual(scc.spec, undefined, "SCC fields are top-level, not under spec");
    });

    it("is restricted-v2 plus the RDMA capabilities and UID 0 to use them: no privilege, no host access, SELinux", () => {
        assert.deepStrictEqual(sorted(scc.allowedCapabilities), ["IPC_LOCK", "SYS_RAWIO"]);
        assert.strictEqual(scc.allowPrivilegedContainer, false);
        assert.strictEqual(scc.allowPrivilegeEscalation, false);
        for (const host of ["allowHostDirVolumePlugin", "allowHostIPC", "allowHostNetwork", "allowHostPID", "allowHostPorts"]) {
            assert.strictEqual(scc[host], false, host);
        }
        assert.deepStrictEqual(scc.seLinuxContext, { type: "MustRunAs" });
        assert.deepStrictEqual(scc.fsGroup, RESTRICTED_V2.fsGroup);
        assert.deepStrictEqual(scc.supplementalGroups, RESTRICTED_V2.supplementalGroups);
        assert.deepStrictEqual(scc.requiredDropCapabilities, RESTRICTED_V2.requiredDropCapabilities);
        assert.deepStrictEqual(scc.seccompProfiles, ["runtime/default"]);
        assert.deepStrictEqual(sorted(scc.volumes), ["configMap", "downwardAPI", "emptyDir", "persistentVolumeClaim", "projected", "secret"]);
        assert.deepStrictEqual(scc.defaultAddCapabilities, []);
        assert.strictEqual(scc.readOnlyRootFilesystem, false);
        // The CRD forbids a capability in both lists.
        assert.ok(!scc.allowedCapabilities.some((c: string) => scc.requiredDropCapabilities.includes(c)));
        // Granted through RBAC only, never to every authenticated user.
        assert.deepStrictEqual([scc.users, scc.groups], [[], []]);
        // Nothing beyond restricted-v2 except the capabilities.
        // UID 0 is the one other difference: capabilities added to a non-root process are not effective.
        assert.deepStrictEqual(scc.runAsUser, { type: "RunAsAny" });
        for (const [field, value] of Object.entries(RESTRICTED_V2)) {
            if (field === "allowedCapabilities" || field === "volumes" || field === "defaultAddCapabilities" || field === "runAsUser") continue;
            assert.deepStrictEqual(scc[field], value, field);
        }
        for (const volume of scc.volumes) {
            assert.ok(RESTRICTED_V2.volumes.includes(volume), `${volume} is more than restricted-v2 allows`);
        }
    });

    it("allows exactly the fabric catalog's RDMA capabilities", () => {
        const fromCatalog = new Set(Object.values(INTERCONNECTS).flatMap((i) => i.capabilities));
        assert.deepStrictEqual(sorted(RDMA_POD_CAPABILITIES), sorted([...fromCatalog]));
        assert.deepStrictEqual(sorted(scc.allowedCapabilities), sorted(RDMA_POD_CAPABILITIES));
    });

    it("the ClusterRole may only `use` this SCC; the RoleBinding grants it to the ServiceAccount in the namespace", () => {
        assert.strictEqual(clusterRole.metadata.namespace, undefined);
        assert.deepStrictEqual(clusterRole.rules, [
            { apiGroups: ["security.openshift.io"], resources: ["securitycontextconstraints"], resourceNames: [scc.metadata.name], verbs: ["use"] },
        ]);
        assert.strictEqual(roleBinding.kind, "RoleBinding", "a ClusterRoleBinding would grant the SCC in every namespace");
        assert.strictEqual(roleBinding.metadata.namespace, "serving");
        assert.deepStrictEqual(roleBinding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name });
        assert.deepStrictEqual(roleBinding.subjects, [{ kind: "ServiceAccount", name: spec.serviceAccountName, namespace: "serving" }]);
        const sa = renderOpenShiftServiceAccount(spec);
        assert.deepStrictEqual([sa.metadata.name, sa.metadata.namespace], [spec.serviceAccountName, "serving"]);
    });

    it("allows privileged containers (and the escalation they imply) only when a server runs privileged", () => {
        const [privileged] = renderOpenShiftScc(openShiftSccSpec("llmd", "serving", true)) as Json[];
        assert.strictEqual(privileged.allowPrivilegedContainer, true);
        assert.strictEqual(privileged.allowPrivilegeEscalation, true);
        assert.deepStrictEqual(sorted(privileged.allowedCapabilities), sorted(scc.allowedCapabilities));
        assert.strictEqual(privileged.allowHostNetwork, false);
        assert.deepStrictEqual(validateObject(privileged), []);
    });
});

describe("OpenShift admission of llmd's pods", () => {
    it("an RDMA P/D model server adds exactly the capabilities the SCC allows", () => {
        for (const pool of [h100IbPool, h200RocePool]) {
            const args = { ...rdmaDecode, accelerator: pool.accelerator, pool, network: pool === h100IbPool ? rdmaDecode.network : undefined };
            const obj = render(args);
            for (const pod of podSpecs(obj)) {
                const vllm = pod.containers.find((c: Json) => c.name === "vllm");
                assert.deepStrictEqual(sorted(vllm.securityContext.capabilities.add), sorted(scc.allowedCapabilities), pool.name);
            }
        }
    });

    it("wide EP without a pool (fabric unknown) still adds only what the SCC allows", () => {
        const input = { ...base, accelerator: "nvidia-h100" as const, nodesPerReplica: 2, tensorParallelSize: 1, dataParallelSizeLocal: 8, enableExpertParallel: true };
        const spec = resolveModelServer(input, { name: "ep", hfTokenGiven: false });
        assert.deepStrictEqual(sorted(engineCapabilities(spec)), sorted(scc.allowedCapabilities));
        const vllm = podSpecs(renderModelServer(spec)[0])[0].containers.find((c: Json) => c.name === "vllm");
        assert.deepStrictEqual(vllm.securityContext.capabilities.add, engineCapabilities(spec));
    });

    it("restricted-v2 rejects the RDMA model server for its capabilities; llmd's SCC admits every container of it", () => {
        const obj = render({ ...rdmaDecode, nodesPerReplica: 2, tensorParallelSize: 16 });
        assert.strictEqual(obj.kind, "LeaderWorkerSet");
        for (const pod of podSpecs(obj)) {
            assert.deepStrictEqual(sorted(admissionErrors(RESTRICTED_V2, pod)), ["vllm: capability IPC_LOCK", "vllm: capability SYS_RAWIO", "vllm: runAsUser pinned"]);
            assert.deepStrictEqual(admissionErrors(scc, pod), []);
        }
        const withSidecar = render(rdmaDecode);
        assert.ok(podSpecs(withSidecar)[0].initContainers?.some((c: Json) => c.name === "routing-proxy"));
        assert.deepStrictEqual(admissionErrors(scc, podSpecs(withSidecar)[0]), []);
    });

    it("the privileged variant admits a privileged RDMA server that the plain one rejects", () => {
        const obj = render({ ...rdmaDecode, nodesPerReplica: 2, tensorParallelSize: 16, enableExpertParallel: true, network: { rdmaDevices: ibDevices, privileged: true } });
        const [privileged] = renderOpenShiftScc(openShiftSccSpec("llmd", "serving", true));
        for (const pod of podSpecs(obj)) {
            assert.ok(admissionErrors(scc, pod).some((e) => e.endsWith("privileged")));
            assert.deepStrictEqual(admissionErrors(privileged, pod), []);
        }
    });

    it("restricted-v2 alone admits plain vLLM, the simulator, the P/D sidecar and the router with its tokenizer sidecar", () => {
        const pods = [
            render({ accelerator: "nvidia-h100", pool: h100Pool, tensorParallelSize: 2 }),
            render({ accelerator: "cpu", simulator: true }),
            render({ accelerator: "nvidia-h100", pool: h100Pool, role: "decode", pd: { kvTransfer: "nixl" }, network: { allowTcp: true } }),
            render({ accelerator: "nvidia-h100", pool: h100Pool, cachePvc: "models", kvEvents: { enabled: true } }),
        ].flatMap(podSpecs);
        const router = renderRouter(
            resolveRouterSpec({
                name: "r",
                namespace: "serving",
                modelServerSelector: { "llm-d.ai/guide": "llmd" },
                schedulerProfile: "precise-prefix-cache",
                tokenizerModel: "Qwen/Qwen3-0.6B",
            }),
        ).find((o) => o.kind === "Deployment") as Json;
        const routerPod = router.spec.template.spec;
        assert.ok(routerPod.containers.some((c: Json) => c.name === "tokenizer"), "the precise profile runs the tokenizer sidecar");
        for (const pod of [...pods, routerPod]) {
            assert.deepStrictEqual(admissionErrors(RESTRICTED_V2, pod), []);
        }
    });
});

describe("ModelServer serviceAccountName", () => {
    it("sets the pods' ServiceAccount in every template, and leaves the default when unset", () => {
        const lws = render({ ...rdmaDecode, nodesPerReplica: 2, tensorParallelSize: 16, serviceAccountName: "llmd-model-server" });
        for (const pod of podSpecs(lws)) {
            assert.strictEqual(pod.serviceAccountName, "llmd-model-server");
        }
        assert.deepStrictEqual(validateObject(lws), []);
        const deployment = render({ serviceAccountName: "team.model-server" });
        assert.strictEqual(podSpecs(deployment)[0].serviceAccountName, "team.model-server");
        assert.deepStrictEqual(validateObject(deployment), []);
        assert.ok(!("serviceAccountName" in podSpecs(render({}))[0]));
    });
});

describe("LlmdDeployment plan on OpenShift", () => {
    const network = { rdmaDevices: ibDevices };

    it("P/D on InfiniBand: an SCC grant, and both roles run as its ServiceAccount", () => {
        const plan = resolveLlmdDeployment("llmd", { preset: "pd-disaggregation", namespace: "serving", pools: [h100IbPool], network, platform: "openshift" });
        assert.deepStrictEqual(plan.openShiftScc, openShiftSccSpec("llmd", "serving", false));
        assert.deepStrictEqual(plan.modelServers.map((s) => [s.role, s.input.serviceAccountName]), [
            ["decode", "llmd-model-server"],
            ["prefill", "llmd-model-server"],
        ]);
    });

    it("privileged wide EP: the SCC allows privileged containers", () => {
        const plan = resolveLlmdDeployment("llmd", {
            preset: "wide-ep",
            pools: [h100IbPool],
            network: { ...network, privileged: true },
            platform: "openshift",
        });
        assert.strictEqual(plan.openShiftScc?.privileged, true);
    });

    it("nothing extra where restricted-v2 suffices or the platform is not OpenShift", () => {
        const cases = [
            // One node per replica, no KV transfer: the RDMA NICs are not claimed, no capabilities.
            { preset: "inference-scheduling", pools: [h100IbPool], network, platform: "openshift" },
            { preset: "pd-disaggregation", pools: [h100Pool], network: { allowTcp: true }, platform: "openshift" },
            { preset: "simulator", platform: "openshift" },
            { preset: "pd-disaggregation", pools: [h100IbPool], network, platform: "aks" },
            { preset: "pd-disaggregation", pools: [h100IbPool], network },
        ];
        for (const args of cases) {
            const plan = resolveLlmdDeployment("llmd", args);
            assert.strictEqual(plan.openShiftScc, undefined, JSON.stringify(args));
            assert.ok(plan.modelServers.every((s) => s.input.serviceAccountName === undefined), JSON.stringify(args));
        }
    });

    it("an unknown platform names the field and the valid ones", () => {
        assert.throws(
            () => resolveLlmdDeployment("llmd", { preset: "simulator", platform: "ocp" }),
            (err: unknown) => {
                assertConfigError(err, "platform", ['"ocp"', "openshift", "gke"]);
                return true;
            },
        );
    });
});
