import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { OPERATOR_POD_SECURITY } from "./catalog/pod-security";
import { CHARTS } from "./catalog/versions";
import { podSecurityLabels } from "./render/pod-security-standards";
import { LlmdConfigError, requireDnsLabel } from "./errors";
import { outputsToRegister, whenPlain } from "./plain-inputs";
import { checkArgs } from "./strict";

/** Namespace the LWS docs install the controller into. */
export const DEFAULT_LWS_NAMESPACE = "lws-system";

/** Arguments of `LeaderWorkerSetController`. */
export interface LeaderWorkerSetControllerArgs {
    /** Namespace of the controller. Default `lws-system`. */
    namespace?: pulumi.Input<string>;
    /** Create the namespace as part of this component. Default true; set false when it already exists. */
    createNamespace?: boolean;
    /** Extra values for the LWS Helm chart (e.g. `{ enablePrometheus: true }` or controller resources). */
    values?: { [key: string]: any };
    /** Kubernetes provider for every child; the inherited or default provider when unset. */
    kubernetesProvider?: k8s.Provider;
}

/** Validated LWS settings. Pure, exported for tests. */
export interface LwsSpec {
    namespace: string;
    createNamespace: boolean;
    values: Record<string, unknown>;
}

/** Validates and defaults `LeaderWorkerSetControllerArgs` (minus the provider). */
export function resolveLwsSpec(args: { namespace?: unknown; createNamespace?: unknown; values?: unknown }): LwsSpec {
    const namespace = args.namespace === undefined ? DEFAULT_LWS_NAMESPACE : requireDnsLabel("namespace", args.namespace);
    if (args.createNamespace !== undefined && typeof args.createNamespace !== "boolean") {
        throw new LlmdConfigError("createNamespace", args.createNamespace, "expected true or false");
    }
    const values = args.values;
    if (values !== undefined && (typeof values !== "object" || values === null || Array.isArray(values))) {
        throw new LlmdConfigError("values", values, "expected an object of Helm values");
    }
    return {
        namespace,
        createNamespace: (args.createNamespace as boolean | undefined) ?? true,
        values: (values as Record<string, unknown> | undefined) ?? {},
    };
}

/**
 * The LeaderWorkerSet controller (kubernetes-sigs/lws) from its pinned Helm chart. The chart carries the
 * LeaderWorkerSet (and DisaggregatedSet) CRDs in its `crds/` folder, which Pulumi applies, and keeps them
 * current on upgrades, unlike `helm upgrade`; the chart's pre-install CRD-upgrade hook Job is a Helm hook
 * and is therefore not run. Multi-host model servers need this before any LeaderWorkerSet is created.
 */
export class LeaderWorkerSetController extends pulumi.ComponentResource {
    /** Namespace the controller runs in. */
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: LeaderWorkerSetControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:LeaderWorkerSetController", name, {}, opts);
        // From other languages every input is an Output: build once they are known (at once when plain).
        const built = whenPlain(args, ["kubernetesProvider"], (plain) => {
            checkArgs("LeaderWorkerSetController", plain, opts);
            const { kubernetesProvider: provider, ...input } = plain;
            const spec = resolveLwsSpec(input);

            const namespace = spec.createNamespace
                ? new k8s.core.v1.Namespace(
                      `${name}-namespace`,
                      { metadata: { name: spec.namespace, labels: podSecurityLabels(OPERATOR_POD_SECURITY.lws.level) } },
                      { parent: this, provider },
                  )
                : undefined;
            new k8s.helm.v4.Chart(
                `${name}-chart`,
                {
                    // Release name `lws` as in the LWS docs: the chart names its objects after it.
                    name: "lws",
                    chart: CHARTS.lws.chart,
                    version: CHARTS.lws.version,
                    namespace: spec.namespace,
                    values: spec.values,
                },
                { parent: this, provider, dependsOn: namespace ? [namespace] : [] },
            );
            return { namespace: spec.namespace };
        });

        this.namespace = built.namespace;
        this.registerOutputs(outputsToRegister({ namespace: this.namespace }));
    }
}
