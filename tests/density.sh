# tests/density.sh: docs/findings/specs/density-10.json (ten one-vCPU
# idle VMs) run on this host, shortened: idle_cache_pages_total is in the
# summary and agrees with the per-vCPU level and the series, or, on a
# kernel without the lab's mmu_cache_pages statistic, is null and
# reported n/a with its reason.
# shellcheck shell=sh
. tests/lib.sh

plan_names density_run density_total density_na
why=$(kvm_missing)
if [ -n "$why" ]; then
	skip_rest "$why"
	exit 0
fi

name=density_run
if run_exits "$name" 0 docs/findings/specs/density-10.json --duration 2 --out "$TMP/d" &&
	valid_strict "$name" "$TMP/d/rep-1.json"; then
	ok "$name"
else
	skip_rest "no run"
	exit 0
fi

# with the statistic: total = per vCPU x 10 = the per-vCPU series' last
# points summed; without it all three are null / absent
check density_total density_total "$TMP/d/rep-1.json" 10 && ok density_total

name=density_na
if holds vcpu_cache_series "$TMP/d/rep-1.json"; then
	skip "$name" "this kernel has the mmu_cache_pages statistic"
elif ! "$KVMSQUEEZE" report --format json "$TMP/d" >"$TMP/json" 2>"$TMP/err" ||
	! "$KVMSQUEEZE" report "$TMP/d" >"$TMP/text" 2>>"$TMP/err"; then
	fail "$name" "report: $(tail -n 1 "$TMP/err")"
elif report_check "$name" na_in_every_run "$TMP/json" idle_cache_pages_total; then
	if tr '\n' ' ' <"$TMP/text" | tr -s ' ' |
		grep -q 'n/a in every run (null in the results, not 0), not shown:.*idle cache total'; then
		ok "$name"
	else
		fail "$name" "no n/a with its reason: $(grep -i 'n/a' "$TMP/text" | head -n 3 | tr '\n' ' ')"
	fi
fi
