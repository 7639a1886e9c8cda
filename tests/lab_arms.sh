# tests/lab_arms.sh: the kernel arms. Every series applies to Debian's
# 6.12 source; legacy and cache-shrinker-v2 build, boot in the QEMU lab and
# run a short experiment to a valid result in both MMU modes; one check of
# behaviour per arm, inside the lab; the lab's clock sees the planted
# cost. A boot-parameter arm boots legacy's image, not rebuilt, with its
# parameter seen inside the lab; a parameter the kernel does not know is
# refused (before the boot for a builtin module's, after it for one the
# console reports); the 6.1 base builds, boots and runs. Slow: it builds kernels (ccache under ~/.cache/kvmsqueeze makes
# reruns fast) and boots them under TCG.
# shellcheck shell=sh
. tests/lib.sh

RUNS="lab_legacy_tdp lab_legacy_shadow lab_cache_shrinker_v2_tdp lab_cache_shrinker_v2_shadow"
ANYWHERE="lab_param_arm lab_param_unknown lab_param_unknown_boot lab_base_61 lab_selftest_eager_split"
CHECKS="lab_check_cache_shrinker_v2 lab_check_cache_shrinker_trylock lab_check_no_shrinker lab_check_legacy lab_check_inverted lab_check_planted_cost lab_compare_inverted lab_ab_resume"

# shellcheck disable=SC2086 # one name a word
plan_names kernel_series_apply $RUNS $CHECKS $ANYWHERE

if [ "$BUILD" != build ]; then
	skip_rest "the lab runs in the main pass only (its kvmsqueeze is the static build)"
	exit 0
fi
if ! scripts/deps kernel lab >"$TMP/deps" 2>&1; then
	skip_rest "$(tail -n 1 "$TMP/deps")"
	exit 0
fi

if patched-kernel/build.sh --check all >"$TMP/apply" 2>&1; then
	ok kernel_series_apply
else
	fail kernel_series_apply "$(grep kvmsqueeze: "$TMP/apply" | tail -n 1)"
fi

# lab NAME ARM EXP MMU [ENV...]: run it; the result is $TMP/NAME/run/rep-1.json
lab() {
	lab_run "$@" &&
		check "$lab_name" lab_clean "$TMP/$lab_name/run/rep-1.json" "$lab_arm" "$lab_mmu"
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
		check "$name" shrinker_drained "$TMP/$name/run/rep-1.json" && ok "$name"
	fi
done

# no-shrinker: there is no x86-mmu shrinker at all.
name=lab_check_no_shrinker
if lab "$name" no-shrinker patched-kernel/checks/drain.json shadow; then
	check "$name" no_x86_mmu_shrinker "$TMP/$name/run/rep-1.json" && ok "$name"
fi

# legacy zaps shadow pages on a scan; inverted zaps the newest, the
# guest's working set, which it refaults: after the scan its faults far
# outnumber legacy's (here: legacy 13, inverted 512).
name=lab_check_legacy
if lab "$name" legacy patched-kernel/checks/zap-order.json shadow; then
	check "$name" shadow_pages_zapped "$TMP/$name/run/rep-1.json" && ok "$name"
fi
name=lab_check_inverted
if [ ! -f "$TMP/lab_check_legacy/run/rep-1.json" ]; then
	fail "$name" "needs the legacy run to compare with"
elif lab "$name" inverted patched-kernel/checks/zap-order.json shadow; then
	check "$name" refaults_above "$TMP/$name/run/rep-1.json" \
		"$TMP/lab_check_legacy/run/rep-1.json" && ok "$name"
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
	# shellcheck disable=SC2086 # the result files, one a word
	set -- $runs
	if [ $# -eq 0 ]; then
		fail "$name" "no run"
	else
		check "$name" planted_cost "$@" && ok "$name"
	fi
fi

# The planted effect, for real: make ab with legacy against inverted on
# zap-order, 6 runs each (with its one primary, 6 decide with margin), and
# compare must flag what the guests paid for the scan, and only as worse.
name=lab_compare_inverted
# The end of the log of the lab run a failed make ab names (TMP goes with
# the test: the failure must say why here).
ab_failed_log() {
	log=$(sed -n 's/.*failed (log: \([^)]*\)).*/\1/p' "$1" | tail -n 1)
	[ -n "$log" ] && [ -f "$log" ] && echo "$log: $(grep -vE '^\[ *[0-9.]+\] ' "$log" | tail -n 6 | tr '\n' ' ')"
	return 0
}
if ARMS="legacy inverted" EXPS="$PWD/patched-kernel/checks/zap-order.json" REPS=6 \
	AB_OUT="$TMP/ab" patched-kernel/ab.sh >"$TMP/ab.log" 2>&1 &&
   ./kvmsqueeze compare --format json "$TMP/ab/zap-order/legacy" "$TMP/ab/zap-order/inverted" \
	>"$TMP/ab.json" 2>"$TMP/ab.err"; then
	report_check "$name" starred_worse "$TMP/ab.json" faults_after_pressure && ok "$name"
else
	fail "$name" "$(tail -n 2 "$TMP/ab.log" "$TMP/ab.err" 2>/dev/null | tr '\n' ' ') $(ab_failed_log "$TMP/ab.log")"
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
		fail "$name" "$(tail -n 2 "$TMP/resume.log" | tr '\n' ' ') $(ab_failed_log "$TMP/resume.log")"
	fi
else
	skip "$name" "lab_compare_inverted left no make ab to resume"
fi

# A boot-parameter arm: legacy's image (built above), not rebuilt, booted
# with kvm.eager_page_split=N, which KVM inside the lab then has; the run
# is labelled with the arm's name and lab-arm.json says what it was.
name=lab_param_arm
pname=legacy-kvm.eager_page_split-n
kimg=${KVMSQ_CACHE:-$HOME/.cache/kvmsqueeze}/kernels/legacy/bzImage
before=$(stat -c %Y "$kimg" 2>/dev/null || echo none)
if lab_run "$name" legacy+kvm.eager_page_split=N baseline shadow LAB_SCALE=0.125 LAB_DURATION=15 &&
	check "$name" lab_clean "$TMP/$name/run/rep-1.json" "$pname" shadow; then
	split=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["host"]["kvm_params"].get("kvm.eager_page_split"))' \
		"$TMP/$name/run/rep-1.json")
	if [ "$split" != N ]; then
		fail "$name" "host.kvm_params has kvm.eager_page_split $split, want N"
	elif [ "$(stat -c %Y "$kimg")" != "$before" ] || ! grep -q 'kernel: legacy: up to date' "$TMP/$name.log"; then
		fail "$name" "legacy's image was rebuilt"
	elif ! grep -q "\"name\": \"$pname\"" "$TMP/$name/lab-arm.json" ||
		! grep -q '"params": "kvm.eager_page_split=N"' "$TMP/$name/lab-arm.json" ||
		! grep -q '"image": "legacy"' "$TMP/$name/lab-arm.json"; then
		fail "$name" "lab-arm.json: $(tr -d '\n' <"$TMP/$name/lab-arm.json" 2>/dev/null)"
	else
		ok "$name"
	fi
fi

# A builtin module's parameter the image does not have: refused before
# the boot, naming the arm and the parameter.
name=lab_param_unknown
if LAB_OUT=$TMP/$name patched-kernel/lab.sh legacy+kvm.no_such_knob=1 baseline shadow 1 \
	>"$TMP/$name.log" 2>&1; then
	fail "$name" "accepted"
elif [ -e "$TMP/$name/lab-serial.log" ]; then
	fail "$name" "it booted"
elif ! grep -q "kvmsqueeze: lab: arm legacy-kvm.no_such_knob-1: .* does not know kernel parameter 'kvm.no_such_knob'" \
	"$TMP/$name.log"; then
	fail "$name" "$(tail -n 1 "$TMP/$name.log")"
else
	ok "$name"
fi

# A parameter no builtin module has, which the lab kernel reports on its
# console ("Unknown kernel command line parameters"): the run fails,
# naming the arm and the parameter.
name=lab_param_unknown_boot
if LAB_OUT=$TMP/$name LAB_SCALE=0.125 LAB_DURATION=5 patched-kernel/lab.sh legacy+kvmsq_no_such=1 \
	baseline shadow 1 >"$TMP/$name.log" 2>&1; then
	fail "$name" "accepted"
elif ! grep -q "kvmsqueeze: lab: arm legacy-kvmsq_no_such-1: the lab kernel does not know kernel parameter 'kvmsq_no_such'" \
	"$TMP/$name.log"; then
	fail "$name" "$(tail -n 1 "$TMP/$name.log")"
else
	ok "$name"
fi

# The 6.1 base: Debian's linux-source-6.1 with observe-6.1 builds (cached
# like the others), boots both lab CPUs on the instruction clock and runs
# baseline to a valid result. Without observe-6.1's smp_boot_sleep (lab.sh
# passes it under -icount) 6.1 hung bringing up its second CPU ("x86:
# Booting SMP configuration:").
name=lab_base_61
if ! scripts/ksrc debian-6.1 >/dev/null 2>"$TMP/ksrc61"; then
	skip "$name" "$(tail -n 1 "$TMP/ksrc61")"
elif lab "$name" base-6.1 baseline shadow LAB_SCALE=0.125 LAB_DURATION=15; then
	case "$(cat "$TMP/$name/lab-kernel")" in
	6.1.*-kvmsq-base-6.1-*)
		if ! grep -q '"base": "debian-6.1"' "$TMP/$name/lab-arm.json"; then
			fail "$name" "lab-arm.json: $(tr -d '\n' <"$TMP/$name/lab-arm.json")"
		elif ! grep -q 'smp: Brought up 1 node, 2 CPUs' "$TMP/$name/lab-serial.log"; then
			fail "$name" "not both lab CPUs up: $(grep 'smp:' "$TMP/$name/lab-serial.log" | tr '\n' ' ')"
		elif ! grep -q '"clock": *"icount"' "$TMP/$name/run/rep-1.json"; then
			fail "$name" "not on the instruction clock"
		else
			ok "$name"
		fi ;;
	*) fail "$name" "booted $(cat "$TMP/$name/lab-kernel"), not a 6.1 image of base-6.1" ;;
	esac
fi

# A KVM selftest as the workload in the lab, on two boot-parameter arms
# of one image whose tree's selftests it builds (docs/eager-split/: the
# replay of the eager page splitting cover letter): dirty_log_perf_test
# -g on 2 MiB HugeTLB pages, once with kvm.eager_page_split=Y and once
# with N. compare reads its phases, and enabling dirty logging costs
# more than a hundred times as much with eager splitting (it splits the
# whole slot then; measured 0.148-0.154 s against 0.26-0.30 ms over 8
# runs each, the vCPU and main threads pinned together to one lab CPU:
# docs/eager-split.md says why).
name=lab_selftest_eager_split
es=docs/eager-split
if lab_run "${name}_on" "$es/eager-on.arm" "$es/dirty-log-enable.json" tdp &&
   lab_run "${name}_off" "$es/eager-off.arm" "$es/dirty-log-enable.json" tdp; then
	if ./kvmsqueeze compare --format json "$TMP/${name}_on/run" "$TMP/${name}_off/run" \
		>"$TMP/$name.json" 2>"$TMP/$name.err"; then
		report_check "$name" apart "$TMP/$name.json" selftest_dirty_log_enable_s 100 &&
			ok "$name"
	else
		fail "$name" "compare: $(tail -n 1 "$TMP/$name.err")"
	fi
else
	fail "$name" "a lab run failed (its own line says why)"
fi
