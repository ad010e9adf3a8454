/**
 * Automation API helper for your own program: run `pulumi preview`, `up` or `destroy` on a project folder
 * (a `Pulumi.yaml` that uses llmd) or on an inline program (a function creating llmd components), with the
 * stack's config set from plain values. Needs the Pulumi CLI on PATH; everything before the CLI is called
 * (argument checks, config mapping) is plain code.
 *
 *   import { LlmdDeployment, ExistingCluster, runStack, secretConfig } from "llmd";
 *   await runStack("preview", {
 *       stackName: "dev",
 *       program: () => { const c = new ExistingCluster("kind", { kind: "kind" }); new LlmdDeployment("llmd", { preset: "simulator", pools: c.pools, kubernetesProvider: c.kubernetesProvider }); },
 *       backendUrl: "file://~/.pulumi-state",
 *       config: { "kubernetes:context": "kind-llmd", "llmd:hfToken": secretConfig("hf_...") },
 *   });
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ConfigMap, PreviewResult, Stack, UpResult } from "@pulumi/pulumi/automation";
import { LlmdConfigError } from "../components/errors";

/** A config value to store encrypted in the stack (`pulumi config set --secret`). */
export class SecretConfigValue {
    constructor(readonly value: unknown) {}
}

/** Marks a config value secret: `{ "llmd:hfToken": secretConfig("hf_...") }`. */
export function secretConfig(value: unknown): SecretConfigValue {
    return new SecretConfigValue(value);
}

/** Stack config as plain values: strings as they are, numbers and booleans as text, objects and lists as JSON. */
export type StackConfig = Record<string, unknown>;

/** Where and how to run a stack of your own program. */
export interface WorkspaceStackOptions {
    /** Stack name, created when it does not exist yet. */
    stackName: string;
    /** Folder of a Pulumi project (holding `Pulumi.yaml`). Give this or `program`. */
    workDir?: string;
    /** Inline program: creates the resources, returns the stack outputs. Give this or `workDir`. */
    program?: () => unknown;
    /** Project name of an inline program. Default `llmd`. */
    projectName?: string;
    /**
     * Config to set on the stack before running, keyed `namespace:key` as in `Pulumi.<stack>.yaml`; wrap
     * secrets in `secretConfig(...)`. Keys not given keep what the stack already has.
     */
    config?: StackConfig;
    /**
     * Backend: `file://<dir>` for a local state folder (`~` is expanded), or a service URL. Default: whatever
     * the CLI is logged in to (`PULUMI_BACKEND_URL` or `pulumi login`).
     */
    backendUrl?: string;
    /** Passphrase of the stack's secrets provider for self-managed backends. Default: `PULUMI_CONFIG_PASSPHRASE`. Never logged. */
    passphrase?: string;
    /** Receives the CLI's output (default: discarded). */
    onOutput?: (line: string) => void;
}

/** Environment the CLI runs with: only what the options set, on top of the caller's environment. */
export function automationEnv(options: Pick<WorkspaceStackOptions, "backendUrl" | "passphrase">): Record<string, string> {
    const env: Record<string, string> = {};
    if (options.backendUrl !== undefined) {
        env.PULUMI_BACKEND_URL = options.backendUrl.replace(/^file:\/\/~(?=\/|$)/, `file://${os.homedir()}`);
    }
    if (options.passphrase !== undefined) {
        env.PULUMI_CONFIG_PASSPHRASE = options.passphrase;
    }
    return env;
}

function configText(key: string, value: unknown): string {
    if (typeof value === "string") {
        return value;
    }
    if (typeof value === "number" || typeof value === "boolean") {
        return String(value);
    }
    if (value !== null && typeof value === "object") {
        // Structured config reaches the program as JSON text, which `config.getObject` parses.
        return JSON.stringify(value);
    }
    throw new LlmdConfigError(`config["${key}"]`, value, "expected a string, number, boolean, object or list");
}

/** The Automation API's ConfigMap for plain config values; secrets marked with `secretConfig`. */
export function automationConfig(config: StackConfig): ConfigMap {
    const out: ConfigMap = {};
    for (const [key, raw] of Object.entries(config)) {
        if (!/^[^:\s]+:[^:\s]+$/.test(key)) {
            throw new LlmdConfigError("config", key, "expected keys as namespace:key, e.g. llmd:provider or kubernetes:context");
        }
        const secret = raw instanceof SecretConfigValue;
        out[key] = { value: configText(key, secret ? raw.value : raw), ...(secret ? { secret: true } : {}) };
    }
    return out;
}

/** What `openStack` will hand the Automation API: a project folder or an inline program. */
export type WorkspaceProgram =
    | { kind: "workDir"; stackName: string; workDir: string }
    | { kind: "inline"; stackName: string; projectName: string; program: () => unknown };

/** Checks the options and says which program they name, before anything reaches the CLI. */
export function workspaceProgram(options: WorkspaceStackOptions): WorkspaceProgram {
    const { stackName, workDir, program } = options;
    if (typeof stackName !== "string" || !/^[A-Za-z0-9_.\-/]+$/.test(stackName)) {
        throw new LlmdConfigError("stackName", stackName, "expected a stack name of letters, digits, '-', '_', '.' (or org/project/stack)");
    }
    if ((workDir === undefined) === (program === undefined)) {
        throw new LlmdConfigError("workDir", workDir, `expected exactly one of workDir or program (program ${program === undefined ? "not " : ""}given)`);
    }
    if (program !== undefined) {
        if (typeof program !== "function") {
            throw new LlmdConfigError("program", program, "expected a function that creates the resources");
        }
        return { kind: "inline", stackName, projectName: options.projectName ?? "llmd", program };
    }
    const dir = path.resolve(workDir!);
    if (!["Pulumi.yaml", "Pulumi.yml"].some((file) => fs.existsSync(path.join(dir, file)))) {
        throw new LlmdConfigError("workDir", workDir, "expected a folder holding a Pulumi project (Pulumi.yaml)");
    }
    return { kind: "workDir", stackName, workDir: dir };
}

/** Selects (creating when new) the stack and sets the given config on it. Needs the Pulumi CLI. */
export async function openStack(options: WorkspaceStackOptions): Promise<Stack> {
    const target = workspaceProgram(options);
    const config = automationConfig(options.config ?? {});
    // Loaded here, not at the top: importing llmd in a Pulumi program must not pay for the Automation API.
    const { LocalWorkspace } = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
    const workspaceOptions = { envVars: automationEnv(options) };
    const stack =
        target.kind === "inline"
            ? await LocalWorkspace.createOrSelectStack(
                  { stackName: target.stackName, projectName: target.projectName, program: async () => (await target.program()) as Record<string, unknown> | void },
                  workspaceOptions,
              )
            : await LocalWorkspace.createOrSelectStack({ stackName: target.stackName, workDir: target.workDir }, workspaceOptions);
    if (Object.keys(config).length > 0) {
        await stack.setAllConfig(config);
    }
    return stack;
}

/** Runs `pulumi preview`, `up` or `destroy` on the stack the options name. */
export async function runStack(action: "preview", options: WorkspaceStackOptions): Promise<PreviewResult>;
export async function runStack(action: "up", options: WorkspaceStackOptions): Promise<UpResult>;
export async function runStack(action: "destroy", options: WorkspaceStackOptions): Promise<void>;
export async function runStack(action: "preview" | "up" | "destroy", options: WorkspaceStackOptions): Promise<PreviewResult | UpResult | void> {
    const stack = await openStack(options);
    const run = { onOutput: options.onOutput };
    if (action === "up") {
        return stack.up(run);
    }
    if (action === "destroy") {
        await stack.destroy(run);
        return;
    }
    return stack.preview(run);
}
