#!/bin/sh
# patched-kernel/selftests.sh: build the KVM selftests a spec may run as a
# workload (experiments/SPEC.md, "selftests"): dirty_log_perf_test,
# demand_paging_test and access_tracking_perf_test, static (the lab's
# initramfs has only busybox and a static kvmsqueeze), from the kernel
# source TREE (6.12 or 6.1) into OUTDIR.
#
# Usage: patched-kernel/selftests.sh TREE OUTDIR
#
# TREE is never written to: the uapi headers are installed out of tree
# (make O=), the selftests built with OUTPUT= and kbuild's try-run
# scratch (TMPOUT) under a temporary directory, and the script fails if
# anything in TREE is newer after the build than before it.
# Environment: JOBS (default 2); TMPDIR.
set -eu

die() { echo "kvmsqueeze: selftests: $*" >&2; exit 1; }

[ $# -eq 2 ] || { echo "usage: patched-kernel/selftests.sh TREE OUTDIR" >&2; exit 2; }
tree=$1
out=$2
jobs=${JOBS:-2}
progs="dirty_log_perf_test demand_paging_test access_tracking_perf_test"

[ -f "$tree/Makefile" ] || die "$tree: no kernel Makefile there"
kvm=$tree/tools/testing/selftests/kvm
[ -f "$kvm/Makefile" ] || die "$tree: no tools/testing/selftests/kvm (not a kernel source tree?)"
for p in $progs; do
	[ -f "$kvm/$p.c" ] || die "$tree: no $p.c in tools/testing/selftests/kvm"
done
command -v make >/dev/null 2>&1 || die "no make (scripts/deps kernel)"
command -v "${CC:-gcc}" >/dev/null 2>&1 || die "no ${CC:-gcc} (scripts/deps kernel)"
# a static link needs libc.a (libc6-dev)
echo 'int main(void) { return 0; }' | "${CC:-gcc}" -static -x c - -o /dev/null 2>/dev/null ||
	die "${CC:-gcc} cannot link a static binary (libc6-dev missing? scripts/deps kernel)"

mkdir -p "$out" || die "$out: cannot create it"
out=$(cd "$out" && pwd)
tree=$(cd "$tree" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/kvmsq-selftests.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
touch "$work/stamp"

# the uapi headers, installed out of tree: the selftests include them
# with -isystem and the build host's may be older than the tree
if ! make -s -C "$tree" O="$work/hdr" headers >"$work/headers.log" 2>&1; then
	line=$(grep -m1 -i 'error\|not found\|no rule' "$work/headers.log" || tail -n 1 "$work/headers.log")
	die "make headers failed (flex, bison or bc missing? scripts/deps kernel): $line"
fi
[ -d "$work/hdr/usr/include/linux" ] || die "make headers left no usr/include/linux"

targets=
for p in $progs; do targets="$targets $work/st/$p"; done
# shellcheck disable=SC2086 # one target a word
if ! make -s -j"$jobs" -C "$kvm" OUTPUT="$work/st" TMPOUT="$work/tmpout" \
	KHDR_INCLUDES="-isystem $work/hdr/usr/include" EXTRA_CFLAGS=-static \
	$targets >"$work/build.log" 2>&1; then
	line=$(grep -m1 -i 'error' "$work/build.log" || tail -n 1 "$work/build.log")
	die "building the selftests failed: $line"
fi

changed=$(find "$tree" -newer "$work/stamp" -print 2>/dev/null | head -n 1)
[ -z "$changed" ] || die "the build wrote into $tree ($changed): it must stay pristine"

for p in $progs; do
	[ -x "$work/st/$p" ] || die "$p was not built"
	if command -v file >/dev/null 2>&1; then
		file -L "$work/st/$p" | grep -q 'statically linked' || die "$p is not static"
	fi
	cp "$work/st/$p" "$out/$p.tmp" || die "$out: cannot write $p"
	mv "$out/$p.tmp" "$out/$p" || die "$out: cannot write $p"
done
echo "kvmsqueeze: selftests: $progs in $out" >&2
