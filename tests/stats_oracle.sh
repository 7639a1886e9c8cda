# SPDX-License-Identifier: GPL-2.0
# tests/stats_oracle.sh: analysis/stats.c against scipy and numpy on fixed
# data sets (tests/checks/stats_oracle.py says which and how close), through
# $BUILD/tests/tools/stats_cli. Skipped without a python3 that has scipy
# (scripts/deps test installs python3-scipy). The oracle's tests are as
# many as its data sets make: the plan is the names it printed (its whole
# output is read first), so a run that dies has no plan and fails.
# shellcheck shell=sh
. tests/lib.sh

tool=$BUILD/tests/tools/stats_cli

if [ ! -x "$tool" ]; then
	plan_names stats_oracle
	skip stats_oracle "no $tool (make test-bins)"
	exit 0
fi
# Debian's python3-scipy is for /usr/bin/python3; a python3 earlier in PATH
# (a virtualenv, pyenv) may not see it.
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import numpy, scipy.stats' 2>/dev/null; then
		"$py" tests/checks/stats_oracle.py "$tool" >"$TMP/oracle" 2>&1
		rc=$?
		# shellcheck disable=SC2046 # names, one a word
		plan_names $(sed -n 's/^ok \([^ ]*\).*/\1/p; s/^not ok \([^:]*\):.*/\1/p' "$TMP/oracle")
		tap_relay cat "$TMP/oracle"
		exit "$rc"
	fi
done
plan_names stats_oracle
skip stats_oracle "no python3 with scipy (scripts/deps test installs python3-scipy)"
