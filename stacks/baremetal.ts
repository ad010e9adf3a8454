/**
 * The `baremetal` stack: the llm-d router and Envoy on machines without Kubernetes (installed over SSH,
 * run by systemd), with vLLM workers started by Slurm or Ray and found through an endpoints file. The
 * program installs the router hosts and exports the rendered launcher script to submit or run.
 */
import * as pulumi from "@pulumi/pulumi";
import { LlmdConfigError, checkUnder, requireNonEmpty, requireOneOf } from "../components/errors";
import { SchedulerProfile } from "../components/render/router-config";
import { DEFAULT_ENDPOINTS_FILE } from "../components/offk8s/host";
import { RayWorkersOptions, renderRayScript } from "../components/offk8s/ray";
import { SlurmJobOptions, renderSlurmScript } from "../components/offk8s/slurm";
import { resolveWorkerOptions } from "../components/offk8s/workers";
import { HostInstallMode, RouterHost } from "../components/router-host";

/** Which launcher starts the vLLM workers. */
export const BareMetalScheduler = { Slurm: "slurm", Ray: "ray" } as const;
const SCHEDULERS = Object.values(BareMetalScheduler);

const FIELD = "llmd:baremetal";

function object(field: string, value: unknown): Record<string, any> {
    if (value === undefined) return {};
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new LlmdConfigError(field, value, "expected an object (a YAML mapping)");
    }
    return value as Record<string, any>;
}

/**
 * Reads `llmd:baremetal` and `llmd:sshPrivateKey` (secret) from `config` (namespace `llmd`), creates one
 * `RouterHost` per host and returns the stack outputs, including the rendered Slurm or Ray script.
 */
export function runBareMetalProgram(config: pulumi.Config): Record<string, pulumi.Input<unknown>> {
    const settings = object(FIELD, config.getObject<unknown>("baremetal"));
    const privateKey = config.getSecret("sshPrivateKey");
    if (privateKey === undefined) {
        throw new LlmdConfigError(
            "llmd:sshPrivateKey",
            undefined,
            "expected the SSH private key for the router hosts, as a secret: pulumi config set --secret llmd:sshPrivateKey < ~/.ssh/id_ed25519",
        );
    }
    const hosts = settings.hosts;
    if (!Array.isArray(hosts) || hosts.length === 0) {
        throw new LlmdConfigError(`${FIELD}.hosts`, hosts, "expected a list of at least one router host address");
    }
    hosts.forEach((h, i) => requireNonEmpty(`${FIELD}.hosts[${i}]`, h));
    const scheduler = requireOneOf(`${FIELD}.scheduler`, settings.scheduler ?? BareMetalScheduler.Slurm, SCHEDULERS);
    const profile = settings.profile ?? SchedulerProfile.OptimizedBaseline;
    if (profile !== SchedulerProfile.OptimizedBaseline && profile !== SchedulerProfile.InferenceScheduling) {
        // The router could do P/D, but these launchers start aggregated vLLM servers without the decode
        // sidecar P/D needs; a P/D router in front of them would never find a prefill/decode pair.
        throw new LlmdConfigError(`${FIELD}.profile`, profile, `expected ${SchedulerProfile.OptimizedBaseline} (or its former name ${SchedulerProfile.InferenceScheduling}): the Slurm and Ray launchers start aggregated vLLM workers`);
    }
    const endpointsFilePath: string = settings.endpointsFilePath ?? DEFAULT_ENDPOINTS_FILE;
    const shared: string | undefined = settings.sharedEndpointsFile;
    if (shared === undefined && hosts.length > 1) {
        throw new LlmdConfigError(`${FIELD}.sharedEndpointsFile`, shared, "expected a path on storage every router host and worker mounts: with several router hosts the workers cannot write each host's local file");
    }

    const routers = hosts.map(
        (host: string, i: number) =>
            checkUnder(FIELD, () =>
                new RouterHost(`router-${i}`, {
                    connection: { host, user: settings.user, port: settings.sshPort, privateKey },
                    installMode: settings.installMode ?? HostInstallMode.Podman,
                    schedulerProfile: profile,
                    endpointsFilePath,
                    sharedEndpointsFile: shared,
                    gatewayPort: settings.gatewayPort,
                    poolName: settings.poolName ?? "llmd",
                    poolNamespace: settings.poolNamespace ?? scheduler,
                    useSudo: settings.useSudo,
                    endpointsWriter: settings.endpointsWriter,
                    containerRuntimePath: settings.containerRuntimePath,
                }),
            ),
    );

    // Workers write the shared file when there is one, else the router's own file (workers on the router host
    // itself, or a file system the router host exports).
    const worker = {
        model: settings.model,
        servedModelName: settings.servedModelName,
        port: settings.workerPort,
        endpointsFile: shared ?? endpointsFilePath,
        namespace: settings.poolNamespace ?? scheduler,
        labels: settings.labels,
        vllmArgs: settings.vllmArgs,
        // `cpu` runs the whole path on machines without GPUs (vLLM's CPU build, or the simulator via vllmCommand).
        accelerator: settings.accelerator,
        vllmCommand: settings.vllmCommand,
        networkInterface: settings.networkInterface,
        readyTimeoutSeconds: settings.readyTimeoutSeconds,
        healthIntervalSeconds: settings.healthIntervalSeconds,
        healthTimeoutSeconds: settings.healthTimeoutSeconds,
        unhealthyThreshold: settings.unhealthyThreshold,
    };
    let launcher: { slurmScript?: string; rayScript?: string };
    if (scheduler === BareMetalScheduler.Slurm) {
        const slurm = object(`${FIELD}.slurm`, settings.slurm);
        checkUnder(FIELD, () => resolveWorkerOptions({ ...worker, tensorParallelSize: slurm.tensorParallelSize ?? 1 }));
        launcher = { slurmScript: checkUnder(`${FIELD}.slurm`, () => renderSlurmScript({ ...worker, ...slurm } as SlurmJobOptions)) };
    } else {
        const ray = object(`${FIELD}.ray`, settings.ray);
        checkUnder(FIELD, () => resolveWorkerOptions({ ...worker, tensorParallelSize: ray.tensorParallelSize ?? 1 }));
        launcher = { rayScript: checkUnder(`${FIELD}.ray`, () => renderRayScript({ ...worker, ...ray } as RayWorkersOptions)) };
    }

    return {
        // The first router host's URL; any of them serves every worker in the endpoints file.
        url: routers[0].endpointUrl,
        endpointUrls: routers.map((r) => r.endpointUrl),
        endpointsFile: worker.endpointsFile,
        routerConfig: routers[0].routerConfig,
        scheduler,
        ...launcher,
    };
}
