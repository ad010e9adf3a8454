import * as pulumi from "@pulumi/pulumi";
import * as remote from "@pulumi/command/remote";
import { LlmdConfigError } from "./errors";
import { RouterHostSettings, planRouterHost, removeFileCommand, writeFileCommand } from "./offk8s/host";
import { outputsToRegister, whenPlain } from "./plain-inputs";
import { checkArgs } from "./strict";

export { HostInstallMode } from "./offk8s/systemd";

/** How to reach the router host over SSH. */
export interface RouterHostConnection {
    /** Address or DNS name of the host, e.g. a VM's IP output. */
    host: pulumi.Input<string>;
    /** SSH user. Default `root`; any other user needs passwordless sudo unless `useSudo` is false. */
    user?: string;
    /** SSH port. Default 22. */
    port?: number;
    /** SSH private key (OpenSSH or PEM text). Pass a secret, e.g. `config.requireSecret("sshPrivateKey")`. */
    privateKey: pulumi.Input<string>;
}

/** A model-server endpoint to seed the endpoints file with. */
export interface RouterHostEndpoint {
    /** Unique name of the endpoint. */
    name: string;
    /** Namespace label (default `default` in the router). */
    namespace?: string;
    /** Literal IPv4 address of the model server. */
    address: string;
    /** Port as a decimal string, e.g. "8000". */
    port: string;
    /** Labels the scheduler can filter on, e.g. `llm-d.ai/role`. */
    labels?: { [key: string]: string };
}

/** Arguments of `RouterHost`. */
export interface RouterHostArgs extends RouterHostSettings {
    /** SSH connection to the host (its `host` may be another resource's output, such as a VM's address). */
    connection: pulumi.Input<RouterHostConnection>;
    /** Endpoints written to the file when it does not exist yet; launchers own it afterwards. Default none. */
    initialEndpoints?: RouterHostEndpoint[];
}

/**
 * The llm-d router and an Envoy in front of it on a machine that is not a Kubernetes cluster, installed over
 * SSH and run by systemd. The router finds its model servers in an endpoints file (file discovery) that Slurm
 * jobs or a Ray driver keep up to date; see `renderSlurmScript` and `renderRayScript`.
 */
export class RouterHost extends pulumi.ComponentResource {
    /** Where clients send OpenAI-compatible requests, e.g. `http://192.0.2.10:8081`. */
    public readonly endpointUrl: pulumi.Output<string>;
    /** Path of the endpoints file the router watches on the host. */
    public readonly endpointsFilePath: pulumi.Output<string>;
    /** The router config (EndpointPickerConfig YAML) installed on the host. */
    public readonly routerConfig: pulumi.Output<string>;

    constructor(name: string, args: RouterHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:RouterHost", name, {}, opts);
        // From other languages every input is an Output, and the host is often another resource's output:
        // build once they are known (at once when plain). The key is set apart first and passed through as given,
        // so a secret key alone does not defer the build, and it is never unwrapped.
        const connection = args.connection as pulumi.Input<RouterHostConnection> | undefined;
        const split = pulumi.Output.isInstance(connection)
            ? { ...args, connection: connection.apply(({ privateKey, ...rest }) => rest), sshKey: connection.apply((c) => c.privateKey) }
            : { ...args, connection: connection === undefined ? undefined : { ...(connection as RouterHostConnection), privateKey: undefined }, sshKey: (connection as RouterHostConnection | undefined)?.privateKey };
        const built = whenPlain(split, ["sshKey"], (plain) => {
            const { sshKey, ...withoutKey } = plain;
            const connected = withoutKey.connection === undefined ? undefined : { ...withoutKey.connection, privateKey: sshKey };
            const args = { ...withoutKey, connection: connected } as Omit<RouterHostArgs, "connection"> & { connection: { host: string; user?: string; port?: number; privateKey: pulumi.Input<string> } };
            checkArgs("RouterHost", args);
            if (args.connection?.privateKey === undefined) {
                throw new LlmdConfigError("connection.privateKey", undefined, "expected the SSH private key, as a secret");
            }
            const plan = planRouterHost(name, {
                host: args.connection.host,
                user: args.connection.user,
                sshPort: args.connection.port,
                installMode: args.installMode,
                schedulerProfile: args.schedulerProfile,
                configDir: args.configDir,
                endpointsFilePath: args.endpointsFilePath,
                sharedEndpointsFile: args.sharedEndpointsFile,
                syncIntervalSeconds: args.syncIntervalSeconds,
                initialEndpoints: args.initialEndpoints,
                gatewayPort: args.gatewayPort,
                poolName: args.poolName,
                poolNamespace: args.poolNamespace,
                routerImage: args.routerImage,
                envoyImage: args.envoyImage,
                routerBinaryPath: args.routerBinaryPath,
                envoyBinaryPath: args.envoyBinaryPath,
                containerRuntimePath: args.containerRuntimePath,
                useSudo: args.useSudo,
                endpointsWriter: args.endpointsWriter,
            });
            const useSudo = plan.useSudo;

            const connection = {
                host: plan.host,
                user: plan.user,
                port: plan.sshPort,
                // Secret even when the caller passed a plain string, so neither state nor plans show it.
                privateKey: pulumi.secret(args.connection.privateKey),
            };
            // The provider echoes the connection back as an output: keep that copy secret too.
            const command = (role: string, commandArgs: Omit<remote.CommandArgs, "connection">, dependsOn: pulumi.Resource[], extra: pulumi.CustomResourceOptions = {}) =>
                new remote.Command(`${name}-${role}`, { connection, ...commandArgs }, { parent: this, dependsOn, additionalSecretOutputs: ["connection"], ...extra });

            const prepare = command("prepare", { create: plan.prepare }, []);
            const install = command("install", { create: plan.install, triggers: plan.installTriggers }, [prepare]);
            const files = plan.files.map((file) =>
                command(
                    file.role,
                    {
                        create: writeFileCommand(file, useSudo),
                        stdin: file.content,
                        delete: removeFileCommand(file, useSudo),
                        // A new path is a new file; new content on the same path rewrites it in place.
                        triggers: [file.path],
                    },
                    [prepare],
                    // Remove-then-write: the other order would delete the file just written.
                    { deleteBeforeReplace: true },
                ),
            );
            command(
                "start",
                { create: plan.start, delete: plan.stop, triggers: [plan.contentHash] },
                [install, ...files],
                // Replacing must stop the old units before starting the new ones, or the old delete would stop
                // the freshly restarted services.
                { deleteBeforeReplace: true },
            );
            return { endpointUrl: plan.endpointUrl, endpointsFilePath: plan.layout.endpointsFilePath, routerConfig: plan.routerConfig };
        });

        this.endpointUrl = built.endpointUrl;
        this.endpointsFilePath = built.endpointsFilePath;
        this.routerConfig = built.routerConfig;
        this.registerOutputs(outputsToRegister({ endpointUrl: this.endpointUrl, endpointsFilePath: this.endpointsFilePath, routerConfig: this.routerConfig }));
    }
}
