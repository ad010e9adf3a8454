/**
 * A Slurm batch script that starts vLLM replicas on the allocated nodes and registers each one in the
 * router's endpoints file while it serves. Each task: pick a port nothing listens on, start vLLM, wait until
 * it answers with this launch's token (so another job's server on the port is never registered), add its
 * entry to the file (endpoints-updater.ts: parsed, locked, renamed into place), health-check it, and remove
 * the entry again when vLLM dies or hangs, the task exits, or Slurm ends the job.
 */
import { LlmdConfigError, requireInteger, requireNonEmpty } from "../errors";
import { ENDPOINTS_UPDATER_CLI } from "./endpoints-updater";
import { shQuote } from "./shell";
import { LAUNCHER_LABEL, LAUNCH_TOKEN_PREFIX, WorkerAccelerator, WorkerOptions, resolveWorkerOptions } from "./workers";

/** The Slurm job. */
export interface SlurmJobOptions extends WorkerOptions {
    /** `#SBATCH --job-name`. Default `llmd-vllm`. */
    jobName?: string;
    /** Nodes to allocate. */
    nodes: number;
    /** GPUs per node; each node runs `gpusPerNode / tensorParallelSize` replicas. Required unless `accelerator` is `cpu`. */
    gpusPerNode?: number;
    /** Replicas per node with `accelerator: cpu` (default 1); on GPUs it follows from `gpusPerNode`. */
    replicasPerNode?: number;
    /** CPUs Slurm gives each replica with `accelerator: cpu` (`--cpus-per-task`). Default 1. */
    cpusPerReplica?: number;
    /** Wall-clock limit, Slurm syntax: `HH:MM:SS` or `D-HH:MM:SS`. */
    time: string;
    /** `#SBATCH --partition`. */
    partition?: string;
    /** `#SBATCH --account`. */
    account?: string;
}

const SLURM_TIME = /^(\d+-)?\d{1,2}:\d{2}:\d{2}$/;
const SLURM_WORD = /^[A-Za-z0-9_.-]+$/;
const HEREDOC_END = "LLMD_WORKER_EOF";
const UPDATER_END = "LLMD_UPDATER_EOF";

function word(field: string, value: string | undefined): string | undefined {
    if (value !== undefined && !SLURM_WORD.test(value)) {
        throw new LlmdConfigError(field, value, "expected letters, digits, '.', '_' or '-'");
    }
    return value;
}

/** Checks the job's shape; returns the replicas each node runs. */
function replicasPerNode(options: SlurmJobOptions): number {
    requireInteger("nodes", options.nodes, 1, 4096);
    if (!SLURM_TIME.test(requireNonEmpty("time", options.time))) {
        throw new LlmdConfigError("time", options.time, 'expected Slurm time "HH:MM:SS" or "D-HH:MM:SS", e.g. "12:00:00"');
    }
    if (resolveWorkerOptions(options).accelerator === WorkerAccelerator.Cpu) {
        if (options.gpusPerNode !== undefined && options.gpusPerNode !== 0) {
            throw new LlmdConfigError("gpusPerNode", options.gpusPerNode, 'expected 0 or unset with accelerator "cpu"');
        }
        requireInteger("cpusPerReplica", options.cpusPerReplica ?? 1, 1, 1024);
        return requireInteger("replicasPerNode", options.replicasPerNode ?? 1, 1, 256);
    }
    requireInteger("gpusPerNode", options.gpusPerNode, 1, 64);
    const gpusPerNode = options.gpusPerNode!;
    if (gpusPerNode % options.tensorParallelSize !== 0) {
        throw new LlmdConfigError(
            "tensorParallelSize",
            options.tensorParallelSize,
            `expected a divisor of gpusPerNode (${gpusPerNode}): each node runs whole replicas; multi-node tensor parallelism is not what this script starts`,
        );
    }
    if (options.replicasPerNode !== undefined && options.replicasPerNode !== gpusPerNode / options.tensorParallelSize) {
        throw new LlmdConfigError("replicasPerNode", options.replicasPerNode, `expected unset or gpusPerNode / tensorParallelSize (${gpusPerNode / options.tensorParallelSize}) on GPUs`);
    }
    return gpusPerNode / options.tensorParallelSize;
}

/** The script each Slurm task runs (one vLLM replica). Rendered separately so it can be checked on its own. */
export function renderSlurmWorker(options: SlurmJobOptions): string {
    const w = resolveWorkerOptions(options);
    const perNode = replicasPerNode(options);
    const iface = w.networkInterface;
    // Static labels as a JSON fragment the task completes with its job and node.
    const staticLabels = JSON.stringify({ ...w.labels, [LAUNCHER_LABEL]: "slurm" }).slice(1, -1);
    const vllmArgs = [`--tensor-parallel-size=${w.tensorParallelSize}`, ...w.vllmArgs].map(shQuote).join(" ");
    const addressLookup = iface
        ? `ip -4 -o addr show dev ${shQuote(iface)} | awk '{ split($4, a, "/"); print a[1]; exit }'`
        : `hostname -I | tr ' ' '\\n' | grep -E '^[0-9]+(\\.[0-9]+){3}$' | head -n 1`;
    if (ENDPOINTS_UPDATER_CLI.split("\n").includes(UPDATER_END)) {
        throw new Error(`internal: the endpoints updater contains the heredoc terminator ${UPDATER_END}`);
    }
    return `#!/bin/bash
# llmd Slurm worker: one vLLM replica of ${w.model}, listed in ${w.endpointsFile} while it serves and answers.
set -euo pipefail

endpoints_file=${shQuote(w.endpointsFile)}
model=${shQuote(w.model)}
served_model_name=${shQuote(w.servedModelName)}
vllm=${shQuote(w.vllmCommand)}
# Replicas of one job on a node start at consecutive ports; a port something already listens on (another
# job, a Ray worker) is skipped by ${perNode}, so tasks of one job never probe the same port.
port=$(( ${w.port} + \${SLURM_LOCALID:-0} ))
port_stride=${perNode}
name="slurm-\${SLURM_CLUSTER_NAME:+\${SLURM_CLUSTER_NAME}-}\${SLURM_JOB_ID:?run this inside a Slurm job}-\${SLURM_PROCID:-0}"
launch_token="${LAUNCH_TOKEN_PREFIX}\${SLURM_JOB_ID}-\${SLURM_PROCID:-0}-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \\n')"
namespace=${shQuote(w.namespace)}
static_labels=${shQuote(staticLabels)}
ready_timeout=${w.readyTimeoutSeconds}
health_interval=${w.healthIntervalSeconds}
health_timeout=${w.healthTimeoutSeconds}
unhealthy_threshold=${w.unhealthyThreshold}
vllm_pid=""
registered=""
# Parses and rewrites the endpoints file (the same code the Ray driver runs); see endpoints-updater.ts.
updater=$(cat <<'${UPDATER_END}'
${ENDPOINTS_UPDATER_CLI}
${UPDATER_END}
)

node_ipv4() {
    local address
    address=$(${addressLookup} || true)
    if [[ ! "$address" =~ ^[0-9]{1,3}(\\.[0-9]{1,3}){3}$ ]]; then
        echo "llmd: no IPv4 address found on $(hostname) (the router accepts only IPv4 endpoints)" >&2
        return 1
    fi
    echo "$address"
}

# Replaces this task's entry by "$1" (JSON), or removes it when "$1" is empty.
update_endpoints() {
    python3 -c "$updater" "$endpoints_file" "$name" "\${1:-}"
}

# Sleeps without blocking traps: bash runs a trap only after the foreground command ends.
pause() {
    sleep "$1" &
    wait $! || true
}

listening() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Only the server this task started lists its launch token: another job's vLLM on the same port does not.
is_ours() {
    curl -sf -m "$health_timeout" "http://127.0.0.1:\${port}/v1/models" | grep -qF "\\"$launch_token\\""
}

healthy() {
    curl -sf -m "$health_timeout" -o /dev/null "http://127.0.0.1:\${port}/health" && is_ours
}

stop_vllm() {
    if [ -n "$vllm_pid" ] && kill -0 "$vllm_pid" 2>/dev/null; then
        kill -TERM "$vllm_pid" 2>/dev/null || true
        # A stopped (SIGSTOP) process only acts on the TERM once it runs again.
        kill -CONT "$vllm_pid" 2>/dev/null || true
        local waited=0
        while kill -0 "$vllm_pid" 2>/dev/null && (( waited < 30 )); do
            sleep 1
            waited=$(( waited + 1 ))
        done
        kill -KILL "$vllm_pid" 2>/dev/null || true
    fi
}

cleanup() {
    # Slurm signals every process of the step and srun forwards the signal again, then KILLs after KillWait:
    # ignore further TERMs, or the second one cuts the deregistration short and leaves a dead entry behind.
    trap '' TERM INT
    trap - EXIT
    # Deregister first, so the router stops routing here before vLLM goes.
    if [ -n "$registered" ]; then
        update_endpoints "" || echo "llmd: could not remove $name from $endpoints_file" >&2
    fi
    stop_vllm
}
trap cleanup EXIT
# Ignore repeats from the first signal on: one arriving before cleanup runs would re-enter exit and skip it.
trap 'trap "" TERM INT; exit 143' TERM
trap 'trap "" TERM INT; exit 130' INT

# Starts vLLM on $port and waits until it answers as ours: 0 ready, 1 exited, 2 timed out.
start_vllm() {
    "$vllm" serve "$model" --host 0.0.0.0 --port "$port" --served-model-name "$served_model_name" "$launch_token" ${vllmArgs} &
    vllm_pid=$!
    local deadline=$(( SECONDS + ready_timeout ))
    until is_ours; do
        if ! kill -0 "$vllm_pid" 2>/dev/null; then
            return 1
        fi
        if (( SECONDS >= deadline )); then
            return 2
        fi
        pause ${Math.min(5, w.healthIntervalSeconds)}
    done
}

address=$(node_ipv4)
attempt=1
while :; do
    while listening "$port"; do
        port=$(( port + port_stride ))
    done
    status=0
    start_vllm || status=$?
    if (( status == 0 )); then
        break
    fi
    if (( status == 1 )) && listening "$port" && (( attempt < 10 )); then
        # Another server bound the port between the probe and vLLM's bind: try the next one.
        echo "llmd: port $port was taken while vLLM started; retrying on another port" >&2
        attempt=$(( attempt + 1 ))
        continue
    fi
    if (( status == 1 )); then
        echo "llmd: vLLM on $(hostname):$port exited before it was ready" >&2
    else
        echo "llmd: vLLM on $(hostname):$port not ready after \${ready_timeout}s" >&2
    fi
    exit 1
done

entry=$(printf '{"name":"%s","namespace":"%s","address":"%s","port":"%s","labels":{%s,"slurm.job":"%s","slurm.node":"%s"}}' \\
    "$name" "$namespace" "$address" "$port" "$static_labels" "$SLURM_JOB_ID" "\${SLURMD_NODENAME:-$(hostname -s)}")
# Marked first: a TERM that lands between the write and the mark must still deregister.
registered=1
update_endpoints "$entry"
echo "llmd: $name serves $served_model_name at $address:$port"

# A registered replica stays listed only while it answers: a dead or hung vLLM is deregistered and stopped.
failures=0
while :; do
    pause "$health_interval"
    if ! kill -0 "$vllm_pid" 2>/dev/null; then
        echo "llmd: vLLM on $(hostname):$port exited" >&2
        exit 1
    fi
    if healthy; then
        failures=0
        continue
    fi
    failures=$(( failures + 1 ))
    if (( failures >= unhealthy_threshold )); then
        echo "llmd: vLLM on $(hostname):$port failed $failures health checks; deregistering and stopping it" >&2
        exit 1
    fi
done
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
    const cpu = resolveWorkerOptions(options).accelerator === WorkerAccelerator.Cpu;
    // CPU replicas ask for CPUs instead of GPUs, so the job runs on nodes without any.
    const perTask = cpu ? `--cpus-per-task=${options.cpusPerReplica ?? 1}` : `--gpus-per-task=${options.tensorParallelSize}`;
    const sbatch = [
        `--job-name=${jobName}`,
        `--nodes=${options.nodes}`,
        `--ntasks-per-node=${perNode}`,
        cpu ? perTask : `--gpus-per-node=${options.gpusPerNode}`,
        `--time=${options.time}`,
        ...(partition ? [`--partition=${partition}`] : []),
        ...(account ? [`--account=${account}`] : []),
        `--output=${jobName}-%j.out`,
    ];
    return `#!/bin/bash
# Rendered by llmd: ${options.nodes} node(s) x ${perNode} vLLM replica(s) of ${options.model} (tensor parallel ${options.tensorParallelSize}${cpu ? ", CPU" : ""}),
# each listed in ${options.endpointsFile} for the llm-d router while it serves. Submit with: sbatch <this file>
${sbatch.map((line) => `#SBATCH ${line}`).join("\n")}
set -euo pipefail

mkdir -p ${shQuote(options.endpointsFile.slice(0, options.endpointsFile.lastIndexOf("/")) || "/")}

# Each task runs this script. It travels as an argument because the batch script itself exists only on the
# first node of the allocation.
worker=$(cat <<'${HEREDOC_END}'
${worker}${HEREDOC_END}
)

# One task per replica, each with its own GPUs (or CPUs); one replica failing does not stop the others.
srun --ntasks-per-node=${perNode} ${perTask} --kill-on-bad-exit=0 bash -c "$worker" llmd-worker
`;
}
