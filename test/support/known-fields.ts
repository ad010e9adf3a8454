/**
 * Unknown-field check for built-in Kubernetes kinds.
 *
 * kubernetes-models' compiled validators check types, enums and required fields but accept any extra
 * field (their schemas have no `additionalProperties: false`), and the API server would silently drop such
 * a field (or reject it under strict field validation). So a typo like `spec.replica` would pass. The
 * package's `.d.ts` files, however, list every field of every type, one interface per file, in a regular
 * generated form; this module parses them with the TypeScript parser (no type checking, so it is cheap)
 * and walks an object against them.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/** What a value at some path may look like, as far as field names go. */
type Shape =
    | { kind: "object"; file: DtsFile; members: Map<string, ts.TypeNode> }
    | { kind: "array"; item: Shape }
    | { kind: "map"; value: Shape }
    | { kind: "union"; members: Shape[] }
    | { kind: "open" };

interface DtsFile {
    file: string;
    interfaces: Map<string, ts.InterfaceDeclaration>;
    aliases: Map<string, ts.TypeAliasDeclaration>;
    /** `export { Local as Exported }` */
    exportedAs: Map<string, string>;
    /** local import name -> [module specifier, imported name] */
    imports: Map<string, [string, string]>;
}

const OPEN: Shape = { kind: "open" };
const files = new Map<string, DtsFile>();
const shapes = new Map<string, Shape>();

function load(file: string): DtsFile {
    let dts = files.get(file);
    if (dts !== undefined) {
        return dts;
    }
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false);
    dts = { file, interfaces: new Map(), aliases: new Map(), exportedAs: new Map(), imports: new Map() };
    for (const stmt of source.statements) {
        if (ts.isInterfaceDeclaration(stmt)) {
            dts.interfaces.set(stmt.name.text, stmt);
        } else if (ts.isTypeAliasDeclaration(stmt)) {
            dts.aliases.set(stmt.name.text, stmt);
        } else if (ts.isExportDeclaration(stmt) && stmt.exportClause && ts.isNamedExports(stmt.exportClause)) {
            for (const el of stmt.exportClause.elements) {
                dts.exportedAs.set(el.name.text, (el.propertyName ?? el.name).text);
            }
        } else if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier)) {
            const bindings = stmt.importClause?.namedBindings;
            if (bindings && ts.isNamedImports(bindings)) {
                for (const el of bindings.elements) {
                    dts.imports.set(el.name.text, [stmt.moduleSpecifier.text, (el.propertyName ?? el.name).text]);
                }
            }
        }
    }
    files.set(file, dts);
    return dts;
}

function resolveModule(from: string, spec: string): string | undefined {
    if (spec.startsWith(".")) {
        return path.resolve(path.dirname(from), `${spec}.d.ts`);
    }
    if (spec === "@kubernetes-models/base") {
        return undefined; // TypeMeta/Model: nothing to walk into
    }
    try {
        return require.resolve(spec, { paths: [path.dirname(from)] }).replace(/\.js$/, ".d.ts");
    } catch {
        return undefined;
    }
}

/** The shape of the type a file calls `name`, following aliases, re-exports and imports. */
function lookup(dts: DtsFile, name: string): Shape {
    const key = `${dts.file}#${name}`;
    const cached = shapes.get(key);
    if (cached !== undefined) {
        return cached;
    }
    // Members are resolved lazily (during the walk), so only alias chains recurse here; the placeholder
    // stops a cyclic alias chain should one ever appear.
    shapes.set(key, OPEN);
    let shape: Shape = OPEN;
    const iface = dts.interfaces.get(name);
    const alias = dts.aliases.get(name);
    const imported = dts.imports.get(name);
    const local = dts.exportedAs.get(name);
    if (iface !== undefined) {
        const members = new Map<string, ts.TypeNode>();
        for (const m of iface.members) {
            if (ts.isPropertySignature(m) && m.type && (ts.isStringLiteral(m.name) || ts.isIdentifier(m.name))) {
                members.set(m.name.text, m.type);
            }
        }
        // Empty interfaces (RawExtension, FieldsV1, JSON, JSONSchemaPropsOrBool) stand for free-form data.
        shape = members.size === 0 ? OPEN : { kind: "object", file: dts, members };
    } else if (alias !== undefined) {
        shape = shapeOf(dts, alias.type);
    } else if (local !== undefined && local !== name) {
        shape = lookup(dts, local);
    } else if (imported !== undefined) {
        const target = resolveModule(dts.file, imported[0]);
        shape = target !== undefined && fs.existsSync(target) ? lookup(load(target), imported[1]) : OPEN;
    }
    shapes.set(key, shape);
    return shape;
}

function shapeOf(dts: DtsFile, node: ts.TypeNode): Shape {
    if (ts.isParenthesizedTypeNode(node)) {
        return shapeOf(dts, node.type);
    }
    if (ts.isArrayTypeNode(node)) {
        return { kind: "array", item: shapeOf(dts, node.elementType) };
    }
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
        if (node.typeName.text === "Array" && node.typeArguments?.length === 1) {
            return { kind: "array", item: shapeOf(dts, node.typeArguments[0]) };
        }
        return lookup(dts, node.typeName.text);
    }
    if (ts.isTypeLiteralNode(node)) {
        const index = node.members.find(ts.isIndexSignatureDeclaration);
        if (index !== undefined) {
            return { kind: "map", value: shapeOf(dts, index.type) };
        }
        const members = new Map<string, ts.TypeNode>();
        for (const m of node.members) {
            if (ts.isPropertySignature(m) && m.type && (ts.isStringLiteral(m.name) || ts.isIdentifier(m.name))) {
                members.set(m.name.text, m.type);
            }
        }
        return members.size === 0 ? OPEN : { kind: "object", file: dts, members };
    }
    if (ts.isUnionTypeNode(node)) {
        const members = node.types.map((t) => shapeOf(dts, t)).filter((s) => s.kind !== "open");
        return members.length === 0 ? OPEN : members.length === 1 ? members[0] : { kind: "union", members };
    }
    return OPEN; // keywords and literals: the type check is kubernetes-models' job
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function walk(value: unknown, shape: Shape, at: string, errors: string[]): void {
    switch (shape.kind) {
        case "object":
            if (!isPlainObject(value)) {
                return;
            }
            for (const [field, child] of Object.entries(value)) {
                const type = shape.members.get(field);
                if (type === undefined) {
                    errors.push(`${at || "/"}: unknown field "${field}"`);
                } else {
                    walk(child, shapeOf(shape.file, type), `${at}/${field}`, errors);
                }
            }
            return;
        case "array":
            if (Array.isArray(value)) {
                value.forEach((item, i) => walk(item, shape.item, `${at}/${i}`, errors));
            }
            return;
        case "map":
            if (isPlainObject(value)) {
                for (const [k, v] of Object.entries(value)) {
                    walk(v, shape.value, `${at}/${k}`, errors);
                }
            }
            return;
        case "union": {
            // Field names only: accept the first member that reports nothing.
            let best: string[] | undefined;
            for (const member of shape.members) {
                const errs: string[] = [];
                walk(value, member, at, errs);
                if (errs.length === 0) {
                    return;
                }
                best = best === undefined || errs.length < best.length ? errs : best;
            }
            errors.push(...(best ?? []));
            return;
        }
        case "open":
            return;
    }
}

/**
 * Unknown fields of `obj` (a built-in kind) as "path: unknown field" messages. `modelFile` is the resolved
 * `.js` of the kubernetes-models class (e.g. `.../apps/v1/Deployment.js`); the interface is `I<Kind>`.
 */
export function unknownFields(obj: Record<string, unknown>, modelFile: string, kind: string): string[] {
    const dts = load(modelFile.replace(/\.js$/, ".d.ts"));
    const root = lookup(dts, `I${kind}`);
    if (root.kind !== "object") {
        return [`cannot read the field list of ${kind} from ${dts.file}`];
    }
    const errors: string[] = [];
    walk(obj, root, "", errors);
    return errors;
}
