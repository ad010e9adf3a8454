import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { K8sObject } from "./render/types";

type Ctor = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

// Built-in kinds get their typed class so the engine (and the plan) sees the real resource type; anything
// else (our CRDs' custom resources) is a CustomResource with its apiVersion and kind.
const TYPED: Record<string, Ctor> = {
    "v1/ConfigMap": k8s.core.v1.ConfigMap,
    "v1/Namespace": k8s.core.v1.Namespace,
    "v1/PersistentVolumeClaim": k8s.core.v1.PersistentVolumeClaim,
    "v1/Secret": k8s.core.v1.Secret,
    "v1/Service": k8s.core.v1.Service,
    "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
    "apps/v1/DaemonSet": k8s.apps.v1.DaemonSet,
    "apps/v1/Deployment": k8s.apps.v1.Deployment,
    "apiextensions.k8s.io/v1/CustomResourceDefinition": k8s.apiextensions.v1.CustomResourceDefinition,
    "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
    "rbac.authorization.k8s.io/v1/ClusterRole": k8s.rbac.v1.ClusterRole,
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": k8s.rbac.v1.ClusterRoleBinding,
    "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
    "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
};

/**
 * Turns a rendered object into a typed Pulumi resource. The caller passes parent, provider and
 * dependencies; this only picks the class.
 */
export function createK8sObject(name: string, object: K8sObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    const { apiVersion, kind, ...body } = object;
    const ctor = TYPED[`${apiVersion}/${kind}`];
    if (ctor) {
        return new ctor(name, body, opts);
    }
    return new k8s.apiextensions.CustomResource(name, { apiVersion, kind, ...body }, opts);
}

