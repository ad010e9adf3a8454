/**
 * Schema validation of rendered Kubernetes objects, for tests.
 *
 * - Built-in kinds: the `kubernetes-models` validators (types, enums, required fields) plus an unknown-field
 *   pass over the package's type declarations (see known-fields.ts), because those validators accept
 *   extra fields.
 * - Custom resources: ajv against the pinned CRDs in the project, unknown fields rejected (see
 *   crd-schemas.ts).
 * - A few kinds with no pinned schema: only the envelope is checked, and only if listed in UNPINNED_KINDS.
 *
 * Neither route evaluates CEL (`x-kubernetes-validations`) or admission webhooks; tests that depend on
 * such a rule must assert it themselves.
 */
import { K8sObject } from "../../components/render/types";
import { validateCustomResource } from "./crd-schemas";
import { unknownFields } from "./known-fields";

/**
 * `apiVersion/kind` pairs we render without any pinned schema to check them against. Each needs a reason;
 * objects of these kinds only get their envelope checked (apiVersion, kind, metadata.name, spec object).
 */
export const UNPINNED_KINDS: ReadonlyMap<string, string> = new Map([
    // Istio ships its CRDs inside its Helm charts, installed at run time; we pin the chart, not the CRD
    // YAML, and the DestinationRule we render is a handful of fields copied from the upstream guide.
    ["networking.istio.io/v1/DestinationRule", "Istio CRDs come from the pinned Istio chart at run time"],
    // GKE's Gateway policy CRDs are installed by GKE itself and are not published as versioned YAML.
    ["networking.gke.io/v1/HealthCheckPolicy", "installed by GKE, no published versioned CRD"],
    ["networking.gke.io/v1/GCPBackendPolicy", "installed by GKE, no published versioned CRD"],
    ["networking.gke.io/v1/GCPRoutingExtension", "installed by GKE with its Gateway controller, no published versioned CRD"],
    // The payload processor's hook on an Istio Gateway; Istio's CRDs come from the pinned chart at run time.
    ["networking.istio.io/v1alpha3/EnvoyFilter", "Istio CRDs come from the pinned Istio chart at run time"],
    // GKE multi-networking objects for RDMA NICs: GKE installs these CRDs with multi-networking enabled.
    ["networking.gke.io/v1/Network", "installed by GKE with multi-networking, no published versioned CRD"],
    ["networking.gke.io/v1/GKENetworkParamSet", "installed by GKE with multi-networking, no published versioned CRD"],
    // The NVIDIA Network Operator's CRDs come from its pinned chart at run time; no tag-verified copy could be
    // vendored here. The policy's image fields are checked against the operator's patterns in the AKS tests.
    ["mellanox.com/v1alpha1/NicClusterPolicy", "NVIDIA Network Operator CRD comes from its pinned chart at run time"],
    // OpenShift installs the SCC CRD itself (openshift/api); no published versioned YAML is pinned here. The
    // OpenShift render tests check the fields the CRD requires.
    ["security.openshift.io/v1/SecurityContextConstraints", "installed by OpenShift, no published versioned CRD"],
]);

type Model = { validate(): void };
type ModelClass = new (data: unknown) => Model;

/** apiVersion|kind -> kubernetes-models class and its file, or null when the package has no such kind. */
const models = new Map<string, { ctor: ModelClass; file: string } | null>();

function builtinModel(apiVersion: string, kind: string): { ctor: ModelClass; file: string } | null {
    const key = `${apiVersion}|${kind}`;
    let found = models.get(key);
    if (found === undefined) {
        found = null;
        // kubernetes-models lays classes out as <group>/<version>/<Kind>, the core group as v1/<Kind>.
        if (/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) && /^[A-Z][A-Za-z0-9]*$/.test(kind)) {
            const spec = `kubernetes-models/${apiVersion}/${kind}`;
            try {
                const file = require.resolve(spec);
                const ctor = require(spec)[kind] as ModelClass | undefined;
                found = ctor === undefined ? null : { ctor, file };
            } catch {
                found = null;
            }
        }
        models.set(key, found);
    }
    return found;
}

function validateBuiltin(obj: K8sObject, model: { ctor: ModelClass; file: string }): string[] {
    const errors: string[] = [];
    try {
        new model.ctor(obj).validate();
    } catch (e: any) {
        const list: any[] | undefined = e?.errors;
        if (!Array.isArray(list)) {
            throw e;
        }
        for (const err of list) {
            const at = err.instancePath || "/";
            const extra = err.keyword === "enum" ? ` ${JSON.stringify(err.params?.allowedValues)}` : "";
            errors.push(`${at}: ${err.message}${extra}`);
        }
    }
    errors.push(...unknownFields(obj, model.file, obj.kind));
    if (typeof obj.metadata?.name !== "string" || obj.metadata.name === "") {
        errors.push("/metadata/name: must be a non-empty string");
    }
    return errors;
}

function validateEnvelope(obj: K8sObject): string[] {
    const errors: string[] = [];
    if (typeof obj.metadata?.name !== "string" || obj.metadata.name === "") {
        errors.push("/metadata/name: must be a non-empty string");
    }
    if (obj.spec !== undefined && (typeof obj.spec !== "object" || obj.spec === null || Array.isArray(obj.spec))) {
        errors.push("/spec: must be object");
    }
    return errors;
}

/** Schema errors of one rendered object, as "path: message" strings; [] when it is valid. */
export function validateObject(obj: K8sObject): string[] {
    if (obj === null || typeof obj !== "object" || typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
        return ["/: must be an object with string apiVersion and kind"];
    }
    const { apiVersion, kind } = obj;
    if (UNPINNED_KINDS.has(`${apiVersion}/${kind}`)) {
        return validateEnvelope(obj);
    }
    const model = builtinModel(apiVersion, kind);
    if (model !== null) {
        return validateBuiltin(obj, model);
    }
    const slash = apiVersion.indexOf("/");
    if (slash > 0) {
        const errors = validateCustomResource(obj, apiVersion.slice(0, slash), apiVersion.slice(slash + 1), kind);
        if (errors !== undefined) {
            return errors;
        }
    }
    return [`no schema for ${apiVersion}/${kind}`];
}

function describe(obj: K8sObject): string {
    const ns = obj?.metadata?.namespace ? `${obj.metadata.namespace}/` : "";
    return `${obj?.kind}/${ns}${obj?.metadata?.name} (${obj?.apiVersion})`;
}

/** Throws, listing every error, unless `obj` is valid. */
export function assertValid(obj: K8sObject): void {
    assertAllValid([obj]);
}

/** Throws, listing every error of every invalid object by kind and name, unless all are valid. */
export function assertAllValid(objs: readonly K8sObject[]): void {
    const failures: string[] = [];
    for (const obj of objs) {
        const errors = validateObject(obj);
        if (errors.length > 0) {
            failures.push(`${describe(obj)}:\n${errors.map((e) => `    ${e}`).join("\n")}`);
        }
    }
    if (failures.length > 0) {
        throw new Error(`schema validation failed for ${failures.length} of ${objs.length} object(s):\n  ${failures.join("\n  ")}`);
    }
}
