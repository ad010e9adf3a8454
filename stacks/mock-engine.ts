/**
 * Runs a Pulumi program in-process under the SDK's mock engine and records every resource it registers,
 * with its parent, provider, dependencies and inputs. Used by `npm run plan` and by the tests, so what the
 * tests check is exactly what the plan shows. Needs no Pulumi CLI, no plugin and no cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";

/** Marker printed in place of a secret value: a plan never shows one in plain text. */
export const SECRET = "[secret]";
/** Marker for a value the engine would only know after the cloud creates the resource. */
export const UNKNOWN = "[unknown]";

/** One resource as the engine saw its registration. */
export interface RecordedResource {
    type: string;
    name: string;
    urn: string;
    /** URN of the parent, or undefined for the stack itself. */
    parent?: string;
    /** Provider reference (`urn::id`) the resource was registered with, when one was given. */
    provider?: string;
    /** URNs the resource depends on (explicit `dependsOn` plus those implied by inputs). */
    dependencies: string[];
    custom: boolean;
    /** Inputs with each secret leaf replaced by `SECRET` (maps and lists keep their keys) and unknowns by `UNKNOWN`. */
    inputs: Record<string, unknown>;
    /** Dotted paths of the secret leaves. */
    secretPaths: string[];
    /** Whether `pulumi destroy` leaves the object in the cluster (`retainOnDelete`). */
    retainOnDelete: boolean;
    /** `customTimeouts` the resource was registered with, when any was set. */
    customTimeouts?: { create: string; update: string; delete: string };
    /** `ignoreChanges` the resource was registered with. */
    ignoreChanges: string[];
}

/** How to run a program under mocks. */
export interface MockRunOptions {
    project?: string;
    stack: string;
    /** Preview mode: outputs the mock does not return are unknown and `apply` callbacks never run. */
    preview: boolean;
    /** Stack configuration, keyed `namespace:key`, as in `Pulumi.<stack>.yaml`. */
    config?: Record<string, string>;
    /** Config keys whose values are secret. */
    secretKeys?: string[];
    /**
     * Extra outputs for a resource beyond its inputs, e.g. a fake kubeconfig in non-preview unit tests.
     * By default a resource's outputs are its inputs, so computed outputs stay unknown in preview.
     */
    outputs?: (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown> | undefined;
    /**
     * Answers provider functions (invokes) by token, e.g. a fake credentials listing in unit tests. Returning
     * undefined means "not known here": the run then fails, so no invoke goes unnoticed.
     */
    invoke?: (token: string, inputs: Record<string, unknown>) => Record<string, unknown> | undefined;
}

/** What a run produced. */
export interface MockRunResult<T> {
    resources: RecordedResource[];
    /** The program's return value (the stack outputs). */
    result: T;
}

function isUnknown(value: unknown): boolean {
    return pulumi.Output.isInstance(value) || (typeof value === "object" && value?.constructor?.name === "Unknown");
}

/**
 * A secret value with its shape kept and every leaf replaced by `SECRET`: a Secret's `stringData` stays a
 * map of keys to markers, so a rendered object stays valid and shows which keys exist, never their values.
 */
function redact(value: unknown, path: string, secrets: string[]): unknown {
    if (Array.isArray(value)) {
        return value.map((item, i) => redact(item, `${path}[${i}]`, secrets));
    }
    if (value !== null && typeof value === "object" && !isUnknown(value) && !rpc.isRpcSecret(value)) {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item, path ? `${path}.${key}` : key, secrets)]));
    }
    secrets.push(path);
    return SECRET;
}

/** Replaces secret and unknown sentinels with printable markers, collecting secret paths. */
function scrub(value: unknown, path: string, secrets: string[]): unknown {
    if (value === null || value === undefined) {
        return value;
    }
    if (rpc.isRpcSecret(value)) {
        return redact((value as { value: unknown }).value, path, secrets);
    }
    if (isUnknown(value)) {
        return UNKNOWN;
    }
    if (Array.isArray(value)) {
        return value.map((item, i) => scrub(item, `${path}[${i}]`, secrets));
    }
    if (typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
            out[key] = scrub(item, path ? `${path}.${key}` : key, secrets);
        }
        return out;
    }
    return value;
}

let running = false;

/**
 * Evaluates `program` inside a root stack under the mock engine and waits for every registration.
 * Throws if the program throws, if any registration fails, or if two resources share a (type, name):
 * the real engine rejects that, the mock engine does not.
 */
export async function runWithMocks<T>(program: () => T | Promise<T>, options: MockRunOptions): Promise<MockRunResult<T>> {
    if (running) {
        throw new Error("runWithMocks is not re-entrant: the SDK keeps one global engine");
    }
    running = true;
    const stackTraceLimit = Error.stackTraceLimit;
    if (!promiseStackTraces) {
        Error.stackTraceLimit = 0;
    }
    try {
        const project = options.project ?? "llmd";
        pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
        await pulumi.runtime.setMocks(
            {
                newResource(args) {
                    const extra = options.outputs?.(args.type, args.name, args.inputs) ?? {};
                    return {
                        id: options.preview ? undefined : `${args.name}-id`,
                        state: { ...args.inputs, ...extra },
                    };
                },
                call(args) {
                    const answer = options.invoke?.(args.token, args.inputs);
                    if (answer !== undefined) {
                        return answer;
                    }
                    throw new Error(`unexpected invoke ${args.token}: the package must not call functions here`);
                },
            },
            project,
            options.stack,
            options.preview,
        );

        const resources: RecordedResource[] = [];
        const monitor = settings.getMonitor() as unknown as {
            registerResource(req: any, callback: (err: any, resp: any) => void): void;
        };
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) => {
            register(req, (err: any, resp: any) => {
                if (!err && resp) {
                    const secretPaths: string[] = [];
                    const inputs = scrub(rpc.deserializeProperties(req.getObject(), true), "", secretPaths) as Record<string, unknown>;
                    resources.push({
                        type: req.getType(),
                        name: req.getName(),
                        urn: resp.getUrn(),
                        parent: req.getParent() || undefined,
                        provider: req.getProvider() || undefined,
                        dependencies: req.getDependenciesList(),
                        custom: req.getCustom(),
                        inputs,
                        secretPaths,
                        retainOnDelete: Boolean(req.getRetainondelete?.()),
                        customTimeouts: timeoutsOf(req.getCustomtimeouts()),
                        ignoreChanges: req.getIgnorechangesList(),
                    });
                }
                callback(err, resp);
            });
        };

        let result!: T;
        await pulumi.runtime.runInPulumiStack(async () => {
            result = await program();
            return undefined;
        });
        // Internal to the SDK (marked @internal, so absent from its typings) but the only way to know that
        // every registration the program started has been answered.
        await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

        const seen = new Set<string>();
        for (const r of resources) {
            const key = `${r.type}::${r.name}`;
            if (seen.has(key)) {
                throw new Error(`duplicate resource ${key}: the Pulumi engine would reject this program`);
            }
            seen.add(key);
        }
        return { resources, result };
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
        running = false;
    }
}

let promiseStackTraces = true;

/**
 * Whether later runs let the SDK take a stack trace of every promise it makes (`debuggablePromise`, read only
 * by its report of leaked promises at exit). Formatting those traces is about half the CPU of an evaluation
 * under mocks, so the test suite turns them off (test/support/quick-mock-runs.ts); `npm run plan` and
 * `npm run bench` keep them, so a bench run costs what `pulumi up` does. While off, errors thrown during a
 * run carry no stack either (their messages are unchanged); LLMD_TEST_STACKS=1 keeps them in the suite.
 */
export function setPromiseStackTraces(on: boolean): void {
    promiseStackTraces = on;
}

function timeoutsOf(t: any): RecordedResource["customTimeouts"] {
    return t ? { create: t.getCreate(), update: t.getUpdate(), delete: t.getDelete() } : undefined;
}
