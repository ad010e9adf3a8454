/** Which ports the pods an InferencePool selects actually listen on, read from rendered objects. */
import { K8sObject } from "../../components/render/types";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Pod templates of the workloads among `objects`: a Deployment's one, a LeaderWorkerSet's leader and worker. */
export function podTemplates(objects: K8sObject[]): { owner: string; template: Json }[] {
    const out: { owner: string; template: Json }[] = [];
    for (const o of objects as Json[]) {
        if (o.kind === "Deployment") {
            out.push({ owner: o.metadata.name, template: o.spec.template });
        } else if (o.kind === "LeaderWorkerSet") {
            const lws = o.spec.leaderWorkerTemplate;
            out.push({ owner: `${o.metadata.name} (leader)`, template: lws.leaderTemplate ?? lws.workerTemplate });
            out.push({ owner: `${o.metadata.name} (worker)`, template: lws.workerTemplate });
        }
    }
    return out;
}

/**
 * Ports something in the pod listens on: the containers', and those of init containers that keep running
 * (native sidecars, `restartPolicy: Always`); a plain init container has exited before traffic arrives.
 */
export function listeningPorts(template: Json): number[] {
    const running = [...(template.spec.containers ?? []), ...(template.spec.initContainers ?? []).filter((c: Json) => c.restartPolicy === "Always")];
    return running.flatMap((c: Json) => (c.ports ?? []).map((p: Json) => p.containerPort as number));
}

/**
 * For every InferencePool among `objects`, each target port a selected pod does not listen on, as
 * `<pool>: <pod template> does not listen on <port>`; also a pool that selects no pod template at all.
 */
export function unservedTargetPorts(objects: K8sObject[]): string[] {
    const problems: string[] = [];
    const templates = podTemplates(objects);
    for (const pool of (objects as Json[]).filter((o) => o.kind === "InferencePool")) {
        const selector: Record<string, string> = pool.spec.selector.matchLabels;
        const selected = templates.filter(({ template }) =>
            Object.entries(selector).every(([k, v]) => template.metadata?.labels?.[k] === v),
        );
        if (selected.length === 0) {
            problems.push(`${pool.metadata.name}: selects no pod template`);
        }
        for (const { owner, template } of selected) {
            const listening = new Set(listeningPorts(template));
            for (const { number } of pool.spec.targetPorts as { number: number }[]) {
                if (!listening.has(number)) {
                    problems.push(`${pool.metadata.name}: ${owner} does not listen on ${number}`);
                }
            }
        }
    }
    return problems;
}
