import * as assert from "assert";
import { RouterInput } from "../../components/render/router";
import { K8sObject } from "../../components/render/types";
import { validateObject } from "../support/schema";
import { only, render } from "./router-fixtures";

const base: RouterInput = { name: "qwen", namespace: "llm-d", modelServerSelector: { "llm-d.ai/model": "qwen3" } };

function budgets(objects: K8sObject[]): any[] {
    return objects.filter((o) => o.kind === "PodDisruptionBudget");
}

describe("router availability", () => {
    it("one router: Recreate (no two routers without leader election) and no disruption budget, which would block node drains", () => {
        const objects = render(base);
        assert.deepStrictEqual(only(objects, "Deployment").spec.strategy, { type: "Recreate" });
        assert.deepStrictEqual(budgets(objects), []);
    });

    for (const replicas of [2, 3]) {
        it(`${replicas} routers: rolling update that never drops below ${replicas} ready, and a budget evicting one at a time`, () => {
            const objects = render({ ...base, replicas });
            const deployment = only(objects, "Deployment");
            assert.deepStrictEqual(deployment.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
            const [pdb] = budgets(objects);
            assert.deepStrictEqual(pdb.spec, { maxUnavailable: 1, selector: { matchLabels: deployment.spec.selector.matchLabels } });
            assert.strictEqual(pdb.metadata.namespace, "llm-d");
            // The budget must select exactly the router's pods, nothing the model servers carry.
            const podLabels = deployment.spec.template.metadata.labels;
            assert.ok(Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => podLabels[k] === v));
            assert.deepStrictEqual(validateObject(pdb), []);
            assert.deepStrictEqual(validateObject(deployment), []);
        });
    }
});
