/**
 * RDMA networking for GKE A3 Ultra (H200) and A4 (B200) pools, pure: the extra VPCs the nodes' NICs attach
 * to and the Kubernetes `Network` / `GKENetworkParamSet` objects pods name in their
 * `networking.gke.io/interfaces` annotation. No Pulumi imports.
 *
 * The layout follows Google's "custom AI-optimized GKE cluster" recipe and llm-d's GKE guide: besides the
 * cluster's own VPC (eth0) each node has a second gVNIC on its own VPC (`gvnic-1`, eth1 in pods) and eight
 * ConnectX-7 NICs on one RoCE VPC with eight subnets (`rdma-0`..`rdma-7`, eth2.. in pods). The RoCE VPC is
 * created with the zonal `<zone>-vpc-roce` network profile, so every RDMA pool of a cluster lives in that one
 * zone. The Kubernetes network names come from the catalog (`MachineNetwork.gkeNetworks`), the same list the
 * model servers' pod annotations use.
 */
import { ACCELERATORS, MachineNetwork } from "../components/catalog/accelerators";
import { LlmdConfigError } from "../components/errors";
import { AcceleratorPool } from "../components/pool";
import { K8sObject } from "../components/render/types";

/** Where the extra VPCs of RDMA pools come from. All optional; used only when a pool has RDMA. */
export interface GkeRdmaNetworkArgs {
    /**
     * Prefix of the VPC, subnet and firewall names llmd creates (`<prefix>-gvnic-net`, `<prefix>-rdma-net`,
     * `<prefix>-rdma-sub-<i>`); they must be unique in the project. Default: the cluster name, or the
     * component name.
     */
    namePrefix?: string;
    /** CIDR of the subnet of the second gVNIC (one address per node). Default `192.168.0.0/22`. */
    gvnicSubnetCidr?: string;
    /**
     * CIDRs of the RoCE subnets, one per RDMA NIC in NIC order (eight on A3 Ultra / A4). Default
     * `192.168.64.0/22`, `192.168.68.0/22`, ... `192.168.92.0/22`.
     */
    rdmaSubnetCidrs?: string[];
}

/** Name of the Kubernetes network for the second gVNIC, as in Google's and llm-d's manifests. */
export const GKE_GVNIC_NETWORK = "gvnic-1";
/** MTU of the RoCE VPC (the network profile's maximum, which Google recommends) and of the gVNIC VPC. */
export const GKE_RDMA_MTU = 8896;
export const GKE_GVNIC_MTU = 8244;

const PREFIX = /^[a-z]([-a-z0-9]{0,46}[a-z0-9])?$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Everything the RDMA networks of one cluster are made of. */
export interface GkeRdmaNetworkPlan {
    project: string;
    region: string;
    /** The one zone of every RDMA pool, and of the RoCE network profile. */
    zone: string;
    /** `projects/<project>/global/networkProfiles/<zone>-vpc-roce`. */
    networkProfile: string;
    gvnic: { network: string; subnet: string; cidr: string; firewall: string };
    rdma: { network: string; subnets: Array<{ name: string; cidr: string; k8sNetwork: string }> };
}

function requireCidr(field: string, value: unknown): string {
    const m = typeof value === "string" ? CIDR.exec(value) : null;
    if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) < 8 || Number(m[5]) > 29) {
        throw new LlmdConfigError(field, value, 'expected an IPv4 CIDR from /8 to /29, such as "192.168.64.0/22"');
    }
    return value as string;
}

function gcePrefix(name: string): string {
    const cleaned = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+/, "").slice(0, 48).replace(/-+$/, "");
    return cleaned === "" ? "llmd" : cleaned;
}

/** The RDMA facts of a pool's machine type (A3 Ultra / A4), or undefined. */
export function gkeRdmaFacts(pool: AcceleratorPool): MachineNetwork | undefined {
    const offer = (ACCELERATORS[pool.accelerator].offers.gke ?? []).find((o) => o.machineType === pool.machineType);
    return offer?.network?.attachment === "gke-multi-network" ? offer.network : undefined;
}

/**
 * Validates `rdmaNetwork` (at `field`) and plans the VPCs for the RDMA pools, or returns undefined when no
 * pool has RDMA. `zone` is the RDMA pools' common zone (the caller checked they share one); `defaultPrefix`
 * names the resources when the user gives no prefix.
 */
export function resolveGkeRdmaNetwork(
    field: string,
    args: GkeRdmaNetworkArgs | undefined,
    ctx: { project: string; region: string; zone: string | undefined; defaultPrefix: string; nics: number; k8sNetworks: string[] },
): GkeRdmaNetworkPlan | undefined {
    if (args !== undefined && (typeof args !== "object" || args === null || Array.isArray(args))) {
        throw new LlmdConfigError(field, args, "expected an object such as { namePrefix: \"llm\" }");
    }
    if (ctx.zone === undefined) {
        return undefined;
    }
    const a = args ?? {};
    const prefix = a.namePrefix ?? gcePrefix(ctx.defaultPrefix);
    if (typeof prefix !== "string" || !PREFIX.test(prefix)) {
        throw new LlmdConfigError(`${field}.namePrefix`, prefix, "expected a lowercase letter, then letters, digits or '-', at most 48 characters");
    }
    const gvnicCidr = requireCidr(`${field}.gvnicSubnetCidr`, a.gvnicSubnetCidr ?? "192.168.0.0/22");
    let rdmaCidrs: string[];
    if (a.rdmaSubnetCidrs === undefined) {
        rdmaCidrs = Array.from({ length: ctx.nics }, (_, i) => `192.168.${64 + 4 * i}.0/22`);
    } else {
        if (!Array.isArray(a.rdmaSubnetCidrs) || a.rdmaSubnetCidrs.length !== ctx.nics) {
            throw new LlmdConfigError(`${field}.rdmaSubnetCidrs`, a.rdmaSubnetCidrs, `expected ${ctx.nics} CIDRs, one per RDMA NIC`);
        }
        rdmaCidrs = a.rdmaSubnetCidrs.map((c, i) => requireCidr(`${field}.rdmaSubnetCidrs[${i}]`, c));
    }
    const all = [gvnicCidr, ...rdmaCidrs];
    if (new Set(all).size !== all.length) {
        throw new LlmdConfigError(`${field}.rdmaSubnetCidrs`, rdmaCidrs, "expected CIDRs distinct from each other and from gvnicSubnetCidr");
    }
    return {
        project: ctx.project,
        region: ctx.region,
        zone: ctx.zone,
        networkProfile: `projects/${ctx.project}/global/networkProfiles/${ctx.zone}-vpc-roce`,
        gvnic: { network: `${prefix}-gvnic-net`, subnet: `${prefix}-gvnic-sub`, cidr: gvnicCidr, firewall: `${prefix}-gvnic-internal` },
        rdma: {
            network: `${prefix}-rdma-net`,
            subnets: rdmaCidrs.map((cidr, i) => ({ name: `${prefix}-rdma-sub-${i}`, cidr, k8sNetwork: ctx.k8sNetworks[i] })),
        },
    };
}

function networkPair(name: string, vpc: string, subnet: string, deviceMode: "NetDevice" | "RDMA"): K8sObject[] {
    return [
        {
            apiVersion: "networking.gke.io/v1",
            kind: "GKENetworkParamSet",
            metadata: { name },
            spec: { vpc, vpcSubnet: subnet, deviceMode },
        },
        {
            apiVersion: "networking.gke.io/v1",
            kind: "Network",
            metadata: { name },
            spec: { type: "Device", parametersRef: { group: "networking.gke.io", kind: "GKENetworkParamSet", name } },
        },
    ];
}

/**
 * The cluster-scoped `GKENetworkParamSet` + `Network` pairs: `gvnic-1` (NetDevice) and one RDMA network per
 * RoCE subnet. GKE's admission rejects pods that name a network that does not exist.
 */
export function renderGkeRdmaNetworkObjects(plan: GkeRdmaNetworkPlan): K8sObject[] {
    return [
        ...networkPair(GKE_GVNIC_NETWORK, plan.gvnic.network, plan.gvnic.subnet, "NetDevice"),
        ...plan.rdma.subnets.flatMap((s) => networkPair(s.k8sNetwork, plan.rdma.network, s.name, "RDMA")),
    ];
}
