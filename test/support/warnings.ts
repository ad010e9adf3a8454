import * as pulumi from "@pulumi/pulumi";

/**
 * Runs `body` with `pulumi.log.warn` recording into the list it is given instead of printing, and puts the
 * SDK's function back afterwards, also when `body` throws.
 */
export async function withCapturedWarnings<T>(body: (warnings: string[]) => Promise<T>): Promise<T> {
    const log = pulumi.log as { warn: typeof pulumi.log.warn };
    const original = log.warn;
    const warnings: string[] = [];
    log.warn = (message: string) => {
        warnings.push(message);
        return Promise.resolve();
    };
    try {
        return await body(warnings);
    } finally {
        log.warn = original;
    }
}
