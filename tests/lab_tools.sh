# tests/lab_tools.sh: the lab's shell tools without a lab. make ab's plan
# (PLAN_ONLY=1: no kernel, no run): blocks that hold every set once (A/A
# sets too) in the seed's order, plans that cannot decide refused with
# the REPS they need, bad settings refused, an estimate of the time; make
# ab's runs with a pretend lab (JOBS at once, a failure, RESUME, an
# interrupt); and the check of the lab's console.
# shellcheck shell=sh
. tests/lib.sh

plan_names ab_plan_blocks ab_plan_seed ab_plan_decide ab_plan_default_reps ab_plan_no_primaries \
	ab_plan_refused ab_plan_estimate ab_jobs ab_failure_resume ab_interrupt lab_serial_problems

kvmsq=$KVMSQUEEZE
case "$kvmsq" in /*) ;; *) kvmsq=$PWD/$kvmsq ;; esac
plan() {
	PLAN_ONLY=1 AB_OUT="$TMP/ab" KVMSQUEEZE="$kvmsq" KVMSQ_CACHE="$TMP/cache" \
		sh patched-kernel/ab.sh 2>"$TMP/err"
}

# spec NAME PRIMARY...: a small spec with those primary metrics
spec() {
	spec_name=$1
	shift
	spec_prims=
	for p in "$@"; do spec_prims="$spec_prims${spec_prims:+, }\"$p\""; done
	cat >"$TMP/$spec_name.json" <<EOF
{ "name": "$spec_name", "question": "Does it?", "duration_s": 4,
  "vms": [ { "count": 1, "vcpus": 1, "mem": "16M", "guest": "idle" } ]
  ${spec_prims:+, \"primary\": [$spec_prims]} }
EOF
	echo "$TMP/$spec_name.json"
}
k1=$(spec k1 run_s)
k2=$(spec k2 run_s fault_mean_ns)
k4=$(spec k4 run_s fault_mean_ns access_mean_ns oom_killed_vms)
k0=$(spec k0)

# Every block holds one run of every (experiment, set), A/A sets too;
# REPS blocks, numbered 1..REPS in order.
name=ab_plan_blocks
if ARMS="legacy cache-shrinker-v2 legacy" EXPS="$k1 $k2" REPS=6 plan >"$TMP/p1"; then
	bad=$(awk -v want="$k1 legacy|$k1 cache-shrinker-v2|$k1 legacy-2|$k2 legacy|$k2 cache-shrinker-v2|$k2 legacy-2" '
		BEGIN { n = split(want, w, "|") }
		{ if ($1 < last) print "block " $1 " after block " last; last = $1
		  seen[$1 " " $2 " " $3]++; blocks[$1] = 1 }
		END { for (b in blocks) for (i = 1; i <= n; i++)
			if (seen[b " " w[i]] != 1) print "block " b ": " w[i] " " seen[b " " w[i]] + 0 " times"
		      if (length(blocks) != 6) print length(blocks) " blocks, want 6" }' "$TMP/p1")
	if [ -z "$bad" ] && [ "$(wc -l <"$TMP/p1")" -eq 36 ]; then
		ok "$name"
	else
		fail "$name" "$(wc -l <"$TMP/p1") runs, want 36: $(echo "$bad" | head -n 2 | tr '\n' ' ')"
	fi
else
	fail "$name" "$(tail -n 1 "$TMP/err")"
fi

# The seed decides the order in each block; the same seed, the same plan;
# another seed, another order of the same runs; the blocks differ.
name=ab_plan_seed
ARMS="legacy inverted no-shrinker" EXPS="$k1 $k2" REPS=5 SEED=7 plan >"$TMP/s1"
ARMS="legacy inverted no-shrinker" EXPS="$k1 $k2" REPS=5 SEED=7 plan >"$TMP/s2"
ARMS="legacy inverted no-shrinker" EXPS="$k1 $k2" REPS=5 SEED=8 plan >"$TMP/s3"
orders=$(awk '{ o[$1] = o[$1] " " $2 "/" $3 } END { for (b in o) print o[b] }' "$TMP/s1" | sort -u | wc -l)
if ! cmp -s "$TMP/s1" "$TMP/s2"; then
	fail "$name" "the same seed gave two plans"
elif cmp -s "$TMP/s1" "$TMP/s3" || [ "$(sort "$TMP/s1")" != "$(sort "$TMP/s3")" ]; then
	fail "$name" "another seed must give another order of the same runs"
elif [ "$orders" -lt 4 ]; then
	fail "$name" "only $orders different orders in 5 blocks of 6 runs"
else
	ok "$name"
fi

# REPS too few to reach alpha after Holm is refused with the REPS needed:
# 4 against 4 reach 2/70 = 0.029, fine for one primary (at the edge),
# 0.057 for two; 6 decide with margin for up to 4 primaries.
name=ab_plan_decide
if ! ARMS="legacy inverted" EXPS="$k1" REPS=4 plan >/dev/null; then
	fail "$name" "REPS=4 with one primary refused: $(tail -n 1 "$TMP/err")"
elif ! grep -q 'warning: REPS=4: k1 decides only at the edge (REPS=5' "$TMP/err"; then
	fail "$name" "REPS=4 with one primary: no warning of the edge: $(cat "$TMP/err")"
elif ARMS="legacy inverted" EXPS="$k1 $k2" REPS=4 plan >/dev/null; then
	fail "$name" "REPS=4 with two primaries not refused"
elif ! grep -Eq 'REPS=4: the plan cannot decide.*k2 \(0\.057\).*\(REPS=5 at least; REPS=6 decides with margin\)' "$TMP/err"; then
	fail "$name" "the refusal does not say the REPS needed: $(tail -n 1 "$TMP/err")"
elif ARMS="legacy inverted" EXPS="$k4" REPS=2 plan >/dev/null ||
	! grep -q '(REPS=5 at least; REPS=6 decides with margin)' "$TMP/err"; then
	fail "$name" "REPS=2 with four primaries: $(tail -n 1 "$TMP/err")"
elif ! ARMS="legacy inverted" EXPS="$k4" REPS=6 plan >/dev/null ||
	grep -q 'warning' "$TMP/err"; then
	fail "$name" "REPS=6 with four primaries: $(tail -n 1 "$TMP/err")"
else
	ok "$name"
fi

# Without REPS: the fewest that decide with margin (5 for one primary,
# 6 as soon as one experiment has two); one arm alone is not tested.
name=ab_plan_default_reps
ARMS="legacy inverted" EXPS="$k1" plan >"$TMP/d1"
ARMS="legacy inverted" EXPS="$k1 $k2" plan >"$TMP/d2"
if [ "$(wc -l <"$TMP/d1")" -ne 10 ] || [ "$(wc -l <"$TMP/d2")" -ne 24 ]; then
	fail "$name" "$(wc -l <"$TMP/d1") and $(wc -l <"$TMP/d2") runs, want 10 and 24"
elif ! ARMS=legacy EXPS="$k0" REPS=2 plan >/dev/null; then
	fail "$name" "one arm alone (a report) refused: $(tail -n 1 "$TMP/err")"
else
	ok "$name"
fi

name=ab_plan_no_primaries
if ARMS="legacy inverted" EXPS="$k1 $k0" plan >/dev/null; then
	fail "$name" "a spec without primaries not refused"
elif ! grep -q "kvmsqueeze: ab: .*k0.json names no primary metrics.*add \"primary\"" "$TMP/err"; then
	fail "$name" "the refusal does not say how to add them: $(tail -n 1 "$TMP/err")"
else
	ok "$name"
fi

name=ab_plan_refused
if REPS=0 plan >/dev/null || ! grep -q 'REPS=0: expected a number from 1' "$TMP/err"; then
	fail "$name" "REPS=0 not refused: $(cat "$TMP/err")"
elif MMU=ept plan >/dev/null || ! grep -q 'MMU=ept: use tdp or shadow' "$TMP/err"; then
	fail "$name" "MMU=ept not refused: $(cat "$TMP/err")"
elif JOBS=0 plan >/dev/null || ! grep -q 'JOBS=0: expected the number of labs' "$TMP/err"; then
	fail "$name" "JOBS=0 not refused: $(cat "$TMP/err")"
elif JOBS=abc plan >/dev/null || ! grep -q 'JOBS=abc: expected' "$TMP/err"; then
	fail "$name" "JOBS=abc not refused: $(cat "$TMP/err")"
elif LAB_CLOCK=bogus plan >/dev/null; [ $? -ne 2 ] || ! grep -q 'LAB_CLOCK=bogus: expected icount .* or host' "$TMP/err"; then
	fail "$name" "LAB_CLOCK=bogus not a usage error listing the clocks: $(cat "$TMP/err")"
elif LAB_APPEND='quiet;touch x' plan >/dev/null; [ $? -ne 2 ] || ! grep -q "LAB_APPEND='quiet;touch x': kernel parameters are words" "$TMP/err"; then
	fail "$name" "LAB_APPEND with a ';' not refused: $(cat "$TMP/err")"
elif EXPS=no-such-experiment plan >/dev/null || ! grep -q "no-such-experiment" "$TMP/err"; then
	fail "$name" "an unknown experiment not refused: $(cat "$TMP/err")"
else
	ok "$name"
fi

# PLAN_ONLY says how long the plan would take: 2 x 2 x 6 runs of 8 s +
# 2 x 4 s (icount), 2 at once, is 192 s; with k1's runs measured here
# before at 7 s, 12 runs of 7 s and 12 of 16 s, 138 s; the runs start in
# plan order as slots free up, so 24 runs on 64 slots take one run's time
# and on 20 slots two; and it warns about host time shared by several labs.
name=ab_plan_estimate
mkdir -p "$TMP/cache"
if ! ARMS="legacy inverted" EXPS="$k1 $k2" REPS=6 JOBS=2 plan >/dev/null ||
	! grep -q 'estimated wall time: about 4 min (a model of lab run times), JOBS 2, clock icount' "$TMP/err"; then
	fail "$name" "no estimate from the model: $(tr '\n' ' ' <"$TMP/err")"
elif printf 'k1 shadow icount 1 - %s\n' 5 9 >"$TMP/cache/lab-times" &&
	! { ARMS="legacy inverted" EXPS="$k1 $k2" REPS=6 JOBS=2 plan >/dev/null &&
	grep -q 'about 3 min (lab run times measured here before for 1 of 2 experiments' "$TMP/err"; }; then
	fail "$name" "no estimate from the times measured before: $(tr '\n' ' ' <"$TMP/err")"
elif rm -f "$TMP/cache/lab-times" && ! { ARMS="legacy inverted" EXPS="$k1 $k2" REPS=6 JOBS=64 plan >/dev/null &&
	grep -q 'estimated wall time: about 16 s (a model of lab run times), JOBS 64' "$TMP/err"; }; then
	fail "$name" "24 runs of 16 s on 64 slots are not one wave of 16 s: $(tr '\n' ' ' <"$TMP/err")"
elif ! { ARMS="legacy inverted" EXPS="$k1 $k2" REPS=6 JOBS=20 plan >/dev/null &&
	grep -q 'estimated wall time: about 32 s (a model of lab run times), JOBS 20' "$TMP/err"; }; then
	fail "$name" "24 runs of 16 s on 20 slots are not two waves, 32 s: $(tr '\n' ' ' <"$TMP/err")"
elif ! ARMS="legacy inverted" EXPS="$k1" JOBS=2 LAB_CLOCK=host plan >/dev/null ||
	! grep -q 'warning: LAB_CLOCK=host with JOBS=2' "$TMP/err"; then
	fail "$name" "no warning for host time shared by 2 labs: $(tr '\n' ' ' <"$TMP/err")"
else
	ok "$name"
fi
rm -f "$TMP/cache/lab-times"

# make ab's runs, with a lab that pretends (tests/lib.sh fake_lab_tree:
# a result after FAKE_LAB_S seconds, FAKE_FAIL="arm:block" fails that
# run, a line per start, end and stop in FAKE_LOG), a build.sh that
# "builds", and a kvmsqueeze whose compare only prints its arguments.
fake=$TMP/fake
fake_lab_tree "$fake"
fake_ab() {
	env KVMSQUEEZE="$fake/kvmsqueeze" KVMSQ_CACHE="$fake/cache" FAKE_LOG="$fake/log" \
		ARMS="legacy inverted legacy" EXPS=fake AB_OUT="$fake/out" REPS=5 "$@" \
		sh "$fake/patched-kernel/ab.sh" >"$TMP/fake.out" 2>"$TMP/fake.err"
}
results() { find "$fake/out/fake" -name 'rep-*.json' | wc -l; }

# JOBS=2: two labs at once, started in the plan's order (no run of block
# b+1 before every run of block b has started), each result in its place.
name=ab_jobs
rm -rf "$fake/out" "$fake/log"
if fake_ab JOBS=2 FAKE_LAB_S=1; then
	overlap=$(awk '$2 == "start" { n++; if (n > max) max = n } $2 == "end" { n-- } END { print max + 0 }' "$fake/log")
	order=$(awk '$2 == "start" { if ($4 < last) print "block " $4 " started after block " last; last = $4 }' "$fake/log")
	misplaced=$(for f in "$fake"/out/fake/*/rep-*.json; do
		b=${f##*/rep-} b=${b%.json} s=${f%/rep-*} s=${s##*/}
		grep -q "\"arm\": \"${s%-2}\", \"block\": $b," "$f" || echo "$f"
	done)
	if [ "$(results)" -ne 15 ] || [ "$overlap" -ne 2 ] || [ -n "$order" ] || [ -n "$misplaced" ]; then
		fail "$name" "$(results) results (want 15), $overlap at once (want 2), $order $misplaced"
	elif ! grep -q 'in 5 blocks (each one run of every set' "$fake/out/report.txt"; then
		fail "$name" "the report does not say the plan was blocked"
	elif [ "$(grep -c '^fake shadow icount 1 - [0-9]*$' "$fake/cache/lab-times")" -ne 15 ]; then
		fail "$name" "the runs' times not kept for the next estimate: $(head -n 2 "$fake/cache/lab-times")"
	else
		ok "$name"
	fi
else
	fail "$name" "$(tail -n 2 "$TMP/fake.err" | tr '\n' ' ')"
fi

# A failed run stops the plan: the run beside it finishes and is kept, no
# new one starts; RESUME=1 runs the rest, and only the rest; RESUME with
# other settings is refused.
name=ab_failure_resume
rm -rf "$fake/out" "$fake/log"
if fake_ab JOBS=2 FAKE_LAB_S=1 FAKE_FAIL=inverted:3; then
	fail "$name" "a failed lab run did not fail make ab"
elif ! grep -q 'kvmsqueeze: ab: lab run fake on inverted, block 3 failed.*RESUME=1' "$TMP/fake.err"; then
	fail "$name" "no one-line error with the RESUME hint: $(tail -n 1 "$TMP/fake.err")"
elif [ "$(grep -c ' start ' "$fake/log")" -ne "$(( $(results) + 1 ))" ] ||
	[ "$(awk '$2 == "start" && $4 > 4' "$fake/log")" != "" ]; then
	fail "$name" "$(grep -c ' start ' "$fake/log") runs started, $(results) kept: a run lost, or the plan went on"
elif kept=$(results) && ! fake_ab RESUME=1 JOBS=2 FAKE_LAB_S=0; then
	fail "$name" "RESUME=1: $(tail -n 1 "$TMP/fake.err")"
elif [ "$(grep -c 'done before, kept (RESUME)' "$TMP/fake.err")" -ne "$kept" ] || [ "$(results)" -ne 15 ]; then
	fail "$name" "RESUME=1 kept $(grep -c 'done before, kept' "$TMP/fake.err") of $kept, $(results) results, want 15"
elif fake_ab RESUME=1 REPS=6 || ! grep -q "RESUME=1: the settings changed since that make ab (now 'reps 6', then 'reps 5')" "$TMP/fake.err"; then
	fail "$name" "RESUME=1 with other settings not refused: $(tail -n 1 "$TMP/fake.err")"
elif fake_ab || ! grep -q 'already holds a make ab (RESUME=1 to finish it' "$TMP/fake.err"; then
	fail "$name" "a second make ab into the same AB_OUT not refused: $(tail -n 1 "$TMP/fake.err")"
else
	ok "$name"
fi

# TERM (or Ctrl-C): the labs in flight are stopped, none is left behind.
name=ab_interrupt
rm -rf "$fake/out" "$fake/log"
env KVMSQUEEZE="$fake/kvmsqueeze" KVMSQ_CACHE="$fake/cache" FAKE_LOG="$fake/log" \
	ARMS="legacy inverted" EXPS=fake AB_OUT="$fake/out" JOBS=2 FAKE_LAB_S=60 \
	sh "$fake/patched-kernel/ab.sh" >"$TMP/fake.out" 2>"$TMP/fake.err" &
ab_pid=$!
i=0
while [ "$(grep -c ' start ' "$fake/log" 2>/dev/null)" != 2 ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM "$ab_pid"
rc=0
wait "$ab_pid" || rc=$?
left=$(awk '$2 == "start" { print $5 }' "$fake/log" | while read -r p; do
	kill -0 "$p" 2>/dev/null && echo "$p"
done)
if [ "$rc" -ne 130 ] || [ "$(grep -c ' stopped ' "$fake/log")" -ne 2 ] || [ -n "$left" ]; then
	fail "$name" "exit $rc (want 130), $(grep -c ' stopped ' "$fake/log") of 2 labs stopped, left running: $left"
	for p in $left; do kill "$p"; done
elif ! grep -q 'interrupted: .*RESUME=1' "$TMP/fake.err"; then
	fail "$name" "no RESUME hint: $(tail -n 1 "$TMP/fake.err")"
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
