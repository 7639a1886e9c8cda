#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/checks/result_checks.py: named checks on kvmsqueeze's JSON results.

usage: result_checks.py CHECK FILE [ARG...]   exit 0 if CHECK holds on FILE;
                                              else print why and exit 1
       result_checks.py VALUE FILE...         print a value of the results
       result_checks.py --list                the checks and values, one a line

The shell tests call these through check and result in tests/lib.sh, so a
test says which check it makes and this file says what the check means.
Each check's first docstring line is what must hold; its failure message
is that line and what was found instead, e.g. "an OOM kill is recorded,
and fails the run: vms.0.end is "ok", want "oom-killed"" (values as the
JSON has them). Fields are named by dotted paths
into the JSON (vms.0.end: d["vms"][0]["end"]); a missing one fails the
check. Two kinds of file: the result of `kvmsqueeze run` (rep-N.json,
experiments/RESULT.md; in the lab or not) and of `kvmsqueeze vm --json`.
What report and compare print is checked by report_checks.py, which
reads fields and runs checks through this file. Python 3 standard
library only.
"""
import inspect
import json
import re
import sys

CHECKS = {}
VALUES = {}


class Failed(Exception):
    """A check did not hold; the message says what was found."""


def registrar(table):
    """A decorator that enters a function in TABLE under its name."""
    def register(fn):
        table[fn.__name__] = fn
        return fn
    return register


# @check: fn(d, *args), a check on one result file; @value: fn(*docs), a
# value printed for the shell
check = registrar(CHECKS)
value = registrar(VALUES)


# Reading and asserting on fields

def show(x):
    """x as the JSON has it: null, true, "text"."""
    return json.dumps(x)


def field(d, path):
    """d's value at the dotted path PATH; Failed if there is none."""
    cur = d
    for key in path.split("."):
        try:
            cur = cur[int(key)] if isinstance(cur, list) else cur[key]
        except (KeyError, IndexError, TypeError, ValueError):
            raise Failed(f"no {path} in the result") from None
    return cur


def want_eq(d, path, want):
    """PATH equals WANT; for true, false and null, is it (0 is not false)."""
    got = field(d, path)
    same = got is want if want is None or isinstance(want, bool) else got == want
    if not same:
        raise Failed(f"{path} is {show(got)}, want {show(want)}")


def want_true(d, path):
    """PATH is there and true (not false, null, 0 or empty)."""
    got = field(d, path)
    if not got:
        raise Failed(f"{path} is {show(got)}, want it true")


def want(cond, what):
    """Failed(what) unless cond."""
    if not cond:
        raise Failed(what)


def want_min(got, low, what):
    """GOT is a number and at least LOW."""
    want(isinstance(got, (int, float)) and got >= low,
         f"{what} is {show(got)}, want at least {low}")


def want_above(got, low, what):
    """GOT is a number above LOW."""
    want(isinstance(got, (int, float)) and got > low, f"{what} is {show(got)}, want above {low}")


def events(d, prefix=""):
    """The types of d's events that start with PREFIX, in order."""
    return [e["type"] for e in field(d, "events") if e["type"].startswith(prefix)]


def problems(d):
    return field(d, "run.problems")


def first_problem_starts(d, start):
    """run.problems[0] starts with START."""
    probs = problems(d)
    want(probs and probs[0].startswith(start),
         f"run.problems is {show(probs)}, want the first to start with {show(start)}")


def free_pages(d):
    """The guest's free RAM in 4 KiB pages (a `vm --json` result's layout)."""
    return (field(d, "layout.free_end") - field(d, "layout.free_start")) // 4096


def size_bytes(text):
    """'7G', '64M', '4096': a size in bytes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1:] in units:
        return int(text[:-1]) * units[text[-1]]
    return int(text)


def vm_by_pid(d, pid):
    """The vms[] entry of process PID, exactly one."""
    found = [v for v in field(d, "vms") if v.get("pid") == pid]
    want(len(found) == 1, f"{len(found)} entries in vms[] with pid {pid}, want 1")
    return found[0]


# Checks on `kvmsqueeze run` results

@check
def hog_never_held(d):
    """a hog whose mmap failed is recorded as never applied.

    Its pressure_end event says it exited 4 because its mmap failed,
    summary.pressure_applied is false and that is the run's one problem.
    """
    want(any(e["type"] == "pressure_end" and "exited 4: its mmap failed" in e["detail"]
             for e in field(d, "events")),
         "no pressure_end event saying 'exited 4: its mmap failed'")
    want_eq(d, "summary.pressure_applied", False)
    want_eq(d, "run.problems",
            ["pressure[0] hog never held its memory (see the pressure_end event)"])


@check
def observer_cost(d):
    """every sampler says what observing cost: its samples and CPU time.

    An available sampler took a sample each period of the run's loop (at
    least half of loop_s / sample_period, as the loop skips when behind),
    all of them the same number, with CPU time in them (zero for none);
    an unavailable one never sampled. Pressure sources carry neither.
    """
    period_s = field(d, "run.sample_period_ms") / 1000
    least = int(field(d, "run.loop_s") / period_s / 2)
    taken = set()
    for s in field(d, "sources"):
        if s["kind"] == "pressure":
            want("samples" not in s and "cpu_s" not in s,
                 f"pressure source {s['name']} has samples or cpu_s")
            continue
        n, cpu = s.get("samples"), s.get("cpu_s")
        want(isinstance(cpu, (int, float)) and cpu >= 0,
             f"sampler {s['name']}: cpu_s is {show(cpu)}, want a number >= 0")
        if not s["available"]:
            want(n == 0 or "failed at" in s["why"],
                 f"unavailable sampler {s['name']} took {show(n)} samples")
            continue
        want_min(n, max(least, 1), f"sampler {s['name']}'s samples")
        want(cpu > 0, f"sampler {s['name']} took {n} samples in cpu_s 0")
        taken.add(n)
    want(len(taken) == 1, f"the available samplers took unlike numbers of samples: {sorted(taken)}")


@check
def squeezed(d):
    """the limit ramped down, held, and forced reclaim.

    A complete run, vm0 ended ok, at least 10 limit events, more than 1000
    pages scanned or paged out by the memory cgroup, at most 200 MiB in it
    at the end, and access latencies recorded.
    """
    want_true(d, "complete")
    want_eq(d, "vms.0.end", "ok")
    want_min(events(d).count("limit"), 10, "the number of limit events")
    scanned = (field(d, "summary.reclaim.memcg_pgscan") or 0) + \
        (field(d, "summary.reclaim.memcg_pgpgout") or 0)
    want(scanned > 1000, f"memcg_pgscan + memcg_pgpgout is {scanned}, want above 1000")
    final = field(d, "summary.memcg.current_bytes.final")
    want(final <= 200 << 20, f"summary.memcg.current_bytes.final is {final}, want at most 200 MiB")
    count = field(d, "summary.access_latency_ns.count")
    want(count > 0, f"summary.access_latency_ns.count is {count}, want above 0")


@check
def oom_killed(d):
    """an OOM kill is recorded, and fails the run.

    A complete run, vm0's end and status oom-killed, the run failed with
    vm0's kill its first problem, summary.oom_killed_vms 1, an oom_kill
    event and the memory cgroup's oom_kill count at least 1.
    """
    want_true(d, "complete")
    want_eq(d, "vms.0.end", "oom-killed")
    want_eq(d, "vms.0.status", "oom-killed")
    want_eq(d, "run.status", "failed")
    first_problem_starts(d, "vm0: oom-killed: ")
    want_eq(d, "summary.oom_killed_vms", 1)
    want("oom_kill" in events(d), "no oom_kill event")
    want_min(field(d, "summary.memcg_oom_kill"), 1, "summary.memcg_oom_kill")


@check
def oom_measured(d):
    """an OOM kill that the spec measures is an outcome, not a failure.

    The run is ok with no problems, and vm0's status is oom-killed.
    """
    want_eq(d, "run.status", "ok")
    want_eq(d, "run.problems", [])
    want_eq(d, "vms.0.status", "oom-killed")


@check
def vms_killed(d, killed, termed, bussed, alive):
    """VMs killed from outside are recorded as such, each a problem.

    Four VM processes: KILLED got SIGKILL and TERMED SIGTERM (both
    "killed", TERMED after writing its result), BUSSED got SIGBUS and
    ALIVE was left alone ("ok"). The run failed with three problems, one
    of them SIGTERM's; no OOM kill. BUSSED is "crashed", with a problem
    saying so, unless ASan caught the SIGBUS itself: then its log has the
    ASan report and it is "setup-failed".
    """
    killed, termed, bussed, alive = int(killed), int(termed), int(bussed), int(alive)
    got = {v["pid"]: v["status"] for v in field(d, "vms") if v["pid"] != bussed}
    want(got == {killed: "killed", termed: "killed", alive: "ok"},
         f"statuses by pid are {show(got)}, want {killed}, {termed} killed and {alive} ok")
    term = vm_by_pid(d, termed)
    want(term["end_detail"] == "killed by SIGTERM",
         f"the SIGTERM'd VM's end_detail is {show(term['end_detail'])}")
    want(term["result"] is not None, "the SIGTERM'd VM has no result")
    want_eq(d, "run.status", "failed")
    want(len(problems(d)) == 3, f"run.problems is {show(problems(d))}, want 3")
    want(any(p.endswith("killed by SIGTERM from outside the run") for p in problems(d)),
         f"run.problems {show(problems(d))} do not say the SIGTERM came from outside the run")
    want_eq(d, "summary.oom_killed_vms", 0)
    bus = vm_by_pid(d, bussed)
    if (bus["status"], bus["end_detail"]) == ("crashed", "killed by SIGBUS") and \
       any(": crashed: killed by SIGBUS: its log has no error line" in p for p in problems(d)):
        return
    with open(bus["log"], encoding="utf-8", errors="replace") as log:
        asan = "AddressSanitizer" in log.read()
    want(asan and bus["status"] == "setup-failed",
         f"the SIGBUS'd VM is {show(bus['status'])} ({show(bus['end_detail'])}), want crashed with "
         "a problem saying so (or setup-failed after an ASan report)")


@check
def no_vm_created(d):
    """four VMs that could not be created fail the run.

    A complete run, failed, each of the 4 VMs setup-failed, a problem each.
    """
    want_true(d, "complete")
    want_eq(d, "run.status", "failed")
    statuses = [v["status"] for v in field(d, "vms")]
    want(statuses == ["setup-failed"] * 4, f"VM statuses {show(statuses)}, want 4 setup-failed")
    want(len(problems(d)) == 4, f"run.problems is {show(problems(d))}, want 4")


@check
def timed_out(d):
    """two VMs stopped by their timeout fail the run.

    The run failed, both VMs timeout, vm0's exit 5 the first problem.
    """
    want_eq(d, "run.status", "failed")
    statuses = [v["status"] for v in field(d, "vms")]
    want(statuses == ["timeout"] * 2, f"VM statuses {show(statuses)}, want 2 timeout")
    first_problem_starts(d, "vm0: timeout: exit 5")


@check
def interrupted(d):
    """an interrupted run's partial result is kept as incomplete.

    complete is false, run.end_reason interrupted, both VMs listed.
    """
    want_eq(d, "complete", False)
    want_eq(d, "run.end_reason", "interrupted")
    n = len(field(d, "vms"))
    want(n == 2, f"{n} VMs in vms[], want 2")


@check
def stopped_by(d, sig):
    """a run stopped by signal SIG ends as interrupted, saying by which.

    complete is false, run.end_reason and run.status interrupted, and the
    first problem "interrupted by SIG<SIG> at ...".
    """
    want_eq(d, "complete", False)
    want_eq(d, "run.end_reason", "interrupted")
    want_eq(d, "run.status", "interrupted")
    first_problem_starts(d, f"interrupted by SIG{sig} at ")


@check
def block(d, number):
    """run.block is NUMBER.

    NUMBER null: the run is in no block (no --block, no kvmsqueeze.block=).
    """
    want_eq(d, "run.block", None if number == "null" else int(number))


@check
def shrinker_unavailable(d):
    """a shrinker_scan without the shrinker debugfs fails the run for that alone.

    summary.pressure_applied is false, and the one problem says
    pressure[1] shrinker_scan was unavailable.
    """
    want_eq(d, "summary.pressure_applied", False)
    want(len(problems(d)) == 1, f"run.problems is {show(problems(d))}, want 1")
    first_problem_starts(d, "pressure[1] shrinker_scan never acted: unavailable: ")


@check
def limit_retried(d):
    """a limit the kernel refused is retried until it takes effect.

    One limit_error event, then one limit event whose detail says "after";
    summary.pressure_applied is true, and vm0's timeout the one problem.
    """
    types = events(d, "limit")
    want(types == ["limit_error", "limit"], f"limit events {show(types)}, want limit_error, limit")
    taken = [e for e in field(d, "events") if e["type"] == "limit"][0]
    want("after " in taken["detail"],
         f"the limit event's detail {show(taken['detail'])} lacks 'after '")
    want_eq(d, "summary.pressure_applied", True)
    want_eq(d, "run.problems", ["vm0: timeout: exit 5"])


@check
def limit_never_taken(d, step_s):
    """a limit the kernel always refused fails the run, saying how often.

    One limit_error event and no limit event, summary.pressure_applied
    false, the run failed with one problem: the 96 MiB limit never took
    effect, refused from its step's time (ARG, seconds) or a loop
    iteration after it, all of more than one attempt.
    """
    types = events(d, "limit")
    want(types == ["limit_error"], f"limit events {show(types)}, want one limit_error")
    want_eq(d, "summary.pressure_applied", False)
    want_eq(d, "run.status", "failed")
    want(len(problems(d)) == 1, f"run.problems is {show(problems(d))}, want 1")
    first_problem_starts(d, "cgroup limit 96 MiB (from ")
    line = problems(d)[0]
    m = re.match(r"cgroup limit 96 MiB \(from (\d+\.\d) s\) never took effect: "
                 r"the kernel refused all ", line)
    want(m and float(step_s) <= float(m.group(1)) < float(step_s) + 1,
         f"{show(line)}: not refused from {step_s} s (or within a second after)")
    tries = problems(d)[0].split("refused all ")[1].split()[0]
    want(tries.isdigit() and int(tries) > 1, f"refused all {show(tries)} tries, want more than 1")


# Checks on `kvmsqueeze vm --json` results

def guest_touch(v):
    want(v["pages_touched"] > 0, "no page touched")
    want(v["fault_latency_ns"]["count"] == v["pages_touched"],
         f"{v['fault_latency_ns']['count']} fault latencies for {v['pages_touched']} pages")


def guest_workingset(v):
    want(v["counters"]["accesses"] > 0, "no access counted")
    want(v["access_latency_ns"]["count"] > 0, "no access latency")


def guest_alias(v):
    want(v["counters"]["spaces"] == 4, f"{v['counters']['spaces']} address spaces, want 4")
    want(v["counters"]["cr3_switches"] >= 4,
         f"{v['counters']['cr3_switches']} CR3 switches, want at least 4")


def guest_churn(v):
    want(v["counters"]["iterations"] == 50, f"{v['counters']['iterations']} iterations, want 50")
    want(v["counters"]["cr3_loads"] >= 50, f"{v['counters']['cr3_loads']} CR3 loads, want 50")


def guest_idle(v):
    want(v["counters"]["pages_touched"] == 256,
         f"{v['counters']['pages_touched']} pages touched, want 256 (1M)")
    want(v["counters"]["halts"] >= 1, "no halt")


def guest_nop(v):
    pass


# What each guest's vCPUs must show, run with the params of tests/vm_guests.sh.
GUESTS = {
    "touch": guest_touch,            # stride=4096
    "workingset": guest_workingset,  # size=8M, --duration 1
    "alias": guest_alias,            # spaces=4
    "churn": guest_churn,            # iterations=50
    "idle": guest_idle,              # touch=1M, --duration 1
    "nop": guest_nop,                # code=0
}


@check
def guest_ran(d, guest, vcpus):
    """GUEST ran on VCPUS vCPUs, each exited 0 and reports its work.

    outcome ok, VCPUS entries in vcpus[], each ended "exited" with exit
    code 0, and each shows what GUEST does (GUESTS above: pages touched,
    accesses, address spaces, iterations, halts).
    """
    want_eq(d, "outcome", "ok")
    n = len(field(d, "vcpus"))
    want(n == int(vcpus), f"{n} vCPUs in the result, want {vcpus}")
    for i, v in enumerate(d["vcpus"]):
        want_eq(d, f"vcpus.{i}.end", "exited")
        want_eq(d, f"vcpus.{i}.exit_code", 0)
        try:
            GUESTS[guest](v)
        except KeyError as e:
            raise Failed(f"vcpus.{i}: no {e}") from None
        except Failed as e:
            raise Failed(f"vcpus.{i}: {e}") from None


@check
def all_touched(d, vcpus):
    """each of VCPUS vCPUs touched pages."""
    n = len(field(d, "vcpus"))
    want(n == int(vcpus), f"{n} vCPUs in the result, want {vcpus}")
    for i in range(n):
        want_above(field(d, f"vcpus.{i}.pages_touched"), 0, f"vcpus.{i}.pages_touched")


@check
def touched_once(d):
    """every free page was touched by one vCPU and verified.

    The vCPUs' pages_touched add up to the free RAM, and vCPU 0 verified
    each free page with none bad.
    """
    pages = free_pages(d)
    total = sum(field(d, f"vcpus.{i}.pages_touched") for i in range(len(field(d, "vcpus"))))
    want(total == pages, f"{total} pages touched, want {pages} (the free RAM)")
    want_eq(d, "vcpus.0.counters.pages_verified_bad", 0)
    want_eq(d, "vcpus.0.counters.pages_verified", pages)


@check
def kvm_stats(d):
    """KVM's statistics, the MMU, its parameters and the TSC are reported.

    More than 5 VM stats, 2 vCPUs with more than 5 stats each, vCPU 0's
    exits grew from start to end, host.mmu tdp or shadow, host.kvm_params
    not empty, tsc_khz above 0.
    """
    n = len(field(d, "kvm_stats.vm.end"))
    want(n > 5, f"{n} VM stats, want more than 5")
    vcpus = field(d, "kvm_stats.vcpus")
    want(len(vcpus) == 2, f"stats of {len(vcpus)} vCPUs, want 2")
    for i, v in enumerate(vcpus):
        want(len(v["end"]) > 5, f"{len(v['end'])} stats of vCPU {i}, want more than 5")
    start = field(d, "kvm_stats.vcpus.0.start.exits")
    end = field(d, "kvm_stats.vcpus.0.end.exits")
    want(end > start, f"vCPU 0's exits went from {start} to {end}, want growth")
    want(field(d, "host.mmu") in ("tdp", "shadow"), f"host.mmu is {show(field(d, 'host.mmu'))}")
    want_true(d, "host.kvm_params")
    want(field(d, "tsc_khz") > 0, f"tsc_khz is {field(d, 'tsc_khz')}, want above 0")


@check
def mmu_pages_recycled(d):
    """under KVM's own cap on shadow pages, KVM recycled some.

    No nr_mmu_pages in the result (no --nr-mmu-pages), mmu_recycled above 0.
    """
    want("nr_mmu_pages" not in d, f"nr_mmu_pages is {show(d.get('nr_mmu_pages'))}, want none")
    want_above(field(d, "kvm_stats.vm.end.mmu_recycled"), 0, "kvm_stats.vm.end.mmu_recycled")


@check
def mmu_pages_kept(d, cap):
    """with --nr-mmu-pages CAP, KVM recycled no shadow page."""
    want_eq(d, "nr_mmu_pages", int(cap))
    want_eq(d, "kvm_stats.vm.end.mmu_recycled", 0)


@check
def touch_stopped(d):
    """a touch stopped part-way reports the pages it did touch.

    Each vCPU counted stopped 1, touched some but not all of the free
    pages, and has a fault latency for each page it touched.
    """
    pages = free_pages(d)
    for i, v in enumerate(field(d, "vcpus")):
        want_eq(d, f"vcpus.{i}.counters.stopped", 1)
        got = v["pages_touched"]
        want(0 < got < pages, f"vcpus.{i}.pages_touched is {got}, want 1 to {pages - 1}")
        want_eq(d, f"vcpus.{i}.fault_latency_ns.count", got)


@check
def populate_stopped(d, size):
    """a workingset of SIZE stopped while it populates reports what it did.

    Each vCPU populated some but not all of SIZE's pages and recorded
    access latencies.
    """
    pages = size_bytes(size) // 4096
    for i in range(len(field(d, "vcpus"))):
        got = field(d, f"vcpus.{i}.counters.populated_pages")
        want(0 < got < pages, f"vcpus.{i}.counters.populated_pages is {got}, want 1 to {pages - 1}")
        want_above(field(d, f"vcpus.{i}.access_latency_ns.count"), 0,
                 f"vcpus.{i}.access_latency_ns.count")


# Checks on lab runs (patched-kernel/lab.sh: tests/lab_arms.sh,
# tests/lab_counts.sh, tests/lockdep.sh) and runs with their sources

def source(d, name):
    """The first sources[] entry named NAME; Failed if there is none."""
    found = [s for s in field(d, "sources") if s.get("name") == name]
    want(found, f"no {name} in sources[]")
    return found[0]


def source_eq(d, name, key, want_value):
    """sources[NAME].KEY is WANT_VALUE (is, for true, false and null)."""
    got = source(d, name).get(key)
    same = got is want_value if want_value is None or isinstance(want_value, bool) \
        else got == want_value
    want(same, f"sources[{name}].{key} is {show(got)}, want {show(want_value)}")


def source_min(d, name, key, low):
    """sources[NAME].KEY is a number, at least LOW."""
    want_min(source(d, name).get(key), low, f"sources[{name}].{key}")


def series(d, key):
    """d["series"][KEY] (series names hold dots: no dotted path)."""
    got = field(d, "series").get(key)
    want(got is not None, f"no series {key} in the result")
    return got


def shrinker_series(d):
    """The series of the x86-mmu shrinker's count (shrinker.x86-mmu-<id>.count)."""
    keys = [k for k in field(d, "series") if k.startswith("shrinker.x86-mmu")]
    want(keys, "no shrinker.x86-mmu series in the result")
    return keys[0], d["series"][keys[0]]


@check
def lab_clean(d, arm, mmu):
    """a clean lab run of ARM in MMU mode.

    A complete run in the lab (host.lab true, host.accel tcg or kvm) on
    arm ARM, host.mmu MMU, cgroup v2, every VM ended ok, and the VMs
    started within a second of the run's start: the runner's setup (its
    samplers, trace instance and kprobe) must not eat into what the spec
    times from the start (0.08 s in the lab on 2026-11-27).
    """
    want_true(d, "complete")
    want_eq(d, "host.arm", arm)
    want_eq(d, "host.mmu", mmu)
    accel = field(d, "host.accel")
    want(accel in ("tcg", "kvm"), f"host.accel is {show(accel)}, want tcg or kvm")
    want_true(d, "host.lab")
    want_eq(d, "cgroup.version", "v2")
    for i in range(len(field(d, "vms"))):
        want_eq(d, f"vms.{i}.end", "ok")
    started = [e["t_s"] for e in field(d, "events") if e["type"] == "vms"]
    want(started and started[0] < 1.0,
         f"the VMs started at {show(started[:1])} s, want within a second of the run's start")


@check
def shrinker_drained(d):
    """one scan brought the x86-mmu shrinker's count near zero.

    The count's highest sample before 4 s is above 0, and its lowest after
    4.5 s at most a tenth of it (patched-kernel/checks/drain.json scans at
    4 s while the idle vCPUs run on).
    """
    key, s = shrinker_series(d)
    before = [v for t, v in zip(s["t_s"], s["v"]) if t < 4]
    after = [v for t, v in zip(s["t_s"], s["v"]) if t > 4.5]
    want(before and after, f"series {key} has no samples before 4 s or after 4.5 s")
    high, low = max(before), min(after)
    want(high > 0, f"series {key} is {show(high)} at most before 4 s, want above 0")
    want(low <= high * 0.1,
         f"series {key} is {show(low)} at least after 4.5 s, want at most a tenth of {show(high)}")


@check
def no_x86_mmu_shrinker(d):
    """no x86-mmu shrinker exists.

    sources[shrinker].available is false and its why says "no x86-mmu
    shrinker", and no shrinker.x86-mmu series was sampled.
    """
    source_eq(d, "shrinker", "available", False)
    why = source(d, "shrinker").get("why")
    want(isinstance(why, str) and "no x86-mmu shrinker" in why,
         f"sources[shrinker].why is {show(why)}, want it to say 'no x86-mmu shrinker'")
    keys = [k for k in field(d, "series") if k.startswith("shrinker.x86-mmu")]
    want(not keys, f"series {keys[0] if keys else ''} sampled, want no shrinker.x86-mmu series")


def zapped(d):
    s = series(d, "kvm.vm0.mmu_recycled")["v"]
    want(s and s[-1] > s[0],
         f"series kvm.vm0.mmu_recycled went from {show(s[:1])} to {show(s[-1:])}, want growth")


def refaults(d):
    """vm0's faults fixed after the scan at 5 s: pf_fixed's last sample
    less its last one at or before 5 s."""
    s = series(d, "kvm.vm0.vcpus.pf_fixed")
    before = [v for t, v in zip(s["t_s"], s["v"]) if t <= 5]
    want(before, "series kvm.vm0.vcpus.pf_fixed has no sample at or before 5 s")
    return s["v"][-1] - before[-1]


@check
def shadow_pages_zapped(d):
    """the scan zapped shadow pages.

    Series kvm.vm0.mmu_recycled ends above where it started.
    """
    zapped(d)


@check
def refaults_above(d, legacy):
    """the scan zapped the guest's working set, which it refaulted.

    Shadow pages zapped (shadow_pages_zapped), and vm0's faults after the
    scan at 5 s (series kvm.vm0.vcpus.pf_fixed) above 4 times those of
    the result LEGACY, plus 256.
    """
    zapped(d)
    base = refaults(load(legacy))
    got = refaults(d)
    want(got > 4 * base + 256,
         f"{got} faults after the scan (series kvm.vm0.vcpus.pf_fixed), "
         f"want above 4 x {base} (legacy's) + 256")


def planted_expect(d, path):
    """The planted cost in ns of a planted-cost result: the loop's
    instructions (kvm.planted_cost_insns rounded down to even) and the 4
    around it (3 when the loop is skipped), at 2^icount_shift ns each."""
    loop = int(field(d, "host.kvm_params")["kvm.planted_cost_insns"]) // 2 * 2
    return (loop + 4 if loop else 3) * 2 ** field(d, "host.icount_shift")


@check
def planted_cost(d, *files):
    """the lab's instruction clock sees the planted cost.

    This result and FILES: 3 legacy and 3 planted-cost runs, all on the
    instruction clock (host.clock icount), kvm.planted_cost_insns set on
    planted-cost only and the same on each. The fastest planted-cost run's
    mean fault (vms.0.result.vcpus.0.fault_latency_ns.mean) is the fastest
    legacy run's plus the planted cost within 25%, and every planted-cost
    run is slower than every legacy run.
    """
    mean = {"legacy": [], "planted-cost": []}
    expect = set()
    for path, doc in [("the first file", d)] + [(f, load(f)) for f in files]:
        arm = field(doc, "host.arm")
        want(arm in mean, f"{path}: host.arm is {show(arm)}, want legacy or planted-cost")
        want(field(doc, "host.clock") == "icount",
             f"{path}: host.clock is {show(doc['host']['clock'])}, want \"icount\"")
        param = field(doc, "host.kvm_params").get("kvm.planted_cost_insns")
        want((param is None) == (arm == "legacy"),
             f"{path}: host.kvm_params has kvm.planted_cost_insns {show(param)} on {arm}")
        mean[arm].append(field(doc, "vms.0.result.vcpus.0.fault_latency_ns.mean"))
        if param is not None:
            expect.add(planted_expect(doc, path))
    n = {arm: len(m) for arm, m in mean.items()}
    want(n == {"legacy": 3, "planted-cost": 3}, f"runs per arm {show(n)}, want 3 each")
    want(len(expect) == 1, f"the planted cost differs between runs: {sorted(expect)} ns")
    planted = expect.pop()
    got = min(mean["planted-cost"]) - min(mean["legacy"])
    gap = min(mean["planted-cost"]) - max(mean["legacy"])
    runs = "legacy %s, planted-cost %s" % (" ".join("%.0f" % m for m in mean["legacy"]),
                                          " ".join("%.0f" % m for m in mean["planted-cost"]))
    want(abs(got - planted) <= planted / 4 and gap > 0,
         "planted %.0f ns (want %d +- 25%%), gap %.0f ns (want above 0); %s"
         % (got, planted, gap, runs))


@check
def kprobe_counts(d):
    """the kretprobe counts every scan call, apart from the count passes.

    sources shrink_kprobe available with no note, drop_caches and
    shrinker_scan fired; summary.shrinker: kvm_count_passes above 0,
    all_count_passes at least those, kvm_scan_calls at least the scans
    fired, kvm_scan_freed at least 0; the kretprobe missed no call and
    lost no event (the last samples of kprobe.mmu_shrink_scan.missed and
    kprobe.lost_events are 0).
    """
    source_eq(d, "shrink_kprobe", "available", True)
    note = source(d, "shrink_kprobe").get("note")
    want("note" not in source(d, "shrink_kprobe"),
         f"sources[shrink_kprobe].note is {show(note)}, want none")
    for name in ("drop_caches", "shrinker_scan"):
        want_above(source(d, name).get("fired"), 0, f"sources[{name}].fired")
    scans = source(d, "shrinker_scan")["fired"]
    want_above(field(d, "summary.shrinker.kvm_count_passes"), 0,
               "summary.shrinker.kvm_count_passes")
    want_min(field(d, "summary.shrinker.all_count_passes"),
             field(d, "summary.shrinker.kvm_count_passes"), "summary.shrinker.all_count_passes")
    want_min(field(d, "summary.shrinker.kvm_scan_calls"), scans,
             "summary.shrinker.kvm_scan_calls")
    want_min(field(d, "summary.shrinker.kvm_scan_freed"), 0, "summary.shrinker.kvm_scan_freed")
    for key in ("kprobe.mmu_shrink_scan.missed", "kprobe.lost_events"):
        last = series(d, key)["v"][-1]
        want(last == 0, f"series {key} ends at {show(last)}, want 0")


@check
def kprobe_unavailable(d):
    """without mmu_shrink_scan the kretprobe is unavailable, never 0.

    sources[shrink_kprobe] unavailable, its why saying "no such
    function"; summary.shrinker.kvm_scan_calls and kvm_scan_freed null;
    no kprobe.* series.
    """
    source_eq(d, "shrink_kprobe", "available", False)
    why = source(d, "shrink_kprobe").get("why")
    want(isinstance(why, str) and "no such function" in why,
         f"sources[shrink_kprobe].why is {show(why)}, want it to say 'no such function'")
    want_eq(d, "summary.shrinker.kvm_scan_calls", None)
    want_eq(d, "summary.shrinker.kvm_scan_freed", None)
    keys = [k for k in field(d, "series") if k.startswith("kprobe.")]
    want(not keys, f"series {keys[0] if keys else ''} sampled, want no kprobe.* series")


RECLAIM_KEYS = ("allocstall", "pgscan_kswapd", "pgsteal_kswapd", "pgscan_direct", "pgsteal_direct")


@check
def nx_flipped(d):
    """nx_huge_pages flipped every 50 ms and was put back, while memslots churned.

    sources[nx_huge_pages]: fired at least 20 times, failed 0, original
    "N", restored true; vm0's memslot churn created at least 40 slots
    with no failure; the run ok; summary.reclaim has allocstall and the
    kswapd and direct pgscan and pgsteal.
    """
    source_min(d, "nx_huge_pages", "fired", 20)
    source_eq(d, "nx_huge_pages", "failed", 0)
    source_eq(d, "nx_huge_pages", "original", "N")
    source_eq(d, "nx_huge_pages", "restored", True)
    want_min(field(d, "vms.0.result.memslot_churn.creates"), 40,
             "vms.0.result.memslot_churn.creates")
    want_eq(d, "vms.0.result.memslot_churn.failures", 0)
    want_eq(d, "run.status", "ok")
    for key in RECLAIM_KEYS:
        field(d, f"summary.reclaim.{key}")


@check
def nx_restored(d):
    """a run interrupted while it flips nx_huge_pages put back Y and says so.

    One sources[] entry nx_huge_pages, original "Y", restored true, fired
    at least twice; run.status interrupted.
    """
    found = [s for s in field(d, "sources") if s.get("name") == "nx_huge_pages"]
    want(len(found) == 1, f"{len(found)} nx_huge_pages entries in sources[], want 1")
    source_eq(d, "nx_huge_pages", "original", "Y")
    source_eq(d, "nx_huge_pages", "restored", True)
    source_min(d, "nx_huge_pages", "fired", 2)
    want_eq(d, "run.status", "interrupted")


@check
def lockdep_lab(d, serial, hung):
    """the lockdep experiment reclaimed, flipped nx_huge_pages and churned memslots.

    host.arm cache-shrinker-v2; reclaim happened (summary.reclaim's
    pgscan_kswapd plus allocstall above 0); sources[nx_huge_pages] fired
    at least 10 times; every VM's memslot churn created and deleted at
    least 10 slots. HUNG yes: the lab deadlocked and was killed, and its
    last partial result may predate the reclaim and its VMs never wrote
    their results: then the SysRq dump in the console log SERIAL must show
    a memslot update in progress (kvm_set_memslot), and reclaim counts as
    seen there if it shows balance_pgdat or try_to_free_pages.
    """
    want_eq(d, "host.arm", "cache-shrinker-v2")
    log = ""
    if hung == "yes":
        with open(serial, encoding="utf-8", errors="replace") as f:
            log = f.read()
    if not re.search(r"balance_pgdat|try_to_free_pages", log):
        kswapd = field(d, "summary.reclaim").get("pgscan_kswapd") or 0
        stalls = field(d, "summary.reclaim.allocstall") or 0
        want(kswapd + stalls > 0, f"summary.reclaim.pgscan_kswapd + allocstall is "
             f"{show(kswapd + stalls)}, want above 0")
    source_min(d, "nx_huge_pages", "fired", 10)
    if hung == "yes":
        want("kvm_set_memslot" in log,
             f"deadlocked, and no memslot update (kvm_set_memslot) in the SysRq dump in {serial}")
        return
    for i, v in enumerate(field(d, "vms")):
        churn = (v.get("result") or {}).get("memslot_churn", {})
        want_min(churn.get("creates", 0), 10, f"vms.{i}.result.memslot_churn.creates")
        want_min(field(d, f"vms.{i}.result.memslot_churn.deletes"), 10,
                 f"vms.{i}.result.memslot_churn.deletes")


@check
def ok_with_direct_reclaim(d):
    """the run ended ok, with direct reclaim.

    run.status ok and summary.reclaim.allocstall above 0.
    """
    want_eq(d, "run.status", "ok")
    want_above(field(d, "summary.reclaim.allocstall"), 0, "summary.reclaim.allocstall")


@check
def idle_cache_null(d):
    """summary.idle_cache_pages_per_vcpu is null (no mmu_cache_pages statistic)."""
    want_eq(d, "summary.idle_cache_pages_per_vcpu", None)


@check
def vcpu_cache_series(d):
    """the kernel has the mmu_cache_pages statistic: a kvm.vm<i>.vcpus.mmu_cache_pages series."""
    keys = [k for k in field(d, "series") if k.endswith(".vcpus.mmu_cache_pages")]
    want(keys, "no series kvm.vm<i>.vcpus.mmu_cache_pages in the result")


@check
def density_total(d, nvms):
    """idle_cache_pages_total agrees with the per-vCPU level and the series.

    With the mmu_cache_pages statistic (vcpu_cache_series): NVMS VMs and
    NVMS per-vCPU series kvm.vm<i>.vcpu<j>.mmu_cache_pages, and
    summary.idle_cache_pages_total is NVMS x idle_cache_pages_per_vcpu and
    the series' last samples summed. Without it both are null and there
    is no such series.
    """
    nvms = int(nvms)
    total = field(d, "summary.idle_cache_pages_total")
    per = field(d, "summary.idle_cache_pages_per_vcpu")
    mine = [s for n, s in field(d, "series").items() if n.startswith("kvm.vm") and ".vcpu" in n
            and ".vcpus." not in n and n.endswith(".mmu_cache_pages")]
    if any(n.endswith(".vcpus.mmu_cache_pages") for n in d["series"]):
        n = len(field(d, "vms"))
        want(n == nvms and len(mine) == nvms,
             f"{n} VMs and {len(mine)} per-vCPU mmu_cache_pages series, want {nvms} each")
        want(total == per * nvms, f"summary.idle_cache_pages_total is {show(total)}, "
             f"want {nvms} x idle_cache_pages_per_vcpu ({show(per)})")
        last = sum(s["v"][-1] for s in mine)
        want(total == last, f"summary.idle_cache_pages_total is {show(total)}, "
             f"want the per-vCPU series' last samples summed ({show(last)})")
    else:
        want_eq(d, "summary.idle_cache_pages_total", None)
        want_eq(d, "summary.idle_cache_pages_per_vcpu", None)
        want(not mine, f"{len(mine)} per-vCPU mmu_cache_pages series, want none without "
             "the vcpus' series")


@check
def all_free_touched(d):
    """the guest ran and its vCPUs touched every free page between them.

    outcome ok, and the vCPUs' pages_touched add up to the free RAM.
    """
    want_eq(d, "outcome", "ok")
    pages = free_pages(d)
    total = sum(field(d, f"vcpus.{i}.pages_touched") for i in range(len(field(d, "vcpus"))))
    want(total == pages, f"{total} pages touched (vcpus.*.pages_touched), want {pages} "
         "(the free RAM)")


@check
def mem_touched(d, mem, pages):
    """a VM of MEM whose vCPU 0 touched PAGES pages.

    mem_bytes is MEM (7G, 64M), vcpus.0.pages_touched is PAGES.
    """
    want_eq(d, "mem_bytes", size_bytes(mem))
    want_eq(d, "vcpus.0.pages_touched", int(pages))


@check
def nr_vcpus(d, n):
    """nr_vcpus is N."""
    want_eq(d, "nr_vcpus", int(n))


@check
def guest_failed(d):
    """the result records the guest's failure.

    outcome guest-error or timeout, and a vCPU ended failed or timeout.
    """
    outcome = field(d, "outcome")
    want(outcome in ("guest-error", "timeout"),
         f"outcome is {show(outcome)}, want \"guest-error\" or \"timeout\"")
    ends = [v["end"] for v in field(d, "vcpus")]
    want(any(e in ("failed", "timeout") for e in ends),
         f"vcpus.*.end are {show(ends)}, want one failed or timeout")


@check
def memslot_churned(d, period, creates):
    """a VM churning its extra memslot every PERIOD ms counted it all.

    outcome ok; memslot_churn: period_ms PERIOD, at least CREATES
    creates, as many deletes, no failure, no error, the slot not left
    present, at a GPA above guest RAM (mem_bytes).
    """
    want_eq(d, "outcome", "ok")
    want_eq(d, "memslot_churn.period_ms", int(period))
    made = field(d, "memslot_churn.creates")
    want_min(made, int(creates), "memslot_churn.creates")
    want_eq(d, "memslot_churn.deletes", made)
    want_eq(d, "memslot_churn.failures", 0)
    want_eq(d, "memslot_churn.error", None)
    want_eq(d, "memslot_churn.left_present", False)
    want_min(field(d, "memslot_churn.gpa"), field(d, "mem_bytes"), "memslot_churn.gpa")


@check
def tool_version(d, version):
    """tool.version is VERSION (the binary's --version, git describe of its tree)."""
    want_eq(d, "tool.version", version)


# Values the shell tests use

@value
def tree(d):
    """cgroup.tree: the run's own cgroup tree, under the memory controller."""
    return field(d, "cgroup.tree")


@value
def pids(d):
    """The pids of the run's VM processes, space-separated."""
    return " ".join(str(v["pid"]) for v in field(d, "vms"))


@value
def run_ids(*docs):
    """run.id of each file, space-separated."""
    return " ".join(field(d, "run.id") for d in docs)


@value
def mmu(d):
    """host.mmu of a `vm --json` result: tdp or shadow."""
    return field(d, "host.mmu")



@value
def shrinker_counts(d):
    """A comment line with the run's shrinker counts (summary.shrinker)."""
    s = field(d, "summary.shrinker")
    return ("# %s: %d count passes (%d objects freed in them), %d scan calls (%d freed)"
            % (field(d, "host.arm"), s["kvm_count_passes"], s["kvm_pass_freed"],
               s["kvm_scan_calls"], s["kvm_scan_freed"]))

def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise Failed(f"{path}: {e}") from None


def summary(fn, args=None):
    """The first line of fn's docstring; with ARGS, the names of fn's
    arguments in it (GUEST, VCPUS) replaced by their values."""
    line = fn.__doc__.strip().splitlines()[0]
    if args is None:
        return line
    values = dict(zip((n.upper() for n in list(inspect.signature(fn).parameters)[1:]), args))
    line = re.sub(r"\b[A-Z]+\b", lambda m: values.get(m.group(), m.group()), line)
    return line.rstrip(".")


def usage(doc=None):
    print((doc or __doc__).split("\n\n")[1], file=sys.stderr)
    return 2


def main(argv, checks=None, values=None, doc=None, loader=load):
    """Run the check or print the value argv names; CHECKS, VALUES, DOC and
    LOADER are another module's (tests/checks/report_checks.py) if given."""
    checks = CHECKS if checks is None else checks
    values = VALUES if values is None else values
    prog = argv[0].rsplit("/", 1)[-1]
    if argv[1:2] == ["--list"]:
        for name, fn in sorted({**checks, **values}.items()):
            print(f"{name}: {summary(fn)}")
        return 0
    if len(argv) < 3:
        return usage(doc)
    name, args = argv[1], argv[2:]
    if name in values:
        try:
            print(values[name](*[loader(a) for a in args]))
        except Failed as e:
            print(f"{name}: {e}", file=sys.stderr)
            return 1
        return 0
    fn = checks.get(name)
    if fn is None:
        return usage(doc)
    try:
        inspect.signature(fn).bind(None, *args[1:])
    except TypeError:
        params = list(inspect.signature(fn).parameters)[1:]
        print(f"usage: {prog} {name} FILE {' '.join(p.upper() for p in params)}",
              file=sys.stderr)
        return 2
    what = summary(fn, args[1:])
    try:
        fn(loader(args[0]), *args[1:])
    except Failed as e:
        print(f"{what}: {e}")
        return 1
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as e:
        # a field of the wrong type or shape, deeper than field() looks
        print(f"{what}: {args[0]} is not shaped as expected: {type(e).__name__}: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
