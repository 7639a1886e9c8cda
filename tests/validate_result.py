#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check kvmsqueeze result files against experiments/result.schema.json
and experiments/RESULT.md.

usage: tests/validate_result.py [--strict] FILE...

Prints one line per problem, "FILE: PATH: problem", and exits 1 if there
was any; prints nothing and exits 0 otherwise; 2: usage, or
python3-jsonschema (draft 2020-12) is not installed. --strict also
reports keys that RESULT.md does not document in the objects it fixes.
A FILE ending in .gz is read through gzip.

Two passes. The structure (every key, its type, enums, ranges, names, the
keys a file of the current format or one with run.status must have, and
the rules between keys of one object, such as a VM's status and end) is
result.schema.json's, checked with python3-jsonschema; the spec inside
against spec.schema.json. Only a file whose structure is right gets the
second pass, the cross-checks a schema cannot express, one function each
below: the summary recomputed from the series, the VMs' results and the
events; sums and counts that must agree; orders in time; indexes that
must point at something; run.problems against what went wrong.
"""
import fnmatch
import gzip
import json
import math
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "checks"))
import schema_lib  # noqa: E402
from schema_lib import join  # noqa: E402

SAMPLERS = ["meminfo", "vmstat", "memcg", "psi", "shrinker", "shrink_trace", "shrink_kprobe"]
OLD_SAMPLERS = SAMPLERS[:-1]
SAMPLER_PREFIX = {
    "meminfo": "meminfo.",
    "vmstat": "vmstat.",
    "memcg": "memcg.",
    "psi": "psi.",
    "shrinker": "shrinker.",
    "shrink_trace": "shrink.",
    "shrink_kprobe": "kprobe.",
}
OUTCOMES = {"ok", "guest-exit-code", "guest-error", "timeout", "interrupted"}
PARTIAL_REASON = "still running (partial file)"
KVM_SERIES = re.compile(r"^kvm\.vm(\d+)\.")
FAILED_AT = re.compile(r"^failed at ([0-9]+(?:\.[0-9]+)?) s: ")
T_SLACK = 0.002         # series times are rounded to the millisecond

LEVELS = [  # summary path, series pattern, factor
    (("page_tables", "sec_pagetables_bytes"), "meminfo.SecPageTables_kb", 1024),
    (("page_tables", "pagetables_bytes"), "meminfo.PageTables_kb", 1024),
    (("memcg", "current_bytes"), "memcg.current_bytes", 1),
    (("memcg", "kernel_bytes"), None, 1),  # by cgroup version, below
    (("memcg", "sec_pagetables_bytes"), "memcg.stat.sec_pagetables", 1),
    (("shrinker", "kvm_count"), "shrinker.x86-mmu*.count", 1),
]
DELTAS = [
    (("reclaim", "pgscan"), "vmstat.pgscan_{kswapd,direct,khugepaged,proactive}"),
    (("reclaim", "pgsteal"), "vmstat.pgsteal_{kswapd,direct,khugepaged,proactive}"),
    (("reclaim", "allocstall"), "vmstat.allocstall_*"),
    (("reclaim", "pgscan_kswapd"), "vmstat.pgscan_kswapd"),
    (("reclaim", "pgsteal_kswapd"), "vmstat.pgsteal_kswapd"),
    (("reclaim", "pgscan_direct"), "vmstat.pgscan_direct"),
    (("reclaim", "pgsteal_direct"), "vmstat.pgsteal_direct"),
    (("reclaim", "slabs_scanned"), "vmstat.slabs_scanned"),
    (("reclaim", "workingset_refault"), "vmstat.workingset_refault_*"),
    (("reclaim", "memcg_pgscan"), "memcg.stat.pgscan"),
    (("reclaim", "memcg_pgsteal"), "memcg.stat.pgsteal"),
    (("reclaim", "memcg_refault"), "memcg.stat.workingset_refault_*"),
    (("reclaim", "memcg_pgpgout"), "memcg.stat.pgpgout"),
    (("memcg_oom_kill",), "memcg.events.oom_kill"),
    (("kvm", "pf_taken"), "kvm.vm*.vcpus.pf_taken"),
    (("kvm", "pf_fixed"), "kvm.vm*.vcpus.pf_fixed"),
    (("kvm", "mmu_recycled"), "kvm.vm[0-9]*.mmu_recycled"),
    (("kvm", "mmu_shadow_zapped"), "kvm.vm[0-9]*.mmu_shadow_zapped"),
]
SHRINKER_DELTAS = [
    (("shrinker", "kvm_count_passes"), "shrink.mmu_shrink_scan.count_passes"),
    (("shrinker", "kvm_pass_freed"), "shrink.mmu_shrink_scan.pass_freed"),
    (("shrinker", "kvm_scan_calls"), "kprobe.mmu_shrink_scan.calls"),
    (("shrinker", "kvm_scan_freed"), "kprobe.mmu_shrink_scan.freed"),
    (("shrinker", "all_count_passes"), "shrink.all.count_passes"),
    (("shrinker", "all_pass_freed"), "shrink.all.pass_freed"),
]
OLD_SHRINKER_DELTAS = [  # the same tracepoints, named "calls" then
    (("shrinker", "kvm_calls"), "shrink.mmu_shrink_scan.calls"),
    (("shrinker", "kvm_freed"), "shrink.mmu_shrink_scan.freed"),
    (("shrinker", "all_calls"), "shrink.all.calls"),
    (("shrinker", "all_freed"), "shrink.all.freed"),
]
UNDER_PRESSURE = [  # key, series pattern, factor
    ("current_bytes", "memcg.current_bytes", 1),
    ("kernel_bytes", None, 1),  # by cgroup version
    ("pagetables_bytes", "meminfo.PageTables_kb", 1024),
    ("sec_pagetables_bytes", "meminfo.SecPageTables_kb", 1024),
]
MISSING = object()


class NonFinite(ValueError):
    pass


def _reject_constant(name):
    raise NonFinite("%s is not JSON" % name)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v))


def close(a, b):
    return abs(a - b) <= 1e-6 + 1e-9 * max(abs(a), abs(b))


class Checker:
    def __init__(self):
        self.problems = []

    def bad(self, path, msg):
        self.problems.append((path or "top", msg))


def get(o, *keys, missing=None):
    for k in keys:
        if not isinstance(o, dict) or k not in o:
            return missing
        o = o[k]
    return o


def reliable(d):
    """A file with run.status (RESULT.md, "Did it run properly")."""
    return "status" in d["run"]


def current(d):
    """A file of the current format, with run.block (RESULT.md, "Older
    files")."""
    return "block" in d["run"]


def kernel_series(d):
    return "memcg.stat.kernel" if d["cgroup"]["version"] == "v2" else "memcg.kernel_bytes"


# --- series and what the summary makes of them ---

def expand(pattern):
    """One "{a,b,c}" group of alternatives, as result.c's name_match()."""
    head, brace, rest = pattern.partition("{")
    if not brace or "}" not in rest:
        return [pattern]
    alts, _, tail = rest.partition("}")
    return [head + a + tail for a in alts.split(",")]


def matching(series, pattern):
    pats = expand(pattern)
    return [s for name, s in series.items()
            if any(fnmatch.fnmatchcase(name, p) for p in pats)]


def agg(series, pattern):
    """As result.c's series_agg(): (first, last, peak) where first and last
    sum each series' first and last points and peak is the largest
    point-by-point sum over the points they share (or last, if larger);
    None when no series matches."""
    ss = matching(series, pattern)
    if not ss:
        return None
    n = min(len(s["v"]) for s in ss)
    sums = [sum(s["v"][j] for s in ss) for j in range(n)]
    first = sum(s["v"][0] for s in ss)
    last = sum(s["v"][-1] for s in ss)
    return first, last, max(max(sums), last)


def check_series_points(c, d):
    """Every series: t_s and v of equal length, t_s never decreasing and
    within the run; kvm.vm<i>.* only for a VM in vms[]."""
    run_s, nr_vms = d["run"]["run_s"], len(d["vms"])
    for name, s in d["series"].items():
        p = join("series", name)
        t, v = s["t_s"], s["v"]
        if len(t) != len(v):
            c.bad(p, "t_s has %d points, v %d" % (len(t), len(v)))
        back = next((i for i in range(1, len(t)) if t[i] < t[i - 1]), None)
        if back is not None:
            c.bad(join(join(p, "t_s"), back), "t_s goes back from %g to %g"
                  % (t[back - 1], t[back]))
        elif t[-1] > run_s + T_SLACK:
            c.bad(join(p, "t_s"), "last point at %g s, after run.run_s %g" % (t[-1], run_s))
        m = KVM_SERIES.match(name)
        if m and int(m.group(1)) >= nr_vms:
            c.bad(p, "no vm%s in vms[]" % m.group(1))


def check_levels_and_deltas(c, d):
    """Every level and delta of the summary: null exactly when its series
    are missing, else recomputed from them."""
    sm, series = d["summary"], d["series"]
    for keys, pattern, factor in LEVELS:
        pattern = pattern or kernel_series(d)
        path = "summary." + ".".join(keys)
        v = get(sm, *keys, missing=MISSING)
        if v is MISSING:
            continue
        a = agg(series, pattern)
        if a is None and v is not None:
            c.bad(path, "not null, but there is no series %s" % pattern)
        elif a is not None and v is None:
            c.bad(path, "null, but series %s was sampled" % pattern)
        elif a is not None:
            first, last, peak = (x * factor for x in a)
            for k, want in (("start", first), ("final", last), ("peak", peak)):
                if not close(v[k], want):
                    c.bad(join(path, k), "%r, but the series say %r" % (v[k], want))
    for keys, pattern in DELTAS + (SHRINKER_DELTAS if current(d) else OLD_SHRINKER_DELTAS):
        path = "summary." + ".".join(keys)
        v = get(sm, *keys, missing=MISSING)
        if v is MISSING:
            continue
        a = agg(series, pattern)
        if a is None and v is not None:
            c.bad(path, "not null, but there is no series %s" % pattern)
        elif a is not None and v is None:
            c.bad(path, "null, but series %s was sampled" % pattern)
        elif a is not None and not close(v, a[1] - a[0]):
            c.bad(path, "%r, but the series grew by %r" % (v, a[1] - a[0]))


def check_guest_counters(c, d):
    """summary.guest_counters: every vms[].result.vcpus[].counters key,
    summed over vCPUs and VMs."""
    gc = d["summary"].get("guest_counters", MISSING)
    if gc is MISSING:
        return
    want = {}
    for vm in d["vms"]:
        for vcpu in (vm["result"] or {}).get("vcpus", []):
            for k, v in vcpu["counters"].items():
                want[k] = want.get(k, 0) + v
    for k in sorted(set(want) | set(gc)):
        if gc.get(k) != want.get(k):
            c.bad(join("summary.guest_counters", k),
                  "%r, but the vCPUs' counters sum to %r" % (gc.get(k), want.get(k)))


def nr_vcpus(d):
    return sum(vm["vcpus"] for vm in d["vms"])


def check_idle_cache(c, d):
    """idle_cache_pages_per_vcpu and _total: the last point of the summed
    mmu_cache_pages series, per vCPU and in all; null together."""
    sm, vcpus = d["summary"], nr_vcpus(d)
    a = agg(d["series"], "kvm.vm*.vcpus.mmu_cache_pages")
    path = "summary.idle_cache_pages_per_vcpu"
    v = sm["idle_cache_pages_per_vcpu"]
    if (a is None or not vcpus) and v is not None:
        c.bad(path, "not null, but there is no series kvm.vm*.vcpus.mmu_cache_pages")
    elif a is not None and vcpus and v is None:
        c.bad(path, "null, but kvm.vm*.vcpus.mmu_cache_pages was sampled")
    elif v is not None and not close(v, a[1] / vcpus):
        c.bad(path, "%r, but the series say %r" % (v, a[1] / vcpus))
    path = "summary.idle_cache_pages_total"
    v = sm.get("idle_cache_pages_total", MISSING)
    if v is MISSING:
        return
    per = sm["idle_cache_pages_per_vcpu"]
    if (a is None or not vcpus) != (v is None):
        c.bad(path, "%r, but the series kvm.vm*.vcpus.mmu_cache_pages %s" %
              (v, "are not there" if a is None or not vcpus else "were sampled"))
    elif v is not None and not close(v, a[1]):
        c.bad(path, "%r, but the series say %r" % (v, a[1]))
    elif v is not None and per is not None and not close(v, per * vcpus):
        c.bad(path, "%r, but idle_cache_pages_per_vcpu x %d vCPUs is %r" %
              (v, vcpus, per * vcpus))
    elif v is None and per is not None:
        c.bad(path, "null, but idle_cache_pages_per_vcpu is %r" % per)


def check_latency(c, d, key):
    """summary.<key>: count and the exact mean from the vCPUs' histograms;
    quantiles in order."""
    path = join("summary", key)
    v = d["summary"][key]
    total, sum_cycles, sum_ns, exact = 0, 0, 0.0, True
    for vm in d["vms"]:
        khz = get(vm, "result", "tsc_khz")
        for vc in get(vm, "result", "vcpus") or []:
            h = vc.get(key)
            n = sum(row[2] for row in h["buckets"]) if h else 0
            total += n
            if n and "sum_cycles" in h and khz > 0:
                sum_cycles += h["sum_cycles"]
                sum_ns += h["sum_cycles"] * 1e6 / khz
            elif n:
                exact = False
    if v is None:
        if total:
            c.bad(path, "null, but the VMs' %s histograms hold %d samples" % (key, total))
        return
    if v["count"] != total:
        c.bad(join(path, "count"), "%d, but the VMs' histograms hold %d" % (v["count"], total))
    if "mean" in v or "sum_cycles" in v:
        mean, sc = v.get("mean"), v.get("sum_cycles")
        if not exact and (mean is not None or sc is not None):
            c.bad(path, "mean and sum_cycles must be null: a vCPU's %s has no sum_cycles"
                  % key)
        elif exact and total and (mean is None or sc is None):
            c.bad(path, "mean or sum_cycles null, but every vCPU has its sum_cycles")
        elif exact and total:
            if sc != sum_cycles:
                c.bad(join(path, "sum_cycles"), "%d, but the vCPUs' add up to %d"
                      % (sc, sum_cycles))
            if not close(mean, sum_ns / total):
                c.bad(join(path, "mean"), "%r, but the vCPUs' sums give %r"
                      % (mean, sum_ns / total))
    qs = [v[k] for k in ("p50", "p90", "p99", "p999", "max")]
    if any(qs[i] > qs[i + 1] * (1 + 1e-9) for i in range(4)):
        c.bad(path, "p50 <= p90 <= p99 <= p999 <= max does not hold")


def touch_guest_ns(vms):
    """As summary.c: per VM the first BEGIN to the last END of phase touch
    over its vCPUs on the guests' TSC, in ns; the longest VM; None."""
    best = None
    for vm in vms:
        khz = get(vm, "result", "tsc_khz")
        begins, ends = [], []
        for vc in get(vm, "result", "vcpus") or []:
            for ph in vc["phases"]:
                if ph["name"] == "touch":
                    (begins if ph["edge"] == "begin" else ends).append(ph["tsc"])
        if begins and ends and khz > 0 and max(ends) > min(begins):
            ns = (max(ends) - min(begins)) * 1e6 / khz
            best = ns if best is None else max(best, ns)
    return best


def check_touch(c, d):
    """summary.touch: pages touched, the span of the touch phases and the
    guests' own span of it."""
    path = "summary.touch"
    v = d["summary"]["touch"]
    pages = sum(vc.get("pages_touched", 0) for vm in d["vms"]
                for vc in get(vm, "result", "vcpus") or [])
    first, last = math.inf, -math.inf
    for ph in d["phases"]:
        if ph["name"] == "touch":
            if ph["edge"] == "begin":
                first = min(first, ph["t_s"])
            else:
                last = max(last, ph["t_s"])
    want = last > first and pages
    if v is None:
        if want:
            c.bad(path, "null, but the touch phases and pages_touched are there")
        return
    guest_ns = touch_guest_ns(d["vms"])
    g = v.get("guest_ns", MISSING)
    if g is None and guest_ns is not None:
        c.bad(join(path, "guest_ns"), "null, but the guests stamped both touch edges")
    elif is_num(g) and (guest_ns is None or not close(g, guest_ns)):
        c.bad(join(path, "guest_ns"), "%r, but the guests' TSC stamps say %r" % (g, guest_ns))
    if not want:
        c.bad(path, "not null, but there is no touch phase with pages touched")
        return
    if not close(v["pages"], pages):
        c.bad(join(path, "pages"), "%r, but the VMs touched %r" % (v["pages"], pages))
    if not close(v["seconds"], last - first):
        c.bad(join(path, "seconds"), "%r, but the touch phases span %r"
              % (v["seconds"], last - first))
    if v["seconds"] > 0 and not close(v["pages_per_s"], v["pages"] / v["seconds"]):
        c.bad(join(path, "pages_per_s"), "is not pages / seconds")


def check_oom_count(c, d):
    """summary.oom_killed_vms: the oom_kill events, and the VMs that ended
    oom-killed."""
    v = d["summary"]["oom_killed_vms"]
    n_ev = sum(1 for e in d["events"] if e["type"] == "oom_kill")
    n_vm = sum(1 for x in d["vms"] if x["end"] == "oom-killed")
    if v != n_ev:
        c.bad("summary.oom_killed_vms", "%d, but there are %d oom_kill events" % (v, n_ev))
    if v != n_vm:
        c.bad("summary.oom_killed_vms", "%d, but %d vms[] ended oom-killed" % (v, n_vm))


def check_peak(c, d):
    """summary.memcg.peak_bytes: the kernel's high-water mark, its last
    reading; never below what memory.current was ever sampled at."""
    path = "summary.memcg.peak_bytes"
    v = get(d["summary"], "memcg", "peak_bytes", missing=MISSING)
    if v is MISSING:
        return
    a = agg(d["series"], "memcg.peak_bytes")
    if a is None and v is not None:
        c.bad(path, "not null, but there is no series memcg.peak_bytes")
    elif a is not None and v is None:
        c.bad(path, "null, but series memcg.peak_bytes was sampled")
    elif a is not None:
        if not close(v, a[1]):
            c.bad(path, "%r, but the last reading is %r" % (v, a[1]))
        cur = agg(d["series"], "memcg.current_bytes")
        if cur is not None and v < cur[2]:
            c.bad(path, "%r, below the sampled memory.current peak %r" % (v, cur[2]))


def time_mean(s, a, b):
    """As summary.c's series_time_mean(): trapezoids over [a, b]."""
    t, v = s["t_s"], s["v"]
    if len(t) < 2 or len(t) != len(v):
        return None
    a, b = max(a, t[0]), min(b, t[-1])
    if not b > a:
        return None

    def at(j, x):
        return v[j] + (v[j + 1] - v[j]) * (x - t[j]) / (t[j + 1] - t[j])
    area = 0.0
    for j in range(len(t) - 1):
        lo, hi = max(a, t[j]), min(b, t[j + 1])
        if hi > lo:
            area += (at(j, lo) + at(j, hi)) / 2 * (hi - lo)
    return area / (b - a)


def check_under_pressure(c, d):
    """summary.under_pressure: its window from the events, each level the
    time-weighted mean of its series over it."""
    path = "summary.under_pressure"
    v = d["summary"].get("under_pressure", MISSING)
    if v is MISSING:
        return
    events = d["events"]

    def first(kind, after):
        return next((e["t_s"] for e in events if e["type"] == kind and e["t_s"] >= after),
                    None)
    start = first("pressure", 0)
    if v is None:
        if start is not None:
            c.bad(path, "null, but a pressure event fired at %g s" % start)
        return
    if start is None:
        c.bad(path, "not null, but no pressure event fired")
        return
    end = first("pressure_end", start)
    if end is None:
        end = first("end", start)
    if not close(v["from_s"], start):
        c.bad(join(path, "from_s"), "%r, but the first pressure event is at %r"
              % (v["from_s"], start))
    if end is not None and not close(v["to_s"], end):
        c.bad(join(path, "to_s"), "%r, but pressure ended at %r" % (v["to_s"], end))
    if end is None and not start <= v["to_s"] <= d["run"]["run_s"] + T_SLACK:
        c.bad(join(path, "to_s"), "%r is not within the run so far" % v["to_s"])
    for key, pattern, factor in UNDER_PRESSURE:
        pattern = pattern or kernel_series(d)
        got, s = v[key], d["series"].get(pattern)
        want = time_mean(s, v["from_s"], v["to_s"]) if s else None
        if want is None and got is not None:
            c.bad(join(path, key), "not null, but %s covers none of the window" % pattern)
        elif want is not None and got is None:
            c.bad(join(path, key), "null, but %s was sampled in the window" % pattern)
        elif want is not None and not close(got, want * factor):
            c.bad(join(path, key), "%r, but the samples of %s give %r"
                  % (got, pattern, want * factor))


def check_run(c, d):
    """run against the spec: rep within reps, the experiment's name."""
    r = d["run"]
    if not 1 <= r["rep"] <= r["reps"]:
        c.bad("run.rep", "%d is not within 1 to reps (%d)" % (r["rep"], r["reps"]))
    if isinstance(d["spec"].get("name"), str) and r["experiment"] != d["spec"]["name"]:
        c.bad("run.experiment", "'%s', but spec.name is '%s'" % (r["experiment"],
                                                               d["spec"]["name"]))


def measures_oom(d):
    return "oom_killed_vms" in (d["spec"].get("primary") or [])


def check_problems(c, d):
    """run.problems has a line for every VM whose status is not ok (and
    not an OOM kill the spec measures)."""
    if not reliable(d):
        return
    problems = d["run"]["problems"]
    for i, vm in enumerate(d["vms"]):
        st = vm["status"]
        if st in ("ok", "running") or (st == "oom-killed" and measures_oom(d)):
            continue
        if not any(p.startswith("vm%d: %s:" % (i, st)) for p in problems):
            c.bad("run.problems", "no line for vm%d, whose status is %s" % (i, st))


def check_pressure_applied(c, d):
    """summary.pressure_applied: null when the spec asks for no limit and
    no pressure; false exactly when run.problems says which never took
    effect; a refused limit is one limit_error event per refusal that
    differs, not one per retry."""
    if not reliable(d):
        return
    v = d["summary"]["pressure_applied"]
    cg = d["spec"].get("cgroup") or {}
    asked = bool(d["spec"].get("pressure")) or (isinstance(cg, dict) and
                                               any(k in cg for k in ("limit", "steps", "ramp")))
    lines = [p for p in d["run"]["problems"]
             if p.startswith("cgroup limit ") or p.startswith("pressure[")
             or p.startswith("more cgroup limits")]
    if not asked and v is not None:
        c.bad("summary.pressure_applied", "%r, but the spec asks for no limit and no pressure" % v)
    elif asked and v is None:
        c.bad("summary.pressure_applied", "null, but the spec asks for a limit or pressure")
    elif v is True and lines:
        c.bad("summary.pressure_applied", "true, but run.problems says: %s" % lines[0])
    elif v is False and not lines:
        c.bad("summary.pressure_applied", "false, but no line of run.problems says what")
    prev = None
    for e in d["events"]:
        if e["type"] == "limit":
            prev = None
        elif e["type"] == "limit_error":
            if e["detail"] == prev:
                c.bad("events", "limit_error '%s' twice in a row: one event per refusal "
                      "that differs" % prev)
            prev = e["detail"]


def check_sources(c, d):
    """The samplers first, in their order, then the spec's pressure
    sources in its order; no series from a sampler that was unavailable
    (nor after it failed)."""
    samplers, pressures = [], []
    for i, s in enumerate(d["sources"]):
        p = join("sources", i)
        if s["kind"] == "sampler":
            if pressures:
                c.bad(p, "a sampler after the pressure sources")
            samplers.append(s["name"])
        else:
            pressures.append(s["name"])
        if s["kind"] != "sampler" or s["available"]:
            continue
        pre = SAMPLER_PREFIX[s["name"]]
        m = FAILED_AT.match(s["why"])
        limit = float(m.group(1)) + T_SLACK if m else None
        for sname, ser in d["series"].items():
            if not sname.startswith(pre):
                continue
            if limit is None:
                c.bad(join("series", sname), "series of sampler %s, which is unavailable"
                      % s["name"])
                break
            if ser["t_s"][-1] > limit:
                c.bad(join("series", sname), "points after sampler %s failed at %s s"
                      % (s["name"], m.group(1)))
                break
    want = SAMPLERS if current(d) else OLD_SAMPLERS
    if samplers != want:
        c.bad("sources", "samplers are %s, want %s in that order" % (samplers, want))
    spec_p = d["spec"].get("pressure")
    if isinstance(spec_p, list):
        kinds = [get(x, "kind") for x in spec_p]
        if kinds != pressures:
            c.bad("sources", "pressure sources %s, but the spec has %s" % (pressures, kinds))


def check_events(c, d):
    """Events in time order, and one end event that says run.end_reason
    (none in a partial file)."""
    prev, ends = None, []
    for i, e in enumerate(d["events"]):
        if prev is not None and e["t_s"] < prev:
            c.bad(join(join("events", i), "t_s"), "goes back from %g to %g" % (prev, e["t_s"]))
        prev = e["t_s"]
        if e["type"] == "end":
            ends.append(e["detail"])
    reason = d["run"]["end_reason"]
    if reason == PARTIAL_REASON:
        if ends:
            c.bad("events", "an end event in a partial file")
    elif ends != [reason]:
        c.bad("events", "want one end event '%s', got %s" % (reason, ends))


def check_phases(c, d):
    """Every phase marker names a VM of vms[] and one of its vCPUs."""
    for i, x in enumerate(d["phases"]):
        p = join("phases", i)
        if x["vm"] >= len(d["vms"]):
            c.bad(join(p, "vm"), "no VM %d in vms[]" % x["vm"])
        elif not x["vcpu"] < d["vms"][x["vm"]]["vcpus"]:
            c.bad(join(p, "vcpu"), "vm%d has no vCPU %d" % (x["vm"], x["vcpu"]))


def check_hist(c, p, h, khz):
    """One vCPU's histogram: its buckets add up to its count, and its
    sum_cycles fits count values between min and max, and gives the mean."""
    n, total = h["count"], h.get("sum_cycles")
    if total is not None and khz > 0:
        total_ns = total * 1e6 / khz
        if n == 0 and total != 0:
            c.bad(join(p, "sum_cycles"), "%d with no values" % total)
        if n and not (n * h["min"] * (1 - 1e-9) - 1e-6 <= total_ns
                      <= n * h["max"] * (1 + 1e-9) + 1e-6):
            c.bad(join(p, "sum_cycles"), "%d cycles (%g ns) do not fit %d values from %g "
                  "to %g ns" % (total, total_ns, n, h["min"], h["max"]))
        if n and not close(h["mean"], total_ns / n):
            c.bad(join(p, "mean"), "%r, but sum_cycles / count is %r ns"
                  % (h["mean"], total_ns / n))
    in_buckets = sum(row[2] for row in h["buckets"])
    if in_buckets != n:
        c.bad(join(p, "count"), "%d, but the buckets hold %d" % (n, in_buckets))


def check_vm_result(c, p, r, vm):
    """A VM's own result against its vms[] entry: the same guest, memory,
    vCPUs and backing, one entry per vCPU; memslot churn that created and
    deleted in turn; every histogram."""
    for mine, theirs in (("guest", "guest"), ("mem_bytes", "mem_bytes"), ("vcpus", "nr_vcpus"),
                         ("backing", "backing")):
        if vm[mine] != r[theirs]:
            c.bad(join(p, theirs), "%r, but vms[].%s is %r" % (r[theirs], mine, vm[mine]))
    if len(r["vcpus"]) != r["nr_vcpus"]:
        c.bad(join(p, "vcpus"), "%d entries for %d vCPUs" % (len(r["vcpus"]), r["nr_vcpus"]))
    mc = r.get("memslot_churn")
    if mc and not 0 <= mc["creates"] - mc["deletes"] <= 1:
        c.bad(join(p, "memslot_churn"), "%d creates but %d deletes"
              % (mc["creates"], mc["deletes"]))
    for i, vc in enumerate(r["vcpus"]):
        for k, v in vc.items():
            if k.endswith("_ns") and k != "run_ns":
                check_hist(c, join(join(join(p, "vcpus"), i), k), v, r["tsc_khz"])


def check_vms(c, d):
    """vms[]: as many as the spec asks for, each at its index, in a group
    of the spec, its log named for it, its result's outcome its end."""
    vms, spec_vms = d["vms"], d["spec"].get("vms")
    if isinstance(spec_vms, list):
        want = sum(x.get("count", 1) for x in spec_vms if isinstance(x, dict)
                   and is_int(x.get("count", 1)))
        if want != len(vms):
            c.bad("vms", "%d entries, but the spec asks for %d VMs" % (len(vms), want))
    for i, vm in enumerate(vms):
        p = join("vms", i)
        if vm["index"] != i:
            c.bad(join(p, "index"), "%r at position %d" % (vm["index"], i))
        if isinstance(spec_vms, list) and not vm["group"] < len(spec_vms):
            c.bad(join(p, "group"), "no spec.vms[%d]" % vm["group"])
        if vm["start_s"] is not None and vm["end_s"] is not None and vm["end_s"] < vm["start_s"]:
            c.bad(join(p, "end_s"), "before start_s")
        if not re.search(r"rep-\d+-vm%d\.log$" % i, vm["log"]):
            c.bad(join(p, "log"), "'%s' is not rep-<n>-vm%d.log" % (vm["log"], i))
        res = vm["result"]
        if res is None:
            continue
        if vm["end"] in OUTCOMES and res["outcome"] != vm["end"]:
            c.bad(join(p, "result.outcome"), "%r, but end is '%s'" % (res["outcome"], vm["end"]))
        check_vm_result(c, join(p, "result"), res, vm)


SEMANTIC = [check_run, check_problems, check_pressure_applied, check_series_points,
            check_sources, check_events, check_vms, check_phases, check_levels_and_deltas,
            check_peak, check_under_pressure, check_guest_counters, check_idle_cache,
            lambda c, d: check_latency(c, d, "fault_latency_ns"),
            lambda c, d: check_latency(c, d, "access_latency_ns"),
            check_touch, check_oom_count]


class Schemas:
    """The two validators, made once for every file."""

    def __init__(self, strict):
        result = schema_lib.load("result")
        self.result = schema_lib.validator(schema_lib.closed(result) if strict else result)
        self.spec = schema_lib.validator(schema_lib.load("spec"))


def check(d, schemas):
    """[(path, problem)]: the schemas' first, then, for a file whose
    structure is right, the cross-checks."""
    problems = schema_lib.errors(schemas.result, d)
    if isinstance(d, dict) and isinstance(d.get("spec"), dict):
        problems += schema_lib.errors(schemas.spec, d["spec"], "spec")
    if problems:
        return problems
    c = Checker()
    for f in SEMANTIC:
        try:
            f(c, d)
        except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError) as e:
            # a shape the schema let through and a check did not expect
            c.bad("(check)", "%s failed: %r" % (getattr(f, "__name__", "a check"), e))
    return c.problems


def load(path):
    dups = []

    def pairs(kv):
        o = {}
        for k, v in kv:
            if k in o:
                dups.append(k)
            o[k] = v
        return o

    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        d = json.load(f, object_pairs_hook=pairs, parse_constant=_reject_constant)
    return d, dups


def main(argv):
    strict = False
    files = []
    for a in argv[1:]:
        if a == "--strict":
            strict = True
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        elif a.startswith("-") and a != "-":
            print("validate_result.py: unknown option %s (usage: validate_result.py "
                  "[--strict] FILE...)" % a, file=sys.stderr)
            return 2
        else:
            files.append(a)
    if not files:
        print("usage: validate_result.py [--strict] FILE...", file=sys.stderr)
        return 2
    try:
        schemas = Schemas(strict)
    except schema_lib.Missing as e:
        print("validate_result.py: cannot validate: %s" % e, file=sys.stderr)
        return 2
    failed = False
    for path in files:
        try:
            d, dups = load(path)
        except (OSError, UnicodeDecodeError, EOFError) as e:
            print("%s: (file): cannot read: %s" % (path, e))
            failed = True
            continue
        except NonFinite as e:
            print("%s: (json): %s" % (path, e))
            failed = True
            continue
        except ValueError as e:
            print("%s: (json): not JSON: %s" % (path, e))
            failed = True
            continue
        problems = [("(json)", "duplicate key '%s'" % k) for k in dups] + check(d, schemas)
        for where, msg in problems:
            print("%s: %s: %s" % (path, where, msg))
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
