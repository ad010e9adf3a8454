/**
 * Helm charts of a plan as Flux objects, for `npm run plan -- --yaml --gitops flux`: one `HelmRepository`
 * per chart repository and one `HelmRelease` per chart, with the pinned version, the values and the order
 * between charts the program declared. Pure: plan in, objects out.
 *
 * Schemas: source-controller v1.9.1 (`source.toolkit.fluxcd.io/v1`) and helm-controller v1.6.3
 * (`helm.toolkit.fluxcd.io/v2`), vendored for the tests in test/fixtures/crds/.
 */
import { K8sObject } from "../components/render/types";

/** Namespace the Flux objects live in: Flux's own, which exists wherever Flux is installed. */
export const FLUX_NAMESPACE = "flux-system";
/** How often Flux re-checks a repository index and a release (Flux's documented defaults are of this order). */
const REPOSITORY_INTERVAL = "1h";
const RELEASE_INTERVAL = "10m";

/** A Helm chart as the program registered it (Pulumi `helm.sh/v3:Release` and `helm.sh/v4:Chart` share these inputs). */
export interface ChartInstall {
    /** Pulumi resource name; becomes the HelmRelease name. */
    resourceName: string;
    inputs: Record<string, unknown>;
    /** Resource names of the other charts this one waits for. */
    dependsOn: string[];
}

function dnsLabel(text: string): string {
    return text
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 63)
        .replace(/-+$/, "");
}

/** Where the chart comes from: a classic index repository or an OCI registry path, and the chart's name in it. */
export function chartSource(install: ChartInstall): { url: string; oci: boolean; chart: string } {
    const chart = String(install.inputs.chart ?? "");
    const repo = (install.inputs.repositoryOpts as { repo?: string } | undefined)?.repo;
    if (chart.startsWith("oci://")) {
        const cut = chart.lastIndexOf("/");
        return { url: chart.slice(0, cut), oci: true, chart: chart.slice(cut + 1) };
    }
    if (!repo || !chart) {
        throw new Error(`chart ${install.resourceName}: no repository URL, so Flux cannot fetch it; install it with helm instead`);
    }
    return { url: repo.replace(/\/+$/, ""), oci: repo.startsWith("oci://"), chart };
}

/** Name of the HelmRepository for a repository URL: readable, stable, shared by every chart from it. */
export function repositoryName(url: string): string {
    return dnsLabel(url.replace(/^[a-z]+:\/\//, ""));
}

/** One HelmRepository per distinct repository, then one HelmRelease per chart, in the order given. */
export function fluxObjects(installs: ChartInstall[]): K8sObject[] {
    const repositories = new Map<string, K8sObject>();
    const releases: K8sObject[] = [];
    for (const install of installs) {
        const source = chartSource(install);
        const repoName = repositoryName(source.url);
        repositories.set(repoName, {
            apiVersion: "source.toolkit.fluxcd.io/v1",
            kind: "HelmRepository",
            metadata: { name: repoName, namespace: FLUX_NAMESPACE },
            spec: { interval: REPOSITORY_INTERVAL, url: source.url, ...(source.oci ? { type: "oci" } : {}) },
        });
        const namespace = String(install.inputs.namespace ?? "default");
        // Pulumi's skipCrds leaves CRDs to another owner; Flux's equivalent is the Skip CRD policy.
        const crds = install.inputs.skipCrds === true ? { crds: "Skip" } : {};
        const values = install.inputs.values as Record<string, unknown> | undefined;
        releases.push({
            apiVersion: "helm.toolkit.fluxcd.io/v2",
            kind: "HelmRelease",
            metadata: { name: install.resourceName, namespace: FLUX_NAMESPACE },
            spec: {
                interval: RELEASE_INTERVAL,
                releaseName: String(install.inputs.name ?? install.resourceName),
                // The release's objects and its Helm history go where `pulumi up` puts them.
                targetNamespace: namespace,
                storageNamespace: namespace,
                chart: {
                    spec: {
                        chart: source.chart,
                        ...(install.inputs.version !== undefined ? { version: String(install.inputs.version) } : {}),
                        sourceRef: { kind: "HelmRepository", name: repoName, namespace: FLUX_NAMESPACE },
                    },
                },
                install: { createNamespace: true, ...crds },
                ...(Object.keys(crds).length ? { upgrade: crds } : {}),
                ...(install.dependsOn.length ? { dependsOn: install.dependsOn.map((name) => ({ name, namespace: FLUX_NAMESPACE })) } : {}),
                ...(values && Object.keys(values).length ? { values } : {}),
            },
        });
    }
    return [...repositories.values(), ...releases];
}
