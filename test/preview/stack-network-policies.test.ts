import * as assert from "assert";
import { RecordedResource } from "../../stacks/mock-engine";
import { isKubernetesObject } from "../../stacks/plan";
import { listStacks } from "../../stacks/stack-files";
import { K8sObject } from "../../components/render/types";
import { admits } from "../support/network-policy-eval";
import { podTemplates } from "../support/pool-ports";
import { publicExposures } from "../support/exposure";
import { readStackConfig } from "../../stacks/stack-files";

/** Whether the stack's config sets gateway.public on its platform or deployment. */
function askedForPublic(stack: string): boolean {
    const { config } = readStackConfig(stack);
    return ["llmd:platform", "llmd:deployment"].some((key) => {
        const value = config[key] ? JSON.parse(config[key]) : undefined;
        return value?.gateway?.public === true;
    });
}
import { shippedStackResources } from "../support/shipped-stacks";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

// Every Kubernetes stack, as planned: each namespace llmd runs pods in denies ingress by default, and none of
// llmd's pods is reachable from a pod in an unrelated namespace on any port it listens on.
for (const stack of listStacks().filter((s) => s !== "baremetal")) {
    describe(`stack ${stack}: network policies and exposure`, () => {
        let objects: K8sObject[];

        before(async () => {
            const resources: RecordedResource[] = await shippedStackResources(stack);
            objects = resources.filter(isKubernetesObject).map((r) => r.inputs as K8sObject);
        });

        it("denies ingress by default in every namespace llmd runs pods in", () => {
            const workloads = (objects as Json[]).filter((o) => o.kind === "Deployment" || o.kind === "LeaderWorkerSet");
            assert.ok(workloads.length > 0, "the stack runs pods");
            const namespaces = [...new Set(workloads.map((o) => o.metadata.namespace as string))];
            for (const ns of namespaces) {
                const denyAll = (objects as Json[]).find(
                    (o) => o.kind === "NetworkPolicy" && o.metadata.namespace === ns && Object.keys(o.spec.podSelector).length === 0 && o.spec.ingress === undefined,
                );
                assert.ok(denyAll, `no default-deny NetworkPolicy in namespace ${ns}`);
            }
        });

        it("exposes nothing publicly unless its config asks: no LoadBalancer or NodePort Service, no external GKE class, ClusterIP gateway proxies", () => {
            assert.ok((objects as Json[]).some((o) => o.kind === "Gateway"), "the stack has a Gateway");
            const asked = askedForPublic(stack);
            const exposed = publicExposures(objects);
            if (asked) {
                assert.ok(exposed.length > 0, "public: true was asked for and is in the plan");
            } else {
                assert.deepStrictEqual(exposed, []);
            }
        });

        it("admits nothing from a pod of an unrelated namespace to any of llmd's pods", () => {
            const stranger = { namespace: "unrelated", labels: { app: "curl" } };
            const namespaceOf = new Map((objects as Json[]).map((o) => [o.metadata.name, o.metadata.namespace]));
            const open = podTemplates(objects).flatMap(({ owner, template }) => {
                const pod = { namespace: namespaceOf.get(owner.replace(/ \((leader|worker)\)$/, "")), labels: template.metadata.labels };
                const ports: Json[] = [...template.spec.containers, ...(template.spec.initContainers ?? [])].flatMap((c: Json) => c.ports ?? []);
                // The standalone router's proxy (gateway none) is the entry point, open by design.
                return ports.filter((p) => p.name !== "http" && admits(objects, stranger, pod, p.containerPort)).map((p) => `${owner}:${p.containerPort}`);
            });
            assert.deepStrictEqual(open, []);
        });
    });
}
