# SPDX-License-Identifier: GPL-2.0
# tests/deps.sh: scripts/deps with a pretend dpkg-query, id and apt-get
# first in PATH: nothing said when all is there; as root it says what it
# installs, for which set and why, and shows apt-get's lines (its
# errors too); not root, what is missing and the apt-get line to run;
# the exit status of each case.
# shellcheck shell=sh
. tests/lib.sh

plan_names deps_all_there deps_install_says_why deps_update_retry deps_apt_fails deps_not_root \
	deps_usage

bin=$TMP/bin
mkdir -p "$bin"
# installed: every package but those in FAKE_MISSING
cat >"$bin/dpkg-query" <<'EOF'
#!/bin/sh
for p; do :; done
case " $FAKE_MISSING " in *" $p "*) echo not-installed ;; *) echo installed ;; esac
EOF
cat >"$bin/id" <<'EOF'
#!/bin/sh
echo "${FAKE_UID:-0}"
EOF
# apt-get: its lines on stdout; FAKE_APT_FAIL=once fails the first
# install (stale lists), =always every one; calls logged in FAKE_APT_LOG
cat >"$bin/apt-get" <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_APT_LOG"
case "$*" in
"update -q") echo "Hit:1 http://deb.debian.org/debian trixie InRelease"; exit 0 ;;
esac
n=$(grep -c '^install' "$FAKE_APT_LOG")
if [ "${FAKE_APT_FAIL:-}" = always ] || { [ "${FAKE_APT_FAIL:-}" = once ] && [ "$n" -eq 1 ]; }; then
	echo "E: Unable to locate package $4"
	exit 100
fi
for p; do case "$p" in -*|install) ;; *) echo "Setting up $p (1.0) ..." ;; esac; done
EOF
chmod +x "$bin"/*
deps() {
	rm -f "$TMP/apt.log"
	env PATH="$bin:$PATH" FAKE_APT_LOG="$TMP/apt.log" "$@" scripts/deps test analysis \
		>"$TMP/out" 2>"$TMP/err"
}

name=deps_all_there
if ! deps FAKE_MISSING=; then
	fail "$name" "exit $?: $(cat "$TMP/err")"
elif [ -s "$TMP/err" ] || [ -s "$TMP/out" ] || [ -f "$TMP/apt.log" ]; then
	fail "$name" "said something or ran apt-get: $(cat "$TMP/err" "$TMP/out")"
else
	ok "$name"
fi

# As root: a line per set naming each package it installs and why (a
# package of two sets once, for the first), then apt-get's own lines,
# on stderr; stdout stays empty.
name=deps_install_says_why
if ! deps FAKE_MISSING="gnuplot-nox shellcheck python3-scipy"; then
	fail "$name" "exit $?: $(cat "$TMP/err")"
elif ! grep -qx "kvmsqueeze: installing for \`test\`: python3-scipy (the stats oracle), gnuplot-nox (draws the plots), shellcheck (lints the shell scripts)" "$TMP/err"; then
	fail "$name" "no line for test saying why: $(head -n 2 "$TMP/err" | tr '\n' '|')"
elif grep -q "for \`analysis\`" "$TMP/err"; then
	fail "$name" "gnuplot-nox named twice: $(grep analysis "$TMP/err")"
elif ! grep -qx 'Setting up shellcheck (1.0) ...' "$TMP/err" || [ -s "$TMP/out" ]; then
	fail "$name" "apt-get's lines not shown on stderr: $(tr '\n' '|' <"$TMP/err")"
elif [ "$(cat "$TMP/apt.log")" != "install -y -q python3-scipy gnuplot-nox shellcheck" ]; then
	fail "$name" "apt-get ran as: $(cat "$TMP/apt.log")"
else
	ok "$name"
fi

# Stale package lists: the failure shown, the lists updated, installed.
name=deps_update_retry
if ! deps FAKE_MISSING=shellcheck FAKE_APT_FAIL=once; then
	fail "$name" "exit $?: $(cat "$TMP/err")"
elif ! grep -q '^E: Unable to locate package shellcheck' "$TMP/err" ||
	! grep -q 'updating the package lists (apt-get update) and trying again' "$TMP/err" ||
	! grep -q '^Setting up shellcheck' "$TMP/err"; then
	fail "$name" "$(tr '\n' '|' <"$TMP/err")"
else
	ok "$name"
fi

# apt-get failing: exit 1, its errors shown, the last line says so.
name=deps_apt_fails
if deps FAKE_MISSING=shellcheck FAKE_APT_FAIL=always; [ $? -ne 1 ]; then
	fail "$name" "exit status not 1: $(cat "$TMP/err")"
elif ! grep -q '^E: Unable to locate package' "$TMP/err" ||
	! tail -n 1 "$TMP/err" | grep -q 'kvmsqueeze: apt-get install shellcheck failed'; then
	fail "$name" "$(tr '\n' '|' <"$TMP/err")"
else
	ok "$name"
fi

# Not root: what is missing and why, the line to run last; exit 1.
name=deps_not_root
if deps FAKE_MISSING="shellcheck" FAKE_UID=1000; [ $? -ne 1 ]; then
	fail "$name" "exit status not 1: $(cat "$TMP/err")"
elif [ -f "$TMP/apt.log" ]; then
	fail "$name" "ran apt-get: $(cat "$TMP/apt.log")"
elif ! grep -qx "kvmsqueeze: needed for \`test\`: shellcheck (lints the shell scripts)" "$TMP/err" ||
	[ "$(tail -n 1 "$TMP/err")" != "kvmsqueeze: missing Debian packages: shellcheck (run: sudo apt-get install -y shellcheck)" ]; then
	fail "$name" "$(tr '\n' '|' <"$TMP/err")"
else
	ok "$name"
fi

name=deps_usage
if env PATH="$bin:$PATH" scripts/deps nosuchset >/dev/null 2>"$TMP/err"; [ $? -ne 2 ]; then
	fail "$name" "an unknown set not a usage error: $(cat "$TMP/err")"
else
	ok "$name"
fi
