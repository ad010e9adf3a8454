import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { packageRoot } from "../../components/package-root";
import { RecordedResource } from "../../stacks/mock-engine";
import { shippedStackResources } from "../support/shipped-stacks";

// URNs of every shipped stack's resources as planned before the platform/model split (from the reviewed
// snapshots of that commit). A URN that changes is a delete and a create in `pulumi up`: for a Deployment a
// restart, for a CRD the loss of every object of its kind. The real engine builds a URN from the full chain of
// parent types, so the chain is rebuilt here from the parents (the mock engine keeps only the direct parent's).
const BEFORE: Record<string, string[]> = JSON.parse(
    fs.readFileSync(path.join(packageRoot(), "test", "fixtures", "urns", "before-platform-split.json"), "utf8"),
);

// Deliberate removals, each with its reason.
const REMOVED: Record<string, { pattern: RegExp; reason: string }> = {
    openshift: {
        pattern: /CustomResourceDefinition::llmd-gateway-crd-.*\.gateway\.networking\.k8s\.io$/,
        reason: "OpenShift 4.19+ manages the Gateway API CRDs through its Ingress Operator; the stack no longer installs them (README: upgrading the openshift stack)",
    },
};

function urns(resources: RecordedResource[]): string[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const chain = (r: RecordedResource): string => {
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        return parent && parent.type !== "pulumi:pulumi:Stack" ? `${chain(parent)}$${r.type}` : r.type;
    };
    return resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => `${chain(r)}::${r.name}`);
}

describe("stacks written before the platform/model split update in place", () => {
    for (const [stack, before] of Object.entries(BEFORE)) {
        it(`${stack}: every resource keeps its URN`, async () => {
            const now = new Set(urns(await shippedStackResources(stack)));
            const allowed = REMOVED[stack];
            const lost = before.filter((urn) => !now.has(urn) && !(allowed && allowed.pattern.test(urn)));
            assert.deepStrictEqual(lost, []);
        });
    }
});
