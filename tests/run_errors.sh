# tests/run_errors.sh: `kvmsqueeze run` on bad input: one line of error,
# a non-zero exit, and no cgroup tree or process left behind.
. tests/lib.sh

CGMEM=/sys/fs/cgroup/memory
[ -d "$CGMEM" ] || CGMEM=/sys/fs/cgroup

trees() { ls -d "$CGMEM"/kvmsqueeze-* 2>/dev/null | wc -l; }

# run_expect NAME STATUS REGEX ARGS...: like vm_expect, for `run`; also
# checks the error is one line and that no tree was left behind.
run_expect() {
	name=$1 want=$2 regex=$3
	shift 3
	before=$(trees)
	"$KVMSQUEEZE" run "$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$name" "exit status $got, want $want: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
	elif ! grep -Eq -- "$regex" "$TMP/err"; then
		fail "$name" "stderr lacks /$regex/: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
	elif [ "$(grep -c '^kvmsqueeze: ' "$TMP/err")" -ne 1 ]; then
		fail "$name" "not one line of error: $(tr '\n' '|' <"$TMP/err")"
	elif grep -Eq 'AddressSanitizer|runtime error:|Segmentation' "$TMP/err"; then
		fail "$name" "sanitizer or crash"
	elif [ "$(trees)" -ne "$before" ]; then
		fail "$name" "a cgroup tree was left behind"
	else
		ok "$name"
	fi
}

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
	unshare -m sh -c "mount --bind '$TMP/cmdline' /proc/cmdline && \
		'$KVMSQUEEZE' run --out '$TMP/bb' '$TMP/good.json'" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -eq 1 ] && [ "$(grep -c '^kvmsqueeze: ' "$TMP/err")" -eq 1 ] &&
	   grep -q "kvmsqueeze.block='2x' on the kernel command line is not a block number" "$TMP/err" &&
	   [ ! -e "$TMP/bb" ]; then
		ok "$name"
	else
		fail "$name" "status $got: $(tr '\n' '|' <"$TMP/err")"
	fi
else
	skip "$name" "unshare -m is not available"
fi

run_expect run_unreadable 1 "spec $TMP/missing.json: No such file" "$TMP/missing.json"
run_expect run_invalid_json 1 "line 3, column 3" "$TMP/syntax.json"
run_expect run_unknown_key 1 "unknown key 'durration'" "$TMP/unknown_key.json"
run_expect run_wrong_type 1 "vms\\[0\\]\\.vcpus: expected an integer, got string" "$TMP/wrong_type.json"
run_expect run_limit_too_low 1 "cgroup limit 8 MiB at 0.0 s is below the" "$TMP/low_limit.json"
run_expect run_unknown_name 1 "no experiment 'nosuch' in the catalog" nosuch
run_expect run_usage 2 "give a spec file or a catalog name"
run_expect run_bad_reps 2 "--reps '0'" --reps 0 baseline

if [ -n "$(kvm_missing)" ] || [ ! -w "$CGMEM" ]; then
	for t in run_global_refused run_no_memcg run_no_permission; do
		skip "$t" "needs /dev/kvm and a writable memory cgroup controller"
	done
	exit 0
fi

run_expect run_global_refused 1 "refused outside the lab.*--allow-global-pressure" \
	--out "$TMP/hog" "$TMP/hog.json"

# No memory controller: hide it in a private mount namespace.
if command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	before=$(trees)
	unshare -m sh -c "umount -l '$CGMEM' 2>/dev/null && umount -l /sys/fs/cgroup 2>/dev/null; \
		'$KVMSQUEEZE' run --out '$TMP/nomem' '$TMP/good.json'" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -eq 1 ] && grep -q 'memory' "$TMP/err" &&
	   [ "$(grep -c '^kvmsqueeze: ' "$TMP/err")" -eq 1 ] && [ "$(trees)" -eq "$before" ]; then
		ok run_no_memcg
	else
		fail run_no_memcg "status $got: $(tr '\n' '|' <"$TMP/err")"
	fi
else
	skip run_no_memcg "unshare -m is not available"
fi

# No permission to create cgroups: run as nobody.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$TMP/nobody" && chmod 777 "$TMP/nobody" "$TMP" && chmod 644 "$TMP/good.json"
	before=$(trees)
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$KVMSQUEEZE" run --out "$TMP/nobody/r" "$TMP/good.json" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -eq 1 ] && grep -Eq 'permission|Permission' "$TMP/err" &&
	   [ "$(grep -c '^kvmsqueeze: ' "$TMP/err")" -eq 1 ] && [ "$(trees)" -eq "$before" ]; then
		ok run_no_permission
	else
		fail run_no_permission "status $got: $(tr '\n' '|' <"$TMP/err")"
	fi
else
	skip run_no_permission "needs root and setpriv to drop to nobody"
fi
