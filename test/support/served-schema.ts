/**
 * The schema exactly as the package serves it to other languages: starts the plugin entry (bin/plugin.js, the
 * `main` of PulumiPlugin.yaml) as its own process, asks it over the provider gRPC protocol, and stops it.
 */
import { spawn } from "child_process";
import * as path from "path";
import { packageRoot } from "../../components/package-root";

export async function servedSchema(): Promise<string> {
    // The SDK's own gRPC client library, resolved as the SDK resolves it (not a dependency of ours).
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }));
    const services = require("@pulumi/pulumi/proto/provider_grpc_pb");
    const messages = require("@pulumi/pulumi/proto/provider_pb");
    const child = spawn(process.execPath, [path.join(packageRoot(), "bin", "plugin.js")], { stdio: ["ignore", "pipe", "inherit"] });
    try {
        // The provider prints the port it listens on as its first line.
        const port = await new Promise<string>((resolve, reject) => {
            let out = "";
            child.stdout!.on("data", (chunk: Buffer) => {
                out += chunk.toString();
                const line = out.split("\n")[0].trim();
                if (out.includes("\n") && /^\d+$/.test(line)) resolve(line);
            });
            child.on("exit", (code) => reject(new Error(`plugin exited with ${code} before serving`)));
        });
        const client = new services.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        try {
            return await new Promise<string>((resolve, reject) =>
                client.getSchema(new messages.GetSchemaRequest(), (err: Error | null, res: { getSchema(): string }) => (err ? reject(err) : resolve(res.getSchema()))),
            );
        } finally {
            client.close();
        }
    } finally {
        child.kill();
    }
}
