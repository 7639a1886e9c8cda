# SPDX-License-Identifier: GPL-2.0
# tests/lib.sh: helpers for the shell tests. A test file speaks TAP
# (KTAP, as the kernel's selftests do), so tests/run.sh and `prove` read
# it: "TAP version 13" (printed when this file is sourced), a plan "1..N"
# (plan_names), then one numbered line per test: "ok 3 NAME",
# "not ok 4 NAME: why" or "ok 5 NAME # SKIP reason" (ok, fail, skip).
# A helper that checks something says "not ok NAME: why" itself and
# returns 1, so a test is a chain: `helper && helper && ok NAME`; a planned
# test that printed nothing (a step failed quietly) is "not ok" at exit.
# shellcheck shell=sh

KVMSQUEEZE=${KVMSQUEEZE:-./kvmsqueeze}
BUILD=${BUILD:-build}
# shellcheck disable=SC2034 # for the tests that source this file
GUESTS=$BUILD/tests/guests
# The memory cgroup controller: v1's, else the v2 hierarchy
CGMEM=/sys/fs/cgroup/memory
[ -d "$CGMEM" ] || CGMEM=/sys/fs/cgroup
TMP=$(mktemp -d)
trap 'tap_finish; rm -rf "$TMP"' EXIT

echo "TAP version 13"
# The results so far, one name a line, and the planned names: in files, so
# that results printed from subshells (pipelines, `( )`) count too.
: >"$TMP/tap_done"
: >"$TMP/tap_plan"

# plan_names NAME...: the plan, "1..N" for the N test NAMEs this file
# prints a result for, each once; before any result, so that a file that
# dies early is caught (tests/run.sh, prove).
plan_names() {
	printf '%s\n' "$@" >"$TMP/tap_plan"
	echo "1..$#"
}

# tap_line STATUS NAME TEXT: the numbered result line of test NAME (its
# first word: the rest of it is a note)
tap_line() {
	tl_n=$(($(wc -l <"$TMP/tap_done") + 1))
	printf '%s\n' "${2%% *}" >>"$TMP/tap_done"
	# a why is one line: a newline would end the result early
	printf '%s %d %s\n' "$1" "$tl_n" "$(printf '%s' "$2$3" | tr '\n' ' ')"
	if ! grep -Fxq -- "${2%% *}" "$TMP/tap_plan"; then
		echo "# ${2%% *} is not in the plan of this file"
	fi
}

# ok NAME [NOTE...], fail NAME WHY..., skip NAME REASON...
ok() { ok_name=$1; shift; tap_line ok "$ok_name" "${*:+ $*}"; }
fail() { fl_name=$1; shift; tap_line "not ok" "$fl_name" ": $*"; }
skip() { sk_name=$1; shift; tap_line ok "$sk_name" " # SKIP $*"; }

# skip_rest REASON...: every planned test that has no result yet is skipped
# for REASON (a file that cannot run, or no longer can, says so for each).
skip_rest() {
	while read -r sr_name; do
		grep -Fxq -- "$sr_name" "$TMP/tap_done" || skip "$sr_name" "$@"
	done <"$TMP/tap_plan"
}

# tap_finish: at exit, a planned test that printed no result fails: a step
# of its chain failed without saying so.
tap_finish() {
	while read -r tf_name; do
		grep -Fxq -- "$tf_name" "$TMP/tap_done" ||
			fail "$tf_name" "printed no result (a step failed quietly, or the file ended early)"
	done <"$TMP/tap_plan"
}

# tap_relay COMMAND...: relay the "ok NAME [note]", "not ok NAME: why" and
# "skip NAME: reason" lines COMMAND prints (the Python checks) as results
# of this file; its other lines become TAP comments. Status: COMMAND's.
tap_relay() {
	"$@" >"$TMP/relay" 2>&1
	tr_rc=$?
	while IFS= read -r tr_line; do
		case $tr_line in
		"ok "*)
			tr_rest=${tr_line#ok }
			tr_name=${tr_rest%% *}
			tr_note=${tr_rest#"$tr_name"}
			ok "${tr_name%:}" "${tr_note# }"
			;;
		"not ok "*)
			tr_rest=${tr_line#not ok }
			fail "${tr_rest%%:*}" "${tr_rest#*: }"
			;;
		"skip "*)
			tr_rest=${tr_line#skip }
			skip "${tr_rest%%:*}" "${tr_rest#*: }"
			;;
		*) echo "# $tr_line" ;;
		esac
	done <"$TMP/relay"
	return "$tr_rc"
}

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
	valid "$lab_name" "$TMP/$lab_name/run/rep-1.json"
}

# Runs of `kvmsqueeze run`, their results, and the named checks of
# tests/checks/result_checks.py (`python3 tests/checks/result_checks.py
# --list` lists them, each with what it checks).

# run_exits NAME STATUS ARGS...: `kvmsqueeze run ARGS` exits STATUS, its
# stdout in $TMP/out and stderr in $TMP/err.
run_exits() {
	re_name=$1 re_want=$2
	shift 2
	"$KVMSQUEEZE" run "$@" >"$TMP/out" 2>"$TMP/err"
	re_got=$?
	if [ "$re_got" -ne "$re_want" ]; then
		fail "$re_name" "exit $re_got, want $re_want: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
		return 1
	fi
}

# start_run ARGS...: `kvmsqueeze run ARGS` in the background ($! is its
# pid), its output where run_exits puts it.
start_run() {
	"$KVMSQUEEZE" run "$@" >"$TMP/out" 2>"$TMP/err" &
}

# exited NAME PID STATUS: the run started in the background as PID exits
# STATUS.
exited() {
	wait "$2"
	ex_got=$?
	if [ "$ex_got" -ne "$3" ]; then
		fail "$1" "exit $ex_got, want $3: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
		return 1
	fi
}

# stderr_has NAME TEXT: the run's stderr ($TMP/err) has TEXT in a line.
stderr_has() {
	if ! grep -qF -- "$2" "$TMP/err"; then
		fail "$1" "stderr lacks '$2': $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
		return 1
	fi
}

# has_lines NAME WHAT TEXT REGEX...: TEXT, the output of WHAT, has a line
# matching each extended REGEX; else NAME fails with "WHAT: TEXT".
has_lines() {
	hl_name=$1 hl_what=$2 hl_text=$3
	shift 3
	for hl_regex in "$@"; do
		if ! printf '%s\n' "$hl_text" | grep -Eq -- "$hl_regex"; then
			fail "$hl_name" "$hl_what: $hl_text"
			return 1
		fi
	done
}

# error_line NAME REGEX: the run's stderr has one line of error (one
# "kvmsqueeze: " line) and a line matching the extended REGEX.
error_line() {
	if [ "$(grep -c '^kvmsqueeze: ' "$TMP/err")" -ne 1 ] || ! grep -Eq -- "$2" "$TMP/err"; then
		fail "$1" "want one line of error matching /$2/: $(grep '^kvmsqueeze' "$TMP/err" | tr '\n' '|')"
		return 1
	fi
}

# valid NAME FILE...: every result FILE validates (tests/validate_result.py).
valid() {
	va_name=$1
	shift
	if ! python3 tests/validate_result.py "$@" >"$TMP/val" 2>&1; then
		fail "$va_name" "result does not validate: $(head -n 5 "$TMP/val" | tr '\n' ' ')"
		return 1
	fi
}

# valid_strict NAME FILE...: valid, with --strict (the newer keys required).
valid_strict() {
	vs_name=$1
	shift
	valid "$vs_name" --strict "$@"
}

# named_check MODULE NAME CHECK FILE [ARG...]: the named check of
# tests/checks/MODULE.py holds on FILE; else NAME fails with what it found.
named_check() {
	nc_module=$1 nc_name=$2
	shift 2
	if ! python3 "tests/checks/$nc_module.py" "$@" >"$TMP/check" 2>&1; then
		fail "$nc_name" "$(tail -n 1 "$TMP/check")"
		return 1
	fi
}

# check NAME CHECK FILE [ARG...]: the named check holds on the result FILE;
# else NAME fails with what the check found.
check() { named_check result_checks "$@"; }

# report_check NAME CHECK FILE [ARG...]: the named check of
# tests/checks/report_checks.py holds on FILE, what report or compare
# printed with --format json or csv.
report_check() { named_check report_checks "$@"; }

# report_value VALUE FILE...: print a value of report or compare output
# (aa_summary; see report_checks.py).
report_value() {
	python3 tests/checks/report_checks.py "$@"
}

# holds CHECK FILE [ARG...]: the named check holds, quietly (for a test
# that takes one way or another by it).
holds() {
	python3 tests/checks/result_checks.py "$@" >/dev/null 2>&1
}

# result NAME CHECK FILE [ARG...]: FILE validates and the check holds on it.
result() {
	valid "$1" "$3" && check "$@"
}

# result_value VALUE FILE...: print a value of the results (tree, pids,
# run_ids, mmu; see result_checks.py).
result_value() {
	python3 tests/checks/result_checks.py "$@"
}

# run_checks NAME STATUS OUT CHECK... -- ARGS...: `kvmsqueeze run --out OUT
# ARGS` exits STATUS, OUT/rep-1.json validates and every CHECK holds on it.
# A CHECK with arguments is one word of them: "block 3".
run_checks() {
	rc_name=$1 rc_want=$2 rc_out=$3
	shift 3
	rc_checks=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		rc_checks="$rc_checks$1;"
		shift
	done
	[ $# -gt 0 ] && shift
	rc_file=$rc_out/rep-1.json
	run_exits "$rc_name" "$rc_want" --out "$rc_out" "$@" || return 1
	valid "$rc_name" "$rc_file" || return 1
	while [ -n "$rc_checks" ]; do
		rc_one=${rc_checks%%;*}
		rc_checks=${rc_checks#*;}
		# shellcheck disable=SC2086 # a check's name and its arguments, split on purpose
		set -- $rc_one
		rc_what=$1
		shift
		check "$rc_name" "$rc_what" "$rc_file" "$@" || return 1
	done
}

# tree_removed NAME FILE: the run's own cgroup tree (named in its result
# FILE) was removed.
tree_removed() {
	if ! tr_tree=$(result_value tree "$2" 2>&1) || [ -z "$tr_tree" ]; then
		fail "$1" "the result names no cgroup tree: $tr_tree"
		return 1
	elif [ -e "$CGMEM/$tr_tree" ]; then
		fail "$1" "cgroup tree $tr_tree left behind"
		return 1
	fi
}

# left_tree PID: a tree of the runner PID is still there (tests of other
# runs in parallel may create and remove trees of their own meanwhile)
left_tree() { ls -d "$CGMEM"/kvmsqueeze-*-"$1" >/dev/null 2>&1; }

# refused NAME STATUS REGEX COMMAND...: COMMAND, a `kvmsqueeze run` (maybe
# under unshare or setpriv), exits STATUS with one line of error matching
# REGEX, no sanitizer report or crash, and no cgroup tree of its pid left.
refused() {
	rf_name=$1 rf_want=$2 rf_regex=$3
	shift 3
	"$@" >"$TMP/out" 2>"$TMP/err" &
	rf_pid=$!
	wait "$rf_pid"
	rf_got=$?
	if [ "$rf_got" -ne "$rf_want" ]; then
		fail "$rf_name" "exit status $rf_got, want $rf_want: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
	elif ! grep -Eq -- "$rf_regex" "$TMP/err"; then
		fail "$rf_name" "stderr lacks /$rf_regex/: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
	elif [ "$(grep -c '^kvmsqueeze: ' "$TMP/err")" -ne 1 ]; then
		fail "$rf_name" "not one line of error: $(tr '\n' '|' <"$TMP/err")"
	elif grep -Eq 'AddressSanitizer|runtime error:|Segmentation' "$TMP/err"; then
		fail "$rf_name" "sanitizer or crash"
	elif left_tree "$rf_pid"; then
		fail "$rf_name" "a cgroup tree was left behind"
	else
		return 0
	fi
	return 1
}

# run_expect NAME STATUS REGEX ARGS...: refused, for `kvmsqueeze run ARGS`;
# ok NAME if so.
run_expect() {
	rx_name=$1 rx_want=$2 rx_regex=$3
	shift 3
	refused "$rx_name" "$rx_want" "$rx_regex" "$KVMSQUEEZE" run "$@" && ok "$rx_name"
}

# fake_kernel_make FILE VERSION: the start of a pretend `make` for a kernel
# tree at FILE: it takes -C, O= and LOCALVERSION= as kbuild does, makes a
# .config (and kconfig's host objects) for tinyconfig, says release VERSION<LOCALVERSION>, and
# leaves the case of the bzImage target open: the caller appends its
# commands, ";;" and "esac".
fake_kernel_make() {
	cat >"$1" <<EOF
#!/bin/sh
dir=. o=. target= lv=
for a in "\$@"; do
	case "\$a" in
	-C) next=C ;;
	O=*) o=\${a#O=} ;;
	LOCALVERSION=*) lv=\${a#LOCALVERSION=} ;;
	-*|*=*) ;;
	*) if [ "\${next:-}" = C ]; then dir=\$a; next=; else target=\$a; fi ;;
	esac
done
cd "\$dir" || exit 2
case "\$target" in
tinyconfig)
	# as kbuild, which compiles kconfig's own programs first
	mkdir -p "\$o/scripts/kconfig"
	: >"\$o/scripts/kconfig/conf.o"
	echo "CONFIG_FAKE=y" >"\$o/.config" ;;
olddefconfig) ;;
kernelrelease) echo "$2\$lv" ;;
bzImage)
EOF
	chmod +x "$1"
}

# fake_kernel_src DIR VERSION: a pretend kernel source in DIR/src (a
# Makefile and kconfig's merge_config.sh, which appends the fragments to
# the base) and a make for it in DIR/bin, to put first in PATH: its
# bzImage prints FAKE_OBJS kbuild CC lines FAKE_DELAY s apart, then
# writes the image, or with FAKE_MAKE_FAIL fails as a compiler error does
fake_kernel_src() {
	mkdir -p "$1/src/scripts/kconfig" "$1/bin"
	echo 'all:' >"$1/src/Makefile"
	# shellcheck disable=SC2016 # the script, literally
	printf '#!/bin/sh\n# -m -O DIR BASE FRAGMENT...\nshift 3\nbase=$1\nshift\ncat "$@" >>"$base"\n' \
		>"$1/src/scripts/kconfig/merge_config.sh"
	fake_kernel_make "$1/bin/make" "$2"
	cat >>"$1/bin/make" <<'MAKE_END'
	echo "  SYNC    include/config/auto.conf"
	mkdir -p "$o/obj" "$o/arch/x86/boot"
	i=0
	while [ "$i" -lt "$FAKE_OBJS" ]; do
		i=$((i + 1))
		sleep "$FAKE_DELAY"
		echo "  CC      obj/$i.o"
		: >"$o/obj/$i.o"
	done
	[ -z "${FAKE_MAKE_FAIL:-}" ] || { echo "obj/x.c:1: error: broken on purpose"; exit 2; }
	echo "  LD      vmlinux"
	echo image >"$o/arch/x86/boot/bzImage"
	;;
esac
MAKE_END
	chmod +x "$1/src/scripts/kconfig/merge_config.sh" "$1/bin/make"
}

# fake_lab_tree DIR: a tree in which make ab (a copy of ab.sh) runs a lab
# that pretends: after FAKE_LAB_S seconds (default 1) it writes a result
# naming its arm, block and MMU; FAKE_FAIL="arm:block" fails that run;
# with FAKE_LOG set, it logs "TIME start|end|stopped ARM BLOCK PID" lines
# (stopped: a TERM); then what fake_ab_tree adds
fake_lab_tree() {
	mkdir -p "$1/patched-kernel" "$1/scripts"
	cp patched-kernel/ab.sh "$1/patched-kernel/ab.sh"
	cat >"$1/patched-kernel/lab.sh" <<'EOF'
#!/bin/sh
set -eu
[ "$1" = --clock ] && { echo "${LAB_CLOCK:-icount}"; exit 0; }
log() { [ -z "${FAKE_LOG:-}" ] || echo "$(date +%s.%N) $1 $2 $LAB_BLOCK $$" >>"$FAKE_LOG"; }
log start "$1"
trap 'kill "$s"; log stopped "$1"; exit 143' TERM
sleep "${FAKE_LAB_S:-1}" & s=$!
wait "$s"
case " ${FAKE_FAIL:-} " in *" $1:$LAB_BLOCK "*) echo "lab: broken on purpose"; exit 1 ;; esac
mkdir -p "$LAB_OUT/run"
echo "{\"arm\": \"$1\", \"block\": $LAB_BLOCK, \"mmu\": \"$3\"}" >"$LAB_OUT/run/rep-1.json"
log end "$1"
echo "lab: done in ${FAKE_LAB_S:-1} s"
EOF
	fake_ab_tree "$1"
}

# fake_ab_tree DIR: what patched-kernel/ab.sh needs besides its lab.sh (the
# caller writes DIR/patched-kernel/lab.sh first): its executors and
# lab-run, copied, a build.sh that pretends
# to build each arm, scripts/deps and a Makefile that do nothing, and a
# kvmsqueeze that names run_s as the primary and echoes the rest.
fake_ab_tree() {
	cat >"$1/patched-kernel/build.sh" <<'EOF'
#!/bin/sh
for a in "$@"; do
	mkdir -p "$KVMSQ_CACHE/kernels/$a"
	echo "6.12.0-kvmsq-$a-0" >"$KVMSQ_CACHE/kernels/$a/release"
done
EOF
	cp patched-kernel/lab-run patched-kernel/exec-local patched-kernel/exec-slurm "$1/patched-kernel/"
	printf '#!/bin/sh\nexit 0\n' >"$1/scripts/deps"
	printf 'all static:\n\t@true\n' >"$1/Makefile"
	cat >"$1/kvmsqueeze" <<'EOF'
#!/bin/sh
case "$1 $2" in
"run --primaries") echo run_s ;;
"run --list") ;;
*) echo "$*" ;;
esac
EOF
	chmod +x "$1/patched-kernel/lab.sh" "$1/patched-kernel/build.sh" "$1/scripts/deps" "$1/kvmsqueeze"
}
