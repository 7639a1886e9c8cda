# SPDX-License-Identifier: GPL-2.0
# tests/install.sh: make install into a DESTDIR, then the installed
# kvmsqueeze from another directory, without the source tree: its files,
# --version (and tool.version in vm --json), --help and the docs it
# cites, each man page rendered with every option of its --help, the
# bash completion (commands, options, catalog names, guests), ab's plan
# and the environment ab hands an installed ab.sh; make uninstall.
# shellcheck shell=sh
. tests/lib.sh

TESTS="install_files install_version install_help install_man install_completion install_ab_plan install_ab_env install_uninstall"
# shellcheck disable=SC2086 # one name a word
plan_names $TESTS
top=$PWD
dest=$TMP/dest
prefix=/usr/local
D=$dest$prefix
share=$D/share/kvmsqueeze
cmds="vm run report ab compare"

# make, as a user would run it: not the BUILD or SANITIZE of a make test
# SANITIZE=1 that may have started this test
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u SANITIZE make -s "$@"; }

if ! mk static >"$TMP/static.log" 2>&1; then
	for t in $TESTS; do skip "$t" "make static fails here, and make install needs it: $(tail -n 1 "$TMP/static.log")"; done
	exit 0
fi
if ! mk install DESTDIR="$dest" PREFIX="$prefix" >"$TMP/install.log" 2>&1; then
	for t in $TESTS; do fail "$t" "make install failed: $(tail -n 3 "$TMP/install.log" | tr '\n' ' ')"; done
	exit 0
fi
kvmsq=$D/bin/kvmsqueeze
elsewhere=$TMP/elsewhere
mkdir -p "$elsewhere"

name=install_files
missing=
for f in bin/kvmsqueeze libexec/kvmsqueeze/kvmsqueeze-static \
	share/kvmsqueeze/patched-kernel/ab.sh share/kvmsqueeze/patched-kernel/lab.sh \
	share/kvmsqueeze/patched-kernel/build.sh share/kvmsqueeze/patched-kernel/lab-init \
	share/kvmsqueeze/patched-kernel/serial-problems share/kvmsqueeze/patched-kernel/lockdep-reports \
	share/kvmsqueeze/scripts/deps share/kvmsqueeze/scripts/ksrc; do
	[ -x "$D/$f" ] || missing="$missing $f"
done
for f in README.md experiments/SPEC.md experiments/RESULT.md abi/ABI.md analysis/README.md \
	patched-kernel/lab.config patched-kernel/debug.config patched-kernel/patches/legacy/README \
	patched-kernel/checks/fault-cost.json; do
	[ -f "$share/$f" ] || missing="$missing share/kvmsqueeze/$f"
done
for p in observe legacy cache-shrinker-v2 no-shrinker inverted; do
	[ -d "$share/patched-kernel/patches/$p" ] || missing="$missing patches/$p/"
done
if [ -n "$missing" ]; then
	fail "$name" "not installed (or not executable):$missing"
elif [ -e "$share/Makefile" ]; then
	fail "$name" "a Makefile in $share makes the scripts take it for a source tree"
elif ! file "$D/libexec/kvmsqueeze/kvmsqueeze-static" | grep -q 'statically linked'; then
	fail "$name" "kvmsqueeze-static is not static: $(file "$D/libexec/kvmsqueeze/kvmsqueeze-static")"
else
	ok "$name"
fi

# --version: git describe of this tree, the same in a result
name=install_version
want=0.1
[ -e .git ] && want=$(git describe --always --dirty 2>/dev/null)
got=$(cd "$elsewhere" && "$kvmsq" --version)
if [ "$got" != "kvmsqueeze $want" ]; then
	fail "$name" "--version says '$got', want 'kvmsqueeze $want'"
elif [ "$("$top/$KVMSQUEEZE" --version)" != "$got" ]; then
	fail "$name" "$KVMSQUEEZE --version says '$("$top/$KVMSQUEEZE" --version)', the installed one '$got'"
elif [ -n "$(kvm_missing)" ]; then
	ok "$name (tool.version in vm --json not checked: $(kvm_missing))"
elif ! (cd "$elsewhere" && "$kvmsq" vm -q -m 16M -j vm.json >/dev/null 2>&1); then
	fail "$name" "kvmsqueeze vm -m 16M -j vm.json failed"
else
	check "$name" tool_version "$elsewhere/vm.json" "$want" && ok "$name"
fi

# --help of every command, and every doc a help text cites installed
name=install_help
bad=
for c in "" $cmds; do
	# shellcheck disable=SC2086 # c is one word or none
	(cd "$elsewhere" && "$kvmsq" $c --help) >"$TMP/help" 2>&1 || bad="$bad '$c --help' failed;"
	grep -q '^usage: kvmsqueeze' "$TMP/help" || bad="$bad '$c --help' has no usage line;"
	# shellcheck disable=SC2013 # paths like experiments/SPEC.md: no spaces
	for doc in $(grep -o '[a-z]*/[A-Z]*\.md' "$TMP/help"); do
		tr '\n' ' ' <"$TMP/help" | grep -q "installed in $prefix/share/kvmsqueeze" ||
			bad="$bad '$c --help' cites $doc but not where it is installed;"
		[ -f "$share/$doc" ] || bad="$bad '$c --help' cites $doc, not installed;"
	done
done
if [ -n "$bad" ]; then fail "$name" "$bad"; else ok "$name"; fi

# each man page renders, without warnings, and holds every option of
# its command's --help
name=install_man
if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
	skip "$name" "man or groff is not installed"
else
	bad=
	for c in - $cmds; do
		page=kvmsqueeze-$c
		[ "$c" = - ] && page=kvmsqueeze c=
		f=$D/share/man/man1/$page.1
		if [ ! -f "$f" ]; then
			bad="$bad $page.1 not installed;"
			continue
		fi
		w=$(groff -man -Tutf8 -ww -z "$f" 2>&1)
		[ -z "$w" ] || bad="$bad $page.1: groff warns: $w;"
		MANWIDTH=80 man -l "$f" 2>"$TMP/man.err" | col -b >"$TMP/man" || bad="$bad man -l $page.1 failed: $(cat "$TMP/man.err");"
		grep -q "^NAME" "$TMP/man" && grep -q "$page" "$TMP/man" || bad="$bad $page.1 renders no NAME;"
		# shellcheck disable=SC2086
		for o in $("$kvmsq" $c --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			grep -q -- "$o" "$TMP/man" || bad="$bad $page.1 lacks $o;"
		done
	done
	if [ -n "$bad" ]; then fail "$name" "$bad"; else ok "$name"; fi
fi

# the completion, loaded in bash: complete LINE... prints COMPREPLY for
# the last word of the line
name=install_completion
comp=$D/share/bash-completion/completions/kvmsqueeze
complete_line() {
	PATH=$D/bin:$PATH bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		COMPREPLY=(); _kvmsqueeze; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		complete "$comp" "$@"
}
if ! command -v bash >/dev/null; then
	skip "$name" "bash is not installed"
elif [ ! -f "$comp" ]; then
	fail "$name" "$comp not installed"
elif ! bash -c '. "$1" && complete -p kvmsqueeze' complete "$comp" >/dev/null 2>&1; then
	fail "$name" "sourcing $comp registers no completion for kvmsqueeze"
elif [ "$(cd "$elsewhere" && complete_line kvmsqueeze r)" != "report run " ]; then
	fail "$name" "kvmsqueeze r<TAB>: '$(complete_line kvmsqueeze r)', want 'report run'"
elif ! (cd "$elsewhere" && complete_line kvmsqueeze run '') | grep -q 'memcg-squeeze'; then
	fail "$name" "kvmsqueeze run <TAB> offers no catalog names: $(complete_line kvmsqueeze run '')"
elif ! complete_line kvmsqueeze vm --guest '' | grep -q 'touch'; then
	fail "$name" "kvmsqueeze vm --guest <TAB> offers no guests: $(complete_line kvmsqueeze vm --guest '')"
elif [ "$(complete_line kvmsqueeze report --format '')" != "csv json text " ]; then
	fail "$name" "report --format <TAB>: '$(complete_line kvmsqueeze report --format '')'"
elif mkdir -p "$elsewhere/resdir" && [ "$(cd "$elsewhere" && complete_line kvmsqueeze compare res)" != "resdir " ]; then
	fail "$name" "compare res<TAB> does not complete the directory resdir"
else
	bad=
	for c in $cmds; do
		offered=$(complete_line kvmsqueeze "$c" --)
		for o in $("$kvmsq" "$c" --help | grep -Eo '^  (-[a-zA-Z], |    )--[a-z][a-z-]*' | grep -o -- '--[a-z-]*'); do
			case " $offered" in *" $o "*) ;; *) bad="$bad $c $o;" ;; esac
		done
	done
	if [ -n "$bad" ]; then fail "$name" "options of --help not completed:$bad"; else ok "$name"; fi
fi

# ab's plan, from the installed tree, in another directory: it finds
# ab.sh, builds nothing and writes nothing there
name=install_ab_plan
if ! (cd "$elsewhere" && KVMSQ_CACHE="$TMP/cache" env -u KVMSQUEEZE "$kvmsq" ab --plan-only --arms "legacy inverted" \
	--exps idle-caches >"$TMP/plan" 2>"$TMP/plan.err"); then
	fail "$name" "kvmsqueeze ab --plan-only failed: $(tail -n 2 "$TMP/plan.err" | tr '\n' ' ')"
elif ! grep -q 'estimated wall time' "$TMP/plan.err" || [ "$(grep -c '^[0-9]* idle-caches \(legacy\|inverted\)$' "$TMP/plan")" -lt 10 ]; then
	fail "$name" "no plan: $(head -n 3 "$TMP/plan" | tr '\n' ' ') $(tail -n 1 "$TMP/plan.err")"
elif [ -e "$elsewhere/results" ]; then
	fail "$name" "a plan only wrote $elsewhere/results"
else
	ok "$name"
fi

# the environment kvmsqueeze ab gives ab.sh: an installed data dir gets
# this binary and the installed static one; a source tree (a Makefile)
# builds its own; KVMSQ_DATADIR naming nothing is an error
name=install_ab_env
fake=$TMP/fake-share
mkdir -p "$fake/patched-kernel"
# shellcheck disable=SC2016 # expanded by the fake ab.sh
printf '#!/bin/sh\necho "KVMSQUEEZE=${KVMSQUEEZE:-} KVMSQ_STATIC=${KVMSQ_STATIC:-}"\n' >"$fake/patched-kernel/ab.sh"
chmod +x "$fake/patched-kernel/ab.sh"
env_of() { (cd "$elsewhere" && env -u KVMSQUEEZE -u KVMSQ_STATIC KVMSQ_DATADIR="$fake" "$kvmsq" ab 2>&1); }
got=$(env_of)
if [ "$got" != "KVMSQUEEZE=$kvmsq KVMSQ_STATIC=$D/bin/../libexec/kvmsqueeze/kvmsqueeze-static" ]; then
	fail "$name" "installed: ab.sh got '$got'"
elif touch "$fake/Makefile" && got=$(env_of) && [ "$got" != "KVMSQUEEZE= KVMSQ_STATIC=" ]; then
	fail "$name" "source tree: ab.sh got '$got', want neither set"
elif (cd "$elsewhere" && KVMSQ_DATADIR=$TMP/nothing "$kvmsq" ab -n) 2>"$TMP/err"; then
	fail "$name" "KVMSQ_DATADIR naming no data dir did not fail"
elif ! grep -q "^kvmsqueeze: ab: KVMSQ_DATADIR=$TMP/nothing: no patched-kernel/ab.sh there" "$TMP/err"; then
	fail "$name" "KVMSQ_DATADIR naming no data dir: $(cat "$TMP/err")"
else
	ok "$name"
fi

name=install_uninstall
if ! mk uninstall DESTDIR="$dest" PREFIX="$prefix" >"$TMP/uninstall.log" 2>&1; then
	fail "$name" "make uninstall failed: $(tail -n 2 "$TMP/uninstall.log" | tr '\n' ' ')"
elif [ -n "$(find "$dest" -type f | head -n 3)" ]; then
	fail "$name" "left behind: $(find "$dest" -type f | head -n 3 | tr '\n' ' ')"
else
	ok "$name"
fi
