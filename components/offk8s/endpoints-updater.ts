/**
 * The one piece of code that rewrites a shared endpoints file, in Python because it runs where the launchers
 * run (Slurm compute nodes, the Ray driver's machine) and Python is what those have. Both launchers embed
 * this same text, so Slurm and Ray writers lock, parse and write the file identically.
 *
 * It parses the whole file (JSON with the standard library, YAML with PyYAML when installed), drops only
 * the entries its caller owns, appends the caller's new ones, keeps every other entry and top-level key as
 * parsed, and writes JSON (valid YAML, readable without PyYAML next time) to a temp file renamed over the
 * original under an exclusive `flock` on `<file>.lock`. A file it cannot parse is left untouched and the
 * update fails: deleting entries it does not understand would silently drop other people's workers.
 */

/** Python source defining `update_endpoints(path, owned, entries)` (and helpers); embed it at module level. */
export const ENDPOINTS_UPDATER_LIB = String.raw`
import fcntl
import json
import os
import sys
import tempfile


def _line_layout(text):
    """llmd's earlier layout ("endpoints:" then one "  - {json}" per line), readable without PyYAML."""
    entries = []
    header = False
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line or line.lstrip().startswith("#"):
            continue
        if not header and line in ("endpoints:", "endpoints: []"):
            header = True
            continue
        if header and line.startswith("  - {"):
            entries.append(json.loads(line[4:]))
            continue
        raise ValueError("it is YAML that needs PyYAML to read (pip install pyyaml, or apt-get install python3-yaml)")
    return {"endpoints": entries}


def _parse(text):
    if not text.strip():
        return {"endpoints": []}
    try:
        doc = json.loads(text)
    except ValueError:
        try:
            import yaml
        except ImportError:
            doc = _line_layout(text)
        else:
            doc = yaml.safe_load(text)
    if doc is None:
        doc = {"endpoints": []}
    if not isinstance(doc, dict) or not isinstance(doc.get("endpoints", []), list):
        raise ValueError("expected a mapping with an endpoints list")
    doc.setdefault("endpoints", [])
    return doc


def _render(doc):
    # One entry per line, so a human (or diff) can read the file; still one JSON document.
    lines = [json.dumps(e, separators=(",", ":"), default=str) for e in doc["endpoints"]]
    body = "[\n  " + ",\n  ".join(lines) + "\n]" if lines else "[]"
    rest = "".join(", %s: %s" % (json.dumps(k), json.dumps(v, default=str)) for k, v in doc.items() if k != "endpoints")
    return '{"endpoints": ' + body + rest + "}\n"


def update_endpoints(path, owned, entries):
    """Under an exclusive lock: drops the entries owned(entry) is true for, appends entries, keeps the rest."""
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            try:
                with open(path) as current:
                    text = current.read()
            except FileNotFoundError:
                text = ""
            try:
                doc = _parse(text)
            except Exception as error:
                raise RuntimeError("llmd: not rewriting %s, which is left as it is: %s" % (path, error))
            doc["endpoints"] = [e for e in doc["endpoints"] if not (isinstance(e, dict) and owned(e))] + list(entries)
            # Same directory, so the rename is atomic: the router reads one whole file or the other.
            fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", dir=directory)
            try:
                with os.fdopen(fd, "w") as out:
                    out.write(_render(doc))
                os.chmod(tmp, 0o644)
                os.replace(tmp, path)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
`;

/** `ENDPOINTS_UPDATER_LIB` as a script for `python3 -c`: `<file> <name> [<entry as JSON>]`. */
export const ENDPOINTS_UPDATER_CLI = ENDPOINTS_UPDATER_LIB + String.raw`

if __name__ == "__main__":
    # CLI for shell launchers: <file> <name> [<entry as JSON>]. Replaces the entry called <name> by the given
    # one, or removes it when none is given.
    try:
        name = sys.argv[2]
        update_endpoints(sys.argv[1], lambda e: e.get("name") == name, [json.loads(sys.argv[3])] if len(sys.argv) > 3 and sys.argv[3] else [])
    except Exception as error:
        print(str(error), file=sys.stderr)
        sys.exit(1)
`;
