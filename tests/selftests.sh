# SPDX-License-Identifier: GPL-2.0
# tests/selftests.sh: KVM selftests as a spec's workload (experiments/SPEC.md,
# "selftests"). A fake selftest (tests/tools/fake_selftest.c) installed under
# the three names in a directory given with --selftests: its phases become
# metrics in a valid result, and compare stars a change between two arms;
# garbage is parsed without misattribution; a non-zero exit, a hang past
# the duration (SIGTERM, then SIGKILL), an OOM kill are problems, and
# nothing is left behind, also when the runner is interrupted; a spec
# naming another program or a bad argument, or a directory without them,
# is refused with one line. Then the real ones, built from the 6.12 tree
# by patched-kernel/selftests.sh, and dirty_log_perf_test run once.
# shellcheck shell=sh
. tests/lib.sh

plan_names selftests_build_usage selftests_fake_ok selftests_quiet_watch selftests_fake_garbage \
	selftests_fake_exit selftests_fake_hang selftests_fake_ignores_term \
	selftests_fake_child selftests_interrupted selftests_fake_oom selftests_beside_vms \
	selftests_compare_starred selftests_refused_program selftests_refused_arg \
	selftests_refused_dir selftests_exec_fails selftests_build_real selftests_run_real

# the build script's one-line error on a directory that is no kernel tree
name=selftests_build_usage
if patched-kernel/selftests.sh "$TMP" "$TMP/none" >"$TMP/out" 2>"$TMP/err"; then
	fail "$name" "it built from $TMP"
elif [ "$(wc -l <"$TMP/err")" -ne 1 ] || ! grep -q "no kernel Makefile there" "$TMP/err"; then
	fail "$name" "want one line of error: $(tr '\n' '|' <"$TMP/err")"
else
	ok "$name"
fi

FAKE=$BUILD/tests/tools/fake_selftest
DIR=$TMP/selftests
mkdir -p "$DIR"
for p in dirty_log_perf_test demand_paging_test access_tracking_perf_test; do
	[ -x "$FAKE" ] && cp "$FAKE" "$DIR/$p"
done

# spec NAME DURATION SELFTESTS [MORE]: a spec file $TMP/NAME.json
spec() {
	printf '{ "name": "%s", "question": "q", "duration_s": %s, "selftests": %s%s }\n' \
		"$1" "$2" "$3" "${4:+, $4}" >"$TMP/$1.json"
}

# py FILE EXPR: print EXPR of the result r (Python)
py() {
	python3 -c "import json, sys; r = json.load(open(sys.argv[1])); print($2)" "$1"
}

# gone NAME PID: no process PID
gone() {
	if kill -0 "$2" 2>/dev/null; then
		fail "$1" "process $2 was left behind"
		return 1
	fi
}

if [ ! -x "$FAKE" ]; then
	skip_rest "no $FAKE (make test-bins)"
	exit 0
fi
if ! "$KVMSQUEEZE" run --primaries baseline >/dev/null 2>&1; then
	skip_rest "no $KVMSQUEEZE"
	exit 0
fi

DL='[ { "program": "dirty_log_perf_test", "args": ["-t", "1"] } ]'

name=selftests_fake_ok
spec fake_ok 30 "$DL"
if run_exits "$name" 0 --out "$TMP/ok" --selftests "$DIR" "$TMP/fake_ok.json" &&
   valid "$name" "$TMP/ok/rep-1.json" && tree_removed "$name" "$TMP/ok/rep-1.json"; then
	got=$(py "$TMP/ok/rep-1.json" "r['selftests'][0]['status'], r['selftests'][0]['exit'], \
r['selftests'][0]['output']['unparsed_lines'], r['summary']['selftest']['dirty_log'], \
r['run']['end_reason'], r['summary']['selftest']['demand_paging']")
	want="ok 0 0 {'populate_s': 0.5, 'enable_dirty_logging_s': 0.001, 'dirty_memory_iter1_s': 0.4, 'dirty_memory_iter2_s': 0.2, 'dirty_memory_later_mean_s': 0.2, 'get_dirty_log_total_s': 3e-05, 'clear_dirty_log_total_s': 0.00012, 'disable_dirty_logging_s': 3e-05} every workload ended None"
	if [ "$got" != "$want" ]; then
		fail "$name" "got $got"
	elif [ ! -s "$TMP/ok/rep-1-selftest-dirty_log_perf_test.log" ]; then
		fail "$name" "no log"
	else
		ok "$name"
	fi
fi

# A selftest that sleeps 2 s, sampled once a second: the runner wakes for
# the samples, the live line and the selftest's end (its pidfd), not every
# 50 ms to look (in the lab each wakeup is on the clock the phases are
# timed by); the end is seen at once.
name=selftests_quiet_watch
spec quiet 30 '[ { "program": "dirty_log_perf_test", "args": ["-x", "slow"] } ]' \
	'"sample_period_ms": 1000'
if ! python3 -c 'import os; os.close(os.pidfd_open(os.getpid()))' 2>/dev/null; then
	skip "$name" "this kernel has no pidfd_open (Linux 5.3): the runner looks every 50 ms"
elif run_exits "$name" 0 --out "$TMP/quiet" --selftests "$DIR" "$TMP/quiet.json" &&
   valid "$name" "$TMP/quiet/rep-1.json"; then
	wakeups=$(py "$TMP/quiet/rep-1.json" "r['run']['loop_wakeups']")
	loop_s=$(py "$TMP/quiet/rep-1.json" "r['run']['loop_s']")
	if [ "$wakeups" -gt 12 ]; then
		fail "$name" "the loop woke $wakeups times in $loop_s s, want at most 12"
	elif ! awk -v s="$loop_s" 'BEGIN { exit !(s >= 2 && s < 2.5) }'; then
		fail "$name" "the loop lasted $loop_s s, want 2 to 2.5 (the selftest sleeps 2 s)"
	else
		ok "$name"
	fi
fi

# long lines, bytes, NaN, huge numbers, a repeat: only the one good line counts
name=selftests_fake_garbage
spec garbage 30 '[ { "program": "dirty_log_perf_test", "args": ["-x", "garbage"] } ]'
if run_exits "$name" 0 --out "$TMP/garbage" --selftests "$DIR" "$TMP/garbage.json" &&
   valid "$name" "$TMP/garbage/rep-1.json"; then
	got=$(py "$TMP/garbage/rep-1.json" "[(v['name'], v['value']) for v in \
r['selftests'][0]['output']['values']], r['selftests'][0]['output']['unparsed_lines']")
	if [ "$got" = "[('populate_s', 0.25)] 8" ]; then
		ok "$name"
	else
		fail "$name" "got $got"
	fi
fi

name=selftests_fake_exit
spec fexit 30 '[ { "program": "demand_paging_test", "args": ["-x", "exit3"] } ]'
if run_exits "$name" 3 --out "$TMP/exit" --selftests "$DIR" "$TMP/fexit.json" &&
   valid "$name" "$TMP/exit/rep-1.json" &&
   stderr_has "$name" "selftest demand_paging_test: exit-code (exit 3"; then
	got=$(py "$TMP/exit/rep-1.json" "r['selftests'][0]['status'], r['run']['status'], \
r['summary']['selftest']['demand_paging']['rate_pages_per_s']")
	if [ "$got" = "exit-code failed 46000.0" ]; then ok "$name"; else fail "$name" "got $got"; fi
fi

# still running at the duration: SIGTERM ends it, a problem
name=selftests_fake_hang
spec hang 2 '[ { "program": "access_tracking_perf_test", "args": ["-x", "hang"] } ]'
if run_exits "$name" 3 --out "$TMP/hang" --selftests "$DIR" "$TMP/hang.json" &&
   valid "$name" "$TMP/hang/rep-1.json" && tree_removed "$name" "$TMP/hang/rep-1.json" &&
   stderr_has "$name" "still running at the run's end, stopped (SIGTERM, killed by SIGTERM)"; then
	pid=$(py "$TMP/hang/rep-1.json" "r['selftests'][0]['pid']")
	got=$(py "$TMP/hang/rep-1.json" "r['selftests'][0]['status'], \
r['summary']['selftest']['access_tracking']['mark_idle_2_s']")
	if gone "$name" "$pid"; then
		if [ "$got" = "stopped 0.6" ]; then ok "$name"; else fail "$name" "got $got"; fi
	fi
fi

# SIGTERM ignored: SIGKILL 5 s later
name=selftests_fake_ignores_term
spec ignore_term 1 '[ { "program": "dirty_log_perf_test", "args": ["-x", "ignore_term"] } ]'
if run_exits "$name" 3 --out "$TMP/ignore_term" --selftests "$DIR" "$TMP/ignore_term.json" &&
   valid "$name" "$TMP/ignore_term/rep-1.json" && tree_removed "$name" "$TMP/ignore_term/rep-1.json" &&
   stderr_has "$name" "stopped (SIGKILL after SIGTERM, killed by SIGKILL)"; then
	got=$(py "$TMP/ignore_term/rep-1.json" "[e['type'] for e in r['events'] \
if e['type'].startswith('selftest')]")
	if [ "$got" = "['selftest', 'selftest_stop', 'selftest_kill', 'selftest_end']" ]; then
		ok "$name"
	else
		fail "$name" "events $got"
	fi
fi

# what it forked goes with it (its process group); the cgroup is removed
name=selftests_fake_child
spec child 1 '[ { "program": "dirty_log_perf_test", "args": ["-x", "child"] } ]'
if run_exits "$name" 3 --out "$TMP/child" --selftests "$DIR" "$TMP/child.json" &&
   valid "$name" "$TMP/child/rep-1.json" && tree_removed "$name" "$TMP/child/rep-1.json"; then
	ok "$name"
fi

# SIGTERM to the runner: the selftest is stopped and reaped, nothing left
name=selftests_interrupted
spec intr 60 '[ { "program": "dirty_log_perf_test", "args": ["-x", "child"] } ]'
start_run --out "$TMP/intr" --selftests "$DIR" "$TMP/intr.json"
rpid=$!
i=0
while [ "$i" -lt 50 ] && ! grep -q "selftest" "$TMP/intr/rep-1.json" 2>/dev/null &&
	! grep -q "started" "$TMP/err"; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
kill -TERM "$rpid"
if exited "$name" "$rpid" 130 && valid "$name" "$TMP/intr/rep-1.json" &&
   tree_removed "$name" "$TMP/intr/rep-1.json"; then
	pid=$(py "$TMP/intr/rep-1.json" "r['selftests'][0]['pid']")
	got=$(py "$TMP/intr/rep-1.json" "r['selftests'][0]['status'], r['run']['status']")
	if gone "$name" "$pid"; then
		if [ "$got" = "stopped interrupted" ]; then ok "$name"; else fail "$name" "got $got"; fi
	fi
fi

# allocating until the cgroup's limit: the OOM killer, a problem
name=selftests_fake_oom
spec oom 30 '[ { "program": "dirty_log_perf_test", "args": ["-x", "oom"] } ]' \
	'"cgroup": { "limit": "64M" }'
if "$KVMSQUEEZE" run --out "$TMP/oom" --selftests "$DIR" "$TMP/oom.json" >"$TMP/out" 2>"$TMP/err"; then
	fail "$name" "the run went ok"
elif ! valid "$name" "$TMP/oom/rep-1.json" || ! tree_removed "$name" "$TMP/oom/rep-1.json"; then
	:
else
	got=$(py "$TMP/oom/rep-1.json" "r['selftests'][0]['status']")
	if [ "$got" = oom-killed ] && stderr_has "$name" "killed by the OOM killer"; then
		ok "$name"
	elif [ "$got" = killed ] && grep -q "OOM kills cannot be told" "$TMP/oom/rep-1.json"; then
		skip "$name" "this host's cgroup has no OOM kill count"
	else
		fail "$name" "status $got: $(tail -n 1 "$TMP/err")"
	fi
fi

# beside a toy-guest VM, in the same cgroup
name=selftests_beside_vms
why=$(kvm_missing)
if [ -n "$why" ]; then
	skip "$name" "$why"
else
	spec beside 30 "$DL" '"vms": [ { "vcpus": 1, "mem": "64M", "guest": "touch" } ]'
	if run_exits "$name" 0 --out "$TMP/beside" --selftests "$DIR" "$TMP/beside.json" &&
	   valid "$name" "$TMP/beside/rep-1.json"; then
		got=$(py "$TMP/beside/rep-1.json" "r['vms'][0]['status'], r['selftests'][0]['status'], \
r['summary']['touch'] is not None, r['summary']['selftest']['dirty_log']['populate_s']")
		if [ "$got" = "ok ok True 0.5" ]; then ok "$name"; else fail "$name" "got $got"; fi
	fi
fi

# two arms of one spec, one 2.5 times as slow (FAKE_SELFTEST_FACTOR, which the
# selftest inherits): compare stars the primary, more than doubled
name=selftests_compare_starred
spec arm 30 '[ { "program": "dirty_log_perf_test" } ]'
if FAKE_SELFTEST_FACTOR=1 run_exits "$name" 0 --reps 5 --out "$TMP/cmp/a" --selftests "$DIR" \
	"$TMP/arm.json" &&
   FAKE_SELFTEST_FACTOR=2.5 run_exits "$name" 0 --reps 5 --out "$TMP/cmp/b" --selftests "$DIR" \
	"$TMP/arm.json"; then
	if "$KVMSQUEEZE" compare --format json --primary selftest_dirty_log_iter1_s \
		"$TMP/cmp/a" "$TMP/cmp/b" >"$TMP/cmp.json" 2>"$TMP/err" &&
	   report_check "$name" starred_worse "$TMP/cmp.json" selftest_dirty_log_iter1_s &&
	   report_check "$name" starred "$TMP/cmp.json" selftest_dirty_log_iter1_s; then
		ok "$name"
	elif [ ! -s "$TMP/cmp.json" ]; then
		fail "$name" "compare: $(tail -n 1 "$TMP/err")"
	fi
fi

spec bad_prog 30 '[ { "program": "sh", "args": ["-c", "id"] } ]'
run_expect selftests_refused_program 1 "program 'sh' is not one of dirty_log_perf_test, demand_paging_test, access_tracking_perf_test" \
	--out "$TMP/bp" --selftests "$DIR" "$TMP/bad_prog.json"

spec bad_arg 30 '[ { "program": "dirty_log_perf_test", "args": ["-b", "1G; reboot"] } ]'
run_expect selftests_refused_arg 1 "selftests\\[0\\]\\.args\\[1\\]: '1G; reboot' holds a byte outside" \
	--out "$TMP/ba" --selftests "$DIR" "$TMP/bad_arg.json"

run_expect selftests_refused_dir 1 "selftest dirty_log_perf_test: $TMP/nowhere/dirty_log_perf_test: No such file or directory \\(build it with patched-kernel/selftests.sh" \
	--out "$TMP/bd" --selftests "$TMP/nowhere" "$TMP/fake_ok.json"

# an executable the kernel cannot exec: the run cannot start, one line
mkdir -p "$TMP/notelf"
printf 'not an ELF\n' >"$TMP/notelf/dirty_log_perf_test"
chmod +x "$TMP/notelf/dirty_log_perf_test"
run_expect selftests_exec_fails 1 "selftest dirty_log_perf_test: exec $TMP/notelf/dirty_log_perf_test: Exec format error" \
	--out "$TMP/ef" --selftests "$TMP/notelf" "$TMP/fake_ok.json"

# --- the real ones ---
name=selftests_build_real
KSRC_TREE=${KVMSQ_CACHE:-$HOME/.cache/kvmsqueeze}/linux-source-6.12
REAL=$TMP/real
if [ ! -f "$KSRC_TREE/tools/testing/selftests/kvm/dirty_log_perf_test.c" ]; then
	skip "$name" "no 6.12 tree at $KSRC_TREE (scripts/ksrc unpacks it)"
	skip selftests_run_real "nothing built"
	exit 0
fi
if ! patched-kernel/selftests.sh "$KSRC_TREE" "$REAL" >"$TMP/out" 2>"$TMP/err"; then
	why=$(tail -n 1 "$TMP/err")
	case "$why" in
	*"scripts/deps"*) skip "$name" "$why" ;;
	*) fail "$name" "$why" ;;
	esac
	skip selftests_run_real "nothing built"
	exit 0
fi
bad=
for p in dirty_log_perf_test demand_paging_test access_tracking_perf_test; do
	[ -x "$REAL/$p" ] || bad="$bad $p missing"
	if command -v file >/dev/null && ! file -L "$REAL/$p" | grep -q 'statically linked'; then
		bad="$bad $p not static"
	fi
done
if [ -n "$bad" ]; then fail "$name" "$bad"; else ok "$name"; fi

name=selftests_run_real
why=$(kvm_missing)
if [ -n "$why" ]; then
	skip "$name" "$why"
	exit 0
fi
spec real 120 '[ { "program": "dirty_log_perf_test", "args": ["-v", "1", "-b", "32M", "-i", "2"] } ]'
"$KVMSQUEEZE" run --out "$TMP/rr" --selftests "$REAL" "$TMP/real.json" >"$TMP/out" 2>"$TMP/err"
rc=$?
log=$TMP/rr/rep-1-selftest-dirty_log_perf_test.log
if [ "$rc" -eq 0 ] && valid "$name" "$TMP/rr/rep-1.json"; then
	got=$(py "$TMP/rr/rep-1.json" "[r['summary']['selftest']['dirty_log'][k] is not None for k in \
('populate_s', 'enable_dirty_logging_s', 'dirty_memory_iter1_s', 'dirty_memory_iter2_s', \
'get_dirty_log_total_s', 'disable_dirty_logging_s')] == [True] * 6, \
r['selftests'][0]['output']['unparsed_lines']")
	if [ "$got" = "True 0" ]; then ok "$name"; else fail "$name" "got $got"; fi
elif [ "$rc" -eq 3 ] && [ -s "$log" ]; then
	# this host's KVM cannot run it (kvm_pvm, shadow paging): say what it said
	skip "$name" "dirty_log_perf_test does not run on this host's KVM: $(grep -m1 -v '^====' "$log" | tr -s ' ')"
else
	fail "$name" "exit $rc: $(tail -n 1 "$TMP/err")"
fi
