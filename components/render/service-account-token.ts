/**
 * Which ServiceAccount a long-lived token Secret belongs to. Kubernetes fills a `kubernetes.io/service-account-token`
 * Secret only for a ServiceAccount that exists, and asks that the account be created first when both are, so the
 * Secret must wait for it. Pure.
 */
import { K8sObject } from "./types";

/** Annotation naming the ServiceAccount of a token Secret. */
export const SERVICE_ACCOUNT_NAME_ANNOTATION = "kubernetes.io/service-account.name";

/** Type of a Secret Kubernetes fills with a ServiceAccount's long-lived token. */
export const SERVICE_ACCOUNT_TOKEN_TYPE = "kubernetes.io/service-account-token";

/** A long-lived token Secret for `serviceAccount`, with `metadata` (name, namespace, labels) as given. */
export function renderTokenSecret(metadata: K8sObject["metadata"], serviceAccount: string): K8sObject {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { ...metadata, annotations: { ...metadata.annotations, [SERVICE_ACCOUNT_NAME_ANNOTATION]: serviceAccount } },
        type: SERVICE_ACCOUNT_TOKEN_TYPE,
    };
}

/** The ServiceAccount among `objects` that `object` (a token Secret) is for; undefined for anything else. */
export function tokenServiceAccount(object: K8sObject, objects: readonly K8sObject[]): K8sObject | undefined {
    if (object.kind !== "Secret" || (object as { type?: unknown }).type !== SERVICE_ACCOUNT_TOKEN_TYPE) {
        return undefined;
    }
    const name = object.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION];
    return objects.find((o) => o.kind === "ServiceAccount" && o.apiVersion === "v1" && o.metadata.name === name && o.metadata.namespace === object.metadata.namespace);
}
