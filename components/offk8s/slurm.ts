/**
 * A Slurm batch script that starts vLLM replicas on the allocated nodes and registers each one in the
 * router's endpoints file while it serves. Each task: start vLLM, wait until it answers, add its own line to
 * the file under `flock` (several tasks write), by writing a temp file and renaming it over the original
 * (the router reloads on the rename), and remove its line again on exit or when Slurm ends the job.
 */
import { LlmdConfigError, requireInteger, requireNonEmpty } from "../errors";
import { ENDPOINTS_HEADER, ENTRY_LINE_PREFIX } from "./endpoints-file";
import { shQuote } from "./shell";
import { LAUNCHER_LABEL, WorkerOptions, resolveWorkerOptions } from "./workers";

/** The Slurm job. */
export interface SlurmJobOptions extends WorkerOptions {
    /** `#SBATCH --job-name`. Default `llmd-vllm`. */
    jobName?: string;
    /** Nodes to allocate. */
    nodes: number;
    /** GPUs per node; each node runs `gpusPerNode / tensorParallelSize` replicas. */
    gpusPerNode: number;
    /** Wall-clock limit, Slurm syntax: `HH:MM:SS` or `D-HH:MM:SS`. */
    time: string;
    /** `#SBATCH --partition`. */
    partition?: string;
    /** `#SBATCH --account`. */
    account?: string;
    /** Network interface whose IPv4 address the router should use (e.g. the fast fabric's); default the node's first IPv4. */
    networkInterface?: string;
}

const SLURM_TIME = /^(\d+-)?\d{1,2}:\d{2}:\d{2}$/;
const SLURM_WORD = /^[A-Za-z0-9_.-]+$/;
const HEREDOC_END = "LLMD_WORKER_EOF";

function word(field: string, value: string | undefined): string | undefined {
    if (value !== undefined && !SLURM_WORD.test(value)) {
        throw new LlmdConfigError(field, value, "expected letters, digits, '.', '_' or '-'");
    }
    return value;
}

/** Checks the job's shape; returns the replicas each node runs. */
function replicasPerNode(options: SlurmJobOptions): number {
    requireInteger("nodes", options.nodes, 1, 4096);
    requireInteger("gpusPerNode", options.gpusPerNode, 1, 64);
    if (options.gpusPerNode % options.tensorParallelSize !== 0) {
        throw new LlmdConfigError(
            "tensorParallelSize",
            options.tensorParallelSize,
            `expected a divisor of gpusPerNode (${options.gpusPerNode}): each node runs whole replicas; multi-node tensor parallelism is not what this script starts`,
        );
    }
    if (!SLURM_TIME.test(requireNonEmpty("time", options.time))) {
        throw new LlmdConfigError("time", options.time, 'expected Slurm time "HH:MM:SS" or "D-HH:MM:SS", e.g. "12:00:00"');
    }
    return options.gpusPerNode / options.tensorParallelSize;
}

/** The script each Slurm task runs (one vLLM replica). Rendered separately so it can be checked on its own. */
export function renderSlurmWorker(options: SlurmJobOptions): string {
    const w = resolveWorkerOptions(options);
    const iface = word("networkInterface", options.networkInterface);
    // Static labels as a JSON fragment the task completes with its job and node.
    const staticLabels = JSON.stringify({ ...w.labels, [LAUNCHER_LABEL]: "slurm" }).slice(1, -1);
    const vllmArgs = [`--tensor-parallel-size=${w.tensorParallelSize}`, ...w.vllmArgs].map(shQuote).join(" ");
    const addressLookup = iface
        ? `ip -4 -o addr show dev ${shQuote(iface)} | awk '{ split($4, a, "/"); print a[1]; exit }'`
        : `hostname -I | tr ' ' '\\n' | grep -E '^[0-9]+(\\.[0-9]+){3}$' | head -n 1`;
    return `#!/bin/bash
# llmd Slurm worker: one vLLM replica of ${w.model}, listed in ${w.endpointsFile} while it serves.
set -euo pipefail

endpoints_file=${shQuote(w.endpointsFile)}
lock_file="\${endpoints_file}.lock"
model=${shQuote(w.model)}
served_model_name=${shQuote(w.servedModelName)}
# Replicas on one node get consecutive ports.
port=$(( ${w.port} + \${SLURM_LOCALID:-0} ))
name="slurm-\${SLURM_JOB_ID:?run this inside a Slurm job}-\${SLURM_PROCID:-0}"
namespace=${shQuote(w.namespace)}
static_labels=${shQuote(staticLabels)}
ready_timeout=${w.readyTimeoutSeconds}
vllm_pid=""

node_ipv4() {
    local address
    address=$(${addressLookup} || true)
    if [[ ! "$address" =~ ^[0-9]{1,3}(\\.[0-9]{1,3}){3}$ ]]; then
        echo "llmd: no IPv4 address found on $(hostname) (the router accepts only IPv4 endpoints)" >&2
        return 1
    fi
    echo "$address"
}

# Rewrites the endpoints file under an exclusive lock: drops this task's line, then adds "$1" when given.
# The new file is written next to the old one and renamed over it, so the router never reads half a file.
update_endpoints() {
    local entry="\${1:-}"
    (
        flock -w 120 9 || { echo "llmd: could not lock $lock_file" >&2; exit 1; }
        local lines tmp
        lines=$({ grep -E '^${ENTRY_LINE_PREFIX}\\{' "$endpoints_file" 2>/dev/null || true; } | { grep -vF "${ENTRY_LINE_PREFIX}{\\"name\\":\\"$name\\"," || true; })
        if [ -n "$entry" ]; then
            lines=$(printf '%s\\n%s\\n' "$lines" "$entry" | sed '/^$/d')
        fi
        tmp=$(mktemp "\${endpoints_file}.XXXXXX")
        if [ -n "$lines" ]; then
            printf '${ENDPOINTS_HEADER}\\n%s\\n' "$lines" > "$tmp"
        else
            printf '${ENDPOINTS_HEADER} []\\n' > "$tmp"
        fi
        chmod 0644 "$tmp"
        mv -f "$tmp" "$endpoints_file"
    ) 9>>"$lock_file"
}

cleanup() {
    trap - EXIT INT TERM
    # Deregister first: Slurm follows its TERM with a KILL, and the router must stop routing here before vLLM goes.
    update_endpoints "" || echo "llmd: could not remove $name from $endpoints_file" >&2
    if [ -n "$vllm_pid" ] && kill -0 "$vllm_pid" 2>/dev/null; then
        kill -TERM "$vllm_pid" 2>/dev/null || true
        wait "$vllm_pid" || true
    fi
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

address=$(node_ipv4)
vllm serve "$model" --host 0.0.0.0 --port "$port" --served-model-name "$served_model_name" ${vllmArgs} &
vllm_pid=$!

deadline=$(( SECONDS + ready_timeout ))
until curl -sf -o /dev/null "http://127.0.0.1:\${port}/v1/models"; do
    if ! kill -0 "$vllm_pid" 2>/dev/null; then
        echo "llmd: vLLM on $(hostname):$port exited before it was ready" >&2
        exit 1
    fi
    if (( SECONDS >= deadline )); then
        echo "llmd: vLLM on $(hostname):$port not ready after \${ready_timeout}s" >&2
        exit 1
    fi
    sleep 5
done

entry=$(printf '${ENTRY_LINE_PREFIX}{"name":"%s","namespace":"%s","address":"%s","port":"%s","labels":{%s,"slurm.job":"%s","slurm.node":"%s"}}' \\
    "$name" "$namespace" "$address" "$port" "$static_labels" "$SLURM_JOB_ID" "\${SLURMD_NODENAME:-$(hostname -s)}")
update_endpoints "$entry"
echo "llmd: $name serves $served_model_name at $address:$port"
wait "$vllm_pid"
`;
}

/** The batch script to `sbatch`. Throws `LlmdConfigError` for a job shape that cannot work. */
export function renderSlurmScript(options: SlurmJobOptions): string {
    const perNode = replicasPerNode(options);
    const jobName = word("jobName", options.jobName ?? "llmd-vllm")!;
    const partition = word("partition", options.partition);
    const account = word("account", options.account);
    const worker = renderSlurmWorker(options);
    if (worker.split("\n").includes(HEREDOC_END)) {
        throw new Error(`internal: the worker script contains the heredoc terminator ${HEREDOC_END}`);
    }
    const sbatch = [
        `--job-name=${jobName}`,
        `--nodes=${options.nodes}`,
        `--ntasks-per-node=${perNode}`,
        `--gpus-per-node=${options.gpusPerNode}`,
        `--time=${options.time}`,
        ...(partition ? [`--partition=${partition}`] : []),
        ...(account ? [`--account=${account}`] : []),
        `--output=${jobName}-%j.out`,
    ];
    return `#!/bin/bash
# Rendered by llmd: ${options.nodes} node(s) x ${perNode} vLLM replica(s) of ${options.model} (tensor parallel ${options.tensorParallelSize}),
# each listed in ${options.endpointsFile} for the llm-d router while it serves. Submit with: sbatch <this file>
${sbatch.map((line) => `#SBATCH ${line}`).join("\n")}
set -euo pipefail

mkdir -p ${shQuote(options.endpointsFile.slice(0, options.endpointsFile.lastIndexOf("/")) || "/")}

# Each task runs this script. It travels as an argument because the batch script itself exists only on the
# first node of the allocation.
worker=$(cat <<'${HEREDOC_END}'
${worker}${HEREDOC_END}
)

# One task per replica, each with its own GPUs; one replica failing does not stop the others.
srun --ntasks-per-node=${perNode} --gpus-per-task=${options.tensorParallelSize} --kill-on-bad-exit=0 bash -c "$worker" llmd-worker
`;
}
