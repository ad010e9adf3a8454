/**
 * `npm run crds`: after vendoring or re-pinning a CRD folder, parses each pinned folder's YAML and writes the
 * JSON `loadCrds` reads (`components/crds/<folder>.json`). A test fails while any JSON differs from its YAML.
 */
import * as fs from "fs";
import { MANIFESTS } from "./catalog/versions";
import { compiledCrdsFile, compiledCrdsText, parseCrdFolder } from "./crds";

if (require.main === module) {
    for (const pin of Object.values(MANIFESTS)) {
        const file = compiledCrdsFile(pin.folder);
        const text = compiledCrdsText(parseCrdFolder(pin.folder));
        const changed = !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text;
        if (changed) {
            fs.writeFileSync(file, text);
        }
        console.log(`${changed ? "wrote" : "unchanged"} ${file}`);
    }
}
