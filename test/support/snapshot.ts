import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { packageRoot } from "../../components/package-root";

/**
 * Compares `actual` with the reviewed snapshot `test/<folder>/__snapshots__/<name>.json`. With
 * UPDATE_SNAPSHOTS=1 the snapshot is (re)written instead, for review in the diff; without it a missing
 * snapshot is a failure, so CI never passes on a snapshot it wrote itself.
 */
export function matchSnapshot(folder: string, name: string, actual: unknown): void {
    const file = path.join(packageRoot(), "test", folder, "__snapshots__", `${name}.json`);
    const text = JSON.stringify(actual, null, 2) + "\n";
    if (process.env.UPDATE_SNAPSHOTS === "1") {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        return;
    }
    if (!fs.existsSync(file)) {
        assert.fail(`no snapshot ${path.relative(packageRoot(), file)}: run UPDATE_SNAPSHOTS=1 npm test and review it`);
    }
    assert.deepStrictEqual(JSON.parse(text), JSON.parse(fs.readFileSync(file, "utf8")), `plan differs from ${name}.json (UPDATE_SNAPSHOTS=1 to accept)`);
}
