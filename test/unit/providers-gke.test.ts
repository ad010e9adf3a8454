import { knownPools } from "../../components/cluster";
import { AcceleratorPool } from "../../components/pool";
import * as assert from "assert";
import { expectConstructionError } from "../support/config-errors";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { LlmdConfigError } from "../../components/errors";
import type { GkeClusterArgs, GkeClusterPlainArgs } from "../../providers/gke";
import {
    GKE_NO_DEVICE_PLUGIN_LABEL,
    GKE_POOL_LABEL,
    gkeAcceleratorPools,
    renderGkeKubeconfig,
    resolveGkeCluster,
} from "../../providers/gke-config";
import { RecordedResource, SECRET, UNKNOWN, runWithMocks } from "../../stacks/mock-engine";
import { ACCELERATORS } from "../../components/catalog/accelerators";
import { GKE_INTERFACES_ANNOTATION, machineNetwork } from "../../components/catalog/networking";
import { resolveNetwork } from "../../components/render/networking";
import { one } from "../support/recorded";

// Loaded once in before(): the SDK module load is the slow part of this file.
let GkeCluster: typeof import("../../providers/gke").GkeCluster;

const CLUSTER = "gcp:container/cluster:Cluster";
const NODE_POOL = "gcp:container/nodePool:NodePool";
const SUBNET = "gcp:compute/subnetwork:Subnetwork";
const K8S_PROVIDER = "pulumi:providers:kubernetes";
const COMPONENT = "llmd:index:GkeCluster";

const base: GkeClusterArgs = { project: "proj", location: "us-central1", deletionProtection: false };
const zone = ["us-central1-a"];

/** Fake computed outputs of the cluster, as GKE would return them after creation. */
function gkeOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> | undefined {
    if (type !== CLUSTER) {
        return undefined;
    }
    return {
        name: inputs.name ?? `${name}-1a2b3c4`,
        endpoint: "34.1.2.3",
        masterAuth: { clusterCaCertificate: "Q0EtREFUQQ==" },
        masterVersion: "1.33.4-gke.1000",
    };
}

function byType(resources: RecordedResource[], type: string): RecordedResource[] {
    return resources.filter((r) => r.type === type);
}

function pool(resources: RecordedResource[], gkeName: string): RecordedResource {
    return one(resources, NODE_POOL, `llmd-pool-${gkeName}`);
}

function nodeConfig(r: RecordedResource): Record<string, any> {
    return r.inputs.nodeConfig as Record<string, any>;
}

/** Runs `new GkeCluster` under mocks and resolves its plain outputs. */
async function run(args: GkeClusterArgs, preview = false, config?: Record<string, string>) {
    return runWithMocks(
        async () => {
            const c = new GkeCluster("llmd", args);
            if (preview) {
                return { pools: knownPools(c)! };
            }
            const [kubeconfig, version] = await Promise.all([
                new Promise<string>((resolve) => c.kubeconfig.apply(resolve)),
                new Promise<string>((resolve) => c.kubernetesVersion.apply(resolve)),
            ]);
            const pools = await new Promise<AcceleratorPool[]>((resolve) => c.pools.apply(resolve));
            // Plain arguments: the list is also known at once, and is the same.
            assert.deepStrictEqual(knownPools(c), pools);
            return { pools, kubeconfig, version, kubeconfigSecret: await pulumi.isSecret(c.kubeconfig) };
        },
        { stack: "test", preview, outputs: gkeOutputs, config },
    );
}

/** Expects construction to throw a config error on `field` and to register no cloud or Kubernetes resource. */
function expectConfigError(args: GkeClusterArgs, field: string, messagePart?: RegExp): Promise<void> {
    return expectConstructionError(() => new GkeCluster("llmd", args), field, messagePart, { outputs: gkeOutputs });
}

describe("GkeCluster", function () {
    this.timeout(60000);

    before(async () => {
        GkeCluster = (await import("../../providers/gke")).GkeCluster;
    });

    describe("KEDA's Google identity for Managed Prometheus", () => {
        it("is a service account with monitoring.viewer that keda/keda-operator acts as through Workload Identity, and nothing without asking", async () => {
            assert.deepStrictEqual(byType((await run(base)).resources, "gcp:serviceaccount/account:Account"), []);
            const { resources } = await runWithMocks(
                () => {
                    const c = new GkeCluster("llmd", { ...base, kedaWorkloadIdentity: {} });
                    return { email: c.kedaServiceAccountEmail, url: c.managedPrometheusUrl };
                },
                { stack: "test", preview: false, outputs: gkeOutputs },
            ).then((r) => ({ ...r, resources: r.resources }));
            const account = one(resources, "gcp:serviceaccount/account:Account", "llmd-keda");
            const accountId = account.inputs.accountId as string;
            assert.match(accountId, /^llmd-keda-[0-9a-f]{8}$/);
            assert.strictEqual(account.inputs.project, "proj");
            const viewer = one(resources, "gcp:projects/iAMMember:IAMMember", "llmd-keda-monitoring-viewer");
            assert.deepStrictEqual([viewer.inputs.project, viewer.inputs.role, viewer.inputs.member], ["proj", "roles/monitoring.viewer", `serviceAccount:${accountId}@proj.iam.gserviceaccount.com`]);
            assert.ok(viewer.dependencies.includes(account.urn));
            const wi = one(resources, "gcp:serviceaccount/iAMMember:IAMMember", "llmd-keda-workload-identity");
            assert.deepStrictEqual([wi.inputs.role, wi.inputs.member], ["roles/iam.workloadIdentityUser", "serviceAccount:proj.svc.id.goog[keda/keda-operator]"]);
            // The project's Workload Identity pool exists once the cluster does.
            assert.ok(wi.dependencies.includes(one(resources, CLUSTER, "llmd-cluster").urn));
            assert.ok(wi.dependencies.includes(account.urn));
        });

        it("names the plain email and query URL the platform and models need, and checks its settings", async () => {
            const { result } = await runWithMocks(
                () => {
                    const c = new GkeCluster("llmd", { ...base, kedaWorkloadIdentity: { namespace: "autoscaling", accountId: "keda-reader" } });
                    // Plain arguments: both are known even in preview.
                    return new Promise((resolve) => pulumi.all({ email: c.kedaServiceAccountEmail, url: c.managedPrometheusUrl }).apply(resolve));
                },
                { stack: "test", preview: true, outputs: gkeOutputs },
            );
            assert.deepStrictEqual(result, { email: "keda-reader@proj.iam.gserviceaccount.com", url: "https://monitoring.googleapis.com/v1/projects/proj/location/global/prometheus" });
            assert.match(resolveGkeCluster("llmd", { ...(base as GkeClusterPlainArgs), kedaWorkloadIdentity: { namespace: "autoscaling" } }).kedaIdentity!.member, /\[autoscaling\/keda-operator\]$/);
            await expectConfigError({ ...base, kedaWorkloadIdentity: { accountId: "Keda_Reader" } }, "kedaWorkloadIdentity.accountId", /6-30 lowercase/);
            await expectConfigError({ ...base, kedaWorkloadIdentity: { namespace: "KEDA" } }, "kedaWorkloadIdentity.namespace");
        });
    });

    describe("cluster (preview: false)", () => {
        it("creates a regional REGULAR-channel cluster with Gateway API, Workload Identity and no default pool", async () => {
            const { resources } = await run(base);
            const cluster = one(resources, CLUSTER, "llmd-cluster");
            assert.strictEqual(cluster.inputs.location, "us-central1");
            assert.strictEqual(cluster.inputs.project, "proj");
            assert.deepStrictEqual(cluster.inputs.releaseChannel, { channel: "REGULAR" });
            assert.strictEqual(cluster.inputs.minMasterVersion, "1.33");
            assert.deepStrictEqual(cluster.inputs.gatewayApiConfig, { channel: "CHANNEL_STANDARD" });
            assert.deepStrictEqual(cluster.inputs.workloadIdentityConfig, { workloadPool: "proj.svc.id.goog" });
            assert.strictEqual(cluster.inputs.removeDefaultNodePool, true);
            assert.strictEqual(cluster.inputs.initialNodeCount, 1);
            assert.strictEqual(cluster.inputs.deletionProtection, false);
            assert.strictEqual(cluster.inputs.network, "default");
            assert.strictEqual(cluster.inputs.subnetwork, "default");
            assert.strictEqual(cluster.inputs.networkingMode, "VPC_NATIVE");
            assert.strictEqual(cluster.parent, one(resources, COMPONENT).urn);
        });

        it("creates the proxy-only subnet first, in the cluster's region and network", async () => {
            const { resources } = await run({ ...base, network: "llm-vpc", subnetwork: "llm-nodes", proxyOnlySubnetCidr: "10.200.0.0/23" });
            const subnet = one(resources, SUBNET, "llmd-proxy-only");
            assert.strictEqual(subnet.inputs.purpose, "REGIONAL_MANAGED_PROXY");
            assert.strictEqual(subnet.inputs.role, "ACTIVE");
            assert.strictEqual(subnet.inputs.region, "us-central1");
            assert.strictEqual(subnet.inputs.network, "llm-vpc");
            assert.strictEqual(subnet.inputs.ipCidrRange, "10.200.0.0/23");
            const cluster = one(resources, CLUSTER);
            assert.strictEqual(cluster.inputs.network, "llm-vpc");
            assert.strictEqual(cluster.inputs.subnetwork, "llm-nodes");
            assert.ok(cluster.dependencies.includes(subnet.urn), "the cluster must wait for the proxy-only subnet");
        });

        it("zonal: location is the zone, the subnet goes to its region; defaults the subnet CIDR; can skip the subnet", async () => {
            const zonal = await run({ ...base, location: "europe-west4-b", deletionProtection: true, releaseChannel: "RAPID", kubernetesVersion: "1.34" });
            const cluster = one(zonal.resources, CLUSTER);
            assert.strictEqual(cluster.inputs.location, "europe-west4-b");
            assert.strictEqual(cluster.inputs.deletionProtection, true);
            assert.deepStrictEqual(cluster.inputs.releaseChannel, { channel: "RAPID" });
            assert.strictEqual(cluster.inputs.minMasterVersion, "1.34");
            const subnet = one(zonal.resources, SUBNET);
            assert.strictEqual(subnet.inputs.region, "europe-west4");
            assert.strictEqual(subnet.inputs.ipCidrRange, "10.129.0.0/23");

            const none = await run({ ...base, createProxyOnlySubnet: false });
            assert.strictEqual(byType(none.resources, SUBNET).length, 0);
        });

        it("takes the project from gcp:project when not given", async () => {
            const { resources } = await run({ location: "us-east5", deletionProtection: false }, false, { "gcp:project": "from-config" });
            const cluster = one(resources, CLUSTER);
            assert.deepStrictEqual(cluster.inputs.workloadIdentityConfig, { workloadPool: "from-config.svc.id.goog" });
            assert.strictEqual(cluster.inputs.project, "from-config");
        });

        it("creates the system pool: e2-standard-4, autoscaling 1 to 3, Workload Identity metadata", async () => {
            const { resources } = await run(base);
            const system = pool(resources, "system");
            assert.strictEqual(system.inputs.name, "system");
            assert.strictEqual(system.inputs.location, "us-central1");
            assert.deepStrictEqual(system.inputs.autoscaling, { totalMinNodeCount: 1, totalMaxNodeCount: 3 });
            assert.strictEqual(nodeConfig(system).machineType, "e2-standard-4");
            assert.deepStrictEqual(nodeConfig(system).workloadMetadataConfig, { mode: "GKE_METADATA" });
            assert.strictEqual(nodeConfig(system).guestAccelerators, undefined);
            assert.strictEqual(nodeConfig(system).taints, undefined);
            assert.deepStrictEqual(system.inputs.management, { autoRepair: true, autoUpgrade: true });
            assert.ok(system.dependencies.includes(one(resources, CLUSTER).urn));

            const custom = await run({ ...base, systemNodePool: { name: "cpu", machineType: "n2-standard-8", minNodes: 2, maxNodes: 5 } });
            const cpu = pool(custom.resources, "cpu");
            assert.deepStrictEqual(cpu.inputs.autoscaling, { totalMinNodeCount: 2, totalMaxNodeCount: 5 });
            assert.strictEqual(nodeConfig(cpu).machineType, "n2-standard-8");
        });
    });

    describe("kubeconfig and provider", () => {
        it("builds a gke-gcloud-auth-plugin kubeconfig from the endpoint and CA, as a secret", async () => {
            const { result } = await run(base);
            assert.strictEqual(result.kubeconfigSecret, true);
            assert.strictEqual(result.version, "1.33.4-gke.1000");
            const kc = parse(result.kubeconfig!);
            const context = "gke_proj_us-central1_llmd-cluster-1a2b3c4";
            assert.strictEqual(kc["current-context"], context);
            assert.strictEqual(kc.clusters[0].cluster.server, "https://34.1.2.3");
            assert.strictEqual(kc.clusters[0].cluster["certificate-authority-data"], "Q0EtREFUQQ==");
            const exec = kc.users[0].user.exec;
            assert.strictEqual(exec.command, "gke-gcloud-auth-plugin");
            assert.strictEqual(exec.apiVersion, "client.authentication.k8s.io/v1beta1");
            assert.strictEqual(exec.provideClusterInfo, true);
            assert.ok(typeof exec.installHint === "string" && exec.installHint.length > 0);
            assert.strictEqual(kc.users[0].user.token, undefined, "no token may be stored");
        });

        it("makes the Kubernetes provider a child with a secret kubeconfig and the cluster id as identifier", async () => {
            const { resources } = await run(base);
            const provider = one(resources, K8S_PROVIDER, "llmd-k8s");
            assert.strictEqual(provider.parent, one(resources, COMPONENT).urn);
            assert.strictEqual(provider.inputs.kubeconfig, SECRET);
            assert.strictEqual(provider.inputs.clusterIdentifier, "llmd-cluster-id");
            // Anything created through the provider waits for nodes and the managed gateways' subnet.
            assert.ok(provider.dependencies.includes(pool(resources, "system").urn));
            assert.ok(provider.dependencies.includes(one(resources, SUBNET).urn));
        });

        it("renderGkeKubeconfig is plain YAML with one context", () => {
            const kc = parse(renderGkeKubeconfig({ contextName: "c", endpoint: "10.0.0.1", clusterCaCertificate: "Q0E=" }));
            assert.deepStrictEqual(kc.contexts, [{ name: "c", context: { cluster: "c", user: "c" } }]);
            assert.strictEqual(kc.kind, "Config");
        });
    });

    describe("GPU pools", () => {
        it("H100 x8: a3-highgpu-8g, GKE-installed driver, explicit taint, pool output with labels", async () => {
            const { resources, result } = await run({
                ...base,
                acceleratorPools: [{ name: "h100", accelerator: "nvidia-h100", acceleratorsPerNode: 8, maxNodes: 2, nodeLocations: zone }],
            });
            const h100 = pool(resources, "h100");
            const nc = nodeConfig(h100);
            assert.strictEqual(nc.machineType, "a3-highgpu-8g");
            assert.deepStrictEqual(nc.guestAccelerators, [
                { type: "nvidia-h100-80gb", count: 8, gpuDriverInstallationConfig: { gpuDriverVersion: "LATEST" } },
            ]);
            assert.deepStrictEqual(nc.taints, [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }]);
            assert.deepStrictEqual(nc.labels, { [GKE_POOL_LABEL]: "h100" });
            assert.strictEqual(nc.spot, undefined);
            assert.deepStrictEqual(h100.inputs.nodeLocations, ["us-central1-a"]);
            assert.deepStrictEqual(h100.inputs.autoscaling, { totalMinNodeCount: 2, totalMaxNodeCount: 2, locationPolicy: "ANY" });
            assert.strictEqual(h100.inputs.initialNodeCount, 2);
            assert.strictEqual(h100.inputs.placementPolicy, undefined);
            assert.strictEqual(h100.inputs.queuedProvisioning, undefined);
            assert.deepStrictEqual(result.pools, [
                {
                    name: "h100",
                    accelerator: "nvidia-h100",
                    acceleratorsPerNode: 8,
                    maxNodes: 2,
                    nodeLabels: { "cloud.google.com/gke-nodepool": "h100", "cloud.google.com/gke-accelerator": "nvidia-h100-80gb" },
                    taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
                    // a3-highgpu-8g can do GPUDirect-TCPX, but the cluster does not set up its networks.
                    interconnect: "none",
                    machineType: "a3-highgpu-8g",
                },
            ]);
        });

        it("operator driver: installation disabled, GKE's device plugin off, Ubuntu image", async () => {
            const { resources } = await run({
                ...base,
                location: "us-central1-c",
                acceleratorPools: [{ name: "l4", accelerator: "nvidia-l4", acceleratorsPerNode: 1, gpuDriver: "operator" }],
            });
            const nc = nodeConfig(pool(resources, "l4"));
            assert.strictEqual(nc.machineType, "g2-standard-8");
            assert.strictEqual(nc.guestAccelerators[0].gpuDriverInstallationConfig.gpuDriverVersion, "INSTALLATION_DISABLED");
            assert.strictEqual(nc.labels[GKE_NO_DEVICE_PLUGIN_LABEL], "true");
            assert.strictEqual(nc.imageType, "UBUNTU_CONTAINERD");
            // Zonal cluster, no node locations: the pool lives in the cluster's zone.
            assert.strictEqual(pool(resources, "l4").inputs.nodeLocations, undefined);
        });

        it("spot, reservation, autoscaling range and several zones", async () => {
            const { resources, result } = await run({
                ...base,
                acceleratorPools: [
                    { name: "spot", accelerator: "nvidia-l4", spot: true, minNodes: 0, maxNodes: 4, nodeLocations: ["us-central1-a", "us-central1-b"] },
                    { name: "reserved", accelerator: "nvidia-a100-80gb", machineType: "a2-ultragpu-4g", reservation: "my-res", nodeLocations: zone },
                ],
            });
            const spot = pool(resources, "spot");
            assert.strictEqual(nodeConfig(spot).spot, true);
            assert.strictEqual(nodeConfig(spot).machineType, "g2-standard-96");
            assert.deepStrictEqual(spot.inputs.autoscaling, { totalMinNodeCount: 0, totalMaxNodeCount: 4, locationPolicy: "ANY" });
            // The initial count is per zone: with two zones the autoscaler places nodes instead.
            assert.strictEqual(spot.inputs.initialNodeCount, 0);
            assert.deepStrictEqual(spot.inputs.nodeLocations, ["us-central1-a", "us-central1-b"]);
            const reserved = pool(resources, "reserved");
            assert.deepStrictEqual(nodeConfig(reserved).reservationAffinity, {
                consumeReservationType: "SPECIFIC_RESERVATION",
                key: "compute.googleapis.com/reservation-name",
                values: ["my-res"],
            });
            assert.strictEqual(nodeConfig(reserved).guestAccelerators[0].count, 4);
            assert.deepStrictEqual(
                result.pools.map((p) => [p.name, p.maxNodes, p.acceleratorsPerNode]),
                [["spot", 4, 8], ["reserved", 1, 4]],
            );
        });

        it("queued provisioning: from zero, location policy ANY, no reservation, auto-repair off", async () => {
            const { resources } = await run({
                ...base,
                acceleratorPools: [{ name: "dws", accelerator: "nvidia-h200", maxNodes: 4, queuedProvisioning: true, nodeLocations: zone }],
            });
            const dws = pool(resources, "dws");
            assert.deepStrictEqual(dws.inputs.queuedProvisioning, { enabled: true });
            assert.deepStrictEqual(dws.inputs.autoscaling, { totalMinNodeCount: 0, totalMaxNodeCount: 4, locationPolicy: "ANY" });
            assert.strictEqual(dws.inputs.initialNodeCount, 0);
            assert.deepStrictEqual(nodeConfig(dws).reservationAffinity, { consumeReservationType: "NO_RESERVATION" });
            assert.deepStrictEqual(dws.inputs.management, { autoRepair: false, autoUpgrade: true });
            assert.strictEqual(nodeConfig(dws).machineType, "a3-ultragpu-8g");
        });
    });

    describe("TPU pools", () => {
        it("multi-host v6e 4x4: ct6e-standard-4t, 4 hosts, compact placement, fixed node count, TPU labels", async () => {
            const { resources, result } = await run({
                ...base,
                acceleratorPools: [{ name: "v6e", accelerator: "tpu-v6e", tpuTopology: "4x4", nodeLocations: ["us-central1-b"] }],
            });
            const v6e = pool(resources, "v6e");
            assert.strictEqual(nodeConfig(v6e).machineType, "ct6e-standard-4t");
            assert.deepStrictEqual(v6e.inputs.placementPolicy, { type: "COMPACT", tpuTopology: "4x4" });
            assert.strictEqual(v6e.inputs.nodeCount, 4);
            assert.strictEqual(v6e.inputs.autoscaling, undefined);
            assert.strictEqual(nodeConfig(v6e).guestAccelerators, undefined);
            assert.deepStrictEqual(result.pools[0], {
                name: "v6e",
                accelerator: "tpu-v6e",
                acceleratorsPerNode: 4,
                maxNodes: 4,
                nodeLabels: {
                    "cloud.google.com/gke-nodepool": "v6e",
                    "cloud.google.com/gke-tpu-accelerator": "tpu-v6e-slice",
                    "cloud.google.com/gke-tpu-topology": "4x4",
                },
                taints: [{ key: "google.com/tpu", value: "present", effect: "NoSchedule" }],
                interconnect: "ici",
                machineType: "ct6e-standard-4t",
                tpuTopology: "4x4",
            });
        });

        it("several multi-host slices: one node pool per slice, the extra slices scale 0 <-> all hosts", async () => {
            const { resources, result } = await run({
                ...base,
                location: "us-west4-a",
                acceleratorPools: [{ name: "v5e", accelerator: "tpu-v5e", tpuTopology: "2x4", machineType: "ct5lp-hightpu-4t", minNodes: 2, maxNodes: 6 }],
            });
            const slices = byType(resources, NODE_POOL).filter((r) => r.name.startsWith("llmd-pool-v5e"));
            assert.deepStrictEqual(slices.map((s) => s.inputs.name).sort(), ["v5e-0", "v5e-1", "v5e-2"]);
            assert.strictEqual(pool(resources, "v5e-0").inputs.nodeCount, 2);
            for (const elastic of ["v5e-1", "v5e-2"]) {
                const r = pool(resources, elastic);
                assert.deepStrictEqual(r.inputs.autoscaling, { minNodeCount: 0, maxNodeCount: 2 });
                assert.strictEqual(r.inputs.initialNodeCount, 0);
                assert.deepStrictEqual(r.inputs.placementPolicy, { type: "COMPACT", tpuTopology: "2x4" });
                assert.strictEqual(nodeConfig(r).labels[GKE_POOL_LABEL], "v5e");
            }
            // The serving layer selects all slices by llmd's pool label, not one GKE node pool.
            assert.deepStrictEqual(result.pools[0].nodeLabels, {
                [GKE_POOL_LABEL]: "v5e",
                "cloud.google.com/gke-tpu-accelerator": "tpu-v5-lite-podslice",
                "cloud.google.com/gke-tpu-topology": "2x4",
            });
            assert.strictEqual(result.pools[0].maxNodes, 6);
        });

        it("single-host slices get no placement policy; the topology defaults to the machine's", async () => {
            const { resources, result } = await run({
                ...base,
                location: "us-west4-a",
                acceleratorPools: [
                    { name: "v5e8", accelerator: "tpu-v5e", tpuTopology: "2x4", maxNodes: 3, minNodes: 1 },
                    { name: "v6e4", accelerator: "tpu-v6e", acceleratorsPerNode: 4 },
                ],
            });
            const v5e8 = pool(resources, "v5e8");
            assert.strictEqual(nodeConfig(v5e8).machineType, "ct5lp-hightpu-8t", "2x4 fits one 8-chip host");
            assert.strictEqual(v5e8.inputs.placementPolicy, undefined);
            assert.deepStrictEqual(v5e8.inputs.autoscaling, { totalMinNodeCount: 1, totalMaxNodeCount: 3, locationPolicy: "ANY" });
            assert.strictEqual(pool(resources, "v6e4").inputs.placementPolicy, undefined);
            assert.deepStrictEqual(
                result.pools.map((p) => [p.machineType, p.tpuTopology]),
                [["ct5lp-hightpu-8t", "2x4"], ["ct6e-standard-4t", "2x2"]],
            );
        });
    });

    describe("preview (outputs unknown)", () => {
        it("registers everything without hanging; the kubeconfig is never plain text", async () => {
            const { resources, result } = await run(
                {
                    ...base,
                    acceleratorPools: [
                        { name: "h100", accelerator: "nvidia-h100", nodeLocations: zone },
                        { name: "v6e", accelerator: "tpu-v6e", tpuTopology: "4x8", nodeLocations: zone },
                    ],
                },
                true,
            );
            assert.strictEqual(byType(resources, NODE_POOL).length, 3);
            assert.strictEqual(byType(resources, SUBNET).length, 1);
            const provider = one(resources, K8S_PROVIDER);
            // Unknown in preview (the endpoint is not known yet); the engine drops the secret flag of unknowns.
            assert.ok([SECRET, UNKNOWN].includes(provider.inputs.kubeconfig as string), String(provider.inputs.kubeconfig));
            assert.strictEqual(provider.inputs.clusterIdentifier, UNKNOWN);
            assert.strictEqual(pool(resources, "v6e").inputs.nodeCount, 8);
            assert.deepStrictEqual(result.pools.map((p) => p.name), ["h100", "v6e"]);
        });
    });

    describe("pure pool resolution", () => {
        it("gkeAcceleratorPools computes the pools without Pulumi", () => {
            const pools = gkeAcceleratorPools({ location: "us-central1-a", acceleratorPools: [{ name: "b200", accelerator: "nvidia-b200" }] });
            assert.deepStrictEqual(pools.map((p) => [p.machineType, p.acceleratorsPerNode, p.interconnect]), [["a4-highgpu-8g", 8, "roce"]]);
        });

        it("resolveGkeCluster rejects a missing project", () => {
            assert.throws(
                () => resolveGkeCluster("llmd", { location: "us-central1", deletionProtection: false }),
                (e: unknown) => e instanceof LlmdConfigError && e.field === "project",
            );
        });
    });

    describe("construction errors (nothing created)", () => {
        const gpu = (extra: Record<string, unknown>) => ({
            ...base,
            acceleratorPools: [{ name: "gpu", accelerator: "nvidia-h100" as const, nodeLocations: zone, ...extra }],
        });
        const tpu = (extra: Record<string, unknown>) => ({
            ...base,
            acceleratorPools: [{ name: "tpu", accelerator: "tpu-v6e" as const, nodeLocations: zone, ...extra }],
        });

        it("a TPU topology that does not match the machine type", () =>
            expectConfigError(tpu({ machineType: "ct6e-standard-8t", tpuTopology: "4x4" }), "acceleratorPools[0].tpuTopology", /ct6e-standard-8t serves TPU topologies 2x4/));

        it("a TPU topology GKE does not serve at all", () =>
            expectConfigError(tpu({ tpuTopology: "3x3" }), "acceleratorPools[0].tpuTopology", /2x2/));

        it("an AMD accelerator on GKE", () =>
            expectConfigError(gpu({ accelerator: "amd-mi300x" }), "acceleratorPools[0].accelerator", /gke offers no AMD Instinct MI300X/));

        it("an accelerator size GKE does not offer (3 H100s per node)", () =>
            expectConfigError(gpu({ acceleratorsPerNode: 3 }), "acceleratorPools[0].acceleratorsPerNode", /1, 2, 4, 8/));

        it("a Kubernetes version below 1.29", () => expectConfigError({ ...base, kubernetesVersion: "1.28" }, "kubernetesVersion", /1\.29/));

        it("multi-host TPU maxNodes not a multiple of the slice's hosts", () =>
            expectConfigError(tpu({ tpuTopology: "4x4", maxNodes: 6 }), "acceleratorPools[0].maxNodes", /multiple of 4/));

        it("multi-host TPU minNodes not a multiple of the slice's hosts", () =>
            expectConfigError(tpu({ tpuTopology: "4x4", maxNodes: 8, minNodes: 2 }), "acceleratorPools[0].minNodes", /multiple of 4/));

        it("queued provisioning with Spot", () =>
            expectConfigError(gpu({ queuedProvisioning: true, spot: true }), "acceleratorPools[0].spot", /Spot/));

        it("queued provisioning with a reservation", () =>
            expectConfigError(gpu({ queuedProvisioning: true, reservation: "r1" }), "acceleratorPools[0].reservation", /reservation/));

        it("queued provisioning with nodes kept up", () =>
            expectConfigError(gpu({ queuedProvisioning: true, minNodes: 1 }), "acceleratorPools[0].minNodes", /expected 0/));

        it("pool names GKE rejects: uppercase, too long, duplicates", async () => {
            await expectConfigError(gpu({ name: "GPU" }), "acceleratorPools[0].name", /at most 40/);
            await expectConfigError(gpu({ name: "a".repeat(41) }), "acceleratorPools[0].name", /at most 40/);
            await expectConfigError(gpu({ name: "system" }), "acceleratorPools[0].name", /unique/);
            // Slice pools get a suffix that must fit too.
            await expectConfigError(tpu({ name: "t".repeat(39), tpuTopology: "4x4", maxNodes: 8 }), "acceleratorPools[0].name", /at most 40/);
        });

        it("an empty or malformed location", async () => {
            await expectConfigError({ ...base, location: "" }, "location", /non-empty/);
            await expectConfigError({ ...base, location: "Central US" }, "location", /us-central1-a/);
        });

        it("deletionProtection left out", () =>
            expectConfigError({ project: "proj", location: "us-central1" } as GkeClusterArgs, "deletionProtection"));

        it("accelerator pools of a regional cluster without zones, or zones of another region", async () => {
            await expectConfigError(gpu({ nodeLocations: undefined }), "acceleratorPools[0].nodeLocations", /per zone/);
            await expectConfigError(gpu({ nodeLocations: ["europe-west4-a"] }), "acceleratorPools[0].nodeLocations[0]", /us-central1/);
        });

        it("a multi-host slice across zones", () =>
            expectConfigError(tpu({ tpuTopology: "4x4", nodeLocations: ["us-central1-a", "us-central1-b"] }), "acceleratorPools[0].nodeLocations", /one zone/));

        it("a topology or driver mode on the wrong accelerator", async () => {
            await expectConfigError(gpu({ tpuTopology: "2x2" }), "acceleratorPools[0].tpuTopology", /only TPU/);
            await expectConfigError(tpu({ gpuDriver: "operator" }), "acceleratorPools[0].gpuDriver", /only NVIDIA/);
        });

        it("a proxy-only subnet CIDR that is not one", () => expectConfigError({ ...base, proxyOnlySubnetCidr: "10.129.0.0/28" }, "proxyOnlySubnetCidr", /\/26/));

        it("a component name too long for an auto-named cluster", async () => {
            const { result } = await runWithMocks(
                () => {
                    try {
                        new GkeCluster("a-very-long-component-name-for-gke", base);
                    } catch (e) {
                        return e;
                    }
                    return undefined;
                },
                { stack: "test", preview: false },
            );
            assert.ok(result instanceof LlmdConfigError && result.field === "clusterName", String(result));
        });
    });

    describe("RDMA pools (A3 Ultra / A4, GKE multi-networking)", () => {
        const NETWORK = "gcp:compute/network:Network";
        const FIREWALL = "gcp:compute/firewall:Firewall";
        const GKE_NETWORK = "kubernetes:networking.gke.io/v1:Network";
        const PARAMS = "kubernetes:networking.gke.io/v1:GKENetworkParamSet";
        const rdmaZone = ["us-central1-b"];
        const h200 = { name: "h200", accelerator: "nvidia-h200" as const, maxNodes: 2, nodeLocations: rdmaZone };

        it("creates the gVNIC and RoCE VPCs, attaches them to the node pool and turns on multi-networking", async () => {
            const { resources, result } = await run({ ...base, acceleratorPools: [h200] });
            const cluster = one(resources, CLUSTER);
            assert.strictEqual(cluster.inputs.enableMultiNetworking, true);
            assert.strictEqual(cluster.inputs.datapathProvider, "ADVANCED_DATAPATH");

            const gvnic = one(resources, NETWORK, "llmd-gvnic-net");
            assert.strictEqual(gvnic.inputs.name, "llmd-gvnic-net");
            assert.strictEqual(gvnic.inputs.autoCreateSubnetworks, false);
            assert.strictEqual(gvnic.inputs.networkProfile, undefined);
            const roce = one(resources, NETWORK, "llmd-rdma-net");
            assert.strictEqual(roce.inputs.networkProfile, "projects/proj/global/networkProfiles/us-central1-b-vpc-roce");
            assert.strictEqual(roce.inputs.mtu, 8896);
            assert.strictEqual(roce.inputs.autoCreateSubnetworks, false);
            const firewall = one(resources, FIREWALL, "llmd-gvnic-internal");
            assert.strictEqual(firewall.inputs.network, "llmd-gvnic-net");
            assert.deepStrictEqual(firewall.inputs.sourceRanges, ["192.168.0.0/22"]);

            const subnets = byType(resources, SUBNET).filter((r) => r.name !== "llmd-proxy-only");
            assert.deepStrictEqual(
                subnets.map((r) => [r.name, r.inputs.name, r.inputs.network, r.inputs.region, r.inputs.ipCidrRange]),
                [
                    ["llmd-gvnic-sub", "llmd-gvnic-sub", "llmd-gvnic-net", "us-central1", "192.168.0.0/22"],
                    ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => [`llmd-rdma-sub-${i}`, `llmd-rdma-sub-${i}`, "llmd-rdma-net", "us-central1", `192.168.${64 + 4 * i}.0/22`]),
                ],
            );

            const np = pool(resources, "h200");
            assert.strictEqual(nodeConfig(np).machineType, "a3-ultragpu-8g");
            assert.deepStrictEqual(nodeConfig(np).gvnic, { enabled: true });
            assert.deepStrictEqual((np.inputs.networkConfig as any).additionalNodeNetworkConfigs, [
                { network: "llmd-gvnic-net", subnetwork: "llmd-gvnic-sub" },
                ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ network: "llmd-rdma-net", subnetwork: `llmd-rdma-sub-${i}` })),
            ]);
            for (const sub of subnets) {
                assert.ok(np.dependencies.includes(sub.urn), `the node pool waits for ${sub.name}`);
            }
            assert.strictEqual(pool(resources, "system").inputs.networkConfig, undefined, "the system pool gets no extra NICs");

            // Kubernetes objects: one GKENetworkParamSet + Network pair per NIC, through the cluster's provider.
            const provider = one(resources, K8S_PROVIDER);
            const component = one(resources, COMPONENT);
            const params = byType(resources, PARAMS);
            const networks = byType(resources, GKE_NETWORK);
            const expected = ["gvnic-1", ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `rdma-${i}`)];
            assert.deepStrictEqual(params.map((r) => (r.inputs.metadata as any).name), expected);
            assert.deepStrictEqual(networks.map((r) => (r.inputs.metadata as any).name), expected);
            for (const r of [...params, ...networks]) {
                assert.ok(r.provider?.startsWith(provider.urn), `${r.name} goes through the cluster's provider`);
                assert.strictEqual(r.parent, component.urn);
                assert.ok(r.dependencies.includes(subnets[1].urn), `${r.name} waits for the subnets`);
            }
            assert.deepStrictEqual(params[0].inputs.spec, { vpc: "llmd-gvnic-net", vpcSubnet: "llmd-gvnic-sub", deviceMode: "NetDevice" });
            assert.deepStrictEqual(params[3].inputs.spec, { vpc: "llmd-rdma-net", vpcSubnet: "llmd-rdma-sub-2", deviceMode: "RDMA" });
            assert.deepStrictEqual(networks[1].inputs.spec, {
                type: "Device",
                parametersRef: { group: "networking.gke.io", kind: "GKENetworkParamSet", name: "rdma-0" },
            });

            assert.strictEqual(result.pools[0].interconnect, "roce");
            // The serving layer's pod annotation names only networks this cluster created.
            const net = resolveNetwork("network", undefined, {
                pool: result.pools[0],
                accelerator: ACCELERATORS["nvidia-h200"],
                simulator: false,
                kvTransfer: true,
                nodesPerReplica: 1,
                expertParallel: false,
                acceleratorsPerPod: 8,
            });
            assert.strictEqual(net.transport, "rdma");
            const attached = (JSON.parse(net.annotations[GKE_INTERFACES_ANNOTATION]) as Array<{ network: string }>).map((i) => i.network);
            for (const name of attached.filter((n) => n !== "default")) {
                assert.ok(expected.includes(name), `pods attach ${name}, which the cluster must create`);
            }
            assert.deepStrictEqual(machineNetwork("nvidia-h200", "a3-ultragpu-8g")?.gkeNetworks, expected.slice(1));
        });

        it("A4 (B200) in a zonal cluster: the cluster's zone is the RoCE zone; custom names and ranges", async () => {
            const cidrs = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `10.50.${i}.0/24`);
            const { resources, result } = await run({
                ...base,
                location: "us-east4-b",
                rdmaNetwork: { namePrefix: "llm", gvnicSubnetCidr: "10.49.0.0/24", rdmaSubnetCidrs: cidrs },
                acceleratorPools: [{ name: "b200", accelerator: "nvidia-b200" }],
            });
            assert.strictEqual(one(resources, NETWORK, "llmd-rdma-net").inputs.networkProfile, "projects/proj/global/networkProfiles/us-east4-b-vpc-roce");
            assert.strictEqual(one(resources, NETWORK, "llmd-rdma-net").inputs.name, "llm-rdma-net");
            assert.strictEqual(one(resources, SUBNET, "llmd-rdma-sub-7").inputs.ipCidrRange, "10.50.7.0/24");
            assert.strictEqual(one(resources, SUBNET, "llmd-rdma-sub-7").inputs.region, "us-east4");
            assert.strictEqual(one(resources, SUBNET, "llmd-gvnic-sub").inputs.ipCidrRange, "10.49.0.0/24");
            assert.strictEqual(nodeConfig(pool(resources, "b200")).machineType, "a4-highgpu-8g");
            assert.deepStrictEqual(result.pools.map((p) => p.interconnect), ["roce"]);
        });

        it("no RDMA pool: no extra VPCs, no Network objects, multi-networking off (and on when asked)", async () => {
            const { resources, result } = await run({ ...base, acceleratorPools: [{ name: "h100", accelerator: "nvidia-h100", nodeLocations: zone }] });
            assert.strictEqual(byType(resources, NETWORK).length, 0);
            assert.strictEqual(byType(resources, GKE_NETWORK).length + byType(resources, PARAMS).length, 0);
            assert.strictEqual(one(resources, CLUSTER).inputs.enableMultiNetworking, undefined);
            assert.strictEqual(one(resources, CLUSTER).inputs.datapathProvider, "ADVANCED_DATAPATH", "Dataplane V2 enforces NetworkPolicies");
            assert.strictEqual(pool(resources, "h100").inputs.networkConfig, undefined);
            assert.strictEqual(nodeConfig(pool(resources, "h100")).gvnic, undefined);
            assert.strictEqual(result.pools[0].interconnect, "none", "GPUDirect-TCPX is not set up: reported as no fabric");

            const ready = await run({ ...base, multiNetworking: true });
            assert.strictEqual(one(ready.resources, CLUSTER).inputs.enableMultiNetworking, true);
            assert.strictEqual(one(ready.resources, CLUSTER).inputs.datapathProvider, "ADVANCED_DATAPATH");
            assert.strictEqual(byType(ready.resources, NETWORK).length, 0);
        });

        it("dataplaneV2: false keeps a cluster created without Dataplane V2 (GKE would replace it)", async () => {
            const { resources } = await run({ ...base, dataplaneV2: false });
            assert.strictEqual(one(resources, CLUSTER).inputs.datapathProvider, undefined);
        });

        it("opt-out: rdma.enabled false leaves the NICs unattached and the pool reports none", async () => {
            const { resources, result } = await run({ ...base, acceleratorPools: [{ ...h200, nodeLocations: ["us-central1-a", "us-central1-b"], rdma: { enabled: false } }] });
            assert.strictEqual(byType(resources, NETWORK).length, 0);
            assert.strictEqual(byType(resources, GKE_NETWORK).length, 0);
            assert.strictEqual(one(resources, CLUSTER).inputs.enableMultiNetworking, undefined);
            assert.strictEqual(pool(resources, "h200").inputs.networkConfig, undefined);
            assert.strictEqual(result.pools[0].interconnect, "none");
        });

        it("preview: everything registers without hanging", async () => {
            const { resources, result } = await run({ ...base, acceleratorPools: [h200] }, true);
            assert.strictEqual(byType(resources, GKE_NETWORK).length, 9);
            assert.strictEqual(byType(resources, PARAMS).length, 9);
            assert.strictEqual(byType(resources, NETWORK).length, 2);
            assert.strictEqual(result.pools[0].interconnect, "roce");
        });

        it("errors name the field and create nothing", async () => {
            await expectConfigError(
                { ...base, acceleratorPools: [{ name: "h100", accelerator: "nvidia-h100", nodeLocations: zone, rdma: { enabled: true } }] },
                "acceleratorPools[0].rdma.enabled",
                /no RDMA NICs.*a3-ultragpu-8g/,
            );
            await expectConfigError(
                { ...base, acceleratorPools: [{ name: "v6e", accelerator: "tpu-v6e", nodeLocations: zone, rdma: { enabled: true } }] },
                "acceleratorPools[0].rdma.enabled",
            );
            await expectConfigError({ ...base, acceleratorPools: [{ ...h200, rdma: { enabled: "yes" as unknown as boolean } }] }, "acceleratorPools[0].rdma.enabled", /true or false/);
            await expectConfigError({ ...base, acceleratorPools: [{ ...h200, rdma: true as unknown as { enabled?: boolean } }] }, "acceleratorPools[0].rdma", /object/);
            await expectConfigError({ ...base, acceleratorPools: [{ ...h200, nodeLocations: ["us-central1-a", "us-central1-b"] }] }, "acceleratorPools[0].nodeLocations", /one zone/);
            await expectConfigError(
                { ...base, acceleratorPools: [h200, { name: "b200", accelerator: "nvidia-b200", nodeLocations: ["us-central1-c"] }] },
                "acceleratorPools[1].nodeLocations",
                /us-central1-b/,
            );
            await expectConfigError({ ...base, multiNetworking: false, acceleratorPools: [h200] }, "multiNetworking", /multi-networking/);
            await expectConfigError({ ...base, dataplaneV2: false, acceleratorPools: [h200] }, "dataplaneV2", /Dataplane V2/);
            await expectConfigError({ ...base, dataplaneV2: "no" as any }, "dataplaneV2");
            await expectConfigError({ ...base, rdmaNetwork: { rdmaSubnetCidrs: ["10.0.0.0/24"] }, acceleratorPools: [h200] }, "rdmaNetwork.rdmaSubnetCidrs", /8 CIDRs/);
            await expectConfigError(
                { ...base, rdmaNetwork: { rdmaSubnetCidrs: ["192.168.0.0/22", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.0.4.0/24", "10.0.5.0/24", "10.0.6.0/24", "10.0.7.0/24"] }, acceleratorPools: [h200] },
                "rdmaNetwork.rdmaSubnetCidrs",
                /distinct/,
            );
            await expectConfigError({ ...base, rdmaNetwork: { gvnicSubnetCidr: "192.168.0.0" }, acceleratorPools: [h200] }, "rdmaNetwork.gvnicSubnetCidr", /CIDR/);
            await expectConfigError({ ...base, rdmaNetwork: { namePrefix: "Bad_Prefix" }, acceleratorPools: [h200] }, "rdmaNetwork.namePrefix");
        });
    });
});
