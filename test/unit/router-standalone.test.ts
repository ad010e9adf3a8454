import * as assert from "assert";
import { parse } from "yaml";
import { IMAGES, imageRef } from "../../components/catalog/versions";
import { LlmdConfigError } from "../../components/errors";
import { RouterInput, resolveRouterSpec, routerProxyEndpoint } from "../../components/render/router";
import {
    DEFAULT_PROXY_PORT,
    DESTINATION_HEADER,
    ENVOY_NAMES,
    PROXY_CONFIG_DIR,
    PROXY_CONFIG_FILE,
    PROXY_READY_PORT,
    envoyBootstrap,
    envoyBootstrapYaml,
} from "../../components/render/router-standalone";
import { K8sObject } from "../../components/render/types";
import { only, render } from "./router-fixtures";

const base: RouterInput = { name: "qwen", namespace: "llm-d", modelServerSelector: { "llm-d.ai/model": "qwen3" } };

function proxyConfigMap(objects: K8sObject[]): any {
    const found = objects.filter((o) => o.kind === "ConfigMap" && (o as any).data?.[PROXY_CONFIG_FILE] !== undefined);
    assert.strictEqual(found.length, 1, `expected one proxy ConfigMap, got ${found.length}`);
    return found[0];
}

function container(objects: K8sObject[], name: string): any {
    return only(objects, "Deployment").spec.template.spec.containers.find((c: any) => c.name === name);
}

/** The bootstrap as Envoy would read it: parsed back from the ConfigMap text. */
function bootstrapOf(objects: K8sObject[]): any {
    return parse(proxyConfigMap(objects).data[PROXY_CONFIG_FILE]);
}

function listenerOnPort(bootstrap: any, port: number): any {
    const found = bootstrap.static_resources.listeners.filter((l: any) => l.address.socket_address.port_value === port);
    assert.strictEqual(found.length, 1, `expected one listener on ${port}`);
    return found[0];
}

function hcm(listener: any): any {
    const filters = listener.filter_chains.flatMap((c: any) => c.filters);
    const found = filters.find((f: any) => f.name === ENVOY_NAMES.httpConnectionManager);
    assert.ok(found, "no HTTP connection manager");
    return found.typed_config;
}

function cluster(bootstrap: any, name: string): any {
    const found = bootstrap.static_resources.clusters.find((c: any) => c.name === name);
    assert.ok(found, `no cluster ${name}`);
    return found;
}

function socketsOf(c: any): string[] {
    return c.load_assignment.endpoints.flatMap((e: any) => e.lb_endpoints).map((l: any) => {
        const a = l.endpoint.address.socket_address;
        return `${a.address}:${a.port_value}`;
    });
}

describe("router standalone mode (Envoy in the router pod)", () => {
    describe("resolveRouterSpec", () => {
        it("turns the proxy on by default without a gateway, on port 8081 with the pinned Envoy", () => {
            const spec = resolveRouterSpec(base);
            assert.strictEqual(spec.gatewayImplementation, "none");
            assert.strictEqual(spec.proxy?.port, DEFAULT_PROXY_PORT);
            assert.strictEqual(DEFAULT_PROXY_PORT, 8081);
            assert.strictEqual(spec.proxy?.image, imageRef(IMAGES.envoy));
            assert.ok(/^distroless-v1\.(3[1-9]|[4-9]\d)\./.test(IMAGES.envoy.tag), `Envoy ${IMAGES.envoy.tag} must be v1.31+ (full-duplex ext_proc)`);
        });
        it("standalone: false and any gateway leave the proxy off", () => {
            assert.strictEqual(resolveRouterSpec({ ...base, standalone: false }).proxy, undefined);
            const gw = resolveRouterSpec({ ...base, gateway: { name: "gw", namespace: "gw" }, gatewayImplementation: "istio" });
            assert.strictEqual(gw.proxy, undefined);
            assert.strictEqual(resolveRouterSpec({ ...base, gateway: { name: "gw", namespace: "gw" }, gatewayImplementation: "istio", standalone: false }).proxy, undefined);
        });
        it("takes a custom proxy port and partial proxy resources", () => {
            const spec = resolveRouterSpec({ ...base, proxyPort: 8080, proxyResources: { cpuRequest: "500m" } });
            assert.strictEqual(spec.proxy?.port, 8080);
            assert.deepStrictEqual(spec.proxy?.resources, { cpuRequest: "500m", memoryRequest: "8Gi", memoryLimit: "16Gi" });
        });
        it("names the in-cluster endpoint, empty without the proxy", () => {
            assert.strictEqual(routerProxyEndpoint(resolveRouterSpec(base)), "http://qwen-epp.llm-d.svc.cluster.local:8081");
            assert.strictEqual(routerProxyEndpoint(resolveRouterSpec({ ...base, standalone: false })), "");
        });
    });

    describe("rendered objects", () => {
        const objects = render(base);

        it("adds the proxy ConfigMap and no HTTPRoute or gateway policies; keeps the InferencePool", () => {
            const kinds = objects.map((o) => o.kind);
            assert.strictEqual(kinds.filter((k) => k === "ConfigMap").length, 2);
            for (const k of ["HTTPRoute", "DestinationRule", "HealthCheckPolicy", "GCPBackendPolicy"]) {
                assert.ok(!kinds.includes(k), k);
            }
            only(objects, "InferencePool");
            const cm = proxyConfigMap(objects);
            assert.strictEqual(cm.metadata.name, "qwen-epp-proxy");
            assert.strictEqual(cm.metadata.namespace, "llm-d");
        });

        it("runs Envoy with the pinned image, the bootstrap from the ConfigMap, and the router unchanged", () => {
            const pod = only(objects, "Deployment").spec.template.spec;
            const proxy = container(objects, "proxy");
            assert.strictEqual(proxy.image, imageRef(IMAGES.envoy));
            assert.deepStrictEqual(proxy.command, ["envoy"]);
            const cfg = proxy.args[proxy.args.indexOf("--config-path") + 1];
            assert.strictEqual(cfg, `${PROXY_CONFIG_DIR}/${PROXY_CONFIG_FILE}`);
            const mount = proxy.volumeMounts.find((m: any) => m.mountPath === PROXY_CONFIG_DIR);
            const volume = pod.volumes.find((v: any) => v.name === mount.name);
            assert.strictEqual(volume.configMap.name, proxyConfigMap(objects).metadata.name);
            assert.ok(volume.configMap.items.some((i: any) => i.key === PROXY_CONFIG_FILE && i.path === PROXY_CONFIG_FILE));
            // The router itself still runs against its pool.
            const epp = container(objects, "epp");
            assert.strictEqual(epp.args[epp.args.indexOf("--pool-name") + 1], "qwen");
        });

        it("exposes the listener and the readiness port, and probes Envoy's /ready on the readiness listener", () => {
            const proxy = container(objects, "proxy");
            const ports = Object.fromEntries(proxy.ports.map((p: any) => [p.name, p.containerPort]));
            assert.strictEqual(ports.http, 8081);
            const readyName = Object.keys(ports).find((n) => ports[n] === PROXY_READY_PORT)!;
            assert.ok(readyName, "readiness port not exposed");
            for (const probe of [proxy.readinessProbe, proxy.livenessProbe]) {
                assert.strictEqual(probe.httpGet.path, "/ready");
                assert.strictEqual(probe.httpGet.port, readyName);
            }
            // The readiness listener must actually answer /ready.
            const readyHcm = hcm(listenerOnPort(bootstrapOf(objects), PROXY_READY_PORT));
            const health = readyHcm.http_filters.find((f: any) => f.name === ENVOY_NAMES.healthCheckFilter);
            assert.ok(health, "no health_check filter on the readiness listener");
            assert.strictEqual(health.typed_config.pass_through_mode, false);
            assert.deepStrictEqual(health.typed_config.headers, [{ name: ":path", string_match: { exact: "/ready" } }]);
        });

        it("runs Envoy non-root without a pinned UID, with requests", () => {
            const proxy = container(objects, "proxy");
            assert.strictEqual(proxy.securityContext.runAsNonRoot, true);
            assert.strictEqual(proxy.securityContext.allowPrivilegeEscalation, false);
            assert.deepStrictEqual(proxy.securityContext.capabilities.drop, ["ALL"]);
            assert.ok(!("runAsUser" in proxy.securityContext));
            assert.deepStrictEqual(proxy.resources.requests, { cpu: "4", memory: "8Gi" });
        });

        it("exposes the proxy as the Service's http port, next to the router's ports", () => {
            const svc = only(objects, "Service");
            const http = svc.spec.ports.find((p: any) => p.name === "http");
            assert.deepStrictEqual(
                { port: http.port, targetPort: http.targetPort, protocol: http.protocol },
                { port: 8081, targetPort: "http", protocol: "TCP" },
            );
            assert.ok(container(objects, "proxy").ports.some((p: any) => p.name === http.targetPort));
            assert.deepStrictEqual(svc.spec.ports.map((p: any) => p.port).sort(), [8081, 9002, 9090]);
        });

        it("rolls the pod when the bootstrap changes, not otherwise", () => {
            const sum = (o: K8sObject[]) => only(o, "Deployment").spec.template.metadata.annotations["checksum/proxy-config"];
            assert.ok(sum(objects));
            assert.strictEqual(sum(objects), sum(render(base)));
            assert.notStrictEqual(sum(objects), sum(render({ ...base, proxyPort: 8080 })));
        });

        it("the bare router has no proxy container, port, volume or annotation", () => {
            const bare = render({ ...base, standalone: false });
            const deploy = only(bare, "Deployment");
            assert.deepStrictEqual(deploy.spec.template.spec.containers.map((c: any) => c.name), ["epp"]);
            assert.ok(!only(bare, "Service").spec.ports.some((p: any) => p.name === "http"));
            assert.ok(!("checksum/proxy-config" in deploy.spec.template.metadata.annotations));
            assert.strictEqual(bare.filter((o) => o.kind === "ConfigMap").length, 1);
        });
    });

    describe("the Envoy bootstrap", () => {
        const yamlText = proxyConfigMap(render(base)).data[PROXY_CONFIG_FILE];
        const bootstrap = parse(yamlText);

        it("is YAML that parses back to the same object the pure function builds", () => {
            assert.strictEqual(typeof yamlText, "string");
            assert.deepStrictEqual(bootstrap, envoyBootstrap({ listenerPort: 8081, extProcPort: 9002 }));
            assert.strictEqual(envoyBootstrapYaml({ listenerPort: 8081, extProcPort: 9002 }), yamlText);
        });

        it("keeps the admin interface on loopback", () => {
            assert.strictEqual(bootstrap.admin.address.socket_address.address, "127.0.0.1");
        });

        it("listens on 8081 with the HTTP connection manager: ext_proc first, then the router filter", () => {
            const listener = listenerOnPort(bootstrap, 8081);
            assert.strictEqual(listener.address.socket_address.address, "0.0.0.0");
            // IPv6 too, as llm-d-router v0.10.0 config/charts/llm-d-router-standalone/values.yaml binds it.
            for (const l of [listener, listenerOnPort(bootstrap, 19001)]) {
                assert.deepStrictEqual(l.additional_addresses.map((a: any) => a.address.socket_address.address), ["::"]);
            }
            const manager = hcm(listener);
            assert.deepStrictEqual(
                manager.http_filters.map((f: any) => f.name),
                [ENVOY_NAMES.extProcFilter, ENVOY_NAMES.routerFilter],
            );
            assert.strictEqual(ENVOY_NAMES.extProcFilter, "envoy.filters.http.ext_proc");
            assert.strictEqual(ENVOY_NAMES.routerFilter, "envoy.filters.http.router");
            assert.strictEqual(ENVOY_NAMES.httpConnectionManager, "envoy.filters.network.http_connection_manager");
        });

        it("sends headers, bodies (full-duplex streamed) and trailers to the router over gRPC, failing closed", () => {
            const manager = hcm(listenerOnPort(bootstrap, 8081));
            const extProc = manager.http_filters.find((f: any) => f.name === ENVOY_NAMES.extProcFilter).typed_config;
            assert.strictEqual(extProc["@type"], "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor");
            assert.deepStrictEqual(extProc.processing_mode, {
                request_header_mode: "SEND",
                response_header_mode: "SEND",
                request_body_mode: "FULL_DUPLEX_STREAMED",
                response_body_mode: "FULL_DUPLEX_STREAMED",
                request_trailer_mode: "SEND",
                response_trailer_mode: "SEND",
            });
            assert.strictEqual(extProc.grpc_service.envoy_grpc.cluster_name, ENVOY_NAMES.extProcCluster);
            assert.strictEqual(extProc.failure_mode_allow, false);
            assert.strictEqual(extProc.allow_mode_override, undefined, "upstream does not let the router change the mode");
            assert.ok(parseInt(extProc.message_timeout, 10) >= 60);
        });

        it("reaches the router on 127.0.0.1:9002 over HTTP/2 with TLS that does not verify the self-signed cert", () => {
            const c = cluster(bootstrap, ENVOY_NAMES.extProcCluster);
            assert.strictEqual(c.type, "STATIC");
            assert.deepStrictEqual(socketsOf(c), ["127.0.0.1:9002"]);
            const options = c.typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"];
            assert.strictEqual(options["@type"], "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
            assert.ok(options.explicit_http_config.http2_protocol_options, "ext_proc needs HTTP/2");
            assert.strictEqual(c.transport_socket.name, "envoy.transport_sockets.tls");
            assert.deepStrictEqual(c.transport_socket.typed_config.common_tls_context.validation_context, {});
            assert.strictEqual(c.health_checks[0].grpc_health_check.service_name, "envoy.service.ext_proc.v3.ExternalProcessor");
        });

        it("routes every path to an ORIGINAL_DST cluster keyed on x-gateway-destination-endpoint, with long timeouts", () => {
            const manager = hcm(listenerOnPort(bootstrap, 8081));
            const routes = manager.route_config.virtual_hosts.flatMap((v: any) => v.routes);
            assert.strictEqual(routes.length, 1);
            assert.deepStrictEqual(routes[0].match, { prefix: "/" });
            assert.strictEqual(routes[0].route.cluster, ENVOY_NAMES.destinationCluster);
            for (const t of [routes[0].route.timeout, routes[0].route.idle_timeout]) {
                assert.ok(/^\d+s$/.test(t) && parseInt(t, 10) >= 3600, `timeout ${t} too short for long generations`);
            }
            const dst = cluster(bootstrap, ENVOY_NAMES.destinationCluster);
            assert.strictEqual(dst.type, "ORIGINAL_DST");
            assert.strictEqual(dst.lb_policy, "CLUSTER_PROVIDED");
            assert.deepStrictEqual(dst.original_dst_lb_config, { use_http_header: true, http_header_name: "x-gateway-destination-endpoint" });
            assert.strictEqual(DESTINATION_HEADER, "x-gateway-destination-endpoint");
        });

        it("every cluster a route or filter names exists", () => {
            const names = new Set(bootstrap.static_resources.clusters.map((c: any) => c.name));
            const referenced: string[] = [];
            for (const listener of bootstrap.static_resources.listeners) {
                const manager = hcm(listener);
                for (const vh of manager.route_config.virtual_hosts) {
                    referenced.push(...vh.routes.map((r: any) => r.route.cluster));
                }
                for (const f of manager.http_filters) {
                    const grpc = f.typed_config.grpc_service?.envoy_grpc?.cluster_name;
                    if (grpc) {
                        referenced.push(grpc);
                    }
                }
            }
            for (const r of referenced) {
                assert.ok(names.has(r), `unknown cluster ${r}`);
            }
        });

        it("follows a custom proxy port", () => {
            const custom = bootstrapOf(render({ ...base, proxyPort: 8080 }));
            listenerOnPort(custom, 8080);
            assert.ok(!custom.static_resources.listeners.some((l: any) => l.address.socket_address.port_value === 8081));
        });
    });

    describe("bad input", () => {
        const gw = { name: "gw", namespace: "gw" };
        const cases: [string, RouterInput, string][] = [
            ["standalone with a gateway", { ...base, standalone: true, gateway: gw, gatewayImplementation: "istio" }, "standalone"],
            ["standalone with a GKE gateway", { ...base, standalone: true, gateway: gw, gatewayImplementation: "gke" }, "standalone"],
            ["a non-boolean standalone", { ...base, standalone: "yes" as unknown as boolean }, "standalone"],
            ["the proxy on the router's ext-proc port", { ...base, proxyPort: 9002 }, "proxyPort"],
            ["the proxy on the router's health port", { ...base, proxyPort: 9003 }, "proxyPort"],
            ["the proxy on the router's metrics port", { ...base, proxyPort: 9090 }, "proxyPort"],
            ["the proxy on its own readiness port", { ...base, proxyPort: PROXY_READY_PORT }, "proxyPort"],
            ["the proxy on its own admin port", { ...base, proxyPort: 19000 }, "proxyPort"],
            [
                "the proxy on the central KV-events port",
                { ...base, schedulerProfile: "precise-prefix-cache", tokenizerModel: "Qwen/Qwen3-0.6B", kvEventsListener: true, proxyPort: 5557 },
                "proxyPort",
            ],
            [
                "the proxy on the precise profile's tokenizer port",
                { ...base, schedulerProfile: "precise-prefix-cache", tokenizerModel: "Qwen/Qwen3-0.6B", proxyPort: 8082 },
                "proxyPort",
            ],
            ["a privileged proxy port", { ...base, proxyPort: 80 }, "proxyPort"],
            ["a proxy port out of range", { ...base, proxyPort: 70000 }, "proxyPort"],
            ["a fractional proxy port", { ...base, proxyPort: 8081.5 }, "proxyPort"],
            ["a proxy port without standalone mode", { ...base, standalone: false, proxyPort: 8081 }, "proxyPort"],
            ["a proxy port behind a gateway", { ...base, gateway: gw, gatewayImplementation: "istio", proxyPort: 8081 }, "proxyPort"],
            ["proxy resources without standalone mode", { ...base, standalone: false, proxyResources: { cpuRequest: "1" } }, "proxyResources"],
            ["a bad proxy memory quantity", { ...base, proxyResources: { memoryRequest: "lots" } }, "proxyResources.memoryRequest"],
        ];
        for (const [what, input, field] of cases) {
            it(`rejects ${what}, naming ${field}`, () => {
                assert.throws(
                    () => resolveRouterSpec(input),
                    (e: unknown) => e instanceof LlmdConfigError && e.field === field && e.message.startsWith(`${field}:`),
                );
            });
        }

        it("says which port a clash is with", () => {
            assert.throws(() => resolveRouterSpec({ ...base, proxyPort: 9002 }), /ext-proc/);
            assert.throws(() => resolveRouterSpec({ ...base, proxyPort: 9090 }), /metrics/);
        });
    });
});
