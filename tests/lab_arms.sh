# tests/lab_arms.sh: the kernel arms. Every series applies to Debian's
# 6.12 source; legacy and cache-shrinker-v2 build, boot in the QEMU lab and
# run a short experiment to a valid result in both MMU modes; one check of
# behaviour per arm, inside the lab; the lab's clock sees the planted
# cost. Slow: it builds kernels (ccache under ~/.cache/kvmsqueeze makes
# reruns fast) and boots them under TCG.
# shellcheck shell=sh
. tests/lib.sh

RUNS="lab_legacy_tdp lab_legacy_shadow lab_cache_shrinker_v2_tdp lab_cache_shrinker_v2_shadow"
CHECKS="lab_check_cache_shrinker_v2 lab_check_cache_shrinker_trylock lab_check_no_shrinker lab_check_legacy lab_check_inverted lab_check_planted_cost lab_compare_inverted lab_ab_resume"

if [ "$BUILD" != build ]; then
	for t in kernel_series_apply $RUNS $CHECKS; do
		skip "$t" "the lab runs in the main pass only (its kvmsqueeze is the static build)"
	done
	exit 0
fi
if ! scripts/deps kernel lab >"$TMP/deps" 2>&1; then
	for t in kernel_series_apply $RUNS $CHECKS; do skip "$t" "$(tail -n 1 "$TMP/deps")"; done
	exit 0
fi

if patched-kernel/build.sh --check all >"$TMP/apply" 2>&1; then
	ok kernel_series_apply
else
	fail kernel_series_apply "$(grep kvmsqueeze: "$TMP/apply" | tail -n 1)"
fi

# lab NAME ARM EXP MMU [ENV...]: run it; the result is $TMP/NAME/run/rep-1.json
lab() {
	lab_run "$@" || return 1
	f=$TMP/$lab_name/run/rep-1.json
	json_check "$lab_name" "$f" "d['complete'] and d['host']['arm'] == '$lab_arm' and d['host']['mmu'] == '$lab_mmu' and d['host']['accel'] in ('tcg', 'kvm') and d['host']['lab'] and d['cgroup']['version'] == 'v2' and all(v['end'] == 'ok' for v in d['vms'])" \
		"not a clean lab run of $lab_arm in $lab_mmu mode"
}

for arm in legacy cache_shrinker_v2; do
	for mmu in tdp shadow; do
		# baseline at 1/8 scale: 64 MiB touched, quick even under TCG
		lab "lab_${arm}_$mmu" "$(echo "$arm" | tr _ -)" baseline "$mmu" \
			LAB_SCALE=0.125 LAB_DURATION=15 && ok "lab_${arm}_$mmu"
	done
done

# cache-shrinker-v2 (the series as posted) and cache-shrinker-trylock:
# idle vCPUs hold cache pages; one scan empties them.
for arm in cache-shrinker-v2 cache-shrinker-trylock; do
	name=lab_check_$(echo "$arm" | tr - _)
	if lab "$name" "$arm" patched-kernel/checks/drain.json shadow; then
		json_check "$name" "$TMP/$name/run/rep-1.json" "$(cat <<'PY'
(lambda s: (lambda before, after: before > 0 and after <= before * 0.1)(
    max(v for t, v in zip(s['t_s'], s['v']) if t < 4),
    min(v for t, v in zip(s['t_s'], s['v']) if t > 4.5)))(
    [d['series'][k] for k in d['series'] if k.startswith('shrinker.x86-mmu')][0])
PY
)" "the shrinker's count did not drop near zero after the scan" && ok "$name"
	fi
done

# no-shrinker: there is no x86-mmu shrinker at all.
name=lab_check_no_shrinker
if lab "$name" no-shrinker patched-kernel/checks/drain.json shadow; then
	json_check "$name" "$TMP/$name/run/rep-1.json" \
		"[s for s in d['sources'] if s['name'] == 'shrinker'][0]['available'] is False and 'no x86-mmu shrinker' in [s for s in d['sources'] if s['name'] == 'shrinker'][0]['why'] and not any(k.startswith('shrinker.x86-mmu') for k in d['series'])" \
		"an x86-mmu shrinker exists" && ok "$name"
fi

# legacy zaps shadow pages on a scan; inverted zaps the newest, the
# guest's working set, which it refaults: after the scan its faults far
# outnumber legacy's (here: legacy 13, inverted 512).
zapped='d["series"]["kvm.vm0.mmu_recycled"]["v"][-1] > d["series"]["kvm.vm0.mmu_recycled"]["v"][0]'
refaults='(lambda s: s["v"][-1] - [v for t, v in zip(s["t_s"], s["v"]) if t <= 5][-1])(d["series"]["kvm.vm0.vcpus.pf_fixed"])'
name=lab_check_legacy
if lab "$name" legacy patched-kernel/checks/zap-order.json shadow; then
	json_check "$name" "$TMP/$name/run/rep-1.json" "$zapped" \
		"the scan zapped no shadow pages" && ok "$name"
fi
name=lab_check_inverted
if [ ! -f "$TMP/lab_check_legacy/run/rep-1.json" ]; then
	fail "$name" "needs the legacy run to compare with"
elif lab "$name" inverted patched-kernel/checks/zap-order.json shadow; then
	legacy=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($refaults)" \
		"$TMP/lab_check_legacy/run/rep-1.json")
	json_check "$name" "$TMP/$name/run/rep-1.json" "$zapped and $refaults > 4 * $legacy + 256" \
		"faults after the scan are not far above legacy's ($legacy)" && ok "$name"
fi

# planted-cost: every fault runs 120 more instructions (planted_cost_insns
# = 116 in a dec/jnz loop, 4 around it), 480 ns on the lab's instruction
# clock (icount, 4 ns an instruction). Three boots of each arm, 14,848
# faults a run. Background work in the lab kernel only ever adds to a
# run's mean (by 150 to 350 ns in about 1 run in 8), so each arm is read
# at its fastest run: that difference must be 480 ns within 25%, and
# every planted-cost run slower than every legacy run. Only TCG counts
# instructions: skipped where the lab runs -accel kvm.
name=lab_check_planted_cost
nested=
for f in /sys/module/kvm_amd/parameters/nested /sys/module/kvm_intel/parameters/nested; do
	[ -w /dev/kvm ] && [ -f "$f" ] && grep -qE '^(1|Y)$' "$f" && nested=$f
done
if [ -n "$nested" ]; then
	skip "$name" "the lab runs -accel kvm here ($nested): no instruction clock"
else
	runs=
	for i in 1 2 3; do
		for arm in legacy planted-cost; do
			lab "${name}_$arm$i" "$arm" patched-kernel/checks/fault-cost.json shadow \
				LAB_CLOCK=icount || continue
			runs="$runs $TMP/${name}_$arm$i/run/rep-1.json"
		done
	done
	# shellcheck disable=SC2086
	if python3 - $runs >"$TMP/planted" 2>&1 <<'PY'; then
import json, sys

mean = {'legacy': [], 'planted-cost': []}
expect = set()
for f in sys.argv[1:]:
    d = json.load(open(f))
    arm, param = d['host']['arm'], d['host']['kvm_params'].get('kvm.planted_cost_insns')
    assert d['host']['clock'] == 'icount', f + ': not on the instruction clock'
    assert (param is None) == (arm == 'legacy'), f + ': planted_cost_insns is ' + str(param)
    vcpu = d['vms'][0]['result']['vcpus'][0]
    mean[arm].append(vcpu['fault_latency_ns']['mean'])
    if param is not None:
        # the loop (even), and 4 instructions around it (3 if it is skipped)
        loop = int(param) // 2 * 2
        expect.add((loop + 4 if loop else 3) * 2 ** d['host']['icount_shift'])
assert len(mean['legacy']) == 3 and len(mean['planted-cost']) == 3, 'runs missing'
assert len(expect) == 1
want = expect.pop()
got = min(mean['planted-cost']) - min(mean['legacy'])
gap = min(mean['planted-cost']) - max(mean['legacy'])
print('planted %.0f ns (want %d +- 25%%), gap %.0f ns; legacy %s, planted-cost %s' %
      (got, want, gap, ' '.join('%.0f' % m for m in mean['legacy']),
       ' '.join('%.0f' % m for m in mean['planted-cost'])))
sys.exit(0 if abs(got - want) <= want / 4 and gap > 0 else 1)
PY
		ok "$name"
	else
		fail "$name" "$(tail -n 1 "$TMP/planted")"
	fi
fi

# The planted effect, for real: make ab with legacy against inverted on
# zap-order, 6 runs each (with its one primary, 6 decide with margin), and
# compare must flag what the guests paid for the scan, and only as worse.
name=lab_compare_inverted
if ARMS="legacy inverted" EXPS="$PWD/patched-kernel/checks/zap-order.json" REPS=6 \
	AB_OUT="$TMP/ab" patched-kernel/ab.sh >"$TMP/ab.log" 2>&1 &&
   ./kvmsqueeze compare --format json "$TMP/ab/zap-order/legacy" "$TMP/ab/zap-order/inverted" \
	>"$TMP/ab.json" 2>"$TMP/ab.err"; then
	json_check "$name" "$TMP/ab.json" \
		"[m for m in d['tables'][0]['metrics'] if m['name'] == 'faults_after_pressure'][0]['arms'][1]['significant'] and [m for m in d['tables'][0]['metrics'] if m['name'] == 'faults_after_pressure'][0]['arms'][1]['change'] > 1" \
		"compare did not flag the inverted zap order" && ok "$name"
else
	fail "$name" "$(tail -n 2 "$TMP/ab.log" "$TMP/ab.err" 2>/dev/null | tr '\n' ' ')"
fi

# RESUME=1: a make ab that lost two runs (one per arm) runs those two
# again and keeps the other ten, with the same plan and the same report.
name=lab_ab_resume
if [ -s "$TMP/ab/zap-order/legacy/rep-3.json" ] && [ -s "$TMP/ab/zap-order/inverted/rep-5.json" ]; then
	rm "$TMP/ab/zap-order/legacy/rep-3.json" "$TMP/ab/zap-order/inverted/rep-5.json"
	if RESUME=1 ARMS="legacy inverted" EXPS="$PWD/patched-kernel/checks/zap-order.json" REPS=6 \
		AB_OUT="$TMP/ab" patched-kernel/ab.sh >"$TMP/resume.log" 2>&1; then
		kept=$(grep -c 'done before, kept (RESUME)' "$TMP/resume.log")
		if [ "$kept" -eq 10 ] && [ -s "$TMP/ab/zap-order/legacy/rep-3.json" ] &&
			[ -s "$TMP/ab/zap-order/inverted/rep-5.json" ] &&
			grep -q 'faults post-pressure' "$TMP/ab/report.txt"; then
			ok "$name"
		else
			fail "$name" "$kept runs kept (want 10), or the lost runs not redone, or no report"
		fi
	else
		fail "$name" "$(tail -n 2 "$TMP/resume.log" | tr '\n' ' ')"
	fi
else
	skip "$name" "lab_compare_inverted left no make ab to resume"
fi
