#!/bin/sh
# patched-kernel/build.sh: build kernel arms. Each arm is the observe patch
# and the arm's own series (patches/<arm>/) on Linux 6.12 from Debian's
# linux-source-6.12 (or KSRC=/path), in its own tree under the cache, built
# with x86_64_defconfig + lab.config (+ debug.config with DEBUG=1) and
# ccache. The image records its arm and series hash in LOCALVERSION.
#
# Usage: patched-kernel/build.sh [--check] ARM...|all
#   --check   only check that each arm's series applies (no build)
# Environment: DEBUG=1 debug variant; KSRC=/path another 6.12.y tree;
#   KVMSQ_CACHE (default ~/.cache/kvmsqueeze); JOBS (default: nproc)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cache=${KVMSQ_CACHE:-$HOME/.cache/kvmsqueeze}
jobs=${JOBS:-$(nproc)}
debug=${DEBUG:-0}
check_only=0

usage() {
	echo "usage: patched-kernel/build.sh [--check] ARM...|all (arms: $(arms_list | tr '\n' ' '))" >&2
	exit 2
}
say() { echo "kernel: $*" >&2; }
die() { echo "kvmsqueeze: $*" >&2; exit 1; }

arms_list() {
	for d in "$here"/patches/*/; do
		a=$(basename "$d")
		[ "$a" = observe ] || echo "$a"
	done
}

# The patches an arm is made of, in order: observe first, for every arm.
arm_series() {
	for p in "$here"/patches/observe/*.patch "$here"/patches/"$1"/*.patch; do
		[ -f "$p" ] && echo "$p"
	done
	return 0
}

# A hash of everything that makes the image: series, fragments, variant.
arm_hash() {
	{ for p in $(arm_series "$1"); do cat "$p"; done
	  cat "$here/lab.config"
	  [ "$debug" = 1 ] && cat "$here/debug.config"
	  echo "debug=$debug"; } | sha256sum | cut -c1-8
}

arm_suffix() { if [ "$debug" = 1 ]; then echo "-debug"; fi; }

# The arm's source: a hardlinked copy of the pristine tree with its series
# applied (patch replaces the files it changes, so the pristine tree stays
# pristine). A build dir inside it makes kbuild use relative paths, so
# ccache hits across arms.
arm_tree() {
	arm=$1 src=$2
	tree=$cache/arms/$arm
	if [ -f "$tree/.kvmsq-series" ] && [ "$(cat "$tree/.kvmsq-series")" = "$(arm_hash_nodebug "$arm")" ]; then
		return 0
	fi
	say "$arm: applying $(arm_series "$arm" | wc -l) patch(es) to a copy of $src"
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$cache/arms"
	cp -al "$src" "$tree.tmp"
	rm -f "$tree.tmp/.kvmsqueeze-unpacked"
	for p in $(arm_series "$arm"); do
		if ! patch -d "$tree.tmp" -p1 --batch --forward --no-backup-if-mismatch \
			-r "$cache/arms/$arm.rej" <"$p" >"$cache/arms/$arm.patch.log" 2>&1; then
			cat "$cache/arms/$arm.patch.log" >&2
			[ -s "$cache/arms/$arm.rej" ] && { echo "--- rejected hunks:" >&2; cat "$cache/arms/$arm.rej" >&2; }
			rm -rf "$tree.tmp"
			die "$arm: $(basename "$p") does not apply to $src"
		fi
	done
	rm -f "$cache/arms/$arm.rej" "$cache/arms/$arm.patch.log"
	arm_hash_nodebug "$arm" >"$tree.tmp/.kvmsq-series"
	mv "$tree.tmp" "$tree"
}

arm_hash_nodebug() { debug=0 arm_hash "$1"; }

# Every line of the fragments must be in the final .config.
config_check() {
	out=$1
	shift
	for frag in "$@"; do
		grep -E '^CONFIG_' "$frag" | while IFS= read -r line; do
			opt=${line%%=*} val=${line#*=}
			if [ "$val" = n ]; then
				if grep -q "^$opt=" "$out/.config"; then
					die "$opt is set in $out/.config, $frag wants it off"
				fi
			elif ! grep -qx "$line" "$out/.config"; then
				die "$line from $frag did not take (see $out/.config)"
			fi
		done
	done
	return 0
}

build_arm() {
	arm=$1 src=$2
	hash=$(arm_hash "$arm")
	name=$arm$(arm_suffix)
	kdir=$cache/kernels/$name
	if [ -f "$kdir/bzImage" ] && [ "$(cat "$kdir/hash" 2>/dev/null)" = "$hash" ]; then
		say "$name: up to date ($(cat "$kdir/release"))"
		return 0
	fi
	arm_tree "$arm" "$src"
	tree=$cache/arms/$arm
	o=out$(arm_suffix)	# the build directory, relative to the tree
	out=$tree/$o
	frags="$here/lab.config"
	[ "$debug" = 1 ] && frags="$frags $here/debug.config"
	mkdir -p "$out"
	say "$name: configuring (x86_64_defconfig + $(for f in $frags; do basename "$f"; done | tr '\n' ' '))"
	make -s -C "$tree" O="$o" x86_64_defconfig >/dev/null
	# shellcheck disable=SC2086
	(cd "$tree" && KCONFIG_CONFIG="$o/.config" \
		scripts/kconfig/merge_config.sh -m -O "$o" "$o/.config" $frags >/dev/null)
	make -s -C "$tree" O="$o" olddefconfig >/dev/null
	# shellcheck disable=SC2086
	config_check "$out" $frags
	say "$name: building bzImage with $jobs jobs (ccache in $cache/ccache)"
	start=$(date +%s)
	if ! CCACHE_DIR=$cache/ccache CCACHE_BASEDIR=$tree CCACHE_NOHASHDIR=1 \
		make -C "$tree" O="$o" -j"$jobs" CC="ccache gcc" \
		LOCALVERSION="-kvmsq-$arm-$hash" KBUILD_BUILD_TIMESTAMP="kvmsqueeze" \
		KBUILD_BUILD_USER=kvmsqueeze KBUILD_BUILD_HOST=lab bzImage >"$out/build.log" 2>&1; then
		grep -E 'error|Error' "$out/build.log" | head -n 20 >&2
		die "$name: build failed (log: $out/build.log)"
	fi
	mkdir -p "$kdir"
	cp "$out/arch/x86/boot/bzImage" "$kdir/bzImage.tmp"
	make -s -C "$tree" O="$o" LOCALVERSION="-kvmsq-$arm-$hash" kernelrelease >"$kdir/release"
	echo "$hash" >"$kdir/hash"
	echo "$arm" >"$kdir/arm"
	mv "$kdir/bzImage.tmp" "$kdir/bzImage"
	say "$name: built $(cat "$kdir/release") in $(( $(date +%s) - start )) s: $kdir/bzImage"
}

[ $# -ge 1 ] || usage
if [ "$1" = --check ]; then
	check_only=1
	shift
	[ $# -ge 1 ] || usage
fi
# shellcheck disable=SC2046 # arm names are [a-z0-9-], one per line
[ "$1" = all ] && set -- $(arms_list)
for arm in "$@"; do
	if [ ! -d "$here/patches/$arm" ] || [ "$arm" = observe ]; then
		die "no arm '$arm' (arms: $(arms_list | tr '\n' ' '))"
	fi
done

"$top/scripts/deps" kernel
src=$("$top/scripts/ksrc")
export CCACHE_DIR="$cache/ccache"
for arm in "$@"; do
	if [ "$check_only" = 1 ]; then
		arm_tree "$arm" "$src"
		say "$arm: $(arm_series "$arm" | wc -l) patch(es) apply to $src"
	else
		build_arm "$arm" "$src"
	fi
done
