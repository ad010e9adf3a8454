/**
 * How KV-cache events travel from the model servers to the router in the precise prefix-cache preset.
 * Pure.
 *
 * llm-d's guide (v0.9.0 guides/precise-prefix-cache-routing, modelserver/gpu/vllm/base/patch-vllm.yaml and
 * router/precise-prefix-cache-routing.values.yaml) has each vLLM bind its publisher on its own pod
 * (`tcp://*:5556`, replay `tcp://*:5559`) and the router discover the pool's pods and dial them, so no
 * publisher is tied to one router pod. The inference simulator can only connect (llm-d-inference-sim
 * v0.10.2 dials `--zmq-endpoint`), so on the simulator the router binds one socket on its Service instead.
 */
import { ModelServerKvEventsArgs } from "./model-server-types";
import { kvEventsEndpoint } from "./router";

/** True when the router must bind the central KV-events socket: the preset publishes events from the simulator. */
export function routerListensForKvEvents(kvEvents: boolean, simulate: boolean): boolean {
    return kvEvents && simulate;
}

/** The model servers' KV-events settings for a preset: none, pod-bound (vLLM), or connecting to the router (simulator). */
export function presetKvEvents(kvEvents: boolean, simulate: boolean, router: { name: string; namespace: string }): ModelServerKvEventsArgs | undefined {
    if (!kvEvents) {
        return undefined;
    }
    return routerListensForKvEvents(kvEvents, simulate) ? { enabled: true, endpoint: kvEventsEndpoint(router) } : { enabled: true };
}
