import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { spawnSync } from "child_process";
import { LlmdConfigError } from "../../components/errors";
import { endpointsFileErrors } from "../../components/offk8s/endpoints-file";
import { runBareMetalProgram } from "../../stacks/baremetal";
import { SECRET, runWithMocks } from "../../stacks/mock-engine";
import { SECURE_PLACEHOLDER, readStackConfig } from "../../stacks/stack-files";

type Outputs = Record<string, unknown>;

async function resolveAll(outputs: Record<string, pulumi.Input<unknown>>): Promise<Outputs> {
    return new Promise((done) => pulumi.output(outputs).apply((v) => done(v as Outputs)));
}

/** Runs the program with the shipped stack file, optionally with `llmd:baremetal` changed. */
async function run(preview: boolean, change?: (settings: Record<string, any>) => void, dropKey = false) {
    const { config, secretKeys } = readStackConfig("baremetal");
    const settings = JSON.parse(config["llmd:baremetal"]);
    change?.(settings);
    const edited: Record<string, string> = { ...config, "llmd:baremetal": JSON.stringify(settings) };
    if (dropKey) delete edited["llmd:sshPrivateKey"];
    return runWithMocks(() => runBareMetalProgram(new pulumi.Config("llmd")), { stack: "baremetal", preview, config: edited, secretKeys });
}

describe("baremetal stack", () => {
    it("the shipped file keeps the SSH key as a secure value", () => {
        const { config, secretKeys } = readStackConfig("baremetal");
        assert.ok(secretKeys.includes("llmd:sshPrivateKey"));
        assert.strictEqual(config["llmd:sshPrivateKey"], SECURE_PLACEHOLDER);
    });

    for (const preview of [true, false]) {
        it(`evaluates (${preview ? "preview" : "update"}): one RouterHost per host, the key only as a secret`, async () => {
            const { resources, result } = await run(preview);
            const hosts = resources.filter((r) => r.type === "llmd:index:RouterHost").map((r) => r.name).sort();
            assert.deepStrictEqual(hosts, ["router-0", "router-1"]);
            const commands = resources.filter((r) => r.type === "command:remote:Command");
            assert.strictEqual(commands.length, 2 * 11);
            assert.ok(!JSON.stringify(resources).includes(SECURE_PLACEHOLDER), "the key value reached the plan");
            for (const c of commands) {
                assert.ok(c.inputs.connection === SECRET || (c.inputs.connection as any).privateKey === SECRET);
            }
            const outputs = await resolveAll(result);
            assert.deepStrictEqual(outputs.endpointUrls, ["http://192.0.2.10:8081", "http://192.0.2.11:8081"]);
            assert.strictEqual(outputs.endpointsFile, "/shared/llmd/endpoints.yaml");
            assert.strictEqual(outputs.scheduler, "slurm");
            assert.strictEqual(outputs.rayScript, undefined);
        });
    }

    it("exports a Slurm script that writes the shared file and passes bash -n", async () => {
        const outputs = await resolveAll((await run(false)).result);
        const script = outputs.slurmScript as string;
        assert.match(script, /^#SBATCH --nodes=2$/m);
        assert.match(script, /^endpoints_file=\/shared\/llmd\/endpoints\.yaml$/m);
        assert.match(script, /--gpu-memory-utilization=0\.95/);
        const check = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
        assert.strictEqual(check.status, 0, check.stderr);
        // The routers sync from the file the workers write.
        const { resources } = await run(false);
        const sync = resources.find((r) => r.name === "router-0-sync-script")!;
        assert.match(sync.inputs.stdin as string, /^src=\/shared\/llmd\/endpoints\.yaml$/m);
    });

    it("exports a Ray driver instead when scheduler is ray", async () => {
        const outputs = await resolveAll(
            (await run(false, (s) => {
                s.scheduler = "ray";
                s.ray = { replicas: 4, tensorParallelSize: 2 };
            })).result,
        );
        assert.strictEqual(outputs.slurmScript, undefined);
        assert.match(outputs.rayScript as string, /^REPLICAS = 4$/m);
        assert.match(outputs.rayScript as string, /^ENDPOINTS_FILE = "\/shared\/llmd\/endpoints\.yaml"$/m);
    });

    it("passes the shared worker settings (CPU mode, vLLM command, health checks) to either launcher", async () => {
        const cpu = (s: Record<string, any>) => {
            Object.assign(s, { accelerator: "cpu", vllmCommand: "/opt/vllm-cpu/bin/vllm", healthIntervalSeconds: 3, unhealthyThreshold: 5, networkInterface: "ib0" });
            s.slurm = { nodes: 1, replicasPerNode: 2, cpusPerReplica: 8, time: "01:00:00", tensorParallelSize: 1 };
        };
        const slurm = (await resolveAll((await run(true, cpu)).result)).slurmScript as string;
        assert.match(slurm, /^#SBATCH --cpus-per-task=8$/m);
        assert.doesNotMatch(slurm, /gpus/);
        assert.match(slurm, /^vllm=\/opt\/vllm-cpu\/bin\/vllm$/m);
        assert.match(slurm, /^health_interval=3$/m);
        assert.match(slurm, /^unhealthy_threshold=5$/m);
        assert.match(slurm, /dev ib0/);
        const ray = (await resolveAll((await run(true, (s) => (cpu(s), (s.scheduler = "ray"), (s.ray = { replicas: 2, tensorParallelSize: 1 })))).result)).rayScript as string;
        assert.match(ray, /^NUM_GPUS = 0$/m);
        assert.match(ray, /^VLLM = "\/opt\/vllm-cpu\/bin\/vllm"$/m);
        assert.match(ray, /^NETWORK_INTERFACE = "ib0"$/m);
    });

    it("the seed endpoints file each host gets is valid", async () => {
        const { resources } = await run(false);
        for (const r of resources.filter((r) => r.name.endsWith("-endpoints"))) {
            assert.deepStrictEqual(endpointsFileErrors(r.inputs.stdin as string), []);
        }
    });

    const rejects = async (promise: Promise<unknown>, field: string, pattern: RegExp) =>
        assert.rejects(promise, (e: unknown) => {
            assert.ok(e instanceof LlmdConfigError, String(e));
            assert.strictEqual(e.field, field);
            assert.match(e.message, pattern);
            return true;
        });

    it("names llmd:sshPrivateKey when the key is missing", () => rejects(run(true, undefined, true), "llmd:sshPrivateKey", /pulumi config set --secret/));
    it("refuses P/D: the launchers start aggregated workers", () => rejects(run(true, (s) => (s.profile = "pd-disaggregation")), "llmd:baremetal.profile", /aggregated/));
    it("needs a shared endpoints file for several router hosts", () => rejects(run(true, (s) => delete s.sharedEndpointsFile), "llmd:baremetal.sharedEndpointsFile", /shared|storage/));
    it("reports Slurm errors under llmd:baremetal.slurm", () =>
        rejects(run(true, (s) => (s.slurm.tensorParallelSize = 3)), "llmd:baremetal.slurm.tensorParallelSize", /divisor of gpusPerNode/));
    it("reports worker errors under llmd:baremetal", () => rejects(run(true, (s) => delete s.model), "llmd:baremetal.model", /non-empty/));
    it("reports host errors under llmd:baremetal", () => rejects(run(true, (s) => (s.installMode = "snap")), "llmd:baremetal.installMode", /podman, docker, binary/));
});
