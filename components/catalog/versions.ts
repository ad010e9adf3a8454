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
        source: "llm-d/llm-d-router release v0.10.0",
    },
    /** The P/D routing sidecar that runs beside decode pods. */
    disaggSidecar: {
        repository: "ghcr.io/llm-d/llm-d-router-disagg-sidecar",
        tag: "v0.10.0",
        source: "llm-d/llm-d-router release v0.10.0 (the sidecar ships with the router)",
    },
    /** vLLM for NVIDIA GPUs. */
    vllmCuda: {
        repository: "ghcr.io/llm-d/llm-d-cuda",
        tag: "v0.5.0",
        source: "llm-d/llm-d guides (model-server recipes)",
    },
    /** vLLM for AMD GPUs. */
    vllmRocm: {
        repository: "ghcr.io/llm-d/llm-d-rocm",
        tag: "v0.5.0",
        source: "llm-d/llm-d guides (model-server recipes)",
    },
    /** vLLM for Google TPUs. */
    vllmTpu: {
        repository: "vllm/vllm-tpu",
        tag: "v0.11.1",
        source: "vllm-project/tpu-inference releases (used by llm-d TPU guides)",
    },
    /** vLLM on CPU (real inference, slow; the simulator is the usual CPU choice). */
    vllmCpu: {
        repository: "ghcr.io/llm-d/llm-d-cpu",
        tag: "v0.5.0",
        source: "llm-d/llm-d docker/ CPU image",
    },
    /** The llm-d inference simulator: a drop-in vLLM API on CPU, no model weights. */
    inferenceSim: {
        repository: "ghcr.io/llm-d/llm-d-inference-sim",
        tag: "v0.7.1",
        source: "llm-d/llm-d-inference-sim releases",
    },
} as const satisfies Record<string, ImagePin>;

export const CHARTS = {
    /** LeaderWorkerSet controller. */
    lws: {
        chart: "oci://registry.k8s.io/lws/charts/lws",
        version: "0.10.0",
        source: "kubernetes-sigs/lws release v0.10.0 (charts/lws)",
    },
    /** Istio CRDs and base resources. */
    istioBase: {
        chart: "base",
        repo: "https://istio-release.storage.googleapis.com/charts",
        version: "1.29.2",
        source: "istio/istio release 1.29.2, as pinned by llm-d guides",
    },
    /** Istio control plane (with the Gateway API Inference Extension turned on). */
    istiod: {
        chart: "istiod",
        repo: "https://istio-release.storage.googleapis.com/charts",
        version: "1.29.2",
        source: "istio/istio release 1.29.2, as pinned by llm-d guides",
    },
    /** agentgateway CRDs. */
    agentgatewayCrds: {
        chart: "oci://cr.agentgateway.dev/charts/agentgateway-crds",
        version: "v1.1.0",
        source: "agentgateway/agentgateway release v1.1.0, as pinned by llm-d guides",
    },
    /** agentgateway controller. */
    agentgateway: {
        chart: "oci://cr.agentgateway.dev/charts/agentgateway",
        version: "v1.1.0",
        source: "agentgateway/agentgateway release v1.1.0, as pinned by llm-d guides",
    },
    /** kgateway CRDs (llm-d marks kgateway deprecated in favour of agentgateway). */
    kgatewayCrds: {
        chart: "oci://cr.kgateway.dev/kgateway-dev/charts/kgateway-crds",
        version: "v2.1.1",
        source: "kgateway-dev/kgateway release v2.1.1",
    },
    /** kgateway controller. */
    kgateway: {
        chart: "oci://cr.kgateway.dev/kgateway-dev/charts/kgateway",
        version: "v2.1.1",
        source: "kgateway-dev/kgateway release v2.1.1",
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
} as const satisfies Record<string, ManifestPin>;
