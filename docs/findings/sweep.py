#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""docs/findings/sweep.py: the sweep tables of docs/findings.md.

kvmsqueeze compare and report put arms side by side; a sweep (the same
question at 1, 8, 64 and 256 vCPUs, or at 1 to 4096 address spaces) is one
row per set instead. This reads the result files (rep-*.json, as written by
kvmsqueeze run and make ab) of each set and prints one row per set: the
median over the runs and, where the runs differ, their range. Standard
library only; the numbers are the ones in the files, nothing is fitted.

usage: sweep.py [--tsv] pt|alias|idle DIR...
  --tsv: medians only, tab-separated, a header line starting with #
  (gnuplot data: docs/findings/alias.gp)
  DIR: a set (a directory of rep-*.json) or a make ab output (its sets are
  found under it), in the order the rows should have.
"""
import glob
import json
import os
import statistics
import sys

KiB, MiB = 1024, 1024 * 1024


def sets_under(d):
    if glob.glob(os.path.join(d, "rep-*.json")):
        return [d]
    for depth in (["*"], ["*", "*"]):
        found = sorted(set(os.path.dirname(p) for p in
                           glob.glob(os.path.join(d, *depth, "rep-*.json"))))
        if found:
            return found
    sys.exit("sweep.py: %s: no rep-*.json in it or one or two levels down" % d)


def load(d):
    runs = []
    for p in sorted(glob.glob(os.path.join(d, "rep-*.json"))):
        with open(p) as f:
            r = json.load(f)
        if r.get("complete"):
            runs.append(r)
    if not runs:
        sys.exit("sweep.py: %s: no complete result" % d)
    return runs


def vm0(r):
    return r["vms"][0]["result"]


def kvm_end(r, key):
    return sum(v["result"]["kvm_stats"]["vm"]["end"].get(key, 0) for v in r["vms"])


TSV = False


def med(vals, fmt="%.0f"):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "NaN" if TSV else "n/a"
    m = fmt % statistics.median(vals)
    if TSV:
        return m
    lo, hi = fmt % min(vals), fmt % max(vals)
    return m if lo == hi else "%s (%s-%s)" % (m, lo, hi)


def row_pt(runs):
    v = vm0(runs[0])
    mem = v["mem_bytes"]
    sec = [r["summary"]["page_tables"]["sec_pagetables_bytes"]["peak"] for r in runs]
    kern = [r["summary"]["memcg"]["kernel_bytes"]["peak"] for r in runs]
    touched = [sum(c["pages_touched"] for c in vm0(r)["vcpus"]) * 4096 for r in runs]
    return [runs[0]["host"]["mmu"], "%dk" % (v["guest_page_bytes"] // KiB)
            if v["guest_page_bytes"] < MiB else "%dM" % (v["guest_page_bytes"] // MiB),
            "%d" % (mem // MiB), med([t / MiB for t in touched]),
            med([s / KiB for s in sec]),
            med([100.0 * s / t for s, t in zip(sec, touched)], "%.3f"),
            med([k / MiB for k in kern], "%.1f"),
            med([kvm_end(r, "pages_4k") for r in runs]),
            med([kvm_end(r, "pages_2m") for r in runs])]


def row_alias(runs):
    v = vm0(runs[0])
    mem = v["mem_bytes"]
    c = v["vcpus"][0]["counters"]
    sec = [r["summary"]["page_tables"]["sec_pagetables_bytes"]["peak"] for r in runs]
    kern = [r["summary"]["memcg"]["kernel_bytes"]["peak"] for r in runs]
    return [runs[0]["host"]["mmu"], str(v.get("nr_mmu_pages", "own")), "%d" % (mem // MiB),
            str(c["spaces"]),
            "%.1f" % (c["table_pages"] * 4096 / MiB),
            med([s / MiB for s in sec], "%.2f"), med([100.0 * s / mem for s in sec], "%.2f"),
            med([k / MiB for k in kern], "%.1f"), med([100.0 * k / mem for k in kern], "%.1f"),
            med([kvm_end(r, "mmu_recycled") for r in runs]),
            med([vm0(r)["vcpus"][0]["counters"]["cr3_switches"] for r in runs])]


def row_idle(runs):
    n = sum(x["vcpus"] for x in runs[0]["vms"])
    idle = [r["summary"]["idle_cache_pages_per_vcpu"] for r in runs]
    kern = [r["summary"]["memcg"]["kernel_bytes"]["peak"] for r in runs]
    sec = [r["summary"]["page_tables"]["sec_pagetables_bytes"]["peak"] for r in runs]
    return [runs[0]["host"]["mmu"], str(n), med(idle, "%.1f"),
            med([None if i is None else i * n * 4096 / MiB for i in idle], "%.2f"),
            med([k / n / KiB for k in kern], "%.0f"),
            med([s / n / KiB for s in sec], "%.1f"), str(len(runs))]


TABLES = {
    "pt": (row_pt, ["mmu", "guest page", "RAM MiB", "touched MiB", "SecPT KiB",
                    "% of touched", "kmem MiB", "pages_4k", "pages_2m"]),
    "alias": (row_alias, ["mmu", "cap", "RAM MiB", "spaces", "guest PT MiB", "SecPT MiB",
                          "% RAM", "kmem MiB", "% RAM", "recycled", "CR3 loads"]),
    "idle": (row_idle, ["mmu", "vCPUs", "idle pages/vCPU", "idle MiB",
                        "kmem KiB/vCPU", "SecPT KiB/vCPU", "runs"]),
}


def main():
    global TSV
    args = sys.argv[1:]
    if args and args[0] == "--tsv":
        TSV = True
        args = args[1:]
    if len(args) < 2 or args[0] not in TABLES:
        sys.exit(__doc__)
    fn, head = TABLES[args[0]]
    rows = [head]
    for d in args[1:]:
        for s in sets_under(d):
            rows.append(fn(load(s)))
    if TSV:
        print("# " + "\t".join(c.replace(" ", "_") for c in head))
        for r in rows[1:]:
            print("\t".join(r))
        return
    w = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        print("  ".join(c.rjust(w[i]) for i, c in enumerate(r)).rstrip())


if __name__ == "__main__":
    main()
