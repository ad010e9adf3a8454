/**
 * Plugin entry point (`main` in PulumiPlugin.yaml): serves the components to other languages with the secret
 * properties marked in the schema. Not the library entry (index.ts), which must not start a server on import.
 */
import { serveLlmdPackage } from "./components/package-provider";

serveLlmdPackage(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
