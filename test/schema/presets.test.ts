import * as assert from "assert";
import { WELL_LIT_PATHS } from "../../components/catalog/presets";
import { GATEWAY_IMPLEMENTATIONS } from "../../components/catalog/gateways";
import { LlmdDeploymentArgs } from "../../components/llmd";
import { K8sObject } from "../../components/render/types";
import { isKubernetesObject } from "../../stacks/plan";
import { validateObject } from "../support/schema";
import { deployLlmd } from "../support/deployment";
import { catalogPool } from "../support/pools";

const h100 = catalogPool("aks", "Standard_ND96isr_H100_v5", {
    name: "h100",
    maxNodes: 8,
    nodeLabels: { "llm-d.ai/accelerator": "nvidia-h100" },
    taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
});

async function renderedObjects(args: LlmdDeploymentArgs): Promise<K8sObject[]> {
    return (await deployLlmd(args, true)).filter(isKubernetesObject).map((r) => r.inputs as K8sObject);
}

function assertValid(objects: K8sObject[]): void {
    assert.ok(objects.length > 5);
    const errors = objects.flatMap((o) => validateObject(o).map((e) => `${o.kind}/${o.metadata.name}: ${e}`));
    assert.deepStrictEqual(errors, []);
}

// What `npm run plan -- --yaml` would print for every well-lit path, on GPUs and on the simulator, and for
// every gateway implementation: all of it must pass the Kubernetes OpenAPI and the pinned CRD schemas.
describe("every preset renders schema-valid objects", () => {
    for (const preset of WELL_LIT_PATHS) {
        it(`${preset} on H100 nodes`, async () => {
            const args: LlmdDeploymentArgs =
                preset === "simulator" ? { preset } : { preset, pools: [h100], network: { rdmaDevices: ["mlx5_0:1", "mlx5_1:1"] } };
            assertValid(await renderedObjects(args));
        });
    }
    for (const preset of ["pd-disaggregation", "precise-prefix-cache"] as const) {
        it(`${preset} on the simulator`, async () => {
            assertValid(await renderedObjects({ preset, simulate: true }));
        });
    }
    for (const implementation of GATEWAY_IMPLEMENTATIONS) {
        it(`the simulator behind gateway ${implementation}`, async () => {
            assertValid(await renderedObjects({ preset: "simulator", gateway: { implementation } }));
        });
    }
    it("wide-ep with Kueue topology-aware scheduling", async () => {
        const objects = await renderedObjects({
            preset: "wide-ep",
            pools: [h100],
            network: { rdmaDevices: ["mlx5_0:1"] },
            topologyAwareScheduling: { clusterProvider: "gke", topologyProfile: "gke-nodepool" },
        });
        assertValid(objects);
        assert.ok(objects.some((o) => o.kind === "Topology") && objects.some((o) => o.kind === "ClusterQueue"));
    });
    it("the simulator on Kubernetes 1.32, where the P/D sidecar is a plain container", async () => {
        const objects = await renderedObjects({ preset: "pd-disaggregation", simulate: true, kubernetesVersion: "1.32" });
        assertValid(objects);
        const decode = objects.find((o) => o.metadata.name === "llmd-decode") as any;
        assert.strictEqual(decode.spec.template.spec.initContainers, undefined);
        assert.strictEqual(decode.spec.template.spec.containers.length, 2);
    });
});
