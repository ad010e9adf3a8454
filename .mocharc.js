// Mocha runs the compiled tests in bin/. tsc leaves the output of a deleted or renamed test file there, and
// running it would test code that no longer exists, so only compiled tests whose source still exists run.
const fs = require("fs");
const path = require("path");

function compiledTests(dir) {
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const file = path.join(dir, entry.name);
        return entry.isDirectory() ? compiledTests(file) : entry.name.endsWith(".test.js") ? [file] : [];
    });
}

// `npm test` (test/run.ts) runs the suite as three mocha processes side by side: LLMD_TESTS=integration (real
// daemons, mostly waiting), LLMD_TESTS=a (two unit test files in three) and LLMD_TESTS=b (the rest: the other
// unit files, and every preview, schema and automation file, which share one preview per stack). Unset runs all.
const PARTS = ["integration", "a", "b"];
const part = process.env.LLMD_TESTS;
if (part !== undefined && !PARTS.includes(part)) {
    throw new Error(`LLMD_TESTS=${part}: expected one of ${PARTS.join(", ")}, or unset for every test`);
}
const testRoot = path.join(__dirname, "bin", "test");
function partOf(file, unitFiles) {
    const dir = path.relative(testRoot, file).split(path.sep)[0];
    if (dir === "integration") {
        return "integration";
    }
    // Part b also has every preview, schema and automation file (about half the unit files' time), so part a
    // takes two unit files in three and the two end at about the same time.
    return dir === "unit" && unitFiles.indexOf(file) % 3 !== 0 ? "a" : "b";
}

const tests = compiledTests(testRoot)
    .filter((file) => fs.existsSync(path.join(__dirname, path.relative(path.join(__dirname, "bin"), file).replace(/\.js$/, ".ts"))))
    .sort();
const unitFiles = tests.filter((file) => path.relative(testRoot, file).startsWith(`unit${path.sep}`));

module.exports = {
    spec: tests.filter((file) => part === undefined || partOf(file, unitFiles) === part),
    require: [path.join(testRoot, "support", "quick-mock-runs.js")],
    timeout: 30000,
    reporter: "spec",
};
