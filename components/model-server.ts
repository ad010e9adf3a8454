import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createK8sObject } from "./k8s-object";
import { renderHfTokenSecret, renderModelServer, resolveModelServer } from "./render/model-server";
import { AUTOSCALED_IGNORE_CHANGES } from "./render/autoscaling";
import { WorkloadTimeouts, WorkloadTimeoutsArgs, workloadStartupBudgetSeconds, workloadTimeouts } from "./render/timeouts";
import {
    KueueTopologyMode,
    KvTransfer,
    ModelServerKueueArgs,
    ModelServerInput,
    ModelServerKvEventsArgs,
    ModelServerNetworkArgs,
    ModelServerPdArgs,
    ModelServerRole,
} from "./render/model-server-types";
import { outputsToRegister, whenPlain } from "./plain-inputs";
import { checkArgs } from "./strict";

export { KueueTopologyMode, KvTransfer, ModelServerRole };
export type { ModelServerKueueArgs, ModelServerKvEventsArgs, ModelServerNetworkArgs, ModelServerPdArgs, WorkloadTimeouts, WorkloadTimeoutsArgs };

/**
 * Arguments of a `ModelServer`: the plain settings of `ModelServerInput` (documented there, where the pure
 * core reads them) plus the token and the provider, which only the component handles.
 */
export interface ModelServerArgs extends ModelServerInput {
    /** Hugging Face token. Stored in a Secret `<name>-hf-token` (key `HF_TOKEN`) and kept a Pulumi secret. */
    hfToken?: pulumi.Input<string>;
    /** Kubernetes provider for the cluster; unset uses the inherited or default provider. */
    kubernetesProvider?: k8s.Provider;
    /**
     * How long `pulumi up` waits for the workload. Defaults to what the startup probe allows (an hour for
     * vLLM) plus 15 minutes for the image pull and a new node, so a large model's first start does not time out.
     */
    workloadTimeouts?: WorkloadTimeoutsArgs;
    /**
     * An autoscaler (KEDA) owns the replica count: `replicas` is only the initial size, and later `pulumi up`s
     * leave the running count alone instead of resetting it.
     */
    autoscaled?: boolean;
}

/**
 * vLLM model servers for llm-d: a Deployment (or a LeaderWorkerSet when one replica spans nodes) of pods
 * labelled for an InferencePool, with llm-d's P/D routing sidecar, NIXL KV transfer and KV events when asked.
 * Invalid arguments throw an `LlmdConfigError` before any resource is created.
 */
export class ModelServer extends pulumi.ComponentResource {
    /** Kubernetes name of the Deployment or LeaderWorkerSet. */
    public readonly workloadName: pulumi.Output<string>;
    /** Role of the pods: decode, prefill or both. */
    public readonly role: pulumi.Output<string>;
    /** Namespace of the workload. */
    public readonly namespace: pulumi.Output<string>;
    /** How long `pulumi up` waits for the workload to be created and updated (`create`, `update`). */
    public readonly workloadTimeouts: pulumi.Output<WorkloadTimeouts>;

    constructor(name: string, args: ModelServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("llmd:index:ModelServer", name, {}, opts);
        // From other languages every input is an Output: build once they are known (at once when plain). The
        // token stays an Output so it stays secret.
        const built = whenPlain(args, ["hfToken", "kubernetesProvider"], (plain) => {
            checkArgs("ModelServer", plain, opts);
            const spec = resolveModelServer(plain, { name, hfTokenGiven: plain.hfToken !== undefined });
            const provider = plain.kubernetesProvider;
            // Children do not inherit dependsOn from a component: pass it on so the LeaderWorkerSet waits for
            // its controller (and its webhook) when the caller says so.
            const dependsOn = opts?.dependsOn;

            let secret: pulumi.CustomResource | undefined;
            if (spec.createHfTokenSecret && plain.hfToken !== undefined) {
                secret = createK8sObject(`${name}-hf-token`, renderHfTokenSecret(spec, pulumi.secret(plain.hfToken)), {
                    parent: this,
                    provider,
                    dependsOn,
                });
            }

            const [object] = renderModelServer(spec);
            const timeouts = workloadTimeouts(object, plain.workloadTimeouts);
            const workload = createK8sObject(`${name}-workload`, object, {
                parent: this,
                provider,
                dependsOn: secret ? withExtra(dependsOn, secret) : dependsOn,
                customTimeouts: timeouts,
                ...(plain.autoscaled ? { ignoreChanges: [...AUTOSCALED_IGNORE_CHANGES] } : {}),
            });
            // Say what a long `pulumi up` is waiting on; preview waits for nothing, so it stays quiet.
            if (!pulumi.runtime.isDryRun()) {
                const probeMinutes = Math.ceil(workloadStartupBudgetSeconds(object) / 60);
                pulumi.log.info(
                    `waiting for ${object.kind} ${spec.namespace}/${spec.name} (${spec.replicas} x ${spec.model}) to become ready: ` +
                        `the startup probe allows ${probeMinutes} min for download, load and compile; giving up after ${timeouts.create}`,
                    this,
                );
            }
            return { workloadName: workload.urn.apply(() => spec.name), role: spec.role, namespace: spec.namespace, timeouts };
        });

        this.workloadName = built.workloadName;
        this.role = built.role;
        this.namespace = built.namespace;
        this.workloadTimeouts = built.timeouts as pulumi.Output<WorkloadTimeouts>;
        this.registerOutputs(outputsToRegister({ workloadName: this.workloadName, role: this.role, namespace: this.namespace, workloadTimeouts: this.workloadTimeouts }));
    }
}

type DependsOn = pulumi.ComponentResourceOptions["dependsOn"];

/** Adds `extra` to a dependsOn option when its shape is known without waiting on an output. */
function withExtra(dependsOn: DependsOn, extra: pulumi.Resource): DependsOn {
    if (dependsOn === undefined) {
        return [extra];
    }
    if (Array.isArray(dependsOn)) {
        return [...dependsOn, extra];
    }
    if (pulumi.Resource.isInstance(dependsOn)) {
        return [dependsOn, extra];
    }
    return dependsOn; // an Output or Promise of resources: keep the caller's list as given
}
