#!/usr/bin/env python3
"""tests/checks/layers.py: the folders' layering, checked two ways.

  layers.py includes SRCROOT   every #include "dir/x.h" points down the order
  layers.py calls BUILDDIR     no two object files call each other (nm)

Prints "ok NAME" or "not ok NAME: why" lines (tests/layers.sh numbers them).
"""
import os
import re
import subprocess
import sys

# Top to bottom: a folder may include from itself and from folders after it.
ORDER = ["experiments", "analysis", "vmm", "guests", "abi", "common"]
ALLOWED = {
    "experiments": {"experiments", "vmm", "abi", "common"},
    "analysis": {"analysis", "common"},
    "vmm": {"vmm", "abi", "common"},
    "guests": {"guests", "abi"},
    "abi": {"abi"},
    "common": {"common"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.M)


def check_includes(root):
    bad = []
    for folder, allowed in ALLOWED.items():
        for dirpath, _, files in os.walk(os.path.join(root, folder)):
            for f in files:
                if not f.endswith((".c", ".h", ".S")):
                    continue
                path = os.path.join(dirpath, f)
                with open(path, encoding="utf-8") as fh:
                    for target in INCLUDE.findall(fh.read()):
                        if target in ALLOWED and target not in allowed:
                            bad.append(f"{os.path.relpath(path, root)} includes {target}/")
    if bad:
        print(f"not ok layers_includes: {len(bad)} includes point up: " + "; ".join(bad[:5]))
    else:
        print("ok layers_includes")


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBR":
            defined.add(parts[2])
    return defined, undefined


def check_calls(build):
    objs = []
    for folder in ALLOWED:
        d = os.path.join(build, folder)
        for dirpath, _, files in os.walk(d):
            if "/obj" in dirpath[len(build):]:
                continue  # the guests' freestanding objects
            objs += [os.path.join(dirpath, f) for f in files
                     if f.endswith(".o") and not os.path.basename(f).startswith("builtin-")]
    if not objs:
        print(f"skip layers_calls: no object files under {build}")
        return
    owner, uses = {}, {}
    for o in objs:
        defined, undefined = symbols(o)
        name = os.path.relpath(o, build)
        for s in defined:
            owner[s] = name
        uses[name] = undefined
    edges = {(a, owner[s]) for a, u in uses.items() for s in u if s in owner and owner[s] != a}
    pairs = sorted({tuple(sorted(e)) for e in edges if (e[1], e[0]) in edges})
    if pairs:
        print("not ok layers_calls: files that call each other: " +
              "; ".join(f"{a} <-> {b}" for a, b in pairs))
    else:
        print(f"ok layers_calls ({len(objs)} objects, {len(edges)} arrows, none both ways)")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("includes", "calls"):
        sys.exit(__doc__)
    (check_includes if sys.argv[1] == "includes" else check_calls)(sys.argv[2])
