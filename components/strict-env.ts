/**
 * Environment variables a user adds to model servers. Names follow the API server's `IsEnvVarName` (letters,
 * digits, `_`, `-`, `.`, not starting with a digit), and a literal value under a credential-looking name is
 * refused: env is rendered into the Deployment in clear (and kept in state and plan output), so tokens go
 * through `hfToken` (a Pulumi secret, stored as a Kubernetes Secret) or `hfTokenSecretName` instead.
 */
import { LlmdConfigError } from "./errors";

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
// Credential words as whole `_`-separated parts: `HF_TOKEN`, `OPENAI_API_KEY`, `DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`,
// but not `TOKENIZERS_PARALLELISM` or `VLLM_MAX_TOKENS`, which vLLM users set routinely.
const SECRET_NAME = /(^|_)(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)(_|$)/i;

/** Whether an env var of this name would carry a credential. */
export function isSecretEnvName(name: string): boolean {
    return SECRET_NAME.test(name);
}

/** Checks one entry `name: value` of the env map at `field`. */
export function checkEnv(field: string, name: string, value: unknown): void {
    if (!ENV_NAME.test(name)) {
        throw new LlmdConfigError(field, name, "expected environment variable names of letters, digits, '_', '-' or '.', not starting with a digit (as the API server checks)");
    }
    if (isSecretEnvName(name) && value !== undefined && value !== null && value !== "") {
        const err = new LlmdConfigError(`${field}.${name}`, undefined, "");
        err.message =
            `${field}.${name}: got a literal credential (not shown); expected no secrets in env, which is rendered in clear into ` +
            "the pod spec, the Pulumi state and plan output: pass the Hugging Face token as hfToken (a Pulumi secret) " +
            "or name an existing Secret with hfTokenSecretName";
        throw err;
    }
    if (typeof value !== "string") {
        throw new LlmdConfigError(`${field}.${name}`, value, "expected a string (quote numbers and booleans in YAML)");
    }
}
