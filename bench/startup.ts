/**
 * Start-up of the command line when nothing changed: a second `npm run plan` compiles nothing (`tsc -b`
 * finds bin/ up to date) and only evaluates the stack. Also times the compile step alone, with the
 * `tsc -p` the scripts used before for comparison.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { packageRoot } from "../components/package-root";
import { median } from "./stats";

/** Wall-clock seconds of a command run in the package folder; throws when it fails. */
function seconds(command: string, args: string[]): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: packageRoot(), encoding: "utf8", maxBuffer: 64 << 20 });
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
    }
    return Number(process.hrtime.bigint() - start) / 1e9;
}

/** One line per measurement: median seconds over `reps` runs. */
export function startupTimes(reps: number): Array<{ what: string; seconds: number }> {
    const tsc = path.join(packageRoot(), "node_modules", "typescript", "bin", "tsc");
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const rows: Array<{ what: string; seconds: number }> = [];
    const measure = (what: string, command: string, args: string[]) => {
        const runs = Array.from({ length: reps }, () => seconds(command, args));
        rows.push({ what, seconds: median(runs) });
    };
    // The full check the scripts ran before: it re-checks every file even when nothing changed.
    measure("tsc -p tsconfig.json, nothing changed (before)", process.execPath, [tsc, "-p", "tsconfig.json"]);
    seconds(npm, ["run", "-s", "plan", "--", "--stack", "local"]);
    measure("tsc -b tsconfig.json, nothing changed (now)", process.execPath, [tsc, "-b", "tsconfig.json"]);
    measure("node bin/stacks/plan.js --stack local (evaluation alone)", process.execPath, [path.join(packageRoot(), "bin", "stacks", "plan.js"), "--stack", "local"]);
    measure("second npm run plan -- --stack local", npm, ["run", "-s", "plan", "--", "--stack", "local"]);
    return rows;
}
