/**
 * Automation API entry points for CI systems: preview, deploy or destroy one of the shipped stacks against
 * a local (file) or cloud backend, with no hand-run `pulumi` commands. For your own project folder or an
 * inline program, use `runStack` from `./workspace` (exported by the package). Needs the Pulumi CLI on PATH (the
 * `pulumi` npm package does not bundle it) and, for a real preview, credentials for the stack's cluster.
 *
 *   import { previewStack } from "llmd/bin/stacks/automation";
 *   await previewStack({ stack: "local", backendUrl: "file://~/.pulumi-local" });
 */
import { spawnSync } from "child_process";
import * as path from "path";
import type { PreviewResult, Stack, UpResult } from "@pulumi/pulumi/automation";
import { packageRoot } from "../components/package-root";
import { listStacks } from "./stack-files";
import { WorkspaceStackOptions, openStack, runStack } from "./workspace";

export { automationEnv } from "./workspace";

/** Where and how to run a stack. */
export interface AutomationOptions {
    /** Stack name: one of the `stacks/Pulumi.<name>.yaml` files. */
    stack: string;
    /**
     * Backend: `file://<dir>` for a local state folder, `https://api.pulumi.com` (or another service URL) for a
     * cloud backend. Default: whatever the CLI is logged in to (`PULUMI_BACKEND_URL` or `pulumi login`).
     */
    backendUrl?: string;
    /**
     * Passphrase of the stack's secrets provider for self-managed backends. Default: `PULUMI_CONFIG_PASSPHRASE`
     * from the environment. Never logged.
     */
    passphrase?: string;
    /** Receives the CLI's output line by line (default: discarded). */
    onOutput?: (line: string) => void;
}

/** Whether a Pulumi CLI is on PATH; the reason when not. */
export function pulumiCli(): { available: true; version: string } | { available: false; reason: string } {
    const result = spawnSync("pulumi", ["version"], { encoding: "utf8", timeout: 20_000 });
    if (result.error || result.status !== 0) {
        return { available: false, reason: "no Pulumi CLI on PATH (install it from pulumi.com; the npm package does not include it)" };
    }
    return { available: true, version: result.stdout.trim() };
}

function shipped(options: AutomationOptions): WorkspaceStackOptions {
    if (!listStacks().includes(options.stack)) {
        throw new Error(`no stack "${options.stack}": expected one of ${listStacks().join(", ")}`);
    }
    return { ...options, stackName: options.stack, workDir: packageRoot() };
}

/** Selects (creating when new) the named stack of this project. */
export async function selectStack(options: AutomationOptions): Promise<Stack> {
    return openStack(shipped(options));
}

/** `pulumi preview` of a shipped stack. */
export async function previewStack(options: AutomationOptions): Promise<PreviewResult> {
    return runStack("preview", shipped(options));
}

/** `pulumi up` of a shipped stack. */
export async function deployStack(options: AutomationOptions): Promise<UpResult> {
    return runStack("up", shipped(options));
}

/** `pulumi destroy` of a shipped stack. */
export async function destroyStack(options: AutomationOptions): Promise<void> {
    await runStack("destroy", shipped(options));
}

/** Parses `--stack <name> [--backend <url>] [--up | --destroy]`. */
export function parseAutomationArgs(argv: string[]): AutomationOptions & { action: "preview" | "up" | "destroy" } {
    let stack: string | undefined;
    let backendUrl: string | undefined;
    let action: "preview" | "up" | "destroy" = "preview";
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--stack" || arg === "-s") {
            stack = argv[++i];
        } else if (arg === "--backend") {
            backendUrl = argv[++i];
        } else if (arg === "--up") {
            action = "up";
        } else if (arg === "--destroy") {
            action = "destroy";
        } else {
            throw new Error(`unknown argument ${JSON.stringify(arg)}; usage: npm run preview -- --stack <name> [--backend <url>] [--up | --destroy]`);
        }
    }
    if (!stack) {
        throw new Error("missing --stack <name>; usage: npm run preview -- --stack <name> [--backend <url>] [--up | --destroy]");
    }
    return { stack, backendUrl, action };
}

async function main(): Promise<void> {
    const { action, ...options } = parseAutomationArgs(process.argv.slice(2));
    const cli = pulumiCli();
    if (!cli.available) {
        throw new Error(`${cli.reason}; for an offline look at the stack use: npm run plan -- --stack ${options.stack}`);
    }
    const run = { ...options, onOutput: (line: string) => process.stdout.write(line) };
    if (action === "up") {
        await deployStack(run);
    } else if (action === "destroy") {
        await destroyStack(run);
    } else {
        const result = await previewStack(run);
        process.stdout.write(`\nchanges: ${JSON.stringify(result.changeSummary)}\n`);
    }
}

if (require.main === module) {
    main().catch((err: unknown) => {
        process.stderr.write(`${path.basename(__filename)}: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    });
}
