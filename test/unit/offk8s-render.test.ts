import * as assert from "assert";
import { parse } from "yaml";
import { LlmdConfigError } from "../../components/errors";
import {
    ENDPOINTS_FILE_MAX_BYTES,
    EndpointEntry,
    endpointsFileErrors,
    parseEndpointsFile,
    renderEndpointsFile,
} from "../../components/offk8s/endpoints-file";
import { planRouterHost } from "../../components/offk8s/host";
import { FILE_DISCOVERY_PLUGIN, FileDiscoveryRouterConfig, renderFileDiscoveryRouterConfig } from "../../components/offk8s/render-router-config";
import { HostInstallMode, hostLayout, renderRouterUnit } from "../../components/offk8s/systemd";
import { IMAGES, imageRef } from "../../components/catalog/versions";
import { SchedulerProfile, undefinedPluginRefs } from "../../components/render/router-config";

const ENTRY: EndpointEntry = { name: "vllm-0", address: "10.0.0.1", port: "8000", labels: { "llm-d.ai/model": "qwen3" } };

function throwsConfigError(fn: () => unknown, field: string, pattern: RegExp) {
    assert.throws(fn, (err: unknown) => {
        assert.ok(err instanceof LlmdConfigError, `expected LlmdConfigError, got ${String(err)}`);
        assert.strictEqual(err.field, field);
        assert.match(err.message, pattern);
        return true;
    });
}

describe("off Kubernetes: router config with file discovery", () => {
    for (const profile of [SchedulerProfile.OptimizedBaseline, SchedulerProfile.InferenceScheduling, SchedulerProfile.PdDisaggregation]) {
        it(`${profile}: parses, selects the file-discovery plugin by pluginRef, and keeps the profile's scheduling`, () => {
            const config = parse(renderFileDiscoveryRouterConfig({ profile, endpointsFilePath: "/var/lib/llmd/endpoints.yaml" })) as FileDiscoveryRouterConfig;
            assert.strictEqual(config.kind, "EndpointPickerConfig");
            const discovery = config.plugins.filter((p) => p.type === "file-discovery");
            assert.strictEqual(discovery.length, 1);
            assert.strictEqual(discovery[0].name, FILE_DISCOVERY_PLUGIN);
            assert.deepStrictEqual(discovery[0].parameters, { path: "/var/lib/llmd/endpoints.yaml", watchFile: true });
            // v0.10.0 shape: dataLayer.discovery.pluginRef naming the plugin instance.
            assert.deepStrictEqual(config.dataLayer, { discovery: { pluginRef: FILE_DISCOVERY_PLUGIN } });
            assert.deepStrictEqual(undefinedPluginRefs(config), []);
            assert.ok(config.schedulingProfiles.length >= 1);
        });
    }

    // llm-d v0.9.0 guides/no-kubernetes-deployment/router/epp/config.yaml.
    it("runs the no-Kubernetes guide's baseline: queue 2, kv-cache 2, prefix 3, no-hit LRU 2", () => {
        for (const profile of [SchedulerProfile.OptimizedBaseline, SchedulerProfile.InferenceScheduling]) {
            const config = parse(renderFileDiscoveryRouterConfig({ profile, endpointsFilePath: "/e.yaml" })) as FileDiscoveryRouterConfig;
            const weights = Object.fromEntries(config.schedulingProfiles[0].plugins.map((p) => [p.pluginRef, p.weight]));
            assert.deepStrictEqual(weights, { "queue-scorer": 2, "kv-cache-utilization-scorer": 2, "prefix-cache-scorer": 3, "no-hit-lru-scorer": 2 });
        }
    });

    it("rejects the precise-prefix-cache profile and a relative path", () => {
        throwsConfigError(
            () => renderFileDiscoveryRouterConfig({ profile: SchedulerProfile.PrecisePrefixCache, endpointsFilePath: "/e.yaml" }),
            "schedulerProfile",
            /optimized-baseline, inference-scheduling, pd-disaggregation/,
        );
        throwsConfigError(() => renderFileDiscoveryRouterConfig({ profile: SchedulerProfile.OptimizedBaseline, endpointsFilePath: "endpoints.yaml" }), "endpointsFilePath", /absolute/);
    });
});

describe("off Kubernetes: endpoints file", () => {
    it("renders entries as JSON, one per line, that parse back to the same endpoints", () => {
        const entries: EndpointEntry[] = [ENTRY, { name: "vllm-1", namespace: "slurm", address: "10.0.0.2", port: "8001" }];
        const text = renderEndpointsFile(entries);
        assert.deepStrictEqual(endpointsFileErrors(text), []);
        assert.deepStrictEqual(parseEndpointsFile("f", text), entries);
        // JSON, so the launchers' updater reads it without PyYAML.
        assert.deepStrictEqual(JSON.parse(text).endpoints, entries);
        assert.strictEqual(text.split("\n").filter((l) => l.startsWith('  {"name":')).length, 2);
    });

    it("renders no entries as `endpoints: []`, which is valid", () => {
        const text = renderEndpointsFile([]);
        assert.strictEqual(text, "endpoints: []\n");
        assert.deepStrictEqual(parseEndpointsFile("f", text), []);
    });

    it("accepts the upstream multi-line YAML and JSON layouts", () => {
        const yaml = 'endpoints:\n  - name: tp-rank-0\n    namespace: inference\n    address: "192.168.1.10"\n    port: "8000"\n    labels:\n      rank: "0"\n';
        assert.deepStrictEqual(endpointsFileErrors(yaml), []);
        assert.deepStrictEqual(endpointsFileErrors(JSON.stringify({ endpoints: [ENTRY] })), []);
    });

    const invalid: Array<[string, string, RegExp]> = [
        ["host name address", 'endpoints:\n  - {name: a, address: vllm.local, port: "8000"}\n', /endpoints\[0\]\.address: .*IPv4/],
        ["IPv6 address", 'endpoints:\n  - {name: a, address: "fd00::1", port: "8000"}\n', /endpoints\[0\]\.address/],
        ["octet out of range", 'endpoints:\n  - {name: a, address: 10.0.0.256, port: "8000"}\n', /address/],
        ["leading-zero octet", 'endpoints:\n  - {name: a, address: 10.0.0.01, port: "8000"}\n', /address/],
        ["unquoted port", "endpoints:\n  - {name: a, address: 10.0.0.1, port: 8000}\n", /port: got 8000; .*quote it/],
        ["port 0", 'endpoints:\n  - {name: a, address: 10.0.0.1, port: "0"}\n', /port/],
        ["port 65536", 'endpoints:\n  - {name: a, address: 10.0.0.1, port: "65536"}\n', /port/],
        ["missing name", 'endpoints:\n  - {address: 10.0.0.1, port: "8000"}\n', /endpoints\[0\]\.name/],
        ["duplicate name", 'endpoints:\n  - {name: a, address: 10.0.0.1, port: "8000"}\n  - {name: a, address: 10.0.0.2, port: "8000"}\n', /endpoints\[1\]\.name: "default\/a" repeats endpoints\[0\]/],
        ["typo in a key", 'endpoints:\n  - {name: a, adress: 10.0.0.1, port: "8000"}\n', /endpoints\[0\]\.adress: unknown field/],
        ["non-string label", 'endpoints:\n  - {name: a, address: 10.0.0.1, port: "8000", labels: {rank: 0}}\n', /labels\.rank/],
        ["no endpoints list", "workers: []\n", /endpoints: got undefined; expected a list/],
        ["broken YAML", "endpoints: [\n", /not valid YAML/],
    ];
    for (const [what, text, pattern] of invalid) {
        it(`rejects ${what} with a message naming the problem`, () => {
            const errors = endpointsFileErrors(text);
            assert.ok(errors.some((e) => pattern.test(e)), `errors ${JSON.stringify(errors)} do not match ${pattern}`);
            throwsConfigError(() => parseEndpointsFile("initialEndpoints", text), "initialEndpoints", pattern);
        });
    }

    it("accepts the same name in two namespaces", () => {
        const text = 'endpoints:\n  - {name: a, namespace: x, address: 10.0.0.1, port: "8000"}\n  - {name: a, namespace: y, address: 10.0.0.2, port: "8000"}\n';
        assert.deepStrictEqual(endpointsFileErrors(text), []);
    });

    it("rejects a file over 1 MiB, as the router does", () => {
        const line = '  - {"name":"n","address":"10.0.0.1","port":"8000"}\n';
        const text = "endpoints:\n" + line.repeat(Math.ceil(ENDPOINTS_FILE_MAX_BYTES / line.length) + 1);
        assert.match(endpointsFileErrors(text)[0], /1 MiB/);
    });

    it("refuses to render an entry the router would skip", () => {
        throwsConfigError(() => renderEndpointsFile([{ ...ENTRY, address: "10.0.0" }], "initialEndpoints"), "initialEndpoints", /address/);
    });
});

describe("off Kubernetes: router host files", () => {
    const plan = (extra: Partial<Parameters<typeof planRouterHost>[1]> = {}) => planRouterHost("router", { host: "192.0.2.10", user: "llmd", ...extra });
    const file = (p: ReturnType<typeof planRouterHost>, role: string) => {
        const found = p.files.find((f) => f.role === role);
        assert.ok(found, `no ${role} file`);
        return found;
    };

    it("puts Envoy in front of the router: ext_proc full-duplex to 9002, ORIGINAL_DST on x-gateway-destination-endpoint", () => {
        const envoy = parse(file(plan({ gatewayPort: 8080 }), "envoy-config").content) as any;
        const listener = envoy.static_resources.listeners.find((l: any) => l.address.socket_address.port_value === 8080);
        assert.ok(listener, "listener on the gateway port");
        const filters = listener.filter_chains[0].filters[0].typed_config.http_filters;
        const extProc = filters.find((f: any) => f.name === "envoy.filters.http.ext_proc").typed_config;
        assert.strictEqual(extProc.processing_mode.request_body_mode, "FULL_DUPLEX_STREAMED");
        assert.strictEqual(extProc.processing_mode.response_body_mode, "FULL_DUPLEX_STREAMED");
        const clusters = envoy.static_resources.clusters;
        const extProcCluster = clusters.find((c: any) => c.name === extProc.grpc_service.envoy_grpc.cluster_name);
        assert.strictEqual(extProcCluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value, 9002);
        const original = clusters.find((c: any) => c.type === "ORIGINAL_DST");
        assert.deepStrictEqual(original.original_dst_lb_config, { use_http_header: true, http_header_name: "x-gateway-destination-endpoint" });
    });

    it("runs the pinned images under podman by default, mounting the endpoints directory (not the file) read-only", () => {
        const p = plan();
        const unit = file(p, "router-unit").content;
        assert.match(unit, new RegExp(`ExecStart=/usr/bin/podman run .*${imageRef(IMAGES.router).replace(/[.]/g, "\\.")}`));
        // A bind-mounted file keeps the old inode after an atomic rename; the directory mount sees the new one.
        assert.match(unit, /--volume \/var\/lib\/llmd:\/var\/lib\/llmd:ro/);
        assert.match(unit, /--config-file=\/etc\/llmd\/router\.yaml/);
        assert.match(unit, /--pool-namespace=llmd/);
        assert.match(file(p, "envoy-unit").content, new RegExp(imageRef(IMAGES.envoy).replace(/[.]/g, "\\.")));
        assert.match(file(p, "envoy-unit").content, /After=llmd-router\.service/);
        assert.match(p.install, /podman pull ghcr\.io\/llm-d\/llm-d-router-endpoint-picker:v0\.10\.0/);
    });

    it("binary mode runs the given binaries with a dynamic user and pulls nothing", () => {
        const unit = renderRouterUnit({
            mode: HostInstallMode.Binary,
            layout: hostLayout("/etc/llmd", "/var/lib/llmd/endpoints.yaml"),
            routerImage: "unused",
            envoyImage: "unused",
            routerBinaryPath: "/opt/llmd/epp",
            envoyBinaryPath: "/opt/envoy",
            containerRuntimePath: "/usr/bin/podman",
            poolName: "p",
            poolNamespace: "n",
        });
        assert.match(unit, /^ExecStart=\/opt\/llmd\/epp --config-file=/m);
        assert.match(unit, /DynamicUser=yes/);
        assert.doesNotMatch(planRouterHost("r", { host: "h", installMode: HostInstallMode.Binary }).install, /pull/);
    });

    it("runs docker from /usr/bin by default, or from containerRuntimePath, in the units and the install steps", () => {
        const docker = plan({ installMode: HostInstallMode.Docker });
        assert.match(file(docker, "router-unit").content, /^ExecStart=\/usr\/bin\/docker run /m);
        const elsewhere = plan({ installMode: HostInstallMode.Docker, containerRuntimePath: "/snap/bin/docker" });
        for (const role of ["router-unit", "envoy-unit"]) {
            const unit = file(elsewhere, role).content;
            assert.match(unit, /^ExecStart=\/snap\/bin\/docker run /m);
            assert.match(unit, /^ExecStartPre=-\/snap\/bin\/docker rm -f /m);
            assert.match(unit, /^ExecStop=\/snap\/bin\/docker stop /m);
            assert.doesNotMatch(unit, /\/usr\/bin\/docker/);
        }
        assert.match(elsewhere.prepare, /test -x \/snap\/bin\/docker/);
        assert.match(elsewhere.install, /\/snap\/bin\/docker pull /);
        throwsConfigError(() => plan({ containerRuntimePath: "docker" }), "containerRuntimePath", /absolute path/);
    });

    it("adds the shared-file sync timer only when a shared endpoints file is set", () => {
        assert.deepStrictEqual(plan().files.map((f) => f.role).filter((r) => r.startsWith("sync")), []);
        const p = plan({ sharedEndpointsFile: "/shared/llmd/endpoints.yaml", syncIntervalSeconds: 3 });
        assert.match(file(p, "sync-script").content, /src=\/shared\/llmd\/endpoints\.yaml/);
        assert.match(file(p, "sync-timer").content, /OnUnitActiveSec=3s/);
        assert.match(p.start, /enable llmd-router\.service llmd-envoy\.service llmd-endpoints-sync\.timer/);
    });

    it("seeds the endpoints file only when it is absent, and from validated entries", () => {
        const seed = file(plan({ initialEndpoints: [ENTRY] }), "endpoints");
        assert.strictEqual(seed.keepExisting, true);
        assert.deepStrictEqual(parseEndpointsFile("f", seed.content), [ENTRY]);
        throwsConfigError(() => plan({ initialEndpoints: [{ ...ENTRY, port: "80000" }] }), "initialEndpoints", /port/);
    });

    it("uses sudo for a non-root user and not for root", () => {
        assert.match(plan().start, /sudo -n systemctl restart/);
        assert.doesNotMatch(plan({ user: "root" }).start, /sudo/);
    });

    it("changes the content hash when the config changes, not when only the host changes", () => {
        assert.notStrictEqual(plan().contentHash, plan({ gatewayPort: 8082 }).contentHash);
        assert.notStrictEqual(plan().contentHash, plan({ schedulerProfile: SchedulerProfile.PdDisaggregation }).contentHash);
        assert.strictEqual(plan().contentHash, plan({ host: "192.0.2.99" }).contentHash);
    });

    it("rejects bad host settings with the field named", () => {
        throwsConfigError(() => plan({ installMode: "kubernetes" as any }), "installMode", /podman, docker, binary/);
        throwsConfigError(() => plan({ gatewayPort: 9002 }), "gatewayPort", /other than 9002/);
        throwsConfigError(() => plan({ endpointsFilePath: "/var/lib/my endpoints.yaml" }), "endpointsFilePath", /absolute path/);
        throwsConfigError(() => plan({ host: "" }), "connection.host", /non-empty/);
        throwsConfigError(() => plan({ sharedEndpointsFile: "/var/lib/llmd/endpoints.yaml" }), "sharedEndpointsFile", /different path/);
        throwsConfigError(() => plan({ routerImage: "bad image" }), "routerImage", /image reference/);
    });
});

describe("off Kubernetes: endpoints writer on the router host", () => {
    it("hands the endpoints directory to the launcher's user when asked, and checks the name", () => {
        assert.match(planRouterHost("r", { host: "h", user: "root", endpointsWriter: "ray" }).prepare, /^chown ray \/var\/lib\/llmd$/m);
        assert.doesNotMatch(planRouterHost("r", { host: "h" }).prepare, /chown/);
        assert.throws(() => planRouterHost("r", { host: "h", endpointsWriter: "ray; reboot" }), (e: unknown) => e instanceof LlmdConfigError && e.field === "endpointsWriter");
    });
});
