import { COMPONENTS, ObjectShape, TYPES } from "../../components/shapes";

/** The parts of a multi-language schema property that decide its kind. */
interface SchemaProperty {
    type?: string;
    $ref?: string;
    items?: SchemaProperty;
    additionalProperties?: SchemaProperty;
}

/** The parts of a `ComponentProvider.getSchema()` document the comparison reads. */
export interface ShapeSchema {
    resources: Record<string, { inputProperties: Record<string, SchemaProperty> }>;
    types: Record<string, { type?: string; properties?: Record<string, SchemaProperty> }>;
}

const TYPE_PREFIX = "#/types/llmd:index:";

function schemaKind(schema: ShapeSchema, p: SchemaProperty): string {
    if (p.$ref?.startsWith(TYPE_PREFIX)) {
        const name = p.$ref.slice(TYPE_PREFIX.length);
        return schema.types[`llmd:index:${name}`]?.type === "string" ? "string" : name; // enums are strings
    }
    if (p.$ref !== undefined) {
        return p.$ref.includes("/kubernetes/") ? "resource" : `unknown ${p.$ref}`;
    }
    if (p.type === "array" && p.items) {
        return `${schemaKind(schema, p.items)}[]`;
    }
    if (p.type === "object" && p.additionalProperties) {
        return p.additionalProperties.$ref === "pulumi.json#/Any" ? "any" : "map";
    }
    return p.type ?? "unknown";
}

// A declared kind adds checks to the schema's; this is the schema kind it must refine.
function family(kind: string): string {
    if (kind.endsWith("[]")) {
        return `${family(kind.slice(0, -2))}[]`;
    }
    if (["int", "signed"].includes(kind)) return "number";
    if (["image", "namespace", "ownNamespace", "effect", "podSecurityLevel", "quantity", "qualifiedName", "labelValue"].includes(kind)) return "string";
    if (["labels", "env"].includes(kind)) return "map";
    return kind;
}

function compare(owner: string, declared: ObjectShape | undefined, properties: Record<string, SchemaProperty>, schema: ShapeSchema, out: string[]): void {
    if (declared === undefined) {
        out.push(`${owner}: no shape declared in components/shapes.ts`);
        return;
    }
    for (const [key, p] of Object.entries(properties)) {
        const expected = schemaKind(schema, p);
        if (!(key in declared)) out.push(`${owner}.${key}: missing (schema: ${expected})`);
        else if (family(declared[key]) !== expected) out.push(`${owner}.${key}: declared ${declared[key]}, schema says ${expected}`);
    }
    for (const key of Object.keys(declared)) {
        if (!(key in properties)) out.push(`${owner}.${key}: declared but not an input in the schema`);
    }
}

/** Every difference between the declared shapes and the schema's inputs, as readable lines (none when in sync). */
export function shapeDrift(schema: ShapeSchema): string[] {
    const out: string[] = [];
    for (const [token, resource] of Object.entries(schema.resources)) {
        const name = token.split(":")[2];
        compare(name, COMPONENTS[name], resource.inputProperties, schema, out);
    }
    const objectTypes = Object.entries(schema.types).filter(([, t]) => t.type === "object");
    for (const [token, type] of objectTypes) {
        const name = token.split(":")[2];
        compare(name, TYPES[name], type.properties ?? {}, schema, out);
    }
    const known = new Set(objectTypes.map(([token]) => token.split(":")[2]));
    out.push(...Object.keys(TYPES).filter((name) => !known.has(name)).map((name) => `${name}: declared but not a type in the schema`));
    out.push(...Object.keys(COMPONENTS).filter((name) => !(`llmd:index:${name}` in schema.resources)).map((name) => `${name}: declared but not a component in the schema`));
    return out;
}
