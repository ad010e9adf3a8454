import * as assert from "assert";
import { parse } from "yaml";
import { IMAGES, imageRef } from "../../components/catalog/versions";
import { LlmdConfigError } from "../../components/errors";
import {
    KV_EVENTS_PORT,
    ROUTER_CONFIG_FILE,
    SchedulerProfile,
    undefinedPluginRefs,
} from "../../components/render/router-config";
import {
    DEFAULT_ROUTER_RESOURCES,
    RouterInput,
    RouterSpec,
    kvEventsEndpoint,
    renderRouter,
    renderRouterWorkload,
    resolveRouterSpec,
} from "../../components/render/router";
import { K8sObject } from "../../components/render/types";
import { only, render } from "./router-fixtures";

const SELECTOR = { "llm-d.ai/inference-serving": "true", "llm-d.ai/model": "qwen3" };
const base: RouterInput = { name: "qwen", namespace: "llm-d", modelServerSelector: SELECTOR };
const withIstio: RouterInput = { ...base, gateway: { name: "inference-gateway", namespace: "gw" }, gatewayImplementation: "istio" };

/** The router's own ConfigMap (standalone mode adds the proxy's). */
function routerConfigMap(objects: K8sObject[]): any {
    const found = objects.filter((o) => o.kind === "ConfigMap" && (o as any).data?.[ROUTER_CONFIG_FILE] !== undefined);
    assert.strictEqual(found.length, 1, `expected one router ConfigMap, got ${found.length}`);
    return found[0];
}

function eppContainer(objects: K8sObject[]): any {
    return only(objects, "Deployment").spec.template.spec.containers.find((c: any) => c.name === "epp");
}

function argValue(args: string[], flag: string): string | undefined {
    const i = args.indexOf(flag);
    return i < 0 ? undefined : args[i + 1];
}

describe("renderRouter", () => {
    describe("resolveRouterSpec defaults", () => {
        it("defaults pool name, port 8000, optimized-baseline, one replica, FailOpen, no gateway, pinned image, guide resources", () => {
            const spec: RouterSpec = resolveRouterSpec(base);
            assert.strictEqual(spec.poolName, "qwen");
            assert.deepStrictEqual(spec.targetPorts, [8000]);
            assert.strictEqual(spec.profile, SchedulerProfile.OptimizedBaseline);
            // The former name still works and means the same profile.
            assert.strictEqual(resolveRouterSpec({ ...base, schedulerProfile: "inference-scheduling" }).profile, SchedulerProfile.OptimizedBaseline);
            assert.strictEqual(spec.replicas, 1);
            assert.strictEqual(spec.failureMode, "FailOpen");
            assert.strictEqual(spec.gatewayImplementation, "none");
            assert.strictEqual(spec.gateway, undefined);
            assert.strictEqual(spec.image, imageRef(IMAGES.router));
            assert.deepStrictEqual(spec.resources, DEFAULT_ROUTER_RESOURCES);
        });
        it("merges partial resources over the defaults", () => {
            const spec = resolveRouterSpec({ ...base, resources: { cpuRequest: "500m" } });
            assert.deepStrictEqual(spec.resources, { ...DEFAULT_ROUTER_RESOURCES, cpuRequest: "500m" });
        });
    });

    it("labels every object with the standard set and puts every object in the namespace", () => {
        for (const o of render(withIstio)) {
            const l = o.metadata.labels!;
            assert.strictEqual(l["app.kubernetes.io/name"], "llm-d-router", o.kind);
            assert.strictEqual(l["app.kubernetes.io/instance"], "qwen", o.kind);
            assert.strictEqual(l["app.kubernetes.io/part-of"], "llm-d", o.kind);
            assert.strictEqual(l["app.kubernetes.io/managed-by"], "llmd", o.kind);
            assert.ok(l["app.kubernetes.io/component"], o.kind);
            const clusterScoped = o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding";
            assert.strictEqual(o.metadata.namespace, clusterScoped ? undefined : "llm-d", o.kind);
        }
    });

    it("runs the router against its pool with the upstream flags, no leader election for one replica", () => {
        const args: string[] = eppContainer(render(base)).args;
        assert.strictEqual(argValue(args, "--pool-name"), "qwen");
        assert.strictEqual(argValue(args, "--pool-namespace"), "llm-d");
        assert.strictEqual(argValue(args, "--pool-group"), "inference.networking.k8s.io");
        assert.strictEqual(argValue(args, "--config-file"), `/config/${ROUTER_CONFIG_FILE}`);
        assert.strictEqual(argValue(args, "--grpc-health-port"), "9003");
        assert.strictEqual(argValue(args, "--zap-encoder"), "json");
        // The guides' router verbosity.
        assert.ok(args.includes("--v=2"));
        assert.ok(!args.includes("--ha-enable-leader-election"));
    });

    it("uses a custom pool name in args, pool and route backend", () => {
        const objects = render({ ...withIstio, poolName: "pool-a" });
        assert.strictEqual(argValue(eppContainer(objects).args, "--pool-name"), "pool-a");
        assert.strictEqual(only(objects, "InferencePool").metadata.name, "pool-a");
        assert.strictEqual(only(objects, "HTTPRoute").spec.rules[0].backendRefs[0].name, "pool-a");
    });

    it("deploys with Recreate, gRPC probes on 9003, the three ports, requests, and a UID-free restricted security context", () => {
        const objects = render(base);
        const deploy = only(objects, "Deployment");
        assert.deepStrictEqual(deploy.spec.strategy, { type: "Recreate" });
        const c = eppContainer(objects);
        assert.deepStrictEqual(
            c.ports.map((p: any) => [p.name, p.containerPort]),
            [["grpc", 9002], ["grpc-health", 9003], ["metrics", 9090]],
        );
        assert.deepStrictEqual(c.livenessProbe.grpc, { port: 9003, service: "inference-extension" });
        assert.deepStrictEqual(c.readinessProbe.grpc, { port: 9003, service: "inference-extension" });
        assert.deepStrictEqual(c.resources.requests, { cpu: "4", memory: "8Gi" });
        assert.strictEqual(c.securityContext.runAsNonRoot, true);
        assert.strictEqual(c.securityContext.allowPrivilegeEscalation, false);
        assert.deepStrictEqual(c.securityContext.capabilities.drop, ["ALL"]);
        assert.strictEqual(deploy.spec.template.spec.securityContext.seccompProfile.type, "RuntimeDefault");
        const json = JSON.stringify(deploy);
        assert.ok(!json.includes("runAsUser") && !json.includes("fsGroup"), "no hard-coded UID/GID");
        assert.strictEqual(c.image, imageRef(IMAGES.router));
    });

    it("selects its own pods, not the model servers, and mounts the ConfigMap holding the config", () => {
        const objects = render(base);
        const deploy = only(objects, "Deployment");
        const sel = deploy.spec.selector.matchLabels;
        for (const [k, v] of Object.entries(sel)) {
            assert.strictEqual(deploy.spec.template.metadata.labels[k], v);
        }
        assert.deepStrictEqual(only(objects, "Service").spec.selector, sel);
        for (const k of Object.keys(SELECTOR)) {
            assert.ok(!(k in deploy.spec.template.metadata.labels), `router pods must not carry ${k}`);
        }
        const cm = routerConfigMap(objects);
        const vol = deploy.spec.template.spec.volumes.find((v: any) => v.name === "config");
        assert.strictEqual(vol.configMap.name, cm.metadata.name);
        assert.strictEqual(deploy.spec.template.spec.serviceAccountName, only(objects, "ServiceAccount").metadata.name);
        const config = parse(cm.data[ROUTER_CONFIG_FILE]);
        assert.strictEqual(config.kind, "EndpointPickerConfig");
        assert.deepStrictEqual(undefinedPluginRefs(config), []);
    });

    it("rolls the pod when the config changes", () => {
        const annotation = (o: K8sObject[]) => only(o, "Deployment").spec.template.metadata.annotations["checksum/config"];
        assert.notStrictEqual(annotation(render(base)), annotation(render({ ...base, schedulerProfile: "pd-disaggregation" })));
        assert.strictEqual(annotation(render(base)), annotation(render(base)));
    });

    it("puts a raw schedulerConfig override into the ConfigMap verbatim", () => {
        const raw = "apiVersion: llm-d.ai/v1alpha1\nkind: EndpointPickerConfig\nplugins:\n- type: random-picker\nschedulingProfiles:\n- name: default\n  plugins:\n  - pluginRef: random-picker\n";
        const cm = routerConfigMap(render({ ...base, schedulerConfig: raw }));
        assert.strictEqual(cm.data[ROUTER_CONFIG_FILE], raw);
    });

    // llm-d-router v0.10.0 config/charts/routerlib/templates/_service.yaml
    it("exposes grpc 9002 (h2c) and metrics 9090 on a ClusterIP Service", () => {
        const svc = only(render(base), "Service");
        assert.strictEqual(svc.spec.type, "ClusterIP");
        const grpc = svc.spec.ports.find((p: any) => p.port === 9002);
        assert.strictEqual(grpc.appProtocol, "kubernetes.io/h2c");
        assert.ok(svc.spec.ports.some((p: any) => p.port === 9090));
        assert.ok(!svc.spec.ports.some((p: any) => p.port === KV_EVENTS_PORT), "no KV events port outside the precise profile");
    });

    describe("RBAC", () => {
        const rules = (input: RouterInput) => only(render(input), "Role").rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];

        // Grants follow llm-d-router v0.10.0 config/charts/llm-d-router-gateway/templates/rbac.yaml.
        it("is least privilege: read-only pods, inferencepools and objectives in both groups, no wildcards, namespaced", () => {
            const r = rules(base);
            for (const rule of r) {
                for (const list of [rule.apiGroups, rule.resources, rule.verbs]) {
                    assert.ok(!list.includes("*"), `wildcard in ${JSON.stringify(rule)}`);
                }
                assert.deepStrictEqual(rule.verbs, ["get", "list", "watch"]);
            }
            const grants = r.flatMap((rule) => rule.resources.map((res) => `${rule.apiGroups[0]}/${res}`)).sort();
            assert.deepStrictEqual(grants, [
                "/pods",
                "inference.networking.k8s.io/inferencepools",
                // The legacy group the router falls back to when only the older CRDs exist.
                "inference.networking.x-k8s.io/inferencemodelrewrites",
                "inference.networking.x-k8s.io/inferenceobjectives",
                "llm-d.ai/inferencemodelrewrites",
                "llm-d.ai/inferenceobjectives",
            ]);
            const objects = render(base);
            const binding = only(objects, "RoleBinding");
            assert.deepStrictEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: only(objects, "Role").metadata.name });
            assert.deepStrictEqual(binding.subjects, [{ kind: "ServiceAccount", name: only(objects, "ServiceAccount").metadata.name, namespace: "llm-d" }]);
        });

        it("keeps metrics authentication on (the router's default) and grants exactly the two reviews it needs, cluster-wide", () => {
            const objects = render(base);
            assert.ok(!eppContainer(objects).args.some((a: string) => a.startsWith("--metrics-endpoint-auth")));
            const role = only(objects, "ClusterRole");
            assert.deepStrictEqual(role.rules, [
                { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
                { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
            ]);
            const binding = only(objects, "ClusterRoleBinding");
            assert.deepStrictEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name });
            assert.deepStrictEqual(binding.subjects, [{ kind: "ServiceAccount", name: only(objects, "ServiceAccount").metadata.name, namespace: "llm-d" }]);
        });

        it("names the cluster-wide grant after namespace and router, so no two routers share one", () => {
            const name = (input: RouterInput) => only(render(input), "ClusterRole").metadata.name;
            const pairs: [string, string][] = [["llm-d", "qwen"], ["team-a", "qwen"], ["llm-d", "llama"], ["a-b", "c"], ["a", "b-c"]];
            const names = pairs.map(([namespace, name]) => render({ ...base, namespace, name }).find((o) => o.kind === "ClusterRole")!.metadata.name);
            assert.strictEqual(new Set(names).size, pairs.length, names.join(", "));
            assert.strictEqual(name(base), only(render(base), "ClusterRoleBinding").metadata.name);
        });

        it("grants leases and turns on leader election only with more than one replica", () => {
            assert.ok(!rules(base).some((r) => r.resources.includes("leases")));
            const multi = render({ ...base, replicas: 2 });
            assert.ok(only(multi, "Role").rules.some((r: any) => r.apiGroups[0] === "coordination.k8s.io" && r.resources.includes("leases")));
            const c = eppContainer(multi);
            assert.ok(c.args.includes("--ha-enable-leader-election"));
            assert.strictEqual(c.readinessProbe.grpc.service, "readiness");
            assert.strictEqual(c.livenessProbe.grpc.service, "liveness");
            assert.strictEqual(only(multi, "Deployment").spec.replicas, 2);
        });
    });

    describe("InferencePool", () => {
        it("selects the model servers, targets their ports and points at the router Service with the failure mode", () => {
            const objects = render({ ...base, targetPorts: [8000, 8001], failureMode: "FailClose" });
            const pool = only(objects, "InferencePool");
            assert.strictEqual(pool.apiVersion, "inference.networking.k8s.io/v1");
            assert.deepStrictEqual(pool.spec.selector.matchLabels, SELECTOR);
            assert.deepStrictEqual(pool.spec.targetPorts, [{ number: 8000 }, { number: 8001 }]);
            assert.deepStrictEqual(pool.spec.endpointPickerRef, {
                name: only(objects, "Service").metadata.name,
                port: { number: 9002 },
                failureMode: "FailClose",
            });
        });
        it("defaults to FailOpen", () => {
            assert.strictEqual(only(render(base), "InferencePool").spec.endpointPickerRef.failureMode, "FailOpen");
        });
    });

    describe("gateway objects", () => {
        it("renders no HTTPRoute or policies without a gateway", () => {
            const kinds = render(base).map((o) => o.kind);
            for (const k of ["HTTPRoute", "DestinationRule", "HealthCheckPolicy", "GCPBackendPolicy"]) {
                assert.ok(!kinds.includes(k), k);
            }
        });

        it("routes everything from the Gateway to the pool with a long timeout", () => {
            const route = only(render(withIstio), "HTTPRoute");
            assert.strictEqual(route.apiVersion, "gateway.networking.k8s.io/v1");
            assert.deepStrictEqual(route.spec.parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "inference-gateway", namespace: "gw" }]);
            const rule = route.spec.rules[0];
            assert.deepStrictEqual(rule.backendRefs, [{ group: "inference.networking.k8s.io", kind: "InferencePool", name: "qwen" }]);
            assert.deepStrictEqual(rule.matches, [{ path: { type: "PathPrefix", value: "/" } }]);
            assert.ok(parseInt(rule.timeouts.request, 10) >= 300);
        });

        it("istio: a DestinationRule for the router Service with SIMPLE TLS that skips verification", () => {
            const objects = render(withIstio);
            const dr = only(objects, "DestinationRule");
            assert.strictEqual(dr.apiVersion, "networking.istio.io/v1");
            assert.strictEqual(dr.spec.host, `${only(objects, "Service").metadata.name}.llm-d.svc.cluster.local`);
            assert.deepStrictEqual(dr.spec.trafficPolicy.tls, { mode: "SIMPLE", insecureSkipVerify: true });
            assert.ok(!objects.some((o) => o.kind === "HealthCheckPolicy"));
        });

        it("gke: health-check and backend policies on the pool, timeout moved off the HTTPRoute", () => {
            const objects = render({ ...base, targetPorts: [8200], gateway: { name: "gw", namespace: "gw" }, gatewayImplementation: "gke" });
            for (const kind of ["HealthCheckPolicy", "GCPBackendPolicy"]) {
                const p = only(objects, kind);
                assert.strictEqual(p.apiVersion, "networking.gke.io/v1");
                assert.deepStrictEqual(p.spec.targetRef, { group: "inference.networking.k8s.io", kind: "InferencePool", name: "qwen" });
            }
            const health = only(objects, "HealthCheckPolicy").spec.default;
            assert.strictEqual(health.config.httpHealthCheck.port, 8200);
            // llm-d-router v0.10.0 config/charts/llm-d-router-gateway/templates/gke.yaml
            assert.deepStrictEqual([health.timeoutSec, health.checkIntervalSec], [2, 2]);
            assert.ok(only(objects, "GCPBackendPolicy").spec.default.timeoutSec >= 300);
            assert.strictEqual(only(objects, "HTTPRoute").spec.rules[0].timeouts, undefined);
            assert.ok(!objects.some((o) => o.kind === "DestinationRule"));
        });

        for (const impl of ["agentgateway", "kgateway"]) {
            it(`${impl}: only the HTTPRoute`, () => {
                const objects = render({ ...base, gateway: { name: "gw", namespace: "gw" }, gatewayImplementation: impl });
                only(objects, "HTTPRoute");
                assert.ok(!objects.some((o) => ["DestinationRule", "HealthCheckPolicy", "GCPBackendPolicy"].includes(o.kind)));
            });
        }
    });

    describe("precise-prefix-cache", () => {
        const precise: RouterInput = { ...base, schedulerProfile: "precise-prefix-cache", tokenizerModel: "Qwen/Qwen3-0.6B" };

        it("dials the pods by default, so it opens no KV-events port of its own", () => {
            const objects = render(precise);
            assert.ok(!eppContainer(objects).ports.some((p: any) => p.containerPort === KV_EVENTS_PORT));
            assert.ok(!only(objects, "Service").spec.ports.some((p: any) => p.port === KV_EVENTS_PORT));
        });

        it("with kvEventsListener exposes the ZMQ KV-events port on the container and the Service, and names the endpoint", () => {
            const listening = { ...precise, kvEventsListener: true };
            const objects = render(listening);
            assert.ok(eppContainer(objects).ports.some((p: any) => p.containerPort === KV_EVENTS_PORT));
            assert.ok(only(objects, "Service").spec.ports.some((p: any) => p.port === KV_EVENTS_PORT && p.protocol === "TCP"));
            assert.strictEqual(kvEventsEndpoint(resolveRouterSpec(listening)), `tcp://qwen-epp.llm-d.svc.cluster.local:${KV_EVENTS_PORT}`);
            const producer = parse(routerConfigMap(objects).data[ROUTER_CONFIG_FILE]).plugins.find((p: any) => p.type === "precise-prefix-cache-producer");
            assert.strictEqual(producer.parameters.kvEventsConfig.zmqEndpoint, `tcp://0.0.0.0:${KV_EVENTS_PORT}`);
            assert.throws(() => resolveRouterSpec({ ...base, kvEventsListener: true }), /kvEventsListener: got true; only the precise-prefix-cache profile/);
        });

        it("runs the tokenizer sidecar for the configured model on the port the config points at", () => {
            const objects = render(precise);
            const pod = only(objects, "Deployment").spec.template.spec;
            const tok = pod.containers.find((c: any) => c.name === "tokenizer");
            assert.ok(tok, "tokenizer sidecar missing");
            assert.strictEqual(tok.image, imageRef(IMAGES.routerTokenizer));
            assert.strictEqual(tok.args[0], "Qwen/Qwen3-0.6B");
            const config = parse(routerConfigMap(objects).data[ROUTER_CONFIG_FILE]);
            const url: string = config.plugins.find((p: any) => p.type === "token-producer").parameters.vllm.url;
            assert.ok(url.endsWith(`:${tok.ports[0].containerPort}`), `${url} vs ${tok.ports[0].containerPort}`);
            assert.strictEqual(tok.securityContext.allowPrivilegeEscalation, false);
            // Runs under whatever UID the platform assigns (OpenShift), which has no passwd entry.
            assert.ok(tok.env.some((e: any) => e.name === "USER" && e.value === "llm-d"), "tokenizer sets USER");
            // Liveness only after the startup probe has seen it serve, so a slow tokenizer download is not a crash.
            for (const probe of [tok.startupProbe, tok.readinessProbe, tok.livenessProbe]) {
                assert.deepStrictEqual(probe.httpGet, { path: "/health", port: "render-http" });
            }
            assert.ok(tok.startupProbe.failureThreshold * tok.startupProbe.periodSeconds >= 600);
        });

        it("other profiles run no tokenizer; the bare router (no standalone proxy) is one container", () => {
            const names = (input: RouterInput) => only(render(input), "Deployment").spec.template.spec.containers.map((c: any) => c.name);
            assert.deepStrictEqual(names(base), ["epp", "proxy"]);
            assert.deepStrictEqual(names({ ...base, standalone: false }), ["epp"]);
            assert.deepStrictEqual(names(withIstio), ["epp"]);
        });
    });

    describe("bad input", () => {
        const cases: [string, RouterInput, string][] = [
            ["an empty selector", { ...base, modelServerSelector: {} }, "modelServerSelector"],
            ["a bad selector key", { ...base, modelServerSelector: { "bad key": "x" } }, 'modelServerSelector["bad key"]'],
            ["a bad selector value", { ...base, modelServerSelector: { app: "has space" } }, 'modelServerSelector["app"]'],
            ["zero replicas", { ...base, replicas: 0 }, "replicas"],
            ["fractional replicas", { ...base, replicas: 1.5 }, "replicas"],
            ["port 0", { ...base, targetPorts: [0] }, "targetPorts[0]"],
            ["port 65536", { ...base, targetPorts: [8000, 65536] }, "targetPorts[1]"],
            ["no ports", { ...base, targetPorts: [] }, "targetPorts"],
            ["nine ports", { ...base, targetPorts: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, "targetPorts"],
            ["a duplicate port", { ...base, targetPorts: [8000, 8000] }, "targetPorts[1]"],
            ["an unknown failure mode", { ...base, failureMode: "FailSometimes" }, "failureMode"],
            ["an unknown profile", { ...base, schedulerProfile: "round-robin" }, "schedulerProfile"],
            ["implementation none with a gateway", { ...base, gateway: { name: "gw", namespace: "gw" }, gatewayImplementation: "none" }, "gatewayImplementation"],
            ["a gateway without an implementation", { ...base, gateway: { name: "gw", namespace: "gw" } }, "gatewayImplementation"],
            ["an implementation without a gateway", { ...base, gatewayImplementation: "istio" }, "gateway"],
            ["an unknown implementation", { ...base, gateway: { name: "gw", namespace: "gw" }, gatewayImplementation: "nginx" }, "gatewayImplementation"],
            ["a bad gateway name", { ...base, gateway: { name: "GW", namespace: "gw" }, gatewayImplementation: "istio" }, "gateway.name"],
            ["a bad namespace", { ...base, namespace: "LLM_D" }, "namespace"],
            ["a name starting with a digit", { ...base, name: "1router" }, "name"],
            ["a name too long for the Service", { ...base, name: "a".repeat(60) }, "name"],
            ["a bad pool name", { ...base, poolName: "Pool" }, "poolName"],
            ["precise profile without a tokenizer model", { ...base, schedulerProfile: "precise-prefix-cache" }, "tokenizerModel"],
            ["a tokenizer model for another profile", { ...base, tokenizerModel: "x/y" }, "tokenizerModel"],
            ["an override that is not a config", { ...base, schedulerConfig: "kind: Deployment\n" }, "schedulerConfig"],
            ["an image with whitespace", { ...base, image: "repo/x :v1" }, "image"],
            ["a bad cpu quantity", { ...base, resources: { cpuRequest: "four" } }, "resources.cpuRequest"],
        ];
        for (const [what, input, field] of cases) {
            it(`rejects ${what}, naming ${field}`, () => {
                assert.throws(
                    () => resolveRouterSpec(input),
                    (e: unknown) => e instanceof LlmdConfigError && e.field === field && e.message.startsWith(`${field}:`),
                );
            });
        }
    });
});

describe("router workload for plan-time checks", () => {
    // Standalone (the Envoy sidecar), precise prefix cache (the tokenizer sidecar) and behind a Gateway.
    const inputs: Array<[string, RouterInput]> = [
        ["standalone", base],
        ["precise prefix cache", { ...withIstio, schedulerProfile: SchedulerProfile.PrecisePrefixCache, tokenizerModel: "Qwen/Qwen3-0.6B" }],
        ["istio", withIstio],
    ];
    for (const [what, input] of inputs) {
        it(`${what}: the Deployment renderRouter renders, without the config checksums`, () => {
            const spec = resolveRouterSpec(input);
            const rendered = only(renderRouter(spec), "Deployment");
            const { template } = rendered.spec;
            const withoutChecksums = { ...rendered, spec: { ...rendered.spec, template: { ...template, metadata: { ...template.metadata, annotations: {} } } } };
            assert.deepStrictEqual(renderRouterWorkload(spec), withoutChecksums);
            assert.ok(Object.keys(template.metadata.annotations).includes("checksum/config"));
        });
    }
});
