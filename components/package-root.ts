import * as fs from "fs";
import * as path from "path";

let root: string | undefined;

/**
 * The llmd package's root folder. Compiled code runs from `bin/`, `ts-node` from the sources and an
 * installed package from `node_modules/llmd/bin/`, so data files (vendored CRDs, stack files) are found by
 * walking up to our package.json rather than by a fixed relative path.
 */
export function packageRoot(): string {
    if (root !== undefined) {
        return root;
    }
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "llmd") {
            root = dir;
            return dir;
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`cannot find the llmd package root above ${__dirname}`);
        }
    }
}
