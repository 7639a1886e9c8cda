#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/checks/schema_names.py [KVMSQUEEZE]: the names in
experiments/spec.schema.json are the code's. The metric ids are the table
of common/metrics.c; the guests, each one's parameters (plus the
runtime's, which every guest takes) and what each takes (choices, or a
number or size and its range) are what `KVMSQUEEZE vm --list-guests`
prints (without KVMSQUEEZE that test is skipped). Prints "ok NAME",
"not ok NAME: why" or "skip NAME: why". Python 3 standard library only.
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def report(name, problems):
    if problems:
        print("not ok %s: %s" % (name, "; ".join(problems)))
    else:
        print("ok %s" % name)


def metric_ids(schema):
    with open(os.path.join(ROOT, "common", "metrics.c"), encoding="utf-8") as f:
        src = f.read()
    table = src[src.index("const struct metric metrics[] = {"):src.index("metric_renames[]")]
    ids = set(re.findall(r'^\s*\{\s*"([a-z0-9_]+)"', table, re.M))
    enum = set(schema["$defs"]["metric"]["enum"])
    if ids and ids == enum:
        return []
    return ["metrics.c has %d ids, the schema %d; only in metrics.c: %s; only in the schema: %s"
            % (len(ids), len(enum), sorted(ids - enum), sorted(enum - ids))]


def takes(text):
    """What a "takes ..." line of --list-guests says a parameter takes:
    ("one of", [values]) or ("number", min, max or None)."""
    m = re.match(r"^a number or size(?: of at least (\d+))?$", text)
    if m:
        return ("number", int(m.group(1) or 0), None)
    m = re.match(r"^a number from (\d+) to (\d+)$", text)
    if m:
        return ("number", int(m.group(1)), int(m.group(2)))
    return ("one of", re.split(r", | or ", text))


def schema_takes(s):
    """The same from a parameter's value schema."""
    if "enum" in s:
        return ("one of", [v for v in s["enum"] if isinstance(v, str)])
    i = next(a for a in s["anyOf"] if a.get("type") == "integer")
    return ("number", i["minimum"], i.get("maximum"))


def listed_guests(text):
    """{guest: {param: takes}} and the runtime's {param: takes}, from
    `kvmsqueeze vm --list-guests`."""
    guests, runtime, params, last = {}, {}, None, None
    for line in text.splitlines():
        if line.startswith("every guest"):
            params = runtime
        elif re.match(r"^[a-z0-9_-]+\s", line):
            params = guests.setdefault(line.split()[0], {})
        elif re.match(r"^  [A-Za-z0-9_]+\s", line) and params is not None:
            last = line.split()[0]
            params[last] = None
        elif line.strip().startswith("takes ") and params is not None and last in params:
            params[last] = takes(line.strip()[len("takes "):])
    return guests, runtime


def guests(schema, kvmsqueeze):
    out = subprocess.run([kvmsqueeze, "vm", "--list-guests"], capture_output=True, text=True)
    if out.returncode:
        return ["vm --list-guests exited %d" % out.returncode]
    listed, runtime = listed_guests(out.stdout)
    vm = schema["$defs"]["vm"]
    mine = {r["if"]["properties"]["guest"]["const"]: r["then"]["properties"]["params"]
            for r in vm["allOf"]}
    bad = []
    if not runtime:
        bad.append("--list-guests names no runtime parameters")
    if set(vm["properties"]["guest"]["enum"]) != set(listed) or set(mine) != set(listed):
        bad.append("the schema's guests %s, --list-guests %s"
                   % (sorted(vm["properties"]["guest"]["enum"]), sorted(listed)))
    for g, ps in sorted(listed.items()):
        want = dict(ps, **runtime)
        have = mine.get(g, {"propertyNames": {"enum": []}, "properties": {}})
        if set(have["propertyNames"]["enum"]) != set(want):
            bad.append("%s: the schema takes %s, --list-guests %s"
                       % (g, sorted(have["propertyNames"]["enum"]), sorted(want)))
            continue
        for k, t in sorted(want.items()):
            st = schema_takes(have["properties"][k])
            if st != t:
                bad.append("%s.%s: the schema takes %s, --list-guests %s" % (g, k, st, t))
    return bad


def main(argv):
    with open(os.path.join(ROOT, "experiments", "spec.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    report("schema_metric_ids", metric_ids(schema))
    if len(argv) < 2 or not os.access(argv[1], os.X_OK):
        print("skip schema_guests: no kvmsqueeze binary")
    else:
        report("schema_guests", guests(schema, argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
