import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { InferenceGateway } from "../../components/gateway";
import { TopologyAwareScheduling } from "../../components/kueue";
import { LeaderWorkerSetController } from "../../components/lws";
import { ModelServer } from "../../components/model-server";
import { InferenceRouter } from "../../components/router";
import { RouterHost } from "../../components/router-host";
import { ExistingCluster } from "../../providers/existing";
import { MockRunOptions, RecordedResource, SECRET, runWithMocks } from "../../stacks/mock-engine";
import { gkeH100 } from "./kueue-fixtures";

// The building-block components get their inputs the way the component provider host hands them over from
// Python, Go or YAML (every top-level input an Output), or with one input from another resource's output.
// They must build exactly what plain values build, throw at construction for bad plain values, fail their
// outputs for bad wrapped ones, and in preview with a value no one knows yet register no children and not hang.

type Args = Record<string, unknown>;

interface Case {
    type: string;
    create: (name: string, args: Args) => pulumi.ComponentResource;
    args: Args;
    /** An output of the component that resolves once it is built. */
    output: string;
    /** Args with a bad value, and the field the error must name. */
    bad: [Args, RegExp];
    /** Args with one input only a deployment would know (`unknown` is such a value). */
    unknown: (unknown: pulumi.Output<string>) => Args;
    /** Whether the component takes a `kubernetesProvider` (cluster components make their own). */
    takesProvider: boolean;
    /**
     * False where a bad wrapped value fails the cluster's Kubernetes provider registration (its id comes from the
     * cloud resource that is never created), which the mock engine waits on forever: not testable here.
     */
    badWrappedTestable?: false;
    /** Computed outputs and invoke answers the cloud would give. */
    mocks?: Pick<MockRunOptions, "outputs" | "invoke">;
}

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n";

const CASES: Case[] = [
    {
        type: "llmd:index:InferenceGateway",
        create: (name, args) => new InferenceGateway(name, args as never),
        args: { implementation: "istio", namespace: "llm-d", createNamespace: true, routeNamespaceLabels: { team: "a" } },
        output: "gatewayName",
        bad: [{ implementation: "nginx", namespace: "llm-d" }, /\bimplementation: got "nginx"/],
        unknown: (u) => ({ implementation: "istio", namespace: u }),
        takesProvider: true,
    },
    {
        type: "llmd:index:InferenceRouter",
        create: (name, args) => new InferenceRouter(name, args as never),
        args: { namespace: "llm-d", modelServerSelector: { "llm-d.ai/model": "qwen" }, gateway: { name: "gw", namespace: "llm-d" }, gatewayImplementation: "istio", replicas: 2 },
        output: "poolName",
        bad: [{ namespace: "llm-d", modelServerSelector: { "llm-d.ai/model": "qwen" }, replicas: -1 }, /\breplicas: got -1/],
        unknown: (u) => ({ namespace: "llm-d", modelServerSelector: { "llm-d.ai/model": "qwen" }, gateway: u.apply((name) => ({ name, namespace: "llm-d" })), gatewayImplementation: "istio" }),
        takesProvider: true,
    },
    {
        type: "llmd:index:ModelServer",
        create: (name, args) => new ModelServer(name, args as never),
        // Role `decode` must not fall back to the default when it arrives as an Output.
        args: { namespace: "llm-d", model: "Qwen/Qwen3-0.6B", accelerator: "nvidia-l4", poolLabels: { "llm-d.ai/guide": "demo" }, role: "decode", replicas: 2, hfToken: pulumi.secret("hf_abc") },
        output: "role",
        bad: [{ namespace: "llm-d", model: "Qwen/Qwen3-0.6B", role: "primary" }, /\brole: got "primary"/],
        unknown: (u) => ({ namespace: "llm-d", model: u, accelerator: "nvidia-l4" }),
        takesProvider: true,
    },
    {
        type: "llmd:index:LeaderWorkerSetController",
        create: (name, args) => new LeaderWorkerSetController(name, args as never),
        args: { namespace: "lws", values: { enablePrometheus: true } },
        output: "namespace",
        bad: [{ createNamespace: "yes" }, /\bcreateNamespace: got "yes"/],
        unknown: (u) => ({ namespace: u }),
        takesProvider: true,
    },
    {
        type: "llmd:index:TopologyAwareScheduling",
        create: (name, args) => new TopologyAwareScheduling(name, args as never),
        // `pools` as a cluster's output: it once failed with `pools.some is not a function`.
        args: { clusterProvider: "gke", pools: [gkeH100], namespace: "llm-d", localQueueName: "models" },
        output: "localQueueName",
        bad: [{ clusterProvider: "gke", pools: [], namespace: "llm-d" }, /\bpools: got \[\]/],
        unknown: (u) => ({ clusterProvider: "gke", pools: u.apply(() => [gkeH100]), namespace: "llm-d" }),
        takesProvider: true,
    },
    {
        type: "llmd:index:RouterHost",
        create: (name, args) => new RouterHost(name, args as never),
        args: { connection: { host: "192.0.2.10", user: "llmd", privateKey: pulumi.secret(KEY) }, gatewayPort: 8081 },
        output: "endpointUrl",
        bad: [{ connection: { host: "192.0.2.10", privateKey: KEY }, gatewayPort: 0 }, /\bgatewayPort: got 0/],
        unknown: (u) => ({ connection: { host: u, privateKey: pulumi.secret(KEY) } }),
        takesProvider: false,
    },
    {
        type: "llmd:index:ExistingCluster",
        create: (name, args) => new ExistingCluster(name, args as never),
        args: {
            kind: "minikube",
            context: "minikube",
            kubernetesVersion: "1.32",
            pools: [{ name: "gpu", accelerator: "nvidia-l4", acceleratorsPerNode: 1, nodes: 1 }],
            kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n"),
        },
        output: "pools",
        bad: [{ kind: "eks" }, /\bkind: got "eks"/],
        unknown: (u) => ({ kind: "generic", clusterName: u, pools: u.apply(() => [{ name: "gpu", accelerator: "nvidia-l4", acceleratorsPerNode: 1, nodes: 1 }]) }),
        takesProvider: false,
    },
    {
        type: "llmd:index:DoksCluster",
        // Loaded only here: the DigitalOcean SDK is slow to load.
        create: (name, args) => new (require("../../providers/digitalocean") as typeof import("../../providers/digitalocean")).DoksCluster(name, args as never),
        // `acceleratorPools` as an Output once failed with `pools.some is not a function`.
        args: { region: "nyc2", version: "1.33.1-do.0", acceleratorPools: [{ name: "h100", accelerator: "nvidia-h100" }, { name: "mi", accelerator: "amd-mi300x" }], tags: ["llmd"] },
        output: "pools",
        bad: [{ region: "nyc2", version: "1.33" }, /\bversion: got "1\.33"/],
        unknown: (u) => ({ region: "nyc2", version: "1.33.1-do.0", acceleratorPools: u.apply(() => [{ name: "h100", accelerator: "nvidia-h100" }]) }),
        takesProvider: false,
        badWrappedTestable: false,
    },
    {
        type: "llmd:index:AksCluster",
        // Loaded only here: the Azure SDK is slow to load.
        create: (name, args) => new (require("../../providers/aks") as typeof import("../../providers/aks")).AksCluster(name, args as never),
        // InfiniBand H100s bring the network operator's charts, which go through the cluster's own provider.
        args: { location: "eastus2", acceleratorPools: [{ name: "h100", accelerator: "nvidia-h100", acceleratorsPerNode: 8, minNodes: 1, maxNodes: 2 }], tags: { team: "ml" } },
        output: "pools",
        bad: [{ location: "eastus2", acceleratorPools: [{ name: "k80", accelerator: "nvidia-k80" }] }, /\bacceleratorPools\[0\]\.accelerator: got "nvidia-k80"/],
        unknown: (u) => ({ location: "eastus2", acceleratorPools: u.apply(() => [{ name: "h100", accelerator: "nvidia-h100", acceleratorsPerNode: 8, maxNodes: 2 }]) }),
        takesProvider: false,
        badWrappedTestable: false,
        mocks: {
            outputs: (type, name) => (type === "azure-native:containerservice:ManagedCluster" ? { name: `${name}-abc123` } : undefined),
            invoke: (token) =>
                token === "azure-native:containerservice:listManagedClusterUserCredentials"
                    ? { kubeconfigs: [{ name: "clusterUser", value: Buffer.from("apiVersion: v1\nkind: Config\n").toString("base64") }] }
                    : undefined,
        },
    },
    {
        type: "llmd:index:GkeCluster",
        // Loaded only here: the Google Cloud SDK is slow to load.
        create: (name, args) => new (require("../../providers/gke") as typeof import("../../providers/gke")).GkeCluster(name, args as never),
        // H200s get RoCE: multi-networking objects that go through the cluster's own provider.
        args: { project: "proj", location: "us-central1", deletionProtection: false, acceleratorPools: [{ name: "h200", accelerator: "nvidia-h200", maxNodes: 2, nodeLocations: ["us-central1-b"] }] },
        output: "pools",
        bad: [{ project: "proj", location: "mars" }, /\blocation: got "mars"/],
        unknown: (u) => ({ project: u, location: "us-central1" }),
        takesProvider: false,
        badWrappedTestable: false,
        mocks: {
            outputs: (type, name) =>
                type === "gcp:container/cluster:Cluster" ? { name: `${name}-1a2b3c4`, endpoint: "34.1.2.3", masterAuth: { clusterCaCertificate: "Q0E=" }, masterVersion: "1.33.4-gke.1000" } : undefined,
        },
    },
];

/** Every top-level input as an Output, as the component provider host passes them. */
function wrapped(args: Args): Args {
    return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, pulumi.output(v)]));
}

const names = (resources: RecordedResource[], urns: string[]) => urns.map((u) => resources.find((r) => r.urn === u)?.name ?? u).sort();
const key = (resources: RecordedResource[]) => (r: RecordedResource) =>
    `${r.type}::${r.name}::${r.parent}::${names(resources, r.dependencies).join(",")}::${r.provider}::${JSON.stringify(r.inputs)}::${r.secretPaths.join(",")}`;

function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

async function build(c: Case, args: Args, preview: boolean) {
    let component!: pulumi.ComponentResource;
    const { resources, result } = await runWithMocks(
        async () => {
            // A provider like a cluster component's: a resource reference, which stays as given.
            const kubernetesProvider = c.takesProvider ? new k8s.Provider("k8s", { kubeconfig: "fake" }) : undefined;
            component = c.create("x", { ...args, ...(kubernetesProvider ? { kubernetesProvider } : {}) });
            return preview ? undefined : await promiseOf((component as unknown as Record<string, pulumi.Output<unknown>>)[c.output]);
        },
        { stack: "test", preview, ...c.mocks },
    );
    return { resources, result, component };
}

describe("building-block components with inputs arriving as Outputs", () => {
    for (const c of CASES) {
        describe(c.type.split(":")[2], () => {
            for (const preview of [false, true]) {
                it(`builds the same children, inputs and edges as from plain values (${preview ? "preview" : "update"})`, async () => {
                    const plain = await build(c, c.args, preview);
                    const fromOutputs = await build(c, wrapped(c.args), preview);
                    const children = plain.resources.filter((r) => r.parent?.endsWith(`${c.type}::x`));
                    assert.ok(children.length > 0, "the plain build has children");
                    assert.deepStrictEqual(fromOutputs.resources.map(key(fromOutputs.resources)).sort(), plain.resources.map(key(plain.resources)).sort());
                    if (!preview) {
                        assert.deepStrictEqual(fromOutputs.result, plain.result);
                    }
                });
            }

            it("throws at construction for a bad plain value, naming the field", async () => {
                await runWithMocks(
                    () => {
                        assert.throws(() => c.create("x", c.bad[0]), c.bad[1]);
                    },
                    { stack: "test", preview: false },
                );
            });

            if (c.badWrappedTestable !== false)
            it("fails its outputs for a bad wrapped value, naming the field, and creates nothing", async () => {
                const { resources, component } = await build(c, { ...wrapped(c.bad[0]) }, true);
                const output = (component as unknown as Record<string, pulumi.Output<unknown>>)[c.output];
                await assert.rejects(promiseOf(output), c.bad[1]);
                assert.deepStrictEqual(resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).map((r) => r.name), []);
            });

            it("in preview, with an input no one knows yet, registers no children but its provider and does not wait", async () => {
                let component!: pulumi.ComponentResource;
                const { resources } = await runWithMocks(
                    () => {
                        // In preview the mock returns no `immutable`, so this value stays unknown, as a cloud id would.
                        const unknown = new k8s.core.v1.ConfigMap("source", { metadata: { name: "source" } }).immutable.apply(() => "llm-d");
                        component = c.create("x", c.unknown(unknown));
                    },
                    { stack: "test", preview: true, ...c.mocks },
                );
                assert.ok(resources.some((r) => r.type === c.type));
                // A cluster's Kubernetes provider exists at once (a resource reference other components take), its inputs unknown.
                const children = resources.filter((r) => r.parent?.endsWith(`${c.type}::x`) && !r.type.startsWith("pulumi:providers:"));
                assert.deepStrictEqual(children.map((r) => r.name), []);
                const output = (component as unknown as Record<string, pulumi.Output<unknown>>)[c.output];
                assert.strictEqual(await (output as unknown as { isKnown: Promise<boolean> }).isKnown, false);
            });
        });
    }

    it("ModelServer keeps the Hugging Face token secret when it arrives wrapped", async () => {
        const c = CASES.find((x) => x.type === "llmd:index:ModelServer")!;
        const { resources } = await build(c, wrapped(c.args), false);
        const secret = resources.find((r) => r.type === "kubernetes:core/v1:Secret")!;
        assert.ok(secret.secretPaths.some((p) => p.includes("HF_TOKEN")), JSON.stringify(secret.secretPaths));
    });

    it("RouterHost keeps the SSH key secret when the whole connection arrives as one Output", async () => {
        const c = CASES.find((x) => x.type === "llmd:index:RouterHost")!;
        const { resources } = await build(c, { ...c.args, connection: pulumi.output({ host: "192.0.2.10", privateKey: KEY }) }, false);
        const commands = resources.filter((r) => r.type === "command:remote:Command");
        assert.ok(commands.length > 0);
        for (const command of commands) {
            assert.ok(command.secretPaths.includes("connection.privateKey"), `${command.name}: ${JSON.stringify(command.secretPaths)}`);
        }
    });

    it("ExistingCluster keeps a kubeconfig secret that arrives as a plain Output, in its provider and its output", async () => {
        let cluster!: ExistingCluster;
        const { resources } = await runWithMocks(
            () => {
                cluster = new ExistingCluster("x", { kind: "generic", kubeconfig: pulumi.output("apiVersion: v1\nkind: Config\n") });
            },
            { stack: "test", preview: false },
        );
        assert.strictEqual(resources.find((r) => r.type === "pulumi:providers:kubernetes")!.inputs.kubeconfig, SECRET);
        assert.strictEqual(await pulumi.isSecret(cluster.kubeconfig), true);
    });
});
