import * as assert from "assert";
import { LlmdConfigError } from "../../components/errors";
import { GCS_FUSE_POD_ANNOTATIONS, ModelCacheArgs, ModelCacheContext, planModelCache } from "../../components/render/model-cache";
import { MODEL_CACHE_PATH } from "../../components/render/model-server-pod";
import { validateObject } from "../support/schema";
import { podSpec, render, templates, vllm } from "./model-server-fixtures";

const one: ModelCacheContext = { release: "qwen", namespace: "llm-d", pods: 1, gke: false };
const shared: ModelCacheContext = { ...one, pods: 3 };
const gke: ModelCacheContext = { ...shared, gke: true };

function configError(fn: () => unknown, field: string, pattern?: RegExp): void {
    assert.throws(fn, (e: unknown) => e instanceof LlmdConfigError && e.field === field && (!pattern || pattern.test(e.message)));
}

describe("model cache", () => {
    it("a PVC is ReadWriteOnce for one pod and ReadWriteMany when pods share it, mounted as HF_HOME", () => {
        const single = planModelCache({ size: "200Gi" }, one);
        assert.deepStrictEqual((single.objects[0].spec as any).accessModes, ["ReadWriteOnce"]);
        const many = planModelCache({ size: "200Gi", storageClassName: "standard-rwx" }, shared);
        const pvc = many.objects[0] as any;
        assert.deepStrictEqual(pvc.spec, { accessModes: ["ReadWriteMany"], storageClassName: "standard-rwx", resources: { requests: { storage: "200Gi" } } });
        assert.deepStrictEqual(many.modelServer, { cachePvc: "qwen-model-cache" });

        // The model server mounts the claim where HF_HOME points; the compile cache stays an emptyDir on /tmp/cache.
        const workload = render({ ...many.modelServer, replicas: 3 });
        const volumes = podSpec(workload).volumes;
        assert.deepStrictEqual(volumes.find((v: any) => v.name === "model-cache"), { name: "model-cache", persistentVolumeClaim: { claimName: "qwen-model-cache" } });
        assert.deepStrictEqual(volumes.find((v: any) => v.name === "compile-cache"), { name: "compile-cache", emptyDir: {} });
        const env = vllm(workload).env;
        assert.strictEqual(env.find((e: any) => e.name === "HF_HOME").value, MODEL_CACHE_PATH);
        assert.deepStrictEqual(
            vllm(workload).volumeMounts.filter((m: any) => m.name.endsWith("cache")).map((m: any) => [m.name, m.mountPath]),
            [["compile-cache", "/tmp/cache"], ["model-cache", MODEL_CACHE_PATH]],
        );
        for (const o of [pvc, workload]) {
            assert.deepStrictEqual(validateObject(o), [], o.kind);
        }
    });

    it("refuses a single-node access mode for a cache several pods share", () => {
        configError(() => planModelCache({ size: "200Gi", accessMode: "ReadWriteOnce" }, shared), "modelCache.accessMode", /3 model-server pods.*ReadWriteMany/);
        planModelCache({ size: "200Gi", accessMode: "ReadWriteOnce" }, one);
    });

    it("GCS FUSE mounts the bucket read-only at /models with the driver's file cache and sidecar annotation", () => {
        const plan = planModelCache({ kind: "gcs-fuse", bucket: "my.models_bucket", path: "/Qwen/Qwen3-32B/" }, gke);
        assert.deepStrictEqual(plan, { objects: [], modelServer: { modelSource: "gs://my.models_bucket/Qwen/Qwen3-32B" } });
        const workload = render({ ...plan.modelServer });
        const pod = templates(workload).leader;
        assert.deepStrictEqual({ ...pod.metadata.annotations, ...GCS_FUSE_POD_ANNOTATIONS }, pod.metadata.annotations);
        const volume = pod.spec.volumes.find((v: any) => v.name === "model");
        assert.strictEqual(volume.csi.driver, "gcsfuse.csi.storage.gke.io");
        assert.strictEqual(volume.csi.volumeAttributes.bucketName, "my.models_bucket");
        assert.match(volume.csi.volumeAttributes.mountOptions, /file-cache:max-size-mb:-1/);
        assert.deepStrictEqual(vllm(workload).volumeMounts.find((m: any) => m.name === "model"), { name: "model", mountPath: "/models", readOnly: true });
        assert.strictEqual(vllm(workload).args[0], "/models/Qwen/Qwen3-32B");
        assert.deepStrictEqual(validateObject(workload), []);
    });

    it("Hyperdisk ML is a read-only claim from a snapshot, used as a pvc:// model source", () => {
        const plan = planModelCache({ kind: "hyperdisk-ml", size: "500Gi", snapshot: "qwen-weights", path: "Qwen3-32B" }, gke);
        const pvc = plan.objects[0] as any;
        assert.deepStrictEqual(pvc.spec.accessModes, ["ReadOnlyMany"]);
        assert.strictEqual(pvc.spec.storageClassName, "hyperdisk-ml");
        assert.deepStrictEqual(pvc.spec.dataSourceRef, { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: "qwen-weights" });
        assert.deepStrictEqual(plan.modelServer, { modelSource: "pvc://qwen-model-cache/Qwen3-32B" });
        const workload = render({ ...plan.modelServer });
        assert.strictEqual(vllm(workload).args[0], "/models/Qwen3-32B");
        assert.ok(!templates(workload).leader.metadata.annotations?.["gke-gcsfuse/volumes"]);
        for (const o of [pvc, workload]) {
            assert.deepStrictEqual(validateObject(o), [], o.kind);
        }
    });

    it("rejects bad input naming the field", () => {
        const cases: [ModelCacheArgs, ModelCacheContext, string][] = [
            [{}, one, "modelCache.size"],
            [{ size: "lots" }, one, "modelCache.size"],
            [{ kind: "gcs-fuse", bucket: "b", path: "p" } as ModelCacheArgs, shared, "modelCache.kind"],
            [{ kind: "nfs" as any }, gke, "modelCache.kind"],
            [{ kind: "gcs-fuse", bucket: "Bad_Bucket!", path: "p" }, gke, "modelCache.bucket"],
            [{ kind: "gcs-fuse", bucket: "models", path: "../etc" }, gke, "modelCache.path"],
            [{ kind: "gcs-fuse", bucket: "models", path: "p", size: "1Gi" }, gke, "modelCache.size"],
            [{ kind: "hyperdisk-ml", size: "1Ti", path: "p" }, gke, "modelCache.snapshot"],
            [{ size: "1Gi", bucket: "models" }, one, "modelCache.bucket"],
        ];
        for (const [args, ctx, field] of cases) {
            configError(() => planModelCache(args, ctx), field);
        }
        assert.throws(() => render({ modelSource: "gs://UPPER/x" }), (e: unknown) => e instanceof LlmdConfigError && e.field === "modelSource");
    });
});
