#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/checks/readme_help.py [--fix] KVMSQUEEZE FILE.md...: every usage
block a document quotes (a fenced block starting "usage: kvmsqueeze CMD")
is what `KVMSQUEEZE CMD --help` prints today, so the docs cannot drift
from the help text the man pages are made from. One "ok"/"not ok" line
per file. --fix rewrites the blocks that differ with the help text (for
after a --help change; review the diff).
"""
import difflib
import re
import subprocess
import sys

BLOCK = re.compile(r"^```[a-z]*\n(usage: kvmsqueeze( [a-z]+)?[^\n]*\n.*?)^```", re.M | re.S)


def help_text(kvmsqueeze, cmd):
    argv = [kvmsqueeze] + ([cmd.strip()] if cmd else []) + ["--help"]
    return subprocess.run(argv, capture_output=True, text=True).stdout


def fix(kvmsqueeze, path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    new = BLOCK.sub(lambda m: m.group(0)[:m.start(1) - m.start(0)] +
                    help_text(kvmsqueeze, m.group(2)).rstrip("\n") + "\n```", text)
    if new != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
        print(f"{path}: usage blocks rewritten")


def check(kvmsqueeze, path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    name = "help_in_" + re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_")
    blocks = BLOCK.findall(text)
    if not blocks:
        print(f"not ok {name}: no usage block in {path}")
        return
    bad = []
    for block, cmd in blocks:
        argv = [kvmsqueeze] + ([cmd.strip()] if cmd else []) + ["--help"]
        out = help_text(kvmsqueeze, cmd)
        if out.rstrip("\n") != block.rstrip("\n"):
            diff = difflib.unified_diff(block.splitlines(), out.splitlines(), lineterm="", n=0)
            first = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
            bad.append(f"'{' '.join(argv[1:])}' differs: {' | '.join(first[:2])}")
    if bad:
        print(f"not ok {name}: " + "; ".join(bad))
    else:
        print(f"ok {name} ({len(blocks)} usage blocks)")


if __name__ == "__main__":
    args = sys.argv[1:]
    do = check
    if args[:1] == ["--fix"]:
        do, args = fix, args[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    for p in args[1:]:
        do(args[0], p)
