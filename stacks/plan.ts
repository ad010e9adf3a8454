/**
 * `npm run plan -- --stack <name> [--json | --yaml]`: evaluates the stack program with its config file under
 * the offline mock engine in preview mode (no Pulumi CLI, no cluster, no cloud credentials) and prints the
 * resources it would create: a tree by default, JSON for tools, or every rendered Kubernetes object as YAML.
 */
import * as path from "path";
import { stringify } from "yaml";
import { RecordedResource, runWithMocks } from "./mock-engine";
import { runProgram } from "./program";
import { StackConfigFile, readStackConfig, readStackConfigFile } from "./stack-files";

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

const HELM_CHART = /^kubernetes:helm\.sh\/v\d+:(Chart|Release)$/;

/** Whether a recorded resource is a Kubernetes object we render (as opposed to a chart, a provider or a cloud resource). */
export function isKubernetesObject(r: { type: string; inputs: Record<string, unknown> }): boolean {
    return r.type.startsWith("kubernetes:") && !HELM_CHART.test(r.type) && typeof r.inputs.kind === "string";
}

// CRDs and namespaces first, as `kubectl apply -f` needs them before the objects that use them.
function applyOrder(kind: unknown): number {
    return kind === "CustomResourceDefinition" ? 0 : kind === "Namespace" ? 1 : 2;
}

/** Every Kubernetes object as multi-document YAML; Helm charts as comments with chart, version and values. */
export function renderYaml(plan: Plan): string {
    const docs: string[] = [];
    for (const r of plan.resources.filter((r) => HELM_CHART.test(r.type))) {
        const { chart, version, namespace, values } = r.inputs as Record<string, unknown>;
        const repo = (r.inputs.repositoryOpts as { repo?: string } | undefined)?.repo;
        const header = [`# helm chart ${r.name}: ${chart} ${version ?? ""}${repo ? ` from ${repo}` : ""} into namespace ${namespace ?? "default"}`];
        const body = stringify(values ?? {}).trimEnd().split("\n").map((line) => `#   ${line}`);
        docs.push([...header, "# values:", ...body].join("\n"));
    }
    const objects = plan.resources.filter(isKubernetesObject);
    objects.sort((a, b) => applyOrder(a.inputs.kind) - applyOrder(b.inputs.kind));
    for (const r of objects) {
        docs.push(stringify(r.inputs, { lineWidth: 0 }).trimEnd());
    }
    return docs.map((doc) => `---\n${doc}`).join("\n") + "\n";
}

const USAGE = "usage: npm run plan -- (--stack <name> | --config-file <Pulumi.<name>.yaml>) [--json | --yaml]";

function parseArgs(argv: string[]): { stack: string; configFile?: string; format: "tree" | "json" | "yaml" } {
    let stack: string | undefined;
    let configFile: string | undefined;
    let format: "tree" | "json" | "yaml" = "tree";
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
    return { stack, configFile, format };
}

async function main(): Promise<void> {
    const { stack, configFile, format } = parseArgs(process.argv.slice(2));
    const plan = toPlan(stack, await evaluateStack(stack, true, configFile ? readStackConfigFile(configFile) : undefined));
    const text = format === "json" ? JSON.stringify(plan, null, 2) + "\n" : format === "yaml" ? renderYaml(plan) : renderTree(plan) + "\n";
    process.stdout.write(text);
}

if (require.main === module) {
    // `npm run plan ... | head` closes the pipe early; that is the reader's choice, not a failure.
    process.stdout.on("error", (err: NodeJS.ErrnoException) => process.exit(err.code === "EPIPE" ? 0 : 1));
    main().catch((err: unknown) => {
        process.stderr.write(`plan failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    });
}
