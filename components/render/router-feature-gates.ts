/**
 * Feature gates of the router's `EndpointPickerConfig`. Autoscaling on the router's flow-control metrics
 * needs the `flowControl` gate on (llm-d v0.9 `guides/workload-autoscaling/keda-epp-queue/.../router.values.yaml`);
 * llm-d-router v0.10.0 reads gates as `name` or `name=<bool>` (pkg/epp/config/loader `loadFeatureConfig`). Pure.
 */
import { parseDocument } from "yaml";
import { EndpointPickerConfig } from "./router-config";

/** The router's flow-control gate (`pkg/epp/flowcontrol` `FeatureGate`). */
export const FLOW_CONTROL_GATE = "flowControl";

/** `gates` with `gate` turned on: any `gate=<bool>` entry replaced, order otherwise kept. */
function enable(gates: readonly string[], gate: string): string[] {
    const others = gates.filter((g) => g.split("=")[0].trim() !== gate);
    return [...others, gate];
}

/** The config with the `flowControl` gate on (a new object; the input is not changed). */
export function withFlowControl(config: EndpointPickerConfig): EndpointPickerConfig {
    return { ...config, featureGates: enable(config.featureGates ?? [], FLOW_CONTROL_GATE) };
}

/**
 * The same for the config file text the router reads (rendered or the user's own), keeping its comments.
 * Text that is not a YAML mapping is returned unchanged: `validateRouterConfigText` reports it.
 */
export function withFlowControlText(text: string): string {
    const doc = parseDocument(text);
    const gates = doc.get("featureGates");
    const current = gates === undefined ? [] : (doc.toJS().featureGates as unknown);
    if (!doc.contents || typeof doc.toJS() !== "object" || !Array.isArray(current)) {
        return text;
    }
    doc.set("featureGates", enable(current.map(String), FLOW_CONTROL_GATE));
    return doc.toString();
}
