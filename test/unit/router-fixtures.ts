/** Shared helpers for the router render tests. */
import * as assert from "assert";
import { RouterInput, renderRouter, resolveRouterSpec } from "../../components/render/router";
import { K8sObject } from "../../components/render/types";

/** Resolves and renders a router, as the component does. */
export function render(input: RouterInput): K8sObject[] {
    return renderRouter(resolveRouterSpec(input));
}

/** The single object of `kind`; fails unless there is exactly one. */
export function only(objects: K8sObject[], kind: string): any {
    const found = objects.filter((o) => o.kind === kind);
    assert.strictEqual(found.length, 1, `expected one ${kind}, got ${found.length}`);
    return found[0];
}
