/**
 * How long Pulumi waits for a model-server workload. Pulumi's default (10 minutes for a Deployment) is far
 * below what vLLM's startup probe allows a large model (an hour: weights download and load, compile), so a
 * first `pulumi up` would fail while the pods are still healthy and starting. The wait is derived from the
 * rendered workload's own startup probe, so it follows any change to the probe. Pure.
 */
import { LlmdConfigError } from "../errors";
import { K8sObject } from "./types";

/** The startup probe fields that bound a container's start. */
export interface StartupProbeTiming {
    initialDelaySeconds?: number;
    periodSeconds?: number;
    failureThreshold?: number;
}

/** Pulumi `customTimeouts` for create and update, as duration strings (`"86m"`). */
export interface WorkloadTimeouts {
    /** How long `pulumi up` waits for a new workload to become ready. */
    create: string;
    /** How long `pulumi up` waits for a changed workload to finish rolling out. */
    update: string;
}

/** Timeouts a user may set instead of the derived ones (Pulumi duration strings such as `"2h"` or `"90m"`). */
export interface WorkloadTimeoutsArgs {
    /** How long `pulumi up` waits for a new workload to become ready. */
    create?: string;
    /** How long `pulumi up` waits for a changed workload to finish rolling out. */
    update?: string;
}

/**
 * Added to the probe budget: pulling a multi-gigabyte serving image and scheduling onto a node the
 * autoscaler is still creating both happen before the probe's clock starts.
 */
export const STARTUP_MARGIN_SECONDS = 15 * 60;

/** Seconds a startup probe lets a container start: initialDelay + failureThreshold x period (Kubernetes defaults 0, 3, 10). */
export function startupProbeBudgetSeconds(probe: StartupProbeTiming): number {
    return (probe.initialDelaySeconds ?? 0) + (probe.failureThreshold ?? 3) * (probe.periodSeconds ?? 10);
}

function podTemplates(object: K8sObject): Record<string, any>[] {
    const spec = object.spec as Record<string, any> | undefined;
    const lws = spec?.leaderWorkerTemplate;
    return [spec?.template, lws?.leaderTemplate, lws?.workerTemplate].filter((t) => t !== undefined);
}

/** The longest startup budget of any container (init containers included) of the workload's pod templates; 0 without probes. */
export function workloadStartupBudgetSeconds(object: K8sObject): number {
    let longest = 0;
    for (const template of podTemplates(object)) {
        const containers = [...(template.spec?.containers ?? []), ...(template.spec?.initContainers ?? [])];
        for (const container of containers) {
            if (container.startupProbe) {
                longest = Math.max(longest, startupProbeBudgetSeconds(container.startupProbe));
            }
        }
    }
    return longest;
}

const DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

function requireDuration(field: string, value: unknown): string {
    if (typeof value !== "string" || !DURATION.test(value)) {
        throw new LlmdConfigError(field, value, 'expected a duration such as "90m" or "2h"');
    }
    return value;
}

/**
 * create/update timeouts for a workload: its startup budget plus `STARTUP_MARGIN_SECONDS`, in whole
 * minutes, never below Pulumi's own 10-minute default; each overridable (errors name `<field>.create`/`.update`).
 * Updates get the same bound: each replacement pod starts from scratch.
 */
export function workloadTimeouts(object: K8sObject, override: WorkloadTimeoutsArgs = {}, field = "workloadTimeouts"): WorkloadTimeouts {
    const minutes = Math.max(10, Math.ceil((workloadStartupBudgetSeconds(object) + STARTUP_MARGIN_SECONDS) / 60));
    const derived = `${minutes}m`;
    return {
        create: override.create === undefined ? derived : requireDuration(`${field}.create`, override.create),
        update: override.update === undefined ? derived : requireDuration(`${field}.update`, override.update),
    };
}
