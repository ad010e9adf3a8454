/**
 * Everything `RouterHost` puts on a machine, decided as plain data: the files (router config, Envoy
 * bootstrap, systemd units, the seed endpoints file) and the shell commands that prepare the host, install
 * the router and Envoy, and start them. The component only turns this into SSH commands.
 */
import { createHash } from "crypto";
import { imageRef, IMAGES } from "../catalog/versions";
import { LlmdConfigError, requireDnsLabel, requireInteger, requireNonEmpty, requireOneOf } from "../errors";
import { ROUTER_GRPC_PORT, ROUTER_HEALTH_PORT, ROUTER_METRICS_PORT } from "../render/router";
import { SchedulerProfile } from "../render/router-config";
import { PROXY_ADMIN_PORT, PROXY_READY_PORT, envoyBootstrapYaml } from "../render/router-standalone";
import { EndpointEntry, renderEndpointsFile } from "./endpoints-file";
import { renderFileDiscoveryRouterConfig } from "./render-router-config";
import { SAFE_PATH, shQuote } from "./shell";
import {
    HOST_INSTALL_MODES,
    HostInstallMode,
    HostLayout,
    UNITS,
    hostLayout,
    renderEnvoyUnit,
    renderRouterUnit,
    renderSyncScript,
    renderSyncUnits,
} from "./systemd";

/** How a router host is set up: shared by `RouterHostArgs` and the pure `RouterHostInput`, documented once. */
export interface RouterHostSettings {
    /** How the router and Envoy run: `podman` (default) or `docker` containers under systemd, or `binary`. */
    installMode?: HostInstallMode;
    /** Scheduling strategy: `optimized-baseline` (default; alias `inference-scheduling`) or `pd-disaggregation`. */
    schedulerProfile?: SchedulerProfile;
    /** Directory for the router config, Envoy bootstrap and scripts. Default `/etc/llmd`. */
    configDir?: string;
    /** Endpoints file the router watches on this host. Default `/var/lib/llmd/endpoints.yaml`. */
    endpointsFilePath?: string;
    /**
     * Endpoints file on shared storage that Slurm jobs or a Ray driver on other machines write. When set, a
     * systemd timer copies it to `endpointsFilePath`: the router watches with inotify, which does not see
     * writes made by other NFS clients.
     */
    sharedEndpointsFile?: string;
    /** Seconds between copies of `sharedEndpointsFile`. Default 5. */
    syncIntervalSeconds?: number;
    /** Port clients send OpenAI-compatible requests to (Envoy's listener). Default 8081. */
    gatewayPort?: number;
    /** Pool name in the router's metrics and logs. Default: the component name. */
    poolName?: string;
    /** Pool namespace in the router's metrics and logs. Default `llmd`. */
    poolNamespace?: string;
    /** Router image override (container modes). Default: the pinned llm-d router image. */
    routerImage?: string;
    /** Envoy image override (container modes). Default: the pinned Envoy image. */
    envoyImage?: string;
    /** Router binary (binary mode). Default `/usr/local/bin/epp`. */
    routerBinaryPath?: string;
    /** Envoy binary (binary mode). Default `/usr/local/bin/envoy`. */
    envoyBinaryPath?: string;
    /**
     * Container runtime executable (container modes), for one installed elsewhere (`/usr/local/bin/docker`,
     * `/snap/bin/docker`). Default `/usr/bin/podman` or `/usr/bin/docker` by `installMode`.
     */
    containerRuntimePath?: string;
    /** Run host commands through `sudo -n`. Default: true unless the user is root. */
    useSudo?: boolean;
    /**
     * Unix user that may rewrite the endpoints file on this host (owner of its directory), for a launcher that
     * runs on the router host itself. Default: the directory stays root's.
     */
    endpointsWriter?: string;
}

/** Plain inputs of a router host: the settings plus where to reach it (the component's args minus Pulumi types). */
export interface RouterHostInput extends RouterHostSettings {
    host: string;
    user?: string;
    sshPort?: number;
    initialEndpoints?: EndpointEntry[];
}

/** One file on the host. */
export interface HostFile {
    /** Child resource role, e.g. `router-config`. */
    role: string;
    path: string;
    /** Octal mode, e.g. `0644`. */
    mode: string;
    content: string;
    /** Written only when absent: launchers own it after the first write. */
    keepExisting: boolean;
}

/** What a router host gets. */
export interface RouterHostPlan {
    host: string;
    user: string;
    sshPort: number;
    /** Whether host commands run through `sudo -n`. */
    useSudo: boolean;
    layout: HostLayout;
    files: HostFile[];
    /** Checks the host (systemd, sudo, runtime) and creates the directories. */
    prepare: string;
    /** Pulls the pinned images or checks the binaries. */
    install: string;
    /** What a change of forces a new install. */
    installTriggers: string[];
    /** Reloads systemd, enables and (re)starts the units, and waits until they serve. */
    start: string;
    /** Stops and disables the units. */
    stop: string;
    /** Digest of every file llmd manages plus the images: the start step re-runs when it changes. */
    contentHash: string;
    endpointUrl: string;
    routerConfig: string;
}

export const DEFAULT_CONFIG_DIR = "/etc/llmd";
export const DEFAULT_ENDPOINTS_FILE = "/var/lib/llmd/endpoints.yaml";
export const DEFAULT_GATEWAY_PORT = 8081;
const RESERVED_PORTS = [ROUTER_GRPC_PORT, ROUTER_HEALTH_PORT, ROUTER_METRICS_PORT, PROXY_ADMIN_PORT, PROXY_READY_PORT];

function safePath(field: string, value: string): string {
    if (!SAFE_PATH.test(value)) {
        throw new LlmdConfigError(field, value, "expected an absolute path of letters, digits, '.', '_', '-' and '/' (it goes into systemd units unquoted)");
    }
    return value;
}

function imageOrDefault(field: string, value: string | undefined, fallback: string): string {
    if (value === undefined) return fallback;
    if (!/^[A-Za-z0-9._\-/:@]+$/.test(value)) {
        throw new LlmdConfigError(field, value, "expected an image reference such as registry/repository:tag");
    }
    return value;
}

/** Writes stdin to `path` atomically (temp file in the same directory, then rename). */
function writeStdinTo(path: string, mode: string, sudo: string, keepExisting: boolean): string {
    const write = `tmp=$(mktemp "${path}.XXXXXX") && cat > "$tmp" && chmod ${mode} "$tmp" && mv -f "$tmp" "${path}"`;
    const script = keepExisting ? `if [ -e "${path}" ]; then cat > /dev/null; else ${write}; fi` : write;
    return `${sudo}sh -c ${shQuote(script)}`;
}

/** The command that writes a file, fed its content on stdin. */
export function writeFileCommand(file: HostFile, useSudo: boolean): string {
    return writeStdinTo(file.path, file.mode, useSudo ? "sudo -n " : "", file.keepExisting);
}

/** The command that removes a file on delete, or undefined for files launchers own. */
export function removeFileCommand(file: HostFile, useSudo: boolean): string | undefined {
    return file.keepExisting ? undefined : `${useSudo ? "sudo -n " : ""}rm -f ${file.path}`;
}

/** Validates the inputs and decides everything that goes on the host. Throws `LlmdConfigError`. */
export function planRouterHost(name: string, input: RouterHostInput): RouterHostPlan {
    const host = requireNonEmpty("connection.host", input.host);
    const user = requireNonEmpty("connection.user", input.user ?? "root");
    const sshPort = requireInteger("connection.port", input.sshPort ?? 22, 1, 65535);
    const mode = requireOneOf("installMode", input.installMode ?? HostInstallMode.Podman, HOST_INSTALL_MODES);
    const profile = input.schedulerProfile ?? SchedulerProfile.OptimizedBaseline;
    const configDir = safePath("configDir", input.configDir ?? DEFAULT_CONFIG_DIR);
    const endpointsFilePath = safePath("endpointsFilePath", input.endpointsFilePath ?? DEFAULT_ENDPOINTS_FILE);
    const shared = input.sharedEndpointsFile === undefined ? undefined : safePath("sharedEndpointsFile", input.sharedEndpointsFile);
    if (shared === endpointsFilePath) {
        throw new LlmdConfigError("sharedEndpointsFile", shared, "expected a different path than endpointsFilePath (the local copy the router watches)");
    }
    const gatewayPort = requireInteger("gatewayPort", input.gatewayPort ?? DEFAULT_GATEWAY_PORT, 1, 65535);
    if (RESERVED_PORTS.includes(gatewayPort)) {
        throw new LlmdConfigError("gatewayPort", gatewayPort, `expected a port other than ${RESERVED_PORTS.join(", ")} (the router and Envoy use them on the host network)`);
    }
    const poolName = requireDnsLabel("poolName", input.poolName ?? name);
    const poolNamespace = requireDnsLabel("poolNamespace", input.poolNamespace ?? "llmd");
    const routerImage = imageOrDefault("routerImage", input.routerImage, imageRef(IMAGES.router));
    const envoyImage = imageOrDefault("envoyImage", input.envoyImage, imageRef(IMAGES.envoy));
    const routerBinaryPath = safePath("routerBinaryPath", input.routerBinaryPath ?? "/usr/local/bin/epp");
    const envoyBinaryPath = safePath("envoyBinaryPath", input.envoyBinaryPath ?? "/usr/local/bin/envoy");
    const useSudo = input.useSudo ?? user !== "root";
    const writer = input.endpointsWriter;
    if (writer !== undefined && !/^[a-z_][a-z0-9_-]*$/.test(writer)) {
        throw new LlmdConfigError("endpointsWriter", writer, "expected a Unix user name such as llmd");
    }
    const sudo = useSudo ? "sudo -n " : "";
    const layout = hostLayout(configDir, endpointsFilePath);

    const routerConfig = renderFileDiscoveryRouterConfig({ profile, endpointsFilePath });
    const runtime = safePath("containerRuntimePath", input.containerRuntimePath ?? (mode === HostInstallMode.Docker ? "/usr/bin/docker" : "/usr/bin/podman"));
    const unitOptions = { mode, layout, routerImage, envoyImage, routerBinaryPath, envoyBinaryPath, containerRuntimePath: runtime, poolName, poolNamespace };
    const files: HostFile[] = [
        { role: "router-config", path: layout.routerConfigPath, mode: "0644", content: routerConfig, keepExisting: false },
        {
            role: "envoy-config",
            path: layout.envoyConfigPath,
            mode: "0644",
            content: envoyBootstrapYaml({ listenerPort: gatewayPort, extProcPort: ROUTER_GRPC_PORT }),
            keepExisting: false,
        },
        { role: "router-unit", path: `${layout.unitDir}/${UNITS.router}`, mode: "0644", content: renderRouterUnit(unitOptions), keepExisting: false },
        { role: "envoy-unit", path: `${layout.unitDir}/${UNITS.envoy}`, mode: "0644", content: renderEnvoyUnit(unitOptions), keepExisting: false },
        {
            role: "endpoints",
            path: endpointsFilePath,
            mode: "0644",
            content: renderEndpointsFile(input.initialEndpoints ?? [], "initialEndpoints"),
            keepExisting: true,
        },
    ];
    const units: string[] = [UNITS.router, UNITS.envoy];
    if (shared) {
        const interval = requireInteger("syncIntervalSeconds", input.syncIntervalSeconds ?? 5, 1, 3600);
        const sync = renderSyncUnits(layout, interval);
        files.push(
            { role: "sync-script", path: layout.syncScriptPath, mode: "0755", content: renderSyncScript(shared, layout), keepExisting: false },
            { role: "sync-service", path: `${layout.unitDir}/${UNITS.syncService}`, mode: "0644", content: sync.service, keepExisting: false },
            { role: "sync-timer", path: `${layout.unitDir}/${UNITS.syncTimer}`, mode: "0644", content: sync.timer, keepExisting: false },
        );
        units.push(UNITS.syncTimer);
    }

    const fail = (message: string) => `{ echo ${shQuote(`llmd: ${message}`)} >&2; exit 1; }`;
    const prepare = [
        "set -e",
        ...(useSudo ? [`sudo -n true 2>/dev/null || ${fail(`user ${user} needs passwordless sudo (or set useSudo: false)`)}`] : []),
        `command -v systemctl >/dev/null 2>&1 || ${fail("systemd is required on the router host")}`,
        ...(mode === HostInstallMode.Binary ? [] : [`test -x ${runtime} || ${fail(`${runtime} not found: install ${mode} or choose another installMode`)}`]),
        `${sudo}mkdir -p ${configDir} ${layout.endpointsDir}`,
        `${sudo}chmod 0755 ${configDir} ${layout.endpointsDir}`,
        // A launcher on this host (a Ray driver, say) rewrites the file by renaming into the directory.
        ...(writer ? [`${sudo}chown ${writer} ${layout.endpointsDir}`] : []),
    ].join("\n");
    const install =
        mode === HostInstallMode.Binary
            ? [
                  "set -e",
                  `test -x ${routerBinaryPath} || ${fail(`${routerBinaryPath} missing: build the router (llm-d-router cmd/epp) or use installMode podman`)}`,
                  `test -x ${envoyBinaryPath} || ${fail(`${envoyBinaryPath} missing: install Envoy 1.33+ or use installMode podman`)}`,
                  `${envoyBinaryPath} --version`,
              ].join("\n")
            : ["set -e", `${sudo}${runtime} pull ${routerImage}`, `${sudo}${runtime} pull ${envoyImage}`].join("\n");
    const readyCheck = [
        ...units.map((u) => `${sudo}systemctl is-active --quiet ${u}`),
        // Envoy's own readiness listener; skipped where curl is missing rather than failing the deploy on it.
        `{ ! command -v curl >/dev/null 2>&1 || curl -sf -o /dev/null http://127.0.0.1:${PROXY_READY_PORT}/ready; }`,
    ].join(" && ");
    const start = [
        "set -e",
        `${sudo}systemctl daemon-reload`,
        `${sudo}systemctl enable ${units.join(" ")}`,
        `${sudo}systemctl restart ${units.join(" ")}`,
        "i=0",
        `until ${readyCheck}; do`,
        "  i=$((i + 1))",
        `  if [ "$i" -ge 60 ]; then ${sudo}systemctl status --no-pager ${units.join(" ")} >&2 || true; ${fail("router or Envoy not ready after 120s; see journalctl -u llmd-router -u llmd-envoy")}; fi`,
        "  sleep 2",
        "done",
    ].join("\n");
    const stop = `${sudo}systemctl disable --now ${units.join(" ")} || true`;
    const contentHash = createHash("sha256")
        .update(JSON.stringify({ files: files.filter((f) => !f.keepExisting).map((f) => [f.path, f.mode, f.content]), mode, routerImage, envoyImage }))
        .digest("hex");

    return {
        host,
        user,
        sshPort,
        useSudo,
        layout,
        files,
        prepare,
        install,
        installTriggers: mode === HostInstallMode.Binary ? [mode, routerBinaryPath, envoyBinaryPath] : [mode, routerImage, envoyImage],
        start,
        stop,
        contentHash,
        endpointUrl: `http://${host.includes(":") ? `[${host}]` : host}:${gatewayPort}`,
        routerConfig,
    };
}
