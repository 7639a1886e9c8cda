#!/usr/bin/env python3
"""docs/findings/idle_levels.py: how many pages idle in each vCPU's MMU
memory caches, by workload and phase, from kvmsqueeze result files.

Usage: docs/findings/idle_levels.py RESULT... (files rep-<n>.json or
       rep-<n>.json.gz, or directories searched for them)

Reads the per-vCPU series kvm.vm<i>.vcpu<j>.mmu_cache_pages (one point
per sample period; experiments/RESULT.md, "series") and the phase markers
of every vCPU (the result's "phases"), and sorts each sample of a vCPU
into a phase of that vCPU:

  during  the vCPU is inside one of its guest's working phases (every
          phase but "idle": touch's "touch", workingset's "populate" and
          "steady", churn's "churn", idle's "touch"), BEGIN to END;
  after   the vCPU ended its last working phase (idle's "idle" phase, a
          vCPU that finished before the others of its VM, the stop).

Samples before the vCPU's first BEGIN are left out (its caches are not
filled yet). The workload is the VM's guest (vms[].guest). For each
workload and phase it prints the number of samples, min, p10, p50, p90,
max and mean of the pages, every sample of every vCPU of every file
pooled. Quantiles interpolate linearly between the two nearest ranks of
the sorted samples (position p x (n - 1), from 0), so p50 of an even
count is the mean of the middle two.

Exit status: 0 with a table, 1 when no file had a per-vCPU series (on
kernels without the lab's mmu_cache_pages statistic there is none), 2
usage. Python 3 standard library only.
"""
import gzip
import json
import os
import re
import sys

SERIES = re.compile(r"^kvm\.vm(\d+)\.vcpu(\d+)\.mmu_cache_pages$")
PHASES = ("during", "after")


def result_files(args):
    for a in args:
        if os.path.isdir(a):
            for root, dirs, files in os.walk(a):
                dirs.sort()
                for f in sorted(files):
                    if re.match(r"^rep-\d+\.json(\.gz)?$", f):
                        yield os.path.join(root, f)
        else:
            yield a


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def intervals(phases, vm, vcpu):
    """The vCPU's working phases as (begin, end) pairs, end None if open."""
    out, open_at = [], {}
    marks = [p for p in phases if isinstance(p, dict) and p.get("vm") == vm
             and p.get("vcpu") == vcpu and p.get("name") != "idle"]
    for p in sorted(marks, key=lambda p: p.get("t_s", 0)):
        if p.get("edge") == "begin":
            open_at[p.get("name")] = p["t_s"]
        elif p.get("edge") == "end" and p.get("name") in open_at:
            out.append((open_at.pop(p.get("name")), p["t_s"]))
    out.extend((t, None) for t in open_at.values())
    return sorted(out)


def phase_of(t, spans):
    """'during', 'after', or None (before the first BEGIN, no phases)."""
    if not spans or t < spans[0][0]:
        return None
    for begin, end in spans:
        if begin <= t and (end is None or t <= end):
            return "during"
    return "after"


def samples(d):
    """(workload, phase, pages) for every classified sample in result @d."""
    vms = d.get("vms") or []
    phases = d.get("phases") or []
    for name, s in sorted((d.get("series") or {}).items()):
        m = SERIES.match(name)
        if not m:
            continue
        vm, vcpu = int(m.group(1)), int(m.group(2))
        guest = vms[vm].get("guest", "?") if vm < len(vms) else "?"
        spans = intervals(phases, vm, vcpu)
        for t, v in zip(s.get("t_s", []), s.get("v", [])):
            ph = phase_of(t, spans)
            if ph is not None:
                yield guest, ph, v


def quantile(sorted_v, p):
    """Linear between the two nearest ranks, at position p x (n - 1)."""
    pos = p * (len(sorted_v) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_v) - 1)
    return sorted_v[lo] + (sorted_v[hi] - sorted_v[lo]) * (pos - lo)


def fmt(x):
    return "%d" % x if x == int(x) else "%.1f" % x


def table(groups):
    head = "%-12s %-6s %7s %6s %6s %6s %6s %6s %7s" % (
        "workload", "phase", "n", "min", "p10", "p50", "p90", "max", "mean")
    lines = [head, "-" * len(head)]
    for (workload, phase) in sorted(groups, key=lambda k: (k[0], PHASES.index(k[1]))):
        v = sorted(groups[(workload, phase)])
        lines.append("%-12s %-6s %7d %6s %6s %6s %6s %6s %7.1f" % (
            workload[:12], phase, len(v), fmt(v[0]), fmt(quantile(v, 0.1)),
            fmt(quantile(v, 0.5)), fmt(quantile(v, 0.9)), fmt(v[-1]),
            sum(v) / len(v)))
    return "\n".join(lines)


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2 if len(argv) < 2 else 0
    groups, files, without = {}, 0, []
    for path in result_files(argv[1:]):
        try:
            d = load(path)
        except (OSError, ValueError) as e:
            sys.stderr.write("idle_levels: %s: %s\n" % (path, e))
            return 1
        files += 1
        n = 0
        for workload, phase, v in samples(d):
            groups.setdefault((workload, phase), []).append(v)
            n += 1
        if not n:
            without.append(path)
    for path in without:
        sys.stderr.write("idle_levels: %s: no kvm.vm<i>.vcpu<j>.mmu_cache_pages "
                         "samples (a kernel without the statistic, or an "
                         "older result)\n" % path)
    if not groups:
        sys.stderr.write("idle_levels: no per-vCPU samples in %d file(s)\n" % files)
        return 1
    print("MMU cache pages per vCPU, every sample of every vCPU pooled "
          "(%d file%s)" % (files, "" if files == 1 else "s"))
    print(table(groups))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
