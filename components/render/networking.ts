/**
 * The network side of a model server: which fabric its pods use to reach pods on other nodes (P/D KV
 * transfer over NIXL/UCX, multi-node collectives over NCCL/RCCL/NVSHMEM), and what the pod needs for it:
 * RDMA device resources, capabilities, environment with explicit devices, and provider annotations (GKE
 * multi-networking, Multus). Pure; the catalog supplies the facts, this file the decisions.
 *
 * The rules, from llm-d's infrastructure docs and its known user pain (an unset UCX device silently falls
 * back or picks the wrong NIC and P/D returns wrong tokens):
 * - Traffic between nodes on a pool with no RDMA fabric is an error unless the user accepts TCP.
 * - On an RDMA pool the devices are always explicit: the catalog's default for the machine type, or the
 *   user's `network.rdmaDevices`; neither is an error, never a guess.
 * - RDMA wiring is present exactly when the pool has RDMA and the server talks to other pods (KV transfer
 *   or a multi-node replica). A single-node aggregated server on an RDMA pool does not claim the NICs.
 */
import { AcceleratorSpec, Interconnect, MachineNetwork } from "../catalog/accelerators";
import {
    DEFAULT_SOCKET_INTERFACE,
    GKE_DEFAULT_INTERFACE_ANNOTATION,
    GKE_INTERFACES_ANNOTATION,
    GKE_NETWORK_RESOURCE_PREFIX,
    INTERCONNECTS,
    MULTUS_NETWORKS_ANNOTATION,
    UCX_GPU_TRANSPORTS,
    machineNetwork,
} from "../catalog/networking";
import { LlmdConfigError, optionalBoolean, requireInteger } from "../errors";
import { AcceleratorPool } from "../pool";

/** Fast-networking settings of one model server. */
export interface ModelServerNetworkArgs {
    /**
     * RDMA device ports the pods use, as UCX and NCCL name them (e.g. `["mlx5_0:1", "mlx5_1:1"]`); they become
     * `UCX_NET_DEVICES` and `NCCL_IB_HCA`. Defaults to the catalog's names for the pool's machine type where
     * they are stable (GKE A3 Ultra / A4). Required for P/D or multi-node replicas on other RDMA pools (AKS
     * ND sizes, existing clusters): run `ibv_devinfo` on a node to list them.
     */
    rdmaDevices?: string[];
    /**
     * Multus secondary networks (NetworkAttachmentDefinition names, `[namespace/]name[@interface]`) for the
     * `k8s.v1.cni.cncf.io/networks` pod annotation, e.g. the RDMA networks of a bare-metal cluster.
     */
    multusNetworks?: string[];
    /**
     * Accept P/D KV transfer or multi-node replicas over plain TCP on a pool without RDMA (interconnect
     * `none`, `gpudirect-tcpx`, or between TPU slices). Default false: that is an error, since it is slow
     * enough to defeat P/D and wide EP.
     */
    allowTcp?: boolean;
    /** The pod's primary interface for NCCL/Gloo/NVSHMEM bootstrap sockets (default `eth0`). */
    socketInterface?: string;
    /**
     * RDMA extended resource to request on an RDMA pool whose machine type the catalog does not know (e.g.
     * `rdma/ib`, `rdma/roce_gdr`, `rdma/shared_ib`). Defaults by interconnect: `rdma/ib` for InfiniBand,
     * `rdma/roce_gdr` for RoCE. Not used on GKE, which attaches RDMA NICs through multi-networking.
     */
    rdmaResourceName?: string;
    /** How many of `rdmaResourceName` one pod requests (default 1, as llm-d's AKS guide recommends). */
    rdmaResourceCount?: number;
    /**
     * Run the vLLM container privileged. Only for RDMA pools, and only needed for GPU-initiated RDMA
     * (DeepEP/NVSHMEM IBGDA) on GKE unless the driver sets `PeerMappingOverride=1` (llm-d's GKE guide).
     */
    privileged?: boolean;
}

/** How the pods of one server reach pods on other nodes. */
export type NetworkTransport =
    /** The server talks to no other pod (or is the simulator). */
    | "local"
    /** No pool given: the fabric is unknown, nothing is checked or attached. */
    | "unknown"
    /** RDMA over InfiniBand or RoCE, wired explicitly. */
    | "rdma"
    /** Plain TCP on the primary interface, accepted by the user. */
    | "tcp"
    /** The hosts of one TPU slice over ICI. */
    | "ici";

/** Everything the pod renderer adds for the network. */
export interface NetworkSpec {
    transport: NetworkTransport;
    /** The pool's interconnect, when there is a pool. */
    interconnect?: Interconnect;
    /** RDMA device ports (transport `rdma` only). */
    devices: string[];
    /** Plain environment variables for the vLLM container. */
    env: Array<{ name: string; value: string }>;
    /** Extended resources for the vLLM container (requests = limits). */
    resources: Record<string, string>;
    /** Pod template annotations. */
    annotations: Record<string, string>;
    /** Capabilities added to the vLLM container. */
    capabilities: string[];
    privileged: boolean;
}

/** What `resolveNetwork` needs to know about the server besides its network args. */
export interface NetworkContext {
    pool?: AcceleratorPool;
    accelerator: AcceleratorSpec;
    simulator: boolean;
    /** The server moves KV cache to or from other pods (NIXL). */
    kvTransfer: boolean;
    nodesPerReplica: number;
    expertParallel: boolean;
    /** Accelerators one pod requests (for the GPU-to-HCA map of DeepEP). */
    acceleratorsPerPod: number;
}

const DEVICE_PORT = /^[A-Za-z0-9_.-]+:[0-9]+$/;
const MULTUS_NETWORK = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?(@[A-Za-z0-9_.-]{1,15})?$/;
const INTERFACE_NAME = /^[A-Za-z0-9_.-]{1,15}$/;
const RESOURCE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function stringList(field: string, value: unknown, pattern: RegExp, expected: string): string[] {
    if (!Array.isArray(value) || value.length === 0) {
        throw new LlmdConfigError(field, value, `expected a non-empty list of ${expected}`);
    }
    value.forEach((item, i) => {
        if (typeof item !== "string" || !pattern.test(item)) {
            throw new LlmdConfigError(`${field}[${i}]`, item, `expected ${expected}`);
        }
    });
    if (new Set(value).size !== value.length) {
        throw new LlmdConfigError(field, value, "expected no duplicates");
    }
    return value as string[];
}


/** Why this server sends traffic between nodes, for messages; undefined when it does not. */
function crossNodeReason(ctx: NetworkContext): string | undefined {
    const reasons: string[] = [];
    if (ctx.kvTransfer) {
        reasons.push("P/D moves KV cache between pods (pd.kvTransfer nixl)");
    }
    if (ctx.nodesPerReplica > 1) {
        reasons.push(`one replica spans ${ctx.nodesPerReplica} nodes (nodesPerReplica)`);
    }
    return reasons.length ? reasons.join(" and ") : undefined;
}

function gkeInterfaces(networks: string[]): string {
    // eth1 is left to the gVNIC network Google's A3 Ultra/A4 manifests attach; llm-d's overlays skip it too.
    const interfaces = [{ interfaceName: "eth0", network: "default" }, ...networks.map((network, i) => ({ interfaceName: `eth${i + 2}`, network }))];
    return JSON.stringify(interfaces);
}

/** The RDMA part: resources, annotations and provider env for one pool. */
function rdmaAttachment(
    field: string,
    args: ModelServerNetworkArgs,
    interconnect: Interconnect,
    facts: MachineNetwork | undefined,
): { resources: Record<string, string>; annotations: Record<string, string>; env: Array<{ name: string; value: string }>; gke: boolean } {
    if (facts?.attachment === "gke-multi-network") {
        if (args.rdmaResourceName !== undefined || args.rdmaResourceCount !== undefined) {
            throw new LlmdConfigError(
                `${field}.${args.rdmaResourceName !== undefined ? "rdmaResourceName" : "rdmaResourceCount"}`,
                args.rdmaResourceName ?? args.rdmaResourceCount,
                "expected unset: GKE attaches RDMA NICs through multi-networking annotations, not a device-plugin resource",
            );
        }
        const networks = facts.gkeNetworks ?? [];
        const resources: Record<string, string> = {};
        for (const network of networks) {
            // GKE's admission webhook injects `<network>.IP` requests from the annotation; A3 Ultra nodes no
            // longer advertise the bare `<network>` resource it also injects, so llm-d's GKE overlays pin it to
            // 0 or pods stay Pending.
            resources[`${GKE_NETWORK_RESOURCE_PREFIX}${network}`] = "0";
        }
        return {
            resources,
            annotations: { [GKE_DEFAULT_INTERFACE_ANNOTATION]: "eth0", [GKE_INTERFACES_ANNOTATION]: gkeInterfaces(networks) },
            // vLLM brings its own NCCL; llm-d's GKE overlays switch off GKE's injected NCCL net plugin and tuner
            // so NCCL uses its built-in IB transport over the mlx5 devices named below.
            env: [
                { name: "NCCL_NET_PLUGIN", value: "" },
                { name: "NCCL_TUNER_PLUGIN", value: "none" },
            ],
            gke: true,
        };
    }
    const fallback = INTERCONNECTS[interconnect].defaultRdmaResource!;
    const name =
        args.rdmaResourceName === undefined
            ? (facts?.rdmaResource?.name ?? fallback.name)
            : (() => {
                  if (typeof args.rdmaResourceName !== "string" || !RESOURCE_NAME.test(args.rdmaResourceName)) {
                      throw new LlmdConfigError(`${field}.rdmaResourceName`, args.rdmaResourceName, 'expected an extended resource name such as "rdma/ib"');
                  }
                  return args.rdmaResourceName;
              })();
    const count =
        args.rdmaResourceCount === undefined
            ? (facts?.rdmaResource?.perPod ?? fallback.perPod)
            : requireInteger(`${field}.rdmaResourceCount`, args.rdmaResourceCount, 1);
    return { resources: { [name]: String(count) }, annotations: {}, env: [], gke: false };
}

/**
 * Validates `args` (at `field`, normally `network`) against the pool and the server, and works out what the
 * pods need. Throws `LlmdConfigError` naming the field on every misconfiguration listed in the file header.
 */
export function resolveNetwork(field: string, args: ModelServerNetworkArgs | undefined, ctx: NetworkContext): NetworkSpec {
    const a = args ?? {};
    if (typeof a !== "object" || a === null || Array.isArray(a)) {
        throw new LlmdConfigError(field, a, "expected an object");
    }
    const allowTcp = optionalBoolean(`${field}.allowTcp`, a.allowTcp);
    const privileged = optionalBoolean(`${field}.privileged`, a.privileged);
    const userDevices = a.rdmaDevices === undefined ? undefined : stringList(`${field}.rdmaDevices`, a.rdmaDevices, DEVICE_PORT, 'RDMA device ports such as "mlx5_0:1" (device:port)');
    const multus = a.multusNetworks === undefined ? [] : stringList(`${field}.multusNetworks`, a.multusNetworks, MULTUS_NETWORK, 'NetworkAttachmentDefinition names such as "rdma-net" or "infra/rdma-net@net1"');
    let socketInterface = DEFAULT_SOCKET_INTERFACE;
    if (a.socketInterface !== undefined) {
        if (typeof a.socketInterface !== "string" || !INTERFACE_NAME.test(a.socketInterface)) {
            throw new LlmdConfigError(`${field}.socketInterface`, a.socketInterface, 'expected a network interface name of at most 15 characters, e.g. "eth0"');
        }
        socketInterface = a.socketInterface;
    }

    const annotations: Record<string, string> = multus.length ? { [MULTUS_NETWORKS_ANNOTATION]: multus.join(",") } : {};
    const none: NetworkSpec = {
        transport: "local",
        interconnect: ctx.pool?.interconnect,
        devices: [],
        env: [],
        resources: {},
        annotations,
        capabilities: [],
        privileged: false,
    };
    const reason = ctx.simulator ? undefined : crossNodeReason(ctx);
    const pool = ctx.pool;
    const fabric = pool ? INTERCONNECTS[pool.interconnect] : undefined;

    if (userDevices && !(fabric?.rdma ?? false)) {
        throw new LlmdConfigError(
            `${field}.rdmaDevices`,
            userDevices,
            pool
                ? `expected unset: pool ${JSON.stringify(pool.name)} has interconnect ${pool.interconnect}, which has no RDMA NICs (${fabric!.note})`
                : "expected unset without a pool: the pool's interconnect and machine type decide which RDMA resources the pods request",
        );
    }
    if (privileged && !(fabric?.rdma && reason)) {
        throw new LlmdConfigError(`${field}.privileged`, true, "expected unset: only GPU-initiated RDMA between nodes (wide EP on an RDMA pool) needs a privileged container");
    }
    if (reason === undefined) {
        return none;
    }
    if (!pool || !fabric) {
        // Without a pool llmd cannot tell the fabric: nothing to check and nothing to attach.
        return { ...none, transport: "unknown" };
    }
    const gpu = ctx.accelerator.vendor === "nvidia" || ctx.accelerator.vendor === "amd" ? ctx.accelerator.vendor : undefined;

    if (fabric.multiHostWithinSlice && !ctx.kvTransfer) {
        // One TPU slice: the hosts talk over ICI, set up by the TPU runtime.
        return { ...none, transport: "ici" };
    }

    if (!fabric.rdma) {
        if (!allowTcp) {
            throw new LlmdConfigError(
                `${field}.allowTcp`,
                a.allowTcp,
                `expected true to accept TCP: ${reason}, but pool ${JSON.stringify(pool.name)} has interconnect ${pool.interconnect} (${fabric.note}); ` +
                    "use a pool with infiniband or roce for P/D and wide EP, or set network.allowTcp: true",
            );
        }
        const env: Array<{ name: string; value: string }> = [];
        if (gpu) {
            if (ctx.kvTransfer) {
                // Name TCP and the interface outright so UCX cannot wander onto a stray RDMA device.
                env.push({ name: "UCX_TLS", value: ["tcp", ...UCX_GPU_TRANSPORTS[gpu]].join(",") }, { name: "UCX_NET_DEVICES", value: socketInterface });
            }
            if (ctx.nodesPerReplica > 1) {
                env.push(
                    { name: "NCCL_IB_DISABLE", value: "1" },
                    { name: "NCCL_SOCKET_IFNAME", value: socketInterface },
                    { name: "GLOO_SOCKET_IFNAME", value: socketInterface },
                );
            }
        }
        return { ...none, transport: "tcp", env };
    }

    // RDMA: devices must be explicit.
    const facts = machineNetwork(pool.accelerator, pool.machineType);
    const devices = userDevices ?? facts?.rdmaDevices;
    if (!devices) {
        throw new LlmdConfigError(
            `${field}.rdmaDevices`,
            undefined,
            `expected the RDMA device ports the pods use (e.g. ["mlx5_0:1", "mlx5_1:1"], from ibv_devinfo on a node): ${reason} over ` +
                `${fabric.displayName} on pool ${JSON.stringify(pool.name)}${pool.machineType ? ` (${pool.machineType})` : ""}, and llmd knows no device names for it; ` +
                "left unset, UCX and NCCL pick devices themselves and P/D can silently fall back to TCP or a wrong NIC",
        );
    }
    const attachment = rdmaAttachment(field, a, pool.interconnect, facts);
    for (const [name, value] of Object.entries(attachment.annotations)) {
        annotations[name] = value;
    }
    const env: Array<{ name: string; value: string }> = [];
    if (gpu) {
        env.push(
            { name: "UCX_TLS", value: [...UCX_GPU_TRANSPORTS[gpu], "rc", "tcp"].join(",") },
            { name: "UCX_NET_DEVICES", value: devices.join(",") },
            // RCCL reads the same NCCL_* variables. The leading "=" makes NCCL match the names exactly
            // instead of as prefixes (mlx5_1 would otherwise also select mlx5_10, mlx5_11).
            { name: "NCCL_IB_HCA", value: `=${devices.join(",")}` },
            { name: "NCCL_SOCKET_IFNAME", value: socketInterface },
            { name: "GLOO_SOCKET_IFNAME", value: socketInterface },
        );
        if (ctx.expertParallel && ctx.nodesPerReplica > 1 && gpu === "nvidia") {
            env.push({ name: "NVSHMEM_BOOTSTRAP_UID_SOCK_IFNAME", value: socketInterface });
            if (devices.length >= ctx.acceleratorsPerPod && ctx.acceleratorsPerPod > 0) {
                // One NIC per GPU, in order, instead of NVSHMEM's distance guess (llm-d's wide-EP overlays).
                env.push({
                    name: "DEEP_EP_DEVICE_TO_HCA_MAPPING",
                    value: devices.slice(0, ctx.acceleratorsPerPod).map((d, i) => `${i}:${d}`).join(","),
                });
            }
            if (attachment.gke) {
                // GDRCopy brings no measured benefit on GKE; this silences NVSHMEM's warning (llm-d's GKE guide).
                env.push({ name: "NVSHMEM_DISABLE_GDRCOPY", value: "1" });
            }
        }
        env.push(...attachment.env);
    }
    return {
        transport: "rdma",
        interconnect: pool.interconnect,
        devices: [...devices],
        env,
        resources: attachment.resources,
        annotations,
        capabilities: [...fabric.capabilities],
        privileged,
    };
}
