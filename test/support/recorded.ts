import * as assert from "assert";
import { RecordedResource } from "../../stacks/mock-engine";

/** The recorded resource named `name`; fails listing what was recorded when there is none. */
export function byName(resources: RecordedResource[], name: string): RecordedResource {
    const found = resources.find((r) => r.name === name);
    assert.ok(found, `no resource ${name}; have ${resources.map((r) => r.name).join(", ")}`);
    return found;
}

/** The single recorded resource of `type` (and `name`, when given); fails unless there is exactly one. */
export function one(resources: RecordedResource[], type: string, name?: string): RecordedResource {
    const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    assert.strictEqual(found.length, 1, `expected exactly one ${type} ${name ?? ""}, got ${found.length}`);
    return found[0];
}
