/**
 * Every upstream version llmd deploys, in one place, each with where it comes from. Bump a version here and
 * nowhere else; the tests read these pins, so a bump that breaks a rendered object fails them.
 */

/** A container image pin. */
export interface ImagePin {
    repository: string;
    tag: string;
    /** Where the tag was read. */
    source: string;
    /**
     * The numeric non-root user the image's Dockerfile sets (`USER <uid>`), with where that was read. Only then
     * can the kubelet verify `runAsNonRoot` before starting the container; images without it run as root.
     */
    nonRootUser?: { uid: number; source: string };
}

/** True when `ref` is a pinned image whose Dockerfile sets a numeric non-root user. */
export function runsAsNonRoot(ref: string): boolean {
    return Object.values(IMAGES as Record<string, ImagePin>).some((pin) => pin.nonRootUser !== undefined && imageRef(pin) === ref);
}

/** A Helm chart pin. */
export interface ChartPin {
    /** `oci://...` reference, or the chart name inside `repo`. */
    chart: string;
    /** Classic HTTP chart repository, when the chart is not an OCI reference. */
    repo?: string;
    version: string;
    source: string;
}

/** A vendored manifest set (CRDs) under `components/crds/`. */
export interface ManifestPin {
    /** Folder under `components/crds/`. */
    folder: string;
    version: string;
    source: string;
}

/** `repository:tag` for an image pin. */
export function imageRef(pin: ImagePin): string {
    return `${pin.repository}:${pin.tag}`;
}

export const IMAGES = {
    /** The llm-d router (endpoint picker, EPP). */
    router: {
        repository: "ghcr.io/llm-d/llm-d-router-endpoint-picker",
        tag: "v0.10.0",
        source: "llm-d/llm-d-router release v0.10.0; llm-d/llm-d release v0.9.0 guides/env.sh (ROUTER_EPP_VERSION)",
    },
    /**
     * vLLM's tokenizer-only render server (`vllm launch render`), run beside the router for the precise
     * prefix-cache profile so the router tokenises prompts exactly as the model servers do.
     */
    routerTokenizer: {
        repository: "docker.io/vllm/vllm-openai-cpu",
        tag: "v0.19.1",
        source: "llm-d/llm-d-router release v0.10.0 config/charts/routerlib/values.yaml (tokenizer.image default)",
    },
    /**
     * Envoy, the proxy beside the router in standalone mode (no Gateway API gateway): ext_proc to the router
     * and an ORIGINAL_DST cluster to the pod the router picks. Distroless, non-root.
     */
    envoy: {
        repository: "docker.io/envoyproxy/envoy",
        tag: "distroless-v1.33.2",
        source: "llm-d/llm-d-router release v0.10.0 config/charts/llm-d-router-standalone/values.yaml (router.proxy.presets.envoy.image)",
    },
    /** The P/D routing sidecar that runs beside decode pods. */
    disaggSidecar: {
        repository: "ghcr.io/llm-d/llm-d-router-disagg-sidecar",
        tag: "v0.10.0",
        source: "llm-d/llm-d-router release v0.10.0; llm-d/llm-d release v0.9.0 guides/recipes/modelserver/components/images/routing-sidecar/release/kustomization.yaml",
    },
    /**
     * llm-d's vLLM build for NVIDIA GPUs (DeepEP, DeepGEMM, NVSHMEM, NIXL): what the wide-EP guide runs, and
     * the default for NVIDIA outside a preset.
     */
    vllmCuda: {
        repository: "ghcr.io/llm-d/llm-d-cuda",
        tag: "v0.9.0",
        source: "llm-d/llm-d release v0.9.0, guides/recipes/modelserver/components/images/gpu-vllm/llm-d/release/kustomization.yaml",
        // HOME=/home/vllm and HF_HOME=/var/lib/llm-d/.hf are group-0 writable in the image.
        nonRootUser: { uid: 2000, source: "llm-d/llm-d docker/Dockerfile.cuda at the v0.9.0 release pin (commit 1aecf03f): useradd --uid 2000 --gid 0 vllm; USER 2000" },
    },
    /** Upstream vLLM for NVIDIA GPUs: what the v0.9.0 guides run on every path but wide-EP. */
    vllmOpenai: {
        repository: "docker.io/vllm/vllm-openai",
        tag: "v0.26.0",
        source: "llm-d/llm-d release v0.9.0, guides/recipes/modelserver/components/images/gpu-vllm/release/kustomization.yaml",
    },
    /** vLLM for AMD GPUs. */
    vllmRocm: {
        repository: "ghcr.io/llm-d/llm-d-rocm",
        tag: "v0.8.1",
        // Deliberately behind v0.9.0, which the v0.9.0 guides named: P/D pods crash-loop on llm-d-rocm v0.9.0,
        // and llm-d pinned its AMD P/D guide back to v0.8.1 after the release (llm-d/llm-d#2522, tracked in #2523).
        source: "llm-d/llm-d guides/recipes/modelserver/components/images/amd-vllm/llm-d/kustomization.yaml (v0.8.1 as before release v0.9.0 and after llm-d/llm-d#2522)",
    },
    /** vLLM for Google TPUs. */
    vllmTpu: {
        repository: "docker.io/vllm/vllm-tpu",
        tag: "v0.27.0",
        // Newer than the v0.9.0 guides' v0.26.0; llm-d ships no TPU image of its own.
        source: "vllm-project/vllm release v0.27.0; llm-d/llm-d release v0.9.0 guides/recipes/modelserver/components/images/tpu-vllm/release/kustomization.yaml pins v0.26.0",
    },
    /** vLLM on CPU (real inference, slow; the simulator is the usual CPU choice). */
    vllmCpu: {
        repository: "docker.io/vllm/vllm-openai-cpu",
        tag: "v0.27.1",
        // Newer than the v0.9.0 guides' v0.26.0.
        source: "vllm-project/vllm release v0.27.1; llm-d/llm-d release v0.9.0 guides/recipes/modelserver/components/images/cpu-vllm/release/kustomization.yaml pins v0.26.0",
    },
    /** The llm-d inference simulator: a drop-in vLLM API on CPU, no model weights. */
    inferenceSim: {
        repository: "ghcr.io/llm-d/llm-d-inference-sim",
        tag: "v0.10.2",
        // The tag llm-d-router v0.10.0's own e2e manifests run against; newer sims exist (v0.11.x).
        source: "llm-d/llm-d-inference-sim release v0.10.2, as llm-d/llm-d-router v0.10.0 config/manifests/vllm/sim-deployment.yaml runs it",
        nonRootUser: { uid: 65532, source: "llm-d/llm-d-inference-sim v0.10.2 Dockerfile: FROM gcr.io/distroless/static:nonroot, USER 65532:65532" },
    },
    /**
     * llm-d's inference payload processor (IPP): an ext_proc server the Gateway calls before routing, which copies
     * the OpenAI body's `model` into `X-Gateway-Model-Name` and its base model (adapters resolved through the
     * ConfigMaps labelled `inference.llm-d.ai/ipp-managed`) into `X-Gateway-Base-Model-Name`, so one Gateway
     * routes many models. The repository publishes no release tags in git; the chart's image default is the
     * mutable `main`. v0.1.0 is the released, anonymously pullable image tag; its built-in default pipeline (no
     * `--config-file`) is the two plugins above, which is all llmd relies on.
     */
    payloadProcessor: {
        repository: "ghcr.io/llm-d/llm-d-inference-payload-processor",
        tag: "v0.1.0",
        source: "llm-d/llm-d-inference-payload-processor (chart config/charts/payload-processor 0.2.0 at commit 41be2aa, pkg/plugins/basemodelextractor); llm-d v0.9.0 guides/multi-model-routing",
    },
    /**
     * DOCA-OFED driver container the NVIDIA Network Operator runs on InfiniBand nodes (AKS ND sizes), matching
     * the `networkOperator` chart. The operator appends `-<os><version>-<arch>` to the tag itself.
     */
    docaDriver: {
        repository: "nvcr.io/nvidia/mellanox/doca-driver",
        tag: "doca3.4.1-26.04-1.1.0.0-1",
        source: "Mellanox/network-operator release v26.4.1, NVIDIA docs customizations/cr-full-example.html (ofedDriver.version)",
    },
    /** RDMA shared device plugin the Network Operator deploys; it advertises `rdma/ib` on InfiniBand nodes. */
    rdmaSharedDevicePlugin: {
        repository: "nvcr.io/nvidia/mellanox/k8s-rdma-shared-dev-plugin",
        tag: "network-operator-v26.4.1",
        source: "Mellanox/network-operator release v26.4.1, NVIDIA docs customizations/cr-full-example.html (rdmaSharedDevicePlugin.version)",
    },
} as const satisfies Record<string, ImagePin>;

export const CHARTS = {
    /** LeaderWorkerSet controller. */
    lws: {
        chart: "oci://registry.k8s.io/lws/charts/lws",
        version: "0.10.0",
        source: "kubernetes-sigs/lws release v0.10.0 (charts/lws)",
    },
    /**
     * Istio CRDs and base resources. The newest release (InferencePool v1 is served since 1.28); the v0.9.0
     * guides document 1.29.2 (llm-d/llm-d docs/infrastructure/gateway/istio.md, ISTIO_VERSION).
     */
    istioBase: {
        chart: "base",
        repo: "https://istio-release.storage.googleapis.com/charts",
        version: "1.30.3",
        source: "istio/istio release 1.30.3 (manifests/charts/base); llm-d/llm-d release v0.9.0 docs/infrastructure/gateway/istio.md pins 1.29.2",
    },
    /** Istio control plane (with the Gateway API Inference Extension turned on), same release as `istioBase`. */
    istiod: {
        chart: "istiod",
        repo: "https://istio-release.storage.googleapis.com/charts",
        version: "1.30.3",
        source: "istio/istio release 1.30.3 (manifests/charts/istio-control/istio-discovery); llm-d/llm-d release v0.9.0 docs/infrastructure/gateway/istio.md pins 1.29.2",
    },
    /**
     * agentgateway CRDs. The newest release, as llm-d's CI runs it; the v0.9.0 docs still name v1.1.0
     * (docs/infrastructure/gateway/agentgateway.md, AGENTGATEWAY_VERSION). `inferenceExtension.enabled` is
     * unchanged between the two (controller/install/helm/agentgateway/values.yaml).
     */
    agentgatewayCrds: {
        chart: "oci://cr.agentgateway.dev/charts/agentgateway-crds",
        version: "v1.4.1",
        source: "agentgateway/agentgateway release v1.4.1 (controller/install/helm/agentgateway-crds)",
    },
    /** agentgateway controller, same release as `agentgatewayCrds`. */
    agentgateway: {
        chart: "oci://cr.agentgateway.dev/charts/agentgateway",
        version: "v1.4.1",
        source: "agentgateway/agentgateway release v1.4.1 (controller/install/helm/agentgateway/values.yaml)",
    },
    /**
     * kgateway CRDs. llm-d deprecated kgateway (its v0.9.0 recipe guides/recipes/gateway/kgateway/gateway.yaml
     * renders an agentgateway Gateway). Deliberately held at the 2.1 line, the last whose installer serves
     * InferencePool on kgateway's own Envoy data plane: the 2.2 line (v2.2.8 is newest) dropped the inference
     * extension (the Envoy-based code, deprecated in 2.1: kgateway-dev/kgateway#12442; installer values: #12905,
     * #13501), leaving InferencePool to agentgateway.
     */
    kgatewayCrds: {
        chart: "oci://cr.kgateway.dev/kgateway-dev/charts/kgateway-crds",
        version: "v2.1.1",
        source: "kgateway-dev/kgateway release v2.1.1 (install/helm/kgateway-crds)",
    },
    /** kgateway controller, same release as `kgatewayCrds`. */
    kgateway: {
        chart: "oci://cr.kgateway.dev/kgateway-dev/charts/kgateway",
        version: "v2.1.1",
        source: "kgateway-dev/kgateway release v2.1.1 (install/helm/kgateway/values.yaml, inferenceExtension.enabled)",
    },
    /**
     * NVIDIA Kubernetes device plugin, for GPU nodes whose driver the cloud installs (AKS-managed drivers):
     * it advertises `nvidia.com/gpu`.
     */
    nvidiaDevicePlugin: {
        chart: "nvidia-device-plugin",
        repo: "https://nvidia.github.io/k8s-device-plugin",
        version: "0.18.0",
        source: "NVIDIA/k8s-device-plugin release v0.18.0 (deployments/helm/nvidia-device-plugin; static manifests on main pin image v0.18.0)",
    },
    /** NVIDIA GPU Operator: driver, container toolkit, device plugin and DCGM on nodes that have no driver. */
    gpuOperator: {
        chart: "gpu-operator",
        repo: "https://helm.ngc.nvidia.com/nvidia",
        version: "v26.3.3",
        source: "NVIDIA/gpu-operator release v26.3.3, archive helm.ngc.nvidia.com/nvidia/charts/gpu-operator-v26.3.3.tgz",
    },
    /**
     * AMD GPU Operator: builds and loads the amdgpu driver (through KMM) and runs the device plugin that
     * advertises `amd.com/gpu`. AKS installs no AMD driver, so MI300X pools need it.
     */
    amdGpuOperator: {
        chart: "gpu-operator-charts",
        repo: "https://rocm.github.io/gpu-operator",
        version: "v1.4.1",
        source: "ROCm/gpu-operator release v1.4.1 (helm-charts-k8s/Chart.yaml); AKS docs use-amd-gpus.md point to this operator",
    },
    /**
     * Kueue: quota, admission and Topology Aware Scheduling. OCI chart versions drop the tag's leading "v"
     * (hack/helm-chart-package.sh strips it; the packaged values point the image at
     * registry.k8s.io/kueue/kueue:v0.19.2). At this version TAS is beta and on by default (since v0.14), and
     * the LeaderWorkerSet integration is in the chart's default `integrations.frameworks`, so no values are
     * needed for llmd's use.
     */
    kueue: {
        chart: "oci://registry.k8s.io/kueue/charts/kueue",
        version: "0.19.2",
        source: "kubernetes-sigs/kueue release v0.19.2 (charts/kueue; install command in charts/kueue/README.md)",
    },
    /** cert-manager, which the AMD GPU Operator needs for its webhook certificates. */
    certManager: {
        chart: "cert-manager",
        repo: "https://charts.jetstack.io",
        version: "v1.18.2",
        source: "cert-manager/cert-manager release v1.18.2 (ROCm/gpu-operator docs install it from charts.jetstack.io)",
    },
    /**
     * NVIDIA Network Operator: installs DOCA-OFED and the RDMA shared device plugin from a `NicClusterPolicy`,
     * so InfiniBand nodes advertise `rdma/ib`. NGC chart versions carry no leading "v"
     * (helm.ngc.nvidia.com/nvidia/charts/network-operator-<version>.tgz).
     */
    networkOperator: {
        chart: "network-operator",
        repo: "https://helm.ngc.nvidia.com/nvidia",
        version: "26.4.1",
        source: "Mellanox/network-operator release v26.4.1 (NVIDIA docs kubernetes2641); llm-d docs/infrastructure/providers/aks installs it, Azure/aks-rdma-infiniband docs pin the 26.4 line",
    },
    /**
     * KEDA: scales model servers on the router's metrics (llm-d v0.9 `guides/workload-autoscaling`). Chart
     * and app versions are equal; the ScaledObject/TriggerAuthentication CRDs vendored for tests are v2.20.2.
     */
    keda: {
        chart: "keda",
        repo: "https://kedacore.github.io/charts",
        version: "2.20.2",
        source: "kedacore/charts tag v2.20.2 (keda/Chart.yaml version and appVersion 2.20.2), commit 1444d00d90d7668cf7f53f270777d039371d90d0",
    },
    /**
     * kube-prometheus-stack: Prometheus Operator, Prometheus and Grafana for clusters that have none. 88.3.0 is
     * the last release on Prometheus Operator v0.93.0, the version of the CRDs vendored for tests (88.4.0 moved
     * to v0.93.1).
     */
    kubePrometheusStack: {
        chart: "kube-prometheus-stack",
        repo: "https://prometheus-community.github.io/helm-charts",
        version: "88.3.0",
        source: "prometheus-community/helm-charts tag kube-prometheus-stack-88.3.0, charts/kube-prometheus-stack/Chart.yaml (appVersion v0.93.0), commit 54199b5bd7cdc3e6f27457791d744dd2761d378e",
    },
} as const satisfies Record<string, ChartPin>;

export const MANIFESTS = {
    /** Gateway API CRDs, standard channel. */
    gatewayApi: {
        folder: "gateway-api-v1.6.1",
        version: "v1.6.1",
        source: "kubernetes-sigs/gateway-api v1.6.1 config/crd/standard/",
    },
    /** Gateway API Inference Extension CRDs (InferencePool v1). */
    inferenceExtension: {
        folder: "gateway-api-inference-extension-v1.6.0",
        version: "v1.6.0",
        source: "kubernetes-sigs/gateway-api-inference-extension v1.6.0 config/crd/bases/",
    },
    /** llm-d router CRDs: InferenceObjective (per-request priority) and InferenceModelRewrite (model rewrites, traffic splits). */
    llmdRouter: {
        folder: "llm-d-router-v0.10.0",
        version: "v0.10.0",
        source: "llm-d/llm-d-router v0.10.0 config/crd/bases/",
    },
} as const satisfies Record<string, ManifestPin>;

/**
 * The Pod Security Standards policy version llmd's namespace labels name (`pod-security.kubernetes.io/*-version`).
 * Pinned so a cluster upgrade never changes the rules under running pods; the checker in
 * components/render/pod-security-standards.ts implements this version's baseline and restricted rules.
 */
export const POD_SECURITY_STANDARDS = {
    version: "v1.33",
    source: "https://kubernetes.io/docs/concepts/security/pod-security-standards/ (policy v1.33); https://kubernetes.io/docs/concepts/security/pod-security-admission/ (labels)",
} as const;
