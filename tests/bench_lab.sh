# SPDX-License-Identifier: GPL-2.0
# tests/bench_lab.sh: bench/lab.sh (the lab's fixed cost in make bench)
# never builds a kernel: without a built image of its arm, or without
# QEMU, it says why it skips and exits 0, before anything else.
# shellcheck shell=sh
. tests/lib.sh

plan_names bench_lab_no_image bench_lab_no_qemu

# skips NAME LINE VAR=VALUE...: bench/lab.sh, run with those settings,
# exits 0 having said LINE
skips() {
	sk_name=$1 sk_line=$2
	shift 2
	env "$@" /bin/sh bench/lab.sh >"$TMP/out" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "$sk_name" "exit $rc: $(tr '\n' ' ' <"$TMP/out")"
	elif ! grep -qxF "$sk_line" "$TMP/out"; then
		fail "$sk_name" "said: $(tr '\n' ' ' <"$TMP/out")"
	else
		ok "$sk_name"
	fi
}

# a QEMU (that does nothing), but no image of the arm
mkdir -p "$TMP/cache/kernels"
bin=$TMP/bin
mkdir -p "$bin"
printf '#!/bin/sh\nexit 0\n' >"$bin/qemu-system-x86_64"
chmod +x "$bin/qemu-system-x86_64"
skips bench_lab_no_image \
	"lab fixed cost: skipped (no image of arm legacy in $TMP/cache/kernels: make kernel ARM=legacy)" \
	PATH="$bin:$PATH" KVMSQ_CACHE="$TMP/cache" LAB_BENCH_ARM=legacy

# no qemu-system-x86_64 anywhere in PATH (the checks are shell builtins)
skips bench_lab_no_qemu 'lab fixed cost: skipped (no qemu-system-x86_64)' \
	PATH="$TMP/empty" KVMSQ_CACHE="$TMP/cache"
