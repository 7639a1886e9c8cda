#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/checks/schema_table.py METRICS_BIN: experiments/result.schema.json
and the summary table of common/summary_table.c describe the same
summary. METRICS_BIN is the unit test binary whose --json prints the
table (build/tests/unit/metrics). Every entry of the table is a key the
schema knows, and every key the schema has for today's files (not those
marked deprecated, kept for older files) is an entry of the table.
Prints "ok schema_summary_table" or "not ok schema_summary_table: why".
Python 3 standard library only.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
LEAVES = ("level", "delta", "histogram")   # the table lists their leaves once, not per key


def schema_paths(defs, node, path, paths, open_at):
    """Collect the dotted paths under @node; @open_at gets objects any key may join."""
    if "$ref" in node:
        ref = node["$ref"].rsplit("/", 1)[-1]
        if ref in LEAVES:
            return
        node = defs[ref]
    if isinstance(node.get("additionalProperties"), dict):
        open_at.add(path)
    for key, sub in node.get("properties", {}).items():
        if sub.get("deprecated"):
            continue
        paths.add(f"{path}.{key}")
        schema_paths(defs, sub, f"{path}.{key}", paths, open_at)
    for alt in node.get("anyOf", []) + node.get("oneOf", []):
        schema_paths(defs, alt, path, paths, open_at)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(os.path.join(ROOT, "experiments", "result.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    try:
        out = subprocess.run([sys.argv[1], "--json"], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"not ok schema_summary_table: {sys.argv[1]} --json: {e}")
        return
    table = {e["path"] for e in json.loads(out)["summary"]}
    paths, open_at = set(), set()
    schema_paths(schema["$defs"], schema["$defs"]["summary"], "summary", paths, open_at)
    only_table = sorted(p for p in table - paths if p.rsplit(".", 1)[0] not in open_at)
    only_schema = sorted(paths - table)
    if only_table or only_schema:
        print("not ok schema_summary_table: only in the table: %s; only in the schema: %s"
              % (only_table or "none", only_schema or "none"))
    else:
        print(f"ok schema_summary_table ({len(table)} entries)")


if __name__ == "__main__":
    main()
