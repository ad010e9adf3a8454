/**
 * What runs on a router host: systemd units for the router and Envoy (as containers under podman or
 * docker, or as binaries already on the host), and an optional timer that copies a shared endpoints file
 * to local disk. All plain text; `RouterHost` copies it over SSH.
 */
import { ROUTER_GRPC_PORT, ROUTER_HEALTH_PORT, ROUTER_METRICS_PORT } from "../render/router";
import { shQuote } from "./shell";

/** How the router and Envoy run on a host. Every mode runs them as systemd services. */
export const HostInstallMode = {
    /** `podman run` of the pinned images, under systemd (the default: daemonless, works rootful on any distro). */
    Podman: "podman",
    /** `docker run` of the pinned images, under systemd. */
    Docker: "docker",
    /** Binaries you installed (`routerBinaryPath`, `envoyBinaryPath`), run directly by systemd with a dynamic user. */
    Binary: "binary",
} as const;
/** One of the values of `HostInstallMode`. */
export type HostInstallMode = (typeof HostInstallMode)[keyof typeof HostInstallMode];
export const HOST_INSTALL_MODES = Object.values(HostInstallMode);

/** Unit and container names on the host. */
export const UNITS = {
    router: "llmd-router.service",
    envoy: "llmd-envoy.service",
    syncService: "llmd-endpoints-sync.service",
    syncTimer: "llmd-endpoints-sync.timer",
} as const;
const CONTAINERS = { router: "llmd-router", envoy: "llmd-envoy" } as const;

/** Where things live on a router host. */
export interface HostLayout {
    /** Router config, Envoy bootstrap and the sync script. */
    configDir: string;
    /** The endpoints file the router watches; its directory is mounted whole so atomic renames are seen. */
    endpointsFilePath: string;
    /** Directory of the endpoints file. */
    endpointsDir: string;
    routerConfigPath: string;
    envoyConfigPath: string;
    syncScriptPath: string;
    unitDir: string;
}

/** The layout for a config dir and an endpoints file. */
export function hostLayout(configDir: string, endpointsFilePath: string): HostLayout {
    return {
        configDir,
        endpointsFilePath,
        endpointsDir: endpointsFilePath.slice(0, endpointsFilePath.lastIndexOf("/")) || "/",
        routerConfigPath: `${configDir}/router.yaml`,
        envoyConfigPath: `${configDir}/envoy.yaml`,
        syncScriptPath: `${configDir}/sync-endpoints.sh`,
        unitDir: "/etc/systemd/system",
    };
}

/** What the units depend on. */
export interface HostUnitOptions {
    mode: HostInstallMode;
    layout: HostLayout;
    routerImage: string;
    envoyImage: string;
    routerBinaryPath: string;
    envoyBinaryPath: string;
    /** podman or docker executable (container modes). */
    containerRuntimePath: string;
    /** Pool name and namespace: only labels in metrics and logs off Kubernetes. */
    poolName: string;
    poolNamespace: string;
}

/** Router flags in file-discovery mode. */
export function routerArgs(options: Pick<HostUnitOptions, "layout" | "poolName" | "poolNamespace">): string[] {
    return [
        `--config-file=${options.layout.routerConfigPath}`,
        `--pool-name=${options.poolName}`,
        // Without it the router labels everything `default` (no NAMESPACE env outside Kubernetes).
        `--pool-namespace=${options.poolNamespace}`,
        `--grpc-port=${ROUTER_GRPC_PORT}`,
        `--grpc-health-port=${ROUTER_HEALTH_PORT}`,
        `--metrics-port=${ROUTER_METRICS_PORT}`,
        "--zap-encoder=json",
        "--tracing=false",
        // Metrics auth asks a Kubernetes API server to review each caller's token (TokenReview, SubjectAccessReview);
        // off Kubernetes there is none, so the router would refuse every scrape. Keep the port on localhost or a
        // trusted network instead.
        "--metrics-endpoint-auth=false",
    ];
}

/** Envoy flags; the bootstrap is the standalone proxy's. */
export function envoyArgs(layout: HostLayout): string[] {
    return ["--config-path", layout.envoyConfigPath, "--service-node", "llmd-router-proxy", "--log-level", "warn", "--drain-strategy", "immediate", "--drain-time-s", "60"];
}

function unit(description: string, extraUnit: string[], service: string[]): string {
    return [
        "# Rendered by llmd; changes are overwritten by the next `pulumi up`.",
        "[Unit]",
        `Description=${description}`,
        "Documentation=https://github.com/llm-d/llm-d-router/blob/main/docs/discovery.md",
        "Wants=network-online.target",
        "After=network-online.target",
        ...extraUnit,
        "",
        "[Service]",
        ...service,
        "Restart=always",
        "RestartSec=5",
        "TimeoutStopSec=60",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ].join("\n");
}

function containerService(options: HostUnitOptions, name: string, image: string, mounts: string[], args: string[], entrypoint?: string): string[] {
    const runtime = options.containerRuntimePath;
    const run = [
        runtime, "run", "--rm", "--name", name,
        // Host networking: Envoy reaches the router on loopback, the router scrapes workers by their IPs.
        "--network", "host",
        // The install step pulled the pinned image; a restart must not silently fetch another.
        "--pull", "never",
        ...mounts.flatMap((m) => ["--volume", `${m}:${m}:ro`]),
        ...(entrypoint ? ["--entrypoint", entrypoint] : []),
        image,
        ...args,
    ];
    return [
        `ExecStartPre=-${runtime} rm -f ${name}`,
        `ExecStart=${run.map(shQuote).join(" ")}`,
        `ExecStop=${runtime} stop -t 30 ${name}`,
    ];
}

/** The router's unit. */
export function renderRouterUnit(options: HostUnitOptions): string {
    const args = routerArgs(options);
    const { layout } = options;
    const service =
        options.mode === HostInstallMode.Binary
            ? [`ExecStart=${[options.routerBinaryPath, ...args].map(shQuote).join(" ")}`, "DynamicUser=yes", "NoNewPrivileges=yes"]
            : containerService(options, CONTAINERS.router, options.routerImage, [...new Set([layout.configDir, layout.endpointsDir])], args);
    return unit("llm-d router (endpoint picker), endpoints from a file", [], service);
}

/** Envoy's unit: after the router, which it fails closed without. */
export function renderEnvoyUnit(options: HostUnitOptions): string {
    const args = envoyArgs(options.layout);
    const service =
        options.mode === HostInstallMode.Binary
            ? [`ExecStart=${[options.envoyBinaryPath, ...args].map(shQuote).join(" ")}`, "DynamicUser=yes", "NoNewPrivileges=yes"]
            : containerService(options, CONTAINERS.envoy, options.envoyImage, [options.layout.configDir], args, "envoy");
    return unit("Envoy in front of the llm-d router (ext_proc, ORIGINAL_DST)", [`Wants=${UNITS.router}`, `After=${UNITS.router}`], service);
}

/**
 * Copies the shared endpoints file (written by Slurm jobs or a Ray driver on other machines) to the local
 * file the router watches. The router watches with inotify, which sees no writes made by other NFS clients,
 * so the copy is what turns a remote change into a local rename the router does see.
 */
export function renderSyncScript(source: string, layout: HostLayout): string {
    return `#!/bin/sh
# Rendered by llmd: copy ${source} to ${layout.endpointsFilePath} when it changed, atomically.
set -eu
src=${shQuote(source)}
dst=${shQuote(layout.endpointsFilePath)}
# No shared file yet (no job has registered): keep the local copy.
[ -r "$src" ] || exit 0
if cmp -s "$src" "$dst"; then
    exit 0
fi
tmp=$(mktemp "$dst.XXXXXX")
trap 'rm -f "$tmp"' EXIT
cp "$src" "$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$dst"
trap - EXIT
`;
}

/** The oneshot service and the timer that runs it every `intervalSeconds`. */
export function renderSyncUnits(layout: HostLayout, intervalSeconds: number): { service: string; timer: string } {
    const service = [
        "# Rendered by llmd.",
        "[Unit]",
        "Description=Copy the shared llm-d endpoints file to the router's local copy",
        "",
        "[Service]",
        "Type=oneshot",
        `ExecStart=/bin/sh ${layout.syncScriptPath}`,
        "",
    ].join("\n");
    const timer = [
        "# Rendered by llmd.",
        "[Unit]",
        "Description=Refresh the llm-d endpoints file from shared storage",
        "",
        "[Timer]",
        `OnBootSec=${intervalSeconds}s`,
        `OnUnitActiveSec=${intervalSeconds}s`,
        "AccuracySec=1s",
        "",
        "[Install]",
        "WantedBy=timers.target",
        "",
    ].join("\n");
    return { service, timer };
}
