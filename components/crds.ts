/**
 * Reads the vendored, pinned CustomResourceDefinitions under `components/crds/<folder>/` (see
 * `components/crds/SOURCES.md`). The YAML ships inside the package and is read at run time, so one copy
 * serves the compiled package, ts-node and the tests.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ManifestPin } from "./catalog/versions";
import { packageRoot } from "./package-root";
import { K8sObject } from "./render/types";

const cache = new Map<string, readonly K8sObject[]>();

/** Folder that holds the vendored CRD sets. */
export function crdsRoot(): string {
    return path.join(packageRoot(), "components", "crds");
}

/**
 * The CRDs of a pinned manifest set, in file-name order (so plans are stable), ready to apply: the
 * `status` that controller-gen writes into some files is dropped because the API server owns it. Throws
 * if the folder holds anything but CustomResourceDefinitions, so a stray policy or example cannot be
 * installed by accident. The objects are parsed once per process and shared, deeply frozen: a copy per call
 * cost about 6 ms of CPU per evaluation for the Gateway API set (700 KB), and freezing makes a caller's change
 * throw instead of leaking into the next load. Copy one (`structuredClone`) to change it.
 */
export function loadCrds(pin: ManifestPin): readonly K8sObject[] {
    let crds = cache.get(pin.folder);
    if (crds === undefined) {
        crds = deepFreeze(readFolder(path.join(crdsRoot(), pin.folder)));
        cache.set(pin.folder, crds);
    }
    return crds;
}

/** Freezes `value` and everything reachable from it, so a shared parse cannot be changed by one of its readers. */
export function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const item of Object.values(value)) {
            deepFreeze(item);
        }
    }
    return value;
}

function readFolder(folder: string): K8sObject[] {
    if (!fs.existsSync(folder)) {
        throw new Error(`no vendored CRDs at ${folder}: the folder named by the manifest pin is missing`);
    }
    // Plain code-unit order rather than localeCompare: the same on every machine.
    const files = fs.readdirSync(folder).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml")).sort();
    const crds: K8sObject[] = [];
    for (const file of files) {
        const text = fs.readFileSync(path.join(folder, file), "utf8");
        for (const doc of YAML.parseAllDocuments(text)) {
            if (doc.errors.length > 0) {
                throw new Error(`${file}: ${doc.errors[0].message}`);
            }
            const object = doc.toJS() as K8sObject | null;
            if (object === null || object === undefined) {
                continue;
            }
            if (object.apiVersion !== "apiextensions.k8s.io/v1" || object.kind !== "CustomResourceDefinition") {
                throw new Error(`${file}: expected only apiextensions.k8s.io/v1 CustomResourceDefinitions, found ${object.apiVersion}/${object.kind}`);
            }
            const { status: _status, ...crd } = object;
            crds.push(crd as K8sObject);
        }
    }
    if (crds.length === 0) {
        throw new Error(`no CustomResourceDefinitions in ${folder}`);
    }
    return crds;
}
