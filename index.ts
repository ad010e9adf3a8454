/**
 * llmd: Pulumi components for llm-d. Everything a program (or, through the component-package schema, a
 * Python, Go or YAML program) can use.
 */

// Serving layer: cloud-agnostic Kubernetes components.
export { LlmdPlatform, LlmdPlatformArgs, LlmdPlatformRef, LlmdGatewayArgs, LlmdTopologyArgs, ModelRouting } from "./components/platform";
export {
    LlmdModel,
    LlmdModelArgs,
    LlmdModelServerArgs,
    LlmdRouterArgs,
    LoraArgs,
    LoraAdapterArgs,
    InferenceObjectiveArgs,
    ModelRewriteArgs,
    ModelRewriteTargetArgs,
    ModelAutoscalingArgs,
} from "./components/model";
export { LlmdDeployment, LlmdDeploymentArgs } from "./components/llmd";
export { InferenceGateway, InferenceGatewayArgs } from "./components/gateway";
export { LeaderWorkerSetController, LeaderWorkerSetControllerArgs } from "./components/lws";
export { InferenceRouter, InferenceRouterArgs, RouterGatewayRef, RouterResources, FailureMode, SchedulerProfile } from "./components/router";
export * from "./components/model-server";
export { RouterHost, RouterHostArgs, RouterHostConnection, RouterHostEndpoint, HostInstallMode } from "./components/router-host";
export { TopologyAwareScheduling, TopologyAwareSchedulingArgs } from "./components/kueue";
export { TopologyProfile, TopologyPlacement } from "./components/catalog/topology";

// Clusters: each exposes a Kubernetes provider, the kubeconfig (secret), the version and its accelerator pools.
export { ExistingCluster, ExistingClusterArgs, ExistingClusterKind, ExistingAcceleratorPoolArgs } from "./providers/existing";
export * from "./providers/gke";
export * from "./providers/aks";
export * from "./providers/digitalocean";

// Plain data shared by all of them.
export { Accelerator, ACCELERATORS, ClusterProvider, Interconnect } from "./components/catalog/accelerators";
export { GatewayImplementation } from "./components/catalog/gateways";
export { PresetName, WellLitPath, PRESETS, resolvePreset } from "./components/catalog/presets";
export { IMAGES, CHARTS, MANIFESTS } from "./components/catalog/versions";
export { AcceleratorPool, AcceleratorPoolTaint } from "./components/pool";
export { LlmdConfigError } from "./components/errors";

// Automation API: preview, up or destroy your own project folder or inline program (needs the Pulumi CLI).
export { runStack, openStack, secretConfig, SecretConfigValue, automationConfig, workspaceProgram, WorkspaceStackOptions, WorkspaceProgram, StackConfig } from "./stacks/workspace";
