/**
 * The deployment order a plan implies: which resources must wait for which (explicit `dependsOn`, inputs that
 * come from other resources, and the provider a resource is created with). The longest chain is the number of
 * sequential steps `pulumi up` cannot avoid, however much it parallelises.
 */
import { RecordedResource } from "./mock-engine";

/** The longest chain of resources each waiting for the one before, first to last (URNs). */
export function criticalPath(resources: RecordedResource[]): string[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    // Helm charts and YAML groups are components the provider expands remotely: the engine waits for them as units.
    const isStep = (r: RecordedResource) => r.custom || /^kubernetes:(helm\.sh|yaml)\//.test(r.type);
    const waitsFor = (r: RecordedResource): RecordedResource[] => {
        const urns = [...r.dependencies, ...(r.provider ? [r.provider.split("::").slice(0, -1).join("::")] : [])];
        // A dependency on a local component is recorded as one on each of its children already.
        return urns.map((u) => byUrn.get(u)).filter((d): d is RecordedResource => d !== undefined && isStep(d));
    };
    const memo = new Map<string, string[]>();
    const longest = (r: RecordedResource, visiting: Set<string>): string[] => {
        const known = memo.get(r.urn);
        if (known) {
            return known;
        }
        if (visiting.has(r.urn)) {
            throw new Error(`dependency cycle through ${r.urn}`);
        }
        visiting.add(r.urn);
        let best: string[] = [];
        for (const dep of waitsFor(r)) {
            const chain = longest(dep, visiting);
            if (chain.length > best.length) {
                best = chain;
            }
        }
        visiting.delete(r.urn);
        const chain = [...best, r.urn];
        memo.set(r.urn, chain);
        return chain;
    };
    let result: string[] = [];
    for (const r of resources.filter(isStep)) {
        const chain = longest(r, new Set());
        if (chain.length > result.length) {
            result = chain;
        }
    }
    return result;
}
