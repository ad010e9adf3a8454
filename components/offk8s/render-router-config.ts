/**
 * The router's config off Kubernetes: the scheduler profile llmd renders for clusters plus the
 * `file-discovery` plugin, selected as the endpoint source by `dataLayer.discovery.pluginRef`. With that
 * section the router (llm-d-router v0.10.0) starts no controller manager and needs no InferencePool or RBAC.
 *
 * Upstream main later nests the reference as `dataLayer.discovery.endpoints.pluginRef` (and the llm-d guide
 * on main uses that with `apiVersion: llm-d.ai/v1`); v0.10.0's `DiscoveryConfig` has `pluginRef` directly,
 * so bumping the router pin means revisiting this file.
 */
import { LlmdConfigError } from "../errors";
import {
    EndpointPickerConfig,
    SchedulerProfile,
    buildRouterConfig,
    canonicalSchedulerProfile,
    noKubernetesBaselineConfig,
    undefinedPluginRefs,
} from "../render/router-config";
import { yamlText } from "../render/yaml-text";

/** Name of the discovery plugin instance in the config. */
export const FILE_DISCOVERY_PLUGIN = "file-discovery";

/** Profiles that work without Kubernetes: the precise profile needs a tokenizer sidecar and ZMQ wiring llmd only builds in a cluster. */
export const OFF_KUBERNETES_PROFILES: readonly SchedulerProfile[] = [
    SchedulerProfile.OptimizedBaseline,
    SchedulerProfile.InferenceScheduling,
    SchedulerProfile.PdDisaggregation,
];

/** The config file as plain data, with its data layer. */
export interface FileDiscoveryRouterConfig extends EndpointPickerConfig {
    dataLayer: NonNullable<EndpointPickerConfig["dataLayer"]> & { discovery: { pluginRef: string } };
}

/** What the off-Kubernetes router config depends on. */
export interface FileDiscoveryConfigOptions {
    profile: SchedulerProfile;
    /** Absolute path of the endpoints file on the router host. */
    endpointsFilePath: string;
    /** Reload the file when it changes (default true): launchers rewrite it as workers come and go. */
    watchFile?: boolean;
}

/** The router config, as plain data. Throws `LlmdConfigError` for a profile or path that cannot work here. */
export function buildFileDiscoveryRouterConfig(options: FileDiscoveryConfigOptions): FileDiscoveryRouterConfig {
    if (!OFF_KUBERNETES_PROFILES.includes(options.profile)) {
        throw new LlmdConfigError(
            "schedulerProfile",
            options.profile,
            `off Kubernetes llmd supports ${OFF_KUBERNETES_PROFILES.join(", ")} (precise-prefix-cache needs the in-cluster tokenizer sidecar and KV-event wiring)`,
        );
    }
    if (!options.endpointsFilePath.startsWith("/")) {
        throw new LlmdConfigError("endpointsFilePath", options.endpointsFilePath, "expected an absolute path such as /var/lib/llmd/endpoints.yaml");
    }
    // The baseline off Kubernetes is llm-d's no-Kubernetes guide's, not the in-cluster optimized baseline.
    const base = canonicalSchedulerProfile(options.profile) === SchedulerProfile.OptimizedBaseline
        ? noKubernetesBaselineConfig()
        : buildRouterConfig({ profile: options.profile });
    const config: FileDiscoveryRouterConfig = {
        ...base,
        plugins: [
            { type: "file-discovery", name: FILE_DISCOVERY_PLUGIN, parameters: { path: options.endpointsFilePath, watchFile: options.watchFile ?? true } },
            ...base.plugins,
        ],
        dataLayer: { ...base.dataLayer, discovery: { pluginRef: FILE_DISCOVERY_PLUGIN } },
    };
    const undefinedRefs = undefinedPluginRefs(config);
    if (undefinedRefs.length > 0) {
        // Our own profiles must be self-consistent; this guards a future edit of router-config.ts.
        throw new Error(`internal: router config references undefined plugins ${undefinedRefs.join(", ")}`);
    }
    return config;
}

/** The router config file text. */
export function renderFileDiscoveryRouterConfig(options: FileDiscoveryConfigOptions): string {
    return `# llm-d router config, profile ${options.profile}, endpoints from ${options.endpointsFilePath} (rendered by llmd)\n${yamlText(buildFileDiscoveryRouterConfig(options))}`;
}
