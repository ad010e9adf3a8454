/**
 * Reads the vendored, pinned CustomResourceDefinitions under `components/crds/<folder>/` (see
 * `components/crds/SOURCES.md`). The upstream YAML is kept as vendored; what the package reads at run time is
 * `components/crds/<folder>.json`, the same objects parsed once when they were vendored (`npm run crds`), because
 * parsing the Gateway API's 1.2 MB of YAML took over half a second of every `plan` and `pulumi up`, and JSON
 * takes milliseconds. A test parses the YAML again and fails if the JSON differs, so the two cannot drift.
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
        crds = deepFreeze(readCompiled(pin.folder));
        cache.set(pin.folder, crds);
    }
    return crds;
}

/** Where the parsed CRDs of a vendored folder are kept (`npm run crds` writes it). */
export function compiledCrdsFile(folder: string): string {
    return path.join(crdsRoot(), `${folder}.json`);
}

function readCompiled(folder: string): K8sObject[] {
    const file = compiledCrdsFile(folder);
    if (!fs.existsSync(file)) {
        throw new Error(`no parsed CRDs at ${file}: run \`npm run crds\` after vendoring components/crds/${folder}/`);
    }
    return JSON.parse(fs.readFileSync(file, "utf8")) as K8sObject[];
}

/**
 * The CRDs of a vendored folder parsed from its YAML, as `loadCrds` returns them: what `npm run crds` writes
 * to the JSON file, and what the test compares that file with.
 */
export function parseCrdFolder(folder: string): K8sObject[] {
    return readFolder(path.join(crdsRoot(), folder));
}

/** The JSON text `npm run crds` writes: one CRD a line, so a re-vendored CRD shows as its own line in a diff. */
export function compiledCrdsText(crds: readonly K8sObject[]): string {
    return `[\n${crds.map((crd) => JSON.stringify(crd)).join(",\n")}\n]\n`;
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
