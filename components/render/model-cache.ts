/**
 * Where a model's weights live between pod starts. Without this, llmd's model servers download the weights
 * into an emptyDir on every start (`modelCacheSize`), or use a claim the user made (`cachePvc`). This file
 * plans, from one option:
 * - a PersistentVolumeClaim llmd creates and every model server mounts as `HF_HOME` (weights downloaded
 *   once per claim, then read from it; `ReadWriteMany` when several pods share it);
 * - on GKE, the fast paths llm-d's guides use: the bucket mounted through the Cloud Storage FUSE CSI driver
 *   with its file cache (`gs://` model source), or a read-only Hyperdisk ML claim created from a snapshot
 *   that already holds the weights (`pvc://` model source). Neither downloads from Hugging Face.
 * The compile caches stay on the pod's `/tmp/cache` emptyDir in every case (llm-d image convention), so
 * torch.compile and Triton kernels are rebuilt on each pod start. Pure.
 */
import { LlmdConfigError, requireDnsLabel, requireNonEmpty, requireOneOf } from "../errors";
import { ModelServerInput } from "./model-server-types";
import { K8sObject } from "./types";
import { LLMD_LABELS } from "./labels";

/** How the weights are kept. */
export const ModelCacheKind = {
    /** A PVC llmd creates, mounted as HF_HOME; weights downloaded from Hugging Face the first time. */
    Pvc: "pvc",
    /** GKE: a Cloud Storage bucket through the GCS FUSE CSI driver (read-only, with a local file cache). */
    GcsFuse: "gcs-fuse",
    /** GKE: a read-only Hyperdisk ML claim created from a VolumeSnapshot holding the weights. */
    HyperdiskMl: "hyperdisk-ml",
} as const;
/** One of the values of `ModelCacheKind`. */
export type ModelCacheKind = (typeof ModelCacheKind)[keyof typeof ModelCacheKind];

/** Access mode of a writable model cache claim. */
export const CacheAccessMode = {
    /** One node mounts the claim (a single model-server pod). */
    ReadWriteOnce: "ReadWriteOnce",
    /** Many nodes mount it: required when several pods share the cache. */
    ReadWriteMany: "ReadWriteMany",
    /** One pod mounts it. */
    ReadWriteOncePod: "ReadWriteOncePod",
} as const;
/** One of the values of `CacheAccessMode`. */
export type CacheAccessMode = (typeof CacheAccessMode)[keyof typeof CacheAccessMode];

/** Access modes a writable model cache claim may use. */
export const CACHE_ACCESS_MODES = Object.values(CacheAccessMode);

/** Model cache settings of one model. */
export interface ModelCacheArgs {
    /** `pvc` (default), or a GKE fast path: `gcs-fuse` or `hyperdisk-ml`. */
    kind?: ModelCacheKind;
    /** Claim size, e.g. `200Gi` (`pvc` and `hyperdisk-ml`). */
    size?: string;
    /** StorageClass of the claim. Unset uses the cluster default (`pvc`) or `hyperdisk-ml`. */
    storageClassName?: string;
    /**
     * Access mode of a `pvc` claim. Defaults to `ReadWriteMany` when more than one pod mounts it, which is
     * then also the only mode allowed (the storage class must support it, e.g. Filestore or Azure Files).
     */
    accessMode?: CacheAccessMode;
    /** `gcs-fuse`: bucket holding the model directory. */
    bucket?: string;
    /** `gcs-fuse` / `hyperdisk-ml`: directory of the model inside the bucket or volume, e.g. `Qwen/Qwen3-32B`. */
    path?: string;
    /** `hyperdisk-ml`: VolumeSnapshot (same namespace) the read-only claim is created from. */
    snapshot?: string;
}

/** Facts about the model the cache serves. */
export interface ModelCacheContext {
    /** Release (model) name; the claim is `<release>-model-cache`. */
    release: string;
    namespace: string;
    /** Pods that mount the cache at once, over every model-server workload of the model at its largest size. */
    pods: number;
    /** The cluster is GKE (the fast paths need its CSI drivers). */
    gke: boolean;
}

/** What the cache adds: objects to create and the fields to set on every model server's input. */
export interface ModelCachePlan {
    objects: K8sObject[];
    modelServer: Pick<ModelServerInput, "cachePvc" | "modelSource">;
}

/** Throws unless `value` is a Cloud Storage bucket name (which, unlike a DNS label, may hold `.` and `_`). */
export function requireBucketName(field: string, value: unknown): string {
    if (typeof value !== "string" || !/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(value)) {
        throw new LlmdConfigError(field, value, "expected a Cloud Storage bucket name (lowercase letters, digits, '-', '_', '.')");
    }
    return value;
}

const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

function requireSize(field: string, value: unknown): string {
    if (typeof value !== "string" || !QUANTITY.test(value)) {
        throw new LlmdConfigError(field, value, 'expected a storage quantity such as "200Gi"');
    }
    return value;
}

function claim(ctx: ModelCacheContext, storage: string, accessMode: string, storageClassName: string | undefined, extra: Record<string, unknown> = {}): K8sObject {
    return {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: {
            name: `${ctx.release}-model-cache`,
            namespace: ctx.namespace,
            labels: { "app.kubernetes.io/instance": ctx.release, ...LLMD_LABELS, "app.kubernetes.io/component": "model-cache" },
        },
        spec: {
            accessModes: [accessMode],
            ...(storageClassName ? { storageClassName } : {}),
            resources: { requests: { storage } },
            ...extra,
        },
    };
}

function requirePath(field: string, value: unknown): string {
    const path = requireNonEmpty(field, value).replace(/^\/+|\/+$/g, "");
    if (path === "" || path.split("/").includes("..")) {
        throw new LlmdConfigError(field, value, "expected a relative directory such as \"Qwen/Qwen3-32B\"");
    }
    return path;
}

/** Plans the model cache; errors name the field under `field` (default `modelCache`). */
export function planModelCache(args: ModelCacheArgs, ctx: ModelCacheContext, field = "modelCache"): ModelCachePlan {
    const kind = requireOneOf(`${field}.kind`, args.kind ?? ModelCacheKind.Pvc, Object.values(ModelCacheKind));
    const unused = (keys: (keyof ModelCacheArgs)[]) => {
        for (const key of keys) {
            if (args[key] !== undefined) {
                throw new LlmdConfigError(`${field}.${key}`, args[key], `expected unset with kind ${kind}`);
            }
        }
    };
    if (kind !== ModelCacheKind.Pvc && !ctx.gke) {
        throw new LlmdConfigError(`${field}.kind`, kind, "gcs-fuse and hyperdisk-ml need a GKE cluster; expected pvc elsewhere");
    }
    switch (kind) {
        case ModelCacheKind.Pvc: {
            unused(["bucket", "path", "snapshot"]);
            const size = requireSize(`${field}.size`, args.size);
            const shared = ctx.pods > 1;
            const accessMode = requireOneOf(`${field}.accessMode`, args.accessMode ?? (shared ? "ReadWriteMany" : "ReadWriteOnce"), CACHE_ACCESS_MODES);
            if (shared && accessMode !== "ReadWriteMany") {
                throw new LlmdConfigError(
                    `${field}.accessMode`,
                    accessMode,
                    `${ctx.pods} model-server pods mount the cache at once; expected ReadWriteMany (and a storage class that supports it)`,
                );
            }
            const storageClassName = args.storageClassName === undefined ? undefined : requireDnsLabel(`${field}.storageClassName`, args.storageClassName, 253);
            const pvc = claim(ctx, size, accessMode, storageClassName);
            return { objects: [pvc], modelServer: { cachePvc: pvc.metadata.name } };
        }
        case ModelCacheKind.GcsFuse: {
            unused(["size", "storageClassName", "accessMode", "snapshot"]);
            const bucket = requireBucketName(`${field}.bucket`, args.bucket);
            return { objects: [], modelServer: { modelSource: `gs://${bucket}/${requirePath(`${field}.path`, args.path)}` } };
        }
        case ModelCacheKind.HyperdiskMl: {
            unused(["accessMode", "bucket"]);
            const size = requireSize(`${field}.size`, args.size);
            const snapshot = requireDnsLabel(`${field}.snapshot`, args.snapshot, 253);
            const storageClassName = requireDnsLabel(`${field}.storageClassName`, args.storageClassName ?? "hyperdisk-ml", 253);
            // Hyperdisk ML attaches read-only to many nodes at once; the weights come from the snapshot.
            const pvc = claim(ctx, size, "ReadOnlyMany", storageClassName, {
                dataSourceRef: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: snapshot },
            });
            return { objects: [pvc], modelServer: { modelSource: `pvc://${pvc.metadata.name}/${requirePath(`${field}.path`, args.path)}` } };
        }
    }
}

/**
 * GCS FUSE mount options of llm-d's GKE guides (`guides/agentic-serving/.../gke/patch-decode.yaml`): list
 * directories implicitly and read whole files through an unbounded local file cache with parallel downloads.
 */
export const GCS_FUSE_MOUNT_OPTIONS = [
    "implicit-dirs",
    "file-cache:enable-parallel-downloads:true",
    "file-cache:parallel-downloads-per-file:100",
    "file-cache:max-parallel-downloads:-1",
    "file-cache:download-chunk-size-mb:10",
    "file-cache:max-size-mb:-1",
].join(",");

/**
 * Pod annotations that make GKE inject the GCS FUSE sidecar, without resource limits on it (as the guides
 * do): its file cache holds whole model files.
 */
export const GCS_FUSE_POD_ANNOTATIONS: Readonly<Record<string, string>> = {
    "gke-gcsfuse/volumes": "true",
    "gke-gcsfuse/memory-limit": "0",
    "gke-gcsfuse/cpu-limit": "0",
    "gke-gcsfuse/ephemeral-storage-limit": "0",
};

/** A CSI ephemeral volume of a bucket through the GCS FUSE driver, read-only. */
export function gcsFuseVolume(name: string, bucket: string): Record<string, unknown> {
    return {
        name,
        csi: { driver: "gcsfuse.csi.storage.gke.io", readOnly: true, volumeAttributes: { bucketName: bucket, mountOptions: GCS_FUSE_MOUNT_OPTIONS } },
    };
}
