import * as assert from "assert";
import { WELL_LIT_PATHS } from "../../components/catalog/presets";
import { LlmdDeploymentArgs } from "../../components/llmd";
import { K8sObject } from "../../components/render/types";
import { isKubernetesObject } from "../../stacks/plan";
import { deployLlmd } from "../support/deployment";
import { catalogPool } from "../support/pools";
import { unservedTargetPorts } from "../support/pool-ports";

const h100 = catalogPool("aks", "Standard_ND96isr_H100_v5", {
    name: "h100",
    maxNodes: 8,
    nodeLabels: { "llm-d.ai/accelerator": "nvidia-h100" },
    taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
});
const network = { rdmaDevices: ["mlx5_0:1", "mlx5_1:1"] };

async function objects(args: LlmdDeploymentArgs): Promise<K8sObject[]> {
    return (await deployLlmd(args, true)).filter(isKubernetesObject).map((r) => r.inputs as K8sObject);
}

function targetPorts(rendered: K8sObject[]): number[] {
    const pool = rendered.find((o) => o.kind === "InferencePool") as any;
    return pool.spec.targetPorts.map((p: { number: number }) => p.number);
}

// The InferencePool makes every (selected pod, target port) pair an endpoint: a target port nothing listens
// on sends that share of the requests to a closed port. Checked on the rendered objects, as applied.
describe("every InferencePool target port is served by every pod it selects", () => {
    const variants: [string, LlmdDeploymentArgs][] = [
        ...WELL_LIT_PATHS.map((preset): [string, LlmdDeploymentArgs] => [
            `${preset} on H100 nodes`,
            preset === "simulator" ? { preset } : { preset, pools: [h100], network },
        ]),
        // wide-ep spans nodes, which the simulator cannot; every other preset runs on it.
        ...WELL_LIT_PATHS.filter((p) => p !== "wide-ep").map((preset): [string, LlmdDeploymentArgs] => [`${preset} on the simulator`, { preset, simulate: true }]),
        ["pd-disaggregation on the simulator on Kubernetes 1.32 (sidecar as a plain container)", { preset: "pd-disaggregation", simulate: true, kubernetesVersion: "1.32" }],
        [
            "wide-ep with 4 local ranks of TP 2 per node",
            {
                preset: "wide-ep",
                pools: [h100],
                network,
                decode: { tensorParallelSize: 2, dataParallelSize: 8, dataParallelSizeLocal: 4 },
                prefill: { tensorParallelSize: 2, dataParallelSize: 8, dataParallelSizeLocal: 4 },
            },
        ],
    ];
    for (const [title, args] of variants) {
        it(title, async () => {
            const rendered = await objects(args);
            assert.deepStrictEqual(unservedTargetPorts(rendered), []);
        });
    }

    it("wide-ep targets one port per local rank, 8000-8007, as llm-d's wide-EP guide does", async () => {
        assert.deepStrictEqual(targetPorts(await objects({ preset: "wide-ep", pools: [h100], network })), [8000, 8001, 8002, 8003, 8004, 8005, 8006, 8007]);
    });

    it("the check itself catches a pod that serves fewer ports than the pool targets", async () => {
        const rendered = await objects({ preset: "simulator" });
        const pool = rendered.find((o) => o.kind === "InferencePool") as any;
        pool.spec.targetPorts.push({ number: 8001 });
        assert.deepStrictEqual(unservedTargetPorts(rendered), ["llmd: llmd-both does not listen on 8001"]);
    });
});
