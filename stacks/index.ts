/**
 * Entry point for `pulumi up -s <stack>` (Pulumi.yaml `main`). Pulumi calls the exported function and
 * turns its result into the stack's outputs.
 */
import { runProgram } from "./program";

export = runProgram;
