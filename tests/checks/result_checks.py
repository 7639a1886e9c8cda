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
experiments/RESULT.md) and of `kvmsqueeze vm --json`. Python 3 standard
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


def check(fn):
    """Register fn(d, *args) as a check on one result file."""
    CHECKS[fn.__name__] = fn
    return fn


def value(fn):
    """Register fn(*docs) as a value printed for the shell."""
    VALUES[fn.__name__] = fn
    return fn


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


def usage():
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


def main(argv):
    if argv[1:2] == ["--list"]:
        for name, fn in sorted({**CHECKS, **VALUES}.items()):
            print(f"{name}: {summary(fn)}")
        return 0
    if len(argv) < 3:
        return usage()
    name, args = argv[1], argv[2:]
    if name in VALUES:
        try:
            print(VALUES[name](*[load(a) for a in args]))
        except Failed as e:
            print(f"{name}: {e}", file=sys.stderr)
            return 1
        return 0
    fn = CHECKS.get(name)
    if fn is None:
        return usage()
    try:
        inspect.signature(fn).bind(None, *args[1:])
    except TypeError:
        params = list(inspect.signature(fn).parameters)[1:]
        print(f"usage: result_checks.py {name} FILE {' '.join(p.upper() for p in params)}",
              file=sys.stderr)
        return 2
    what = summary(fn, args[1:])
    try:
        fn(load(args[0]), *args[1:])
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
