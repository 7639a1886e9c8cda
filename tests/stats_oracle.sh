#!/bin/sh
# tests/stats_oracle.sh: analysis/stats.c against scipy and numpy on fixed
# data sets (tests/checks/stats_oracle.py says which and how close), through
# $BUILD/tests/tools/stats_cli. Skipped without a python3 that has scipy
# (scripts/deps test installs python3-scipy).
set -u
BUILD=${BUILD:-build}
tool=$BUILD/tests/tools/stats_cli

if [ ! -x "$tool" ]; then
	echo "skip stats_oracle: no $tool (make test-bins)"
	exit 0
fi
# Debian's python3-scipy is for /usr/bin/python3; a python3 earlier in PATH
# (a virtualenv, pyenv) may not see it.
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import numpy, scipy.stats' 2>/dev/null; then
		exec "$py" tests/checks/stats_oracle.py "$tool"
	fi
done
echo "skip stats_oracle: no python3 with scipy (scripts/deps test installs python3-scipy)"
