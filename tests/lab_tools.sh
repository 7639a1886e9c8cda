# tests/lab_tools.sh: the lab's shell tools without a lab. make ab's plan
# (PLAN_ONLY=1: no kernel, no run): every (experiment, set, repetition)
# once, an arm named twice becomes an A/A set <arm>-2, the shuffle is the
# seed's, bad settings are refused; and the check of the lab's console.
. tests/lib.sh

plan() { PLAN_ONLY=1 AB_OUT="$TMP/ab" sh patched-kernel/ab.sh 2>"$TMP/err"; }

name=ab_plan_aa
if ARMS="legacy cache-shrinker legacy" EXPS="idle-caches shrinker-storm" REPS=3 plan >"$TMP/p1"; then
	n=$(wc -l <"$TMP/p1")
	aa=$(grep -c ' legacy-2 ' "$TMP/p1")
	uniq=$(sort -u "$TMP/p1" | wc -l)
	if [ "$n" -eq 18 ] && [ "$aa" -eq 6 ] && [ "$uniq" -eq 18 ]; then
		ok "$name"
	else
		fail "$name" "$n runs ($aa legacy-2, $uniq distinct), want 18 (6, 18)"
	fi
else
	fail "$name" "$(tail -n 1 "$TMP/err")"
fi

name=ab_plan_seed
ARMS="legacy inverted" EXPS=idle-caches REPS=4 SEED=7 plan >"$TMP/s1"
ARMS="legacy inverted" EXPS=idle-caches REPS=4 SEED=7 plan >"$TMP/s2"
ARMS="legacy inverted" EXPS=idle-caches REPS=4 SEED=8 plan >"$TMP/s3"
if cmp -s "$TMP/s1" "$TMP/s2" && ! cmp -s "$TMP/s1" "$TMP/s3" &&
	[ "$(sort "$TMP/s1")" = "$(sort "$TMP/s3")" ]; then
	ok "$name"
else
	fail "$name" "the same seed must give the same order, another seed another order of the same runs"
fi

name=ab_plan_refused
if REPS=0 plan >/dev/null || ! grep -q 'REPS=0: expected a number from 1' "$TMP/err"; then
	fail "$name" "REPS=0 not refused: $(cat "$TMP/err")"
elif MMU=ept plan >/dev/null || ! grep -q 'MMU=ept: use tdp or shadow' "$TMP/err"; then
	fail "$name" "MMU=ept not refused: $(cat "$TMP/err")"
else
	ok "$name"
fi

# The lab's console check: an OOM-killer report is expected under global
# pressure; a warning, or a stack outside an OOM report, fails the run.
name=lab_serial_problems
sp=patched-kernel/serial-problems
if [ -n "$($sp tests/fixtures/serial/oom.log)" ]; then
	fail "$name" "an OOM-killer report counted as a problem: $($sp tests/fixtures/serial/oom.log | head -n 1)"
elif [ "$($sp tests/fixtures/serial/warning.log | cut -d: -f1 | tr '\n' ' ')" != "2 3 " ]; then
	fail "$name" "a WARNING and its stack not both found: $($sp tests/fixtures/serial/warning.log)"
elif [ -n "$($sp tests/fixtures/serial/alloc-failure.log)" ]; then
	fail "$name" "a failed page allocation's stack counted as a problem"
elif [ "$($sp tests/fixtures/serial/trace-after-oom.log | cut -d: -f1)" != 4 ]; then
	fail "$name" "the stack after the OOM report not found"
else
	ok "$name"
fi
