# SPDX-License-Identifier: GPL-2.0
# tests/shellcheck.sh: shellcheck finds nothing, at any severity, in the
# project's shell scripts; one test per folder. The tests have no shebang
# (tests/run.sh runs them with sh): each says `# shellcheck shell=sh`, and
# the file they source, tests/lib.sh, is followed (-x, from the top). A
# finding the code means is silenced on its line with the reason, never
# for a whole file. Written against shellcheck 0.9.0 (scripts/deps test).
# patched-kernel/lab-init is left out: it runs under busybox sh, which
# 0.9.0 has no dialect for (its `read -t` is not POSIX).
# shellcheck shell=sh
. tests/lib.sh

# sh_scripts FILE...: those of FILEs that exist and start with a #!/bin/sh
sh_scripts() {
	for f in "$@"; do
		[ -f "$f" ] && head -n 1 "$f" | grep -Eq '^#! *(/usr)?/bin/sh' && echo "$f"
	done
}

# lint NAME FILE...: shellcheck is silent on the FILEs
lint() {
	lint_name=$1
	shift
	if [ $# -eq 0 ]; then
		fail "$lint_name" "no scripts found"
	elif shellcheck -x -f gcc "$@" >"$TMP/sc" 2>&1; then
		ok "$lint_name"
	else
		fail "$lint_name" "$(grep -c '^[^:]*:[0-9]*:[0-9]*: ' "$TMP/sc") findings in $# files:" \
			"$(head -n 3 "$TMP/sc" | tr '\n' ' ')"
	fi
}

plan_names shellcheck_tests shellcheck_patched_kernel shellcheck_scripts shellcheck_docs \
	shellcheck_ci shellcheck_bench shellcheck_install
if ! command -v shellcheck >/dev/null; then
	skip_rest "shellcheck is not installed (scripts/deps test)"
	exit 0
fi

lint shellcheck_tests tests/*.sh
# shellcheck disable=SC2046 # paths of this tree: no spaces, one a line
lint shellcheck_patched_kernel $(sh_scripts patched-kernel/*.sh patched-kernel/serial-problems \
	patched-kernel/lab-run patched-kernel/exec-local patched-kernel/exec-slurm)
# shellcheck disable=SC2046
lint shellcheck_scripts $(sh_scripts scripts/*)
lint shellcheck_docs docs/findings/*.sh
lint shellcheck_ci .ci/run
lint shellcheck_bench bench/run.sh
# the man page and completion generators, and the completion itself (bash)
lint shellcheck_install man/mkman completion/mkcomp completion/kvmsqueeze.bash
