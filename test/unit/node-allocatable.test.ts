import * as assert from "assert";
import { ACCELERATORS } from "../../components/catalog/accelerators";
import { LlmdConfigError } from "../../components/errors";
import { AcceleratorPool } from "../../components/pool";
import { nodesForReplicas } from "../../components/render/autoscaling-capacity";
import { checkPodFitsNode, kubeletReserve, nodeAllocatable, podsPerNode } from "../../components/render/node-allocatable";
import { catalogPool } from "../support/pools";

const a3High = catalogPool("gke", "a3-highgpu-8g", { name: "h100", maxNodes: 2, nodeLabels: {}, taints: [] });
const g2x2 = catalogPool("gke", "g2-standard-24", { name: "l4", maxNodes: 3, nodeLabels: {}, taints: [] });
// A minikube/existing pool: no machine type, so CPU and memory are unknown.
const unsized: AcceleratorPool = { name: "gpu", accelerator: "nvidia-l4", acceleratorsPerNode: 1, maxNodes: 1, nodeLabels: {}, taints: [], interconnect: "none" };

const pod = (cpu: string | undefined, memory: string | undefined, acceleratorsPerPod = 1) => ({ cpu, memory, acceleratorsPerPod, nodesPerReplica: 1 });

function throwsOn(field: string, run: () => void): void {
    assert.throws(run, (err: unknown) => err instanceof LlmdConfigError && err.field === field);
}

describe("pod requests against a node's allocatable", () => {
    it("reserves what GKE's published formula reserves", () => {
        // 8 vCPU, 32 GiB: CPU 0.06 + 0.01 + 2 x 0.005 + 4 x 0.0025 = 0.09; memory 1 + 0.8 + 0.8 + 16 x 0.06 = 3.56 GiB + 100 MiB.
        const small = kubeletReserve(8, 32);
        assert.ok(Math.abs(small.cpu - 0.09) < 1e-9, String(small.cpu));
        assert.ok(Math.abs(small.memoryGiB - (3.56 + 100 / 1024)) < 1e-9, String(small.memoryGiB));
        // Above 128 GiB only 2% more is reserved.
        const large = kubeletReserve(208, 1872);
        assert.ok(Math.abs(large.memoryGiB - (1 + 0.8 + 0.8 + 6.72 + 0.02 * 1744 + 100 / 1024)) < 1e-9, String(large.memoryGiB));
    });

    it("sizes every machine in the catalog, and leaves each one most of itself", () => {
        for (const spec of Object.values(ACCELERATORS)) {
            for (const [provider, offers] of Object.entries(spec.offers)) {
                for (const offer of offers ?? []) {
                    const node = nodeAllocatable({ accelerator: spec.id, machineType: offer.machineType })!;
                    assert.ok(node, `${provider} ${offer.machineType}`);
                    assert.ok(node.cpu > offer.vcpus * 0.8 && node.cpu < offer.vcpus, `${offer.machineType} cpu ${node.cpu}`);
                    assert.ok(node.memoryGiB > offer.memoryGiB * 0.8 && node.memoryGiB < offer.memoryGiB, `${offer.machineType} memory ${node.memoryGiB}`);
                }
            }
        }
    });

    it("accepts a pod right at the node's allocatable and refuses one just above it, naming the role's field", () => {
        const node = nodeAllocatable(g2x2)!;
        const cpu = `${Math.floor(node.cpu * 1000)}m`;
        const memory = `${Math.floor(node.memoryGiB * 1024)}Mi`;
        checkPodFitsNode("decode", pod(cpu, memory), g2x2);
        throwsOn("decode.cpu", () => checkPodFitsNode("decode", pod(`${Math.ceil(node.cpu * 1000) + 1}m`, memory), g2x2));
        throwsOn("prefill.memory", () => checkPodFitsNode("prefill", pod(cpu, `${Math.ceil(node.memoryGiB * 1024) + 1}Mi`), g2x2));
    });

    it("refuses more accelerators per pod than a node has", () => {
        checkPodFitsNode("decode", pod(undefined, undefined, 2), g2x2);
        throwsOn("decode.tensorParallelSize", () => checkPodFitsNode("decode", pod(undefined, undefined, 3), g2x2));
    });

    it("checks pools without a catalog machine for accelerators only", () => {
        assert.strictEqual(nodeAllocatable(unsized), undefined);
        checkPodFitsNode("decode", pod("512", "64Ti"), unsized);
        throwsOn("decode.tensorParallelSize", () => checkPodFitsNode("decode", pod(undefined, undefined, 2), unsized));
        assert.strictEqual(podsPerNode(pod("512", "64Ti"), unsized), 1);
    });

    it("packs pods by whichever of accelerators, CPU and memory runs out first", () => {
        // An A3 High node: 8 GPUs, 208 vCPUs, 1872 GiB.
        assert.strictEqual(podsPerNode(pod("8", "96Gi"), a3High), 8, "GPUs bound");
        assert.strictEqual(podsPerNode(pod("8", "600Gi"), a3High), 3, "memory bound");
        assert.strictEqual(podsPerNode(pod("100", "96Gi"), a3High), 2, "CPU bound");
        assert.strictEqual(podsPerNode(pod(undefined, undefined), a3High), 8, "unset requests do not limit");
        assert.strictEqual(nodesForReplicas(6, pod("8", "600Gi"), a3High), 2);
        assert.strictEqual(nodesForReplicas(6, pod("8", "96Gi"), a3High), 1);
    });
});
