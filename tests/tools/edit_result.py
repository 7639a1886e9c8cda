#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/tools/edit_result.py: named edits of result files, for the tests
that feed report, compare and tests/validate_result.py a result with one
thing wrong or changed.

usage: edit_result.py EDIT FILE [OUT] [ARG...]   FILE with EDIT applied, to
                                                 OUT (- or none: FILE itself)
       edit_result.py --set EDIT SRC DST        each SRC/rep-*.json as another
                                                 run in DST, EDIT applied
       edit_result.py --list                    the edits, one a line

Each edit's docstring says what it changes; the test says what must
come of it. A --set edit is given each file's name (rep-2.json); any
other name than the set edits below only renames the runs (run.id
gets "-EDIT"), a set under another arm's name. Python 3 standard library
only.
"""
import glob
import json
import os
import sys

EDITS = {}
SET_EDITS = {}


def edit(fn):
    """Register fn(d, *args) as an edit of one result."""
    EDITS[fn.__name__] = fn
    return fn


def set_edit(fn):
    """Register fn(d, name) as an edit of each result of a set."""
    SET_EDITS[fn.__name__] = fn
    return fn


def summary_of(d):
    return d["summary"]


def vcpu0_faults(d):
    return d["vms"][0]["result"]["vcpus"][0]["fault_latency_ns"]


def source(d, name):
    return [s for s in d["sources"] if s["name"] == name][0]


# Wrong types and missing keys (tests/analysis.sh: refused on one line)

@edit
def schema_string(d):
    """schema is "1", a string."""
    d["schema"] = "1"


@edit
def schema_float(d):
    """schema is 1.9."""
    d["schema"] = 1.9


@edit
def schema_bool(d):
    """schema is true."""
    d["schema"] = True


@edit
def complete_string(d):
    """complete is "false", a string."""
    d["complete"] = "false"


@edit
def no_summary(d):
    """no summary."""
    del d["summary"]


@edit
def rep_string(d):
    """run.rep is "1", a string."""
    d["run"]["rep"] = "1"


@edit
def arm_command(d, path):
    """host.arm is "x", a newline and `touch PATH` (a command in backquotes)."""
    d["host"]["arm"] = "x\n`touch %s`" % path


# Damage to the newer keys of a lab result (tests/run_validate.sh:
# tests/validate_result.py must say where)

@edit
def mean_off(d):
    """summary.fault_latency_ns.mean 0.1% off."""
    summary_of(d)["fault_latency_ns"]["mean"] *= 1.001


@edit
def sum_cycles_off(d):
    """summary.fault_latency_ns.sum_cycles one cycle off."""
    summary_of(d)["fault_latency_ns"]["sum_cycles"] += 1


@edit
def vcpu_sum_impossible(d):
    """vm0's vCPU 0's fault latencies sum to 3 cycles."""
    vcpu0_faults(d)["sum_cycles"] = 3


@edit
def mean_without_sums(d):
    """vm0's vCPU 0's fault latencies have a mean but no sum_cycles."""
    del vcpu0_faults(d)["sum_cycles"]


@edit
def guest_ns_off(d):
    """summary.touch.guest_ns 10% short."""
    summary_of(d)["touch"]["guest_ns"] *= 0.9


@edit
def peak_below_samples(d):
    """summary.memcg.peak_bytes a page below the highest sample, and so the
    peak series' last point."""
    s = summary_of(d)["memcg"]
    s["peak_bytes"] = s["current_bytes"]["peak"] - 4096
    d["series"]["memcg.peak_bytes"]["v"][-1] = s["peak_bytes"]


@edit
def peak_not_last(d):
    """summary.memcg.peak_bytes a page above the peak series' last point."""
    summary_of(d)["memcg"]["peak_bytes"] += 4096


@edit
def under_pressure_off(d):
    """summary.under_pressure.current_bytes 1% off."""
    summary_of(d)["under_pressure"]["current_bytes"] *= 1.01


@edit
def under_pressure_null(d):
    """summary.under_pressure null."""
    summary_of(d)["under_pressure"] = None


@edit
def under_pressure_window(d):
    """summary.under_pressure.from_s half a second late."""
    summary_of(d)["under_pressure"]["from_s"] += 0.5


@edit
def scan_calls_off(d):
    """summary.shrinker.kvm_scan_calls one more than the series grew."""
    summary_of(d)["shrinker"]["kvm_scan_calls"] += 1


@edit
def kvm_pf_taken_off(d):
    """summary.kvm: pf_taken 1, the rest null."""
    summary_of(d)["kvm"] = {"pf_taken": 1, "pf_fixed": None, "mmu_recycled": None,
                            "mmu_shadow_zapped": None}


@edit
def guest_counters_off(d):
    """summary.guest_counters: cr3_switches 5 and nothing else."""
    summary_of(d)["guest_counters"] = {"cr3_switches": 5}


@edit
def passes_missing(d):
    """no summary.shrinker.kvm_count_passes."""
    del summary_of(d)["shrinker"]["kvm_count_passes"]


@edit
def kprobe_unavailable_counts(d):
    """the shrink_kprobe source unavailable (no such function), its series kept."""
    k = source(d, "shrink_kprobe")
    k["available"] = False
    k["why"] = "no such function"


@edit
def kprobe_source_missing(d):
    """no shrink_kprobe in sources[]."""
    d["sources"] = [x for x in d["sources"] if x["name"] != "shrink_kprobe"]


@edit
def block_zero(d):
    """run.block 0."""
    d["run"]["block"] = 0


@edit
def block_type(d):
    """run.block "2", a string."""
    d["run"]["block"] = "2"


@edit
def older_file(d):
    """no run.block: an older file, whose older keys are then required."""
    del d["run"]["block"]


# The kernel arm's description (run --arm; tests/kernel_arm.sh)

@edit
def arm(d, base="debian-6.12", kernel_version="6.12.57", params="", series_hash="1a2b3c4d"):
    """an arm object (run --arm): [BASE [KERNEL_VERSION [PARAMS [SERIES_HASH]]]].

    Named after host.arm, else "x"."""
    name = d["host"].get("arm") or "x"
    d["arm"] = {"name": name, "base": base, "kernel_version": kernel_version,
                "series": "patched-kernel/patches/%s (2 patches)" % name,
                "series_patches": 2, "series_hash": series_hash,
                "config": "lab.config", "config_hash": "5e6f7a8b", "params": params,
                "image": name, "release": "%s-kvmsq-%s-%s" % (kernel_version, name, series_hash)}


@edit
def arm_key(d, key, value):
    """arm.KEY set to VALUE, a JSON text (an arm object made first if none)."""
    if "arm" not in d:
        arm(d)
    d["arm"][key] = json.loads(value)


# Sets: copies of a set of runs as other runs (tests/analysis.sh)

@set_edit
def planted(d, name):
    """+30% on every fault latency: the summary's and every histogram."""
    s = d["summary"]["fault_latency_ns"]
    for k in ("p50", "p90", "p99", "p999", "max"):
        s[k] *= 1.3
    for vm in d["vms"]:
        for vcpu in (vm["result"] or {}).get("vcpus", []):
            h = vcpu.get("fault_latency_ns")
            if not h:
                continue
            for k in ("p50", "p90", "p99", "p999", "min", "max", "mean"):
                h[k] *= 1.3
            h["buckets"] = [[round(lo * 1.3), max(1, round(w * 1.3)), n]
                            for lo, w, n in h["buckets"]]


@set_edit
def mmu(d, name):
    """rep-2.json in the other MMU mode (tdp, or shadow if it was tdp)."""
    if name == "rep-2.json":
        d["host"]["mmu"] = "tdp" if d["host"]["mmu"] != "tdp" else "shadow"


@set_edit
def incomplete(d, name):
    """rep-2.json incomplete: interrupted."""
    if name == "rep-2.json":
        d["complete"] = False
        d["run"]["end_reason"] = "interrupted"


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def dump(d, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(d, f)


def copy_set(name, src, dst):
    """Each SRC/rep-*.json into DST as another run, with the set edit NAME."""
    os.makedirs(dst, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(src, "rep-*.json"))):
        d = load(path)
        base = os.path.basename(path)
        d["run"]["id"] += "-" + name    # another run: a copy would be refused
        if name in SET_EDITS:
            SET_EDITS[name](d, base)
        dump(d, os.path.join(dst, base))


def usage():
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


def main(argv):
    if argv[1:2] == ["--list"]:
        for name, fn in sorted(EDITS.items()):
            print(f"{name}: {fn.__doc__.splitlines()[0]}")
        for name, fn in sorted(SET_EDITS.items()):
            print(f"--set {name}: {fn.__doc__.splitlines()[0]}")
        return 0
    if argv[1:2] == ["--set"] and len(argv) == 5:
        copy_set(*argv[2:5])
        return 0
    if len(argv) < 3 or argv[1] not in EDITS:
        return usage()
    name, path = argv[1], argv[2]
    out = argv[3] if len(argv) > 3 and argv[3] != "-" else path
    d = load(path)
    EDITS[name](d, *argv[4:])
    dump(d, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
