/**
 * Plugin entry point (`main` in PulumiPlugin.yaml): serves the package's components to other languages through
 * the SDK's source-based `ComponentProvider`, with the schema it serves post-processed to mark the secret
 * properties (components/secret-schema.ts), which the SDK's analyzer cannot express. Not the library entry
 * (index.ts), which must not start a server on import; at the package root because it loads every component,
 * providers included, which components/ must not.
 */
import { main } from "@pulumi/pulumi/provider";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { packageRoot } from "./components/package-root";
import { markSecrets } from "./components/secret-schema";

/** `ComponentProvider` whose schema marks llmd's secret inputs and outputs `secret: true`. */
class LlmdComponentProvider extends ComponentProvider {
    private marked?: string;

    /** The analyzer's schema with secrets marked; computed once, as the SDK caches its own. */
    async getSchema(): Promise<string> {
        this.marked ??= JSON.stringify(markSecrets(JSON.parse(await super.getSchema())));
        return this.marked;
    }
}

// Named after package.json, as the SDK's own host names it; the arguments are the engine's address.
const provider = new LlmdComponentProvider({ name: "llmd", dirname: packageRoot(), components: getPulumiComponents(require("./index")) });
main(provider, process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
