# tests/run_e2e.sh: `kvmsqueeze run` end to end on /dev/kvm and the real
# memory cgroup controller: a squeeze that forces reclaim, an OOM kill, a
# VM killed from outside, the runner interrupted, a leftover tree from a
# crashed run, and every catalog spec that runs on this host.
. tests/lib.sh

CGMEM=/sys/fs/cgroup/memory
[ -d "$CGMEM" ] || CGMEM=/sys/fs/cgroup
ALL="run_hog_failed run_memcg_squeeze run_oom_kill run_vm_killed run_no_vm_ran run_interrupted run_leftover run_block run_block_cmdline run_catalog run_out_locked run_out_overwrite run_hup run_pipe run_runner_killed run_limit_retry run_stderr_closed"

why=$(kvm_missing)
[ -z "$why" ] && [ ! -w "$CGMEM" ] && why="no writable memory cgroup controller at $CGMEM"
if [ -n "$why" ]; then
	for t in $ALL; do skip "$t" "$why"; done
	exit 0
fi

# gone FILE: the run's own cgroup tree (named in its result) was removed
gone() {
	tree=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['cgroup']['tree'])" "$1")
	[ -n "$tree" ] && [ ! -e "$CGMEM/$tree" ]
}
validate() { python3 tests/validate_result.py "$@" >"$TMP/val" 2>&1 || { head -n 5 "$TMP/val"; return 1; }; }
alive() { kill -0 "$1" 2>/dev/null; }

# 0. A hog that cannot map its memory (1 EiB: more than any x86-64 address
# space, 5-level paging too) is recorded as ended, not lost; nothing is
# allocated, so it is safe here. Its pressure never took effect: the run
# failed (exit 3) and says so.
name=run_hog_failed
cat >"$TMP/hog.json" <<'EOF2'
{ "name": "hog-fail", "question": "q",
  "vms": [ { "count": 1, "vcpus": 1, "mem": "64M", "guest": "idle" } ],
  "pressure": [ { "kind": "hog", "bytes": "1048576T", "start_s": 0.2 } ],
  "duration_s": 1, "sample_period_ms": 100 }
EOF2
"$KVMSQUEEZE" run "$TMP/hog.json" --allow-global-pressure --out "$TMP/hog" >"$TMP/out" 2>"$TMP/err"
st=$?
if [ "$st" -eq 3 ]; then
	f=$TMP/hog/rep-1.json
	validate "$f" && json_check "$name" "$f" \
		"any(e['type'] == 'pressure_end' and 'exited 4: its mmap failed' in e['detail'] for e in d['events']) and d['summary']['pressure_applied'] is False and d['run']['problems'] == ['pressure[0] hog never held its memory (see the pressure_end event)']" \
		"no pressure_end event, or not marked as never applied" && ok "$name"
else
	fail "$name" "exit $st, want 3: $(tail -n 1 "$TMP/err")"
fi

# 1. memory.high (v1: the hard limit) ramps down under a file-backed working
# set: reclaim must show, in the cgroup or in refaults.
name=run_memcg_squeeze
if "$KVMSQUEEZE" run memcg-squeeze --duration 10 --out "$TMP/sq" >"$TMP/out" 2>"$TMP/err"; then
	f=$TMP/sq/rep-1.json
	if ! v=$(validate "$f"); then
		fail "$name" "result does not validate: $v"
	elif json_check "$name" "$f" "d['complete'] and d['vms'][0]['end'] == 'ok' and sum(1 for e in d['events'] if e['type'] == 'limit') >= 10 and (d['summary']['reclaim']['memcg_pgscan'] or 0) + (d['summary']['reclaim']['memcg_pgpgout'] or 0) > 1000 and d['summary']['memcg']['current_bytes']['final'] <= 200 << 20 and d['summary']['access_latency_ns']['count'] > 0" \
		"no reclaim, or the limit did not hold"; then
		gone "$f" && ok "$name" || fail "$name" "cgroup tree left behind"
	fi
else
	fail "$name" "exit $?: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
fi

# 2. Anon memory above a hard limit: the OOM killer takes the VM, the run
# goes on, records it, and removes the tree. The run did not run properly
# (exit 3, status failed), unless the spec measures OOM kills (primary
# oom_killed_vms): then the same kill is an outcome and the run is ok.
name=run_oom_kill
oom_spec() {
	cat <<EOF
{ "name": "oom", "question": "Does an OOM kill of a VM get recorded?", "duration_s": 8, $1
  "vms": [ { "vcpus": 1, "mem": "256M", "backing": "anon", "guest": "touch",
             "params": { "size": "192M" } } ],
  "cgroup": { "knob": "max", "limit": "96M" } }
EOF
}
oom_spec "" >"$TMP/oom.json"
oom_spec '"primary": ["oom_killed_vms"],' >"$TMP/oom-measured.json"
"$KVMSQUEEZE" run --out "$TMP/oom" "$TMP/oom.json" >"$TMP/out" 2>"$TMP/err"
st=$?
"$KVMSQUEEZE" run --out "$TMP/oom2" "$TMP/oom-measured.json" >"$TMP/out" 2>"$TMP/err2"
st2=$?
f=$TMP/oom/rep-1.json
if [ "$st" -ne 3 ] || ! grep -q "rep 1: vm0: oom-killed: killed by SIGKILL" "$TMP/err"; then
	fail "$name" "exit $st, want 3 and the problem: $(tail -n 1 "$TMP/err")"
elif [ "$st2" -ne 0 ]; then
	fail "$name" "a spec measuring OOM kills: exit $st2, want 0: $(tail -n 1 "$TMP/err2")"
elif ! v=$(validate "$f" "$TMP/oom2/rep-1.json"); then
	fail "$name" "result does not validate: $v"
elif json_check "$name" "$f" "d['complete'] and d['vms'][0]['end'] == 'oom-killed' and d['vms'][0]['status'] == 'oom-killed' and d['run']['status'] == 'failed' and d['run']['problems'][0].startswith('vm0: oom-killed: ') and d['summary']['oom_killed_vms'] == 1 and any(e['type'] == 'oom_kill' for e in d['events']) and d['summary']['memcg_oom_kill'] >= 1" \
	"OOM kill not recorded" &&
   json_check "$name" "$TMP/oom2/rep-1.json" "d['run']['status'] == 'ok' and d['run']['problems'] == [] and d['vms'][0]['status'] == 'oom-killed'" \
	"a spec measuring OOM kills: not ok"; then
	gone "$f" && ok "$name" || fail "$name" "cgroup tree left behind"
fi

# 3. VMs killed from outside (not by the OOM killer): SIGKILL and SIGTERM
# are "killed" (SIGTERM only after the VM wrote its result), SIGBUS is
# "crashed"; the other VM runs on, the run is "failed" with a line for
# each (exit 3), and the tree is removed.
name=run_vm_killed
cat >"$TMP/four.json" <<'EOF'
{ "name": "four", "question": "Does the runner outlive its VMs and say how they died?", "duration_s": 4,
  "vms": [ { "count": 4, "vcpus": 1, "mem": "64M", "guest": "idle",
             "params": { "touch": "1M" } } ] }
EOF
"$KVMSQUEEZE" run --out "$TMP/four" "$TMP/four.json" >"$TMP/out" 2>"$TMP/err" &
runner=$!
sleep 1.5
set -- $(pgrep -P "$runner")
[ $# -eq 4 ] && kill -KILL "$1" && kill -TERM "$2" && kill -BUS "$3"
wait "$runner"
st=$?
f=$TMP/four/rep-1.json
if [ $# -ne 4 ]; then
	fail "$name" "$# VM processes under the runner, want 4"
elif [ "$st" -ne 3 ]; then
	fail "$name" "runner exit $st, want 3: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
elif ! v=$(validate "$f"); then
	fail "$name" "result does not validate: $v"
elif json_check "$name" "$f" "{v['pid']: v['status'] for v in d['vms'] if v['pid'] != $3} == {$1: 'killed', $2: 'killed', $4: 'ok'} and [v['end_detail'] for v in d['vms'] if v['pid'] == $2] == ['killed by SIGTERM'] and [v['result'] is not None for v in d['vms'] if v['pid'] == $2] == [True] and d['run']['status'] == 'failed' and len(d['run']['problems']) == 3 and any(p.endswith('killed by SIGTERM from outside the run') for p in d['run']['problems']) and d['summary']['oom_killed_vms'] == 0" \
	"kills not recorded as such" &&
   # ASan catches the SIGBUS itself, reports it and exits 1
   json_check "$name" "$f" "[(v['status'], v['end_detail']) for v in d['vms'] if v['pid'] == $3] == [('crashed', 'killed by SIGBUS')] and any(': crashed: killed by SIGBUS: its log has no error line' in p for p in d['run']['problems']) or ('AddressSanitizer' in open([v['log'] for v in d['vms'] if v['pid'] == $3][0]).read() and [v['status'] for v in d['vms'] if v['pid'] == $3] == ['setup-failed'])" \
	"SIGBUS not recorded as a crash"; then
	gone "$f" && ok "$name" || fail "$name" "cgroup tree left behind"
fi

# 3b. No VM runs properly: none can be created (--kvm /dev/null), or each
# stops at its timeout at once. The result is kept, the run failed, exit 3.
name=run_no_vm_ran
cat >"$TMP/timeout.json" <<'EOF'
{ "name": "timeout", "question": "Is a VM stopped by its timeout a failure?", "duration_s": 4,
  "vms": [ { "count": 2, "vcpus": 1, "mem": "64M", "guest": "idle", "timeout_s": 0.2,
             "params": { "touch": "1M" } } ] }
EOF
"$KVMSQUEEZE" run --kvm /dev/null --out "$TMP/nokvm" "$TMP/four.json" >"$TMP/out" 2>"$TMP/err"
st=$?
"$KVMSQUEEZE" run --out "$TMP/tmo" "$TMP/timeout.json" >"$TMP/out" 2>"$TMP/err2"
st2=$?
if [ "$st" -ne 3 ] || [ "$(grep -c '^kvmsqueeze: ' "$TMP/err")" -ne 1 ] ||
   ! grep -q "^kvmsqueeze: .*1 of 1 repetition did not run properly: rep 1: vm0: setup-failed: exit 1: " "$TMP/err"; then
	fail "$name" "--kvm /dev/null: exit $st, want 3: $(grep '^kvmsqueeze' "$TMP/err" | tr '\n' '|')"
elif [ "$st2" -ne 3 ]; then
	fail "$name" "timeouts: exit $st2, want 3: $(tail -n 1 "$TMP/err2")"
elif ! v=$(validate "$TMP/nokvm/rep-1.json" "$TMP/tmo/rep-1.json"); then
	fail "$name" "result does not validate: $v"
elif json_check "$name" "$TMP/nokvm/rep-1.json" "d['complete'] and d['run']['status'] == 'failed' and [v['status'] for v in d['vms']] == ['setup-failed'] * 4 and len(d['run']['problems']) == 4" \
	"--kvm /dev/null: not failed" &&
   json_check "$name" "$TMP/tmo/rep-1.json" "d['run']['status'] == 'failed' and [v['status'] for v in d['vms']] == ['timeout'] * 2 and d['run']['problems'][0].startswith('vm0: timeout: exit 5')" \
	"timeouts: not failed"; then
	ok "$name"
fi

# 4. SIGINT to the runner: exit 130, the partial result kept as incomplete,
# no VM process and no tree left.
name=run_interrupted
"$KVMSQUEEZE" run idle-caches --duration 30 --out "$TMP/int" >"$TMP/out" 2>"$TMP/err" &
runner=$!
sleep 2
kill -INT "$runner"
wait "$runner"
st=$?
f=$TMP/int/rep-1.json
if [ "$st" -ne 130 ]; then
	fail "$name" "exit $st, want 130: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
elif ! v=$(validate "$f"); then
	fail "$name" "result does not validate: $v"
elif json_check "$name" "$f" "d['complete'] is False and d['run']['end_reason'] == 'interrupted' and len(d['vms']) == 2" \
	"not marked incomplete"; then
	left=""
	for pid in $(python3 -c "import json,sys; print(' '.join(str(v['pid']) for v in json.load(open(sys.argv[1]))['vms']))" "$f"); do
		alive "$pid" && left="$left $pid"
	done
	if [ -n "$left" ]; then
		fail "$name" "VM processes left:$left"
	elif ! gone "$f"; then
		fail "$name" "cgroup tree left behind"
	else
		ok "$name"
	fi
fi

# 5. A tree from a crashed run (its runner's pid is gone) is removed, and
# said so, at the next start.
name=run_leftover
sh -c 'exit 0' &
dead=$!
wait "$dead"
stale=$CGMEM/kvmsqueeze-20000101-000000-$dead
mkdir -p "$stale/vms"
if "$KVMSQUEEZE" run baseline --out "$TMP/left" >"$TMP/out" 2>"$TMP/err" &&
   grep -q "removed cgroup tree kvmsqueeze-20000101-000000-$dead" "$TMP/err" && [ ! -d "$stale" ]; then
	ok "$name"
else
	fail "$name" "stale tree not reported or not removed: $(grep kvmsqueeze: "$TMP/err" | tr '\n' ' ')"
	rmdir "$stale/vms" "$stale" 2>/dev/null
fi

# 6. The block of a blocked plan: from --block, or from the lab's kernel
# command line (a private mount namespace shows the runner another one).
name=run_block
cat >"$TMP/short.json" <<'EOF'
{ "name": "short", "question": "Which block is this run in?", "duration_s": 1,
  "vms": [ { "vcpus": 1, "mem": "64M", "guest": "idle", "params": { "touch": "1M" } } ] }
EOF
if "$KVMSQUEEZE" run --block 3 --out "$TMP/block" "$TMP/short.json" >"$TMP/out" 2>"$TMP/err"; then
	f=$TMP/block/rep-1.json
	validate "$f" && json_check "$name" "$f" "d['run']['block'] == 3" "run.block is not 3" &&
		ok "$name"
else
	fail "$name" "exit $?: $(tail -n 1 "$TMP/err")"
fi
name=run_block_cmdline
if command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	echo "console=ttyS0 kvmsqueeze.lab=0 kvmsqueeze.block=7 quiet" >"$TMP/cmdline"
	if unshare -m sh -c "mount --bind '$TMP/cmdline' /proc/cmdline && \
		'$KVMSQUEEZE' run --out '$TMP/block7' '$TMP/short.json'" >"$TMP/out" 2>"$TMP/err"; then
		f=$TMP/block7/rep-1.json
		validate "$f" && json_check "$name" "$f" "d['run']['block'] == 7" \
			"run.block is not the command line's 7" && ok "$name"
	else
		fail "$name" "exit $?: $(tail -n 1 "$TMP/err")"
	fi
else
	skip "$name" "unshare -m is not available"
fi

# 7. Every catalog spec that runs on this host (global-squeeze needs the
# lab), short, to a result that validates. shrinker-storm's shrinker_scan
# needs the shrinker debugfs: without it the run failed (exit 3) for that
# reason alone.
name=run_catalog
bad=""
for exp in baseline idle-caches shrinker-storm alias-blowup; do
	"$KVMSQUEEZE" run "$exp" --duration 3 --out "$TMP/cat-$exp" >"$TMP/out" 2>"$TMP/err"
	st=$?
	if [ "$st" -eq 3 ] && [ "$exp" = shrinker-storm ] && [ ! -d /sys/kernel/debug/shrinker ] &&
	   json_check "$name" "$TMP/cat-$exp/rep-1.json" "d['summary']['pressure_applied'] is False and len(d['run']['problems']) == 1 and d['run']['problems'][0].startswith('pressure[1] shrinker_scan never acted: unavailable: ')" >/dev/null; then
		:
	elif [ "$st" -ne 0 ]; then
		bad="$bad $exp(exit $st: $(tail -n 1 "$TMP/err"))"
	elif ! v=$(validate "$TMP/cat-$exp/rep-1.json"); then
		bad="$bad $exp($v)"
	elif ! json_check "$name" "$TMP/cat-$exp/rep-1.json" "d['run']['block'] is None" >/dev/null; then
		bad="$bad $exp(run.block is not null without --block)"
	fi
done
[ -z "$bad" ] && ok "$name" || fail "$name" "$bad"

# 8. Two runners on one --out: the second is refused before it creates
# anything, the first's result is whole.
name=run_out_locked
"$KVMSQUEEZE" run --out "$TMP/lock" "$TMP/short.json" >"$TMP/out" 2>"$TMP/err" &
first=$!
n=0
while [ ! -s "$TMP/lock/.lock" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
"$KVMSQUEEZE" run --out "$TMP/lock" "$TMP/short.json" >"$TMP/out2" 2>"$TMP/err2"
second=$?
wait "$first"
st=$?
if [ "$st" -ne 0 ]; then
	fail "$name" "first runner exit $st: $(tail -n 1 "$TMP/err")"
elif [ "$second" -ne 1 ] || ! grep -q "is in use by another run (pid $first)" "$TMP/err2"; then
	fail "$name" "second runner exit $second: $(tr '\n' '|' <"$TMP/err2")"
else
	validate "$TMP/lock/rep-1.json" && ok "$name" || fail "$name" "the first result does not validate"
fi

# 9. Every repetition of one invocation shares its run id; a later run
# into the same --out is refused, or with --overwrite replaces them all
# (no rep-2 of the old run left beside the new rep-1).
name=run_out_overwrite
ids() { python3 -c "import json,sys; print(' '.join(json.load(open(f))['run']['id'] for f in sys.argv[1:]))" "$@"; }
if ! "$KVMSQUEEZE" run --reps 2 --duration 0.5 --out "$TMP/ow" "$TMP/short.json" >"$TMP/out" 2>"$TMP/err"; then
	fail "$name" "exit $?: $(tail -n 1 "$TMP/err")"
elif set -- $(ids "$TMP/ow/rep-1.json" "$TMP/ow/rep-2.json") && [ "$1" != "$2" ]; then
	fail "$name" "two run ids in one invocation: $*"
elif "$KVMSQUEEZE" run --duration 0.5 --out "$TMP/ow" "$TMP/short.json" >"$TMP/out" 2>"$TMP/err"; then
	fail "$name" "a second run into a directory with results was not refused"
elif ! "$KVMSQUEEZE" run --overwrite --duration 0.5 --out "$TMP/ow" "$TMP/short.json" >"$TMP/out" 2>"$TMP/err"; then
	fail "$name" "--overwrite: exit $?: $(tail -n 1 "$TMP/err")"
elif [ -e "$TMP/ow/rep-2.json" ] || [ -e "$TMP/ow/rep-2-vm0.log" ] || [ "$(ids "$TMP/ow/rep-1.json")" = "$1" ]; then
	fail "$name" "old results left beside the new: $(ls "$TMP/ow" | tr '\n' ' ')"
else
	ok "$name"
fi

# running PID: a live process, not a zombie waiting for a reaper (a
# container's init may be slow to reap the VMs of a runner that died)
running() { [ -e "/proc/$1/status" ] && ! grep -q '^State:.*Z' "/proc/$1/status"; }

# stopped_in_order NAME FILE SIG: an interrupted result (by SIG), every VM gone, the tree removed
stopped_in_order() {
	if ! v=$(validate "$2"); then
		fail "$1" "result does not validate: $v"
		return 1
	fi
	json_check "$1" "$2" "d['complete'] is False and d['run']['end_reason'] == 'interrupted' and d['run']['status'] == 'interrupted' and d['run']['problems'][0].startswith('interrupted by SIG$3 at ')" \
		"not an interrupted result" || return 1
	for pid in $(python3 -c "import json,sys; print(' '.join(str(v['pid']) for v in json.load(open(sys.argv[1]))['vms']))" "$2"); do
		if running "$pid"; then
			fail "$1" "VM process $pid left running"
			return 1
		fi
	done
	gone "$2" || { fail "$1" "cgroup tree left behind"; return 1; }
}

# 10. SIGHUP (the terminal closed) stops the run like SIGINT.
name=run_hup
"$KVMSQUEEZE" run idle-caches --scale 0.25 --duration 30 --out "$TMP/hup" >"$TMP/out" 2>"$TMP/err" &
runner=$!
sleep 2
kill -HUP "$runner"
wait "$runner"
st=$?
if [ "$st" -ne 130 ]; then
	fail "$name" "exit $st, want 130: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
else
	stopped_in_order "$name" "$TMP/hup/rep-1.json" HUP && ok "$name"
fi

# 11. stderr read by `| head -1`: the next write raises SIGPIPE, which
# stops the run in order; the writes after it fail quietly.
name=run_pipe
{ "$KVMSQUEEZE" run idle-caches --scale 0.25 --duration 10 --out "$TMP/pipe" 2>&1; echo $? >"$TMP/pipe.rc"; } | head -n 1 >"$TMP/out"
n=0
while [ ! -s "$TMP/pipe.rc" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
st=$(cat "$TMP/pipe.rc" 2>/dev/null)
if [ "$st" != 130 ]; then
	fail "$name" "exit '$st', want 130"
else
	stopped_in_order "$name" "$TMP/pipe/rep-1.json" PIPE && ok "$name"
fi

# 12. SIGKILL, which nothing can catch: the VMs die with the runner
# (PR_SET_PDEATHSIG), and the next run removes the tree left behind.
name=run_runner_killed
"$KVMSQUEEZE" run idle-caches --scale 0.25 --duration 30 --out "$TMP/kill9" >"$TMP/out" 2>"$TMP/err" &
runner=$!
sleep 2
vms=$(pgrep -P "$runner")
kill -KILL "$runner"
wait "$runner" 2>/dev/null
sleep 0.5
left=""
for pid in $vms; do running "$pid" && left="$left $pid"; done
tree=$(ls -d "$CGMEM"/kvmsqueeze-*-"$runner" 2>/dev/null | head -n 1)
if [ -z "$vms" ]; then
	fail "$name" "no VM process found under the runner"
elif [ -n "$left" ]; then
	fail "$name" "VM processes outlived the runner:$left"
	kill -KILL $left 2>/dev/null
elif ! "$KVMSQUEEZE" run --duration 0.3 --out "$TMP/after9" "$TMP/short.json" >"$TMP/out" 2>"$TMP/err"; then
	fail "$name" "the next run failed: $(tail -n 1 "$TMP/err")"
elif [ -n "$tree" ] && [ -d "$tree" ]; then
	fail "$name" "the next run did not remove $tree"
else
	ok "$name"
fi

# 13. A limit the kernel refuses (cgroup v1: usage above it, anon memory
# and no swap) is retried at every loop iteration until it takes effect,
# one limit_error event for it, not one per retry. The spec of the bug
# report, its times widened for a loaded machine: vm0 holds 128M until
# its timeout at 4 s, so 96M is refused from 2.5 s and taken after 4 s.
# Without that timeout it never takes effect: pressure_applied is false
# and the run failed (exit 3), saying which limit and why.
name=run_limit_retry
if [ -d /sys/fs/cgroup/memory ] && [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	retry_spec() {
		cat <<EOF
{"name":"retry","question":"q","duration_s":$1,"vms":[{"mem":"200M","guest":"workingset","params":{"size":"128M"}$2},{"mem":"64M","guest":"workingset","params":{"size":"16M"}}],"cgroup":{"steps":[{"at_s":2.5,"limit":"96M"}]}}
EOF
	}
	retry_spec 7 ',"timeout_s":4' >"$TMP/retry.json"
	retry_spec 4 '' >"$TMP/never.json"
	"$KVMSQUEEZE" run --out "$TMP/retry" "$TMP/retry.json" >"$TMP/out" 2>"$TMP/err"
	st=$?
	"$KVMSQUEEZE" run --out "$TMP/never" "$TMP/never.json" >"$TMP/out" 2>"$TMP/err2"
	st2=$?
	if [ "$st" -ne 3 ] || [ "$st2" -ne 3 ]; then
		fail "$name" "exit $st and $st2, want 3 (vm0's timeout) and 3: $(tail -n 1 "$TMP/err2")"
	elif ! v=$(validate "$TMP/retry/rep-1.json" "$TMP/never/rep-1.json"); then
		fail "$name" "result does not validate: $v"
	elif json_check "$name" "$TMP/retry/rep-1.json" "[e['type'] for e in d['events'] if e['type'].startswith('limit')] == ['limit_error', 'limit'] and 'after ' in [e for e in d['events'] if e['type'] == 'limit'][0]['detail'] and d['summary']['pressure_applied'] is True and d['run']['problems'] == ['vm0: timeout: exit 5']" \
		"the refused limit was not retried until it took effect" &&
	   json_check "$name" "$TMP/never/rep-1.json" "[e['type'] for e in d['events'] if e['type'].startswith('limit')] == ['limit_error'] and d['summary']['pressure_applied'] is False and d['run']['status'] == 'failed' and len(d['run']['problems']) == 1 and d['run']['problems'][0].startswith('cgroup limit 96 MiB (from 2.5 s) never took effect: the kernel refused all ') and int(d['run']['problems'][0].split('refused all ')[1].split()[0]) > 1" \
		"a limit never applied is not marked"; then
		ok "$name"
	fi
else
	skip "$name" "needs cgroup v1 (memory.limit_in_bytes refuses a limit below usage; v2 reclaims or OOM-kills)"
fi

# 14. A runner started with stderr closed: its progress goes nowhere, not
# into the first file it opens (the lock file), and the run is whole.
name=run_stderr_closed
if "$KVMSQUEEZE" run --duration 0.3 --out "$TMP/noerr" "$TMP/short.json" >"$TMP/out" 2>&-; then
	if ! grep -qx '[0-9]*' "$TMP/noerr/.lock"; then
		fail "$name" "the lock file holds more than a pid: $(head -c 80 "$TMP/noerr/.lock" | tr '\n' '|')"
	else
		validate "$TMP/noerr/rep-1.json" && ok "$name" || fail "$name" "result does not validate"
	fi
else
	fail "$name" "exit $?"
fi
