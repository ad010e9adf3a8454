/**
 * The SDK's analyzer derives the multi-language schema from the TypeScript source but has no way to say that a
 * property is secret, so generated Python/Go/.NET SDKs and `pulumi preview` would treat a Hugging Face token or
 * an SSH key as plain text until the component wraps it. This is the one declared list of secret properties,
 * and the pure step that marks them `secret: true` in the schema the package serves.
 */

/** Secret properties by owner: a component's `inputs` and `outputs`, or a nested args type's `properties`. */
export interface SecretProperties {
    /** Input properties of a component. */
    inputs?: readonly string[];
    /** Output properties of a component. */
    outputs?: readonly string[];
    /** Properties of a nested args type (an object type in the schema's `types`). */
    properties?: readonly string[];
}

/**
 * Everything secret in the schema, keyed by the component or type name under `llmd:index:`. Names that only
 * look secret are not listed: `hfTokenSecretName`, `amdDriverImageRegistrySecretName`, the Gateway's
 * `apiKeys.secretName` and `tls.certificateSecretName` name a Secret (`apiKeys` is the object holding that name),
 * `tokenizerModel` is a model id, `topologyKey` and a taint's `key` are label keys, `kubeconfigAuth`,
 * `kubeconfigExpireSeconds` and `kubeconfigExpiresAt` are settings and a time.
 */
export const SECRET_PROPERTIES: Readonly<Record<string, SecretProperties>> = {
    LlmdModel: { inputs: ["hfToken"] },
    LlmdDeployment: { inputs: ["hfToken"] },
    ModelServer: { inputs: ["hfToken"] },
    RouterHostConnection: { properties: ["privateKey"] },
    ExistingCluster: { inputs: ["kubeconfig"], outputs: ["kubeconfig"] },
    GkeCluster: { outputs: ["kubeconfig"] },
    AksCluster: { outputs: ["kubeconfig"] },
    DoksCluster: { outputs: ["kubeconfig"] },
};

/** The parts of a package schema `markSecrets` reads and writes. */
export interface PackageSchemaDoc {
    name: string;
    resources: Record<string, { inputProperties?: Record<string, Record<string, unknown>>; properties?: Record<string, Record<string, unknown>> }>;
    types?: Record<string, { properties?: Record<string, Record<string, unknown>> }>;
}

/**
 * Returns a copy of `schema` with `secret: true` on every property in `secrets`. Throws when a listed property
 * is missing, so a renamed field cannot silently drop out of the list.
 */
export function markSecrets<S extends PackageSchemaDoc>(schema: S, secrets: Readonly<Record<string, SecretProperties>> = SECRET_PROPERTIES): S {
    const marked = JSON.parse(JSON.stringify(schema)) as S;
    const mark = (where: Record<string, Record<string, unknown>> | undefined, owner: string, names: readonly string[] = []) => {
        for (const name of names) {
            if (where?.[name] === undefined) {
                throw new Error(`secret-schema: ${owner} has no property ${name}`);
            }
            where[name].secret = true;
        }
    };
    for (const [owner, props] of Object.entries(secrets)) {
        const token = `${schema.name}:index:${owner}`;
        const resource = marked.resources[token];
        const type = marked.types?.[token];
        if (resource === undefined && type === undefined) {
            throw new Error(`secret-schema: no component or type ${token}`);
        }
        mark(resource?.inputProperties, `${token} inputs`, props.inputs);
        mark(resource?.properties, `${token} outputs`, props.outputs);
        mark(type?.properties, token, props.properties);
    }
    return marked;
}
