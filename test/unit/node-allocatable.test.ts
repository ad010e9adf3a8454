import * as assert from "assert";
import { ACCELERATORS } from "../../components/catalog/accelerators";
import { LlmdConfigError } from "../../components/errors";
import { AcceleratorPool } from "../../components/pool";
import { nodesForReplicas } from "../../components/render/autoscaling-capacity";
import { aksReserve, doksReserve, gkeReserve } from "../../components/render/kubelet-reserve";
import { checkPodFitsNode, nodeAllocatable, podsPerNode } from "../../components/render/node-allocatable";
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
    it("takes off the reserve of the cloud that sells the machine", () => {
        const on = (provider: "gke" | "aks" | "digitalocean", machineType: string) => {
            const pool = catalogPool(provider, machineType, { name: "p", maxNodes: 1, nodeLabels: {}, taints: [] });
            const node = nodeAllocatable(pool)!;
            assert.strictEqual(node.provider, provider);
            return { node, reserve: { cpu: node.capacity.cpu - node.cpu - 0.5, memoryGiB: node.capacity.memoryGiB - node.memoryGiB - 1 } };
        };
        const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;
        const gke = on("gke", "a3-highgpu-8g");
        assert.ok(near(gke.reserve.memoryGiB, gkeReserve(208, 1872).memoryGiB) && near(gke.reserve.cpu, gkeReserve(208, 1872).cpu));
        const aks = on("aks", "Standard_ND96isr_H100_v5");
        assert.ok(near(aks.reserve.memoryGiB, aksReserve(96, 1900).memoryGiB) && near(aks.reserve.cpu, aksReserve(96, 1900).cpu));
        const doks = on("digitalocean", "gpu-l40sx1-48gb");
        assert.ok(near(doks.reserve.memoryGiB, doksReserve(8, 64).memoryGiB), String(doks.reserve.memoryGiB));
        // DOKS's table allows 58 GiB on a 64 GiB node, so at most 57 GiB after the DaemonSet margin.
        assert.ok(near(doks.node.memoryGiB, 57), String(doks.node.memoryGiB));
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
