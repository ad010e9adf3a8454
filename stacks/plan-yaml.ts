/**
 * `npm run plan -- --yaml`: a plan as multi-document YAML. Kubernetes objects as they would be applied;
 * Helm charts either as comments (chart, version, values) or, with `--gitops flux`, as Flux objects.
 * Secrets keep their keys with each value redacted, so every document is a valid object.
 */
import { stringify } from "yaml";
import { ChartInstall, fluxObjects } from "./flux";
import { SECRET, UNKNOWN } from "./mock-engine";
import type { Plan } from "./plan";

/** How Helm charts are written: comments for review, or Flux objects that a GitOps controller installs. */
export type GitOpsFormat = "flux";
/** Values of `--gitops`. */
export const GITOPS_FORMATS: readonly GitOpsFormat[] = ["flux"];

/** Options of `renderYaml`. */
export interface YamlOptions {
    /** Render charts as objects for this GitOps controller instead of comments. */
    gitops?: GitOpsFormat;
    /** `type::name` -> `type::name` of what it depends on, to order charts; from the recorded dependencies. */
    dependencies?: Map<string, string[]>;
}

const HELM_CHART = /^kubernetes:helm\.sh\/v\d+:(Chart|Release)$/;

/** Whether a recorded resource is a Helm chart or release. */
export function isHelmChart(r: { type: string }): boolean {
    return HELM_CHART.test(r.type);
}

/** Whether a recorded resource is a Kubernetes object we render (as opposed to a chart, a provider or a cloud resource). */
export function isKubernetesObject(r: { type: string; inputs: Record<string, unknown> }): boolean {
    return r.type.startsWith("kubernetes:") && !isHelmChart(r) && typeof r.inputs.kind === "string";
}

// CRDs and namespaces first, as `kubectl apply -f` needs them before the objects that use them.
function applyOrder(kind: unknown): number {
    return kind === "CustomResourceDefinition" ? 0 : kind === "Namespace" ? 1 : 2;
}

/**
 * A Secret as an API server accepts it: redacted `data` values are not base64, so they move to
 * `stringData`, where the marker is a valid (placeholder) string.
 */
export function redactedSecret(object: Record<string, unknown>): Record<string, unknown> {
    const data = object.data as Record<string, unknown> | undefined;
    if (object.kind !== "Secret" || !data) {
        return object;
    }
    const redacted = Object.entries(data).filter(([, value]) => value === SECRET);
    if (redacted.length === 0) {
        return object;
    }
    const rest = Object.fromEntries(Object.entries(data).filter(([, value]) => value !== SECRET));
    const { data: _data, ...others } = object;
    return {
        ...others,
        ...(Object.keys(rest).length ? { data: rest } : {}),
        stringData: { ...(object.stringData as Record<string, unknown> | undefined), ...Object.fromEntries(redacted) },
    };
}

/** A YAML document with a note above it when it holds placeholders the reader must fill in. */
function document(object: unknown): string {
    const text = stringify(object, { lineWidth: 0 }).trimEnd();
    const notes: string[] = [];
    if (text.includes(SECRET)) {
        notes.push(`# ${SECRET} stands for a secret value the plan never prints: set it before applying.`);
    }
    if (text.includes(UNKNOWN)) {
        notes.push(`# ${UNKNOWN} stands for a value known only once the cloud resources exist.`);
    }
    return [...notes, text].join("\n");
}

function chartComment(r: Plan["resources"][number]): string {
    const { chart, version, namespace, values } = r.inputs as Record<string, unknown>;
    const repo = (r.inputs.repositoryOpts as { repo?: string } | undefined)?.repo;
    const header = `# helm chart ${r.name}: ${chart} ${version ?? ""}${repo ? ` from ${repo}` : ""} into namespace ${namespace ?? "default"}`;
    const body = stringify(values ?? {}).trimEnd().split("\n").map((line) => `#   ${line}`);
    return [header, "# values:", ...body].join("\n");
}

/** Charts in the plan with the other charts each one waits for. */
function chartInstalls(plan: Plan, dependencies: Map<string, string[]>): ChartInstall[] {
    const charts = plan.resources.filter(isHelmChart);
    const names = new Map(charts.map((r) => [`${r.type}::${r.name}`, r.name]));
    return charts.map((r) => ({
        resourceName: r.name,
        inputs: r.inputs,
        dependsOn: (dependencies.get(`${r.type}::${r.name}`) ?? []).flatMap((key) => names.get(key) ?? []),
    }));
}

/**
 * Every Kubernetes object as multi-document YAML, CRDs and namespaces first. Helm charts are comments
 * (not applied by `kubectl apply`: install them with helm) unless `gitops` asks for Flux objects.
 */
export function renderYaml(plan: Plan, options: YamlOptions = {}): string {
    const charts = plan.resources.filter(isHelmChart);
    const docs: string[] = [];
    if (options.gitops === "flux") {
        docs.push(...fluxObjects(chartInstalls(plan, options.dependencies ?? new Map())).map(document));
    } else if (charts.length > 0) {
        docs.push(
            "# Helm charts are listed as comments and are not applied by kubectl: install them with helm,\n" +
                "# or render them as Flux HelmRelease objects with --gitops flux.",
            ...charts.map(chartComment),
        );
    }
    const objects = plan.resources.filter(isKubernetesObject);
    objects.sort((a, b) => applyOrder(a.inputs.kind) - applyOrder(b.inputs.kind));
    docs.push(...objects.map((r) => document(redactedSecret(r.inputs))));
    return docs.map((doc) => `---\n${doc}`).join("\n") + "\n";
}
