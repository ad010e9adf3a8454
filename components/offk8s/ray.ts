/**
 * The Ray variant of the Slurm launcher: a Python driver that starts vLLM replicas as Ray actors (one per
 * `tensorParallelSize` GPUs, anywhere in the Ray cluster) and keeps the router's endpoints file in step with
 * them. The driver, not the actors, writes the file: actors run on other machines, the driver runs where
 * the file is (the router host, or storage the router host syncs from). It rewrites the file under an
 * `fcntl` lock (Slurm jobs may share it) by renaming a temp file over it, drops a replica that stops
 * answering, and removes all of its replicas when it exits.
 */
import { requireInteger } from "../errors";
import { ENDPOINTS_HEADER, ENTRY_LINE_PREFIX } from "./endpoints-file";
import { LAUNCHER_LABEL, WorkerOptions, resolveWorkerOptions } from "./workers";

/** The Ray replica set. */
export interface RayWorkersOptions extends WorkerOptions {
    /** vLLM replicas (Ray actors), each with `tensorParallelSize` GPUs. */
    replicas: number;
    /** Seconds between health checks of the registered replicas. Default 10. */
    healthIntervalSeconds?: number;
}

// Python literals from JSON: strings, lists and dicts of strings print identically.
const py = (value: unknown) => JSON.stringify(value);

/** The driver script (`python3 <file>` on a node of the Ray cluster). */
export function renderRayScript(options: RayWorkersOptions): string {
    const w = resolveWorkerOptions(options);
    const replicas = requireInteger("replicas", options.replicas, 1, 4096);
    const healthInterval = requireInteger("healthIntervalSeconds", options.healthIntervalSeconds ?? 10, 1, 3600);
    return `#!/usr/bin/env python3
"""Rendered by llmd: ${replicas} vLLM replica(s) of ${w.model} as Ray actors, listed in
${w.endpointsFile} for the llm-d router while they serve.

Run it on a node of the Ray cluster that can write the endpoints file:
    RAY_ADDRESS=auto python3 llmd_ray_workers.py
Stop it with Ctrl-C or SIGTERM: it removes its replicas from the file, then stops them.
"""
import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

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
HEALTH_INTERVAL_SECONDS = ${healthInterval}
HEADER = ${py(ENDPOINTS_HEADER)}
PREFIX = ${py(ENTRY_LINE_PREFIX)}


def entry_line(entry):
    """One endpoint as a single-line JSON object (valid YAML), the layout every llmd launcher edits."""
    return PREFIX + json.dumps(entry, separators=(",", ":"))


def update_endpoints(own_prefix, entries):
    """Replaces this driver's endpoints (names starting with own_prefix) by entries, keeping everyone else's."""
    directory = os.path.dirname(ENDPOINTS_FILE) or "."
    os.makedirs(directory, exist_ok=True)
    with open(ENDPOINTS_FILE + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            kept = []
            try:
                with open(ENDPOINTS_FILE) as current:
                    for line in current:
                        line = line.rstrip("\\n")
                        if not line.startswith(PREFIX + "{"):
                            continue
                        try:
                            name = json.loads(line[len(PREFIX):]).get("name", "")
                        except ValueError:
                            name = ""
                        if not str(name).startswith(own_prefix):
                            kept.append(line)
            except FileNotFoundError:
                pass
            lines = kept + [entry_line(e) for e in entries]
            text = HEADER + ("\\n" + "\\n".join(lines) + "\\n" if lines else " []\\n")
            # Same directory, so the rename is atomic and the router sees one complete file or the other.
            fd, tmp = tempfile.mkstemp(prefix=os.path.basename(ENDPOINTS_FILE) + ".", dir=directory)
            try:
                with os.fdopen(fd, "w") as out:
                    out.write(text)
                os.chmod(tmp, 0o644)
                os.replace(tmp, ENDPOINTS_FILE)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@ray.remote(num_gpus=TENSOR_PARALLEL_SIZE)
class VllmReplica:
    """One vLLM server on the GPUs Ray gave this actor."""

    def __init__(self, index):
        self.index = index
        # Distinct ports, so replicas Ray places on one machine do not collide.
        self.port = BASE_PORT + index
        self.process = None

    def start(self):
        address = ray.util.get_node_ip_address()
        command = ["vllm", "serve", MODEL, "--host", "0.0.0.0", "--port", str(self.port),
                   "--served-model-name", SERVED_MODEL_NAME,
                   "--tensor-parallel-size", str(TENSOR_PARALLEL_SIZE)] + VLLM_ARGS
        self.process = subprocess.Popen(command)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not http_ok("http://127.0.0.1:%d/v1/models" % self.port):
            if self.process.poll() is not None:
                raise RuntimeError("vLLM on %s:%d exited with %s before it was ready" % (address, self.port, self.process.returncode))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("vLLM on %s:%d not ready after %ds" % (address, self.port, READY_TIMEOUT_SECONDS))
            time.sleep(5)
        return {"address": address, "port": str(self.port)}

    def healthy(self):
        return self.process is not None and self.process.poll() is None and http_ok("http://127.0.0.1:%d/health" % self.port)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()


def main():
    ray.init(address=os.environ.get("RAY_ADDRESS", "auto"))
    own_prefix = "ray-%s-" % ray.get_runtime_context().get_job_id()
    # SIGTERM takes the same path as Ctrl-C: deregister, then stop the replicas.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    actors = [VllmReplica.remote(i) for i in range(REPLICAS)]
    registered = {}

    def publish():
        update_endpoints(own_prefix, [registered[i] for i in sorted(registered)])

    try:
        pending = {actor.start.remote(): i for i, actor in enumerate(actors)}
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            index = pending.pop(done[0])
            try:
                where = ray.get(done[0])
            except Exception as error:  # a replica that fails to start is reported, not registered
                print("llmd: replica %d failed: %s" % (index, error), file=sys.stderr)
                continue
            labels = dict(LABELS)
            labels["ray.replica"] = str(index)
            registered[index] = {"name": own_prefix + str(index), "namespace": NAMESPACE,
                                 "address": where["address"], "port": where["port"], "labels": labels}
            publish()
            print("llmd: replica %d serves %s at %s:%s" % (index, SERVED_MODEL_NAME, where["address"], where["port"]))
        if not registered:
            print("llmd: no replica started", file=sys.stderr)
            return 1
        while registered:
            time.sleep(HEALTH_INTERVAL_SECONDS)
            for index in sorted(registered):
                try:
                    ok = ray.get(actors[index].healthy.remote(), timeout=30)
                except Exception:
                    ok = False
                if not ok:
                    print("llmd: replica %d stopped answering; removing it" % index, file=sys.stderr)
                    del registered[index]
                    publish()
        return 1
    finally:
        registered.clear()
        update_endpoints(own_prefix, [])
        for actor in actors:
            try:
                ray.get(actor.stop.remote(), timeout=90)
            except Exception:
                pass


if __name__ == "__main__":
    sys.exit(main())
`;
}
