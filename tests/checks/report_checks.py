#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/checks/report_checks.py: named checks on what kvmsqueeze report and
compare print with --format json or csv.

usage: report_checks.py CHECK FILE [ARG...]   exit 0 if CHECK holds on FILE;
                                              else print why and exit 1
       report_checks.py VALUE FILE...         print a value of the output
       report_checks.py --list                the checks and values, one a line

The shell tests call these through report_check in tests/lib.sh; the
checks on result files are in result_checks.py, and this file shares its
rules: the first docstring line is what must hold, a failure says that
and what was found, fields are dotted paths into the JSON
(tables.0.metrics: d["tables"][0]["metrics"]). A FILE that starts with
"{" is JSON; any other is CSV, one row per metric and arm, and its cells
are named METRIC/ARM.COLUMN (fault_p50_ns/b.p_raw). Python 3 standard
library only.
"""
import csv
import json
import sys

from result_checks import (Failed, field, main, registrar, show, want, want_above, want_eq,
                           want_true)

CHECKS = {}
VALUES = {}
# @check: fn(doc, *args), a check on one output; @value: fn(*docs), a value
check = registrar(CHECKS)
value = registrar(VALUES)


def load(path):
    """The JSON document, or the CSV's rows as dicts."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if text.lstrip().startswith("{"):
            return json.loads(text)
        return list(csv.DictReader(text.splitlines()))
    except (OSError, ValueError, csv.Error) as e:
        raise Failed(f"{path}: {e}") from None


# JSON output: tables[] of metrics[], each with arms[]

def metric(d, name, table=0):
    """The metrics[] entry NAME of tables[TABLE] and its path."""
    for i, m in enumerate(field(d, f"tables.{table}.metrics")):
        if m.get("name") == name:
            return m, f"tables.{table}.metrics.{i}"
    raise Failed(f"no metric {name} in tables.{table}.metrics")


def ordered(d, names):
    """The metrics of tables[0] named in NAMES, in the table's order, which
    must be NAMES' order."""
    found = [m for m in field(d, "tables.0.metrics") if m.get("name") in names]
    got = [m["name"] for m in found]
    want(got == list(names), f"tables.0.metrics has {show(got)}, want {show(list(names))}")
    return found


@check
def holm_on_primary(d, primary, other):
    """only the primary PRIMARY gets a Holm-adjusted p, not OTHER.

    tables.0.primary is [PRIMARY]; PRIMARY, then OTHER in tables.0.metrics;
    PRIMARY is primary with arms.1.p_holm set, OTHER is not primary and
    its arms.1.p_holm is null.
    """
    want_eq(d, "tables.0.primary", [primary])
    for m, is_primary in zip(ordered(d, (primary, other)), (True, False)):
        path = f"metric {m['name']}"
        want(m["primary"] is is_primary, f"{path}: primary is {show(m['primary'])}")
        holm = m["arms"][1]["p_holm"]
        want((holm is None) != is_primary, f"{path}: arms.1.p_holm is {show(holm)}")


@check
def mde_on_primary(d, primary, other):
    """the primary PRIMARY has a smallest detectable change, OTHER none.

    PRIMARY, then OTHER in tables.0.metrics; arms.1 has mde for PRIMARY
    and no mde for OTHER.
    """
    for m, has in zip(ordered(d, (primary, other)), (True, False)):
        want(("mde" in m["arms"][1]) == has,
             f"metric {m['name']}: arms.1 {'lacks' if has else 'has'} mde")


@check
def drift_found(d):
    """drift along the blocks is found.

    tables.0.drift.order is run.block, and the first drift metric's p is
    below 0.01.
    """
    want_eq(d, "tables.0.drift.order", "run.block")
    p = field(d, "tables.0.drift.metrics.0.p")
    want(isinstance(p, (int, float)) and p < 0.01,
         f"tables.0.drift.metrics.0.p is {show(p)}, want below 0.01")


@check
def forced(d, runs):
    """the output says it was forced, for RUNS runs.

    forced is true and forced_runs RUNS.
    """
    want_true(d, "forced")
    want_eq(d, "forced_runs", int(runs))


@check
def starred(d, name):
    """NAME's change in the second arm is significant.

    NAME's arms.1.significant in tables.0 is true.
    """
    m, path = metric(d, name)
    want(m["arms"][1]["significant"], f"{path}.arms.1.significant is "
         f"{show(m['arms'][1]['significant'])}, want true")


@check
def starred_worse(d, name):
    """NAME in the second arm is significantly more than doubled.

    NAME's arms.1 in tables.0: significant, and change (a fraction: 1 is
    +100%) above 1.
    """
    starred(d, name)
    m, path = metric(d, name)
    want_above(m["arms"][1]["change"], 1, f"{path}.arms.1.change")


@check
def apart(d, name, factor):
    """NAME in the first arm is above FACTOR times the second's, in every run.

    NAME's arms.0.min in tables.0 is above FACTOR times arms.1.max, and
    both arms have runs.
    """
    m, path = metric(d, name)
    a, b = m["arms"][0], m["arms"][1]
    want(a["runs"] and b["runs"], f"{path}: runs {show(a['runs'])} and {show(b['runs'])}")
    want(a["min"] > float(factor) * b["max"],
         f"{path}: {a['arm']} min {show(a['min'])} not above {factor} x {b['arm']} max "
         f"{show(b['max'])}")


def aa_counts(d):
    """The primaries of tables[0] with runs, and those significant in arm 1."""
    have = [m for m in field(d, "tables.0.metrics")
            if m["primary"] and any(a["runs"] for a in m["arms"])]
    return have, [m["name"] for m in have if m["arms"][1]["significant"]]


@check
def aa_not_significant(d):
    """no primary differs between two sets of the same experiment.

    At least one primary of tables.0 has runs, and none of those has
    arms.1.significant true.
    """
    have, sig = aa_counts(d)
    want(have, "no primary of tables.0 has runs")
    want(not sig, f"{len(sig)} of {len(have)} primaries significant in an A/A comparison: "
         f"{' '.join(sig)}")


@value
def aa_summary(d):
    """A comment line: how many primaries an A/A comparison starred."""
    have, sig = aa_counts(d)
    return f"# A/A: {len(sig)} of {len(have)} primaries significant {' '.join(sig)}"


@check
def tables(d, n):
    """N tables, the first one's first metric with runs.

    len(tables) is N and tables.0.metrics.0.arms.0.runs above 0.
    """
    got = len(field(d, "tables"))
    want(got == int(n), f"{got} tables, want {n}")
    want_above(field(d, "tables.0.metrics.0.arms.0.runs"), 0, "tables.0.metrics.0.arms.0.runs")


@check
def na_in_every_run(d, name):
    """NAME is n/a, null in every run, in every table and arm.

    A metric NAME in some table, and each of its arms with runs 0 and
    na_reason "null in every run".
    """
    rows = [m for t in field(d, "tables") for m in t["metrics"] if m["name"] == name]
    want(rows, f"no metric {name} in any table")
    for m in rows:
        for i, a in enumerate(m["arms"]):
            want(a["runs"] == 0 and a["na_reason"] == "null in every run",
                 f"metric {name}: arms.{i} has runs {show(a['runs'])}, na_reason "
                 f"{show(a['na_reason'])}, want 0 and \"null in every run\"")


# CSV output: a row per metric and arm

def row(rows, name, arm):
    """The row of metric NAME and arm ARM, and its name."""
    found = [r for r in rows if r.get("metric") == name and r.get("arm") == arm]
    want(found, f"no row of metric {name} and arm {arm}")
    return found[-1], f"{name}/{arm}"


def cell(r, where, col):
    """The cell COL of row R (named WHERE), as text."""
    want(col in r, f"no column {col} in the CSV")
    return r[col]


def cell_eq(r, where, col, text):
    got = cell(r, where, col)
    want(got == text, f"{where}.{col} is {show(got)}, want {show(text)}")


def number(r, where, col):
    got = cell(r, where, col)
    try:
        return float(got)
    except ValueError:
        raise Failed(f"{where}.{col} is {show(got)}, want a number") from None


@check
def csv_primary(rows):
    """the CSV of the fixture's a against b: p values, Holm on the primary only.

    fault_p50_ns/b: primary 1, p_raw 30/252 (within 1e-9), p_holm the same,
    not significant, q1 <= median <= q3; run_s/b: primary 0, p_raw below
    0.01, no p_holm, not significant.
    """
    p50, at = row(rows, "fault_p50_ns", "b")
    cell_eq(p50, at, "primary", "1")
    p = number(p50, at, "p_raw")
    want(abs(p - 30 / 252) < 1e-9, f"{at}.p_raw is {p}, want 30/252")
    cell_eq(p50, at, "p_holm", p50["p_raw"])
    cell_eq(p50, at, "significant", "0")
    q1, med, q3 = (number(p50, at, c) for c in ("q1", "median", "q3"))
    want(q1 <= med <= q3, f"{at}: q1 {q1}, median {med}, q3 {q3} out of order")
    run, at = row(rows, "run_s", "b")
    cell_eq(run, at, "primary", "0")
    p = number(run, at, "p_raw")
    want(p < 0.01, f"{at}.p_raw is {p}, want below 0.01")
    cell_eq(run, at, "p_holm", "")
    cell_eq(run, at, "significant", "0")


@check
def csv_two_sets(rows):
    """the CSV of two sets: a row per metric and arm, fault latencies, n/a as empty.

    Rows, an even number of them; fault_p50_ns in two rows, the first
    with a median above 100 (ns); idle_cache_pages_per_vcpu's medians
    empty (n/a) or at least 0.
    """
    want(rows and len(rows) % 2 == 0, f"{len(rows)} rows, want an even number above 0")
    p50 = [r for r in rows if r.get("metric") == "fault_p50_ns"]
    want(len(p50) == 2, f"{len(p50)} rows of fault_p50_ns, want 2")
    med = number(p50[0], "fault_p50_ns/" + p50[0].get("arm", "?"), "median")
    want(med > 100, f"fault_p50_ns/{p50[0]['arm']}.median is {med}, want above 100")
    for r in rows:
        if r.get("metric") == "idle_cache_pages_per_vcpu" and r["median"] != "":
            at = "idle_cache_pages_per_vcpu/" + r["arm"]
            want(number(r, at, "median") >= 0, f"{at}.median is {r['median']}, want at least 0")


@check
def fault_mean_apart(rows, base, arm, ns):
    """ARM's mean fault is starred as a primary, NS ns above BASE's.

    fault_mean_ns/ARM: primary 1, significant 1, and its median less
    BASE's is NS (rounded to the ns) and within 25% of the planted 480 ns.
    """
    a, _ = row(rows, "fault_mean_ns", base)
    b, at = row(rows, "fault_mean_ns", arm)
    cell_eq(b, at, "primary", "1")
    cell_eq(b, at, "significant", "1")
    apart = number(b, at, "median") - number(a, f"fault_mean_ns/{base}", "median")
    want(abs(apart - 480) <= 0.25 * 480 and "%.0f" % apart == ns,
         f"{at}.median is %.0f ns above {base}'s, want {ns} (480 +- 25%%)" % apart)


if __name__ == "__main__":
    sys.exit(main(sys.argv, CHECKS, VALUES, __doc__, load))
