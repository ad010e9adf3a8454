import * as assert from "assert";
import { isKubernetesObject } from "../../stacks/plan";
import { shippedStackResources } from "../support/shipped-stacks";
import { listStacks } from "../../stacks/stack-files";
import { K8sObject } from "../../components/render/types";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Pod specs of the workloads llmd renders itself, by owner. */
function pods(objects: Json[]): { owner: string; spec: Json }[] {
    return objects.flatMap((o) => {
        const id = `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
        if (["Deployment", "DaemonSet", "StatefulSet"].includes(o.kind)) {
            return [{ owner: id, spec: o.spec.template.spec }];
        }
        if (o.kind === "LeaderWorkerSet") {
            const t = o.spec.leaderWorkerTemplate;
            return [...(t.leaderTemplate ? [{ owner: `${id} (leader)`, spec: t.leaderTemplate.spec }] : []), { owner: `${id} (worker)`, spec: t.workerTemplate.spec }];
        }
        return [];
    });
}

/** Containers that run as long as the pod: regular ones and native sidecars (restartPolicy: Always init containers). */
function longRunning(spec: Json): Json[] {
    return [...spec.containers, ...(spec.initContainers ?? []).filter((c: Json) => c.restartPolicy === "Always")];
}

/**
 * A long-running container without probes, and why. A Ray worker of a multi-host TPU slice serves nothing
 * itself: vLLM on the leader drives it, and the leader's probes fail (and LeaderWorkerSet restarts the whole
 * group) when a worker is lost.
 */
function unprobedReason(owner: string, container: Json): string | undefined {
    const rayWorker = owner.endsWith("(worker)") && container.name === "vllm" && (container.command ?? []).join(" ").includes("ray start");
    return rayWorker ? "Ray worker of a TPU slice" : undefined;
}

for (const stack of listStacks().filter((s) => s !== "baremetal")) {
    describe(`stack ${stack}: probes and requests`, () => {
        let workloads: { owner: string; spec: Json }[];

        before(async () => {
            const objects = (await shippedStackResources(stack)).filter(isKubernetesObject).map((r) => r.inputs as K8sObject);
            workloads = pods(objects);
        });

        it("every long-running container llmd renders has a liveness and a readiness probe", () => {
            assert.ok(workloads.length > 0);
            const missing = workloads.flatMap(({ owner, spec }) =>
                longRunning(spec)
                    .filter((c) => !(c.livenessProbe && c.readinessProbe) && unprobedReason(owner, c) === undefined)
                    .map((c) => `${owner}: ${c.name}`),
            );
            assert.deepStrictEqual(missing, []);
        });

        it("every vLLM container requests CPU and memory", () => {
            const engines = workloads.flatMap(({ owner, spec }) => spec.containers.filter((c: Json) => c.name === "vllm").map((c: Json) => ({ owner, c })));
            assert.ok(engines.length > 0);
            const missing = engines.filter(({ c }) => !(c.resources?.requests?.cpu && c.resources?.requests?.memory)).map(({ owner }) => owner);
            assert.deepStrictEqual(missing, []);
        });
    });
}
