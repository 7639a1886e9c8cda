# tests/findings.sh: the committed results behind docs/findings.md still
# read as they did: a sample validates against the schema, and the tools
# the write-up quotes (docs/findings/sweep.py over kvmsqueeze compare)
# give its numbers from them.
# shellcheck shell=sh
. tests/lib.sh

plan_names findings_valid findings_sweep findings_compare findings_planted findings_recycle \
	findings_mutex findings_density findings_lockdep
R=docs/results
if [ ! -d "$R/inverted/zap-order" ]; then
	skip_rest "no $R"
	exit 0
fi
cp -r "$R" "$TMP/r" && gunzip -r "$TMP/r"
r=$TMP/r

name=findings_valid
valid "$name" "$r"/inverted/zap-order/*/rep-1.json "$r"/pt-idle-tdp/idle-8/legacy/rep-1.json \
	"$r"/squeeze/memcg-squeeze-lab/legacy/rep-1.json "$r"/host/alias-256/host/rep-1.json &&
	ok "$name"

# claim 2: 38.5 idle pages per vCPU for 256 TDP vCPUs
name=findings_sweep
out=$(python3 docs/findings/sweep.py idle "$r/idle256-tdp/idle-256" 2>&1)
has_lines "$name" "sweep.py idle" "$out" '^ *tdp +256 +38\.5 ' && ok "$name"

# claim 5: 13 faults after the scan on legacy, 512 on inverted, starred.
# These results predate specs naming primaries: zap-order's is the faults.
name=findings_compare
out=$("$KVMSQUEEZE" compare --format csv --primary faults_after_pressure "$r/inverted/zap-order/legacy" "$r/inverted/zap-order/inverted" 2>&1 |
	python3 docs/findings/sweep.py arms - faults_after_pressure 2>&1)
has_lines "$name" "compare | sweep.py arms" "$out" 'legacy +13$' 'inverted +512\*$' && ok "$name"

# The README's planted cost, from the committed runs: legacy against
# planted-cost on the instruction clock, the mean fault starred, 462 ns
# apart (the 480 ns planted, within the 25% the lab check allows).
name=findings_planted
pc=$r/clock-planted-icount/fault-cost
if [ ! -d "$pc" ]; then
	skip "$name" "no $pc"
elif valid "$name" "$pc/planted-cost/rep-1.json" &&
	expect "$name" 0 "" compare --format csv "$pc/legacy" "$pc/planted-cost"; then
	report_check "$name" fault_mean_apart "$TMP/out" legacy planted-cost 462 && ok "$name"
fi

# Section 5: on KVM's cap, inverted gets 46.2% more CR3 loads done at
# 1024 spaces (starred) with faults taken within 1% (not starred).
name=findings_recycle
d=$r/recycle/recycle-1024
if [ ! -d "$d" ]; then
	skip "$name" "no $d"
else
	out=$("$KVMSQUEEZE" compare --format csv "$d/legacy" "$d/inverted" 2>&1 |
		python3 docs/findings/sweep.py cmp - guest_cr3_switches kvm_pf_taken 2>&1)
	has_lines "$name" "compare | sweep.py cmp" "$out" \
		'recycle-1024 +inverted +15156 +22162 +\+46\.2%\* +0\.006 +79350 +80178 +\+1\.0% ' &&
		ok "$name"
fi

# Section 4: the planted 120 instructions are starred in the 1-vCPU fault
# mean; the mutex alone (v2, 1 vCPU) is +0.4%, under the floor, unstarred;
# with a storm it is starred.
name=findings_mutex
m=$r/mutex
if [ ! -d "$m/fault-1v" ]; then
	skip "$name" "no $m"
else
	out=$(for e in fault-1v fault-1v-storm; do
		"$KVMSQUEEZE" compare --mde --format csv "$m/$e/no-shrinker" "$m/$e/cache-shrinker-v2"
		"$KVMSQUEEZE" compare --mde --format csv "$m/$e/legacy" "$m/$e/planted-cost"
	done 2>&1 | python3 docs/findings/sweep.py cmp - fault_mean_ns 2>&1)
	has_lines "$name" "compare --mde | sweep.py cmp" "$out" \
		'^ *fault-1v +cache-shrinker-v2 +51\.1 +51\.3 +\+0\.4% +0\.030 +0\.51%$' \
		'^ *fault-1v +planted-cost +51\.2 +51\.6 +\+0\.9%\* ' \
		'^ *fault-1v-storm +cache-shrinker-v2 +51\.9 +52\.3 +\+0\.9%\* ' && ok "$name"
fi

# Section 2: 69 idle cache pages per one-vCPU VM, 6,900 for 100 VMs.
name=findings_density
if [ ! -d "$r/density/density-100" ]; then
	skip "$name" "no $r/density/density-100"
else
	out=$(python3 docs/findings/sweep.py density "$r/density/density-100" 2>&1)
	has_lines "$name" "sweep.py density" "$out" '^shadow +100 +3 +6900 +69\.0 ' && ok "$name"
fi

# Section 6: the v2 arm's lockdep report is the predicted cycle; the
# trylock arm's run has none and ended ok.
name=findings_lockdep
lv=docs/results/lockdep-cache-shrinker-v2/lockdep.txt
lt=docs/results/lockdep-cache-shrinker-trylock
if [ ! -f "$lv" ]; then
	skip "$name" "no $lv"
elif ! grep -q 'kvm_lock --> &kvm->slots_lock --> fs_reclaim' "$lv" ||
     ! grep -q 'mmu_shrink_count' "$lv"; then
	fail "$name" "$lv: not the kvm_lock -> slots_lock -> fs_reclaim cycle"
elif [ -e "$lt/lockdep.txt" ]; then
	fail "$name" "$lt has a lockdep report"
else
	check "$name" ok_with_direct_reclaim "$r/lockdep-cache-shrinker-trylock/run/rep-1.json" &&
		ok "$name"
fi
