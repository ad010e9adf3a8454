import * as assert from "assert";
import { GRAFANA_DASHBOARD_LABEL, renderDashboards } from "../../components/render/dashboards";
import { ModelMetricsScope } from "../../components/render/monitoring-scope";

const qwen: ModelMetricsScope = { release: "qwen", namespace: "llm-d", poolName: "qwen-pool", servedModelName: "Qwen/Qwen3-0.6B", pd: false };
const pd: ModelMetricsScope = { ...qwen, release: "qwen-pd", pd: true };

/**
 * The structure Grafana needs to load a dashboard from the sidecar's file: a JSON object with a uid of at most
 * 40 characters, a title, panels with unique ids and a grid position, Prometheus targets with an expression
 * and a refId unique in the panel, and a data source that resolves (here the `datasource` variable).
 */
function structuralErrors(json: string): string[] {
    const errors: string[] = [];
    const d = JSON.parse(json);
    if (typeof d !== "object" || d === null || Array.isArray(d)) {
        return ["not a JSON object"];
    }
    if (typeof d.uid !== "string" || d.uid.length === 0 || d.uid.length > 40 || !/^[a-zA-Z0-9_-]+$/.test(d.uid)) errors.push(`bad uid ${d.uid}`);
    if (typeof d.title !== "string" || d.title === "") errors.push("no title");
    if (!Number.isInteger(d.schemaVersion)) errors.push("no schemaVersion");
    const variables = new Set((d.templating?.list ?? []).map((v: any) => v.type === "datasource" && v.query === "prometheus" && v.name));
    if (!Array.isArray(d.panels) || d.panels.length === 0) {
        return [...errors, "no panels"];
    }
    const ids = new Set<number>();
    for (const p of d.panels) {
        const at = `panel ${p.id} "${p.title}"`;
        if (!Number.isInteger(p.id) || ids.has(p.id)) errors.push(`${at}: id missing or repeated`);
        ids.add(p.id);
        if (typeof p.type !== "string" || typeof p.title !== "string" || p.title === "") errors.push(`${at}: type or title missing`);
        const g = p.gridPos;
        if (!g || ![g.x, g.y, g.w, g.h].every(Number.isInteger) || g.x + g.w > 24) errors.push(`${at}: bad gridPos`);
        const ds = p.datasource;
        const dsVar = typeof ds?.uid === "string" ? /^\$\{(\w+)\}$/.exec(ds.uid)?.[1] : undefined;
        if (ds?.type !== "prometheus" || !dsVar || !variables.has(dsVar)) errors.push(`${at}: data source does not resolve to a prometheus variable`);
        if (!Array.isArray(p.targets) || p.targets.length === 0) {
            errors.push(`${at}: no targets`);
            continue;
        }
        const refIds = new Set<string>();
        for (const t of p.targets) {
            if (typeof t.expr !== "string" || t.expr.trim() === "") errors.push(`${at}: target without expr`);
            if (typeof t.refId !== "string" || refIds.has(t.refId)) errors.push(`${at}: refId missing or repeated`);
            refIds.add(t.refId);
            if (JSON.stringify(t.datasource) !== JSON.stringify(ds)) errors.push(`${at}: target data source differs from the panel's`);
        }
    }
    return errors;
}

function configMaps(scope: ModelMetricsScope) {
    return renderDashboards(scope);
}

describe("Grafana dashboards", () => {
    for (const scope of [qwen, pd]) {
        it(`${scope.release}: each ConfigMap holds one structurally valid dashboard, labelled for the sidecar`, () => {
            const maps = configMaps(scope);
            assert.strictEqual(maps.length, scope.pd ? 4 : 3);
            for (const cm of maps) {
                assert.deepStrictEqual({ ...cm.metadata.labels, ...GRAFANA_DASHBOARD_LABEL }, cm.metadata.labels);
                const data = cm.data as Record<string, string>;
                assert.strictEqual(Object.keys(data).length, 1);
                const [key, json] = Object.entries(data)[0];
                assert.match(key, /\.json$/);
                assert.deepStrictEqual(structuralErrors(json), [], `${cm.metadata.name}`);
                // JSON-serialisable without loss: a round trip gives the same text.
                assert.strictEqual(JSON.stringify(JSON.parse(json)), json);
            }
        });
    }

    it("two models never share a dashboard uid, ConfigMap name or sidecar file name", () => {
        const other = { ...qwen, release: "llama" };
        const sameNameOtherNamespace = { ...qwen, namespace: "team-b" };
        const all = [qwen, other, sameNameOtherNamespace].flatMap(configMaps);
        const uids = all.map((cm) => JSON.parse(Object.values(cm.data as Record<string, string>)[0]).uid);
        const files = all.map((cm) => Object.keys(cm.data as Record<string, string>)[0]);
        const names = all.map((cm) => `${cm.metadata.namespace}/${cm.metadata.name}`);
        for (const list of [uids, files, names]) {
            assert.strictEqual(new Set(list).size, list.length, list.join(", "));
        }
    });

    it("the structural check rejects repeated panel ids, a missing expr and an unresolved data source", () => {
        const json = Object.values(configMaps(qwen)[0].data as Record<string, string>)[0];
        const d = JSON.parse(json);
        d.panels[1].id = d.panels[0].id;
        delete d.panels[2].targets[0].expr;
        d.panels[3].datasource = { type: "prometheus", uid: "${nope}" };
        const errors = structuralErrors(JSON.stringify(d)).join("\n");
        assert.match(errors, /panel 1 .*id missing or repeated/);
        assert.match(errors, /panel 3 .*target without expr/);
        assert.match(errors, /panel 4 .*does not resolve/);
        assert.deepStrictEqual(structuralErrors(json), []);
    });
});
