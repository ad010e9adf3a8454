import * as assert from "assert";
import { aksReserve, AKS_DEFAULT_MAX_PODS, doksReserve, gkeReserve, kubeletReserve } from "../../components/render/kubelet-reserve";

const MIB = 1 / 1024;
const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual}, expected ${expected}`);

describe("the kubelet reserve each cloud publishes", () => {
    it("GKE: tiered CPU and memory plus the 100 MiB eviction threshold", () => {
        // 8 vCPU, 32 GiB: CPU 0.06 + 0.01 + 2 x 0.005 + 4 x 0.0025 = 0.09; memory 1 + 0.8 + 0.8 + 16 x 0.06 = 3.56 GiB.
        const small = gkeReserve(8, 32);
        near(small.cpu, 0.09, "cpu");
        near(small.memoryGiB, 3.56 + 100 * MIB, "memory");
        // Above 128 GiB only 2% more is reserved.
        near(gkeReserve(208, 1872).memoryGiB, 1 + 0.8 + 0.8 + 6.72 + 0.02 * 1744 + 100 * MIB, "memory above 128 GiB");
        // Under 1 GiB a flat 255 MiB.
        near(gkeReserve(1, 0.6).memoryGiB, 255 * MIB + 100 * MIB, "memory under 1 GiB");
    });

    it("AKS: the published CPU table, and the lesser of 20 MiB per max pod + 50 MiB and 25% of memory", () => {
        const cpuOf = (cores: number) => aksReserve(cores, 64).cpu;
        // Every row of the table.
        for (const [cores, millicores] of [[1, 60], [2, 100], [4, 140], [8, 180], [16, 260], [32, 420], [64, 740]]) {
            near(cpuOf(cores), millicores / 1000, `${cores} cores`);
        }
        // Past the table: the rows' own line, 100m + 10m per core.
        near(cpuOf(96), 1.06, "96 cores");
        // Azure CNI Overlay's 250 pods: 5050 MiB, far under 25% of a large node.
        assert.strictEqual(AKS_DEFAULT_MAX_PODS, 250);
        near(aksReserve(96, 1900).memoryGiB, (20 * 250 + 50) * MIB + 100 * MIB, "memory, pods bound");
        // On a 16 GiB node 25% (4 GiB) is the lesser.
        near(aksReserve(4, 16).memoryGiB, 4 + 100 * MIB, "memory, 25% bound");
        near(aksReserve(4, 16, 30).memoryGiB, 650 * MIB + 100 * MIB, "memory with 30 max pods");
    });

    it("DOKS: memory from DigitalOcean's allocatable table, GKE's formula where it publishes nothing", () => {
        near(doksReserve(8, 64).memoryGiB, 6, "64 GiB node (58 GiB allocatable)");
        near(doksReserve(8, 192).memoryGiB, 10, "192 GiB node (182 GiB allocatable)");
        // Between rows: the next larger row's reserve.
        near(doksReserve(8, 50).memoryGiB, 64 - 58, "50 GiB node");
        // Above the table (every 8-GPU Droplet) and for CPU: GKE's formula.
        near(doksReserve(160, 1920).memoryGiB, gkeReserve(160, 1920).memoryGiB, "1920 GiB node");
        near(doksReserve(20, 240).cpu, gkeReserve(20, 240).cpu, "cpu");
    });

    it("picks the formula by provider", () => {
        assert.deepStrictEqual(kubeletReserve("gke", 96, 1900), gkeReserve(96, 1900));
        assert.deepStrictEqual(kubeletReserve("aks", 96, 1900), aksReserve(96, 1900));
        assert.deepStrictEqual(kubeletReserve("digitalocean", 8, 64), doksReserve(8, 64));
    });
});
