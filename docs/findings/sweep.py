#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""docs/findings/sweep.py: the sweep tables of docs/findings.md.

kvmsqueeze compare and report put arms side by side; a sweep (the same
question at 1, 8, 64 and 256 vCPUs, or at 1 to 4096 address spaces) is one
row per set instead. This reads the result files (rep-*.json, as written by
kvmsqueeze run and make ab) of each set and prints one row per set: the
median over the runs and, where the runs differ, their range. Standard
library only; the numbers are the ones in the files, nothing is fitted.

usage: sweep.py [--tsv] pt|alias|idle|density DIR...
       sweep.py cmp [--labels L1,L2,...] CSV METRIC...
       sweep.py arms CSV METRIC...
  cmp: the rows of kvmsqueeze compare --format csv (CSV, - for stdin) for
  those metrics, one line per experiment and set after the first: the
  medians, the change and Holm's p, "*" where compare called it
  significant, and with compare --mde the smallest detectable change;
  --labels names the concatenated CSVs' rows, one label each
  arms: the same rows as one line per set (the arms of one experiment):
  the median of each metric, "*" where compare called the change against
  the first set significant; a set named like the first is its A/A twin
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
            med([vm0(r)["vcpus"][0]["counters"]["cr3_switches"] for r in runs]),
            med([r["summary"]["run_s"] for r in runs])]


def row_idle(runs):
    n = sum(x["vcpus"] for x in runs[0]["vms"])
    idle = [r["summary"]["idle_cache_pages_per_vcpu"] for r in runs]
    kern = [r["summary"]["memcg"]["kernel_bytes"]["peak"] for r in runs]
    sec = [r["summary"]["page_tables"]["sec_pagetables_bytes"]["peak"] for r in runs]
    return [runs[0]["host"]["mmu"], str(n), med(idle, "%.1f"),
            med([None if i is None else i * n * 4096 / MiB for i in idle], "%.2f"),
            med([k / n / KiB for k in kern], "%.0f"),
            med([s / n / KiB for s in sec], "%.1f"), str(len(runs))]


def row_density(runs):
    n = sum(x["count"] for x in runs[0]["spec"]["vms"])
    idle = [r["summary"].get("idle_cache_pages_total") for r in runs]
    kern = [r["summary"]["memcg"]["kernel_bytes"]["peak"] for r in runs]
    sec = [r["summary"]["page_tables"]["sec_pagetables_bytes"]["peak"] for r in runs]
    return [runs[0]["host"]["mmu"], str(n), str(len(runs)), med(idle),
            med([None if i is None else i / n for i in idle], "%.1f"),
            med([k / MiB for k in kern], "%.1f"), med([k / n / KiB for k in kern]),
            med([s / KiB for s in sec])]


TABLES = {
    "pt": (row_pt, ["mmu", "guest page", "RAM MiB", "touched MiB", "SecPT KiB",
                    "% of touched", "kmem MiB", "pages_4k", "pages_2m"]),
    "alias": (row_alias, ["mmu", "cap", "RAM MiB", "spaces", "guest PT MiB", "SecPT MiB",
                          "SecPT %RAM", "kmem MiB", "kmem %RAM", "recycled", "CR3 loads",
                          "run s"]),
    "idle": (row_idle, ["mmu", "vCPUs", "idle pages/vCPU", "idle MiB",
                        "kmem KiB/vCPU", "SecPT KiB/vCPU", "runs"]),
    "density": (row_density, ["mmu", "VMs", "runs", "idle pages", "per VM",
                              "kmem MiB", "kmem KiB/VM", "SecPT KiB"]),
}


def scaled(m):
    """A metric's column name and factor: ns shown in us, bytes in KiB."""
    if m.endswith("_ns"):
        return m[:-3] + "_us", 1e-3
    if m.endswith("_bytes"):
        return m[:-6] + "_KiB", 1 / 1024
    return m, 1


def fmt_num(x):
    x = float(x)
    return "%.3g" % x if abs(x) < 1000 else "%.0f" % x


def read_blocks(path):
    """Rows of one or more concatenated compare CSVs, each keyed by its
    block and experiment: the same experiment in two blocks stays apart."""
    import csv
    f = sys.stdin if path == "-" else open(path)
    rows, block, header = [], 0, None
    for line in csv.reader(f):
        if line and line[0] == "experiment":
            header, block = line, block + 1
            continue
        if header and line:
            r = dict(zip(header, line))
            r["key"] = (block, r["experiment"])
            rows.append(r)
    return rows


def by_experiment(rows, metrics):
    """(key, {metric: its rows, one per set}, number of sets) per block
    and experiment, in the order they came."""
    keys = []
    for r in rows:
        if r["key"] not in keys:
            keys.append(r["key"])
    for key in keys:
        per = {m: [r for r in rows if r["key"] == key and r["metric"] == m] for m in metrics}
        yield key, per, max(len(v) for v in per.values())


def print_table(rows):
    w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.rjust(w[i]) for i, c in enumerate(r)).rstrip())


def cmp_table(path, metrics, labels=None):
    rows = read_blocks(path)
    mde = any(r.get("mde") for r in rows)
    head = ["experiment", "set"]
    for m in metrics:
        head += [scaled(m)[0] + " A", "B", "change", "Holm p"] + (["MDE"] if mde else [])
    out = [head]
    for key, per, n in by_experiment(rows, metrics):
        e = key[1]
        for i in range(1, n):
            if labels and key[0] <= len(labels):
                e = labels[key[0] - 1] + ": " + e
            line = [e, per[metrics[0]][i]["arm"].split(":")[-1] if len(per[metrics[0]]) > i else "?"]
            for m in metrics:
                v = per[m]
                if len(v) <= i or v[0]["median"] == "" or v[i]["median"] == "":
                    line += ["n/a", "n/a", "", ""] + ([""] if mde else [])
                    continue
                ch = v[i]["change"]
                k = scaled(m)[1]
                line += [fmt_num(k * float(v[0]["median"])), fmt_num(k * float(v[i]["median"])),
                         ("%+.1f%%" % (100 * float(ch)) if ch not in ("", "inf", "-inf") else ch) +
                         ("*" if v[i]["significant"] == "1" else ""),
                         "%.3f" % float(v[i]["p_holm"]) if v[i]["p_holm"] else "-"]
                if mde:
                    line.append("%.2f%%" % (100 * float(v[i]["mde"])) if v[i].get("mde") else "-")
            out.append(line)
    print_table(out)


def arms_table(path, metrics):
    rows = read_blocks(path)
    head = ["experiment", "set"] + [scaled(m)[0] for m in metrics]
    out = [head]
    for key, per, n in by_experiment(rows, metrics):
        e = key[1]
        first = per[metrics[0]][0]["arm"].split(":")[0]
        for i in range(n):
            arm = per[metrics[0]][i]["arm"]
            line = [e, arm.split(":")[-1] + (" (A/A)" if i and arm.split(":")[0] == first else "")]
            for m in metrics:
                v = per[m]
                if len(v) <= i or v[i]["median"] == "":
                    line.append("n/a")
                    continue
                k = scaled(m)[1]
                line.append(fmt_num(k * float(v[i]["median"])) +
                            ("*" if v[i]["significant"] == "1" else ""))
            out.append(line)
    print_table(out)


def main():
    global TSV
    args = sys.argv[1:]
    if len(args) >= 5 and args[0] == "cmp" and args[1] == "--labels":
        return cmp_table(args[3], args[4:], args[2].split(","))
    if len(args) >= 3 and args[0] in ("cmp", "arms"):
        return (cmp_table if args[0] == "cmp" else arms_table)(args[1], args[2:])
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
    print_table(rows)


if __name__ == "__main__":
    main()
