#!/bin/sh
# tests/run.sh: run every unit binary and every tests/*.sh; each speaks
# TAP (KTAP, as the kernel's selftests do): "TAP version 13", a plan "1..N",
# then numbered results "ok 3 NAME", "not ok 4 NAME: why" or
# "ok 5 NAME # SKIP reason". Counts: ok = passed, "# SKIP" = skipped,
# not ok = failed. A file with no plan, with fewer or more results than its
# plan, that bails out ("Bail out! why"), or that exits non-zero without a
# "not ok" fails as a whole (a "not ok FILE: why" line). Last line: "N passed, N failed, N skipped".
# Exit status 1 if anything failed.
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

# run_one NAME COMMAND...: run the test file NAME, print its output and,
# if the file as a whole went wrong, a "not ok NAME: why" line
run_one() {
	name=$1; shift
	case "$pattern" in
	=*) [ "$name" = "${pattern#=}" ] || return 0 ;;
	*) case "$name" in *"$pattern"*) ;; *) return 0 ;; esac ;;
	esac
	printf '== %s\n' "$name"
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	why=$(tap_check "$log" "$rc")
	[ -z "$why" ] || echo "not ok $name: $why"
}

# tap_check FILE STATUS: what is wrong with FILE, a test file's output
# (exit STATUS) as a whole, or nothing
tap_check() {
	awk -v rc="$2" '
	/^1\.\.[0-9]+$/ && plan == "" { plan = substr($0, 4) + 0; next }
	/^(not )?ok [0-9]+ / { results++ }
	/^not ok / { failed++ }
	/^Bail out!/ && bail == "" { bail = $0 }
	END {
		if (bail != "")
			print bail
		else if (plan == "")
			print "no plan (1..N)"
		else if (results < plan)
			printf "%d results, want %d (the plan): died or a test went quiet\n",
				results, plan
		else if (results > plan)
			printf "%d results, want %d (the plan)\n", results, plan
		else if (rc != 0 && !failed)
			printf "exited with status %d\n", rc
	}' "$1"
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

# a PATTERN that names no file is a typo, not a pass
if [ -n "$pattern" ] && ! grep -q '^== ' "$log.all"; then
	rm -f "$log.all"
	echo "tests/run.sh: no test file matches $pattern (unit/NAME or NAME of tests/NAME.sh; =NAME for exactly that one)" >&2
	exit 2
fi

# results of the files, and the whole-file failures (unnumbered)
passed=$(grep -E '^ok [0-9]+ ' "$log.all" | grep -vc ' # SKIP')
skipped=$(grep -Ec '^ok [0-9]+ .* # SKIP' "$log.all")
failed=$(grep -c '^not ok ' "$log.all")
if [ "$failed" -gt 0 ]; then
	echo
	echo "failures:"
	grep '^not ok ' "$log.all"
fi
rm -f "$log.all"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
