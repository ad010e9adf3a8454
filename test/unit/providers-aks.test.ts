import { knownPools } from "../../components/cluster";
import * as assert from "assert";
import { expectConstructionError } from "../support/config-errors";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS, IMAGES } from "../../components/catalog/versions";
import type { AksClusterArgs } from "../../providers/aks";
import { AKS_SPOT_TAINT, resolveAksAcceleratorPools, resolveAksClusterArgs } from "../../providers/aks-config";
import { ACCELERATORS } from "../../components/catalog/accelerators";
import { resolveNetwork } from "../../components/render/networking";
import { RecordedResource, SECRET, UNKNOWN, runWithMocks } from "../../stacks/mock-engine";
import { one } from "../support/recorded";

// Loaded once in before(): the azure-native module load is the slow part of this file.
let AksCluster: typeof import("../../providers/aks").AksCluster;

const RG = "azure-native:resources:ResourceGroup";
const CLUSTER = "azure-native:containerservice:ManagedCluster";
const AGENT_POOL = "azure-native:containerservice:AgentPool";
const K8S_PROVIDER = "pulumi:providers:kubernetes";
const CHART = "kubernetes:helm.sh/v4:Chart";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const COMPONENT = "llmd:index:AksCluster";
const CREDENTIALS = "azure-native:containerservice:listManagedClusterUserCredentials";
const CUSTOM_RESOURCE_NCP = "kubernetes:mellanox.com/v1alpha1:NicClusterPolicy";

const KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters:\n- name: llmd\n";

const base: AksClusterArgs = { location: "eastus2" };

/** Computed outputs of the cluster as Azure would return them after creation. */
function azureOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> | undefined {
    if (type === RG) {
        return { name: `${name}-abc123` };
    }
    if (type === CLUSTER) {
        return {
            name: inputs.resourceName ?? `${name}-abc123`,
            currentKubernetesVersion: "1.33.2",
            oidcIssuerProfile: { enabled: true, issuerURL: "https://eastus2.oic.prod-aks.azure.com/tenant/guid/" },
        };
    }
    return undefined;
}

const invokes: Array<{ token: string; inputs: Record<string, unknown> }> = [];

/** Answers the credentials invoke with a base64 kubeconfig, as the AKS API does. */
function azureInvoke(token: string, inputs: Record<string, unknown>): Record<string, unknown> | undefined {
    invokes.push({ token, inputs });
    if (token !== CREDENTIALS) {
        return undefined;
    }
    return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(KUBECONFIG).toString("base64") }] };
}

function byType(resources: RecordedResource[], type: string): RecordedResource[] {
    return resources.filter((r) => r.type === type);
}

/** Runs `new AksCluster` under mocks and resolves its outputs (outside preview). */
async function run(args: AksClusterArgs, preview = false) {
    invokes.length = 0;
    return runWithMocks(
        async () => {
            const c = new AksCluster("llmd", args);
            if (preview) {
                return { pools: knownPools(c)! };
            }
            const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
            const [kubeconfig, version, clusterName, resourceGroupName, oidc] = await Promise.all([
                value(c.kubeconfig),
                value(c.kubernetesVersion),
                value(c.clusterName),
                value(c.resourceGroupName),
                value(c.oidcIssuerUrl),
            ]);
            const pools = await value(c.pools);
            // Plain arguments: the list is also known at once, and is the same.
            assert.deepStrictEqual(knownPools(c), pools);
            return {
                pools,
                kubeconfig,
                version,
                clusterName,
                resourceGroupName,
                oidc,
                kubeconfigSecret: await pulumi.isSecret(c.kubeconfig),
            };
        },
        { stack: "test", preview, outputs: azureOutputs, invoke: azureInvoke },
    );
}

/** Expects construction to throw a config error on `field` and to register no cloud or Kubernetes resource. */
function expectConfigError(args: AksClusterArgs, field: string, messagePart?: RegExp): Promise<void> {
    return expectConstructionError(() => new AksCluster("llmd", args), field, messagePart, { outputs: azureOutputs, invoke: azureInvoke });
}

describe("AksCluster", function () {
    this.timeout(60000);

    before(async () => {
        AksCluster = (await import("../../providers/aks")).AksCluster;
    });

    describe("resolveAksAcceleratorPools (pure)", () => {
        it("picks the catalog VM size, taints, labels and driver mode per accelerator", () => {
            const pools = resolveAksAcceleratorPools(
                [
                    { name: "h100", accelerator: "nvidia-h100" },
                    { name: "a100one", accelerator: "nvidia-a100-80gb", acceleratorsPerNode: 1, minNodes: 0, maxNodes: 3 },
                    { name: "mi300x", accelerator: "amd-mi300x", spot: true },
                ],
                "managed",
            );
            const [h100, a100, mi300x] = pools;
            assert.strictEqual(h100.vmSize, "Standard_ND96isr_H100_v5");
            assert.deepStrictEqual(h100.nodeTaints, ["nvidia.com/gpu=present:NoSchedule"]);
            assert.deepStrictEqual(h100.nodeLabels, { "llm-d.ai/accelerator": "nvidia-h100", "nvidia.com/gpu.present": "true" });
            assert.strictEqual(h100.gpuDriver, "Install");
            assert.strictEqual(h100.count, 1);
            assert.strictEqual(h100.enableAutoScaling, false);
            assert.deepStrictEqual(h100.pool, {
                name: "h100",
                accelerator: "nvidia-h100",
                acceleratorsPerNode: 8,
                maxNodes: 1,
                nodeLabels: { "kubernetes.azure.com/agentpool": "h100", "llm-d.ai/accelerator": "nvidia-h100" },
                taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }],
                interconnect: "infiniband",
                machineType: "Standard_ND96isr_H100_v5",
            });

            assert.strictEqual(a100.vmSize, "Standard_NC24ads_A100_v4");
            assert.strictEqual(a100.pool.interconnect, "none");
            assert.deepStrictEqual([a100.enableAutoScaling, a100.minCount, a100.maxCount, a100.count], [true, 0, 3, 0]);
            assert.strictEqual(a100.pool.maxNodes, 3);

            assert.strictEqual(mi300x.vmSize, "Standard_ND96isr_MI300X_v5");
            assert.strictEqual(mi300x.gpuDriver, "None", "AKS requires no driver install on AMD pools");
            assert.deepStrictEqual(mi300x.nodeTaints, ["amd.com/gpu=present:NoSchedule"]);
            assert.deepStrictEqual(mi300x.nodeLabels, { "llm-d.ai/accelerator": "amd-mi300x" });
            assert.strictEqual(mi300x.pool.interconnect, "infiniband");
            // AKS taints spot nodes itself; the serving layer must still tolerate it.
            assert.deepStrictEqual(mi300x.pool.taints, [{ key: "amd.com/gpu", value: "present", effect: "NoSchedule" }, AKS_SPOT_TAINT]);
        });

        it("operator mode skips the AKS driver and the device-plugin label on NVIDIA pools", () => {
            const [h200] = resolveAksAcceleratorPools([{ name: "h200", accelerator: "nvidia-h200" }], "operator");
            assert.strictEqual(h200.vmSize, "Standard_ND96isr_H200_v5");
            assert.strictEqual(h200.gpuDriver, "None");
            assert.deepStrictEqual(h200.nodeLabels, { "llm-d.ai/accelerator": "nvidia-h200" });
        });

        it("defaults: Kubernetes 1.33, dnsPrefix from the name, a 2-node Standard_D4s_v5 system pool", () => {
            const spec = resolveAksClusterArgs("My_LLMD", {});
            assert.strictEqual(spec.kubernetesVersion, "1.33");
            assert.strictEqual(spec.dnsPrefix, "my-llmd");
            assert.deepStrictEqual(spec.systemPool, { name: "system", vmSize: "Standard_D4s_v5", count: 2, enableAutoScaling: false });
            assert.deepStrictEqual(spec.charts, []);
        });
    });

    describe("construction errors (nothing created)", () => {
        it("rejects a TPU", () => expectConfigError({ ...base, acceleratorPools: [{ name: "tpu", accelerator: "tpu-v6e" }] }, "acceleratorPools[0].accelerator", /aks offers no/));
        it("rejects an accelerator AKS does not sell (L4)", () =>
            expectConfigError({ ...base, acceleratorPools: [{ name: "l4", accelerator: "nvidia-l4" }] }, "acceleratorPools[0].accelerator", /nvidia-h100/));
        it("rejects a size AKS does not sell (H100 x4)", () =>
            expectConfigError(
                { ...base, acceleratorPools: [{ name: "h100", accelerator: "nvidia-h100", acceleratorsPerNode: 4 }] },
                "acceleratorPools[0].acceleratorsPerNode",
                /1, 2, 8/,
            ));
        it("rejects a VM size that does not carry the accelerator", () =>
            expectConfigError(
                { ...base, acceleratorPools: [{ name: "h100", accelerator: "nvidia-h100", machineType: "Standard_ND96isr_H200_v5" }] },
                "acceleratorPools[0].machineType",
            ));
        it("rejects Kubernetes below 1.29", () => expectConfigError({ ...base, kubernetesVersion: "1.28" }, "kubernetesVersion", /1\.29/));
        it("rejects a pool name over 12 characters", () =>
            expectConfigError({ ...base, acceleratorPools: [{ name: "h100pool12345", accelerator: "nvidia-h100" }] }, "acceleratorPools[0].name", /"h100pool12345"/));
        it("rejects an uppercase pool name", () =>
            expectConfigError({ ...base, acceleratorPools: [{ name: "H100", accelerator: "nvidia-h100" }] }, "acceleratorPools[0].name", /lowercase/));
        it("rejects a pool name with a dash", () =>
            expectConfigError({ ...base, acceleratorPools: [{ name: "h-100", accelerator: "nvidia-h100" }] }, "acceleratorPools[0].name"));
        it("rejects an invalid system pool name", () => expectConfigError({ ...base, systemPool: { name: "System" } }, "systemPool.name"));
        it("rejects duplicate pool names", () =>
            expectConfigError(
                {
                    ...base,
                    acceleratorPools: [
                        { name: "gpu", accelerator: "nvidia-h100" },
                        { name: "gpu", accelerator: "nvidia-h200" },
                    ],
                },
                "acceleratorPools[1].name",
                /"gpu"/,
            ));
        it("rejects an accelerator pool named like the system pool", () =>
            expectConfigError({ ...base, acceleratorPools: [{ name: "system", accelerator: "nvidia-h100" }] }, "acceleratorPools[0].name"));
        it("rejects AMD pools without a driver image repository", () =>
            expectConfigError({ ...base, acceleratorPools: [{ name: "mi300x", accelerator: "amd-mi300x" }] }, "amdDriverImageRepository"));
        it("rejects a tagged AMD driver image repository", () =>
            expectConfigError(
                { ...base, amdDriverImageRepository: "acr.azurecr.io/amdgpu:v1", acceleratorPools: [{ name: "mi300x", accelerator: "amd-mi300x" }] },
                "amdDriverImageRepository",
            ));
        it("rejects minNodes without maxNodes", () =>
            expectConfigError({ ...base, acceleratorPools: [{ name: "h100", accelerator: "nvidia-h100", minNodes: 1 }] }, "acceleratorPools[0].maxNodes"));
        it("rejects a system pool autoscaling down to zero", () =>
            expectConfigError({ ...base, systemPool: { minNodes: 0, maxNodes: 3 } }, "systemPool.minNodes"));
        it("rejects an unknown gpuDriver", () => expectConfigError({ ...base, gpuDriver: "auto" as never }, "gpuDriver"));
        it("rejects a bad dnsPrefix", () => expectConfigError({ ...base, dnsPrefix: "-bad" }, "dnsPrefix"));
    });

    describe("resources (preview: false)", () => {
        it("creates a resource group and the cluster with system pool, identity, overlay CNI, OIDC and workload identity", async () => {
            const { resources, result } = await run(base);
            const rg = one(resources, RG, "llmd-rg");
            assert.strictEqual(rg.inputs.location, "eastus2");
            const cluster = one(resources, CLUSTER, "llmd-cluster");
            assert.strictEqual(cluster.inputs.resourceGroupName, "llmd-rg-abc123");
            assert.ok(cluster.dependencies.includes(rg.urn));
            assert.strictEqual(cluster.inputs.kubernetesVersion, "1.33");
            assert.strictEqual(cluster.inputs.dnsPrefix, "llmd");
            assert.strictEqual(cluster.inputs.location, "eastus2");
            assert.deepStrictEqual(cluster.inputs.identity, { type: "SystemAssigned" });
            assert.deepStrictEqual(cluster.inputs.agentPoolProfiles, [
                {
                    name: "system",
                    mode: "System",
                    osType: "Linux",
                    type: "VirtualMachineScaleSets",
                    vmSize: "Standard_D4s_v5",
                    count: 2,
                    enableAutoScaling: false,
                },
            ]);
            // The SDK fills in its documented defaults (service CIDR, DNS IP, outbound type) around ours.
            const network = cluster.inputs.networkProfile as Record<string, unknown>;
            assert.strictEqual(network.networkPlugin, "azure");
            assert.strictEqual(network.networkPluginMode, "overlay");
            // Azure CNI powered by Cilium: NetworkPolicies are enforced.
            assert.strictEqual(network.networkDataplane, "cilium");
            assert.strictEqual(network.networkPolicy, "cilium");
            assert.deepStrictEqual(cluster.inputs.oidcIssuerProfile, { enabled: true });
            assert.deepStrictEqual(cluster.inputs.securityProfile, { workloadIdentity: { enabled: true } });
            assert.strictEqual(cluster.parent?.endsWith(`${COMPONENT}::llmd`), true);
            assert.strictEqual(byType(resources, AGENT_POOL).length, 0);
            assert.strictEqual(byType(resources, CHART).length, 0, "no GPU pools, no GPU charts");

            assert.strictEqual(result.version, "1.33.2", "the version Azure reports wins");
            assert.strictEqual(result.clusterName, "llmd-cluster-abc123");
            assert.strictEqual(result.resourceGroupName, "llmd-rg-abc123");
            assert.strictEqual(result.oidc, "https://eastus2.oic.prod-aks.azure.com/tenant/guid/");
            assert.deepStrictEqual(result.pools, []);
        });

        it("fetches the user kubeconfig through the credentials invoke, decodes it and keeps it secret", async () => {
            const { resources, result } = await run(base);
            const credentialCalls = invokes.filter((i) => i.token === CREDENTIALS);
            assert.strictEqual(credentialCalls.length, 1);
            assert.strictEqual(credentialCalls[0].inputs.resourceGroupName, "llmd-rg-abc123");
            assert.strictEqual(credentialCalls[0].inputs.resourceName, "llmd-cluster-abc123");
            assert.strictEqual(result.kubeconfig, KUBECONFIG);
            assert.strictEqual(result.kubeconfigSecret, true);

            const provider = one(resources, K8S_PROVIDER, "llmd-k8s");
            assert.strictEqual(provider.inputs.kubeconfig, SECRET);
            assert.ok(provider.secretPaths.includes("kubeconfig"));
            assert.strictEqual(provider.inputs.clusterIdentifier, "llmd-cluster-id");
            assert.strictEqual(provider.parent?.endsWith(`${COMPONENT}::llmd`), true);
        });

        it("uses an existing resource group and explicit names without creating a group", async () => {
            const { resources, result } = await run({
                ...base,
                resourceGroupName: "rg-llmd",
                clusterName: "llmd-prod",
                dnsPrefix: "llmdprod",
                kubernetesVersion: "1.32",
                tags: { team: "ml" },
                systemPool: { vmSize: "Standard_D8s_v5", minNodes: 1, maxNodes: 5, availabilityZones: ["1", "2", "3"] },
            });
            assert.strictEqual(byType(resources, RG).length, 0);
            const cluster = one(resources, CLUSTER);
            assert.strictEqual(cluster.inputs.resourceGroupName, "rg-llmd");
            assert.strictEqual(cluster.inputs.resourceName, "llmd-prod");
            assert.strictEqual(cluster.inputs.dnsPrefix, "llmdprod");
            assert.strictEqual(cluster.inputs.kubernetesVersion, "1.32");
            assert.deepStrictEqual(cluster.inputs.tags, { team: "ml" });
            assert.deepStrictEqual(cluster.inputs.agentPoolProfiles, [
                {
                    name: "system",
                    mode: "System",
                    osType: "Linux",
                    type: "VirtualMachineScaleSets",
                    vmSize: "Standard_D8s_v5",
                    count: 1,
                    enableAutoScaling: true,
                    minCount: 1,
                    maxCount: 5,
                    availabilityZones: ["1", "2", "3"],
                },
            ]);
            assert.strictEqual(result.clusterName, "llmd-prod");
            assert.strictEqual(invokes[0].inputs.resourceGroupName, "rg-llmd");
        });

        it("creates one User AgentPool per accelerator pool, serialised, with taints, labels, spot and driver install", async () => {
            const { resources, result } = await run({
                ...base,
                acceleratorPools: [
                    { name: "h100", accelerator: "nvidia-h100", minNodes: 0, maxNodes: 2, osDiskSizeGB: 512 },
                    { name: "a100spot", accelerator: "nvidia-a100-80gb", acceleratorsPerNode: 4, nodeCount: 2, spot: true, availabilityZones: ["1"] },
                ],
            });
            const cluster = one(resources, CLUSTER);
            const h100 = one(resources, AGENT_POOL, "llmd-h100");
            assert.deepStrictEqual(
                {
                    agentPoolName: h100.inputs.agentPoolName,
                    resourceName: h100.inputs.resourceName,
                    resourceGroupName: h100.inputs.resourceGroupName,
                    mode: h100.inputs.mode,
                    vmSize: h100.inputs.vmSize,
                    count: h100.inputs.count,
                    enableAutoScaling: h100.inputs.enableAutoScaling,
                    minCount: h100.inputs.minCount,
                    maxCount: h100.inputs.maxCount,
                    osDiskSizeGB: h100.inputs.osDiskSizeGB,
                    nodeTaints: h100.inputs.nodeTaints,
                    nodeLabels: h100.inputs.nodeLabels,
                    gpuProfile: h100.inputs.gpuProfile,
                    scaleSetPriority: h100.inputs.scaleSetPriority,
                },
                {
                    agentPoolName: "h100",
                    resourceName: "llmd-cluster-abc123",
                    resourceGroupName: "llmd-rg-abc123",
                    mode: "User",
                    vmSize: "Standard_ND96isr_H100_v5",
                    count: 0,
                    enableAutoScaling: true,
                    minCount: 0,
                    maxCount: 2,
                    osDiskSizeGB: 512,
                    nodeTaints: ["nvidia.com/gpu=present:NoSchedule"],
                    nodeLabels: { "llm-d.ai/accelerator": "nvidia-h100", "nvidia.com/gpu.present": "true" },
                    gpuProfile: { driver: "Install" },
                    scaleSetPriority: undefined,
                },
            );
            assert.ok(h100.dependencies.includes(cluster.urn), "pool depends on the cluster");

            const spot = one(resources, AGENT_POOL, "llmd-a100spot");
            assert.strictEqual(spot.inputs.vmSize, "Standard_NC96ads_A100_v4");
            assert.strictEqual(spot.inputs.count, 2);
            assert.strictEqual(spot.inputs.enableAutoScaling, false);
            assert.strictEqual(spot.inputs.minCount, undefined);
            assert.strictEqual(spot.inputs.scaleSetPriority, "Spot");
            assert.strictEqual(spot.inputs.scaleSetEvictionPolicy, "Delete");
            assert.strictEqual(spot.inputs.spotMaxPrice, -1);
            assert.deepStrictEqual(spot.inputs.availabilityZones, ["1"]);
            assert.ok(spot.dependencies.includes(h100.urn), "AKS runs one pool operation at a time, so pools are chained");

            assert.deepStrictEqual(
                result.pools.map((p) => [p.name, p.machineType, p.acceleratorsPerNode, p.maxNodes, p.interconnect, p.taints.length]),
                [
                    ["h100", "Standard_ND96isr_H100_v5", 8, 2, "infiniband", 1],
                    ["a100spot", "Standard_NC96ads_A100_v4", 4, 2, "none", 2],
                ],
            );

            // Managed driver: AKS installs it, llmd adds the device plugin (which AKS does not), tolerating spot.
            const chart = one(resources, CHART, "llmd-nvidia-device-plugin");
            assert.strictEqual(chart.inputs.chart, CHARTS.nvidiaDevicePlugin.chart);
            assert.strictEqual(chart.inputs.version, CHARTS.nvidiaDevicePlugin.version);
            assert.deepStrictEqual(chart.inputs.repositoryOpts, { repo: CHARTS.nvidiaDevicePlugin.repo });
            assert.strictEqual(chart.inputs.namespace, "kube-system");
            const tolerations = (chart.inputs.values as { tolerations: Array<{ key: string }> }).tolerations.map((t) => t.key);
            assert.deepStrictEqual(tolerations, ["CriticalAddonsOnly", "nvidia.com/gpu", "kubernetes.azure.com/scalesetpriority"]);
            const provider = one(resources, K8S_PROVIDER);
            assert.strictEqual(chart.provider?.startsWith(provider.urn), true, "charts go through the cluster's provider");
            // kube-system is not created; the only namespace is the Network Operator's (the H100 pool is InfiniBand).
            assert.deepStrictEqual(byType(resources, NAMESPACE).map((n) => n.name), ["llmd-network-operator-namespace"]);
        });

        it("operator mode: driver None on NVIDIA pools and the GPU operator chart in its namespace", async () => {
            const { resources } = await run({
                ...base,
                gpuDriver: "operator",
                acceleratorPools: [{ name: "h200", accelerator: "nvidia-h200" }],
            });
            const pool = one(resources, AGENT_POOL, "llmd-h200");
            assert.strictEqual(pool.inputs.vmSize, "Standard_ND96isr_H200_v5");
            assert.deepStrictEqual(pool.inputs.gpuProfile, { driver: "None" });
            assert.strictEqual(byType(resources, CHART).filter((c) => c.name === "llmd-nvidia-device-plugin").length, 0);
            const chart = one(resources, CHART, "llmd-gpu-operator");
            assert.strictEqual(chart.inputs.chart, "gpu-operator");
            assert.strictEqual(chart.inputs.version, CHARTS.gpuOperator.version);
            assert.deepStrictEqual(chart.inputs.repositoryOpts, { repo: "https://helm.ngc.nvidia.com/nvidia" });
            assert.strictEqual(chart.inputs.namespace, "gpu-operator");
            const ns = one(resources, NAMESPACE, "llmd-gpu-operator-namespace");
            assert.deepStrictEqual(ns.inputs.metadata, { name: "gpu-operator" });
            assert.ok(chart.dependencies.includes(ns.urn));
        });

        it("AMD MI300X pools: driver None, AMD taint, cert-manager then the AMD GPU operator building the driver", async () => {
            const { resources, result } = await run({
                ...base,
                amdDriverImageRepository: "llmd.azurecr.io/amdgpu-driver",
                amdDriverImageRegistrySecretName: "acr-push",
                acceleratorPools: [{ name: "mi300x", accelerator: "amd-mi300x", nodeCount: 2 }],
            });
            const pool = one(resources, AGENT_POOL, "llmd-mi300x");
            assert.strictEqual(pool.inputs.vmSize, "Standard_ND96isr_MI300X_v5");
            assert.deepStrictEqual(pool.inputs.gpuProfile, { driver: "None" });
            assert.deepStrictEqual(pool.inputs.nodeTaints, ["amd.com/gpu=present:NoSchedule"]);
            assert.deepStrictEqual(pool.inputs.nodeLabels, { "llm-d.ai/accelerator": "amd-mi300x" });
            assert.strictEqual(result.pools[0].interconnect, "infiniband");
            assert.strictEqual(result.pools[0].maxNodes, 2);

            const certManager = one(resources, CHART, "llmd-cert-manager");
            assert.strictEqual(certManager.inputs.version, CHARTS.certManager.version);
            const amd = one(resources, CHART, "llmd-amd-gpu-operator");
            assert.strictEqual(amd.inputs.chart, "gpu-operator-charts");
            assert.deepStrictEqual(amd.inputs.repositoryOpts, { repo: "https://rocm.github.io/gpu-operator" });
            assert.strictEqual(amd.inputs.version, CHARTS.amdGpuOperator.version);
            assert.strictEqual(amd.inputs.namespace, "kube-amd-gpu");
            assert.ok(amd.dependencies.includes(certManager.urn), "the operator's certificates need cert-manager first");
            const driver = (amd.inputs.values as any).deviceConfig.spec.driver;
            assert.strictEqual(driver.enable, true);
            assert.strictEqual(driver.image, "llmd.azurecr.io/amdgpu-driver");
            assert.deepStrictEqual(driver.imageRegistrySecret, { name: "acr-push" });
            const pluginTolerations = (amd.inputs.values as any).deviceConfig.spec.devicePlugin.devicePluginTolerations.map((t: { key: string }) => t.key);
            assert.deepStrictEqual(pluginTolerations, ["amd.com/gpu", "kubernetes.azure.com/scalesetpriority"]);
            assert.strictEqual(byType(resources, CHART).filter((c) => /nvidia|gpu-operator$/.test(c.name) && c.name !== "llmd-amd-gpu-operator").length, 0);
        });
    });

    describe("preview (outputs unknown)", () => {
        it("registers everything without hanging or calling the credentials API", async () => {
            const { resources, result } = await run(
                {
                    ...base,
                    amdDriverImageRepository: "llmd.azurecr.io/amdgpu-driver",
                    acceleratorPools: [
                        { name: "h100", accelerator: "nvidia-h100" },
                        { name: "mi300x", accelerator: "amd-mi300x" },
                    ],
                },
                true,
            );
            assert.strictEqual(invokes.filter((i) => i.token === CREDENTIALS).length, 0, "unknown inputs: the invoke must not be sent");
            const provider = one(resources, K8S_PROVIDER);
            // An unknown value is sent as unknown, secret or not; the known value is checked secret above.
            assert.strictEqual(provider.inputs.kubeconfig, UNKNOWN);
            assert.strictEqual(provider.inputs.clusterIdentifier, UNKNOWN);
            assert.strictEqual(byType(resources, AGENT_POOL).length, 2);
            assert.deepStrictEqual(
                byType(resources, CHART).map((c) => c.name).sort(),
                ["llmd-amd-gpu-operator", "llmd-cert-manager", "llmd-network-operator", "llmd-nvidia-device-plugin"],
            );
            assert.strictEqual(one(resources, CUSTOM_RESOURCE_NCP, "llmd-nic-cluster-policy").inputs.kind, "NicClusterPolicy");
            assert.deepStrictEqual(result.pools.map((p) => p.name), ["h100", "mi300x"]);
        });
    });

    describe("InfiniBand (NVIDIA Network Operator)", () => {
        // The NicClusterPolicy CRD's image fields (mellanox.com_nicclusterpolicies.yaml): all three required, these patterns.
        function assertImageSpec(spec: Record<string, unknown>, pin: { repository: string; tag: string }) {
            assert.match(String(spec.image), /^[a-zA-Z0-9-]+$/);
            assert.match(String(spec.repository), /^[a-zA-Z0-9./-]+$/);
            assert.match(String(spec.version), /^[a-zA-Z0-9.-]+$/);
            assert.strictEqual(`${spec.repository}/${spec.image}:${spec.version}`, `${pin.repository}:${pin.tag}`);
        }

        it("installs the pinned chart and a NicClusterPolicy advertising rdma/ib on the InfiniBand pools only", async () => {
            const { resources, result } = await run({
                ...base,
                acceleratorPools: [
                    { name: "h100", accelerator: "nvidia-h100", spot: true, nodeCount: 2 },
                    { name: "a100", accelerator: "nvidia-a100-80gb", acceleratorsPerNode: 4 },
                ],
            });
            const component = one(resources, COMPONENT);
            const provider = one(resources, K8S_PROVIDER);
            const chart = one(resources, CHART, "llmd-network-operator");
            assert.strictEqual(chart.inputs.chart, "network-operator");
            assert.strictEqual(chart.inputs.version, CHARTS.networkOperator.version);
            assert.doesNotMatch(String(chart.inputs.version), /^v/, "NGC network-operator chart versions have no leading v");
            assert.deepStrictEqual(chart.inputs.repositoryOpts, { repo: "https://helm.ngc.nvidia.com/nvidia" });
            assert.strictEqual(chart.inputs.namespace, "network-operator");
            assert.ok(chart.provider?.startsWith(provider.urn));
            const values = chart.inputs.values as Record<string, any>;
            assert.deepStrictEqual(values.nfd, { enabled: true, deployNodeFeatureRules: true });
            assert.deepStrictEqual(
                values["node-feature-discovery"].worker.tolerations,
                [
                    { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
                    { key: "kubernetes.azure.com/scalesetpriority", operator: "Equal", value: "spot", effect: "NoSchedule" },
                ],
            );
            const ns = one(resources, NAMESPACE, "llmd-network-operator-namespace");
            assert.deepStrictEqual(ns.inputs.metadata, { name: "network-operator", labels: { "pod-security.kubernetes.io/enforce": "privileged" } });
            assert.ok(chart.dependencies.includes(ns.urn));

            const ncp = one(resources, CUSTOM_RESOURCE_NCP, "llmd-nic-cluster-policy");
            assert.strictEqual(ncp.parent, component.urn);
            assert.ok(ncp.provider?.startsWith(provider.urn), "the policy goes through the cluster's provider");
            assert.ok(ncp.dependencies.includes(chart.urn), "the chart brings the CRD and operator first");
            assert.strictEqual(ncp.inputs.apiVersion, "mellanox.com/v1alpha1");
            assert.strictEqual((ncp.inputs.metadata as any).name, "nic-cluster-policy");
            const spec = ncp.inputs.spec as Record<string, any>;
            assert.deepStrictEqual(spec.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, [
                { matchExpressions: [{ key: "kubernetes.azure.com/agentpool", operator: "In", values: ["h100"] }] },
            ]);
            assert.deepStrictEqual(spec.tolerations.map((t: any) => t.key), ["nvidia.com/gpu", "kubernetes.azure.com/scalesetpriority"]);
            assertImageSpec(spec.ofedDriver, IMAGES.docaDriver);
            assertImageSpec(spec.rdmaSharedDevicePlugin, IMAGES.rdmaSharedDevicePlugin);
            const config = JSON.parse(spec.rdmaSharedDevicePlugin.config);
            assert.strictEqual(config.configList.length, 1);
            const entry = config.configList[0];
            assert.strictEqual(`${entry.resourcePrefix}/${entry.resourceName}`, "rdma/ib");
            assert.deepStrictEqual(entry.selectors, { vendors: ["15b3"], linkTypes: ["infiniband"] });
            assert.deepStrictEqual(
                Object.keys(spec).sort(),
                ["nodeAffinity", "ofedDriver", "rdmaSharedDevicePlugin", "tolerations"],
                "only fields the NicClusterPolicy CRD has",
            );

            assert.deepStrictEqual(result.pools.map((p) => [p.name, p.interconnect]), [["h100", "infiniband"], ["a100", "none"]]);
            // The serving layer requests exactly the resource the policy advertises.
            const net = resolveNetwork("network", { rdmaDevices: ["mlx5_ib0:1"] }, {
                pool: result.pools[0],
                accelerator: ACCELERATORS["nvidia-h100"],
                simulator: false,
                kvTransfer: true,
                nodesPerReplica: 1,
                expertParallel: false,
                acceleratorsPerPod: 8,
            });
            assert.deepStrictEqual(Object.keys(net.resources), ["rdma/ib"]);
            // Managed drivers: the device plugin chart is unchanged and no GPU Operator exists to load peermem.
            assert.strictEqual(byType(resources, CHART).filter((c) => c.name === "llmd-gpu-operator").length, 0);
        });

        it("no InfiniBand pool: no Network Operator, no policy", async () => {
            const { resources } = await run({ ...base, acceleratorPools: [{ name: "a100", accelerator: "nvidia-a100-80gb", acceleratorsPerNode: 1 }] });
            assert.strictEqual(byType(resources, CUSTOM_RESOURCE_NCP).length, 0);
            assert.deepStrictEqual(byType(resources, CHART).map((c) => c.name), ["llmd-nvidia-device-plugin"]);
            assert.strictEqual(resolveAksClusterArgs("llmd", { acceleratorPools: [{ name: "a", accelerator: "nvidia-a100-80gb", acceleratorsPerNode: 1 }] }).infiniband.install, false);
        });

        it("opt-out: infiniband.install false installs nothing, the pool still reports infiniband", async () => {
            const { resources, result } = await run({ ...base, infiniband: { install: false }, acceleratorPools: [{ name: "h200", accelerator: "nvidia-h200" }] });
            assert.strictEqual(byType(resources, CUSTOM_RESOURCE_NCP).length, 0);
            assert.strictEqual(byType(resources, CHART).filter((c) => c.name === "llmd-network-operator").length, 0);
            assert.strictEqual(byType(resources, NAMESPACE).length, 0);
            assert.strictEqual(result.pools[0].interconnect, "infiniband");
        });

        it("GPU Operator mode: its driver loads nvidia-peermem, and its NFD labels the nodes (the Network Operator's is off)", async () => {
            const { resources } = await run({ ...base, gpuDriver: "operator", acceleratorPools: [{ name: "h200", accelerator: "nvidia-h200" }] });
            const gpu = one(resources, CHART, "llmd-gpu-operator");
            assert.deepStrictEqual((gpu.inputs.values as any).driver, { rdma: { enabled: true } });
            const netop = one(resources, CHART, "llmd-network-operator");
            assert.deepStrictEqual(netop.inputs.values, { nfd: { enabled: false, deployNodeFeatureRules: true } });
            one(resources, CUSTOM_RESOURCE_NCP, "llmd-nic-cluster-policy");

            const noIb = resolveAksClusterArgs("llmd", { gpuDriver: "operator", acceleratorPools: [{ name: "a", accelerator: "nvidia-a100-80gb", acceleratorsPerNode: 1 }] });
            assert.strictEqual((noIb.charts[0].values as any).driver, undefined, "peermem only for InfiniBand pools");
            const optOut = resolveAksClusterArgs("llmd", { gpuDriver: "operator", infiniband: { install: false }, acceleratorPools: [{ name: "h", accelerator: "nvidia-h200" }] });
            assert.strictEqual((optOut.charts[0].values as any).driver, undefined);
        });

        it("AMD MI300X InfiniBand pools: the policy tolerates the AMD taint; the AMD operator's NFD is reused", () => {
            const spec = resolveAksClusterArgs("llmd", {
                amdDriverImageRepository: "llmd.azurecr.io/amdgpu-driver",
                acceleratorPools: [{ name: "mi300x", accelerator: "amd-mi300x" }],
            });
            assert.ok(spec.nicClusterPolicy);
            assert.deepStrictEqual((spec.nicClusterPolicy!.spec as any).tolerations, [{ key: "amd.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
            assert.deepStrictEqual(spec.charts.find((c) => c.role === "network-operator")!.values, { nfd: { enabled: false, deployNodeFeatureRules: true } });
        });

        it("errors name the field and create nothing", async () => {
            await expectConfigError({ ...base, infiniband: { install: true }, acceleratorPools: [{ name: "a100", accelerator: "nvidia-a100-80gb", acceleratorsPerNode: 1 }] }, "infiniband.install", /InfiniBand VM size/);
            await expectConfigError({ ...base, infiniband: { install: true } }, "infiniband.install");
            await expectConfigError({ ...base, infiniband: { install: "yes" as unknown as boolean }, acceleratorPools: [{ name: "h100", accelerator: "nvidia-h100" }] }, "infiniband.install", /true or false/);
            await expectConfigError({ ...base, infiniband: true as unknown as { install?: boolean } }, "infiniband", /object/);
        });
    });
});
