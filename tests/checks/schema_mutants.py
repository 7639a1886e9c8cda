#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/checks/schema_mutants.py KVMSQUEEZE DIR: spec.c and
experiments/spec.schema.json agree on which specs to refuse.

Each case changes a spec that both accept (one key added, a type, a range,
a name) and says who must refuse it: both ("both"), neither ("none"), or
spec.c alone ("spec.c": a check the schema cannot express, documented in
experiments/SPEC.md, "The JSON Schema"). spec.c's answer is
`KVMSQUEEZE run --primaries FILE` (parse and check, run nothing: exit 0 or
1). Prints "ok schema_mutant_NAME" or "not ok schema_mutant_NAME: why".
With --names alone: the tests' names, on one line (the plan of
tests/schema.sh).
"""
import copy
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schema_lib  # noqa: E402

BASE = {
    "name": "mutant", "question": "Do spec.c and the schema agree?",
    "primary": ["run_s"],
    "vms": [{"count": 1, "vcpus": 1, "mem": "64M", "guest": "touch", "params": {"size": "1M"}}],
    "cgroup": {"knob": "max", "limit": "max"},
    "pressure": [{"kind": "drop_caches", "start_s": 0, "period_s": 1}],
    "duration_s": 5,
}


def setk(path, value):
    """A change: set d[path...] = value (path a tuple of keys/indexes)."""
    def f(d):
        o = d
        for k in path[:-1]:
            o = o[k]
        o[path[-1]] = value
    return f


def delk(path):
    def f(d):
        o = d
        for k in path[:-1]:
            o = o[k]
        del o[path[-1]]
    return f


def many(*fs):
    def f(d):
        for g in fs:
            g(d)
    return f


VM = ("vms", 0)
CG = ("cgroup",)
PR = ("pressure", 0)
RAMP = {"from": "640M", "to": "192M", "start_s": 1, "end_s": 4, "step_s": 0.5}

CASES = [
    # unknown keys, at every level
    ("unknown_top", "both", setk(("cpus",), 1)),
    ("unknown_vm", "both", setk(VM + ("cpus",), 1)),
    ("unknown_cgroup", "both", setk(CG + ("max",), "1G")),
    ("unknown_step", "both", setk(CG + ("steps",), [{"at_s": 0, "limit": "1G", "x": 1}])),
    ("unknown_ramp", "both", setk(CG + ("ramp",), dict(RAMP, every=1))),
    ("unknown_pressure", "both", setk(PR + ("bytes_",), "1M")),
    # missing required keys
    ("missing_name", "both", delk(("name",))),
    ("missing_question", "both", delk(("question",))),
    ("missing_vms", "both", delk(("vms",))),
    ("missing_duration", "both", delk(("duration_s",))),
    ("missing_mem", "both", delk(VM + ("mem",))),
    ("missing_guest", "both", delk(VM + ("guest",))),
    ("missing_kind", "both", delk(PR + ("kind",))),
    ("missing_step_limit", "both", setk(CG + ("steps",), [{"at_s": 0}])),
    ("missing_ramp_to", "both", setk(CG + ("ramp",), {k: v for k, v in RAMP.items() if k != "to"})),
    ("reclaim_without_bytes", "both", setk(("pressure",), [{"kind": "reclaim"}])),
    # wrong types
    ("type_top", "both", lambda d: d.clear() or d.update({"x": 1}) or None),
    ("type_name", "both", setk(("name",), 7)),
    ("type_count_double", "both", setk(VM + ("count",), 2.0)),
    ("type_count_string", "both", setk(VM + ("count",), "2")),
    ("type_vcpus_bool", "both", setk(VM + ("vcpus",), True)),
    ("type_mem_bool", "both", setk(VM + ("mem",), True)),
    ("type_mem_double", "both", setk(VM + ("mem",), 67108864.0)),
    ("type_duration_string", "both", setk(("duration_s",), "10")),
    ("type_primary_string", "both", setk(("primary",), "run_s")),
    ("type_primary_null", "both", setk(("primary",), None)),
    ("type_primary_item", "both", setk(("primary",), [1])),
    ("type_vms_object", "both", setk(("vms",), {"mem": "64M", "guest": "touch"})),
    ("type_vm_array", "both", setk(("vms",), [[]])),
    ("type_params_array", "both", setk(VM + ("params",), [])),
    ("type_param_double", "both", setk(VM + ("params", "size"), 1.5)),
    ("type_param_bool", "both", setk(VM + ("params", "size"), True)),
    ("type_cgroup_array", "both", setk(CG, [])),
    ("type_limit_bool", "both", setk(CG + ("limit",), True)),
    ("type_steps_object", "both", setk(CG + ("steps",), {"at_s": 0, "limit": "1G"})),
    ("type_ramp_array", "both", setk(CG + ("ramp",), [])),
    ("type_pressure_object", "both", setk(("pressure",), {"kind": "drop_caches"})),
    ("type_kind_int", "both", setk(PR + ("kind",), 1)),
    ("type_end_phase_null", "both", setk(("end_phase",), None)),
    ("type_nr_to_scan_double", "both", setk(PR + ("nr_to_scan",), 128.5)),
    # out of range
    ("range_count_0", "both", setk(VM + ("count",), 0)),
    ("range_count_1025", "both", setk(VM + ("count",), 1025)),
    ("range_vcpus_0", "both", setk(VM + ("vcpus",), 0)),
    ("range_vcpus_3329", "both", setk(VM + ("vcpus",), 3329)),
    ("range_mem_negative", "both", setk(VM + ("mem",), -1)),
    ("range_mem_fraction", "both", setk(VM + ("mem",), "1.5G")),
    ("range_mem_unit", "both", setk(VM + ("mem",), "64X")),
    ("range_mem_space", "both", setk(VM + ("mem",), "64 M")),
    ("range_mem_int_above_1eib", "both", setk(VM + ("mem",), (1 << 60) + 1)),
    ("range_nr_mmu_pages_63", "both", setk(VM + ("nr_mmu_pages",), 63)),
    ("range_nr_mmu_pages_2g1", "both", setk(VM + ("nr_mmu_pages",), (1 << 31) + 1)),
    ("range_churn_0", "both", setk(VM + ("memslot_churn_ms",), 0)),
    ("range_churn_60001", "both", setk(VM + ("memslot_churn_ms",), 60001)),
    ("range_timeout_negative", "both", setk(VM + ("timeout_s",), -1)),
    ("range_timeout_big", "both", setk(VM + ("timeout_s",), 1000001)),
    ("range_duration_0", "both", setk(("duration_s",), 0)),
    ("range_duration_big", "both", setk(("duration_s",), 1e6 + 1)),
    ("range_sample_0_5", "both", setk(("sample_period_ms",), 0.5)),
    ("range_sample_60001", "both", setk(("sample_period_ms",), 60001)),
    ("range_period_0_005", "both", setk(PR + ("period_s",), 0.005)),
    ("range_period_negative", "both", setk(PR + ("period_s",), -1)),
    ("range_start_big", "both", setk(PR + ("start_s",), 2e6)),
    ("range_nr_to_scan_0", "both", setk(PR + ("nr_to_scan",), 0)),
    ("range_nr_to_scan_2g1", "both", setk(PR + ("nr_to_scan",), (1 << 31) + 1)),
    ("range_vms_0", "both", setk(("vms",), [])),
    ("range_vms_9", "both", lambda d: d.update(vms=d["vms"] * 9)),
    ("range_pressure_9", "both", lambda d: d.update(pressure=d["pressure"] * 9)),
    ("range_steps_0", "both", setk(CG + ("steps",), [])),
    ("range_steps_257", "both", many(delk(CG + ("limit",)), setk(
        CG + ("steps",), [{"at_s": i / 100, "limit": "1G"} for i in range(257)]))),
    ("range_primary_0", "both", setk(("primary",), [])),
    ("range_primary_5", "both", setk(("primary",), ["run_s", "fault_mean_ns", "fault_p50_ns",
                                                     "fault_p99_ns", "fault_max_ns"])),
    ("range_primary_twice", "both", setk(("primary",), ["run_s", "run_s"])),
    ("range_name_64", "both", setk(("name",), "n" * 64)),
    ("range_name_dot", "both", setk(("name",), ".hidden")),
    ("range_name_slash", "both", setk(("name",), "a/b")),
    ("range_name_empty", "both", setk(("name",), "")),
    ("range_question_512", "both", setk(("question",), "q" * 512)),
    ("range_question_newline", "both", setk(("question",), "two\nlines")),
    ("range_question_c1", "both", setk(("question",), "a\u0085b")),
    ("range_end_phase_upper", "both", setk(("end_phase",), "Touch")),
    ("range_end_phase_24", "both", setk(("end_phase",), "t" * 24)),
    ("range_params_17", "both", setk(VM + ("params",), {"p%d" % i: 1 for i in range(17)})),
    ("range_param_key_32", "both", setk(VM + ("params",), {"k" * 32: 1})),
    ("range_param_key_dash", "both", setk(VM + ("params",), {"a-b": 1})),
    ("range_param_value_64", "both", setk(VM + ("params", "size"), "1" * 64)),
    ("range_param_value_utf8", "both", setk(VM + ("params", "size"), "1\u00e9")),
    ("range_hog_0", "both", setk(("pressure",), [{"kind": "hog", "bytes": "0M"}])),
    ("range_reclaim_0", "both", setk(("pressure",), [{"kind": "reclaim", "bytes": 0}])),
    ("cgroup_two_schedules", "both", setk(CG + ("ramp",), RAMP)),
    # names and enums
    ("enum_guest", "both", setk(VM + ("guest",), "nosuch")),
    ("enum_guest_elf", "both", setk(VM + ("guest",), "./guest.elf")),
    ("enum_param_of_other_guest", "both", setk(VM + ("params",), {"spaces": 4})),
    ("param_choice", "both", setk(VM + ("params", "timing"), 5)),
    ("param_choice_string", "both", setk(VM + ("params", "verify"), "yes")),
    ("param_runtime_choice", "both", setk(VM + ("params", "cpl"), 1)),
    ("param_not_a_size", "both", setk(VM + ("params", "size"), "lots")),
    ("param_negative", "both", setk(VM + ("params", "size"), -1)),
    ("param_below_min", "both", setk(VM + ("params", "stride"), 4)),
    ("param_above_max", "both", setk(VM, {"mem": "64M", "guest": "alias",
                                            "params": {"spaces": 4097}})),
    ("enum_backing", "both", setk(VM + ("backing",), "ANON")),
    ("enum_backing_file_path", "both", setk(VM + ("backing",), "file:/tmp")),
    ("enum_guest_page", "both", setk(VM + ("guest_page",), "8k")),
    ("enum_knob", "both", setk(CG + ("knob",), "low")),
    ("enum_kind", "both", setk(PR + ("kind",), "oom")),
    ("enum_primary", "both", setk(("primary",), ["fault_p5_ns"])),
    ("enum_limit_word", "both", setk(CG + ("limit",), "none")),
    # what both accept
    ("accept_base", "none", lambda d: None),
    ("accept_minimal", "none", lambda d: d.clear() or d.update(
        name="m", question="q", vms=[{"mem": 67108864, "guest": "nop"}], duration_s=0.5)),
    ("accept_sizes", "none", many(setk(VM + ("mem",), "64MiB"),
                                  setk(CG + ("limit",), "1gib"))),
    ("accept_page_case", "none", setk(VM + ("guest_page",), "2M")),
    ("accept_backing", "none", setk(VM + ("backing",), "memfd")),
    ("accept_limit_null", "none", setk(CG + ("limit",), None)),
    ("accept_steps", "none", many(delk(CG + ("limit",)), setk(
        CG + ("steps",), [{"at_s": 0, "limit": "1G"}, {"at_s": 0, "limit": "max"}]))),
    ("accept_ramp", "none", many(delk(CG + ("limit",)), setk(CG + ("ramp",), RAMP))),
    ("accept_param_int", "none", setk(VM + ("params",), {"size": 1048576, "cpl": 3})),
    ("accept_period_0", "none", setk(PR + ("period_s",), 0)),
    ("accept_bytes_ignored", "none", setk(PR + ("bytes",), 0)),
    ("accept_end_phase_empty", "none", setk(("end_phase",), "")),
    ("accept_nx_huge_pages", "none", setk(PR + ("kind",), "nx_huge_pages")),
    ("accept_limits", "none", many(
        setk(VM + ("vcpus",), 3328), setk(VM + ("mem",), "8G"),
        setk(VM + ("nr_mmu_pages",), 1 << 31), setk(VM + ("memslot_churn_ms",), 60000),
        setk(("sample_period_ms",), 60000), setk(("duration_s",), 1e6))),
    ("accept_count_1024", "none", setk(VM + ("count",), 1024)),
    # json-c takes an integer beyond 64 bits as the largest one (spec.c
    # passes "9223372036854775807" to the guest); the schema, any integer
    ("accept_param_int_huge", "none", setk(VM + ("params", "size"), 10 ** 20)),
    # json-c decodes a lone surrogate escape without complaint
    ("accept_question_surrogate_escape", "none", setk(("question",), "a\ud800b")),
    ("accept_param_choices", "none", setk(VM + ("params",), {"timing": "2", "verify": 1,
                                                              "stride": "8", "cpl": "0"})),
    ("accept_workingset", "none", setk(VM, {"mem": "64M", "guest": "workingset", "params": {
        "size": "4K", "pattern": "random", "duration": 10000000, "write": 0}})),
    ("accept_nop_code", "none", setk(VM, {"mem": "16M", "guest": "nop", "params": {"code": 0}})),
    # selftests: a program of the table, arguments of a strict set
    ("accept_selftests", "none", setk(("selftests",), [
        {"program": "dirty_log_perf_test", "args": ["-v", "2", "-b", "256M", "-i", "3"]},
        {"program": "demand_paging_test"}])),
    ("accept_selftests_only", "none", many(delk(("vms",)), setk(("selftests",), [
        {"program": "access_tracking_perf_test", "args": []}]))),
    ("selftests_program", "both", setk(("selftests",), [{"program": "sh"}])),
    ("selftests_program_path", "both", setk(("selftests",), [
        {"program": "/tmp/dirty_log_perf_test"}])),
    ("selftests_missing_program", "both", setk(("selftests",), [{"args": ["-v"]}])),
    ("selftests_unknown_key", "both", setk(("selftests",), [
        {"program": "demand_paging_test", "env": "X=1"}])),
    ("selftests_arg_shell", "both", setk(("selftests",), [
        {"program": "demand_paging_test", "args": ["1;id"]}])),
    ("selftests_arg_slash", "both", setk(("selftests",), [
        {"program": "demand_paging_test", "args": ["../x"]}])),
    ("selftests_arg_empty", "both", setk(("selftests",), [
        {"program": "demand_paging_test", "args": [""]}])),
    ("selftests_arg_long", "both", setk(("selftests",), [
        {"program": "demand_paging_test", "args": ["a" * 64]}])),
    ("selftests_arg_number", "both", setk(("selftests",), [
        {"program": "demand_paging_test", "args": [2]}])),
    ("selftests_args_many", "both", setk(("selftests",), [
        {"program": "demand_paging_test", "args": ["-v"] * 33}])),
    ("selftests_empty", "both", setk(("selftests",), [])),
    ("selftests_four", "both", setk(("selftests",), [{"program": "demand_paging_test"}] * 4)),
    # checks only spec.c makes (SPEC.md, "The JSON Schema")
    ("only_sum_of_counts", "spec.c", lambda d: d.update(vms=[dict(d["vms"][0], count=1000),
                                                             dict(d["vms"][0], count=25)])),
    ("only_steps_back", "spec.c", many(delk(CG + ("limit",)), setk(
        CG + ("steps",), [{"at_s": 2, "limit": "1G"}, {"at_s": 1, "limit": "1G"}]))),
    ("only_ramp_order", "spec.c", many(delk(CG + ("limit",)),
                                       setk(CG + ("ramp",), dict(RAMP, end_s=1)))),
    ("only_ramp_steps", "spec.c", many(delk(CG + ("limit",)),
                                       setk(CG + ("ramp",), dict(RAMP, step_s=0.001)))),
    ("only_mem_for_guest", "spec.c", setk(VM + ("mem",), "4M")),
    ("only_limit_below_start", "spec.c", setk(CG + ("limit",), "20M")),
    ("only_size_string_above_1eib", "spec.c", setk(VM + ("mem",), "2048P")),
    ("only_question_bytes", "spec.c", setk(("question",), "\u00e9" * 300)),
    ("only_param_string_below_min", "spec.c", setk(VM, {"mem": "64M", "guest": "workingset",
                                                        "params": {"size": "1K"}})),
    ("only_count_double_whole", "spec.c-json", setk(VM + ("count",), 2.0)),
    ("only_selftests_twice", "spec.c", setk(("selftests",), [
        {"program": "demand_paging_test"}, {"program": "demand_paging_test", "args": ["-v"]}])),
]


def main(argv):
    if argv[1:] == ["--names"]:
        # the tests' names, for the plan of tests/schema.sh
        print(" ".join("schema_mutant_" + name for name, _, _ in CASES))
        return 0
    kvmsqueeze, tmp = argv[1], argv[2]
    try:
        plain = schema_lib._jsonschema()[1](schema_lib.load("spec"))
        strict = schema_lib.validator(schema_lib.load("spec"))
    except schema_lib.Missing as e:
        print("skip schema_mutants: %s" % e)
        return 0
    for name, who, change in CASES:
        d = copy.deepcopy(BASE)
        change(d)
        path = os.path.join(tmp, name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(d, f)     # \uXXXX escapes: text json-c decodes
        r = subprocess.run([kvmsqueeze, "run", "--primaries", path], capture_output=True,
                           text=True)
        if r.returncode not in (0, 1):
            print("not ok schema_mutant_%s: run --primaries exited %d: %s"
                  % (name, r.returncode, r.stderr.strip()[-200:]))
            continue
        c_refuses = r.returncode == 1
        errs = schema_lib.errors(strict, d, "spec")
        s_refuses = bool(errs)
        if who == "spec.c-json":
            # JSON Schema's integer takes 2.0; the validator's does not
            ok = c_refuses and s_refuses and plain.is_valid(d)
            why = "spec.c %s, schema (JSON integers) %s, plain JSON Schema %s" % (
                c_refuses, s_refuses, not plain.is_valid(d))
        else:
            want_c = who in ("both", "spec.c")
            want_s = who == "both"
            ok = c_refuses == want_c and s_refuses == want_s
            why = "spec.c %s%s, schema %s%s" % (
                "refuses" if c_refuses else "accepts",
                ": " + r.stderr.strip().splitlines()[-1] if c_refuses and r.stderr.strip() else "",
                "refuses" if s_refuses else "accepts",
                ": %s: %s" % errs[0] if errs else "")
        if ok:
            print("ok schema_mutant_%s" % name)
        else:
            print("not ok schema_mutant_%s: want %s to refuse; %s" % (name, who, why))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
