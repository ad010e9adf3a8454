/**
 * `npm run plan -- --stack <name> [--json | --yaml [--gitops flux]]`: evaluates the stack program with its config file under
 * the offline mock engine in preview mode (no Pulumi CLI, no cluster, no cloud credentials) and prints the
 * resources it would create: a tree by default, JSON for tools, or every rendered Kubernetes object as YAML
 * (with the Helm charts as comments, or as Flux objects with `--gitops flux`).
 */
import * as path from "path";
import { RecordedResource, runWithMocks } from "./mock-engine";
import { GITOPS_FORMATS, GitOpsFormat, renderYaml } from "./plan-yaml";
import { runProgram } from "./program";
import { StackConfigFile, readStackConfig, readStackConfigFile } from "./stack-files";

export { isKubernetesObject, renderYaml } from "./plan-yaml";

/** One resource of a plan. */
export interface PlannedResource {
    type: string;
    name: string;
    /** `type::name` of the parent, absent for the stack itself. */
    parent?: string;
    /** Name of the explicit provider resource, absent when the default provider is used. */
    provider?: string;
    inputs: Record<string, unknown>;
}

/** A whole plan, as `--json` prints it. */
export interface Plan {
    stack: string;
    resources: PlannedResource[];
}

const STACK_TYPE = "pulumi:pulumi:Stack";

function urnKey(urn: string): string {
    // urn:pulumi:<stack>::<project>::<parent$...$type>::<name>
    const parts = urn.split("::");
    const types = parts[2].split("$");
    return `${types[types.length - 1]}::${parts.slice(3).join("::")}`;
}

function providerName(ref: string | undefined): string | undefined {
    if (!ref) {
        return undefined;
    }
    const urn = ref.slice(0, ref.lastIndexOf("::"));
    return urn.split("::").slice(3).join("::");
}

/**
 * Evaluates a stack under mocks: a shipped one by name, or any config file. Preview by default: cloud
 * outputs stay unknown, as in `pulumi preview`.
 */
export async function evaluateStack(stack: string, preview = true, file?: StackConfigFile): Promise<RecordedResource[]> {
    const { config, secretKeys } = file ?? readStackConfig(stack);
    const { resources } = await runWithMocks(runProgram, { stack, preview, config, secretKeys });
    return resources;
}

/** The plan of recorded resources: the stack resource itself is left out. */
export function toPlan(stack: string, resources: RecordedResource[]): Plan {
    // Registration order depends on promise timing; URN order is stable and keeps children under parents.
    return {
        stack,
        resources: [...resources]
            .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0))
            .filter((r) => r.type !== STACK_TYPE)
            .map((r) => ({
                type: r.type,
                name: r.name,
                parent: r.parent && !r.parent.includes(`::${STACK_TYPE}::`) ? urnKey(r.parent) : undefined,
                provider: providerName(r.provider),
                inputs: r.inputs,
            })),
    };
}

/** A readable tree: components with their children, each with its provider when it has one. */
export function renderTree(plan: Plan): string {
    const children = new Map<string | undefined, PlannedResource[]>();
    for (const r of plan.resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const lines = [`stack ${plan.stack}: ${plan.resources.length} resources`];
    const walk = (parent: string | undefined, indent: string) => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            const via = r.provider ? `  (provider ${r.provider})` : "";
            lines.push(`${indent}${last ? "└─ " : "├─ "}${r.type}  ${r.name}${via}`);
            walk(`${r.type}::${r.name}`, indent + (last ? "   " : "│  "));
        });
    };
    walk(undefined, "");
    return lines.join("\n");
}

/** `type::name` -> the `type::name` of each resource it depends on, for ordering the YAML output's charts. */
export function dependencyMap(resources: RecordedResource[]): Map<string, string[]> {
    return new Map(resources.map((r) => [urnKey(r.urn), r.dependencies.map(urnKey)]));
}

const USAGE = "usage: npm run plan -- (--stack <name> | --config-file <Pulumi.<name>.yaml>) [--json | --yaml [--gitops flux]]";

/** What the plan command line asks for. */
export interface PlanArgs {
    stack: string;
    configFile?: string;
    format: "tree" | "json" | "yaml";
    gitops?: GitOpsFormat;
}

/** Parses the plan command line; throws with the usage on anything it does not know. */
export function parsePlanArgs(argv: string[]): PlanArgs {
    let stack: string | undefined;
    let configFile: string | undefined;
    let format: "tree" | "json" | "yaml" = "tree";
    let gitops: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--stack" || arg === "-s") {
            stack = argv[++i];
        } else if (arg.startsWith("--stack=")) {
            stack = arg.slice("--stack=".length);
        } else if (arg === "--config-file") {
            configFile = argv[++i];
        } else if (arg === "--json") {
            format = "json";
        } else if (arg === "--yaml") {
            format = "yaml";
        } else if (arg === "--gitops") {
            gitops = argv[++i];
        } else {
            throw new Error(`unknown argument ${JSON.stringify(arg)}; ${USAGE}`);
        }
    }
    if (configFile) {
        // The stack name is the file's, as Pulumi derives it: Pulumi.<stack>.yaml.
        stack ??= /^Pulumi\.(.+)\.yaml$/.exec(path.basename(configFile))?.[1] ?? "custom";
    }
    if (!stack) {
        throw new Error(`missing --stack <name>; ${USAGE}`);
    }
    if (gitops !== undefined && !(GITOPS_FORMATS as readonly string[]).includes(gitops)) {
        throw new Error(`--gitops: got ${JSON.stringify(gitops)}; expected one of ${GITOPS_FORMATS.join(", ")}`);
    }
    if (gitops !== undefined && format !== "yaml") {
        throw new Error(`--gitops renders YAML: add --yaml; ${USAGE}`);
    }
    return { stack, configFile, format, gitops: gitops as GitOpsFormat | undefined };
}

/** What one run of the command line printed, and its exit status. */
export interface PlanCliResult {
    status: number;
    stdout: string;
    stderr: string;
}

/**
 * The plan command line, run in-process: never exits and never writes to the console, so the tests can
 * run many invocations in one process. The script entry below only prints the result and sets the status.
 */
export async function runPlanCli(argv: string[]): Promise<PlanCliResult> {
    try {
        const { stack, configFile, format, gitops } = parsePlanArgs(argv);
        const resources = await evaluateStack(stack, true, configFile ? readStackConfigFile(configFile) : undefined);
        const plan = toPlan(stack, resources);
        const stdout =
            format === "json"
                ? JSON.stringify(plan, null, 2) + "\n"
                : format === "yaml"
                  ? renderYaml(plan, { gitops, dependencies: dependencyMap(resources) })
                  : renderTree(plan) + "\n";
        return { status: 0, stdout, stderr: "" };
    } catch (err: unknown) {
        return { status: 1, stdout: "", stderr: `plan failed: ${err instanceof Error ? err.message : String(err)}\n` };
    }
}

if (require.main === module) {
    // `npm run plan ... | head` closes the pipe early; that is the reader's choice, not a failure.
    process.stdout.on("error", (err: NodeJS.ErrnoException) => process.exit(err.code === "EPIPE" ? 0 : 1));
    void runPlanCli(process.argv.slice(2)).then(({ status, stdout, stderr }) => {
        process.stdout.write(stdout);
        process.stderr.write(stderr);
        process.exitCode = status;
        if (status !== 0) {
            // After a program error the SDK still rejects the stack's output promises with it, unawaited, which
            // would print the error again with a stack trace; it is reported, so stop here.
            process.exit(status);
        }
    });
}
