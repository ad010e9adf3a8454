/**
 * Each shipped stack's preview, evaluated once per test process and shared by every suite that reads it
 * (snapshots, network policies, Pod Security, URN compatibility, critical path). A stack's evaluation is
 * deterministic (the snapshot test would fail otherwise), so re-running it per suite only cost time: four
 * to five evaluations of each of ten stacks per `npm test`. The recorded resources are deeply frozen, so a
 * suite that changed the shared plan would throw rather than alter what the next suite checks.
 */
import { deepFreeze } from "../../components/crds";
import { RecordedResource, runWithMocks } from "../../stacks/mock-engine";
import { runProgram } from "../../stacks/program";
import { readStackConfig } from "../../stacks/stack-files";

/** One preview of a shipped stack: what it registered, and the program's outputs (not frozen: they hold Outputs). */
export interface ShippedPreview {
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
}

const previews = new Map<string, Promise<ShippedPreview>>();

/** `stacks/Pulumi.<stack>.yaml` evaluated in preview under mocks, once per process. */
export function previewShippedStack(stack: string): Promise<ShippedPreview> {
    let preview = previews.get(stack);
    if (preview === undefined) {
        const { config, secretKeys } = readStackConfig(stack);
        preview = runWithMocks(runProgram, { stack, preview: true, config, secretKeys }).then(({ resources, result }) => ({
            resources: deepFreeze(resources),
            outputs: result as Record<string, unknown>,
        }));
        previews.set(stack, preview);
    }
    return preview;
}

/** The resources of `previewShippedStack(stack)`. */
export async function shippedStackResources(stack: string): Promise<RecordedResource[]> {
    return (await previewShippedStack(stack)).resources;
}
