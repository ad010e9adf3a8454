/**
 * The Ray variant of the Slurm launcher: a Python driver that starts vLLM replicas as Ray actors (one per
 * `tensorParallelSize` GPUs, anywhere in the Ray cluster) and keeps the router's endpoints file in step with
 * them. The driver, not the actors, writes the file: actors run on other machines, the driver runs where
 * the file is (the router host, or storage the router host syncs from). It rewrites the file with the same
 * code as the Slurm workers (endpoints-updater.ts), registers a replica only once it answers with its own
 * launch token, drops and stops a replica that fails its health checks, gives up on a replica Ray cannot
 * place within `placementTimeoutSeconds`, and removes all of its replicas when it exits.
 */
import { requireInteger } from "../errors";
import { ENDPOINTS_UPDATER_LIB } from "./endpoints-updater";
import { LAUNCHER_LABEL, LAUNCH_TOKEN_PREFIX, WorkerAccelerator, WorkerOptions, resolveWorkerOptions } from "./workers";

/** The Ray replica set. */
export interface RayWorkersOptions extends WorkerOptions {
    /** vLLM replicas (Ray actors), each with `tensorParallelSize` GPUs. */
    replicas: number;
    /** CPUs Ray reserves for each replica (`num_cpus`). Default 1. */
    cpusPerReplica?: number;
    /**
     * Seconds to wait for Ray to place a replica's actor (a request no node can meet, or an autoscaler that
     * never delivers) before giving up on that replica. Default 600.
     */
    placementTimeoutSeconds?: number;
}

// Python literals from JSON: strings, lists and dicts of strings print identically.
const py = (value: unknown) => JSON.stringify(value);

/** The driver script (`python3 <file>` on a node of the Ray cluster). */
export function renderRayScript(options: RayWorkersOptions): string {
    const w = resolveWorkerOptions(options);
    const replicas = requireInteger("replicas", options.replicas, 1, 4096);
    const cpu = w.accelerator === WorkerAccelerator.Cpu;
    const cpusPerReplica = requireInteger("cpusPerReplica", options.cpusPerReplica ?? 1, cpu ? 1 : 0, 1024);
    const placementTimeout = requireInteger("placementTimeoutSeconds", options.placementTimeoutSeconds ?? 600, 1, 86400);
    return `#!/usr/bin/env python3
"""Rendered by llmd: ${replicas} vLLM replica(s) of ${w.model} as Ray actors, listed in
${w.endpointsFile} for the llm-d router while they serve.

Run it on a node of the Ray cluster that can write the endpoints file:
    RAY_ADDRESS=auto python3 llmd_ray_workers.py
Stop it with Ctrl-C or SIGTERM: it removes its replicas from the file, then stops them.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import ray

ENDPOINTS_FILE = ${py(w.endpointsFile)}
MODEL = ${py(w.model)}
SERVED_MODEL_NAME = ${py(w.servedModelName)}
REPLICAS = ${replicas}
TENSOR_PARALLEL_SIZE = ${w.tensorParallelSize}
BASE_PORT = ${w.port}
NAMESPACE = ${py(w.namespace)}
LABELS = ${py({ ...w.labels, [LAUNCHER_LABEL]: "ray" })}
VLLM_ARGS = ${py(w.vllmArgs)}
READY_TIMEOUT_SECONDS = ${w.readyTimeoutSeconds}
HEALTH_INTERVAL_SECONDS = ${w.healthIntervalSeconds}
HEALTH_TIMEOUT_SECONDS = ${w.healthTimeoutSeconds}
UNHEALTHY_THRESHOLD = ${w.unhealthyThreshold}
PLACEMENT_TIMEOUT_SECONDS = ${placementTimeout}
VLLM = ${py(w.vllmCommand)}
NUM_GPUS = ${cpu ? 0 : w.tensorParallelSize}
NUM_CPUS = ${cpusPerReplica}
LAUNCH_TOKEN_PREFIX = ${py(LAUNCH_TOKEN_PREFIX)}
NETWORK_INTERFACE = ${py(w.networkInterface ?? "")}
${ENDPOINTS_UPDATER_LIB}

def http_get(url):
    """The body of a 200 answer, or None (error, other status, or no answer within the health timeout)."""
    try:
        with urllib.request.urlopen(url, timeout=HEALTH_TIMEOUT_SECONDS) as response:
            return response.read() if response.status == 200 else None
    except (OSError, ValueError):
        return None


def node_ipv4():
    """The address the router should use: NETWORK_INTERFACE's IPv4 when set, else the node address Ray uses."""
    if not NETWORK_INTERFACE:
        return ray.util.get_node_ip_address()
    shown = subprocess.run(["ip", "-4", "-o", "addr", "show", "dev", NETWORK_INTERFACE], capture_output=True, text=True).stdout.split()
    if "inet" not in shown:
        raise RuntimeError("no IPv4 address on interface %s (the router accepts only IPv4 endpoints)" % NETWORK_INTERFACE)
    return shown[shown.index("inet") + 1].split("/")[0]


def port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("0.0.0.0", port))
            return True
        except OSError:
            return False


@ray.remote
class VllmReplica:
    """One vLLM server on the resources Ray gave this actor."""

    def __init__(self, index, token):
        self.index = index
        # Served as a second model name: only this replica's server lists it, which is how readiness and
        # health checks tell it from another server that took the same port.
        self.token = token
        self.port = None
        self.process = None

    def placed(self):
        return True

    def ours(self):
        body = http_get("http://127.0.0.1:%d/v1/models" % self.port)
        return body is not None and ('"%s"' % self.token).encode() in body

    def start(self):
        address = node_ipv4()
        # Replicas of this driver start at distinct ports; ports something listens on (other drivers, Slurm
        # jobs) are skipped, and a port lost between the probe and vLLM's bind is retried.
        port = BASE_PORT + self.index
        for attempt in range(10):
            while not port_free(port):
                port += REPLICAS
            self.port = port
            command = [VLLM, "serve", MODEL, "--host", "0.0.0.0", "--port", str(port),
                       "--served-model-name", SERVED_MODEL_NAME, self.token,
                       "--tensor-parallel-size", str(TENSOR_PARALLEL_SIZE)] + VLLM_ARGS
            self.process = subprocess.Popen(command)
            deadline = time.monotonic() + READY_TIMEOUT_SECONDS
            while not self.ours():
                if self.process.poll() is not None:
                    break
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("vLLM on %s:%d not ready after %ds" % (address, port, READY_TIMEOUT_SECONDS))
                time.sleep(min(5, HEALTH_INTERVAL_SECONDS))
            else:
                return {"address": address, "port": str(port)}
            if port_free(port):
                raise RuntimeError("vLLM on %s:%d exited with %s before it was ready" % (address, port, self.process.returncode))
            print("llmd: port %d was taken while vLLM started; retrying on another port" % port, file=sys.stderr)
        raise RuntimeError("vLLM on %s lost the race for a free port 10 times" % address)

    def healthy(self):
        if self.process is None or self.process.poll() is not None:
            return False
        return http_get("http://127.0.0.1:%d/health" % self.port) is not None and self.ours()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            # A stopped (SIGSTOP) process only acts on the TERM once it runs again.
            self.process.send_signal(signal.SIGCONT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def largest_node(resource):
    return max([node["Resources"].get(resource, 0) for node in ray.nodes() if node.get("Alive")] or [0])


def main():
    ray.init(address=os.environ.get("RAY_ADDRESS", "auto"))
    # Job ids restart at 01000000 in every Ray cluster: a random part keeps two clusters sharing one file apart.
    launch = "%s-%s" % (ray.get_runtime_context().get_job_id(), uuid.uuid4().hex[:8])
    own_prefix = "ray-%s-" % launch
    # SIGTERM takes the same path as Ctrl-C: deregister, then stop the replicas.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    request = {"GPU": NUM_GPUS, "CPU": NUM_CPUS}
    for resource, amount in request.items():
        if amount and largest_node(resource) < amount:
            print("llmd: no node of this Ray cluster has %s %s(s) for a replica now; waiting up to %ds for one (autoscaling)"
                  % (amount, resource, PLACEMENT_TIMEOUT_SECONDS), file=sys.stderr)
    actors = [VllmReplica.options(num_gpus=NUM_GPUS, num_cpus=NUM_CPUS).remote(i, "%s%s-%d" % (LAUNCH_TOKEN_PREFIX, launch, i))
              for i in range(REPLICAS)]
    registered = {}
    failed_checks = {}

    def owned(entry):
        return str(entry.get("name", "")).startswith(own_prefix)

    def publish():
        update_endpoints(ENDPOINTS_FILE, owned, [registered[i] for i in sorted(registered)])

    try:
        placement_deadline = time.monotonic() + PLACEMENT_TIMEOUT_SECONDS
        placing = {actor.placed.remote(): i for i, actor in enumerate(actors)}
        starting = {}
        while placing or starting:
            timeout = max(0.0, placement_deadline - time.monotonic()) if placing else None
            done, _ = ray.wait(list(placing) + list(starting), num_returns=1, timeout=timeout)
            if not done:
                for ref, index in placing.items():
                    print("llmd: replica %d: Ray could not place an actor with %s GPU(s) and %s CPU(s) within %ds; giving up on it"
                          % (index, NUM_GPUS, NUM_CPUS, PLACEMENT_TIMEOUT_SECONDS), file=sys.stderr)
                    ray.kill(actors[index])
                placing = {}
                continue
            ref = done[0]
            if ref in placing:
                index = placing.pop(ref)
                starting[actors[index].start.remote()] = index
                continue
            index = starting.pop(ref)
            try:
                where = ray.get(ref)
            except Exception as error:  # a replica that fails to start is reported, not registered
                print("llmd: replica %d failed: %s" % (index, error), file=sys.stderr)
                continue
            labels = dict(LABELS)
            labels["ray.replica"] = str(index)
            registered[index] = {"name": own_prefix + str(index), "namespace": NAMESPACE,
                                 "address": where["address"], "port": where["port"], "labels": labels}
            publish()
            print("llmd: replica %d serves %s at %s:%s" % (index, SERVED_MODEL_NAME, where["address"], where["port"]), flush=True)
        if not registered:
            print("llmd: no replica started", file=sys.stderr)
            return 1
        # A registered replica stays listed only while it answers: a dead or hung vLLM is deregistered and stopped.
        while registered:
            time.sleep(HEALTH_INTERVAL_SECONDS)
            for index in sorted(registered):
                try:
                    ok = ray.get(actors[index].healthy.remote(), timeout=2 * HEALTH_TIMEOUT_SECONDS + 10)
                except Exception:
                    ok = False
                failed_checks[index] = 0 if ok else failed_checks.get(index, 0) + 1
                if failed_checks[index] >= UNHEALTHY_THRESHOLD:
                    print("llmd: replica %d failed %d health checks; deregistering and stopping it" % (index, failed_checks[index]), file=sys.stderr, flush=True)
                    del registered[index]
                    publish()
                    try:
                        ray.get(actors[index].stop.remote(), timeout=60)
                    except Exception:
                        pass
        return 1
    finally:
        registered.clear()
        update_endpoints(ENDPOINTS_FILE, owned, [])
        for actor in actors:
            try:
                ray.get(actor.stop.remote(), timeout=60)
            except Exception:
                pass


if __name__ == "__main__":
    sys.exit(main())
`;
}
