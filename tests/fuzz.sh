#!/bin/sh
# tests/fuzz.sh: every fuzzer in $BUILD/tests/fuzz/ for FUZZ_SECONDS
# (default 30) with FUZZ_SEED (default 1). A fuzzer prints its own
# "ok fuzz_NAME: ..." or "not ok fuzz_NAME: seed S case N: ..." line; one
# that dies or says nothing is a failure here.
set -u
BUILD=${BUILD:-build}
secs=${FUZZ_SECONDS:-30}
seed=${FUZZ_SEED:-1}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
n=0
for f in "$BUILD"/tests/fuzz/*; do
	case "$f" in *.d) continue ;; esac
	[ -x "$f" ] || continue
	n=$((n + 1))
	name=fuzz_$(basename "$f")
	"$f" "$secs" "$seed" >"$out" 2>&1
	rc=$?
	cat "$out"
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok ' "$out"; then
		echo "not ok $name: exited with status $rc (seed $seed; rerun: $f $secs $seed)"
	elif ! grep -q '^\(not \)\{0,1\}ok ' "$out"; then
		echo "not ok $name: printed no result line"
	fi
done
[ "$n" -gt 0 ] || echo "skip fuzz: no fuzzers built in $BUILD/tests/fuzz (make test-bins)"
