#!/bin/sh
# tests/run.sh: run every unit binary and every tests/*.sh; count the
# "ok", "not ok" and "skip" lines they print. Last line:
# "N passed, N failed, N skipped". Exit status 1 if anything failed.
# Usage: [BUILD=build] [KVMSQUEEZE=./kvmsqueeze] tests/run.sh [PATTERN]
set -u

BUILD=${BUILD:-build}
KVMSQUEEZE=${KVMSQUEEZE:-./kvmsqueeze}
export BUILD KVMSQUEEZE
pattern=${1:-}
log=$(mktemp)
pybin=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$pybin"' EXIT

# The tests' Python modules (jsonschema, scipy) are Debian's packages
# (scripts/deps test): use Debian's python3 even where another one comes
# first in PATH (pyenv, a virtualenv).
if [ -x /usr/bin/python3 ]; then
	ln -s /usr/bin/python3 "$pybin/python3"
	PATH=$pybin:$PATH
	export PATH
fi

run_one() {
	name=$1; shift
	case "$name" in *"$pattern"*) ;; *) return 0 ;; esac
	printf '== %s\n' "$name"
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok ' "$log"; then
		# died without saying which test: count that as a failure
		echo "not ok $name: exited with status $rc"
	fi
}

{
	for t in "$BUILD"/tests/unit/*; do
		[ -x "$t" ] && run_one "unit/$(basename "$t")" "$t"
	done
	for t in tests/*.sh; do
		case "$t" in tests/run.sh|tests/lib.sh) continue ;; esac
		run_one "$(basename "$t" .sh)" sh "$t"
	done
} | tee "$log.all"

passed=$(grep -c '^ok ' "$log.all")
failed=$(grep -c '^not ok ' "$log.all")
skipped=$(grep -c '^skip ' "$log.all")
if [ "$failed" -gt 0 ]; then
	echo
	echo "failures:"
	grep '^not ok ' "$log.all"
fi
rm -f "$log.all"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
