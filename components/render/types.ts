/** Plain Kubernetes objects as the render functions produce them: JSON-ready, no Pulumi types. */

/** `metadata` of a rendered object. Names are always explicit so objects can reference each other. */
export interface ObjectMeta {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

/** A Kubernetes object as plain data, ready for `kubectl apply` or for a typed Pulumi resource. */
export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: ObjectMeta;
    [field: string]: unknown;
}
