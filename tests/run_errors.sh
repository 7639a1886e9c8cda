# SPDX-License-Identifier: GPL-2.0
# tests/run_errors.sh: `kvmsqueeze run` on bad input: one line of error,
# a non-zero exit, and no cgroup tree or process left behind (run_expect
# and refused in tests/lib.sh).
# shellcheck shell=sh
. tests/lib.sh

plan_names run_primaries_unknown run_primaries_bad_spec run_primaries run_bad_block \
	run_bad_block_cmdline run_scale_garbage run_scale_nan run_scale_hex run_reps_hex \
	run_duration_huge run_partial_negative run_partial_garbage run_tag_newline run_spec_count_huge run_spec_vms_in_all run_fds_refused \
	run_spec_timeout_huge run_spec_name_escape run_spec_newline run_spec_nul run_spec_bad_utf8 \
	run_spec_fifo run_out_is_file run_out_has_results run_out_busy run_unreadable \
	run_invalid_json run_unknown_key run_wrong_type run_limit_too_low run_unknown_name \
	run_usage run_bad_reps run_global_refused run_no_memcg run_no_permission

spec() { printf '%s\n' "$2" >"$TMP/$1.json"; }

VMS='"vms": [ { "vcpus": 1, "mem": "64M", "guest": "touch" } ]'
spec good "{ \"name\": \"good\", \"question\": \"q\", \"duration_s\": 2, $VMS }"
spec syntax '{ "name": "x",
  "question": "q"
  "duration_s": 2 }'
spec unknown_key "{ \"name\": \"x\", \"question\": \"q\", \"duration_s\": 2, \"durration\": 3, $VMS }"
spec wrong_type "{ \"name\": \"x\", \"question\": \"q\", \"duration_s\": 2,
  \"vms\": [ { \"vcpus\": \"two\", \"mem\": \"64M\", \"guest\": \"touch\" } ] }"
spec low_limit "{ \"name\": \"x\", \"question\": \"q\", \"duration_s\": 2, $VMS,
  \"cgroup\": { \"limit\": \"8M\" } }"
spec hog "{ \"name\": \"x\", \"question\": \"q\", \"duration_s\": 2, $VMS,
  \"pressure\": [ { \"kind\": \"hog\", \"bytes\": \"64M\" } ] }"

spec bad_primary "{ \"name\": \"x\", \"question\": \"q\", \"duration_s\": 2, $VMS,
  \"primary\": [ \"fault_p5_ns\" ] }"

run_expect run_primaries_unknown 1 "spec $TMP/bad_primary.json: primary: unknown metric 'fault_p5_ns' \\(the metric ids are listed in experiments/SPEC.md\\)" \
	--primaries "$TMP/bad_primary.json"
run_expect run_primaries_bad_spec 1 "unknown key 'durration'" --primaries "$TMP/unknown_key.json"

# --primaries: the ids one per line, nothing for a spec that names none
name=run_primaries
out=$("$KVMSQUEEZE" run --primaries shrinker-storm 2>"$TMP/err")
rc=$?
none=$("$KVMSQUEEZE" run --primaries "$TMP/good.json" 2>>"$TMP/err")
rc2=$?
if [ "$rc" -eq 0 ] && [ "$rc2" -eq 0 ] && [ -z "$none" ] && [ ! -s "$TMP/err" ] &&
   [ "$out" = "$(printf 'fault_mean_ns\ntouch_guest_ns\nfaults_after_pressure')" ]; then
	ok "$name"
else
	fail "$name" "status $rc/$rc2, got '$out' and '$none': $(tr '\n' '|' <"$TMP/err")"
fi

run_expect run_bad_block 2 "--block '0': expected a block number, 1 or more" --block 0 baseline

# A kvmsqueeze.block= the lab got wrong stops the run before it starts.
name=run_bad_block_cmdline
if command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	echo "quiet kvmsqueeze.block=2x" >"$TMP/cmdline"
	if refused "$name" 1 "kvmsqueeze\\.block='2x' on the kernel command line is not a block number" \
		unshare -m sh -c "mount --bind '$TMP/cmdline' /proc/cmdline && \
		'$KVMSQUEEZE' run --out '$TMP/bb' '$TMP/good.json'"; then
		if [ -e "$TMP/bb" ]; then
			fail "$name" "$TMP/bb was created"
		else
			ok "$name"
		fi
	fi
else
	skip "$name" "unshare -m is not available"
fi

# Numbers on the command line: decimal, in range, nothing after them.
run_expect run_scale_garbage 2 "--scale '0.25abc': expected a decimal factor" --scale 0.25abc baseline
run_expect run_scale_nan 2 "--scale 'nan': expected a decimal factor" --scale nan baseline
run_expect run_scale_hex 2 "--scale '0x1p-2'" --scale 0x1p-2 baseline
run_expect run_reps_hex 2 "--reps '0x2': expected 1 to 1000" --reps 0x2 baseline
run_expect run_duration_huge 2 "--duration '1e11': expected seconds above 0, at most 1000000" \
	--duration 1e11 baseline
run_expect run_partial_negative 2 "--partial-period '-1': expected seconds, 0 \\(never\\) to 1000000" \
	--partial-period -1 baseline
run_expect run_partial_garbage 2 "--partial-period 'often': expected seconds" --partial-period often baseline
run_expect run_tag_newline 2 "--tag 'a\\\\x0ab': expected one line" --tag "$(printf 'a\nb')" baseline

# Hostile specs: refused in one line, before anything is created.
spec count_huge "{ \"name\": \"x\", \"question\": \"q\", \"duration_s\": 2,
  \"vms\": [ { \"count\": 3000000000, \"mem\": \"64M\", \"guest\": \"touch\" } ] }"
spec timeout_huge "{ \"name\": \"x\", \"question\": \"q\", \"duration_s\": 2,
  \"vms\": [ { \"timeout_s\": 1e11, \"mem\": \"64M\", \"guest\": \"touch\" } ] }"
spec name_escape "{ \"name\": \"../../x\", \"question\": \"q\", \"duration_s\": 2, $VMS }"
spec newline "{ \"name\": \"x\", \"question\": \"two\\nlines\", \"duration_s\": 2, $VMS }"
printf '%s\n' "{ \"name\": \"x\", \"question\": \"q\", \"duration_s\": 2, $VMS }" >"$TMP/nul.json"
printf '\000garbage' >>"$TMP/nul.json"
printf '{ "name": "x", "question": "q\377", "duration_s": 2, %s }\n' "$VMS" >"$TMP/utf8.json"
run_expect run_spec_count_huge 1 "vms\\[0\\]\\.count: must be 1 to 1024" "$TMP/count_huge.json"

# The cap on VMs in all (SPEC_MAX_VM_PROCS), over the groups.
spec vms_in_all "{ \"name\": \"x\", \"question\": \"q\", \"duration_s\": 2,
  \"vms\": [ { \"count\": 1000, \"mem\": \"16M\", \"guest\": \"nop\" },
            { \"count\": 25, \"mem\": \"16M\", \"guest\": \"nop\" } ] }"
run_expect run_spec_vms_in_all 1 "vms_in_all.json: spec.vms: 1025 VMs in all; at most 1024 \\(SPEC_MAX_VM_PROCS\\)" \
	"$TMP/vms_in_all.json"
# 200 VMs need 728 descriptors in the runner: refused under a hard limit
# of 256 before anything starts (a root with CAP_SYS_RESOURCE raises it).
spec fds "{ \"name\": \"x\", \"question\": \"q\", \"duration_s\": 2,
  \"vms\": [ { \"count\": 200, \"mem\": \"16M\", \"guest\": \"nop\" } ] }"
capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
if [ -n "$capeff" ] && [ $(( 0x$capeff >> 24 & 1 )) -eq 1 ]; then
	skip run_fds_refused "CAP_SYS_RESOURCE: the runner may raise its own hard limit"
else
	# shellcheck disable=SC3045 # dash's and busybox's ulimit have -n
	(ulimit -n 256 && run_expect run_fds_refused 1 \
		"200 VMs need 728 file descriptors in the runner \\(2 \\+ vCPUs per VM, and 128 more\\), and RLIMIT_NOFILE allows 256 \\(raise it: ulimit -n 728\\)" \
		--out "$TMP/fds" "$TMP/fds.json")
fi
run_expect run_spec_timeout_huge 1 "vms\\[0\\]\\.timeout_s: must be 0 to 1000000" "$TMP/timeout_huge.json"
run_expect run_spec_name_escape 1 "spec.name: '\\.\\./\\.\\./x': use A-Z" "$TMP/name_escape.json"
run_expect run_spec_newline 1 "a control character at byte 3 of the string 'two\\\\x0alines'" \
	"$TMP/newline.json"
run_expect run_spec_nul 1 "line 2, column 1: a NUL byte" "$TMP/nul.json"
run_expect run_spec_bad_utf8 1 "spec.question: invalid UTF-8 at byte 1 of the string 'q\\\\xff'" "$TMP/utf8.json"
mkfifo "$TMP/fifo.json"
name=run_spec_fifo
if command -v timeout >/dev/null; then
	timeout 10 "$KVMSQUEEZE" run "$TMP/fifo.json" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -eq 1 ] && grep -q "not a regular file" "$TMP/err"; then
		ok "$name"
	else
		fail "$name" "status $got (124: it hung): $(tr '\n' '|' <"$TMP/err")"
	fi
else
	skip "$name" "no timeout(1)"
fi

# The results directory: one run at a time, and never mixed with older results.
: >"$TMP/afile"
run_expect run_out_is_file 1 "results directory $TMP/afile/r: cannot create it" \
	--out "$TMP/afile/r" "$TMP/good.json"
mkdir -p "$TMP/old"
: >"$TMP/old/rep-2.json"
run_expect run_out_has_results 1 "already holds results \\(rep-2.json\\).*--overwrite" \
	--out "$TMP/old" "$TMP/good.json"
# hold_lock DIR: hold DIR/.lock as a run 4242 would, for 30 s; DIR/held
# once it does
hold_lock() {
	python3 - "$1" <<'PY'
import fcntl, os, sys, time
fd = os.open(sys.argv[1] + "/.lock", os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, b"4242\n")
open(sys.argv[1] + "/held", "w").close()
time.sleep(30)
PY
}
mkdir -p "$TMP/busy"
hold_lock "$TMP/busy" &
holder=$!
n=0
while [ ! -e "$TMP/busy/held" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
run_expect run_out_busy 1 "results directory $TMP/busy is in use by another run \\(pid 4242\\)" \
	--out "$TMP/busy" "$TMP/good.json"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

run_expect run_unreadable 1 "spec $TMP/missing.json: No such file" "$TMP/missing.json"
run_expect run_invalid_json 1 "line 3, column 3" "$TMP/syntax.json"
run_expect run_unknown_key 1 "unknown key 'durration'" "$TMP/unknown_key.json"
run_expect run_wrong_type 1 "vms\\[0\\]\\.vcpus: expected an integer, got string" "$TMP/wrong_type.json"
run_expect run_limit_too_low 1 "cgroup limit 8 MiB at 0.0 s is below the" "$TMP/low_limit.json"
run_expect run_unknown_name 1 "no experiment 'nosuch' in the catalog" nosuch
run_expect run_usage 2 "give a spec file or a catalog name"
run_expect run_bad_reps 2 "--reps '0'" --reps 0 baseline

if [ -n "$(kvm_missing)" ] || [ ! -w "$CGMEM" ]; then
	skip_rest "needs /dev/kvm and a writable memory cgroup controller"
	exit 0
fi

run_expect run_global_refused 1 "refused outside the lab.*--allow-global-pressure" \
	--out "$TMP/hog" "$TMP/hog.json"

# No memory controller: hide it in a private mount namespace.
if command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	refused run_no_memcg 1 memory \
		unshare -m sh -c "umount -l '$CGMEM' 2>/dev/null && umount -l /sys/fs/cgroup 2>/dev/null; \
		exec '$KVMSQUEEZE' run --out '$TMP/nomem' '$TMP/good.json'" && ok run_no_memcg
else
	skip run_no_memcg "unshare -m is not available"
fi

# No permission to create cgroups: run as nobody.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$TMP/nobody" && chmod 777 "$TMP/nobody" "$TMP" && chmod 644 "$TMP/good.json"
	refused run_no_permission 1 'permission|Permission' \
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$KVMSQUEEZE" run --out "$TMP/nobody/r" "$TMP/good.json" && ok run_no_permission
else
	skip run_no_permission "needs root and setpriv to drop to nobody"
fi
