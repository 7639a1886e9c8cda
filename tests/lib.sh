# tests/lib.sh: helpers for the shell tests; each test prints one line:
# "ok NAME", "not ok NAME: why" or "skip NAME: reason" (see tests/run.sh).

KVMSQUEEZE=${KVMSQUEEZE:-./kvmsqueeze}
BUILD=${BUILD:-build}
GUESTS=$BUILD/tests/guests
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { echo "ok $1"; }
fail() { n=$1; shift; echo "not ok $n: $*"; }
skip() { n=$1; shift; echo "skip $n: $*"; }

# Why KVM tests cannot run here, or nothing.
kvm_missing() {
	if [ ! -e /dev/kvm ]; then
		echo "no /dev/kvm"
	elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "no permission on /dev/kvm"
	fi
}

# expect NAME STATUS REGEX ARGS...: run `kvmsqueeze ARGS`, expect the exit
# status and a line of stderr matching REGEX (empty: nothing checked), and
# no sanitizer report or crash.
expect() {
	name=$1 want=$2 regex=$3
	shift 3
	"$KVMSQUEEZE" "$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$name" "exit status $got, want $want: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
		return 1
	fi
	if [ -n "$regex" ] && ! grep -Eq -- "$regex" "$TMP/err"; then
		fail "$name" "stderr lacks /$regex/: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
		return 1
	fi
	if grep -Eq 'AddressSanitizer|runtime error:|Segmentation' "$TMP/err"; then
		fail "$name" "sanitizer or crash: $(grep -Em1 'Sanitizer|runtime error' "$TMP/err")"
		return 1
	fi
	return 0
}

# vm_expect NAME STATUS REGEX ARGS...: expect for `kvmsqueeze vm ARGS`.
vm_expect() {
	name=$1 want=$2 regex=$3
	shift 3
	expect "$name" "$want" "$regex" vm "$@"
}

# json_check NAME FILE PYTHON-EXPR [MESSAGE]: the expression, with the
# JSON document as `d`, must be true.
json_check() {
	python3 - "$2" "$3" <<'PY' >"$TMP/jc" 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
if not ok:
    print("false: " + sys.argv[2])
    sys.exit(1)
PY
	rc=$?
	[ $rc -eq 0 ] || fail "$1" "${4:-JSON check failed}: $(tail -n 1 "$TMP/jc")"
	return $rc
}

# lab_run NAME ARM EXP MMU [ENV...]: one lab run into $TMP/NAME; fails NAME
# unless it ran and its result ($TMP/NAME/run/rep-1.json) validates.
lab_run() {
	lab_name=$1 lab_arm=$2 lab_exp=$3 lab_mmu=$4
	shift 4
	if ! env LAB_OUT="$TMP/$lab_name" "$@" patched-kernel/lab.sh "$lab_arm" "$lab_exp" \
		"$lab_mmu" 1 >"$TMP/$lab_name.log" 2>&1; then
		fail "$lab_name" "$(grep -E 'kvmsqueeze|lab:' "$TMP/$lab_name.log" | tail -n 3 | tr '\n' ' ')"
		return 1
	fi
	if ! python3 tests/validate_result.py "$TMP/$lab_name/run/rep-1.json" >"$TMP/val" 2>&1; then
		fail "$lab_name" "result does not validate: $(head -n 3 "$TMP/val" | tr '\n' ' ')"
		return 1
	fi
}
