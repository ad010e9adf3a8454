import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import { LlmdDeployment, LlmdDeploymentArgs } from "../../components/llmd";
import { RecordedResource, runWithMocks } from "../../stacks/mock-engine";

/** Evaluates one `LlmdDeployment` named `llmd` on an explicit Kubernetes provider `k8s`, under mocks. */
export async function deployLlmd(args: LlmdDeploymentArgs, preview = false): Promise<RecordedResource[]> {
    const { resources } = await runWithMocks(
        () => {
            const kubernetesProvider = new k8s.Provider("k8s", { kubeconfig: "fake" });
            new LlmdDeployment("llmd", { ...args, kubernetesProvider });
        },
        { stack: "test", preview },
    );
    return resources;
}

/** The recorded resource named `name`; fails listing what was recorded when there is none. */
export function byName(resources: RecordedResource[], name: string): RecordedResource {
    const found = resources.find((r) => r.name === name);
    assert.ok(found, `no resource ${name}; have ${resources.map((r) => r.name).join(", ")}`);
    return found;
}
