# tests/density.sh: docs/findings/specs/density-10.json (ten one-vCPU
# idle VMs) run on this host, shortened: idle_cache_pages_total is in the
# summary and agrees with the per-vCPU level and the series, or, on a
# kernel without the lab's mmu_cache_pages statistic, is null and
# reported n/a with its reason.
# shellcheck shell=sh
. tests/lib.sh

TESTS="density_run density_total density_na"
why=$(kvm_missing)
if [ -n "$why" ]; then
	for t in $TESTS; do skip "$t" "$why"; done
	exit 0
fi

name=density_run
if "$KVMSQUEEZE" run docs/findings/specs/density-10.json --duration 2 --out "$TMP/d" \
	>"$TMP/run.log" 2>&1 && python3 tests/validate_result.py --strict "$TMP/d/rep-1.json" \
	>"$TMP/val" 2>&1; then
	ok "$name"
else
	fail "$name" "$(tail -n 2 "$TMP/run.log" "$TMP/val" | tr '\n' ' ')"
	for t in density_total density_na; do skip "$t" "no run"; done
	exit 0
fi

# with the statistic: total = per vCPU x 10 = the per-vCPU series' last
# points summed; without it all three are null / absent
python3 - "$TMP/d/rep-1.json" >"$TMP/check" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sm, series = d["summary"], d["series"]
total, per = sm["idle_cache_pages_total"], sm["idle_cache_pages_per_vcpu"]
mine = [s for n, s in series.items() if n.startswith("kvm.vm") and ".vcpu" in n
        and ".vcpus." not in n and n.endswith(".mmu_cache_pages")]
if any(n.endswith(".vcpus.mmu_cache_pages") for n in series):
    assert len(d["vms"]) == 10 and len(mine) == 10, (len(d["vms"]), len(mine))
    assert total == per * 10, (total, per)
    assert total == sum(s["v"][-1] for s in mine), (total, [s["v"][-1] for s in mine])
    print("stat")
else:
    assert total is None and per is None and not mine, (total, per, len(mine))
    print("none")
PY
rc=$?
kind=$(tail -n 1 "$TMP/check")
if [ "$rc" -eq 0 ]; then ok density_total; else fail density_total "$(cat "$TMP/check")"; fi

name=density_na
if [ "$kind" = stat ]; then
	skip "$name" "this kernel has the mmu_cache_pages statistic"
elif ! "$KVMSQUEEZE" report --format json "$TMP/d" >"$TMP/json" 2>"$TMP/err" ||
	! "$KVMSQUEEZE" report "$TMP/d" >"$TMP/text" 2>>"$TMP/err"; then
	fail "$name" "report: $(tail -n 1 "$TMP/err")"
elif python3 - "$TMP/json" <<'PY' && tr '\n' ' ' <"$TMP/text" | tr -s ' ' |
import json, sys
d = json.load(open(sys.argv[1]))
rows = [m for t in d["tables"] for m in t["metrics"] if m["name"] == "idle_cache_pages_total"]
assert rows, "no idle_cache_pages_total row"
cells = [a for m in rows for a in m["arms"]]
assert all(a["runs"] == 0 and a["na_reason"] == "null in every run" for a in cells), cells
PY
	grep -q 'n/a in every run (null in the results, not 0), not shown:.*idle cache total'; then
	ok "$name"
else
	fail "$name" "no n/a with its reason: $(grep -i 'n/a' "$TMP/text" | head -n 3 | tr '\n' ' ')"
fi
