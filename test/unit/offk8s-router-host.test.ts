import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { LlmdConfigError } from "../../components/errors";
import { HostInstallMode, RouterHost, RouterHostArgs } from "../../components/router-host";
import { RecordedResource, SECRET, runWithMocks } from "../../stacks/mock-engine";

const COMMAND = "command:remote:Command";
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n";

async function run(args: Partial<RouterHostArgs> = {}, preview = false, plainKey = false) {
    return runWithMocks(
        () => {
            const host = new RouterHost("edge", {
                connection: { host: "192.0.2.10", user: "llmd", privateKey: plainKey ? KEY : pulumi.secret(KEY) },
                ...args,
            });
            return { endpointUrl: host.endpointUrl, endpointsFilePath: host.endpointsFilePath, routerConfig: host.routerConfig };
        },
        { stack: "test", preview },
    );
}

function byName(resources: RecordedResource[], name: string): RecordedResource {
    const found = resources.find((r) => r.name === name);
    assert.ok(found, `no resource ${name}; have ${resources.map((r) => r.name).join(", ")}`);
    return found;
}

async function value<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((done) => o.apply((v) => done(v)));
}

describe("RouterHost (llmd:index:RouterHost)", () => {
    let resources: RecordedResource[];
    let outputs: { endpointUrl: pulumi.Output<string>; endpointsFilePath: pulumi.Output<string>; routerConfig: pulumi.Output<string> };

    before(async () => {
        ({ resources, result: outputs } = await run({ sharedEndpointsFile: "/shared/llmd/endpoints.yaml" }));
    });

    it("creates the component with remote commands as children named <name>-<role>", () => {
        const component = byName(resources, "edge");
        assert.strictEqual(component.type, "llmd:index:RouterHost");
        const commands = resources.filter((r) => r.type === COMMAND);
        assert.deepStrictEqual(
            commands.map((r) => r.name).sort(),
            ["prepare", "install", "router-config", "envoy-config", "router-unit", "envoy-unit", "endpoints", "sync-script", "sync-service", "sync-timer", "start"]
                .map((role) => `edge-${role}`)
                .sort(),
        );
        for (const c of commands) {
            assert.strictEqual(c.parent, component.urn, `${c.name} parent`);
        }
    });

    it("orders the steps: prepare, then install and the files, then start", () => {
        const urn = (name: string) => byName(resources, name).urn;
        const deps = (name: string) => byName(resources, name).dependencies;
        assert.ok(deps("edge-install").includes(urn("edge-prepare")), "install after prepare");
        for (const role of ["router-config", "envoy-config", "router-unit", "envoy-unit", "endpoints", "sync-script", "sync-service", "sync-timer"]) {
            assert.ok(deps(`edge-${role}`).includes(urn("edge-prepare")), `${role} after prepare`);
            assert.ok(deps("edge-start").includes(urn(`edge-${role}`)), `start after ${role}`);
        }
        assert.ok(deps("edge-start").includes(urn("edge-install")), "start after install");
        assert.deepStrictEqual(deps("edge-prepare"), []);
    });

    it("records the private key only as a secret, in every command", () => {
        for (const c of resources.filter((r) => r.type === COMMAND)) {
            // The command SDK defaults the connection through an apply, so the whole connection (key included)
            // is one secret value.
            const connection = c.inputs.connection;
            assert.ok(connection === SECRET || (connection as Record<string, unknown>).privateKey === SECRET, `${c.name} key not secret`);
            assert.ok(c.secretPaths.some((p) => p === "connection" || p === "connection.privateKey"), `${c.name} secret path`);
        }
        assert.ok(!JSON.stringify(resources).includes("not-a-real-key"), "the key leaked into recorded inputs");
    });

    it("makes a plain-string key secret too", async () => {
        const { resources: plain } = await run({}, false, true);
        assert.ok(!JSON.stringify(plain).includes("not-a-real-key"), "a plain key leaked");
        assert.ok(byName(plain, "edge-start").secretPaths.length > 0);
    });

    it("feeds each file's content on stdin to an atomic write of its path", () => {
        const config = byName(resources, "edge-router-config");
        assert.match(config.inputs.create as string, /mktemp "\/etc\/llmd\/router\.yaml\.XXXXXX".*mv -f "\$tmp" "\/etc\/llmd\/router\.yaml"/);
        const doc = parse(config.inputs.stdin as string);
        assert.deepStrictEqual(doc.dataLayer, { discovery: { pluginRef: "file-discovery" } });
        assert.match(byName(resources, "edge-router-config").inputs.delete as string, /rm -f \/etc\/llmd\/router\.yaml/);
        // Launchers own the endpoints file: seeded when absent, never deleted.
        const seed = byName(resources, "edge-endpoints");
        assert.match(seed.inputs.create as string, /if \[ -e "\/var\/lib\/llmd\/endpoints\.yaml" \]/);
        assert.strictEqual(seed.inputs.delete, undefined);
        assert.strictEqual(seed.inputs.stdin, "endpoints: []\n");
    });

    it("restarts on config change: start is triggered by the content hash", async () => {
        const start = byName(resources, "edge-start");
        assert.match(start.inputs.create as string, /systemctl restart llmd-router\.service llmd-envoy\.service llmd-endpoints-sync\.timer/);
        assert.match(start.inputs.delete as string, /systemctl disable --now/);
        const [hash] = start.inputs.triggers as string[];
        assert.match(hash, /^[0-9a-f]{64}$/);
        const { resources: changed } = await run({ sharedEndpointsFile: "/shared/llmd/endpoints.yaml", gatewayPort: 8082 });
        assert.notStrictEqual((byName(changed, "edge-start").inputs.triggers as string[])[0], hash);
    });

    it("pulls images in install for container modes and re-installs when an image changes", async () => {
        const install = byName(resources, "edge-install");
        assert.match(install.inputs.create as string, /podman pull/);
        const { resources: docker } = await run({ installMode: HostInstallMode.Docker, envoyImage: "docker.io/envoyproxy/envoy:distroless-v1.34.0" });
        const dockerInstall = byName(docker, "edge-install");
        assert.match(dockerInstall.inputs.create as string, /\/usr\/bin\/docker pull docker\.io\/envoyproxy\/envoy:distroless-v1\.34\.0/);
        assert.ok((dockerInstall.inputs.triggers as string[]).includes("docker.io/envoyproxy/envoy:distroless-v1.34.0"));
    });

    it("outputs the endpoint URL, the endpoints file path and the router config", async () => {
        assert.strictEqual(await value(outputs.endpointUrl), "http://192.0.2.10:8081");
        assert.strictEqual(await value(outputs.endpointsFilePath), "/var/lib/llmd/endpoints.yaml");
        assert.match(await value(outputs.routerConfig), /type: file-discovery/);
    });

    it("evaluates in preview, with unknown outputs, without hanging", async () => {
        const { resources: previewed } = await run({ installMode: HostInstallMode.Binary }, true);
        assert.strictEqual(previewed.filter((r) => r.type === COMMAND).length, 8);
    });

    it("throws LlmdConfigError at construction for bad args, naming the field", async () => {
        await assert.rejects(run({ gatewayPort: 9090 }), (e: unknown) => e instanceof LlmdConfigError && e.field === "gatewayPort");
        await assert.rejects(
            runWithMocks(() => new RouterHost("x", { connection: { host: "192.0.2.10" } } as RouterHostArgs), { stack: "test", preview: false }),
            (e: unknown) => e instanceof LlmdConfigError && e.field === "connection.privateKey",
        );
    });
});
