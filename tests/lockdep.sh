# tests/lockdep.sh: the pieces of the lockdep experiment
# (docs/findings/specs/lockdep-reclaim.json): spec errors for
# memslot_churn_ms and the nx_huge_pages kind; memslot churn in a real VM
# on /dev/kvm; the nx_huge_pages source on a plain file
# (KVMSQ_NX_HUGE_PAGES), restored at the end and on a signal, and its
# errors; patched-kernel/lockdep-reports on fixture logs; and the spec in
# the lab on the DEBUG=1 cache-shrinker-v2 kernel when that kernel is in
# the cache.
# shellcheck shell=sh
. tests/lib.sh

plan_names lockdep_spec_errors lockdep_memslot_churn_vm lockdep_nx_run lockdep_nx_signal \
	lockdep_nx_errors lockdep_nx_unwritable lockdep_reports_extract lab_lockdep_reclaim

CGMEM=/sys/fs/cgroup/memory
[ -d "$CGMEM" ] || CGMEM=/sys/fs/cgroup
kvm_why=$(kvm_missing)
run_why=$kvm_why
[ -z "$run_why" ] && [ ! -w "$CGMEM" ] && run_why="no writable memory cgroup controller at $CGMEM"

# nx_left NAME WANT: the nx_huge_pages file ($TMP/nx) was left holding WANT.
nx_left() {
	if [ "$(cat "$TMP/nx")" != "$2" ]; then
		fail "$1" "the file was left at '$(cat "$TMP/nx")', not $2"
		return 1
	fi
}

# spec FILE JSON-OF-VMS0-EXTRA JSON-OF-PRESSURE: a small spec
spec() {
	cat >"$1" <<EOF
{ "name": "ld", "question": "q", "primary": ["run_s"],
  "vms": [ { "mem": "64M", "guest": "idle", "vcpus": 2 $2 } ],
  "pressure": [ $3 ], "duration_s": ${4:-2}, "sample_period_ms": 100 }
EOF
}

# 1. memslot_churn_ms: an integer of 1 to 60000 ms, errors naming the key;
# kvmsqueeze vm --memslot-churn the same; the kind's name in the list.
name=lockdep_spec_errors
bad=
for v in '0:must be 1 to 60000' '60001:must be 1 to 60000' '2.5:expected an integer, got double' \
	'"20":expected an integer, got string' '-1:must not be negative' 'null:expected an integer, got null'; do
	val=${v%%:*} want=${v#*:}
	spec "$TMP/s.json" ", \"memslot_churn_ms\": $val" ""
	if ! expect "$name" 1 "^kvmsqueeze: spec $TMP/s.json: vms\\[0\\]\\.memslot_churn_ms: $want\$" \
		run --primaries "$TMP/s.json"; then
		bad=1
		break
	fi
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || { fail "$name" "$val: not one line: $(tr '\n' ' ' <"$TMP/err")"; bad=1; break; }
done
if [ -z "$bad" ]; then
	spec "$TMP/s.json" "" '{ "kind": "nx_huge_page" }'
	expect "$name" 1 "kind 'nx_huge_page': use reclaim, hog, drop_caches, shrinker_scan or nx_huge_pages\$" \
		run --primaries "$TMP/s.json" || bad=1
fi
if [ -z "$bad" ]; then
	spec "$TMP/s.json" ', "memslot_churn_ms": 20' '{ "kind": "nx_huge_pages", "period_s": 0.05, "bytes": "1M" }'
	expect "$name" 0 "" run --primaries "$TMP/s.json" || bad=1
fi
if [ -z "$bad" ]; then
	for v in 0 60001 abc 1.5 ''; do
		expect "$name" 2 "^kvmsqueeze: vm: --memslot-churn '$v': expected a decimal number of ms from 1 to 60000" \
			vm --memslot-churn "$v" || { bad=1; break; }
	done
fi
[ -z "$bad" ] && ok "$name"

# 2. A VM on this host's KVM adds and deletes its extra slot every 10 ms
# while its vCPUs run: both counted, no failure, the slot gone at the end,
# the VM ends ok.
name=lockdep_memslot_churn_vm
if [ -n "$kvm_why" ]; then
	skip "$name" "$kvm_why"
elif vm_expect "$name" 0 "" -g idle -c 2 -m 64M --memslot-churn 10 -d 1 -q -j "$TMP/churn.json"; then
	check "$name" memslot_churned "$TMP/churn.json" 10 20 && ok "$name"
fi

# 3. A run with churn and the nx_huge_pages kind on a plain file: the file
# flips every 50 ms, ends as it began, and the result says so and validates
# strictly.
name=lockdep_nx_run
if [ -n "$run_why" ]; then
	skip "$name" "$run_why"
else
	echo N >"$TMP/nx"
	spec "$TMP/nx.json" ', "memslot_churn_ms": 20' '{ "kind": "nx_huge_pages", "start_s": 0.2, "period_s": 0.05 }'
	if KVMSQ_NX_HUGE_PAGES=$TMP/nx "$KVMSQUEEZE" run "$TMP/nx.json" --out "$TMP/nxo" >"$TMP/out" 2>"$TMP/err"; then
		valid_strict "$name" "$TMP/nxo/rep-1.json" && nx_left "$name" N &&
			check "$name" nx_flipped "$TMP/nxo/rep-1.json" && ok "$name"
	else
		fail "$name" "exit $?: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
	fi
fi

# 4. A TERM in the middle of the run: the runner puts Y back before it
# exits 130, and the partial result says so.
name=lockdep_nx_signal
if [ -n "$run_why" ]; then
	skip "$name" "$run_why"
else
	echo Y >"$TMP/nx"
	spec "$TMP/nx.json" '' '{ "kind": "nx_huge_pages", "start_s": 0, "period_s": 0.05 }' 30
	KVMSQ_NX_HUGE_PAGES=$TMP/nx "$KVMSQUEEZE" run "$TMP/nx.json" --out "$TMP/nxs" >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	i=0
	while [ ! -s "$TMP/nxs/.rep-1-vm0.json" ] && [ "$(cat "$TMP/nx")" = Y ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.5
	kill -TERM "$pid"
	exited "$name" "$pid" 130 && nx_left "$name" Y &&
		check "$name" nx_restored "$TMP/nxs/rep-1.json" && ok "$name"
fi

# 5. A file that is missing, hard-disabled ('never'), or holds something
# else stops the run before any VM starts: one line, exit 1, no result.
name=lockdep_nx_errors
if [ -n "$run_why" ]; then
	skip "$name" "$run_why"
else
	spec "$TMP/nx.json" '' '{ "kind": "nx_huge_pages", "period_s": 0.05 }'
	bad=
	for c in "missing:$TMP/none/nx_huge_pages .is the kvm module loaded..: No such file or directory" \
		"never:is 'never': the mitigation is hard-disabled" "maybe:holds 'maybe', not Y or N"; do
		what=${c%%:*} want=${c#*:}
		rm -rf "$TMP/nxe"
		if [ "$what" = missing ]; then
			f=$TMP/none/nx_huge_pages
		else
			f=$TMP/nx
			echo "$what" >"$f"
		fi
		if ! KVMSQ_NX_HUGE_PAGES=$f expect "$name" 1 "pressure\\[0\\] nx_huge_pages: .*$want" \
			run "$TMP/nx.json" --out "$TMP/nxe"; then
			bad=1
			break
		fi
		if [ "$(grep -c . "$TMP/err")" -ne 1 ] || ls "$TMP/nxe"/rep-* >/dev/null 2>&1; then
			fail "$name" "$what: not one line, or a result written: $(tr '\n' ' ' <"$TMP/err")"
			bad=1
			break
		fi
	done
	[ -z "$bad" ] && ok "$name"
fi

# 6. The real parameter, where this host's sysfs refuses writes to it (a
# container's read-only module parameters): refused as not writable.
name=lockdep_nx_unwritable
real=/sys/module/kvm/parameters/nx_huge_pages
if [ -n "$run_why" ]; then
	skip "$name" "$run_why"
elif [ ! -e "$real" ]; then
	skip "$name" "no $real here (kvm not loaded)"
elif (: >>"$real") 2>/dev/null; then
	skip "$name" "$real is writable here (a test must not flip this host's parameter)"
else
	spec "$TMP/nx.json" '' '{ "kind": "nx_huge_pages", "period_s": 0.05 }'
	rm -rf "$TMP/nxe"
	expect "$name" 1 "pressure\\[0\\] nx_huge_pages: nx_huge_pages is not writable here .*$real" \
		run "$TMP/nx.json" --out "$TMP/nxe" && ok "$name"
fi

# 7. patched-kernel/lockdep-reports: the whole report of a 6.12-format
# circular-dependency splat (banner through </TASK>, no carriage returns,
# nothing before or after), nothing for a plain WARNING, a report cut
# short up to the log's end, two reports apart, and another lockdep title.
name=lockdep_reports_extract
lr=patched-kernel/lockdep-reports
fx=tests/fixtures/serial
"$lr" "$fx/lockdep-circular.log" >"$TMP/ld.txt"
head -n 80 "$fx/lockdep-circular.log" >"$TMP/cut.log"
{ cat "$fx/lockdep-circular.log"; sed 's/possible circular locking dependency detected/inconsistent lock state/' \
	"$fx/lockdep-circular.log"; } >"$TMP/two.log"
if ! cmp -s "$TMP/ld.txt" "$fx/lockdep-circular.expected"; then
	fail "$name" "the report differs from $fx/lockdep-circular.expected: $(diff "$TMP/ld.txt" "$fx/lockdep-circular.expected" | head -n 3 | tr '\n' ' ')"
elif grep -q "$(printf '\r')" "$TMP/ld.txt" || [ "$(wc -l <"$TMP/ld.txt")" -ne 97 ] ||
	! head -n 2 "$TMP/ld.txt" | grep -q 'WARNING: possible circular locking dependency detected' ||
	! tail -n 1 "$TMP/ld.txt" | grep -q '</TASK>'; then
	fail "$name" "not the 97 lines from the banner to </TASK> without CRs"
elif [ -n "$("$lr" "$fx/warning.log" "$fx/oom.log")" ]; then
	fail "$name" "a report found in a log with a plain WARNING or an OOM report"
elif [ "$("$lr" "$TMP/cut.log" | wc -l)" -ne 76 ]; then
	fail "$name" "a report cut short: $("$lr" "$TMP/cut.log" | wc -l) lines, want the 76 from the banner to the log's end"
elif [ "$("$lr" "$TMP/two.log" | grep -c '^$')" -ne 1 ] ||
	[ "$("$lr" "$TMP/two.log" | grep -c 'WARNING: inconsistent lock state')" -ne 1 ] ||
	[ "$("$lr" "$TMP/two.log" | wc -l)" -ne 195 ]; then
	fail "$name" "two reports not both found whole, one blank line apart"
elif [ -z "$(patched-kernel/serial-problems "$fx/lockdep-circular.log")" ]; then
	fail "$name" "serial-problems no longer fails a run on the report"
else
	ok "$name"
fi

# 8. The experiment in the lab: lockdep-reclaim on the DEBUG=1
# cache-shrinker-v2 kernel, when it is in the cache. Whether lockdep fires
# is what the run measures, not what passes: a report fails lab.sh (the
# serial problem) and must leave lockdep.txt beside the result; a lab
# that then deadlocks for real is ended by LAB_TIMEOUT and keeps its last
# partial result (LAB_STALL). Either way reclaim (kswapd or direct) and
# nx_huge_pages writes must have happened, and memslot creates and
# deletes in every VM; a deadlocked lab's VMs never wrote their results,
# so there the SysRq dump must show a memslot update in progress instead.
name=lab_lockdep_reclaim
cache=${KVMSQ_CACHE:-$HOME/.cache/kvmsqueeze}
kimg=$cache/kernels/cache-shrinker-v2-debug/bzImage
if [ "$BUILD" != build ]; then
	skip "$name" "the lab runs in the main pass only (its kvmsqueeze is the static build)"
elif [ ! -f "$kimg" ]; then
	skip "$name" "no $kimg (DEBUG=1 make kernel ARM=cache-shrinker-v2)"
elif [ ! -d patched-kernel/patches/cache-shrinker-v2 ]; then
	skip "$name" "no patched-kernel/patches/cache-shrinker-v2 in this tree"
elif ! scripts/deps lab >"$TMP/deps" 2>&1; then
	skip "$name" "$(tail -n 1 "$TMP/deps")"
else
	o=$TMP/$name
	# the lockdep kernel runs 3 to 4 times slower: 150 s for the hog to fill the lab
	DEBUG=1 LAB_MEM=1G LAB_DURATION=150 LAB_STALL=240 LAB_TIMEOUT=${LAB_TIMEOUT:-600} LAB_OUT=$o \
		patched-kernel/lab.sh cache-shrinker-v2 \
		docs/findings/specs/lockdep-reclaim.json shadow 1 >"$TMP/$name.log" 2>&1
	st=$?
	f=$o/run/rep-1.json
	if [ ! -f "$f" ]; then
		fail "$name" "no result (lab.sh exit $st): $(grep -E 'kvmsqueeze|lab:' "$TMP/$name.log" | tail -n 3 | tr '\n' ' ')"
	elif [ "$st" -ne 0 ] && grep -q 'possible circular locking' "$o/lab-serial.log" && [ ! -s "$o/lockdep.txt" ]; then
		fail "$name" "lockdep reported, but no lockdep.txt"
	elif [ "$st" -ne 0 ] && [ ! -s "$o/lockdep.txt" ] && ! grep -q 'hung: killed after' "$TMP/$name.log"; then
		fail "$name" "lab.sh exit $st without a lockdep report or a hang: $(tail -n 3 "$TMP/$name.log" | tr '\n' ' ')"
	else
		hung=no
		grep -q 'hung: killed after' "$TMP/$name.log" && hung=yes
		check "$name" lockdep_lab "$f" "$o/lab-serial.log" "$hung" && ok "$name"
	fi
fi
