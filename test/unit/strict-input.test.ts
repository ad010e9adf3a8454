import * as assert from "assert";
import { InferenceGateway } from "../../components/gateway";
import { TopologyAwareScheduling } from "../../components/kueue";
import { LlmdDeployment } from "../../components/llmd";
import { LeaderWorkerSetController } from "../../components/lws";
import { LlmdModel } from "../../components/model";
import { ModelServer } from "../../components/model-server";
import { LlmdPlatform } from "../../components/platform";
import { RouterHost } from "../../components/router-host";
import { InferenceRouter } from "../../components/router";
import { AksCluster } from "../../providers/aks";
import { DoksCluster } from "../../providers/digitalocean";
import { ExistingCluster } from "../../providers/existing";
import { GkeCluster } from "../../providers/gke";
import { assertConfigError, expectConstructionError } from "../support/config-errors";
import { catalogPool } from "../support/pools";
import { runStackProgram } from "../support/stack-program";

// Pools whose machines the catalog sizes, so pod requests are checked against a node's CPU and memory.
const a3High = catalogPool("gke", "a3-highgpu-8g", { name: "h100", maxNodes: 2, nodeLabels: {}, taints: [] });
const g2x2 = catalogPool("gke", "g2-standard-24", { name: "l4", maxNodes: 1, nodeLabels: {}, taints: [] });
const PROMETHEUS = "http://prometheus.monitoring.svc:9090";

// The bad-input corpus of strict input (issue 8): each case is what a user could write in YAML, Python or
// Go, the field the error must name exactly as written, and a fragment of what it must say is valid.
type Case = [title: string, args: Record<string, unknown>, field: string, expected: RegExp];

// A hand-written platform ref that is valid in every other field.
const REF = { name: "llmd", namespace: "llm-d", gatewayImplementation: "istio", gatewayName: "gw", modelRouting: "none", leaderWorkerSet: false };

const components: Record<string, new (name: string, args: any) => unknown> = {
    LlmdDeployment,
    LlmdPlatform,
    LlmdModel,
    InferenceGateway,
    InferenceRouter,
    ModelServer,
    LeaderWorkerSetController,
    TopologyAwareScheduling,
    RouterHost,
    ExistingCluster,
    GkeCluster,
    AksCluster,
    DoksCluster,
};

const BOOL = /expected true or false/;
const LIST = /expected a list/;
const INT32 = /expected an integer >= 0 and <= 2147483647/;
const OBJECT = /expected an object/;
const STRING = /expected a string/;
const QUANTITY = /Kubernetes quantity/;
const IMAGE = /expected an image reference/;
const SECRET = /got a literal credential \(not shown\); .*hfToken .*hfTokenSecretName/;
const JWKS = JSON.stringify({ keys: [{ kty: "RSA", n: "a", e: "AQAB" }] });
const mean = (field: string) => new RegExp(`did you mean ${field.replace(/[.[\]]/g, "\\$&")}\\?`);

const componentCases: Record<string, Case[]> = {
    LlmdDeployment: [
        ["typo in a role field", { decode: { tensorParalelSize: 2 } }, "decode.tensorParalelSize", mean("decode.tensorParallelSize")],
        ["singular replicas", { prefill: { replica: 2 } }, "prefill.replica", mean("prefill.replicas")],
        ["case slip in a router field", { router: { failuremode: "FailOpen" } }, "router.failuremode", mean("router.failureMode")],
        ["typo'd kubernetesVersion", { kubernetesVerison: "1.25" }, "kubernetesVerison", mean("kubernetesVersion")],
        ["lower-case hfTokenSecretName", { hfTokenSecretname: "hf" }, "hfTokenSecretname", mean("hfTokenSecretName")],
        ["typo in a gateway field", { gateway: { implementaion: "istio" } }, "gateway.implementaion", mean("gateway.implementation")],
        ["allowTCP for allowTcp", { network: { allowTCP: true } }, "network.allowTCP", mean("network.allowTcp")],
        ["typo in topology scheduling", { topologyAwareScheduling: { rackLable: "rack" } }, "topologyAwareScheduling.rackLable", mean("topologyAwareScheduling.rackLabel")],
        ["typo in a LoRA adapter", { lora: { adapters: [{ name: "a", sorce: "org/a" }] } }, "lora.adapters[0].sorce", mean("lora.adapters[0].source")],
        ["typo in an objective", { objectives: [{ name: "x", priorty: 1 }] }, "objectives[0].priorty", mean("objectives[0].priority")],
        ["typo in a rewrite target", { rewrites: [{ name: "r", targets: [{ model: "m", wieght: 1 }] }] }, "rewrites[0].targets[0].wieght", mean("rewrites[0].targets[0].weight")],
        ["typo in a pool", { pools: [{ name: "p", acelerator: "nvidia-h100" }] }, "pools[0].acelerator", mean("pools[0].accelerator")],
        ["a field from nowhere", { replicas: 2 }, "replicas", /expected a field these args take/],
        ["createNamespace: \"no\"", { createNamespace: "no" }, "createNamespace", BOOL],
        ["enableExpertParallel: \"no\"", { decode: { enableExpertParallel: "no" } }, "decode.enableExpertParallel", BOOL],
        ["simulate as a string", { simulate: "yes" }, "simulate", BOOL],
        ["installLeaderWorkerSet as a string", { installLeaderWorkerSet: "false" }, "installLeaderWorkerSet", BOOL],
        ["gateway.internal as a string", { gateway: { internal: "true" } }, "gateway.internal", BOOL],
        ["network.privileged as a number", { network: { privileged: 1 } }, "network.privileged", BOOL],
        ["installKueue as a string", { topologyAwareScheduling: { installKueue: "no" } }, "topologyAwareScheduling.installKueue", BOOL],
        ["runtimeLoading as a string", { lora: { runtimeLoading: "true" } }, "lora.runtimeLoading", BOOL],
        ["extraArgs as one string", { decode: { extraArgs: "--max-model-len 4096" } }, "decode.extraArgs", /expected a list .*not one string/],
        ["an extraArgs item as a number", { decode: { extraArgs: ["--max-model-len", 4096] } }, "decode.extraArgs[1]", STRING],
        ["command as one string", { decode: { command: "vllm serve" } }, "decode.command", LIST],
        ["rdmaDevices as one string", { network: { rdmaDevices: "mlx5_0" } }, "network.rdmaDevices", LIST],
        ["LoRA adapters as a mapping", { lora: { adapters: { name: "a" } } }, "lora.adapters", LIST],
        ["rewrite models as one string", { rewrites: [{ name: "r", models: "a" }] }, "rewrites[0].models", LIST],
        ["pools as a mapping", { pools: {} }, "pools", LIST],
        ["replicas of 3e9", { decode: { replicas: 3e9 } }, "decode.replicas", INT32],
        ["router replicas of 3e9", { router: { replicas: 3e9 } }, "router.replicas", INT32],
        ["router replicas as a string", { router: { replicas: "2" } }, "router.replicas", INT32],
        ["data-parallel size of 1e10", { decode: { dataParallelSize: 1e10 } }, "decode.dataParallelSize", INT32],
        ["nodesPerReplica as a string", { decode: { nodesPerReplica: "2" } }, "decode.nodesPerReplica", INT32],
        ["fractional listener port", { gateway: { listenerPort: 80.5 } }, "gateway.listenerPort", INT32],
        ["negative RDMA resource count", { network: { rdmaResourceCount: -1 } }, "network.rdmaResourceCount", INT32],
        ["fractional maxLoras", { lora: { maxLoras: 2.5 } }, "lora.maxLoras", INT32],
        ["priority beyond int32", { objectives: [{ name: "x", priority: 3e9 }] }, "objectives[0].priority", /integer >= -2147483648 and <= 2147483647/],
        ["negative pool size", { pools: [{ name: "p", maxNodes: -2 }] }, "pools[0].maxNodes", INT32],
        ["preset as a number", { preset: 5 }, "preset", STRING],
        ["model as a list", { model: ["a/b"] }, "model", STRING],
        ["kubernetesVersion as a number", { kubernetesVersion: 1.33 }, "kubernetesVersion", STRING],
        ["accelerator as a boolean", { accelerator: true }, "accelerator", STRING],
        ["platform as a number", { platform: 5 }, "platform", STRING],
        ["role pool as a number", { decode: { pool: 3 } }, "decode.pool", STRING],
        ["gateway as a list", { gateway: ["istio"] }, "gateway", OBJECT],
        ["controller values as a string", { gateway: { controllerValues: "a: b" } }, "gateway.controllerValues", OBJECT],
        ["args as a string", "simulator" as unknown as Record<string, unknown>, "args", OBJECT],
        ["env as a list", { decode: { env: ["A=1"] } }, "decode.env", /mapping of names/],
        ["literal HF_TOKEN in env", { decode: { env: { HF_TOKEN: "hf_abcdef" } } }, "decode.env.HF_TOKEN", SECRET],
        ["literal HUGGING_FACE_HUB_TOKEN in prefill env", { prefill: { env: { HUGGING_FACE_HUB_TOKEN: "hf_abcdef" } } }, "prefill.env.HUGGING_FACE_HUB_TOKEN", SECRET],
        ["literal OPENAI_API_KEY in env", { decode: { env: { OPENAI_API_KEY: "sk-1" } } }, "decode.env.OPENAI_API_KEY", SECRET],
        ["literal DB_PASSWORD in env", { decode: { env: { DB_PASSWORD: "hunter2" } } }, "decode.env.DB_PASSWORD", SECRET],
        ["literal AWS_SECRET_ACCESS_KEY in env", { decode: { env: { AWS_SECRET_ACCESS_KEY: "x" } } }, "decode.env.AWS_SECRET_ACCESS_KEY", SECRET],
        ["literal GITHUB_TOKEN in env", { decode: { env: { GITHUB_TOKEN: "ghp_x" } } }, "decode.env.GITHUB_TOKEN", SECRET],
        ["env value as a number", { decode: { env: { VLLM_PORT: 8000 } } }, "decode.env.VLLM_PORT", STRING],
        ["env name starting with a digit", { decode: { env: { "1ST": "x" } } }, "decode.env", /environment variable names/],
        ["env name with '='", { decode: { env: { "A=B": "x" } } }, "decode.env", /environment variable names/],
        ["env name with a space", { prefill: { env: { "MY VAR": "x" } } }, "prefill.env", /environment variable names/],
        ["cpu as a number", { decode: { cpu: 4 } }, "decode.cpu", QUANTITY],
        ["memory in GB", { decode: { memory: "16GB" } }, "decode.memory", QUANTITY],
        ["a bearer token to Managed Prometheus", { autoscaling: { prometheusAddress: "https://monitoring.googleapis.com/v1/projects/my-project/location/global/prometheus", bearerAuth: true } }, "autoscaling.bearerAuth", /Workload Identity/],
        ["a Cloud Monitoring URL that is not its Prometheus API", { autoscaling: { prometheusAddress: "https://monitoring.googleapis.com/v3/projects/my-project/timeSeries" } }, "autoscaling.prometheusAddress", /location\/global\/prometheus/],
        ["OpenShift's Thanos querier on its all-namespaces port", { platform: "openshift", autoscaling: { prometheusAddress: "https://thanos-querier.openshift-monitoring.svc.cluster.local:9091" } }, "autoscaling.prometheusAddress", /tenancy port, https:\/\/thanos-querier\.openshift-monitoring\.svc\.cluster\.local:9092/],
        ["OpenShift's Thanos querier over plain http", { platform: "openshift", autoscaling: { prometheusAddress: "http://thanos-querier.openshift-monitoring.svc:9092" } }, "autoscaling.prometheusAddress", /tenancy port/],
        ["OpenShift's Thanos querier without a token", { platform: "openshift", autoscaling: { prometheusAddress: "https://thanos-querier.openshift-monitoring.svc.cluster.local:9092", bearerAuth: false } }, "autoscaling.bearerAuth", /expected true or unset/],
        ["OpenShift's Thanos querier on a GKE cluster", { platform: "gke", autoscaling: { prometheusAddress: "https://thanos-querier.openshift-monitoring.svc.cluster.local:9092" } }, "autoscaling.prometheusAddress", /exists only on OpenShift, and this model's cluster is gke/],
        // Pod requests against one node of the pool (issue "Operate it": allocatable).
        ["decode memory above an A3 node's", { preset: "optimized-baseline", pools: [a3High], decode: { memory: "2Ti" } }, "decode.memory", /\(a3-highgpu-8g\) has 1872Gi memory, about 18\d\d\.\dGi of it allocatable/],
        ["decode CPU above an A3 node's", { preset: "optimized-baseline", pools: [a3High], decode: { cpu: "256" } }, "decode.cpu", /has 208 vCPUs, about 20\d\.\d of it allocatable/],
        ["prefill memory above an A3 node's", { preset: "pd-disaggregation", pools: [a3High], network: { allowTcp: true }, prefill: { memory: "1900Gi" } }, "prefill.memory", /expected at most 18\d\d\.\dGi/],
        ["decode CPU in millicores above an L4 node's", { accelerator: "nvidia-l4", preset: "optimized-baseline", pools: [g2x2], decode: { replicas: 1, tensorParallelSize: 1, cpu: "24000m" } }, "decode.cpu", /\(g2-standard-24\) has 24 vCPUs/],
        ["replicas whose memory needs more nodes than the pool has", { accelerator: "nvidia-l4", preset: "optimized-baseline", pools: [g2x2], decode: { replicas: 2, tensorParallelSize: 1, memory: "60Gi" } }, "decode.replicas", /needs 2 nodes .*1 per node\), but the pool has at most 1/],
        ["an autoscaler maximum whose CPU needs more nodes than the pool has", { accelerator: "nvidia-l4", preset: "optimized-baseline", pools: [g2x2], decode: { replicas: 1, tensorParallelSize: 1, cpu: "16" }, autoscaling: { prometheusAddress: PROMETHEUS, maxReplicas: 2 } }, "autoscaling.maxReplicas", /need 2 nodes .*1 per node\), but the pool has at most 1; expected at most 1/],
        ["negative cache size", { decode: { modelCacheSize: "-1Gi" } }, "decode.modelCacheSize", QUANTITY],
        ["router memory request as a number", { router: { resources: { memoryRequest: 16 } } }, "router.resources.memoryRequest", QUANTITY],
        ["router CPU request in words", { router: { resources: { cpuRequest: "lots" } } }, "router.resources.cpuRequest", QUANTITY],
        ["router memory request above its limit", { router: { resources: { memoryRequest: "16Gi", memoryLimit: "8Gi" } } }, "router.resources.memoryRequest", /at most memoryLimit \(8Gi\)/],
        ["image with a trailing space", { decode: { image: "ghcr.io/llm-d/llm-d-cuda:v0.4.0 " } }, "decode.image", IMAGE],
        ["image with an upper-case repository", { decode: { image: "ghcr.io/LLM-D/llm-d-cuda:v0.4.0" } }, "decode.image", IMAGE],
        ["router image with a space", { router: { image: "my image" } }, "router.image", IMAGE],
        ["image with an empty tag", { prefill: { image: "vllm/vllm-openai:" } }, "prefill.image", IMAGE],
        ["namespace kube-system", { namespace: "kube-system" }, "namespace", /outside kube-\*/],
        ["namespace kube-public", { namespace: "kube-public" }, "namespace", /outside kube-\*/],
        ["namespace default, created by default", { namespace: "default" }, "namespace", /"default" exists in every cluster/],
        ["namespace default with createNamespace", { namespace: "default", createNamespace: true }, "namespace", /"default" exists in every cluster/],
        ["a taint effect that does not exist", { pools: [{ name: "p", taints: [{ key: "k", effect: "NoScheduled" }] }] }, "pools[0].taints[0].effect", /NoSchedule, PreferNoSchedule, NoExecute/],
        ["a node label value with spaces", { pools: [{ name: "p", nodeLabels: { "nvidia.com/gpu.product": "NVIDIA H100 80GB" } }] }, "pools[0].nodeLabels.nvidia.com/gpu.product", /label value/],
        ["a node label key with a space", { pools: [{ name: "p", nodeLabels: { "gpu type": "h100" } }] }, "pools[0].nodeLabels", /label keys/],
    ],
    LlmdPlatform: [
        ["a KEDA Google service account that is no email", { operators: { keda: true, kedaGcpServiceAccount: "keda-reader" } }, "operators.kedaGcpServiceAccount", /Google service account email/],
        ["a KEDA Google service account without KEDA", { operators: { kedaGcpServiceAccount: "keda-reader@my-project.iam.gserviceaccount.com" } }, "operators.kedaGcpServiceAccount", /expected keda: true/],
        ["typo'd gateway", { gatway: {} }, "gatway", mean("gateway")],
        ["typo in topology settings", { topologyAwareScheduling: { placment: "required" } }, "topologyAwareScheduling.placment", mean("topologyAwareScheduling.placement")],
        ["createNamespace: \"no\"", { createNamespace: "no" }, "createNamespace", BOOL],
        ["installCrds as a string", { installCrds: "yes" }, "installCrds", BOOL],
        ["modelRouting as a string", { modelRouting: "true" }, "modelRouting", BOOL],
        ["leaderWorkerSet as a number", { leaderWorkerSet: 1 }, "leaderWorkerSet", BOOL],
        ["namespace kube-system", { namespace: "kube-system" }, "namespace", /outside kube-\*/],
        ["namespace default", { namespace: "default" }, "namespace", /"default" exists/],
        ["multus networks as one string", { network: { multusNetworks: "a,b" } }, "network.multusNetworks", LIST],
        ["listener port as a string", { gateway: { listenerPort: "80" } }, "gateway.listenerPort", INT32],
        ["authentication as a string", { gateway: { authentication: "jwt" } }, "gateway.authentication", OBJECT],
        ["typo in the JWT settings", { gateway: { authentication: { jwt: { isuer: "i" } } } }, "gateway.authentication.jwt.isuer", mean("gateway.authentication.jwt.issuer")],
        ["a JWT issuer as a number", { gateway: { authentication: { jwt: { issuer: 7, jwks: JWKS } } } }, "gateway.authentication.jwt.issuer", STRING],
        ["JWT audiences as one string", { gateway: { authentication: { jwt: { issuer: "i", jwks: JWKS, audiences: "llm" } } } }, "gateway.authentication.jwt.audiences", LIST],
        ["a JWKS as a mapping", { gateway: { authentication: { jwt: { issuer: "i", jwks: { keys: [] } } } } }, "gateway.authentication.jwt.jwks", STRING],
        ["a JWKS URL over plain http", { gateway: { authentication: { jwt: { issuer: "i", jwksUri: "http://id.example.com/keys" } } } }, "gateway.authentication.jwt.jwksUri", /https:\/\//],
        ["both jwksUri and jwks", { gateway: { authentication: { jwt: { issuer: "i", jwks: JWKS, jwksUri: "https://id.example.com/k" } } } }, "gateway.authentication.jwt.jwksUri", /exactly one/],
        ["a JWKS URL on agentgateway", { gateway: { implementation: "agentgateway", authentication: { jwt: { issuer: "i", jwksUri: "https://id.example.com/k" } } } }, "gateway.authentication.jwt.jwksUri", /inline/],
        ["API keys written in as a literal", { gateway: { implementation: "agentgateway", authentication: { apiKeys: { key: "sk-123" } } } }, "gateway.authentication.apiKeys.key", /got a value \(not shown: it may be a secret\); expected a field gateway.authentication.apiKeys takes: secretName/],
        ["API keys as a literal string", { gateway: { implementation: "agentgateway", authentication: { apiKeys: "sk-123" } } }, "gateway.authentication.apiKeys", /got a value \(not shown: it may be a secret\); expected an object/],
        ["API keys on Istio", { gateway: { authentication: { apiKeys: { secretName: "keys" } } } }, "gateway.authentication.apiKeys", /agentgateway/],
        ["an API-key Secret name with capitals", { gateway: { implementation: "agentgateway", authentication: { apiKeys: { secretName: "Keys" } } } }, "gateway.authentication.apiKeys.secretName", /Secret/],
        ["authentication on GKE", { gateway: { implementation: "gke", authentication: { jwt: { issuer: "i", jwks: JWKS } } } }, "gateway.authentication", /Identity-Aware Proxy/],
        ["authentication on kgateway", { gateway: { implementation: "kgateway", authentication: { jwt: { issuer: "i", jwks: JWKS } } } }, "gateway.authentication", /agentgateway/],
        ["empty authentication", { gateway: { authentication: {} } }, "gateway.authentication", /jwt.*apiKeys/],
        ["public without authentication or waiver", { gateway: { implementation: "kgateway", public: true } }, "gateway.public", /allowUnauthenticated/],
        ["the waiver next to authentication", { gateway: { public: true, allowUnauthenticated: true, authentication: { jwt: { issuer: "i", jwks: JWKS } } } }, "gateway.allowUnauthenticated", /drop allowUnauthenticated/],
        ["tls as a Secret name", { gateway: { tls: "llm-cert" } }, "gateway.tls", OBJECT],
        ["a TLS port as a string", { gateway: { tls: { certificateSecretName: "c", port: "443" } } }, "gateway.tls.port", INT32],
        ["a TLS port out of range", { gateway: { tls: { certificateSecretName: "c", port: 70000 } } }, "gateway.tls.port", /1 to 65535/],
        ["a TLS Secret name as a number", { gateway: { tls: { certificateSecretName: 5 } } }, "gateway.tls.certificateSecretName", STRING],
        ["no TLS Secret name", { gateway: { tls: {} } }, "gateway.tls.certificateSecretName", /kubernetes.io\/tls Secret/],
        ["listenerPort next to tls", { gateway: { listenerPort: 8080, tls: { certificateSecretName: "c" } } }, "gateway.listenerPort", /tls.port/],
        ["a pool label key with two slashes", { pools: [{ name: "p", nodeLabels: { "a/b/c": "x" } }] }, "pools[0].nodeLabels", /label keys/],
        ["podSecurity not a level", { podSecurity: "strict" }, "podSecurity", /restricted, baseline, privileged/],
        ["podSecurity as a number", { podSecurity: 1 }, "podSecurity", /expected one of restricted, baseline, privileged/],
        ["podSecurity stricter than the gateway's proxies meet", { gateway: { implementation: "agentgateway" }, podSecurity: "restricted" }, "podSecurity", /meet only baseline .*agentgateway gateway proxy/],
    ],
    LlmdModel: [
        ["decod for decode", { decod: { replicas: 1 } }, "decod", mean("decode")],
        ["typo in a LoRA adapter", { lora: { adapters: [{ name: "a", sorce: "org/a" }] } }, "lora.adapters[0].sorce", mean("lora.adapters[0].source")],
        ["typo in the platform ref", { platform: { nmae: "llmd" } }, "platform.nmae", mean("platform.name")],
        ["clusterProvider as a number", { clusterProvider: 5 }, "clusterProvider", STRING],
        ["router replicas of 3e9", { router: { replicas: 3e9 } }, "router.replicas", INT32],
        ["namespace kube-node-lease", { namespace: "kube-node-lease" }, "namespace", /outside kube-\*/],
        ["namespace default created on purpose", { namespace: "default", createNamespace: true }, "namespace", /"default" exists/],
        ["createNamespace: \"no\"", { createNamespace: "no" }, "createNamespace", BOOL],
        ["objectives as a mapping", { objectives: { name: "a" } }, "objectives", LIST],
        ["literal HF_TOKEN in env", { decode: { env: { HF_TOKEN: "hf_x" } } }, "decode.env.HF_TOKEN", SECRET],
        ["hfToken as a number", { hfToken: 5 }, "hfToken", STRING],
        ["a gateway setting on a model", { gateway: {} }, "gateway", /expected a field these args take/],
        ["a platform ref with an unknown podSecurity", { platform: { ...REF, podSecurity: "none" } }, "platform.podSecurity", /restricted, baseline, privileged/],
        [
            "root-running vLLM in a platform namespace enforcing restricted",
            { platform: { ...REF, podSecurity: "restricted" }, preset: "optimized-baseline", accelerator: "nvidia-l4" },
            "namespace",
            /enforces Pod Security restricted, and this model's pods meet only baseline \(running as non-root: vllm\)/,
        ],
    ],
    InferenceGateway: [
        ["typo'd implementation", { implementaton: "istio" }, "implementaton", mean("implementation")],
        ["internal as a string", { internal: "yes" }, "internal", BOOL],
        ["listener port as a string", { listenerPort: "80" }, "listenerPort", INT32],
        ["route namespace label as a number", { routeNamespaceLabels: { tier: 1 } }, "routeNamespaceLabels.tier", STRING],
        ["route namespace label key starting with '-'", { routeNamespaceLabels: { "-tier": "a" } }, "routeNamespaceLabels", /label keys/],
        ["controller namespace kube-system", { controllerNamespace: "kube-system" }, "controllerNamespace", /outside kube-\*/],
        ["controller namespace default, created by default", { controllerNamespace: "default" }, "controllerNamespace", /"default" exists/],
        ["createControllerNamespace as a string", { createControllerNamespace: "no" }, "createControllerNamespace", BOOL],
        ["namespace default created on purpose", { namespace: "default", createNamespace: true }, "namespace", /"default" exists/],
        ["controller values as a list", { controllerValues: [] }, "controllerValues", OBJECT],
        ["route namespace not a DNS label", { routeNamespace: "Models" }, "routeNamespace", /lowercase letters/],
        ["typo in tls", { tls: { certificateSecret: "c" } }, "tls.certificateSecret", mean("tls.certificateSecretName")],
        ["API-key Secret name as a number", { authentication: { apiKeys: { secretName: 3 } } }, "authentication.apiKeys.secretName", STRING],
        ["public on none", { implementation: "none", namespace: "llm", public: true, allowUnauthenticated: true }, "public", /none/],
        ["tls on none", { implementation: "none", namespace: "llm", tls: { certificateSecretName: "c" } }, "tls", /none/],
        ["a JWT issuer longer than agentgateway takes", { implementation: "agentgateway", namespace: "llm", authentication: { jwt: { issuer: "i".repeat(300), jwks: JWKS } } }, "authentication.jwt.issuer", /256/],
    ],
    InferenceRouter: [
        ["target ports as a number", { targetPorts: 8000 }, "targetPorts", LIST],
        ["a target port as a string", { targetPorts: ["8000"] }, "targetPorts[0]", INT32],
        ["replicas of 3e9", { replicas: 3e9 }, "replicas", INT32],
        ["selector value with a space", { modelServerSelector: { app: "my app" } }, "modelServerSelector.app", /label value/],
        ["standalone as a string", { standalone: "true" }, "standalone", BOOL],
        ["typo in proxy resources", { proxyResources: { memoryLimt: "8Gi" } }, "proxyResources.memoryLimt", mean("proxyResources.memoryLimit")],
        ["typo in the gateway ref", { gateway: { nme: "g" } }, "gateway.nme", mean("gateway.name")],
        ["image with a space in the tag", { image: "ghcr.io/x:tag with space" }, "image", IMAGE],
        ["kvEventsListener as a string", { kvEventsListener: "on" }, "kvEventsListener", BOOL],
        ["proxy port beyond int32", { proxyPort: 1e12 }, "proxyPort", INT32],
    ],
    ModelServer: [
        ["typo'd tensor-parallel size", { tensorParalelSize: 2 }, "tensorParalelSize", mean("tensorParallelSize")],
        ["enableExpertParallel: \"no\"", { enableExpertParallel: "no" }, "enableExpertParallel", BOOL],
        ["extraArgs as one string", { extraArgs: "--max-model-len 4096" }, "extraArgs", LIST],
        ["replicas of 3e9", { replicas: 3e9 }, "replicas", INT32],
        ["literal HF_TOKEN in env", { env: { HF_TOKEN: "hf_x" } }, "env.HF_TOKEN", SECRET],
        ["pool label value too long", { poolLabels: { pool: "x".repeat(64) } }, "poolLabels.pool", /label value/],
        ["accelerators per node as a string", { pool: { name: "p", acceleratorsPerNode: "8" } }, "pool.acceleratorsPerNode", INT32],
        ["typo in a taint", { pool: { name: "p", taints: [{ key: "k", efect: "NoSchedule" }] } }, "pool.taints[0].efect", mean("pool.taints[0].effect")],
        ["lower-case kvtransfer", { pd: { kvtransfer: "nixl" } }, "pd.kvtransfer", mean("pd.kvTransfer")],
        ["fractional KV block size", { kvEvents: { blockSize: 64.5 } }, "kvEvents.blockSize", INT32],
        ["typo in workload timeouts", { workloadTimeouts: { crate: "30m" } }, "workloadTimeouts.crate", mean("workloadTimeouts.create")],
        ["lower-case localqueue", { kueue: { localqueue: "q" } }, "kueue.localqueue", mean("kueue.localQueue")],
        ["port as a string", { port: "8000" }, "port", INT32],
        ["autoscaled as a string", { autoscaled: "yes" }, "autoscaled", BOOL],
        ["cpu in words", { cpu: "1 core" }, "cpu", QUANTITY],
        ["namespace kube-system", { namespace: "kube-system" }, "namespace", /outside kube-\*/],
        ["kubernetesProvider not a resource", { kubernetesProvider: "kind-llmd" }, "kubernetesProvider", /Pulumi resource/],
    ],
    LeaderWorkerSetController: [
        ["namespace default, created by default", { namespace: "default" }, "namespace", /"default" exists/],
        ["createNamespace: \"no\"", { createNamespace: "no" }, "createNamespace", BOOL],
        ["values as a string", { values: "x" }, "values", OBJECT],
        ["valuse for values", { valuse: {} }, "valuse", mean("values")],
    ],
    TopologyAwareScheduling: [
        ["levels as one string", { levels: "cloud.google.com/gce-topology-block" }, "levels", LIST],
        ["Kueue namespace default, created by default", { kueueNamespace: "default" }, "kueueNamespace", /"default" exists/],
        ["createKueueNamespace as a string", { createKueueNamespace: "no" }, "createKueueNamespace", BOOL],
        ["cpuPerNode as a string", { cpuPerNode: "256" }, "cpuPerNode", /expected a number/],
        ["typo in an extra resource", { extraResources: [{ name: "r", perNod: 1 }] }, "extraResources[0].perNod", mean("extraResources[0].perNode")],
        ["fractional RDMA resource count", { network: { rdmaResourceCount: 1.5 } }, "network.rdmaResourceCount", INT32],
        ["an extra resource name with a space", { extraResources: [{ name: "rdma ib", perNode: 1 }] }, "extraResources[0].name", /qualified name/],
        ["lower-case topologyprofile", { topologyprofile: "gke" }, "topologyprofile", mean("topologyProfile")],
    ],
    RouterHost: [
        ["prot for port", { connection: { prot: 22 } }, "connection.prot", mean("connection.port")],
        ["SSH port as a string", { connection: { port: "22" } }, "connection.port", INT32],
        ["useSudo as a string", { useSudo: "yes" }, "useSudo", BOOL],
        ["typo in an endpoint", { initialEndpoints: [{ name: "w", adress: "10.0.0.1" }] }, "initialEndpoints[0].adress", mean("initialEndpoints[0].address")],
        ["endpoint label value with a space", { initialEndpoints: [{ name: "w", labels: { a: "b c" } }] }, "initialEndpoints[0].labels.a", /label value/],
        ["router image with a space", { routerImage: "Bad Image" }, "routerImage", IMAGE],
        ["fractional sync interval", { syncIntervalSeconds: 0.5 }, "syncIntervalSeconds", INT32],
        ["gateway port of 3e9", { gatewayPort: 3e9 }, "gatewayPort", INT32],
        ["a typo'd privateKey is not echoed", { connection: { privatekey: "-----BEGIN KEY-----" } }, "connection.privatekey", /got a value \(not shown: it may be a secret\)/],
    ],
    ExistingCluster: [
        ["kubernetesVerison: \"1.25\"", { kubernetesVerison: "1.25" }, "kubernetesVerison", mean("kubernetesVersion")],
        ["typo in a pool", { pools: [{ name: "p", acelerator: "nvidia-h100" }] }, "pools[0].acelerator", mean("pools[0].accelerator")],
        ["node count as a string", { pools: [{ name: "p", nodes: "2" }] }, "pools[0].nodes", INT32],
        ["a taint effect that does not exist", { pools: [{ name: "p", taints: [{ key: "k", effect: "NoScheduled" }] }] }, "pools[0].taints[0].effect", /NoSchedule/],
        ["kind as a number", { kind: 1 }, "kind", STRING],
    ],
    GkeCluster: [
        ["typo in KEDA's Google identity", { kedaWorkloadIdentity: { namspace: "keda" } }, "kedaWorkloadIdentity.namspace", mean("kedaWorkloadIdentity.namespace")],
        ["a KEDA account id with capitals", { project: "my-project", location: "us-central1", deletionProtection: false, kedaWorkloadIdentity: { accountId: "Keda_Reader" } }, "kedaWorkloadIdentity.accountId", /6-30 lowercase letters/],
        ["a KEDA account id too short", { project: "my-project", location: "us-central1", deletionProtection: false, kedaWorkloadIdentity: { accountId: "keda" } }, "kedaWorkloadIdentity.accountId", /6-30 lowercase letters/],
        ["KEDA's namespace not a DNS label", { project: "my-project", location: "us-central1", deletionProtection: false, kedaWorkloadIdentity: { namespace: "KEDA" } }, "kedaWorkloadIdentity.namespace", /lowercase letters/],
        ["typo in an accelerator pool", { acceleratorPools: [{ acelerator: "nvidia-h100" }] }, "acceleratorPools[0].acelerator", mean("acceleratorPools[0].accelerator")],
        ["deletionProtection as a string", { deletionProtection: "no" }, "deletionProtection", BOOL],
        ["maxNodes of 3e9", { acceleratorPools: [{ maxNodes: 3e9 }] }, "acceleratorPools[0].maxNodes", INT32],
        ["node locations as one string", { acceleratorPools: [{ nodeLocations: "us-central1-a" }] }, "acceleratorPools[0].nodeLocations", LIST],
        ["typo in the system pool", { systemNodePool: { minNode: 1 } }, "systemNodePool.minNode", mean("systemNodePool.minNodes")],
        ["RDMA subnets as one string", { rdmaNetwork: { rdmaSubnetCidrs: "10.0.0.0/16" } }, "rdmaNetwork.rdmaSubnetCidrs", LIST],
        ["kubernetesVerison", { kubernetesVerison: "1.33" }, "kubernetesVerison", mean("kubernetesVersion")],
    ],
    AksCluster: [
        ["vmsize for vmSize", { systemPool: { vmsize: "Standard_D4s_v5" } }, "systemPool.vmsize", mean("systemPool.vmSize")],
        ["spot as a string", { acceleratorPools: [{ spot: "true" }] }, "acceleratorPools[0].spot", BOOL],
        ["a tag value as a number", { tags: { env: 1 } }, "tags.env", STRING],
        ["typo in InfiniBand settings", { infiniband: { instal: true } }, "infiniband.instal", mean("infiniband.install")],
        ["fractional disk size", { acceleratorPools: [{ osDiskSizeGB: 512.5 }] }, "acceleratorPools[0].osDiskSizeGB", INT32],
    ],
    DoksCluster: [
        ["highAvailability as a string", { highAvailability: "yes" }, "highAvailability", BOOL],
        ["tags as one string", { tags: "a,b" }, "tags", LIST],
        ["negative minNodes", { acceleratorPools: [{ minNodes: -1 }] }, "acceleratorPools[0].minNodes", INT32],
        ["sise for size", { defaultNodePool: { sise: "s-4vcpu-8gb" } }, "defaultNodePool.sise", mean("defaultNodePool.size")],
        ["token lifetime of 3e9 seconds", { kubeconfigExpireSeconds: 3e9 }, "kubeconfigExpireSeconds", INT32],
    ],
};

const existing = (cluster: Record<string, unknown>) => ({ "llmd:provider": "existing", "llmd:cluster": { context: "c", kubernetesVersion: "1.33", ...cluster } });
const h100 = { name: "h100", accelerator: "nvidia-h100", acceleratorsPerNode: 8, nodes: 1 };

// Stack config through the stack program, as `pulumi up` reads it.
const stackCases: Case[] = [
    ["typo'd top-level key", { "llmd:deploymnet": { preset: "simulator" } }, "llmd:deploymnet", /did you mean llmd:deployment\?/],
    ["llmd:provder", { "llmd:provder": "kind" }, "llmd:provder", /did you mean llmd:provider\?/],
    ["llmd:model for llmd:models", { "llmd:model": [] }, "llmd:model", /did you mean llmd:models\?/],
    ["a mistyped secret key, value not shown", { "llmd:hftoken": "hf_leak" }, "llmd:hftoken", /got a value \(not shown\); .*did you mean llmd:hfToken\?/],
    ["kubernetesVerison in llmd:cluster", { "llmd:cluster": { context: "c", kubernetesVerison: "1.25" } }, "llmd:cluster.kubernetesVerison", mean("llmd:cluster.kubernetesVersion")],
    ["a kubeconfig in plain config", { "llmd:cluster": { kubeconfig: "apiVersion: v1" } }, "llmd:cluster.kubeconfig", /pulumi config set --secret llmd:kubeconfig/],
    ["kind in llmd:cluster of a kind stack", { "llmd:cluster": { kind: "minikube" } }, "llmd:cluster.kind", /llmd:provider kind sets it/],
    ["typo in an existing pool", existing({ pools: [{ ...h100, acelerator: "x" }] }), "llmd:cluster.pools[0].acelerator", mean("llmd:cluster.pools[0].accelerator")],
    ["typo in a GKE accelerator pool", { "llmd:provider": "gke", "llmd:cluster": { project: "p", location: "l", acceleratorPools: [{ acelerator: "nvidia-h100" }] } }, "llmd:cluster.acceleratorPools[0].acelerator", mean("llmd:cluster.acceleratorPools[0].accelerator")],
    ["GKE maxNodes of 3e9", { "llmd:provider": "gke", "llmd:cluster": { acceleratorPools: [{ maxNodes: 3e9 }] } }, "llmd:cluster.acceleratorPools[0].maxNodes", INT32],
    ["GKE accelerator pools as a mapping", { "llmd:provider": "gke", "llmd:cluster": { acceleratorPools: { h100: {} } } }, "llmd:cluster.acceleratorPools", LIST],
    ["AKS vmsize", { "llmd:provider": "aks", "llmd:cluster": { systemPool: { vmsize: "x" } } }, "llmd:cluster.systemPool.vmsize", mean("llmd:cluster.systemPool.vmSize")],
    ["DOKS highAvailability as a string", { "llmd:provider": "digitalocean", "llmd:cluster": { highAvailability: "yes" } }, "llmd:cluster.highAvailability", BOOL],
    ["cluster context as a number", { "llmd:cluster": { context: 5 } }, "llmd:cluster.context", STRING],
    ["a taint effect in an existing pool", existing({ pools: [{ ...h100, taints: [{ key: "k", effect: "NoScheduled" }] }] }), "llmd:cluster.pools[0].taints[0].effect", /NoSchedule/],
    ["a bad node label key", existing({ pools: [{ ...h100, nodeLabels: { "gpu type": "h100" } }] }), "llmd:cluster.pools[0].nodeLabels", /label keys/],
    ["typo in a deployment role", { "llmd:deployment": { decode: { tensorParalelSize: 2 } } }, "llmd:deployment.decode.tensorParalelSize", mean("llmd:deployment.decode.tensorParallelSize")],
    ["createNamespace: \"no\"", { "llmd:deployment": { createNamespace: "no" } }, "llmd:deployment.createNamespace", BOOL],
    ["enableExpertParallel: \"no\"", { "llmd:deployment": { decode: { enableExpertParallel: "no" } } }, "llmd:deployment.decode.enableExpertParallel", BOOL],
    ["extraArgs as one string", { "llmd:deployment": { decode: { extraArgs: "--max-model-len 4096" } } }, "llmd:deployment.decode.extraArgs", LIST],
    ["replicas of 3e9", { "llmd:deployment": { decode: { replicas: 3e9 } } }, "llmd:deployment.decode.replicas", INT32],
    ["kubernetesVerison in llmd:deployment", { "llmd:deployment": { kubernetesVerison: "1.25" } }, "llmd:deployment.kubernetesVerison", mean("llmd:deployment.kubernetesVersion")],
    ["pools in llmd:deployment", { "llmd:deployment": { pools: [] } }, "llmd:deployment.pools", /they come from llmd:cluster/],
    ["hfToken in plain config", { "llmd:deployment": { hfToken: "hf_x" } }, "llmd:deployment.hfToken", /--secret llmd:hfToken/],
    ["a literal HF_TOKEN in env", { "llmd:deployment": { decode: { env: { HF_TOKEN: "hf_x" } } } }, "llmd:deployment.decode.env.HF_TOKEN", SECRET],
    ["router memory request above its limit", { "llmd:deployment": { router: { resources: { memoryRequest: "2Gi", memoryLimit: "1Gi" } } } }, "llmd:deployment.router.resources.memoryRequest", /at most memoryLimit/],
    ["an upper-case image", { "llmd:deployment": { decode: { image: "VLLM/vllm-openai" } } }, "llmd:deployment.decode.image", IMAGE],
    ["an env name with a space", { "llmd:deployment": { decode: { env: { "MY VAR": "1" } } } }, "llmd:deployment.decode.env", /environment variable names/],
    ["decod in the second model", { "llmd:platform": {}, "llmd:models": [{ name: "a", preset: "simulator" }, { name: "b", decod: {} }] }, "llmd:models[1].decod", mean("llmd:models[1].decode")],
    ["typo in a model's LoRA adapter", { "llmd:platform": {}, "llmd:models": [{ name: "a", lora: { adapters: [{ name: "x", sorce: "y" }] } }] }, "llmd:models[0].lora.adapters[0].sorce", mean("llmd:models[0].lora.adapters[0].source")],
    ["a platform ref in a model", { "llmd:platform": {}, "llmd:models": [{ name: "a", platform: {} }] }, "llmd:models[0].platform", /under llmd:platform/],
    ["a fractional objective priority", { "llmd:platform": {}, "llmd:models": [{ name: "a", objectives: [{ name: "o", priority: 1.5 }] }] }, "llmd:models[0].objectives[0].priority", /integer/],
    ["a model name as a number", { "llmd:platform": {}, "llmd:models": [{ name: 7 }] }, "llmd:models[0].name", STRING],
    ["a model on OpenShift's Thanos querier's all-namespaces port", { ...existing({ kind: "openshift" }), "llmd:platform": {}, "llmd:models": [{ name: "a", preset: "simulator", autoscaling: { prometheusAddress: "https://thanos-querier.openshift-monitoring.svc.cluster.local:9091" } }] }, "llmd:models[0].autoscaling.prometheusAddress", /tenancy port/],
    ["models as a mapping", { "llmd:platform": {}, "llmd:models": { a: {} } }, "llmd:models", LIST],
    ["typo'd gateway on the platform", { "llmd:platform": { gatway: {} } }, "llmd:platform.gatway", mean("llmd:platform.gateway")],
    ["platform listener port as a string", { "llmd:platform": { gateway: { listenerPort: "80" } } }, "llmd:platform.gateway.listenerPort", INT32],
    ["API keys as a literal in stack config", { "llmd:platform": { gateway: { implementation: "agentgateway", authentication: { apiKeys: { keys: ["sk-1"] } } } } }, "llmd:platform.gateway.authentication.apiKeys.keys", /not shown: it may be a secret.*secretName/],
    ["a TLS port as a string in stack config", { "llmd:platform": { gateway: { tls: { certificateSecretName: "c", port: "443" } } } }, "llmd:platform.gateway.tls.port", INT32],
    ["a JWT audience as a number in stack config", { "llmd:platform": { gateway: { authentication: { jwt: { issuer: "i", jwks: JWKS, audiences: [1] } } } } }, "llmd:platform.gateway.authentication.jwt.audiences[0]", STRING],
    ["platform namespace kube-system", { "llmd:platform": { namespace: "kube-system" } }, "llmd:platform.namespace", /outside kube-\*/],
    ["platform namespace default", { "llmd:platform": { namespace: "default" } }, "llmd:platform.namespace", /"default" exists/],
    ["platform podSecurity not a level", { "llmd:platform": { podSecurity: "high" }, "llmd:models": [{ name: "a" }] }, "llmd:platform.podSecurity", /restricted, baseline, privileged/],
    [
        "a root-running model on a platform set to restricted",
        { "llmd:platform": { podSecurity: "restricted" }, "llmd:models": [{ name: "a", preset: "optimized-baseline", accelerator: "nvidia-l4" }] },
        "llmd:models[0].namespace",
        /enforces Pod Security restricted/,
    ],
    ["pools on the platform", { "llmd:platform": { pools: [] } }, "llmd:platform.pools", /they come from llmd:cluster/],
    ["modelRouting as a string", { "llmd:platform": { modelRouting: "yes" } }, "llmd:platform.modelRouting", BOOL],
    ["a platform setting in llmd:deployment on a platform", { "llmd:platform": {}, "llmd:deployment": { installLeaderWorkerSet: true } }, "llmd:deployment.installLeaderWorkerSet", /under llmd:platform/],
    // Errors raised inside a component used to name the field without its stack key (`pools[0].name`).
    ["a pool name that is no DNS label", existing({ pools: [{ ...h100, name: "Bad Pool" }] }), "llmd:cluster.pools[0].name", /lowercase letters/],
    ["an unknown accelerator in an existing pool", existing({ pools: [{ ...h100, accelerator: "nvidia-k80" }] }), "llmd:cluster.pools[0].accelerator", /expected one of nvidia-l4/],
    ["a taint key with a space", existing({ pools: [{ ...h100, taints: [{ key: "bad key", effect: "NoSchedule" }] }] }), "llmd:cluster.pools[0].taints[0].key", /qualified name/],
    ["a taint value with a space", existing({ pools: [{ ...h100, taints: [{ key: "k", value: "bad value", effect: "NoSchedule" }] }] }), "llmd:cluster.pools[0].taints[0].value", /label value/],
    ["an unknown existing-cluster kind", existing({ kind: "rancher" }), "llmd:cluster.kind", /minikube, kind, openshift, generic/],
    ["a cluster on Kubernetes 1.25", { "llmd:cluster": { context: "c", kubernetesVersion: "1.25" } }, "llmd:cluster.kubernetesVersion", /1\.29 or newer/],
    ["an unknown AKS GPU driver", { "llmd:provider": "aks", "llmd:cluster": { location: "eastus", gpuDriver: "magic" } }, "llmd:cluster.gpuDriver", /managed, operator/],
    ["a GatewayClass name with a space", { "llmd:deployment": { gateway: { gatewayClassName: "Bad Class" } } }, "llmd:deployment.gateway.gatewayClassName", /GatewayClass name/],
    ["a platform GatewayClass name with a space", { "llmd:platform": { gateway: { gatewayClassName: "Bad Class" } }, "llmd:models": [{ name: "a", preset: "simulator" }] }, "llmd:platform.gateway.gatewayClassName", /GatewayClass name/],
    ["a token Secret name with '_'", { "llmd:deployment": { hfTokenSecretName: "Bad_Secret" } }, "llmd:deployment.hfTokenSecretName", /lowercase letters/],
    ["an unknown router failure mode", { "llmd:deployment": { router: { failureMode: "Sometimes" } } }, "llmd:deployment.router.failureMode", /FailOpen, FailClose/],
    ["an RDMA resource name with a space", { "llmd:deployment": { network: { rdmaResourceName: "rdma ib" } } }, "llmd:deployment.network.rdmaResourceName", /qualified name/],
    ["typo'd hosts on bare metal", { "llmd:provider": "baremetal", "llmd:baremetal": { hots: ["a"] } }, "llmd:baremetal.hots", mean("llmd:baremetal.hosts")],
    ["useSudo as a string on bare metal", { "llmd:provider": "baremetal", "llmd:baremetal": { hosts: ["a"], useSudo: "yes" } }, "llmd:baremetal.useSudo", BOOL],
    ["vLLM args as one string on bare metal", { "llmd:provider": "baremetal", "llmd:baremetal": { hosts: ["a"], vllmArgs: "--max-model-len 4096" } }, "llmd:baremetal.vllmArgs", LIST],
];

// Values only the component itself checks (not their shape) fail after the cluster's Kubernetes provider object
// exists, since the components need the cluster's outputs; still before any Kubernetes or cloud resource.
const CHECKED_AFTER_CLUSTER = new Set([
    "llmd:deployment.gateway.gatewayClassName",
    "llmd:platform.gateway.gatewayClassName",
    "llmd:deployment.hfTokenSecretName",
    "llmd:deployment.router.failureMode",
    // A model's pods are rendered from the cluster's pools, so they are judged once the cluster exists.
    "llmd:models[0].namespace",
    // The cluster's provider (openshift) decides how a model autoscales, so its autoscaling is judged with it.
    "llmd:models[0].autoscaling.prometheusAddress",
]);

const total = Object.values(componentCases).reduce((n, cases) => n + cases.length, 0) + stackCases.length;

describe("strict input: the bad-input corpus", () => {
    it(`has at least 150 cases (${total}), covering every exported component`, () => {
        assert.ok(total >= 150, `only ${total} cases`);
        assert.deepStrictEqual(Object.keys(componentCases).sort(), Object.keys(components).sort());
    });

    for (const [component, cases] of Object.entries(componentCases)) {
        describe(component, () => {
            for (const [title, args, field, expected] of cases) {
                it(`${title}: names ${field}`, () => expectConstructionError(() => new components[component]("bad", args), field, expected));
            }
        });
    }

    describe("stack config", () => {
        for (const [title, config, field, expected] of stackCases) {
            it(`${title}: names ${field}`, async () => {
                const { resources, error } = await runStackProgram(config);
                assertConfigError(error, field, expected);
                const created = resources.filter((r) => r.custom && !(CHECKED_AFTER_CLUSTER.has(field) && r.type.startsWith("pulumi:providers:")));
                assert.deepStrictEqual(created.map((r) => r.name), [], "nothing may be created for bad input");
            });
        }
    });
});
