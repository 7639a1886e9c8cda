# SPDX-License-Identifier: GPL-2.0
# tests/progress.sh: the long jobs say how far they are, without a kernel
# or a lab. A kernel build (patched-kernel/build.sh on a pretend tree whose
# make prints kbuild's CC lines slowly) shows the objects compiled, rising,
# at least every KVMSQ_PROGRESS_PERIOD, of about as many as the last whole
# build counted; a cached arm says nothing more. make ab (ab.sh with a
# pretend lab) shows elapsed, an estimate of what is left from the run
# times measured, the failures, and a last line naming the report. And
# `kvmsqueeze ab` names the option the user typed in its refusals.
# shellcheck shell=sh
. tests/lib.sh

plan_names build_progress_first build_progress_cached build_progress_estimate \
	build_progress_incremental build_progress_failure build_progress_tty \
	build_progress_uncounted build_lock_same_arm ab_progress_runs ab_progress_period ab_progress_tty \
	ab_progress_failure ab_option_names

kvmsq=$KVMSQUEEZE
case "$kvmsq" in /*) ;; *) kvmsq=$PWD/$kvmsq ;; esac

# A copy of build.sh (and patched-kernel/arm) beside an arm without patches, a one-line lab.config,
# scripts/ksrc pointed at a pretend tree (KSRC), a deps that has it all,
# and a make first in PATH (tests/lib.sh fake_kernel_src: bzImage prints
# FAKE_OBJS CC lines FAKE_DELAY s apart; FAKE_MAKE_FAIL: then fails).
kb=$TMP/kb
mkdir -p "$kb/top/patched-kernel/patches/fake" "$kb/top/patched-kernel/patches/observe" \
	"$kb/top/scripts"
cp patched-kernel/build.sh patched-kernel/arm "$kb/top/patched-kernel/"
echo 'CONFIG_PRETEND=y' >"$kb/top/patched-kernel/lab.config"
cp scripts/ksrc "$kb/top/scripts/"
printf '#!/bin/sh\nexit 0\n' >"$kb/top/scripts/deps"
fake_kernel_src "$kb" 6.12.0
chmod +x "$kb/top/patched-kernel/build.sh" "$kb/top/scripts/"*
kbuild() {
	env PATH="$kb/bin:$PATH" KSRC="$kb/src" KVMSQ_CACHE="$kb/cache" KVMSQ_PROGRESS_PERIOD=1 \
		FAKE_OBJS=12 FAKE_DELAY=0.3 "$@" "$kb/top/patched-kernel/build.sh" fake \
		>"$TMP/kb.out" 2>"$TMP/kb.err"
}
# progress_ok NAME WANT: the progress lines of $TMP/kb.err match WANT, come
# at least every 3 s (the period, 1 s, a second of polling and one of
# rounding: a loaded machine; the default period is 30 s), and their
# counts rise
progress_ok() {
	pname=$1
	grep '^kernel: fake: [0-9]* .*objects compiled' "$TMP/kb.err" >"$TMP/kb.lines"
	bad=$(awk -v want="$2" '
		{ n = $3; t = -1
		  if (match($0, /[0-9]+m[0-9][0-9]s elapsed/)) {
			split(substr($0, RSTART, RLENGTH), ms, /[ms]/); t = ms[1] * 60 + ms[2] } }
		$0 !~ want { print "line does not match /" want "/: " $0; exit }
		NR == 1 && t > 3 { print "the first line came after " t " s: " $0; exit }
		NR > 1 && n < last { print "count fell: " $0; exit }
		NR > 1 && t - tl > 3 { print "a gap of " t - tl " s before: " $0; exit }
		{ last = n; tl = t; if (NR == 1) first = n }
		END { if (NR < 2) print NR " progress lines"
		      else if (last <= first) print "the count did not rise: " first " to " last }' \
		"$TMP/kb.lines")
	if [ -n "$bad" ]; then
		fail "$pname" "$bad"
		return 1
	fi
	return 0
}

# The first build of a configuration: no count to compare with, so the
# lines say only how many are compiled; the build then counts them.
name=build_progress_first
if ! kbuild; then
	fail "$name" "build.sh failed: $(tail -n 2 "$TMP/kb.err" | tr '\n' ' ')"
elif ! grep -q 'fake: building bzImage with .*no count of its objects yet' "$TMP/kb.err"; then
	fail "$name" "the build's first line does not say there is no count: $(grep building "$TMP/kb.err")"
elif progress_ok "$name" '^kernel: fake: [0-9]+ objects compiled, 0m0[0-9]s elapsed(, now (SYNC|CC) .*)?$'; then
	if [ "$(cat "$kb/cache/build-objects/"* 2>/dev/null)" != 12 ]; then
		fail "$name" "the whole build's 12 objects were not counted for the next: $(ls "$kb/cache/build-objects")"
	else
		ok "$name"
	fi
fi

# An arm built before and unchanged: one line, no progress.
name=build_progress_cached
if ! kbuild; then
	fail "$name" "build.sh failed: $(tail -n 2 "$TMP/kb.err" | tr '\n' ' ')"
elif [ "$(cat "$TMP/kb.err")" != "kernel: fake: up to date (6.12.0$(sed -n 's/.*\(-kvmsq-fake-[0-9a-f]*\)$/\1/p' \
	"$kb/cache/kernels/fake/release"))" ]; then
	fail "$name" "more than the up-to-date line: $(tr '\n' '|' <"$TMP/kb.err")"
else
	ok "$name"
fi

# A whole build again: of about the 12 counted, with a percentage.
name=build_progress_estimate
rm -rf "$kb/cache/kernels/fake" "$kb/cache/arms/fake/out"
if ! kbuild; then
	fail "$name" "build.sh failed: $(tail -n 2 "$TMP/kb.err" | tr '\n' ' ')"
elif ! grep -q 'building bzImage .*; about 12 objects (as many as the last whole build of this configuration)' \
	"$TMP/kb.err"; then
	fail "$name" "the build's first line does not give the count: $(grep building "$TMP/kb.err")"
elif progress_ok "$name" '^kernel: fake: [0-9]+ of about 12 objects compiled \([0-9]+%\), 0m0[0-9]s elapsed'; then
	ok "$name"
fi

# The tree built before (another patch, say): at most about the count.
name=build_progress_incremental
rm -rf "$kb/cache/kernels/fake"
if ! kbuild FAKE_OBJS=8; then
	fail "$name" "build.sh failed: $(tail -n 2 "$TMP/kb.err" | tr '\n' ' ')"
elif ! grep -q 'this tree was built before: only what changed is compiled, at most about 12 objects' "$TMP/kb.err"; then
	fail "$name" "the first line does not say the build is incremental: $(grep building "$TMP/kb.err")"
elif progress_ok "$name" '^kernel: fake: [0-9]+ objects compiled \(at most about 12\), '; then
	if [ "$(cat "$kb/cache/build-objects/"*)" != 12 ]; then
		fail "$name" "an incremental build's count replaced the whole build's: $(cat "$kb/cache/build-objects/"*)"
	else
		ok "$name"
	fi
fi

# A failed build: its errors and the log, and no progress after it.
name=build_progress_failure
rm -rf "$kb/cache/kernels/fake"
if kbuild FAKE_OBJS=3 FAKE_MAKE_FAIL=1; then
	fail "$name" "a failed make did not fail build.sh"
elif ! tail -n 2 "$TMP/kb.err" | grep -q 'broken on purpose' ||
	! tail -n 1 "$TMP/kb.err" | grep -q 'kvmsqueeze: fake: build failed (log: .*/build.log)'; then
	fail "$name" "the failure's last lines: $(tail -n 2 "$TMP/kb.err" | tr '\n' '|')"
else
	sleep 2
	if ! tail -n 1 "$TMP/kb.err" | grep -q 'build failed'; then
		fail "$name" "progress went on after build.sh ended: $(tail -n 1 "$TMP/kb.err")"
	else
		ok "$name"
	fi
fi

# On a terminal: one line, rewritten in place (script(1) gives a terminal).
name=build_progress_tty
rm -rf "$kb/cache/kernels/fake" "$kb/cache/arms/fake/out"
if ! command -v script >/dev/null; then
	skip "$name" "no script(1) to give build.sh a terminal (Debian's bsdutils)"
elif ! env PATH="$kb/bin:$PATH" KSRC="$kb/src" KVMSQ_CACHE="$kb/cache" FAKE_OBJS=12 FAKE_DELAY=0.3 \
	script -qec "$kb/top/patched-kernel/build.sh fake" /dev/null >"$TMP/kb.tty" 2>&1; then
	fail "$name" "build.sh failed on a terminal: $(tail -n 2 "$TMP/kb.tty" | tr '\n' ' ')"
else
	rewrites=$(tr '\r' '\n' <"$TMP/kb.tty" | grep -c '^.\[Kkernel: fake: [0-9]* of about 12 objects')
	if [ "$rewrites" -lt 2 ]; then
		fail "$name" "$rewrites rewrites of the progress line, want 2 or more: $(tr '\r\033' '|^' <"$TMP/kb.tty" | head -c 300)"
	elif ! tr '\r' '\n' <"$TMP/kb.tty" | grep -q '^.\[Kkernel: fake: built 6.12.0'; then
		fail "$name" "the progress line was not cleared before the last line"
	else
		ok "$name"
	fi
fi

# A tree built before any whole build was counted (the terminal's build
# left 12 objects): at most about the objects already in it.
name=build_progress_uncounted
rm -rf "$kb/cache/kernels/fake" "$kb/cache/build-objects"
if ! kbuild FAKE_OBJS=8; then
	fail "$name" "build.sh failed: $(tail -n 2 "$TMP/kb.err" | tr '\n' ' ')"
elif ! grep -q 'only what changed is compiled, at most about 12 objects (those in the tree)' "$TMP/kb.err"; then
	fail "$name" "the first line does not count the tree's objects: $(grep building "$TMP/kb.err")"
elif progress_ok "$name" '^kernel: fake: [0-9]+ objects compiled \(at most about 12\), '; then
	ok "$name"
fi

# Two build.sh of one arm in one cache at once, the second from another
# checkout whose lab.config differs (so another image of the same name):
# the second waits for the first, which finishes its image whole, then
# builds its own (without the lock it removed the first one's tree
# mid-build), and --into copies out its own image, as lab.sh boots it.
name=build_lock_same_arm
rm -rf "$kb/cache/kernels/fake" "$kb/cache/arms/fake" "$kb/top2"
cp -r "$kb/top" "$kb/top2"
echo 'CONFIG_OTHER=y' >>"$kb/top2/patched-kernel/lab.config"
env PATH="$kb/bin:$PATH" KSRC="$kb/src" KVMSQ_CACHE="$kb/cache" FAKE_OBJS=10 FAKE_DELAY=0.2 \
	"$kb/top/patched-kernel/build.sh" fake >"$TMP/lock1.out" 2>"$TMP/lock1.err" &
first=$!
# the second starts once the first is compiling
i=0
while [ "$i" -lt 100 ] && ! grep -q 'building bzImage' "$TMP/lock1.err" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
rc2=0
env PATH="$kb/bin:$PATH" KSRC="$kb/src" KVMSQ_CACHE="$kb/cache" FAKE_OBJS=10 FAKE_DELAY=0.2 \
	"$kb/top2/patched-kernel/build.sh" --into "$TMP/into2" fake >"$TMP/lock2.out" 2>"$TMP/lock2.err" || rc2=$?
rc1=0
wait "$first" || rc1=$?
h1=$(sed -n 's/.*: built .*-kvmsq-fake-\([0-9a-f]*\) in .*/\1/p' "$TMP/lock1.err")
h2=$(sed -n 's/.*: built .*-kvmsq-fake-\([0-9a-f]*\) in .*/\1/p' "$TMP/lock2.err")
if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then
	fail "$name" "build.sh failed ($rc1, $rc2): $(tail -n 2 "$TMP/lock1.err" "$TMP/lock2.err" | tr '\n' ' ')"
elif ! grep -q "^kernel: fake: waiting for another build.sh (lock: $kb/cache/locks/arm-fake.lock)\$" "$TMP/lock2.err"; then
	fail "$name" "the second did not say it waits: $(tr '\n' '|' <"$TMP/lock2.err")"
elif [ -z "$h1" ] || [ -z "$h2" ] || [ "$h1" = "$h2" ]; then
	fail "$name" "not two images of their own: '$h1' '$h2'"
elif [ "$(cat "$kb/cache/kernels/fake/hash")" != "$h2" ] ||
	[ "$(grep -c 'CONFIG_OTHER=y' "$kb/cache/arms/fake/out/.config")" != 1 ]; then
	fail "$name" "the cache holds neither whole: hash $(cat "$kb/cache/kernels/fake/hash")"
elif [ "$(cat "$TMP/into2/hash" 2>/dev/null)" != "$h2" ] || [ "$(cat "$TMP/into2/bzImage")" != image ]; then
	fail "$name" "--into did not copy the second one's image: $(find "$TMP/into2" 2>&1 | tr '\n' ' ')"
elif "$kb/top/patched-kernel/build.sh" --into "$TMP/into3" fake fake 2>"$TMP/lock3.err" ||
	! grep -q 'or --into DIR WORD' "$TMP/lock3.err"; then
	fail "$name" "--into with two words was not a usage error: $(cat "$TMP/lock3.err")"
else
	ok "$name"
fi

# make ab with a lab that pretends (tests/lib.sh fake_lab_tree: a result
# after FAKE_LAB_S seconds, FAKE_FAIL="arm:block" fails that run), a
# build.sh that "builds", and a kvmsqueeze whose compare prints its
# arguments.
fake=$TMP/fake
fake_lab_tree "$fake"
fake_ab() {
	rm -rf "$fake/out"
	env KVMSQUEEZE="$fake/kvmsqueeze" KVMSQ_CACHE="$fake/cache" ARMS="legacy inverted" EXPS=fake \
		AB_OUT="$fake/out" REPS=2 JOBS=1 KVMSQ_PROGRESS_PERIOD=1 "$@" \
		sh "$fake/patched-kernel/ab.sh" >"$TMP/fake.out" 2>"$TMP/fake.err"
}

# Each run that ends says how many are done, failed, the time since the
# runs began and about how long the rest takes: the model says 28 s a
# run (8 s of boot and 10 s under icount), so 4 runs one at a time first
# take about 112 s; once runs of 1 s were measured, the rest about 1 s
# each. The last line names the report. (One arm: a report, any REPS.)
name=ab_progress_runs
rm -rf "$fake/cache"
if ! fake_ab FAKE_LAB_S=1 ARMS=legacy REPS=4; then
	fail "$name" "$(tail -n 2 "$TMP/fake.err" | tr '\n' ' ')"
elif ! grep -q '^ab: estimated wall time of the lab runs: about 112 s (a model of lab run times)' "$TMP/fake.err"; then
	fail "$name" "no estimate before the runs: $(grep estimated "$TMP/fake.err")"
elif [ "$(grep -c '^ab: \[[1-4]/4\] block [1-4]: fake on legacy: done in 1 s; [1-4] of 4 done, 0 failed, 0m0[0-9]s elapsed, about [0-9] s left$' \
	"$TMP/fake.err")" -ne 4 ]; then
	fail "$name" "not 4 lines of runs done with their progress: $(grep 'done in' "$TMP/fake.err" | head -n 2 | tr '\n' '|')"
elif ! grep -q '^ab: \[[1-4]/4\] .*; 4 of 4 done, 0 failed, .*, about 0 s left$' "$TMP/fake.err"; then
	fail "$name" "the last run's line does not say all are done: $(grep 'done in' "$TMP/fake.err" | tail -n 1)"
elif ! tail -n 1 "$TMP/fake.err" | grep -q "^ab: done in [0-9]m[0-9][0-9]s: 4 lab runs, 0 failed; the report: $fake/out/report.txt (report.csv beside it)"; then
	fail "$name" "the last line does not name the report: $(tail -n 1 "$TMP/fake.err")"
else
	ok "$name"
fi

# A run longer than the period: a status line at least every period
# while it runs (not a terminal: a line, not a rewrite).
name=ab_progress_period
if ! fake_ab FAKE_LAB_S=4 ARMS=legacy REPS=1; then
	fail "$name" "$(tail -n 2 "$TMP/fake.err" | tr '\n' ' ')"
else
	n=$(grep -c '^ab: 1 running; 0 of 1 done, 0 failed, 0m0[0-9]s elapsed, about [0-9]* s left$' "$TMP/fake.err")
	if [ "$n" -lt 2 ]; then
		fail "$name" "$n status lines during a run of 4 s with a period of 1 s: $(tr '\n' '|' <"$TMP/fake.err" | tail -c 300)"
	else
		ok "$name"
	fi
fi

# On a terminal: a status line under the runs' lines, rewritten in place
# each second and cleared before each line that stays.
name=ab_progress_tty
if ! command -v script >/dev/null; then
	skip "$name" "no script(1) to give ab.sh a terminal (Debian's bsdutils)"
else
	rm -rf "$fake/out"
	env KVMSQUEEZE="$fake/kvmsqueeze" KVMSQ_CACHE="$fake/cache" ARMS=legacy EXPS=fake \
		AB_OUT="$fake/out" REPS=2 JOBS=1 FAKE_LAB_S=3 \
		script -qec "sh $fake/patched-kernel/ab.sh" /dev/null >"$TMP/ab.tty" 2>&1
	tr '\r' '\n' <"$TMP/ab.tty" | grep -v '^$' >"$TMP/ab.lines"
	rewrites=$(grep -c '^.\[Kab: 1 running; 0 of 2 done, 0 failed, 0m0[0-9]s elapsed, about [0-9]* s left$' \
		"$TMP/ab.lines")
	if [ "$rewrites" -lt 2 ]; then
		fail "$name" "$rewrites rewrites of the status during a run of 3 s: $(tr '\r\033' '|^' <"$TMP/ab.tty" | head -c 400)"
	elif ! grep -q '^.\[Kab: \[1/2\] block 1: fake on legacy: done in 3 s; 1 of 2 done' "$TMP/ab.lines"; then
		fail "$name" "the status not cleared before a run's line: $(grep 'done in' "$TMP/ab.lines" | head -n 1)"
	elif ! tail -n 1 "$TMP/ab.lines" | grep -q '^ab: done in'; then
		fail "$name" "the last line is not the summary: $(tail -n 1 "$TMP/ab.lines")"
	else
		ok "$name"
	fi
fi

# A failure is counted in the lines after it.
name=ab_progress_failure
if fake_ab FAKE_LAB_S=1 ARMS=legacy REPS=4 FAKE_FAIL=legacy:2; then
	fail "$name" "a failed run did not fail make ab"
elif ! grep -q 'block 2: fake on legacy failed (log: .*); 1 of 4 done, 1 failed, .*; no more runs start$' "$TMP/fake.err"; then
	fail "$name" "the failed run's line does not count it: $(grep failed "$TMP/fake.err" | head -n 1)"
else
	ok "$name"
fi

# Refusals name what the user typed: the option of kvmsqueeze ab, the
# variable of make ab (or of the environment under kvmsqueeze ab).
name=ab_option_names
# (always --plan-only: a refusal that failed to come would start nothing)
ab_cmd() { env KVMSQ_CACHE="$TMP/cache" "$kvmsq" ab --plan-only "$@" >/dev/null 2>"$TMP/err"; }
k2=$TMP/k2.json
cat >"$k2" <<'EOF'
{ "name": "k2", "question": "Does it?", "duration_s": 4,
  "vms": [ { "count": 1, "vcpus": 1, "mem": "16M", "guest": "idle" } ],
  "primary": ["run_s", "fault_mean_ns"] }
EOF
if ab_cmd -r abc; [ $? -ne 2 ] || ! grep -q '^kvmsqueeze: ab: -r/--reps abc: expected a number from 1 (or left out' "$TMP/err"; then
	fail "$name" "-r abc: $(cat "$TMP/err")"
elif REPS=abc ab_cmd; [ $? -ne 2 ] || ! grep -q '^kvmsqueeze: ab: REPS=abc: expected a number from 1' "$TMP/err"; then
	fail "$name" "REPS=abc in the environment: $(cat "$TMP/err")"
elif ab_cmd --jobs 0 || ! grep -q '^kvmsqueeze: ab: -j/--jobs 0: expected the number of labs' "$TMP/err"; then
	fail "$name" "--jobs 0: $(cat "$TMP/err")"
elif ab_cmd -m ept || ! grep -q '^kvmsqueeze: ab: -m/--mmu ept: use tdp or shadow' "$TMP/err"; then
	fail "$name" "-m ept: $(cat "$TMP/err")"
elif ab_cmd -s x || ! grep -q '^kvmsqueeze: ab: -s/--seed x: expected' "$TMP/err"; then
	fail "$name" "-s x: $(cat "$TMP/err")"
elif ab_cmd -c bogus; [ $? -ne 2 ] || ! grep -q '^kvmsqueeze: lab: -c/--clock bogus: expected icount' "$TMP/err"; then
	fail "$name" "-c bogus: $(cat "$TMP/err")"
elif ab_cmd -a "legacy inverted" -e "$k2" -r 4 ||
	! grep -q -- '-r/--reps 4: the plan cannot decide.*(--reps 5 at least; --reps 6 decides with margin)' "$TMP/err"; then
	fail "$name" "-r 4 with two primaries: $(tail -n 1 "$TMP/err")"
elif ! ab_cmd -a "legacy inverted" -e "$k2" -j 2 -c host ||
	! grep -q 'warning: -c/--clock host with -j/--jobs 2: .*(--clock icount, or --jobs 1)' "$TMP/err"; then
	fail "$name" "-c host -j 2: $(tail -n 1 "$TMP/err")"
elif ab_cmd --executor other; [ $? -ne 2 ] ||
	! grep -qx 'kvmsqueeze: ab: --executor other: expected local (this machine, -j/--jobs at once) or slurm (a Slurm job array on --partition)' "$TMP/err"; then
	fail "$name" "--executor other: $(cat "$TMP/err")"
elif ab_cmd --kernels slurm; [ $? -ne 2 ] ||
	! grep -qx 'kvmsqueeze: ab: --kernels slurm: kernel builds as Slurm jobs need --executor slurm (with --executor local they are built here: leave out --kernels)' "$TMP/err"; then
	fail "$name" "--kernels slurm alone: $(cat "$TMP/err")"
elif mkdir -p "$TMP/ab" && : >"$TMP/ab/plan.txt" &&
	KVMSQ_AB_OPTIONS=AB_OUT fake_ab AB_OUT="$TMP/ab" ARMS=legacy ||
	! grep -q "^kvmsqueeze: ab: -o/--out $TMP/ab already holds a make ab (--resume to finish it, or another --out)" \
		"$TMP/fake.err"; then
	fail "$name" "--out holding an ab: $(tail -n 1 "$TMP/fake.err")"
else
	ok "$name"
fi
