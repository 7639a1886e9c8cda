#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check kvmsqueeze result files against experiments/RESULT.md.

usage: tests/validate_result.py [--strict] FILE...

Prints one line per problem, "FILE: PATH: problem", and exits 1 if there
was any; prints nothing and exits 0 otherwise (2: usage). --strict also
reports keys that RESULT.md does not document in the objects it fixes.

Checked: required keys and their types at every level, schema == 1,
complete, series (t_s and v of equal length, t_s never decreasing, known
name prefixes), sources (a non-empty "why" when unavailable, no series from
an unavailable sampler), the summary (every key, null exactly when its
series are missing, levels and deltas recomputed from the series), events,
phases, every vms[] entry with its end kind and its own result, and that a
complete file has no VM still running. Python 3 standard library only.
"""
import fnmatch
import json
import math
import re
import sys

SCHEMA = 1

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
PRESSURES = {"reclaim", "hog", "drop_caches", "shrinker_scan", "nx_huge_pages"}
END_KINDS = {"ok", "guest-exit-code", "guest-error", "timeout", "interrupted",
             "setup-failed", "oom-killed", "killed"}
OUTCOMES = {"ok", "guest-exit-code", "guest-error", "timeout", "interrupted"}
OUTCOME_EXIT = {"ok": 0, "guest-exit-code": 3, "guest-error": 4, "timeout": 5,
                "interrupted": 130}
VCPU_ENDS = {"running", "exited", "failed", "timeout", "stopped", "interrupted"}
RUN_STATUSES = {"ok", "failed", "interrupted"}
# vms[].status, and the end kinds each may come with
VM_STATUS_ENDS = {"ok": {"ok"}, "setup-failed": {"setup-failed"},
                  "exit-code": {"guest-exit-code"}, "guest-error": {"guest-error"},
                  "timeout": {"timeout"}, "oom-killed": {"oom-killed"},
                  "killed": {"killed", "interrupted"}, "crashed": {"killed"},
                  "running": {"running"}}
FAULTS = ("SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT", "SIGSYS", "SIGTRAP")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
BACKINGS = {"anon", "thp", "hugetlb", "memfd", "file"}
END_REASONS = {"every VM ended", "every vCPU ended the end phase", "duration reached",
               "interrupted"}
PARTIAL_REASON = "still running (partial file)"
EVENT_TYPES = {"cgroup", "unavailable", "limit", "limit_error", "vms", "vm_end",
               "oom_kill", "vm_kill", "error", "pressure", "pressure_error", "pressure_end", "end"}
KVM_SERIES = re.compile(r"^kvm\.vm(\d+)\.(?:vcpus\.|vcpu(\d+)\.)?[A-Za-z0-9_]+$")
PER_VCPU_STATS = ["mmu_cache_pages"]  # samplers_kvm.c's kvm_per_vcpu_stats
FAILED_AT = re.compile(r"^failed at ([0-9]+(?:\.[0-9]+)?) s: ")
PHASE_NAME = re.compile(r"^[a-z0-9_]{1,23}$")
STARTED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
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
SUMMARY_KEYS = {
    "page_tables": ["sec_pagetables_bytes", "pagetables_bytes"],
    "memcg": ["current_bytes", "kernel_bytes", "sec_pagetables_bytes", "peak_bytes"],
    "reclaim": ["pgscan", "pgsteal", "allocstall", "slabs_scanned", "workingset_refault",
                "memcg_pgscan", "memcg_pgsteal", "memcg_refault", "memcg_pgpgout"],
    "shrinker": ["kvm_count_passes", "kvm_pass_freed", "kvm_scan_calls", "kvm_scan_freed",
                 "all_count_passes", "all_pass_freed", "kvm_count"],
}
# Added later, without a schema change: checked when present.
SUMMARY_LATER = {"reclaim": ["pgscan_kswapd", "pgsteal_kswapd", "pgscan_direct",
                             "pgsteal_direct"]}
SUMMARY_TOP = ["page_tables", "memcg", "reclaim", "shrinker", "idle_cache_pages_per_vcpu",
               "idle_cache_pages_total",
               "fault_latency_ns", "access_latency_ns", "touch", "under_pressure",
               "faults_after_pressure", "oom_killed_vms", "memcg_oom_kill", "run_s"]
# Older files (current() is false): what they have instead.
OLD_SUMMARY_KEYS = dict(SUMMARY_KEYS, memcg=["current_bytes", "kernel_bytes",
                                             "sec_pagetables_bytes"],
                        shrinker=["kvm_calls", "kvm_freed", "all_calls", "all_freed",
                                  "kvm_count"])
OLD_SUMMARY_TOP = [k for k in SUMMARY_TOP if k != "under_pressure"]
UNDER_PRESSURE = [  # key, series pattern, factor
    ("current_bytes", "memcg.current_bytes", 1),
    ("kernel_bytes", None, 1),  # by cgroup version
    ("pagetables_bytes", "meminfo.PageTables_kb", 1024),
    ("sec_pagetables_bytes", "meminfo.SecPageTables_kb", 1024),
]


class NonFinite(ValueError):
    pass


MISSING = object()      # a key that is not there (already reported)


def _reject_constant(name):
    raise NonFinite("%s is not JSON" % name)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v))


TYPES = {
    "str": (lambda v: isinstance(v, str), "a string"),
    "int": (is_int, "an integer"),
    "num": (is_num, "a number"),
    "bool": (lambda v: isinstance(v, bool), "a bool"),
    "obj": (lambda v: isinstance(v, dict), "an object"),
    "arr": (lambda v: isinstance(v, list), "an array"),
}


def type_name(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def close(a, b):
    return abs(a - b) <= 1e-6 + 1e-9 * max(abs(a), abs(b))


class Checker:
    def __init__(self, strict):
        self.strict = strict
        self.problems = []

    def bad(self, path, msg):
        self.problems.append((path or "top", msg))

    def typed(self, path, v, kind):
        """kind: 'str', 'int?', ...; '?' allows null. True if it fits."""
        if v is MISSING:
            return False
        nullable = kind.endswith("?")
        kind = kind.rstrip("?")
        if v is None and nullable:
            return True
        test, what = TYPES[kind]
        if not test(v):
            self.bad(path, "expected %s%s, got %s" % (what, " or null" if nullable else "",
                                                     type_name(v)))
            return False
        return True

    def fields(self, path, o, spec, optional=None, open_keys=False):
        """Check the keys of object @o: @spec {key: kind} required,
        @optional {key: kind} only if present. Returns @o or None."""
        if o is MISSING:
            return None
        if not isinstance(o, dict):
            self.bad(path, "expected an object, got %s" % type_name(o))
            return None
        optional = optional or {}
        for k, kind in spec.items():
            if k not in o:
                self.bad(path, "missing key '%s'" % k)
            elif kind:
                self.typed(join(path, k), o[k], kind)
        for k, kind in optional.items():
            if k in o and kind:
                self.typed(join(path, k), o[k], kind)
        if self.strict and not open_keys:
            for k in o:
                if k not in spec and k not in optional:
                    self.bad(path, "undocumented key '%s'" % k)
        return o


def join(path, key):
    if isinstance(key, int):
        return "%s[%d]" % (path, key)
    if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
        return "%s.%s" % (path, key) if path else key
    return '%s["%s"]' % (path, key)


def get(o, *keys, missing=None):
    for k in keys:
        if not isinstance(o, dict) or k not in o:
            return missing
        o = o[k]
    return o


def reliable(d):
    """A file with run.status: it also has run.problems, vms[].status and
    summary.pressure_applied (RESULT.md, "Did it run properly");
    older files have none of them."""
    return isinstance(d.get("run"), dict) and "status" in d["run"]


def current(d):
    """A file of the current format. Files written before run.block, the
    split shrinker counts, the exact means, the memcg high-water mark and
    the levels under pressure have none of them (RESULT.md, "Older
    files"); run.block tells the two apart."""
    return isinstance(d.get("run"), dict) and "block" in d["run"]


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


BROKEN = "broken"       # agg(): a matching series is malformed (reported)


def agg(series, pattern):
    """As result.c's series_agg(): (first, last, peak) where first and last
    sum each series' first and last points and peak is the largest
    point-by-point sum over the points they share (or last, if larger);
    None when no series matches, BROKEN when one of them is malformed."""
    ss = [s for s in matching(series, pattern) if s.get("v")]
    if not ss:
        return None
    try:
        n = min(len(s["v"]) for s in ss)
        sums = [sum(s["v"][j] for s in ss) for j in range(n)]
        first = sum(s["v"][0] for s in ss)
        last = sum(s["v"][-1] for s in ss)
        if not sums or not all(is_num(x) for x in sums + [first, last]):
            return BROKEN
    except (TypeError, KeyError, AttributeError):
        return BROKEN
    return first, last, max(max(sums), last)


def check_series(c, series, run_s, nr_vms):
    if not c.typed("series", series, "obj"):
        return {}
    for name, s in series.items():
        p = join("series", name)
        if c.fields(p, s, {"t_s": "arr", "v": "arr"}) is None:
            continue
        t, v = s.get("t_s"), s.get("v")
        if not isinstance(t, list) or not isinstance(v, list):
            continue
        ok = True
        if len(t) != len(v):
            c.bad(p, "t_s has %d points, v %d" % (len(t), len(v)))
            ok = False
        if not t:
            c.bad(p, "no points")
            ok = False
        for i, x in enumerate(t):
            if not is_num(x):
                c.bad(join(join(p, "t_s"), i), "expected a number, got %s" % type_name(x))
                ok = False
                break
            if x < 0:
                c.bad(join(join(p, "t_s"), i), "negative time %g" % x)
                ok = False
                break
            if i and is_num(t[i - 1]) and x < t[i - 1]:
                c.bad(join(join(p, "t_s"), i), "t_s goes back from %g to %g" % (t[i - 1], x))
                ok = False
                break
        for i, x in enumerate(v):
            if not is_num(x):
                c.bad(join(join(p, "v"), i), "expected a number, got %s" % type_name(x))
                ok = False
                break
        if ok and is_num(run_s) and t[-1] > run_s + T_SLACK:
            c.bad(join(p, "t_s"), "last point at %g s, after run.run_s %g" % (t[-1], run_s))
        m = KVM_SERIES.match(name)
        if m:
            if nr_vms is not None and int(m.group(1)) >= nr_vms:
                c.bad(p, "no vm%s in vms[]" % m.group(1))
            elif m.group(2) is not None and name.rsplit(".", 1)[1] not in PER_VCPU_STATS:
                c.bad(p, "a per-vCPU series of a statistic kept only summed")
        elif name == "cgroup.limit_bytes":
            for i, x in enumerate(v):
                if is_num(x) and x != -1 and x < 0:
                    c.bad(join(join(p, "v"), i), "a limit is -1 (none) or bytes, not %g" % x)
                    break
        elif not any(name.startswith(pre) and len(name) > len(pre)
                     for pre in SAMPLER_PREFIX.values()):
            c.bad(p, "not a known series name (<source>.<metric>, cgroup.limit_bytes, "
                  "kvm.vm<i>.*)")
    return series


def check_guest_counters(c, gc, vms):
    """summary.guest_counters: every vms[].result.vcpus[].counters key,
    summed over vCPUs and VMs."""
    want = {}
    for vm in vms:
        res = vm.get("result") if isinstance(vm, dict) else None
        for vcpu in (res or {}).get("vcpus") or []:
            for k, v in ((vcpu or {}).get("counters") or {}).items():
                if is_int(v):
                    want[k] = want.get(k, 0) + v
    if c.fields("summary.guest_counters", gc, {}, open_keys=True) is None:
        return
    for k in sorted(set(want) | set(gc)):
        if gc.get(k) != want.get(k):
            c.bad(join("summary.guest_counters", k),
                  "%r, but the vCPUs' counters sum to %r" % (gc.get(k), want.get(k)))


def check_summary(c, d, series, cg_version):
    sm = d.get("summary", MISSING)
    new = current(d)
    top = SUMMARY_TOP if new else OLD_SUMMARY_TOP
    if isinstance(sm, dict) and "idle_cache_pages_total" not in sm:
        top = [k for k in top if k != "idle_cache_pages_total"]  # written before it
    if c.fields("summary", sm, {k: None for k in top},
                {"pressure_applied": "bool?", "kvm": "obj", "guest_counters": "obj"}) is None:
        return
    for group, keys in (SUMMARY_KEYS if new else OLD_SUMMARY_KEYS).items():
        c.fields(join("summary", group), sm.get(group, MISSING), {k: None for k in keys},
                 {k: None for k in SUMMARY_LATER.get(group, [])})

    def level(path, v):
        if v is None:
            return True
        if c.fields(path, v, {"start": "num", "peak": "num", "final": "num"}) is None:
            return False
        return all(is_num(v.get(k)) for k in ("start", "peak", "final"))

    for keys, pattern, factor in LEVELS:
        if pattern is None:
            pattern = "memcg.stat.kernel" if cg_version == "v2" else "memcg.kernel_bytes"
        path = "summary." + ".".join(keys)
        v = get(sm, *keys, missing=MISSING)
        if v is MISSING:
            continue
        if not level(path, v):
            continue
        a = agg(series, pattern)
        if a is None and v is not None:
            c.bad(path, "not null, but there is no series %s" % pattern)
        elif a is not None and v is None:
            c.bad(path, "null, but series %s was sampled" % pattern)
        elif a is not None and a is not BROKEN:
            first, last, peak = (x * factor for x in a)
            for k, want in (("start", first), ("final", last), ("peak", peak)):
                if not close(v[k], want):
                    c.bad(join(path, k), "%r, but the series say %r" % (v[k], want))

    for keys, pattern in DELTAS + (SHRINKER_DELTAS if new else OLD_SHRINKER_DELTAS):
        path = "summary." + ".".join(keys)
        v = get(sm, *keys, missing=MISSING)
        if v is MISSING:
            continue
        if not c.typed(path, v, "num?"):
            continue
        a = agg(series, pattern)
        if a is None and v is not None:
            c.bad(path, "not null, but there is no series %s" % pattern)
        elif a is not None and v is None:
            c.bad(path, "null, but series %s was sampled" % pattern)
        elif a is not None and a is not BROKEN and not close(v, a[1] - a[0]):
            c.bad(path, "%r, but the series grew by %r" % (v, a[1] - a[0]))

    if new:
        check_peak(c, sm, series)
        check_under_pressure(c, d, sm.get("under_pressure", MISSING), series, cg_version)

    if "kvm" in sm:
        c.fields("summary.kvm", sm["kvm"],
                 {k: "num?" for k in ("pf_taken", "pf_fixed", "mmu_recycled",
                                      "mmu_shadow_zapped")})
    vms = d.get("vms") if isinstance(d.get("vms"), list) else []
    if "guest_counters" in sm:
        check_guest_counters(c, sm["guest_counters"], vms)
    vcpus = sum(x.get("vcpus", 0) for x in vms if isinstance(x, dict)
                and is_int(x.get("vcpus")))
    path = "summary.idle_cache_pages_per_vcpu"
    v = sm.get("idle_cache_pages_per_vcpu", MISSING)
    if c.typed(path, v, "num?"):
        a = agg(series, "kvm.vm*.vcpus.mmu_cache_pages")
        if (a is None or not vcpus) and v is not None:
            c.bad(path, "not null, but there is no series kvm.vm*.vcpus.mmu_cache_pages")
        elif a is not None and vcpus and v is None:
            c.bad(path, "null, but kvm.vm*.vcpus.mmu_cache_pages was sampled")
        elif v is not None and a is not BROKEN and not close(v, a[1] / vcpus):
            c.bad(path, "%r, but the series say %r" % (v, a[1] / vcpus))
    path = "summary.idle_cache_pages_total"
    v = sm.get("idle_cache_pages_total", MISSING)
    if v is not MISSING and c.typed(path, v, "num?"):
        a = agg(series, "kvm.vm*.vcpus.mmu_cache_pages")
        per = sm.get("idle_cache_pages_per_vcpu")
        if (a is None or not vcpus) != (v is None):
            c.bad(path, "%r, but the series kvm.vm*.vcpus.mmu_cache_pages %s" %
                  (v, "are not there" if a is None or not vcpus else "were sampled"))
        elif v is not None and a is not BROKEN and not close(v, a[1]):
            c.bad(path, "%r, but the series say %r" % (v, a[1]))
        elif v is not None and is_num(per) and vcpus and not close(v, per * vcpus):
            c.bad(path, "%r, but idle_cache_pages_per_vcpu x %d vCPUs is %r" %
                  (v, vcpus, per * vcpus))
        elif v is None and per is not None:
            c.bad(path, "null, but idle_cache_pages_per_vcpu is %r" % per)

    for key in ("fault_latency_ns", "access_latency_ns"):
        path = join("summary", key)
        v = sm.get(key, MISSING)
        if v is MISSING:
            continue
        total, sum_cycles, sum_ns, exact = 0, 0, 0.0, True
        for vm in vms:
            khz = get(vm, "result", "tsc_khz")
            for vc in get(vm, "result", "vcpus") or []:
                h = get(vc, key)
                n = 0
                for row in (get(h, "buckets") or []):
                    if isinstance(row, list) and len(row) == 3 and is_int(row[2]):
                        n += row[2]
                total += n
                if n and is_int(get(h, "sum_cycles")) and is_int(khz) and khz > 0:
                    sum_cycles += h["sum_cycles"]
                    sum_ns += h["sum_cycles"] * 1e6 / khz
                elif n:
                    exact = False
        if v is None:
            if total:
                c.bad(path, "null, but the VMs' %s histograms hold %d samples" % (key, total))
            continue
        want = {"count": "int", "p50": "num", "p90": "num", "p99": "num", "p999": "num",
                "max": "num"}
        more = {"mean": "num?", "sum_cycles": "int?"}
        if current(d):
            want.update(more)
        if c.fields(path, v, want, more) is None:
            continue
        if is_int(v.get("count")) and v["count"] != total:
            c.bad(join(path, "count"), "%d, but the VMs' histograms hold %d" % (v["count"], total))
        if "mean" in v or "sum_cycles" in v:
            mean, sc = v.get("mean"), v.get("sum_cycles")
            if not exact and (mean is not None or sc is not None):
                c.bad(path, "mean and sum_cycles must be null: a vCPU's %s has no sum_cycles"
                      % key)
            elif exact and total and (mean is None or sc is None):
                c.bad(path, "mean or sum_cycles null, but every vCPU has its sum_cycles")
            elif exact and total and is_num(mean) and is_int(sc):
                if sc != sum_cycles:
                    c.bad(join(path, "sum_cycles"), "%d, but the vCPUs' add up to %d"
                          % (sc, sum_cycles))
                if not close(mean, sum_ns / total):
                    c.bad(join(path, "mean"), "%r, but the vCPUs' sums give %r"
                          % (mean, sum_ns / total))
        qs = [v.get(k) for k in ("p50", "p90", "p99", "p999", "max")]
        if all(is_num(q) for q in qs) and any(qs[i] > qs[i + 1] * (1 + 1e-9) for i in range(4)):
            c.bad(path, "p50 <= p90 <= p99 <= p999 <= max does not hold")

    path = "summary.touch"
    v = sm.get("touch", MISSING)
    pages, first, last = 0, math.inf, -math.inf
    for vm in vms:
        for vc in get(vm, "result", "vcpus") or []:
            if is_int(get(vc, "pages_touched")):
                pages += vc["pages_touched"]
    for ph in d.get("phases") if isinstance(d.get("phases"), list) else []:
        if get(ph, "name") == "touch" and is_num(get(ph, "t_s")):
            if ph.get("edge") == "begin":
                first = min(first, ph["t_s"])
            else:
                last = max(last, ph["t_s"])
    want = last > first and pages
    guest_ns = touch_guest_ns(vms)
    if v is MISSING:
        pass
    elif v is None:
        if want:
            c.bad(path, "null, but the touch phases and pages_touched are there")
    elif c.fields(path, v, {"pages": "num", "seconds": "num", "pages_per_s": "num",
                            **({"guest_ns": "num?"} if current(d) else {})},
                  {"guest_ns": "num?"}):
        g = v.get("guest_ns", MISSING)
        if g is None and guest_ns is not None:
            c.bad(join(path, "guest_ns"), "null, but the guests stamped both touch edges")
        elif is_num(g) and (guest_ns is None or not close(g, guest_ns)):
            c.bad(join(path, "guest_ns"), "%r, but the guests' TSC stamps say %r"
                  % (g, guest_ns))
        if not want:
            c.bad(path, "not null, but there is no touch phase with pages touched")
        elif all(is_num(v.get(k)) for k in ("pages", "seconds", "pages_per_s")):
            if not close(v["pages"], pages):
                c.bad(join(path, "pages"), "%r, but the VMs touched %r" % (v["pages"], pages))
            if not close(v["seconds"], last - first):
                c.bad(join(path, "seconds"), "%r, but the touch phases span %r"
                      % (v["seconds"], last - first))
            if v["seconds"] > 0 and not close(v["pages_per_s"], v["pages"] / v["seconds"]):
                c.bad(join(path, "pages_per_s"), "is not pages / seconds")

    path = "summary.oom_killed_vms"
    v = sm.get("oom_killed_vms", MISSING)
    if c.typed(path, v, "int"):
        events = d.get("events") if isinstance(d.get("events"), list) else []
        n_ev = sum(1 for e in events if get(e, "type") == "oom_kill")
        n_vm = sum(1 for x in vms if get(x, "end") == "oom-killed")
        if v != n_ev:
            c.bad(path, "%d, but there are %d oom_kill events" % (v, n_ev))
        if v != n_vm:
            c.bad(path, "%d, but %d vms[] ended oom-killed" % (v, n_vm))
    c.typed("summary.run_s", sm.get("run_s", MISSING), "num")


def check_peak(c, sm, series):
    """summary.memcg.peak_bytes: the kernel's high-water mark, its last
    reading; never below what memory.current was ever sampled at."""
    path = "summary.memcg.peak_bytes"
    v = get(sm, "memcg", "peak_bytes", missing=MISSING)
    if v is MISSING or not c.typed(path, v, "num?"):
        return
    a = agg(series, "memcg.peak_bytes")
    if a is None and v is not None:
        c.bad(path, "not null, but there is no series memcg.peak_bytes")
    elif a is not None and v is None:
        c.bad(path, "null, but series memcg.peak_bytes was sampled")
    elif a is not None and a is not BROKEN:
        if not close(v, a[1]):
            c.bad(path, "%r, but the last reading is %r" % (v, a[1]))
        cur = agg(series, "memcg.current_bytes")
        if cur is not None and cur is not BROKEN and v < cur[2]:
            c.bad(path, "%r, below the sampled memory.current peak %r" % (v, cur[2]))


def time_mean(s, a, b):
    """As summary.c's series_time_mean(): trapezoids over [a, b]."""
    t, v = s.get("t_s"), s.get("v")
    if not isinstance(t, list) or len(t) < 2 or len(t) != len(v):
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


def check_under_pressure(c, d, v, series, cg_version):
    path = "summary.under_pressure"
    if v is MISSING:
        return
    events = [e for e in d.get("events") or [] if isinstance(e, dict) and is_num(e.get("t_s"))]

    def first(kind, after):
        return next((e["t_s"] for e in events if e.get("type") == kind and e["t_s"] >= after),
                    None)
    start = first("pressure", 0)
    if v is None:
        if start is not None:
            c.bad(path, "null, but a pressure event fired at %g s" % start)
        return
    if c.fields(path, v, {"from_s": "num", "to_s": "num", **{k: "num?" for k, _, _ in
                                                             UNDER_PRESSURE}}) is None:
        return
    if start is None:
        c.bad(path, "not null, but no pressure event fired")
        return
    end = first("pressure_end", start)
    if end is None:
        end = first("end", start)
    if not close(v.get("from_s", 0), start):
        c.bad(join(path, "from_s"), "%r, but the first pressure event is at %r"
              % (v.get("from_s"), start))
    if end is not None and not close(v.get("to_s", 0), end):
        c.bad(join(path, "to_s"), "%r, but pressure ended at %r" % (v.get("to_s"), end))
    if end is None and is_num(v.get("to_s")) and is_num(get(d, "run", "run_s")) \
            and not start <= v["to_s"] <= d["run"]["run_s"] + T_SLACK:
        c.bad(join(path, "to_s"), "%r is not within the run so far" % v["to_s"])
    for key, pattern, factor in UNDER_PRESSURE:
        if pattern is None:
            pattern = "memcg.stat.kernel" if cg_version == "v2" else "memcg.kernel_bytes"
        got, s = v.get(key), series.get(pattern)
        want = time_mean(s, v["from_s"], v["to_s"]) if isinstance(s, dict) and \
            is_num(v.get("from_s")) and is_num(v.get("to_s")) else None
        if want is None and got is not None:
            c.bad(join(path, key), "not null, but %s covers none of the window" % pattern)
        elif want is not None and got is None:
            c.bad(join(path, key), "null, but %s was sampled in the window" % pattern)
        elif want is not None and not close(got, want * factor):
            c.bad(join(path, key), "%r, but the samples of %s give %r"
                  % (got, pattern, want * factor))


def touch_guest_ns(vms):
    """As summary.c: per VM the first BEGIN to the last END of phase touch
    over its vCPUs on the guests' TSC, in ns; the longest VM; None."""
    best = None
    for vm in vms:
        khz = get(vm, "result", "tsc_khz")
        begins, ends = [], []
        for vc in get(vm, "result", "vcpus") or []:
            for ph in get(vc, "phases") or []:
                if get(ph, "name") != "touch" or not is_int(get(ph, "tsc")):
                    continue
                (begins if ph.get("edge") == "begin" else ends).append(ph["tsc"])
        if begins and ends and is_int(khz) and khz > 0 and max(ends) > min(begins):
            ns = (max(ends) - min(begins)) * 1e6 / khz
            best = ns if best is None else max(best, ns)
    return best


# --- the rest, top to bottom ---

def check_run(c, d):
    r = c.fields("run", d.get("run", MISSING), {
        "id": "str", "experiment": "str", "rep": "int", "reps": "int", "tag": "str?",
        "started_at": "str", "command_line": "str", "duration_s": "num",
        "duration_override_s": "num?", "scale": "num", "sample_period_ms": "num",
        "run_s": "num", "loop_s": "num?", "loop_cpu_s": "num?", "end_reason": "str"},
        {"block": "int?", "status": "str", "problems": "arr"})  # absent: older files
    if r is None:
        return
    check_status(c, d, r)
    if "block" in r and is_int(r["block"]) and r["block"] < 1:
        c.bad("run.block", "%d: a block is numbered from 1" % r["block"])
    if is_int(r.get("rep")) and is_int(r.get("reps")) and not 1 <= r["rep"] <= r["reps"]:
        c.bad("run.rep", "%d is not within 1 to reps (%d)" % (r["rep"], r["reps"]))
    if isinstance(r.get("started_at"), str) and not STARTED_AT.match(r["started_at"]):
        c.bad("run.started_at", "'%s' is not YYYY-MM-DDTHH:MM:SSZ" % r["started_at"])
    for k in ("duration_s", "scale", "sample_period_ms"):
        if is_num(r.get(k)) and r[k] <= 0:
            c.bad(join("run", k), "must be above 0")
    reason = r.get("end_reason")
    if isinstance(reason, str):
        if reason not in END_REASONS and reason != PARTIAL_REASON:
            c.bad("run.end_reason", "'%s' is not one of the documented reasons" % reason)
        if d.get("complete") is True and reason in (PARTIAL_REASON, "interrupted"):
            c.bad("run.end_reason", "'%s' in a complete file" % reason)
        if reason == PARTIAL_REASON and (r.get("loop_s") is not None
                                         or r.get("loop_cpu_s") is not None):
            c.bad("run", "loop_s and loop_cpu_s must be null in a partial file")
    if isinstance(r.get("experiment"), str) and isinstance(get(d, "spec", "name"), str) \
            and r["experiment"] != d["spec"]["name"]:
        c.bad("run.experiment", "'%s', but spec.name is '%s'" % (r["experiment"],
                                                               d["spec"]["name"]))


def measures_oom(d):
    return "oom_killed_vms" in (get(d, "spec", "primary") or [])


def check_status(c, d, r):
    """run.status and run.problems against the rest of the file."""
    if not reliable(d):
        return
    if "problems" not in r:
        c.bad("run", "missing key 'problems' (a file with run.status has it)")
        return
    status, problems = r.get("status"), r.get("problems")
    if status not in RUN_STATUSES:
        c.bad("run.status", "%r is not ok, failed or interrupted" % (status,))
    if not isinstance(problems, list):
        return
    for i, p in enumerate(problems):
        if not isinstance(p, str) or not p:
            c.bad(join("run.problems", i), "expected a non-empty string")
        elif CONTROL.search(p):
            c.bad(join("run.problems", i), "a control character: one line each")
    if status == "ok" and problems:
        c.bad("run.status", "ok, but run.problems has %d lines" % len(problems))
    if status in ("failed", "interrupted") and not problems:
        c.bad("run.problems", "empty, but run.status is %s" % status)
    if (status == "interrupted") != (r.get("end_reason") == "interrupted"):
        c.bad("run.status", "%r, but run.end_reason is %r" % (status, r.get("end_reason")))
    if d.get("complete") is not True and status == "ok":
        c.bad("run.status", "ok in a file that is not complete")
    for i, vm in enumerate(d.get("vms") if isinstance(d.get("vms"), list) else []):
        st = get(vm, "status")
        if st in (None, "ok", "running") or (st == "oom-killed" and measures_oom(d)):
            continue
        if not any(isinstance(p, str) and p.startswith("vm%d: %s:" % (i, st)) for p in problems):
            c.bad("run.problems", "no line for vm%d, whose status is %s" % (i, st))
    check_pressure_applied(c, d, problems)


def check_pressure_applied(c, d, problems):
    """summary.pressure_applied: null when the spec asks for no limit and
    no pressure; false exactly when run.problems says which never took
    effect; a refused limit is one limit_error event per refusal that
    differs, not one per retry."""
    sm = d.get("summary")
    if not isinstance(sm, dict):
        return
    if "pressure_applied" not in sm:
        c.bad("summary", "missing key 'pressure_applied' (a file with run.status has it)")
        return
    v = sm["pressure_applied"]
    cg = get(d, "spec", "cgroup") or {}
    asked = bool(get(d, "spec", "pressure")) or (isinstance(cg, dict) and
                                                 any(k in cg for k in ("limit", "steps", "ramp")))
    lines = [p for p in problems if isinstance(p, str)
             and (p.startswith("cgroup limit ") or p.startswith("pressure[")
                  or p.startswith("more cgroup limits"))]
    if not asked and v is not None:
        c.bad("summary.pressure_applied", "%r, but the spec asks for no limit and no pressure" % v)
    elif asked and v is None:
        c.bad("summary.pressure_applied", "null, but the spec asks for a limit or pressure")
    elif v is True and lines:
        c.bad("summary.pressure_applied", "true, but run.problems says: %s" % lines[0])
    elif v is False and not lines:
        c.bad("summary.pressure_applied", "false, but no line of run.problems says what")
    prev = None
    for e in d.get("events") if isinstance(d.get("events"), list) else []:
        if get(e, "type") == "limit":
            prev = None
        elif get(e, "type") == "limit_error":
            if e.get("detail") == prev:
                c.bad("events", "limit_error '%s' twice in a row: one event per refusal that differs"
                      % prev)
            prev = e.get("detail")


def check_host(c, d):
    h = c.fields("host", d.get("host", MISSING), {
        "kernel_release": "str", "kernel_version": "str", "cpu_model": "str",
        "nr_cpus": "int", "mem_total_bytes": "int", "kvm_module": "str", "mmu": "str",
        "mmu_reason": "str", "kvm_params": "obj", "lab": "bool", "arm": "str?"},
        {"accel": "str?", "clock": "str", "icount_shift": "int?"})
    if h is None:
        return
    # results before the lab clock was recorded have no "clock": host time
    if "clock" in h and h["clock"] not in ("icount", "host"):
        c.bad("host.clock", "%r is not icount or host" % (h["clock"],))
    if h.get("clock") == "icount" and not isinstance(h.get("icount_shift"), int):
        c.bad("host.icount_shift", "must be an integer with clock icount")
    if isinstance(h.get("mmu"), str) and h["mmu"] not in ("tdp", "shadow", "unknown"):
        c.bad("host.mmu", "'%s' is not tdp, shadow or unknown" % h["mmu"])
    for k, v in (h.get("kvm_params") or {}).items() if isinstance(h.get("kvm_params"), dict) \
            else []:
        c.typed(join("host.kvm_params", k), v, "str")


def check_cgroup(c, d):
    g = c.fields("cgroup", d.get("cgroup", MISSING), {
        "version": "str", "mount": "str", "tree": "str", "knob": "str", "knob_file": "str"},
        {"note": "str"})
    if g is None:
        return None
    if g.get("version") not in ("v1", "v2"):
        c.bad("cgroup.version", "%r is not v1 or v2" % (g.get("version"),))
    if g.get("knob") not in ("max", "high"):
        c.bad("cgroup.knob", "%r is not max or high" % (g.get("knob"),))
    if isinstance(g.get("tree"), str) and not g["tree"].startswith("kvmsqueeze-"):
        c.bad("cgroup.tree", "'%s' does not start with kvmsqueeze-" % g["tree"])
    want = {("v2", "max"): "memory.max", ("v2", "high"): "memory.high",
            ("v1", "max"): "memory.limit_in_bytes", ("v1", "high"): "memory.limit_in_bytes"}
    kf = want.get((g.get("version"), g.get("knob")))
    if kf and isinstance(g.get("knob_file"), str) and g["knob_file"] != kf:
        c.bad("cgroup.knob_file", "'%s', but %s knob %s is %s" % (g["knob_file"], g["version"],
                                                               g["knob"], kf))
    return g.get("version")


def check_sources(c, d, series):
    srcs = d.get("sources", MISSING)
    if not c.typed("sources", srcs, "arr"):
        return
    samplers, pressures = [], []
    for i, s in enumerate(srcs):
        p = join("sources", i)
        if c.fields(p, s, {"name": "str", "kind": "str", "available": "bool"},
                    {"why": "str", "note": "str", "fired": "int", "failed": "int",
                     "original": "str", "restored": "bool?"}) is None:
            continue
        kind, name = s.get("kind"), s.get("name")
        if kind == "sampler":
            if pressures:
                c.bad(p, "a sampler after the pressure sources")
            if name not in SAMPLERS:
                c.bad(join(p, "name"), "'%s' is not a sampler" % name)
            samplers.append(name)
            for k in ("fired", "failed"):
                if k in s:
                    c.bad(p, "'%s' on a sampler" % k)
        elif kind == "pressure":
            if name not in PRESSURES:
                c.bad(join(p, "name"), "'%s' is not a pressure kind" % name)
            pressures.append(name)
            for k in ("fired", "failed"):
                if k not in s:
                    c.bad(p, "missing key '%s'" % k)
            if "note" in s:
                c.bad(p, "'note' on a pressure source")
            nx = name == "nx_huge_pages" and s.get("available") is True
            for k in ("original", "restored"):
                if nx and k not in s:
                    c.bad(p, "missing key '%s'" % k)
                elif not nx and k in s:
                    c.bad(p, "'%s' on a source that is not an available nx_huge_pages" % k)
            if nx and s.get("original") not in ("Y", "N"):
                c.bad(join(p, "original"), "%r is not Y or N" % (s.get("original"),))
        else:
            c.bad(join(p, "kind"), "%r is not sampler or pressure" % (kind,))
            continue
        avail = s.get("available")
        if avail is False:
            if not isinstance(s.get("why"), str) or not s["why"].strip():
                c.bad(p, "unavailable without a 'why'")
        elif avail is True and "why" in s:
            c.bad(p, "'why' on an available source")
        if kind == "sampler" and avail is False and name in SAMPLER_PREFIX:
            pre = SAMPLER_PREFIX[name]
            m = FAILED_AT.match(s.get("why") or "")
            limit = float(m.group(1)) + T_SLACK if m else None
            for sname, ser in series.items():
                if not sname.startswith(pre):
                    continue
                if limit is None:
                    c.bad(join("series", sname), "series of sampler %s, which is unavailable"
                          % name)
                    break
                last = get(ser, "t_s")
                last = last[-1] if isinstance(last, list) and last else None
                if is_num(last) and last > limit:
                    c.bad(join("series", sname), "points after sampler %s failed at %s s"
                          % (name, m.group(1)))
                    break
    want = SAMPLERS if current(d) else OLD_SAMPLERS
    if samplers != want:
        c.bad("sources", "samplers are %s, want %s in that order" % (samplers, want))
    spec_p = get(d, "spec", "pressure")
    if isinstance(spec_p, list):
        kinds = [get(x, "kind") for x in spec_p]
        if kinds != pressures:
            c.bad("sources", "pressure sources %s, but the spec has %s" % (pressures, kinds))


def check_events(c, d):
    ev = d.get("events", MISSING)
    if not c.typed("events", ev, "arr"):
        return
    prev, ends = None, []
    for i, e in enumerate(ev):
        p = join("events", i)
        if c.fields(p, e, {"t_s": "num", "type": "str", "detail": "str"}) is None:
            continue
        t = e.get("t_s")
        if is_num(t):
            if t < 0:
                c.bad(join(p, "t_s"), "negative time")
            if prev is not None and t < prev:
                c.bad(join(p, "t_s"), "goes back from %g to %g" % (prev, t))
            prev = t
        if isinstance(e.get("type"), str) and e["type"] not in EVENT_TYPES:
            c.bad(join(p, "type"), "'%s' is not a documented event type" % e["type"])
        if e.get("type") == "end":
            ends.append(e.get("detail"))
    reason = get(d, "run", "end_reason")
    if reason == PARTIAL_REASON:
        if ends:
            c.bad("events", "an end event in a partial file")
    elif isinstance(reason, str):
        if ends != [reason]:
            c.bad("events", "want one end event '%s', got %s" % (reason, ends))


def check_phases(c, d, vcpus_of):
    ph = d.get("phases", MISSING)
    if not c.typed("phases", ph, "arr"):
        return
    for i, x in enumerate(ph):
        p = join("phases", i)
        if c.fields(p, x, {"vm": "int", "vcpu": "int", "name": "str", "edge": "str",
                           "t_s": "num"}) is None:
            continue
        if x.get("edge") not in ("begin", "end"):
            c.bad(join(p, "edge"), "%r is not begin or end" % (x.get("edge"),))
        if isinstance(x.get("name"), str) and not PHASE_NAME.match(x["name"]):
            c.bad(join(p, "name"), "'%s' is not a phase name ([a-z0-9_], 1 to 23)" % x["name"])
        if is_num(x.get("t_s")) and x["t_s"] < 0:
            c.bad(join(p, "t_s"), "negative time")
        vm, vc = x.get("vm"), x.get("vcpu")
        if is_int(vm):
            if vm not in vcpus_of:
                c.bad(join(p, "vm"), "no VM %d in vms[]" % vm)
            elif is_int(vc) and vcpus_of[vm] is not None and not 0 <= vc < vcpus_of[vm]:
                c.bad(join(p, "vcpu"), "vm%d has no vCPU %d" % (vm, vc))


def check_hist(c, p, h, khz, new):
    """One vCPU's histogram; @new: of the current format, with sum_cycles."""
    want = {"count": "int", "p50": "num", "p90": "num", "p99": "num", "p999": "num",
            "min": "num", "max": "num", "mean": "num", "bucket_unit": "str",
            "buckets": "arr"}
    if new:
        want["sum_cycles"] = "int"
    if c.fields(p, h, want, {"sum_cycles": "int"}) is None:
        return
    n, total = h.get("count"), h.get("sum_cycles")
    if is_int(n) and is_int(total) and is_int(khz) and khz > 0:
        total_ns = total * 1e6 / khz
        lo, hi, mean = h.get("min"), h.get("max"), h.get("mean")
        if n == 0 and total != 0:
            c.bad(join(p, "sum_cycles"), "%d with no values" % total)
        if n and is_num(lo) and is_num(hi) and not (
                n * lo * (1 - 1e-9) - 1e-6 <= total_ns <= n * hi * (1 + 1e-9) + 1e-6):
            c.bad(join(p, "sum_cycles"), "%d cycles (%g ns) do not fit %d values from %g "
                  "to %g ns" % (total, total_ns, n, lo, hi))
        if n and is_num(mean) and not close(mean, total_ns / n):
            c.bad(join(p, "mean"), "%r, but sum_cycles / count is %r ns" % (mean, total_ns / n))
    if h.get("bucket_unit") != "tsc_cycles":
        c.bad(join(p, "bucket_unit"), "%r is not tsc_cycles" % (h.get("bucket_unit"),))
    total = 0
    for j, row in enumerate(h.get("buckets") or []):
        if not (isinstance(row, list) and len(row) == 3 and all(is_int(x) and x >= 0
                                                                for x in row)):
            c.bad(join(join(p, "buckets"), j), "expected [lower, width, count] integers")
            return
        total += row[2]
    if is_int(h.get("count")) and total != h["count"]:
        c.bad(join(p, "count"), "%d, but the buckets hold %d" % (h["count"], total))


def check_vm_result(c, p, r, vm, d):
    r = c.fields(p, r, {
        "tool": "obj", "guest": "str", "mem_bytes": "int", "backing": "str",
        "guest_page_bytes": "int", "nr_vcpus": "int", "params": "obj", "outcome": "str",
        "run_ns": "int", "tsc_khz": "int", "layout": "obj", "phases": "arr",
        "vcpus": "arr", "kvm_stats": "obj", "host": "obj"},
        {"error": "str", "nr_mmu_pages": "int", "memslot_churn": "obj"})
    if r is None:
        return
    if "memslot_churn" in r:
        mc = c.fields(join(p, "memslot_churn"), r["memslot_churn"], {
            "period_ms": "int", "slot": "int", "gpa": "int", "bytes": "int", "creates": "int",
            "deletes": "int", "failures": "int", "left_present": "bool", "error": "str?"})
        if mc and all(is_int(mc.get(k)) for k in ("creates", "deletes")) and \
                not 0 <= mc["creates"] - mc["deletes"] <= 1:
            c.bad(join(p, "memslot_churn"), "%d creates but %d deletes"
                  % (mc["creates"], mc["deletes"]))
    c.fields(join(p, "tool"), r.get("tool"), {"name": "str", "version": "str"})
    if r.get("outcome") not in OUTCOMES and isinstance(r.get("outcome"), str):
        c.bad(join(p, "outcome"), "'%s' is not a VM outcome" % r["outcome"])
    if r.get("backing") not in BACKINGS and isinstance(r.get("backing"), str):
        c.bad(join(p, "backing"), "'%s' is not a backing" % r["backing"])
    if is_int(r.get("guest_page_bytes")) and r["guest_page_bytes"] not in (4096, 2 << 20,
                                                                          1 << 30):
        c.bad(join(p, "guest_page_bytes"), "%d is not 4K, 2M or 1G" % r["guest_page_bytes"])
    for k, v in (r.get("params") or {}).items() if isinstance(r.get("params"), dict) else []:
        c.typed(join(join(p, "params"), k), v, "str")
    for mine, theirs in (("guest", "guest"), ("mem_bytes", "mem_bytes"), ("vcpus", "nr_vcpus"),
                         ("backing", "backing")):
        if vm.get(mine) is not None and r.get(theirs) is not None \
                and vm.get(mine) != r.get(theirs):
            c.bad(join(p, theirs), "%r, but vms[].%s is %r" % (r[theirs], mine, vm[mine]))
    c.fields(join(p, "layout"), r.get("layout"), {k: "int" for k in (
        "image_start", "image_end", "pt_start", "pt_end", "stack_start", "stack_end",
        "free_start", "free_end")})
    for i, ph in enumerate(r.get("phases") or [] if isinstance(r.get("phases"), list) else []):
        c.fields(join(join(p, "phases"), i), ph, {"name": "str", "begin_ns": "int",
                                                  "end_ns": "int", "duration_ns": "int",
                                                  "vcpus": "int"})
    vcpus = r.get("vcpus") if isinstance(r.get("vcpus"), list) else []
    if is_int(r.get("nr_vcpus")) and len(vcpus) != r["nr_vcpus"]:
        c.bad(join(p, "vcpus"), "%d entries for %d vCPUs" % (len(vcpus), r["nr_vcpus"]))
    for i, vc in enumerate(vcpus):
        q = join(join(p, "vcpus"), i)
        base = {"id": "int", "end": "str", "run_ns": "int", "seconds": "num",
                "counters": "obj", "phases": "arr", "exits": "obj"}
        opt = {"exit_code": "int", "error": "str", "pages_touched": "int"}
        if c.fields(q, vc, base, opt, open_keys=True) is None:
            continue
        for k, v in vc.items():
            if k in base or k in opt:
                continue
            if k.endswith("_ns"):
                check_hist(c, join(q, k), v, r.get("tsc_khz"), current(d))
            elif c.strict:
                c.bad(q, "undocumented key '%s'" % k)
        if vc.get("end") not in VCPU_ENDS and isinstance(vc.get("end"), str):
            c.bad(join(q, "end"), "'%s' is not a vCPU end" % vc["end"])
        if (vc.get("end") == "exited") != ("exit_code" in vc):
            c.bad(q, "exit_code must be there exactly when end is exited")
        for k, v in (vc.get("counters") or {}).items() if isinstance(vc.get("counters"),
                                                                     dict) else []:
            c.typed(join(join(q, "counters"), k), v, "int")
        for k, v in (vc.get("exits") or {}).items() if isinstance(vc.get("exits"), dict) else []:
            c.typed(join(join(q, "exits"), k), v, "int")
        for j, ph in enumerate(vc.get("phases") or [] if isinstance(vc.get("phases"),
                                                                    list) else []):
            x = c.fields(join(join(q, "phases"), j), ph, {"name": "str", "edge": "str",
                                                          "tsc": "int", "host_ns": "int"})
            if x is not None and x.get("edge") not in ("begin", "end"):
                c.bad(join(join(join(q, "phases"), j), "edge"), "not begin or end")
    ks = c.fields(join(p, "kvm_stats"), r.get("kvm_stats"), {"vm": "obj", "vcpus": "arr"})
    if ks is not None:
        c.fields(join(join(p, "kvm_stats"), "vm"), ks.get("vm"), {"start": "obj", "end": "obj"})
        for i, x in enumerate(ks.get("vcpus") or [] if isinstance(ks.get("vcpus"),
                                                                 list) else []):
            c.fields(join(join(p, "kvm_stats.vcpus"), i), x, {"start": "obj", "end": "obj"})
    c.fields(join(p, "host"), r.get("host"), {
        "kernel_release": "str", "kernel_version": "str", "cpu_model": "str",
        "kvm_module": "str", "mmu": "str", "mmu_reason": "str", "kvm_params": "obj"})


def end_detail_ok(end, detail):
    if end == "running":
        return detail == "running"
    if end in OUTCOME_EXIT:
        want = "exited 0" if end == "ok" else "exit %d" % OUTCOME_EXIT[end]
        return detail == want
    if end == "setup-failed":
        m = re.match(r"^exit (\d+)$", detail)
        return bool(m) and int(m.group(1)) not in OUTCOME_EXIT.values()
    if end == "oom-killed":
        return detail == "killed by SIGKILL"
    return detail.startswith("killed by SIG")


def check_vms(c, d):
    vms = d.get("vms", MISSING)
    if not c.typed("vms", vms, "arr"):
        return {}
    vcpus_of = {}
    spec_vms = get(d, "spec", "vms")
    if isinstance(spec_vms, list):
        want = sum(x.get("count", 1) for x in spec_vms if isinstance(x, dict)
                   and is_int(x.get("count", 1)))
        if want != len(vms):
            c.bad("vms", "%d entries, but the spec asks for %d VMs" % (len(vms), want))
    for i, vm in enumerate(vms):
        p = join("vms", i)
        if c.fields(p, vm, {
                "index": "int", "group": "int", "guest": "str", "vcpus": "int",
                "mem_bytes": "int", "backing": "str", "pid": "int", "end": "str",
                "end_detail": "str", "error": "str?", "start_s": "num?", "end_s": "num?",
                "result": "obj?", "log": "str"}, {"status": "str"}) is None:
            continue
        vcpus_of[i] = vm.get("vcpus") if is_int(vm.get("vcpus")) else None
        if vm.get("index") != i:
            c.bad(join(p, "index"), "%r at position %d" % (vm.get("index"), i))
        if is_int(vm.get("group")) and isinstance(spec_vms, list) \
                and not 0 <= vm["group"] < len(spec_vms):
            c.bad(join(p, "group"), "no spec.vms[%d]" % vm["group"])
        if vm.get("backing") not in BACKINGS and isinstance(vm.get("backing"), str):
            c.bad(join(p, "backing"), "'%s' is not a backing" % vm["backing"])
        end = vm.get("end")
        if isinstance(end, str):
            if end != "running" and end not in END_KINDS:
                c.bad(join(p, "end"), "'%s' is not an end kind" % end)
            if end == "running":
                if d.get("complete") is True:
                    c.bad(join(p, "end"), "still running in a complete file")
                if vm.get("end_s") is not None:
                    c.bad(join(p, "end_s"), "set on a running VM")
                if vm.get("result") is not None:
                    c.bad(join(p, "result"), "set on a running VM")
            elif vm.get("end_s") is None:
                c.bad(join(p, "end_s"), "null on a VM that ended (%s)" % end)
            if isinstance(vm.get("end_detail"), str) and (end == "running" or end in END_KINDS) \
                    and not end_detail_ok(end, vm["end_detail"]):
                c.bad(join(p, "end_detail"), "'%s' does not fit end '%s'" % (vm["end_detail"],
                                                                            end))
            res = vm.get("result")
            if isinstance(res, dict) and end in OUTCOMES and res.get("outcome") != end:
                c.bad(join(p, "result.outcome"), "%r, but end is '%s'" % (res.get("outcome"),
                                                                         end))
        if reliable(d):
            st = vm.get("status", MISSING)
            if st is MISSING:
                c.bad(p, "missing key 'status' (a file with run.status has it)")
            elif st not in VM_STATUS_ENDS:
                c.bad(join(p, "status"), "%r is not a VM status" % (st,))
            elif isinstance(end, str) and end not in VM_STATUS_ENDS[st]:
                c.bad(join(p, "status"), "%r, but end is '%s'" % (st, end))
            elif st == "crashed" and not str(vm.get("end_detail")).endswith(FAULTS):
                c.bad(join(p, "status"), "crashed, but %r is no fault" % vm.get("end_detail"))
        if is_num(vm.get("start_s")) and is_num(vm.get("end_s")) and vm["end_s"] < vm["start_s"]:
            c.bad(join(p, "end_s"), "before start_s")
        if isinstance(vm.get("log"), str) and not re.search(r"rep-\d+-vm%d\.log$" % i,
                                                            vm["log"]):
            c.bad(join(p, "log"), "'%s' is not rep-<n>-vm%d.log" % (vm["log"], i))
        if isinstance(vm.get("result"), dict):
            check_vm_result(c, join(p, "result"), vm["result"], vm, d)
    return vcpus_of


def check(d, strict):
    c = Checker(strict)
    top = {"schema": "int", "complete": "bool", "tool": "obj", "run": "obj", "host": "obj",
           "cgroup": "obj", "spec": "obj", "notes": "arr", "sources": "arr",
           "summary": "obj", "events": "arr", "phases": "arr", "vms": "arr",
           "series": "obj"}
    if c.fields("", d, {k: None for k in top}) is None:
        return c.problems
    for k in ("schema", "complete", "spec", "notes"):   # the rest: checked below
        if k in d:
            c.typed(k, d[k], top[k])
    if is_int(d.get("schema")) and d["schema"] != SCHEMA:
        c.bad("schema", "%d, this validator knows schema %d" % (d["schema"], SCHEMA))
    c.fields("tool", d.get("tool", MISSING), {"name": "str", "version": "str"})
    if get(d, "tool", "name") not in (None, "kvmsqueeze"):
        c.bad("tool.name", "%r is not kvmsqueeze" % (get(d, "tool", "name"),))
    check_run(c, d)
    check_host(c, d)
    cg_version = check_cgroup(c, d)
    for i, n in enumerate(d.get("notes") if isinstance(d.get("notes"), list) else []):
        c.typed(join("notes", i), n, "str")
    vms = d.get("vms") if isinstance(d.get("vms"), list) else None
    series = check_series(c, d.get("series", MISSING), get(d, "run", "run_s"),
                          len(vms) if vms is not None else None)
    check_sources(c, d, series)
    check_events(c, d)
    vcpus_of = check_vms(c, d)
    check_phases(c, d, vcpus_of)
    check_summary(c, d, series, cg_version)
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

    with open(path, encoding="utf-8") as f:
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
    failed = False
    for path in files:
        try:
            d, dups = load(path)
        except (OSError, UnicodeDecodeError) as e:
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
        problems = [("(json)", "duplicate key '%s'" % k) for k in dups] + check(d, strict)
        for where, msg in problems:
            print("%s: %s: %s" % (path, where, msg))
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
