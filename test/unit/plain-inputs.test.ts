import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { outputsToRegister, whenPlain } from "../../components/plain-inputs";

const value = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

describe("whenPlain: building a component from plain or Output inputs", () => {
    it("builds at once from plain inputs, one Output per field, passing built Outputs through as they are", async () => {
        let builds = 0;
        const workload = pulumi.output("done");
        const built = whenPlain({ name: "qwen", replicas: 2 }, [], (plain) => {
            builds++;
            return { name: plain.name, replicas: plain.replicas, workload };
        });
        // Errors of plain input must throw inside the constructor, so the build runs before whenPlain returns.
        assert.strictEqual(builds, 1);
        assert.strictEqual(built.workload, workload);
        assert.strictEqual(await value(built.name), "qwen");
        assert.strictEqual(await value(built.replicas), 2);
    });

    it("keeps a secret field from making its siblings secret", async () => {
        const built = whenPlain({ name: "qwen" }, [], (plain) => ({ name: plain.name, kubeconfig: pulumi.secret("apiVersion: v1") }));
        assert.strictEqual(await pulumi.isSecret(built.kubeconfig), true);
        assert.strictEqual(await pulumi.isSecret(built.name), false);
    });

    it("builds once the Output inputs are known, passing the kept fields through unresolved", async () => {
        let builds = 0;
        const token = pulumi.secret("hf_abc");
        let seenToken: unknown;
        const built = whenPlain({ name: pulumi.output("qwen"), token }, ["token"], (plain) => {
            builds++;
            seenToken = plain.token;
            return { name: `${plain.name}-router` };
        });
        assert.strictEqual(builds, 0);
        assert.strictEqual(await value(built.name), "qwen-router");
        assert.strictEqual(builds, 1);
        assert.strictEqual(seenToken, token);
    });

    it("registers the values behind Outputs it made from known values, and every other Output as it is", () => {
        const workload = pulumi.output("done");
        const kubeconfig = pulumi.secret("apiVersion: v1");
        const pools = [{ name: "h100", nodes: 2 }];
        const built = whenPlain({ name: "qwen" }, [], (plain) => ({ name: plain.name, pools, workload, kubeconfig, none: undefined }));
        const registered = outputsToRegister({ ...built, other: pulumi.output("elsewhere") });
        assert.strictEqual(registered.name, "qwen");
        assert.strictEqual(registered.pools, pools);
        assert.strictEqual(registered.none, undefined);
        // Built Outputs (a child's, a secret) and Outputs whenPlain did not make keep their dependencies and secrecy.
        assert.strictEqual(registered.workload, workload);
        assert.strictEqual(registered.kubeconfig, kubeconfig);
        assert.ok(pulumi.Output.isInstance(registered.other));
        // Built from Output inputs, the fields are only known later: they stay Outputs.
        const { name } = whenPlain({ name: pulumi.output("qwen") }, [], (plain) => ({ name: plain.name }));
        assert.strictEqual(outputsToRegister({ name }).name, name);
    });
});
