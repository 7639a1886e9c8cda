#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check experiment specs against experiments/spec.schema.json.

usage: tests/checks/schema_spec.py FILE...

A FILE is a spec, or a result (an object with "spec" and "run"), whose
"spec" is checked. Prints "FILE: PATH: problem" per problem and exits 1
if there was any, 0 if none, 2 on usage or without python3-jsonschema.
The schema says what a spec's keys, types, ranges and names are; what it
cannot say (experiments/SPEC.md, "Checks after parsing"; the sum of the
VM counts; steps that go back in time; a ramp's order) only spec.c
checks: `kvmsqueeze run --primaries FILE` runs both.
"""
import gzip
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schema_lib  # noqa: E402


def main(argv):
    files = argv[1:]
    if not files or any(a.startswith("-") for a in files):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        v = schema_lib.validator(schema_lib.load("spec"))
    except schema_lib.Missing as e:
        print("schema_spec.py: %s" % e, file=sys.stderr)
        return 2
    failed = False
    for path in files:
        try:
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rt", encoding="utf-8") as f:
                d = json.load(f)
        except (OSError, ValueError) as e:
            print("%s: (file): %s" % (path, e))
            failed = True
            continue
        if isinstance(d, dict) and "run" in d and "spec" in d:
            d = d["spec"]
        for where, msg in schema_lib.errors(v, d, "spec"):
            print("%s: %s: %s" % (path, where, msg))
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
