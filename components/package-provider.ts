/**
 * The component provider other languages talk to (through `pulumi package add`): the SDK's source-based
 * `ComponentProvider`, with the schema it serves post-processed to mark secret properties (see secret-schema.ts).
 */
import { main } from "@pulumi/pulumi/provider";
import { ComponentProvider, ComponentProviderOptions, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { packageRoot } from "./package-root";
import { markSecrets } from "./secret-schema";

/** `ComponentProvider` whose schema marks llmd's secret inputs and outputs `secret: true`. */
export class LlmdComponentProvider extends ComponentProvider {
    private marked?: string;

    constructor(options: ComponentProviderOptions) {
        super(options);
    }

    /** The analyzer's schema with secrets marked; computed once, as the SDK caches its own. */
    async getSchema(): Promise<string> {
        this.marked ??= JSON.stringify(markSecrets(JSON.parse(await super.getSchema())));
        return this.marked;
    }
}

/** The provider for this package's exported components, named after package.json like the SDK's host does. */
export function llmdComponentProvider(): LlmdComponentProvider {
    return new LlmdComponentProvider({ name: "llmd", dirname: packageRoot(), components: getPulumiComponents(require("../index")) });
}

/** Serves the package to the Pulumi engine; `args` are the plugin's command-line arguments (the engine address). */
export function serveLlmdPackage(args: string[]): Promise<void> {
    return main(llmdComponentProvider(), args);
}
