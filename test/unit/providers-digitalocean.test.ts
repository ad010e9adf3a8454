import { knownPools } from "../../components/cluster";
import { AcceleratorPool } from "../../components/pool";
import * as assert from "assert";
import { expectConstructionError } from "../support/config-errors";
import * as pulumi from "@pulumi/pulumi";
import { LlmdConfigError } from "../../components/errors";
import type { DoksClusterArgs } from "../../providers/digitalocean";
import {
    renderDoctlKubeconfig,
    resolveDoksAcceleratorPools,
    resolveDoksClusterArgs,
} from "../../providers/digitalocean-config";
import { RecordedResource, SECRET, UNKNOWN, runWithMocks } from "../../stacks/mock-engine";
import { one } from "../support/recorded";

// Loaded once in before(): the SDK module load is the slow part of this file.
let DoksCluster: typeof import("../../providers/digitalocean").DoksCluster;

const CLUSTER = "digitalocean:index/kubernetesCluster:KubernetesCluster";
const NODE_POOL = "digitalocean:index/kubernetesNodePool:KubernetesNodePool";
const K8S_PROVIDER = "pulumi:providers:kubernetes";
const COMPONENT = "llmd:index:DoksCluster";

const base: DoksClusterArgs = { region: "nyc2", version: "1.33.1-do.0" };

/** Fake computed outputs of the cluster, as DigitalOcean would return them after creation. */
function doOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> | undefined {
    if (type !== CLUSTER) {
        return undefined;
    }
    return {
        name: inputs.name ?? `${name}-abc123`,
        endpoint: "https://1234.k8s.ondigitalocean.com",
        kubeConfigs: [
            {
                rawConfig: "apiVersion: v1\nkind: Config\n# token kubeconfig\n",
                host: "https://1234.k8s.ondigitalocean.com",
                clusterCaCertificate: "Q0EK",
                token: "dop_v1_fake",
                expiresAt: "2030-01-08T00:00:00Z",
            },
        ],
    };
}

function byType(resources: RecordedResource[], type: string): RecordedResource[] {
    return resources.filter((r) => r.type === type);
}

/** Runs `new DoksCluster` under mocks and resolves its plain outputs. */
async function run(args: DoksClusterArgs, preview = false) {
    return runWithMocks(
        async () => {
            const c = new DoksCluster("llmd", args);
            if (preview) {
                return { pools: knownPools(c)! };
            }
            const [kubeconfig, version, expiresAt, clusterId] = await Promise.all([
                new Promise<string>((resolve) => c.kubeconfig.apply(resolve)),
                new Promise<string>((resolve) => c.kubernetesVersion.apply(resolve)),
                new Promise<string>((resolve) => c.kubeconfigExpiresAt.apply(resolve)),
                new Promise<string>((resolve) => c.clusterId.apply(resolve)),
            ]);
            const pools = await new Promise<AcceleratorPool[]>((resolve) => c.pools.apply(resolve));
            // Plain arguments: the list is also known at once, and is the same.
            assert.deepStrictEqual(knownPools(c), pools);
            return {
                pools,
                kubeconfig,
                version,
                expiresAt,
                clusterId,
                expiresSecret: await pulumi.isSecret(c.kubeconfigExpiresAt),
                kubeconfigSecret: await pulumi.isSecret(c.kubeconfig),
            };
        },
        { stack: "test", preview, outputs: doOutputs },
    );
}

/** Expects construction to throw a config error on `field` and to register no cloud or Kubernetes resource. */
function expectConfigError(args: DoksClusterArgs, field: string, messagePart?: RegExp): Promise<void> {
    return expectConstructionError(() => new DoksCluster("llmd", args), field, messagePart, { outputs: doOutputs });
}

describe("DoksCluster", function () {
    this.timeout(60000);

    before(async () => {
        DoksCluster = (await import("../../providers/digitalocean")).DoksCluster;
    });

    describe("resources (preview: false)", () => {
        it("creates the cluster with the default CPU pool, maintenance window and upgrade policy explicit", async () => {
            const { resources } = await run(base);
            const cluster = one(resources, CLUSTER, "llmd-cluster");
            assert.strictEqual(cluster.inputs.region, "nyc2");
            assert.strictEqual(cluster.inputs.version, "1.33.1-do.0");
            assert.strictEqual(cluster.inputs.ha, false);
            assert.strictEqual(cluster.inputs.autoUpgrade, true);
            assert.strictEqual(cluster.inputs.surgeUpgrade, true);
            assert.deepStrictEqual(cluster.inputs.maintenancePolicy, { day: "sunday", startTime: "04:00" });
            assert.deepStrictEqual(cluster.inputs.nodePool, {
                name: "system",
                size: "s-4vcpu-8gb",
                autoScale: true,
                minNodes: 1,
                maxNodes: 3,
            });
            assert.strictEqual(cluster.inputs.vpcUuid, undefined);
            // No GPU pools: leave the device plugins to DOKS's default.
            assert.strictEqual(cluster.inputs.nvidiaGpuDevicePlugin, undefined);
            assert.strictEqual(cluster.inputs.amdGpuDevicePlugin, undefined);
            assert.strictEqual(byType(resources, NODE_POOL).length, 0);
        });

        it("passes vpc, HA, maintenance window, tags and kubeconfig lifetime through", async () => {
            const { resources } = await run({
                ...base,
                vpcUuid: "vpc-123",
                highAvailability: true,
                autoUpgrade: false,
                maintenanceDay: "saturday",
                maintenanceStartTime: "22:30",
                kubeconfigExpireSeconds: 86400,
                clusterName: "llmd-prod",
                tags: ["llmd"],
                defaultNodePool: { name: "cpu", size: "s-8vcpu-16gb", minNodes: 2, maxNodes: 2 },
            });
            const cluster = one(resources, CLUSTER);
            assert.strictEqual(cluster.inputs.vpcUuid, "vpc-123");
            assert.strictEqual(cluster.inputs.ha, true);
            assert.strictEqual(cluster.inputs.autoUpgrade, false);
            assert.deepStrictEqual(cluster.inputs.maintenancePolicy, { day: "saturday", startTime: "22:30" });
            assert.strictEqual(cluster.inputs.kubeconfigExpireSeconds, 86400);
            assert.strictEqual(cluster.inputs.name, "llmd-prod");
            assert.deepStrictEqual(cluster.inputs.tags, ["llmd"]);
            // min == max: a fixed-size pool, no autoscaler bounds.
            assert.deepStrictEqual(cluster.inputs.nodePool, { name: "cpu", size: "s-8vcpu-16gb", autoScale: false, nodeCount: 2 });
        });

        it("creates one node pool per GPU pool with the droplet size, DOKS GPU taint and autoscaling", async () => {
            const { resources, result } = await run({
                ...base,
                tags: ["llmd"],
                acceleratorPools: [
                    { name: "h100", accelerator: "nvidia-h100", acceleratorsPerNode: 8, minNodes: 0, maxNodes: 2 },
                    { name: "h100-single", accelerator: "nvidia-h100", acceleratorsPerNode: 1 },
                    { name: "l40s", accelerator: "nvidia-l40s", minNodes: 1, maxNodes: 4 },
                    { name: "mi300x", accelerator: "amd-mi300x", machineType: "gpu-mi300x8-1536gb" },
                    { name: "mi300x-one", accelerator: "amd-mi300x", acceleratorsPerNode: 1 },
                ],
            });
            const cluster = one(resources, CLUSTER);
            const pools = byType(resources, NODE_POOL);
            assert.deepStrictEqual(pools.map((p) => p.name).sort(), ["llmd-h100", "llmd-h100-single", "llmd-l40s", "llmd-mi300x", "llmd-mi300x-one"]);

            const h100 = one(resources, NODE_POOL, "llmd-h100");
            assert.strictEqual(h100.inputs.name, "h100");
            assert.strictEqual(h100.inputs.size, "gpu-h100x8-640gb");
            assert.strictEqual(h100.inputs.autoScale, true);
            assert.strictEqual(h100.inputs.minNodes, 0);
            assert.strictEqual(h100.inputs.maxNodes, 2);
            assert.strictEqual(h100.inputs.nodeCount, undefined);
            assert.deepStrictEqual(h100.inputs.taints, [{ key: "nvidia.com/gpu", value: "", effect: "NoSchedule" }]);
            assert.deepStrictEqual(h100.inputs.tags, ["llmd"]);
            assert.strictEqual(h100.inputs.clusterId, "llmd-cluster-id", "pool must attach to the cluster");
            assert.ok(h100.dependencies.includes(cluster.urn), "pool depends on the cluster");
            assert.strictEqual(h100.parent?.endsWith(`${COMPONENT}::llmd`), true);

            const single = one(resources, NODE_POOL, "llmd-h100-single");
            assert.strictEqual(single.inputs.size, "gpu-h100x1-80gb");
            assert.strictEqual(single.inputs.autoScale, false);
            assert.strictEqual(single.inputs.nodeCount, 1);
            assert.strictEqual(single.inputs.minNodes, undefined);

            assert.strictEqual(one(resources, NODE_POOL, "llmd-l40s").inputs.size, "gpu-l40sx1-48gb");
            const mi300x = one(resources, NODE_POOL, "llmd-mi300x");
            assert.strictEqual(mi300x.inputs.size, "gpu-mi300x8-1536gb");
            assert.deepStrictEqual(mi300x.inputs.taints, [{ key: "amd.com/gpu", value: "", effect: "NoSchedule" }]);
            assert.strictEqual(one(resources, NODE_POOL, "llmd-mi300x-one").inputs.size, "gpu-mi300x1-192gb");

            // DOKS ships both device plugins; they are switched on explicitly because GPU pools exist.
            assert.deepStrictEqual(cluster.inputs.nvidiaGpuDevicePlugin, { enabled: true });
            assert.deepStrictEqual(cluster.inputs.amdGpuDevicePlugin, { enabled: true });

            assert.deepStrictEqual(result.pools[0], {
                name: "h100",
                accelerator: "nvidia-h100",
                acceleratorsPerNode: 8,
                maxNodes: 2,
                nodeLabels: { "doks.digitalocean.com/node-pool": "h100" },
                taints: [{ key: "nvidia.com/gpu", effect: "NoSchedule" }],
                interconnect: "none",
                machineType: "gpu-h100x8-640gb",
            });
            assert.deepStrictEqual(
                result.pools.map((p) => [p.name, p.accelerator, p.acceleratorsPerNode, p.maxNodes]),
                [
                    ["h100", "nvidia-h100", 8, 2],
                    ["h100-single", "nvidia-h100", 1, 1],
                    ["l40s", "nvidia-l40s", 1, 4],
                    ["mi300x", "amd-mi300x", 8, 1],
                    ["mi300x-one", "amd-mi300x", 1, 1],
                ],
            );
            assert.deepStrictEqual(result.pools[3].taints, [{ key: "amd.com/gpu", effect: "NoSchedule" }]);
        });

        it("turns on only the device plugin of the GPU vendor in use", async () => {
            const { resources } = await run({ ...base, acceleratorPools: [{ name: "mi", accelerator: "amd-mi300x" }] });
            const cluster = one(resources, CLUSTER);
            assert.deepStrictEqual(cluster.inputs.amdGpuDevicePlugin, { enabled: true });
            assert.strictEqual(cluster.inputs.nvidiaGpuDevicePlugin, undefined);
            // Default size is the largest DOKS offers.
            assert.strictEqual(one(resources, NODE_POOL).inputs.size, "gpu-mi300x8-1536gb");
        });

        it("wires a child Kubernetes provider keyed on the cluster id with a secret kubeconfig", async () => {
            const { resources, result } = await run(base);
            const component = one(resources, COMPONENT, "llmd");
            const provider = one(resources, K8S_PROVIDER, "llmd-k8s");
            assert.strictEqual(provider.parent, component.urn);
            assert.strictEqual(provider.inputs.kubeconfig, SECRET);
            assert.ok(provider.secretPaths.includes("kubeconfig"));
            assert.strictEqual(provider.inputs.clusterIdentifier, "llmd-cluster-id");
            assert.strictEqual(one(resources, CLUSTER).parent, component.urn);

            assert.strictEqual(result.kubeconfigSecret, true);
            assert.match(result.kubeconfig!, /token kubeconfig/);
            assert.strictEqual(result.version, "1.33.1-do.0");
            assert.strictEqual(result.clusterId, "llmd-cluster-id");
            assert.strictEqual(result.expiresAt, "2030-01-08T00:00:00Z");
            assert.strictEqual(result.expiresSecret, false, "the expiry timestamp is not a credential");
        });

        it("with doctl auth builds an exec-credential kubeconfig that does not expire", async () => {
            const { result } = await run({ ...base, kubeconfigAuth: "doctl" });
            assert.strictEqual(result.kubeconfigSecret, true);
            const config = JSON.parse(result.kubeconfig!);
            assert.strictEqual(config.clusters[0].cluster.server, "https://1234.k8s.ondigitalocean.com");
            assert.strictEqual(config.clusters[0].cluster["certificate-authority-data"], "Q0EK");
            const exec = config.users[0].user.exec;
            assert.strictEqual(exec.command, "doctl");
            assert.deepStrictEqual(exec.args.slice(0, 4), ["kubernetes", "cluster", "kubeconfig", "exec-credential"]);
            assert.strictEqual(exec.args[exec.args.length - 1], "llmd-cluster-id");
            assert.ok(!JSON.stringify(config).includes("dop_v1_fake"), "no token in a doctl kubeconfig");
            assert.strictEqual(result.expiresAt, "");
        });
    });

    describe("preview (outputs unknown)", () => {
        it("registers the same resources without hanging and keeps the kubeconfig secret", async () => {
            const { resources, result } = await run(
                { ...base, acceleratorPools: [{ name: "h100", accelerator: "nvidia-h100" }], kubeconfigAuth: "doctl" },
                true,
            );
            assert.deepStrictEqual(
                resources.map((r) => r.type).filter((t) => t !== "pulumi:pulumi:Stack").sort(),
                [COMPONENT, CLUSTER, NODE_POOL, K8S_PROVIDER].sort(),
            );
            const pool = one(resources, NODE_POOL);
            assert.strictEqual(pool.inputs.clusterId, UNKNOWN);
            const provider = one(resources, K8S_PROVIDER);
            assert.ok([SECRET, UNKNOWN].includes(provider.inputs.kubeconfig as string));
            assert.strictEqual(result.pools[0].machineType, "gpu-h100x8-640gb");
        });
    });

    describe("construction errors (nothing created)", () => {
        it("rejects TPUs on DigitalOcean", () =>
            expectConfigError(
                { ...base, acceleratorPools: [{ name: "tpu", accelerator: "tpu-v6e" }] },
                "acceleratorPools[0].accelerator",
                /digitalocean offers no Google TPU/,
            ));

        it("rejects A100, which DigitalOcean does not sell", () =>
            expectConfigError(
                { ...base, acceleratorPools: [{ name: "a100", accelerator: "nvidia-a100-80gb" }] },
                "acceleratorPools[0].accelerator",
                /nvidia-h100/,
            ));

        it("rejects an H100 node size DOKS does not offer (4 per node)", () =>
            expectConfigError(
                { ...base, acceleratorPools: [{ name: "h100", accelerator: "nvidia-h100", acceleratorsPerNode: 4 }] },
                "acceleratorPools[0].acceleratorsPerNode",
                /1, 8 per node/,
            ));

        it("rejects a droplet size that does not carry the accelerator", () =>
            expectConfigError(
                { ...base, acceleratorPools: [{ name: "h100", accelerator: "nvidia-h100", machineType: "gpu-l40sx1-48gb" }] },
                "acceleratorPools[0].machineType",
            ));

        it("rejects Kubernetes older than 1.29", () =>
            expectConfigError({ ...base, version: "1.28.9-do.0" }, "version", /1\.29 or newer/));

        it("rejects a bare minor instead of a DOKS version slug", () =>
            expectConfigError({ ...base, version: "1.33" }, "version", /1\.33\.1-do\.0/));

        it("rejects a malformed version slug", () => expectConfigError({ ...base, version: "latest" }, "version"));

        it("rejects an invalid pool name", () =>
            expectConfigError({ ...base, acceleratorPools: [{ name: "GPU_Pool", accelerator: "nvidia-h100" }] }, "acceleratorPools[0].name"));

        it("rejects a GPU pool named like the default pool", () =>
            expectConfigError({ ...base, acceleratorPools: [{ name: "system", accelerator: "nvidia-h100" }] }, "acceleratorPools[0].name"));

        it("rejects a GPU pool with maxNodes below minNodes", () =>
            expectConfigError(
                { ...base, acceleratorPools: [{ name: "h100", accelerator: "nvidia-h100", minNodes: 3, maxNodes: 2 }] },
                "acceleratorPools[0].maxNodes",
                /minNodes \(3\)/,
            ));

        it("rejects a bad maintenance window", () =>
            expectConfigError({ ...base, maintenanceStartTime: "4am" }, "maintenanceStartTime"));

        it("rejects an empty VPC id", () => expectConfigError({ ...base, vpcUuid: " " }, "vpcUuid"));

        it("rejects a region that is not a slug", () => expectConfigError({ ...base, region: "New York" }, "region"));
    });
});

describe("DOKS pure helpers", () => {
    it("resolveDoksAcceleratorPools computes pools without Pulumi", () => {
        const { pools, nodePools } = resolveDoksAcceleratorPools([{ name: "l40s", accelerator: "nvidia-l40s", minNodes: 0, maxNodes: 3 }]);
        assert.deepStrictEqual(pools, [
            {
                name: "l40s",
                accelerator: "nvidia-l40s",
                acceleratorsPerNode: 1,
                maxNodes: 3,
                nodeLabels: { "doks.digitalocean.com/node-pool": "l40s" },
                taints: [{ key: "nvidia.com/gpu", effect: "NoSchedule" }],
                interconnect: "none",
                machineType: "gpu-l40sx1-48gb",
            },
        ]);
        assert.strictEqual(nodePools[0].autoScale, true);
    });

    it("resolveDoksClusterArgs rejects duplicate GPU pool names", () => {
        assert.throws(
            () =>
                resolveDoksClusterArgs({
                    ...base,
                    acceleratorPools: [
                        { name: "a", accelerator: "nvidia-h100" },
                        { name: "a", accelerator: "nvidia-l40s" },
                    ],
                }),
            (e: unknown) => e instanceof LlmdConfigError && e.field === "acceleratorPools[1].name",
        );
    });

    it("renderDoctlKubeconfig names one context and uses the exec plugin", () => {
        const config = JSON.parse(
            renderDoctlKubeconfig({ contextName: "do-nyc2-x", server: "https://s", certificateAuthorityData: "Q0E=", clusterId: "id-1" }),
        );
        assert.strictEqual(config["current-context"], "do-nyc2-x");
        assert.strictEqual(config.contexts[0].context.user, config.users[0].name);
        assert.strictEqual(config.users[0].user.exec.apiVersion, "client.authentication.k8s.io/v1beta1");
        assert.ok(!("token" in config.users[0].user));
    });
});
