import * as assert from "assert";
import { LlmdConfigError } from "../../components/errors";
import { MockRunOptions, runWithMocks } from "../../stacks/mock-engine";

/** The error `fn` throws; fails the test when it throws nothing. */
export function thrown(fn: () => unknown): unknown {
    try {
        fn();
    } catch (err) {
        return err;
    }
    return assert.fail("expected an error");
}

/**
 * Asserts `err` is an `LlmdConfigError` on `field` whose message starts with the field and mentions what
 * was expected: a pattern, or every one of a list of fragments.
 */
export function assertConfigError(err: unknown, field: string, expected?: RegExp | string[]): asserts err is LlmdConfigError {
    assert.ok(err instanceof LlmdConfigError, `expected an LlmdConfigError, got ${String(err)}`);
    assert.strictEqual(err.field, field, err.message);
    assert.ok(err.message.startsWith(`${field}: got `), err.message);
    if (expected instanceof RegExp) {
        assert.match(err.message, expected);
    } else {
        for (const part of expected ?? []) {
            assert.ok(err.message.includes(part), `"${err.message}" should mention ${part}`);
        }
    }
}

/**
 * Runs `construct` under the mock engine and asserts it throws a config error on `field` before any
 * resource exists: bad input must leave nothing half-created. Providers the test program registers at the
 * root (to pass to the component) do not count.
 */
export async function expectConstructionError(
    construct: () => void,
    field: string,
    expected?: RegExp | string[],
    mocks: Partial<MockRunOptions> = {},
): Promise<void> {
    let error: unknown;
    const { resources } = await runWithMocks(
        () => {
            try {
                construct();
            } catch (err) {
                error = err;
            }
        },
        { stack: "test", preview: false, ...mocks },
    );
    assertConfigError(error, field, expected);
    const created = resources.filter((r) => r.custom && !(r.type.startsWith("pulumi:providers:") && r.parent?.includes("::pulumi:pulumi:Stack::")));
    assert.deepStrictEqual(created.map((r) => `${r.type}::${r.name}`), [], "nothing may be created for bad input");
}
