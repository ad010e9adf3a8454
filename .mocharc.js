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

module.exports = {
    spec: compiledTests(path.join(__dirname, "bin", "test")).filter((file) =>
        fs.existsSync(path.join(__dirname, path.relative(path.join(__dirname, "bin"), file).replace(/\.js$/, ".ts"))),
    ),
    timeout: 30000,
    reporter: "spec",
};
