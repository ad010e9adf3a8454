import { LlmdConfigError } from "../errors";
import { ACCELERATORS, Accelerator, CloudProvider, MachineOffer, acceleratorSpec, tpuChips } from "./accelerators";

/** Accelerators a cloud provider sells at all. */
export function acceleratorsOfferedBy(provider: CloudProvider): Accelerator[] {
    return Object.values(ACCELERATORS)
        .filter((spec) => (spec.offers[provider] ?? []).length > 0)
        .map((spec) => spec.id);
}

/**
 * Picks the machine size for an accelerator pool. `machineType` wins when given; otherwise the size with
 * `acceleratorsPerNode` accelerators (default: the largest size, which is what multi-GPU serving wants).
 * Throws naming the field when the provider does not sell the accelerator or that size.
 */
export function resolveOffer(
    provider: CloudProvider,
    field: string,
    accelerator: unknown,
    request: { machineType?: string; acceleratorsPerNode?: number },
): MachineOffer & { accelerator: Accelerator } {
    const spec = acceleratorSpec(`${field}.accelerator`, accelerator);
    const offers = spec.offers[provider] ?? [];
    if (offers.length === 0) {
        throw new LlmdConfigError(
            `${field}.accelerator`,
            spec.id,
            `${provider} offers no ${spec.displayName}; accelerators on ${provider}: ${acceleratorsOfferedBy(provider).join(", ")}`,
        );
    }
    if (request.machineType !== undefined) {
        const offer = offers.find((o) => o.machineType === request.machineType);
        if (!offer) {
            throw new LlmdConfigError(
                `${field}.machineType`,
                request.machineType,
                `${spec.displayName} on ${provider} comes in ${offers.map((o) => o.machineType).join(", ")}`,
            );
        }
        return { ...offer, accelerator: spec.id };
    }
    if (request.acceleratorsPerNode !== undefined) {
        const offer = offers.find((o) => o.acceleratorsPerNode === request.acceleratorsPerNode);
        if (!offer) {
            throw new LlmdConfigError(
                `${field}.acceleratorsPerNode`,
                request.acceleratorsPerNode,
                `${spec.displayName} on ${provider} comes with ${[...new Set(offers.map((o) => o.acceleratorsPerNode))].join(", ")} per node`,
            );
        }
        return { ...offer, accelerator: spec.id };
    }
    const largest = offers.reduce((a, b) => (b.acceleratorsPerNode > a.acceleratorsPerNode ? b : a));
    return { ...largest, accelerator: spec.id };
}

/**
 * Checks a TPU slice topology against the machine type and returns the number of hosts (nodes) in the slice.
 */
export function tpuSliceHosts(field: string, offer: MachineOffer, topology: string): number {
    if (!offer.tpuTopologies?.includes(topology)) {
        throw new LlmdConfigError(
            field,
            topology,
            `${offer.machineType} serves TPU topologies ${(offer.tpuTopologies ?? []).join(", ") || "(none: not a TPU machine type)"}`,
        );
    }
    return Math.max(1, tpuChips(topology) / offer.acceleratorsPerNode);
}
