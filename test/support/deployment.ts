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
