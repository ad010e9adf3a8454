/**
 * The router's own proxy for standalone mode (no Gateway API gateway): an Envoy container in the router pod
 * that asks the router which model-server pod to use (the `ext_proc` filter, over loopback gRPC) and then
 * forwards the request to the address the router wrote into `x-gateway-destination-endpoint` (an
 * `ORIGINAL_DST` cluster). Settings follow the Envoy preset of llm-d-router v0.10.0's
 * `llm-d-router-standalone` chart (sidecar mode); where we differ, the comment says why.
 */
import { stringify } from "yaml";

/** Default port the proxy serves OpenAI-compatible HTTP on (the standalone chart's listener). */
export const DEFAULT_PROXY_PORT = 8081;
/** Envoy's admin interface, bound to loopback only: it can reconfigure or stop the proxy. */
export const PROXY_ADMIN_PORT = 19000;
/** Listener that answers the kubelet's `/ready` probes and exposes `/stats/prometheus`. */
export const PROXY_READY_PORT = 19001;
/** Header the router sets to `<pod IP>:<port>` of the endpoint it picked. */
export const DESTINATION_HEADER = "x-gateway-destination-endpoint";
/** Key of the bootstrap file in the proxy's ConfigMap (mounted at `/etc/envoy`). */
export const PROXY_CONFIG_FILE = "envoy.yaml";
/** Where the bootstrap file is mounted in the proxy container. */
export const PROXY_CONFIG_DIR = "/etc/envoy";
/**
 * Route timeout and stream idle timeout. A generation streams for minutes and may sit in the router's queue
 * before its first token; the upstream preset allows a day, and so do we, leaving limits to the client.
 */
export const PROXY_ROUTE_TIMEOUT = "86400s";

/** Names of the Envoy filters and clusters, for callers and tests that look for them. */
export const ENVOY_NAMES = {
    httpConnectionManager: "envoy.filters.network.http_connection_manager",
    extProcFilter: "envoy.filters.http.ext_proc",
    healthCheckFilter: "envoy.filters.http.health_check",
    routerFilter: "envoy.filters.http.router",
    extProcCluster: "ext_proc",
    destinationCluster: "original_destination_cluster",
    statsCluster: "prometheus_stats",
} as const;

/** Container resources of the proxy (Kubernetes quantities). */
export interface ProxyResourceSpec {
    cpuRequest: string;
    memoryRequest: string;
    memoryLimit?: string;
}

/** The standalone chart's proxy requests: Envoy holds every in-flight stream of the pool. */
export const DEFAULT_PROXY_RESOURCES: ProxyResourceSpec = { cpuRequest: "4", memoryRequest: "8Gi", memoryLimit: "16Gi" };

/** What the bootstrap depends on. */
export interface EnvoyBootstrapOptions {
    /** Port of the OpenAI-compatible listener. */
    listenerPort: number;
    /** The router's ext-proc gRPC port on loopback. */
    extProcPort: number;
}

const type = (name: string) => `type.googleapis.com/${name}`;

// Same limits as upstream: well above what one router pod serves, so Envoy never queues on its own.
const CIRCUIT_BREAKERS = { thresholds: [{ max_connections: 40000, max_pending_requests: 40000, max_requests: 40000 }] };

function socket(address: string, port: number) {
    return { socket_address: { address, port_value: port } };
}

/**
 * A listener address on every IPv4 and IPv6 interface, as the standalone chart binds its listeners (its
 * values.yaml: `0.0.0.0` plus `additional_addresses` `::`), so dual-stack and IPv6 clusters reach the proxy.
 */
function dualStack(port: number) {
    return { address: socket("0.0.0.0", port), additional_addresses: [{ address: socket("::", port) }] };
}

function staticEndpoint(cluster: string, address: string, port: number) {
    return { cluster_name: cluster, endpoints: [{ lb_endpoints: [{ endpoint: { address: socket(address, port) } }] }] };
}

function accessLog() {
    return [
        {
            name: "envoy.access_loggers.file",
            typed_config: {
                "@type": type("envoy.extensions.access_loggers.file.v3.FileAccessLog"),
                path: "/dev/stdout",
                log_format: {
                    json_format: {
                        start_time: "%START_TIME%",
                        method: "%REQ(:METHOD)%",
                        path: "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
                        protocol: "%PROTOCOL%",
                        response_code: "%RESPONSE_CODE%",
                        response_flags: "%RESPONSE_FLAGS%",
                        duration_ms: "%DURATION%",
                        upstream_host: "%UPSTREAM_HOST%",
                        destination: `%REQ(${DESTINATION_HEADER.toUpperCase()})%`,
                        request_id: "%REQ(X-REQUEST-ID)%",
                    },
                },
            },
        },
    ];
}

function readyListener() {
    return {
        name: "ready",
        ...dualStack(PROXY_READY_PORT),
        filter_chains: [
            {
                filters: [
                    {
                        name: ENVOY_NAMES.httpConnectionManager,
                        typed_config: {
                            "@type": type("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"),
                            stat_prefix: "ready",
                            route_config: {
                                name: "ready",
                                virtual_hosts: [
                                    {
                                        name: "stats",
                                        domains: ["*"],
                                        // Only the Prometheus page of the admin interface leaves the pod.
                                        routes: [{ match: { prefix: "/stats/prometheus" }, route: { cluster: ENVOY_NAMES.statsCluster } }],
                                    },
                                ],
                            },
                            http_filters: [
                                {
                                    // Answers /ready itself, so probes never reach the admin interface.
                                    name: ENVOY_NAMES.healthCheckFilter,
                                    typed_config: {
                                        "@type": type("envoy.extensions.filters.http.health_check.v3.HealthCheck"),
                                        pass_through_mode: false,
                                        headers: [{ name: ":path", string_match: { exact: "/ready" } }],
                                    },
                                },
                                { name: ENVOY_NAMES.routerFilter, typed_config: { "@type": type("envoy.extensions.filters.http.router.v3.Router") } },
                            ],
                        },
                    },
                ],
            },
        ],
    };
}

function extProcFilter(extProcPort: number) {
    return {
        name: ENVOY_NAMES.extProcFilter,
        typed_config: {
            "@type": type("envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor"),
            // Deliberately not the chart's failOpen: true. Without the router there is no destination header,
            // and ORIGINAL_DST then falls back to the connection's own destination, this very listener, so a
            // request would loop through the proxy instead of reaching a model server. A gateway in front of an
            // InferencePool can fail open (it picks a pool endpoint itself); this proxy has nothing to pick from.
            failure_mode_allow: false,
            grpc_service: { envoy_grpc: { cluster_name: ENVOY_NAMES.extProcCluster, authority: `localhost:${extProcPort}` }, timeout: "10s" },
            // The router reads the whole request (model, prompt) and rewrites it while it streams: bodies
            // go to it full-duplex, which needs the trailers sent too.
            processing_mode: {
                request_header_mode: "SEND",
                response_header_mode: "SEND",
                request_body_mode: "FULL_DUPLEX_STREAMED",
                response_body_mode: "FULL_DUPLEX_STREAMED",
                request_trailer_mode: "SEND",
                response_trailer_mode: "SEND",
            },
            message_timeout: "1000s",
        },
    };
}

function modelListener(options: EnvoyBootstrapOptions) {
    return {
        name: "model",
        ...dualStack(options.listenerPort),
        per_connection_buffer_limit_bytes: 32768,
        filter_chains: [
            {
                filters: [
                    {
                        name: ENVOY_NAMES.httpConnectionManager,
                        typed_config: {
                            "@type": type("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"),
                            stat_prefix: `http-${options.listenerPort}`,
                            route_config: {
                                name: "model",
                                virtual_hosts: [
                                    {
                                        name: "model",
                                        domains: ["*"],
                                        routes: [
                                            {
                                                match: { prefix: "/" },
                                                route: {
                                                    cluster: ENVOY_NAMES.destinationCluster,
                                                    timeout: PROXY_ROUTE_TIMEOUT,
                                                    idle_timeout: PROXY_ROUTE_TIMEOUT,
                                                    upgrade_configs: [{ upgrade_type: "websocket" }],
                                                },
                                            },
                                        ],
                                    },
                                ],
                            },
                            http_filters: [
                                extProcFilter(options.extProcPort),
                                {
                                    name: ENVOY_NAMES.routerFilter,
                                    typed_config: { "@type": type("envoy.extensions.filters.http.router.v3.Router"), suppress_envoy_headers: true },
                                },
                            ],
                            http2_protocol_options: { max_concurrent_streams: 100, initial_stream_window_size: 65536, initial_connection_window_size: 1048576 },
                            use_remote_address: true,
                            normalize_path: true,
                            merge_slashes: true,
                            path_with_escaped_slashes_action: "UNESCAPE_AND_REDIRECT",
                            server_header_transformation: "PASS_THROUGH",
                            common_http_protocol_options: { headers_with_underscores_action: "REJECT_REQUEST" },
                            access_log: accessLog(),
                        },
                    },
                ],
            },
        ],
    };
}

function extProcCluster(extProcPort: number) {
    return {
        name: ENVOY_NAMES.extProcCluster,
        type: "STATIC",
        connect_timeout: "86400s",
        lb_policy: "LEAST_REQUEST",
        circuit_breakers: { thresholds: [{ ...CIRCUIT_BREAKERS.thresholds[0], max_retries: 1024 }] },
        health_checks: [
            {
                timeout: "2s",
                interval: "10s",
                unhealthy_threshold: 3,
                healthy_threshold: 2,
                reuse_connection: true,
                grpc_health_check: { service_name: "envoy.service.ext_proc.v3.ExternalProcessor" },
                tls_options: { alpn_protocols: ["h2"] },
            },
        ],
        // The router serves ext-proc over TLS with a self-signed certificate by default; on loopback inside
        // one pod there is nothing to verify.
        transport_socket: {
            name: "envoy.transport_sockets.tls",
            typed_config: {
                "@type": type("envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"),
                common_tls_context: { validation_context: {} },
            },
        },
        // gRPC needs HTTP/2 to the router.
        typed_extension_protocol_options: {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": type("envoy.extensions.upstreams.http.v3.HttpProtocolOptions"),
                explicit_http_config: { http2_protocol_options: { initial_stream_window_size: 65536, initial_connection_window_size: 1048576 } },
            },
        },
        load_assignment: staticEndpoint(ENVOY_NAMES.extProcCluster, "127.0.0.1", extProcPort),
    };
}

/** The Envoy bootstrap of the standalone proxy, as plain data. */
export function envoyBootstrap(options: EnvoyBootstrapOptions): Record<string, unknown> {
    return {
        admin: {
            address: socket("127.0.0.1", PROXY_ADMIN_PORT),
            access_log: [
                {
                    name: "envoy.access_loggers.file",
                    typed_config: { "@type": type("envoy.extensions.access_loggers.file.v3.FileAccessLog"), path: "/dev/null" },
                },
            ],
        },
        static_resources: {
            listeners: [readyListener(), modelListener(options)],
            clusters: [
                {
                    name: ENVOY_NAMES.statsCluster,
                    type: "STATIC",
                    connect_timeout: "0.25s",
                    load_assignment: staticEndpoint(ENVOY_NAMES.statsCluster, "127.0.0.1", PROXY_ADMIN_PORT),
                },
                {
                    // Forwards to whatever `<ip>:<port>` the router put in the header: no endpoint list to sync.
                    name: ENVOY_NAMES.destinationCluster,
                    type: "ORIGINAL_DST",
                    lb_policy: "CLUSTER_PROVIDED",
                    connect_timeout: "1000s",
                    circuit_breakers: CIRCUIT_BREAKERS,
                    original_dst_lb_config: { use_http_header: true, http_header_name: DESTINATION_HEADER },
                },
                extProcCluster(options.extProcPort),
            ],
        },
    };
}

/** The bootstrap as the YAML file Envoy reads with `-c`. */
export function envoyBootstrapYaml(options: EnvoyBootstrapOptions): string {
    // Every string value quoted: values like `:path` or `*` stay strings in any YAML parser (Envoy's is yaml-cpp).
    return stringify(envoyBootstrap(options), { lineWidth: 0, defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" });
}

/** What the proxy container depends on. */
export interface ProxyContainerOptions {
    image: string;
    listenerPort: number;
    resources: ProxyResourceSpec;
    /** Name of the pod volume holding the bootstrap file. */
    configVolume: string;
}

/** Port name of the proxy's listener; the router Service's `http` port targets it. */
export const PROXY_PORT_NAME = "http";
const READY_PORT_NAME = "proxy-ready";

/** The Envoy container of the router pod. */
export function proxyContainer(options: ProxyContainerOptions): Record<string, unknown> {
    const { cpuRequest, memoryRequest, memoryLimit } = options.resources;
    const ready = { httpGet: { path: "/ready", port: READY_PORT_NAME, scheme: "HTTP" } };
    return {
        name: "proxy",
        image: options.image,
        imagePullPolicy: "IfNotPresent",
        command: ["envoy"],
        args: [
            "--config-path", `${PROXY_CONFIG_DIR}/${PROXY_CONFIG_FILE}`,
            "--service-node", "llm-d-router-proxy",
            "--log-level", "warn",
            // Size worker threads by the CPU the container may use, not by the node's cores.
            "--cpuset-threads",
            "--drain-strategy", "immediate",
            "--drain-time-s", "60",
        ],
        ports: [
            { name: PROXY_PORT_NAME, containerPort: options.listenerPort, protocol: "TCP" },
            { name: READY_PORT_NAME, containerPort: PROXY_READY_PORT, protocol: "TCP" },
        ],
        // Upstream probes readiness only; liveness restarts an Envoy that stopped answering at all.
        readinessProbe: { ...ready, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 1 },
        livenessProbe: { ...ready, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
        resources: {
            requests: { cpu: cpuRequest, memory: memoryRequest },
            ...(memoryLimit ? { limits: { memory: memoryLimit } } : {}),
        },
        // The distroless image runs as its numeric nonroot user; no UID pinned so OpenShift can assign one.
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true },
        volumeMounts: [{ name: options.configVolume, mountPath: PROXY_CONFIG_DIR, readOnly: true }],
    };
}
