#!/usr/bin/env python3
"""A stand-in for `vllm serve` in the off-Kubernetes integration tests: no model, no GPU.

    stub-vllm.py serve MODEL --port P --served-model-name NAME [NAME...] [--stub-state DIR]
                 [--stub-fail] [--stub-bind-delay SECONDS] [other vLLM flags, ignored]

Like vLLM it answers /health with 200 and lists every served model name in /v1/models (the launchers pass
their launch token as the second one), and exits with "Address already in use" when the port is taken.
Unlike vLLM it listens on 127.0.0.1 only, whatever --host says. With --stub-state it writes its pid to
DIR/<port>.pid, so a test can SIGSTOP it to play a hung server. --stub-fail exits at once with status 3;
--stub-bind-delay sleeps before binding, as vLLM does while it loads the model.
"""
import http.server
import json
import os
import sys
import time


def parse(argv):
    if len(argv) < 2 or argv[0] != "serve":
        sys.exit("usage: stub-vllm.py serve MODEL [flags]")
    options = {"model": argv[1], "names": [], "state": None, "fail": False, "delay": 0.0, "port": 8000}
    i = 2
    while i < len(argv):
        arg = argv[i]
        if arg == "--port":
            options["port"] = int(argv[i + 1])
            i += 2
        elif arg == "--served-model-name":
            i += 1
            while i < len(argv) and not argv[i].startswith("--"):
                options["names"].append(argv[i])
                i += 1
        elif arg == "--stub-state":
            options["state"] = argv[i + 1]
            i += 2
        elif arg == "--stub-bind-delay":
            options["delay"] = float(argv[i + 1])
            i += 2
        elif arg == "--stub-fail":
            options["fail"] = True
            i += 1
        else:
            i += 1
    return options


def main():
    options = parse(sys.argv[1:])
    if options["fail"]:
        print("stub-vllm: failing on purpose", file=sys.stderr)
        sys.exit(3)
    time.sleep(options["delay"])
    names = options["names"] or [options["model"]]
    models = json.dumps({"object": "list", "data": [
        {"id": name, "object": "model", "owned_by": "vllm", "root": options["model"]} for name in names]}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/health":
                body = b""
            elif self.path == "/v1/models":
                body = models
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    try:
        server = http.server.HTTPServer(("127.0.0.1", options["port"]), Handler)
    except OSError as error:
        print("stub-vllm: [Errno %s] error while attempting to bind on address ('127.0.0.1', %d): Address already in use"
              % (error.errno, options["port"]), file=sys.stderr)
        sys.exit(1)
    if options["state"]:
        with open(os.path.join(options["state"], "%d.pid" % options["port"]), "w") as out:
            out.write(str(os.getpid()))
    server.serve_forever()


if __name__ == "__main__":
    main()
