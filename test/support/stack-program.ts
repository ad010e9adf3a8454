import * as pulumi from "@pulumi/pulumi";
import { RecordedResource, runWithMocks } from "../../stacks/mock-engine";
import { runProgram } from "../../stacks/program";

/** A kind stack on an existing cluster: the smallest config the program accepts. */
export const KIND_STACK = { "llmd:provider": "kind", "llmd:cluster": JSON.stringify({ context: "kind-llmd", kubernetesVersion: "1.33" }) };

/**
 * Runs the stack program under mocks (not preview) with `config` over `KIND_STACK`; structured values are
 * JSON-encoded as the engine passes them. Returns what was created, the outputs, and what the program threw.
 */
export async function runStackProgram(
    config: Record<string, unknown>,
    secretKeys: string[] = [],
): Promise<{ resources: RecordedResource[]; outputs: Record<string, unknown>; error?: unknown }> {
    const encoded = Object.fromEntries(Object.entries({ ...KIND_STACK, ...config }).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    let error: unknown;
    let result: Record<string, unknown> = {};
    const { resources } = await runWithMocks(
        () => {
            try {
                result = runProgram();
            } catch (err) {
                error = err;
            }
        },
        { stack: "test", preview: false, config: encoded, secretKeys },
    );
    const outputs = error ? {} : await new Promise<Record<string, unknown>>((resolve) => pulumi.all(result).apply((v) => resolve(v as Record<string, unknown>)));
    return { resources, outputs, error };
}
