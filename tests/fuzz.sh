# SPDX-License-Identifier: GPL-2.0
# tests/fuzz.sh: every fuzzer in $BUILD/tests/fuzz/ for FUZZ_SECONDS
# (default 30) with FUZZ_SEED (default 1), one test fuzz_NAME each. A
# fuzzer prints its own "ok fuzz_NAME: ..." or "not ok fuzz_NAME: seed S
# case N: ..." line; one that dies or says nothing is a failure here.
# shellcheck shell=sh
. tests/lib.sh

secs=${FUZZ_SECONDS:-30}
seed=${FUZZ_SEED:-1}
fuzzers=
for f in "$BUILD"/tests/fuzz/*; do
	case "$f" in *.d) continue ;; esac
	[ -x "$f" ] && fuzzers="$fuzzers $f"
done
if [ -z "$fuzzers" ]; then
	plan_names fuzz
	skip fuzz "no fuzzers built in $BUILD/tests/fuzz (make test-bins)"
	exit 0
fi
# shellcheck disable=SC2046,SC2086 # paths of this tree, no spaces
plan_names $(for f in $fuzzers; do echo "fuzz_$(basename "$f")"; done)
for f in $fuzzers; do
	name=fuzz_$(basename "$f")
	tap_relay "$f" "$secs" "$seed"
	rc=$?
	if ! grep -Fxq "$name" "$TMP/tap_done"; then
		fail "$name" "exited with status $rc, no result line (seed $seed; rerun: $f $secs $seed)"
	elif [ "$rc" -ne 0 ] && ! grep -q '^not ok ' "$TMP/relay"; then
		# said ok, then died: its line stands, the file's status tells
		echo "# $name exited with status $rc after its result (rerun: $f $secs $seed)"
		status=1
	fi
done
exit "${status:-0}"
