# SPDX-License-Identifier: GPL-2.0
# tests/runner.sh: tests/run.sh itself, on a pretend tree of test files:
# PATTERN picks the files whose names hold it and =NAME exactly one; a
# PATTERN that picks nothing is an error, not "0 passed"; a file that
# prints fewer results than its plan, or dies without a "not ok", fails as
# a whole; the last line counts passed, failed and skipped.
# shellcheck shell=sh
. tests/lib.sh

plan_names runner_substring runner_exact runner_no_match runner_short_plan runner_counts

tree=$TMP/tree
mkdir -p "$tree/tests" "$tree/build/tests/unit"
cp tests/run.sh "$tree/tests/"
printf '1..1\nok 1 one\n' >"$tree/tests/arms.txt"
printf 'cat tests/arms.txt\n' >"$tree/tests/arms.sh"
printf 'printf "1..2\\nok 1 a\\nok 2 b # SKIP no reason needed here\\n"\n' >"$tree/tests/lab_arms.sh"
printf 'printf "1..3\\nok 1 a\\n"\n' >"$tree/tests/short.sh"
printf 'printf "1..1\\nok 1 a\\n"; exit 3\n' >"$tree/tests/dies.sh"
runs() { (cd "$tree" && sh tests/run.sh "$@") >"$TMP/run.out" 2>"$TMP/run.err"; }
ran() { grep '^== ' "$TMP/run.out" | cut -c4- | tr '\n' ' '; }

name=runner_substring
runs arms
if [ "$(ran)" != "arms lab_arms " ]; then
	fail "$name" "ran: $(ran)"
elif [ "$(tail -n 1 "$TMP/run.out")" != "2 passed, 0 failed, 1 skipped" ]; then
	fail "$name" "last line: $(tail -n 1 "$TMP/run.out")"
else
	ok "$name"
fi

name=runner_exact
runs '=arms'
if [ "$(ran)" != "arms " ]; then
	fail "$name" "ran: $(ran)"
else
	ok "$name"
fi

name=runner_no_match
rc=0
runs '=arm' || rc=$?
if [ "$rc" != 2 ] || [ "$(cat "$TMP/run.err")" != "tests/run.sh: no test file matches =arm (unit/NAME or NAME of tests/NAME.sh; =NAME for exactly that one)" ]; then
	fail "$name" "status $rc: $(cat "$TMP/run.err" "$TMP/run.out" | tr '\n' '|')"
else
	ok "$name"
fi

name=runner_short_plan
rc=0
runs '=short' || rc=$?
if [ "$rc" != 1 ] || ! grep -qx 'not ok short: 1 results, want 3 (the plan): died or a test went quiet' "$TMP/run.out"; then
	fail "$name" "status $rc: $(tr '\n' '|' <"$TMP/run.out")"
else
	ok "$name"
fi

name=runner_counts
rc=0
runs || rc=$?
if [ "$rc" != 1 ] || ! grep -qx 'not ok dies: exited with status 3' "$TMP/run.out" ||
	[ "$(tail -n 1 "$TMP/run.out")" != "4 passed, 2 failed, 1 skipped" ]; then
	fail "$name" "status $rc: $(tr '\n' '|' <"$TMP/run.out")"
else
	ok "$name"
fi
