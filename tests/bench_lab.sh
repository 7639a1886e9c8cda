# SPDX-License-Identifier: GPL-2.0
# tests/bench_lab.sh: bench/lab.sh (the lab's fixed cost in make bench)
# never builds a kernel: without a built image of its arm, or without
# QEMU, it says why it skips and exits 0, before anything else.
# shellcheck shell=sh
. tests/lib.sh

plan_names bench_lab_no_image bench_lab_no_qemu

name=bench_lab_no_image
mkdir -p "$TMP/cache/kernels"
bin=$TMP/bin
mkdir -p "$bin"
printf '#!/bin/sh\nexit 0\n' >"$bin/qemu-system-x86_64"
chmod +x "$bin/qemu-system-x86_64"
PATH=$bin:$PATH KVMSQ_CACHE=$TMP/cache LAB_BENCH_ARM=legacy bench/lab.sh >"$TMP/out" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
	fail "$name" "exit $rc: $(tr '\n' ' ' <"$TMP/out")"
elif ! grep -q "^lab fixed cost: skipped (no image of arm legacy in $TMP/cache/kernels: make kernel ARM=legacy)$" "$TMP/out"; then
	fail "$name" "said: $(tr '\n' ' ' <"$TMP/out")"
else
	ok "$name"
fi

# no qemu-system-x86_64 anywhere in PATH (the checks are shell builtins)
name=bench_lab_no_qemu
PATH=$TMP/empty KVMSQ_CACHE=$TMP/cache /bin/sh bench/lab.sh >"$TMP/out" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
	fail "$name" "exit $rc: $(tr '\n' ' ' <"$TMP/out")"
elif ! grep -q '^lab fixed cost: skipped (no qemu-system-x86_64)$' "$TMP/out"; then
	fail "$name" "said: $(tr '\n' ' ' <"$TMP/out")"
else
	ok "$name"
fi
