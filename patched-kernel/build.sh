#!/bin/sh
# patched-kernel/build.sh: build kernel arms. An arm is a base tree (Linux
# 6.12 from Debian's linux-source-6.12 by default, or KSRC=/path; Debian's
# linux-source-6.1; or a git tree at a ref), the base's observe patch and
# the arm's own series, in its own tree under the cache, built with
# tinyconfig + lab.config (all the lab needs, nothing more: a clean build
# of a few minutes) + the arm's config fragments (+ debug.config with
# DEBUG=1) and ccache. What an arm is comes from
# patched-kernel/arm (ARMS.md: an in-repo name, an .arm file, a folder of
# patches, git:/tree@REF; a boot-parameter arm ARM+param=value builds its
# image's arm). The image records its arm and hash in LOCALVERSION, and
# what it is made of in arm.json beside it.
#
# Usage: patched-kernel/build.sh [--check|--status] WORD...|all
#        patched-kernel/build.sh --into DIR WORD
#   --check   only check that each arm's series applies (no build)
#   --status  only say, a line per word, whether its image is up to date:
#             "up-to-date IMAGE WORD" or "build IMAGE WORD" (IMAGE: the
#             name under KVMSQ_CACHE/kernels, -debug with DEBUG=1); cheap:
#             nothing is unpacked, exported, locked or installed (an arm
#             whose hash needs a base tree not unpacked yet says build)
#   --into    build, then copy the image's directory (bzImage, release,
#             arm.json, selftests/...) to DIR before another build.sh may
#             replace it
# Environment: DEBUG=1 debug variant; KSRC=/path another 6.12.y tree;
#   KVMSQ_CACHE (default ~/.cache/kvmsqueeze); JOBS (default: nproc);
#   KVMSQ_PROGRESS_PERIOD (seconds between progress lines when stderr is
#   not a terminal, default 30; on a terminal one line updates each second);
#   SELFTESTS=1 (also build the KVM selftests of each arm's tree with
#   patched-kernel/selftests.sh, as the description's selftests = yes does)
#
# While make runs (its output goes to build.log), a progress line says how
# many objects are compiled (kbuild's CC and AS lines) of about how many:
# a whole build of the same .config counted them before (kept in
# KVMSQ_CACHE/build-objects/, one file per .config hash).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cache=${KVMSQ_CACHE:-$HOME/.cache/kvmsqueeze}
jobs=${JOBS:-$(nproc)}
debug=${DEBUG:-0}
check_only=0
period=${KVMSQ_PROGRESS_PERIOD:-30}
case "$period" in '' | *[!0-9]* | 0*) period=30 ;; esac
tty=
[ -t 2 ] && tty=1

usage() {
	echo "usage: patched-kernel/build.sh [--check|--status] WORD...|all, or --into DIR WORD (in-repo arms: $("$here/arm" list | tr '\n' ' ' | sed 's/ $//'); or an .arm file, a folder of patches, git:/tree@REF, ARM+param=value)" >&2
	exit 2
}
say() { echo "kernel: $*" >&2; }
die() { echo "kvmsqueeze: $*" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# load DESC: the arm of a normalized description (patched-kernel/arm
# resolve) into a_* variables, its patches into DESC.patches
load() {
	desc=$1
	a_name=$("$here/arm" get "$desc" name)
	a_base=$("$here/arm" get "$desc" base)
	a_series=$("$here/arm" get "$desc" series)
	a_config=$("$here/arm" get "$desc" config)
	a_observe=$("$here/arm" get "$desc" observe)
	a_selftests=$("$here/arm" get "$desc" selftests)
	a_params=$("$here/arm" get "$desc" params)
	"$here/arm" patches "$desc" >"$desc.patches"
}
arm_series() { cat "$desc.patches"; }
# the patches of the series alone (observe's are not the arm's)
own_series() {
	if [ "$a_observe" = yes ]; then
		grep -v '/patches/observe[^/]*/[^/]*$' "$desc.patches" || true
	else
		cat "$desc.patches"
	fi
}

# A hash of everything that makes the image: patches, fragments, variant,
# and the base when it is not debian-6.12 (whose images keep the hashes
# they had before there were other bases).
arm_hash() {
	{ for p in $(arm_series); do cat "$p"; done
	  config_lines "$here/lab.config"
	  for f in $a_config; do config_lines "$f"; done
	  [ "$debug" = 1 ] && config_lines "$here/debug.config"
	  echo "debug=$debug"
	  # a git base by its commit, wherever the tree is
	  if [ "$a_base" != debian-6.12 ] || [ "$a_observe" != yes ]; then
		bid=$a_base
		case "$bid" in git:*) bid=git:${bid##*@} ;; esac
		echo "base=$bid $(kversion "$src") observe=$a_observe"
	  fi; } | sha256sum | cut -c1-8
}
kversion() { "$here/arm" version "$1"; }
# config_lines FRAGMENT...: what a config fragment says, without its
# comments and blank lines (a comment changed rebuilds nothing)
config_lines() {
	sed -n -e '/^# CONFIG_[A-Za-z0-9_]* is not set/p' -e '/^[[:space:]]*#/d' \
		-e '/^[[:space:]]*$/d' -e p "$@"
}

arm_suffix() { if [ "$debug" = 1 ]; then echo "-debug"; fi; }

# The arm's source: a hardlinked copy of the pristine tree with its series
# applied (patch replaces the files it changes, so the pristine tree stays
# pristine). A build dir inside it makes kbuild use relative paths, so
# ccache hits across arms.
arm_tree() {
	arm=$a_name
	tree=$cache/arms/$arm
	if [ -f "$tree/.kvmsq-series" ] && [ "$(cat "$tree/.kvmsq-series")" = "$(arm_hash_nodebug)" ]; then
		return 0
	fi
	say "$arm: applying $(arm_series | wc -l) patch(es) to a copy of $src"
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$cache/arms"
	cp -al "$src" "$tree.tmp"
	rm -f "$tree.tmp/.kvmsqueeze-unpacked"
	for p in $(arm_series); do
		if ! patch -d "$tree.tmp" -p1 --batch --forward --no-backup-if-mismatch \
			-r "$cache/arms/$arm.rej" <"$p" >"$cache/arms/$arm.patch.log" 2>&1; then
			cat "$cache/arms/$arm.patch.log" >&2
			[ -s "$cache/arms/$arm.rej" ] && { echo "--- rejected hunks:" >&2; cat "$cache/arms/$arm.rej" >&2; }
			rm -rf "$tree.tmp"
			die "arm $arm: $(basename "$p") does not apply to $src"
		fi
	done
	rm -f "$cache/arms/$arm.rej" "$cache/arms/$arm.patch.log"
	arm_hash_nodebug >"$tree.tmp/.kvmsq-series"
	mv "$tree.tmp" "$tree"
}

arm_hash_nodebug() {
	d0=$debug
	debug=0
	arm_hash
	debug=$d0
}

# json_str TEXT: TEXT as a JSON string
json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | tr -d '\000-\037')"; }
# arm_json RELEASE: what the image is, for lab.sh and the results
arm_json() {
	own=$(own_series)
	n=$(printf '%s' "$own" | grep -c . || true)
	sh_=
	[ "$n" -eq 0 ] || sh_=$(for p in $own; do cat "$p"; done | sha256sum | cut -c1-16)
	case "$a_series" in
	'') from="none" ;;
	"$here"/patches/*) from="patches/${a_series#"$here"/patches/} (in-repo)" ;;
	*) from=$a_series ;;
	esac
	frags=
	for f in $a_config; do frags="$frags $(basename "$f")"; done
	ch=$({ config_lines "$here/lab.config"; for f in $a_config; do config_lines "$f"; done
		[ "$debug" = 1 ] && config_lines "$here/debug.config"; true; } | sha256sum | cut -c1-16)
	echo "{"
	echo "  \"name\": $(json_str "$a_name"),"
	echo "  \"base\": $(json_str "$a_base"),"
	echo "  \"kernel_version\": $(json_str "$(kversion "$src")"),"
	echo "  \"series\": $(json_str "$from"),"
	echo "  \"series_patches\": $n,"
	echo "  \"series_hash\": $(json_str "$sh_"),"
	echo "  \"config\": $(json_str "${frags# }"),"
	echo "  \"config_hash\": $(json_str "$ch"),"
	echo "  \"params\": $(json_str "$a_params"),"
	echo "  \"image\": $(json_str "$a_name"),"
	echo "  \"release\": $(json_str "$1")"
	echo "}"
}

# Every line of the fragments must be in the final .config, but for an
# option a later fragment sets again (an arm's fragment wins over
# lab.config); lab.config, written for 6.12, may name an option an older
# base does not have (6.1 has no CONFIG_KVM_X86): that one is skipped,
# and said.
config_check() {
	out=$1
	shift
	for frag in "$@"; do
		shift
		grep -E '^CONFIG_' "$frag" | while IFS= read -r line; do
			opt=${line%%=*} val=${line#*=}
			if [ $# -gt 0 ] && grep -qs "^$opt=" "$@"; then
				continue
			elif [ "$frag" = "$here/lab.config" ] && ! grep -q "^${opt}[= ]" "$out/.config" &&
				! grep -qx "# $opt is not set" "$out/.config" &&
				! grep -rqx "config ${opt#CONFIG_}" --include='Kconfig*' "$tree"; then
				say "$a_name: lab.config's $opt: no such option in this tree ($(kversion "$src")), skipped"
			elif [ "$val" = n ]; then
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

hms() {
	if [ "$1" -ge 3600 ]; then
		printf '%dh%02dm%02ds' $(($1 / 3600)) $(($1 % 3600 / 60)) $(($1 % 60))
	else
		printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
	fi
}

# The objects a whole build of this .config compiles, counted by the last
# such build (kbuild prints one CC or AS line per object), else by a whole
# build of another .config (the variants differ by a few dozen objects),
# else nothing. Prints "COUNT this" or "COUNT other".
objects_counted() {
	f=$cache/build-objects/$(sha256sum "$1" | cut -c1-16)
	n=$(cat "$f" 2>/dev/null || true)
	case "$n" in '' | *[!0-9]* | 0*) ;; *) echo "$n this"; return 0 ;; esac
	# shellcheck disable=SC2012 # names are hex digits
	f=$(ls -t "$cache"/build-objects/* 2>/dev/null | head -n 1)
	n=$(cat "$f" 2>/dev/null || true)
	case "$n" in '' | *[!0-9]* | 0*) ;; *) echo "$n other" ;; esac
	return 0
}

# kernel_objects OUT: the objects compiled in the build directory OUT,
# but for those of its host programs under scripts/
kernel_objects() { find "$1" -path "$1/scripts" -prune -o -name '*.o' -print; }

# How far the build in LOG is: objects compiled so far and kbuild's last
# step ("CC mm/vmscan.o").
objects_done() {
	awk '/^  (CC|AS) / { n++ } /^  [A-Z][A-Z0-9_]* / { s = $1 " " $NF }
	     END { print n + 0, s }' "$1"
}

# progress_line NAME LOG START TOTAL INCREMENTAL
progress_line() {
	# shellcheck disable=SC2046 # two words: count and step
	set -- "$1" "$2" "$3" "$4" "$5" $(objects_done "$2")
	line="$1: $6"
	if [ -z "$4" ]; then
		line="$line objects compiled"
	elif [ -n "$5" ]; then
		line="$line objects compiled (at most about $4)"
	else
		pct=$(($6 * 100 / $4))
		[ "$pct" -le 99 ] || pct=99
		line="$line of about $4 objects compiled ($pct%)"
	fi
	line="$line, $(hms $(($(date +%s) - $3))) elapsed"
	[ $# -lt 7 ] || line="$line, now $7 $8"
	echo "kernel: $line"
}

# watch_make NAME LOG START TOTAL INCREMENTAL: runs beside make until
# killed, or until this script is gone (a background job ignores Ctrl-C):
# on a terminal one line updated each second, else a line each period.
# Killed, it ends its sleep too: an orphaned sleep holding the log open
# kept a Slurm build job (KERNELS=slurm) from ending for a second or more.
watch_make() {
	cols=$(stty size 2>/dev/null </dev/tty | cut -d' ' -f2)
	case "$cols" in '' | *[!0-9]* | ? | 1?) cols=80 ;; esac
	last=$3
	nap=
	trap 'kill "$nap" 2>/dev/null; wait "$nap"; exit 0' TERM
	while kill -0 "$$" 2>/dev/null; do
		sleep 1 &
		nap=$!
		wait "$nap"
		t=$(date +%s)
		if [ -n "$tty" ]; then
			printf '\r\033[K%s' "$(progress_line "$@" | cut -c "1-$((cols - 1))")" >&2
		elif [ $((t - last)) -ge "$period" ]; then
			progress_line "$@" >&2
			last=$t
		fi
	done
}

# describe: what the arm is made of, as a line
describe() {
	say "arm $a_name$from_word: $a_base${a_config:+ + config $a_config}, observe $a_observe, $(own_series | wc -l) patch(es) of its own${a_series:+ from $a_series}"
}

# selftests: the KVM selftests of the arm's tree beside its image, once
# per image (patched-kernel/selftests.sh builds them static)
selftests() {
	[ "${SELFTESTS:-0}" = 1 ] || [ "$a_selftests" = yes ] || return 0
	[ -x "$here/selftests.sh" ] || { say "$name: no patched-kernel/selftests.sh: no selftests"; return 0; }
	[ "$(cat "$kdir/selftests/.hash" 2>/dev/null)" != "$hash" ] || return 0
	arm_tree
	rm -rf "$kdir/selftests"
	"$here/selftests.sh" "$cache/arms/$a_name" "$kdir/selftests" ||
		die "arm $a_name: patched-kernel/selftests.sh failed"
	echo "$hash" >"$kdir/selftests/.hash"
}

# image_of_arm: the arm's image: its hash, its name and where it is
image_of_arm() {
	arm=$a_name
	hash=$(arm_hash)
	name=$arm$(arm_suffix)
	kdir=$cache/kernels/$name
}
# up_to_date: the image in the cache is the one the hash names
up_to_date() { [ -f "$kdir/bzImage" ] && [ "$(cat "$kdir/hash" 2>/dev/null)" = "$hash" ]; }

# status_source DESC: the base tree, if it is at hand without unpacking
# or exporting anything (else nothing)
status_source() {
	b=$("$here/arm" get "$1" base)
	case "$b" in
	debian-6.12) t=${KSRC:-$cache/linux-source-6.12} ;;
	debian-6.1) t=$cache/linux-source-6.1 ;;
	git:*) t=$cache/git/${b##*@} ;;
	*) t= ;;
	esac
	if [ -n "${KSRC:-}" ] && [ "$b" = debian-6.12 ]; then
		[ -f "$t/Makefile" ] && echo "$t"
	elif [ -n "$t" ] && [ -f "$t/.kvmsqueeze-unpacked" ]; then
		echo "$t"
	fi
	return 0
}

# status_arm DESC WORD: the --status line of an arm; its hash names its
# base tree's version only off debian-6.12 with observe (arm_hash)
status_arm() {
	src=$(status_source "$1")
	if [ -z "$src" ] && { [ "$("$here/arm" get "$1" base)" != debian-6.12 ] ||
		[ "$("$here/arm" get "$1" observe)" != yes ]; }; then
		echo "build $("$here/arm" get "$1" name)$(arm_suffix) $2"
		return 0
	fi
	load "$1"
	image_of_arm
	if up_to_date && { { [ "${SELFTESTS:-0}" != 1 ] && [ "$a_selftests" != yes ]; } ||
		[ "$(cat "$kdir/selftests/.hash" 2>/dev/null)" = "$hash" ]; }; then
		echo "up-to-date $name $2"
	else
		echo "build $name $2"
	fi
}

build_arm() {
	image_of_arm
	if up_to_date; then
		# images built before arm.json existed get one
		[ -f "$kdir/arm.json" ] || arm_json "$(cat "$kdir/release")" >"$kdir/arm.json"
		[ -f "$kdir/modules.builtin.modinfo" ] || [ ! -f "$cache/arms/$arm/out$(arm_suffix)/modules.builtin.modinfo" ] ||
			cp "$cache/arms/$arm/out$(arm_suffix)/modules.builtin.modinfo" "$kdir/"
		say "$name: up to date ($(cat "$kdir/release"))$from_word"
		selftests
		return 0
	fi
	describe
	arm_tree
	tree=$cache/arms/$arm
	o=out$(arm_suffix)	# the build directory, relative to the tree
	out=$tree/$o
	frags="$here/lab.config${a_config:+ $a_config}"
	[ "$debug" = 1 ] && frags="$frags $here/debug.config"
	mkdir -p "$out"
	say "$name: configuring (tinyconfig + $(for f in $frags; do basename "$f"; done | tr '\n' ' '))"
	make -s -C "$tree" O="$o" tinyconfig >/dev/null
	# shellcheck disable=SC2086
	(cd "$tree" && KCONFIG_CONFIG="$o/.config" \
		scripts/kconfig/merge_config.sh -m -O "$o" "$o/.config" $frags >/dev/null)
	make -s -C "$tree" O="$o" olddefconfig >/dev/null
	# shellcheck disable=SC2086
	config_check "$out" $frags
	# a whole build (nothing compiled in the tree yet) can be counted
	# for the next one; after an incremental one, only what changed is
	# (the configuring just built kconfig's own host objects: not counted)
	whole=1 incr=
	[ -z "$(kernel_objects "$out" | head -n 1)" ] || whole='' incr=1
	# shellcheck disable=SC2046
	set -- $(objects_counted "$out/.config")
	total=${1:-}
	if [ -z "$total" ] && [ -n "$incr" ]; then
		# no whole build counted yet: the tree holds about as many
		total=$(kernel_objects "$out" | wc -l)
		about="this tree was built before: only what changed is compiled, at most about $total objects (those in the tree)"
	elif [ -z "$total" ]; then
		about="no count of its objects yet (a whole build of this configuration makes one)"
	elif [ -z "$whole" ]; then
		about="this tree was built before: only what changed is compiled, at most about $total objects"
	elif [ "$2" = this ]; then
		about="about $total objects (as many as the last whole build of this configuration)"
	else
		about="about $total objects (as many as a whole build of another configuration)"
	fi
	say "$name: building bzImage with $jobs jobs (ccache in $cache/ccache); $about"
	start=$(date +%s)
	: >"$out/build.log"
	watch_make "$name" "$out/build.log" "$start" "$total" "$incr" 9>&- &
	watcher=$!
	rc=0
	CCACHE_DIR=$cache/ccache CCACHE_BASEDIR=$tree CCACHE_NOHASHDIR=1 \
		make -C "$tree" O="$o" -j"$jobs" CC="ccache gcc" \
		LOCALVERSION="-kvmsq-$arm-$hash" KBUILD_BUILD_TIMESTAMP="kvmsqueeze" \
		KBUILD_BUILD_USER=kvmsqueeze KBUILD_BUILD_HOST=lab bzImage >>"$out/build.log" 2>&1 9>&- || rc=$?
	kill "$watcher" 2>/dev/null || true
	wait "$watcher" 2>/dev/null || true
	[ -z "$tty" ] || printf '\r\033[K' >&2
	if [ "$rc" -ne 0 ]; then
		grep -E 'error|Error' "$out/build.log" | head -n 20 >&2
		die "$name: build failed (log: $out/build.log)"
	fi
	if [ -n "$whole" ]; then
		mkdir -p "$cache/build-objects"
		objects_done "$out/build.log" | cut -d' ' -f1 \
			>"$cache/build-objects/$(sha256sum "$out/.config" | cut -c1-16)"
	fi
	mkdir -p "$kdir"
	cp "$out/arch/x86/boot/bzImage" "$kdir/bzImage.tmp"
	make -s -C "$tree" O="$o" LOCALVERSION="-kvmsq-$arm-$hash" kernelrelease >"$kdir/release"
	echo "$hash" >"$kdir/hash"
	echo "$arm" >"$kdir/arm"
	arm_json "$(cat "$kdir/release")" >"$kdir/arm.json"
	# the builtin modules' parameters: lab.sh checks an arm's params with them
	cp "$out/modules.builtin.modinfo" "$kdir/" 2>/dev/null || rm -f "$kdir/modules.builtin.modinfo"
	mv "$kdir/bzImage.tmp" "$kdir/bzImage"
	say "$name: built $(cat "$kdir/release") in $(( $(date +%s) - start )) s: $kdir/bzImage"
	selftests
}

[ $# -ge 1 ] || usage
into=
status_only=0
case "$1" in
--check) check_only=1 ;;
--status) status_only=1 ;;
esac
if [ "$check_only$status_only" != 00 ]; then
	shift
	[ $# -ge 1 ] || usage
elif [ "$1" = --into ]; then
	[ $# -eq 3 ] || usage
	into=$2
	shift 2
fi
# all: every in-repo arm whose base is here (an arm on debian-6.1 needs
# linux-source-6.1, which only such an arm asks for)
if [ "$1" = all ]; then
	set --
	for w in $("$here/arm" list); do
		if ! "$here/arm" resolve "$w" >/dev/null 2>"$work/err"; then
			if grep -q 'is not installed' "$work/err"; then
				say "skipping $(sed 's/^kvmsqueeze: //' "$work/err")"
				continue
			fi
			cat "$work/err" >&2
			exit 1
		fi
		set -- "$@" "$w"
	done
fi
# every word resolved before anything is built: a bad one stops them all;
# a boot-parameter arm builds its image's arm
i=0
descs=
for w in "$@"; do
	i=$((i + 1))
	"$here/arm" resolve "$w" >"$work/$i.arm" || exit 1
	img=$("$here/arm" get "$work/$i.arm" image)
	if [ -n "$img" ]; then
		[ "$status_only" = 1 ] ||
			say "$("$here/arm" get "$work/$i.arm" name): boots the image of $img with $("$here/arm" get "$work/$i.arm" params)"
		"$here/arm" resolve "$img" >"$work/$i.arm" || exit 1
	fi
	descs="$descs $work/$i.arm"
	[ "$status_only" = 0 ] || status_arm "$work/$i.arm" "$w"
done
[ "$status_only" = 0 ] || exit 0

# One build.sh at a time per arm in a cache, and one unpack of a base: a
# second (another make ab, a test, another checkout with another
# lab.config) waits, then finds the image built or builds its own; without
# it one removed the tree the other was compiling.
locked() {
	exec 9>"$cache/locks/$1.lock"
	flock -n 9 || { say "$2: waiting for another build.sh (lock: $cache/locks/$1.lock)"; flock 9; }
}
unlocked() { exec 9>&-; }

"$top/scripts/deps" kernel
export CCACHE_DIR="$cache/ccache"
mkdir -p "$cache/locks"
for d in $descs; do
	locked source "$("$here/arm" get "$d" base)"
	src=$("$here/arm" source "$d")
	unlocked
	load "$d"
	locked "arm-$a_name" "$a_name"
	from_word=
	w=$(sed -n '1s/^# kvmsqueeze arm, normalized from //p' "$d")
	[ "$w" = "$a_name" ] || from_word=" (arm $a_name is $w)"
	if [ "$check_only" = 1 ]; then
		describe
		arm_tree
		say "$a_name: $(arm_series | wc -l) patch(es) apply to $src"
	else
		build_arm
		# the image as built, copied while no other build.sh can replace it
		if [ -n "$into" ]; then
			rm -rf "$into"
			mkdir -p "$into"
			cp -R "$kdir/." "$into/"
		fi
	fi
	unlocked
done
