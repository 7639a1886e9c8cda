# SPDX-License-Identifier: GPL-2.0
# tests/arms.sh: kernel arms from anywhere, without a lab. Arm words and
# .arm descriptions resolve to one normalized description (patched-kernel/
# arm); every bad input is refused with one line naming the arm and the
# thing, before anything is built; a description never runs a command.
# build.sh on a pretend tree (a make that writes files) keeps the in-repo
# arms' hashes, writes arm.json, and runs the selftests hook; build.sh
# --check applies a one-line out-of-tree series from a folder and from a
# git range to Debian's 6.12, refuses one that does not apply, and applies
# observe-6.1 to Debian's 6.1; make ab labels its sets by arm name.
# shellcheck shell=sh disable=SC2012 # ls of names the tests made
. tests/lib.sh

plan_names arms_inrepo_words arms_file_parsed arms_param_word arms_image_path arms_never_evaluated \
	arms_bad_key arms_bad_tree arms_bad_ref arms_bad_base arms_bad_empty_series \
	arms_bad_name arms_bad_image arms_bad_image_mixed arms_bad_param arms_bad_word \
	arms_git_tree arms_hash_kept arms_build_status arms_hash_comments arms_git_base_hash arms_json arms_selftests_hook arms_ab_words \
	arms_ab_name_clash arms_folder_check arms_git_range_check arms_series_rejected \
	arms_observe_61

arm=$PWD/patched-kernel/arm
# the pristine trees come from the user's cache (unpacked once); the rest
# of what the tests make goes to one of their own
real_cache=${KVMSQ_CACHE:-$HOME/.cache/kvmsqueeze}
export KVMSQ_CACHE="$TMP/cache"
gitc() { git -c user.name=t -c user.email=t@localhost -c init.defaultBranch=main "$@"; }

# refused NAME REGEX WORD: `arm resolve WORD` fails with one line that
# names the thing (REGEX)
arm_refused() {
	if "$arm" resolve "$3" >"$TMP/out" 2>"$TMP/err"; then
		fail "$1" "accepted: $(tr '\n' ' ' <"$TMP/out")"
	elif [ "$(wc -l <"$TMP/err")" -ne 1 ]; then
		fail "$1" "not one line: $(tr '\n' '|' <"$TMP/err")"
	elif ! grep -Eq -- "$2" "$TMP/err"; then
		fail "$1" "says '$(cat "$TMP/err")', want /$2/"
	else
		ok "$1"
	fi
}
# key VALUE: the value of KEY in $TMP/out
val() { "$arm" get "$TMP/out" "$1"; }

# In-repo arms: the name is the word, debian-6.12, observe, their folder.
name=arms_inrepo_words
if ! "$arm" resolve cache-shrinker-v2 >"$TMP/out" 2>"$TMP/err"; then
	fail "$name" "$(cat "$TMP/err")"
elif [ "$(val name)" != cache-shrinker-v2 ] || [ "$(val base)" != debian-6.12 ] ||
	[ "$(val observe)" != yes ] || [ "$(val series)" != "$PWD/patched-kernel/patches/cache-shrinker-v2" ]; then
	fail "$name" "$(tr '\n' '|' <"$TMP/out")"
elif ! "$arm" resolve legacy >"$TMP/out" || [ -n "$(val series)" ] ||
	[ "$("$arm" names legacy)" != "legacy legacy" ]; then
	fail "$name" "legacy: $(tr '\n' '|' <"$TMP/out")"
elif ! "$arm" list | grep -qx base-6.1 || "$arm" list | grep -q observe; then
	fail "$name" "arm list: $("$arm" list | tr '\n' ' ')"
else
	ok "$name"
fi

# An .arm file: comments, spaces, relative paths from its folder.
d=$TMP/desc
mkdir -p "$d/series" "$d/frags"
echo "--- a/x" >"$d/series/0001-x.patch"
echo "CONFIG_KVM_PROVE_MMU=y" >"$d/frags/prove.config"
cat >"$d/mine.arm" <<'EOF'
# my arm
name = my-arm.v2   # trailing comment
series = series
config = frags/prove.config
params = kvm.eager_page_split=N  kvm.tdp_mmu=N
selftests = yes
EOF
name=arms_file_parsed
if ! (cd / && "$arm" resolve "$d/mine.arm") >"$TMP/out" 2>"$TMP/err"; then
	fail "$name" "$(cat "$TMP/err")"
elif [ "$(val name)" != my-arm.v2 ] || [ "$(val series)" != "$d/series" ] ||
	[ "$(val config)" != "$d/frags/prove.config" ] || [ "$(val base)" != debian-6.12 ] ||
	[ "$(val params)" != "kvm.eager_page_split=N kvm.tdp_mmu=N" ] ||
	[ "$(val observe)" != yes ] || [ "$(val selftests)" != yes ]; then
	fail "$name" "$(tr '\n' '|' <"$TMP/out")"
else
	ok "$name"
fi

# ARM+param=value: the image's arm, the parameters, a derived name; a
# boot-parameter arm of a boot-parameter arm is flattened.
name=arms_param_word
cat >"$d/split.arm" <<'EOF'
image = legacy
params = kvm.eager_page_split=N
EOF
if ! "$arm" resolve legacy+kvm.eager_page_split=N+kvm.tdp_mmu=N >"$TMP/out" 2>"$TMP/err"; then
	fail "$name" "$(cat "$TMP/err")"
elif [ "$(val name)" != legacy-kvm.eager_page_split-n-kvm.tdp_mmu-n ] || [ "$(val image)" != legacy ] ||
	[ "$(val params)" != "kvm.eager_page_split=N kvm.tdp_mmu=N" ] || [ -n "$(val base)" ]; then
	fail "$name" "$(tr '\n' '|' <"$TMP/out")"
elif ! "$arm" resolve "$d/split.arm+kvm.tdp_mmu=N" >"$TMP/out" 2>"$TMP/err" ||
	[ "$(val image)" != legacy ] || [ "$(val params)" != "kvm.eager_page_split=N kvm.tdp_mmu=N" ] ||
	[ "$("$arm" names "$d/split.arm+kvm.tdp_mmu=N")" != "split-kvm.tdp_mmu-n legacy" ]; then
	fail "$name" "an image of an image arm: $(tr '\n' '|' <"$TMP/out") $(cat "$TMP/err")"
else
	ok "$name"
fi

# An image named by the path of its description is found from the
# folder of the file that names it, wherever the command runs.
name=arms_image_path
mkdir -p "$d/pair"
printf 'name = pair-image\nbase = debian-6.12\n' >"$d/pair/image.arm"
printf 'image = image.arm\nparams = kvm.eager_page_split=N\n' >"$d/pair/off.arm"
if ! (cd / && "$arm" names "$d/pair/off.arm") >"$TMP/out" 2>"$TMP/err"; then
	fail "$name" "$(cat "$TMP/err")"
elif [ "$(cat "$TMP/out")" != "off pair-image" ]; then
	fail "$name" "names: $(cat "$TMP/out")"
else
	ok "$name"
fi

# A description is data: $(...), backquotes and ; in it run nothing.
name=arms_never_evaluated
# shellcheck disable=SC2016 # literally
printf 'name = x$(touch %s/pwned1)\n' "$TMP" >"$d/evil1.arm"
# shellcheck disable=SC2016
printf 'params = a=`touch %s/pwned2`\n' "$TMP" >"$d/evil2.arm"
printf 'series = ;touch %s/pwned3\n' "$TMP" >"$d/evil3.arm"
printf 'x;touch %s/pwned4 = 1\n' "$TMP" >"$d/evil4.arm"
refusals=0
for i in 1 2 3 4; do
	"$arm" resolve "$d/evil$i.arm" >/dev/null 2>&1 || refusals=$((refusals + 1))
done
if [ "$refusals" -ne 4 ] || ls "$TMP"/pwned* >/dev/null 2>&1; then
	fail "$name" "$refusals of 4 refused; ran: $(ls "$TMP"/pwned* 2>/dev/null | tr '\n' ' ')"
else
	ok "$name"
fi

# Bad input: one line each, naming the arm and the thing.
printf '# ok\nbase = debian-6.12\nseries_dir = x\n' >"$d/badkey.arm"
arm_refused arms_bad_key "arm badkey: .*badkey.arm:3: unknown key 'series_dir'" "$d/badkey.arm"
printf 'base = git:%s/nowhere@main\n' "$TMP" >"$d/badtree.arm"
arm_refused arms_bad_tree "arm badtree: git tree $TMP/nowhere: no such directory" "$d/badtree.arm"
mkdir -p "$TMP/fake-linux"
echo 'VERSION = 6' >"$TMP/fake-linux/Makefile"
printf 'PATCHLEVEL = 13\nSUBLEVEL = 0\nEXTRAVERSION = -rc1\n' >>"$TMP/fake-linux/Makefile"
echo one >"$TMP/fake-linux/file"
# merge_config.sh of a pretend tree: the fragments appended to the base
mkdir -p "$TMP/fake-linux/scripts/kconfig"
cat >"$TMP/fake-linux/scripts/kconfig/merge_config.sh" <<'EOF'
#!/bin/sh
shift 3
base=$1
shift
cat "$@" >>"$base"
EOF
chmod +x "$TMP/fake-linux/scripts/kconfig/merge_config.sh"
(cd "$TMP/fake-linux" && gitc init -q && gitc add . && gitc commit -qm base && gitc branch my-branch)
arm_refused arms_bad_ref "arm git-nope: no ref 'nope' in git tree $TMP/fake-linux" "git:$TMP/fake-linux@nope"
echo 'base = debian-6.1' >"$d/old.arm"
export KVMSQ_USRSRC="$TMP/nothing-here"
arm_refused arms_bad_base "arm old: base debian-6.1 is not installed \(apt-get install linux-source-6.1\)" \
	"$d/old.arm"
unset KVMSQ_USRSRC
mkdir -p "$d/empty"
touch "$d/empty/README"
arm_refused arms_bad_empty_series "arm empty: series folder $d/empty holds no \*.patch files" "$d/empty"
printf 'name = My_Arm!\n' >"$d/badname.arm"
arm_refused arms_bad_name "arm My_Arm!: .*name 'My_Arm!': use a-z 0-9" "$d/badname.arm"
printf 'image = no-such-arm\nparams = a=1\n' >"$d/badimage.arm"
arm_refused arms_bad_image "arm badimage: image 'no-such-arm' names no arm" "$d/badimage.arm"
printf 'image = legacy\nseries = series\n' >"$d/mixed.arm"
arm_refused arms_bad_image_mixed "arm mixed: .*mixed.arm:2: an image arm boots another arm's image: no series" "$d/mixed.arm"
arm_refused arms_bad_param "arm legacy\+kvm.tdp_mmu: parameter 'kvm.tdp_mmu' is not word=value" "legacy+kvm.tdp_mmu"
arm_refused arms_bad_word "arm no-such-arm: no such arm \(in-repo arms: .*legacy" no-such-arm

# git:/tree@REF: the base is that tree at the ref's commit, exported into
# the cache once; observe off unless asked for.
name=arms_git_tree
commit=$(git -C "$TMP/fake-linux" rev-parse my-branch)
if ! "$arm" resolve "git:$TMP/fake-linux@my-branch" >"$TMP/out" 2>"$TMP/err"; then
	fail "$name" "$(cat "$TMP/err")"
elif [ "$(val base)" != "git:$TMP/fake-linux@$commit" ] || [ "$(val name)" != git-my-branch ] ||
	[ "$(val observe)" != no ]; then
	fail "$name" "$(tr '\n' '|' <"$TMP/out")"
elif ! src=$("$arm" source "$TMP/out" 2>"$TMP/err") || [ "$src" != "$KVMSQ_CACHE/git/$commit" ] ||
	! cmp -s "$src/Makefile" "$TMP/fake-linux/Makefile" ||
	[ "$("$arm" version "$src")" != 6.13.0-rc1 ] || [ -n "$("$arm" patches "$TMP/out")" ]; then
	fail "$name" "exported as '$src' $(cat "$TMP/err")"
else
	ok "$name"
fi

# build.sh on a pretend 6.12 tree: a make that writes what the build would
# (a .config of the fragments, a bzImage, modules.builtin.modinfo), a
# one-line lab.config, an observe patch and a series of one patch.
kb=$TMP/kb
pk=$kb/top/patched-kernel
mkdir -p "$pk/patches/observe" "$pk/patches/legacy" "$pk/patches/one" "$pk/patches/two" "$kb/top/scripts" \
	"$kb/src/scripts/kconfig" "$kb/bin"
cp patched-kernel/build.sh patched-kernel/arm "$pk/"
cp scripts/ksrc "$kb/top/scripts/"
printf '#!/bin/sh\nexit 0\n' >"$kb/top/scripts/deps"
echo 'CONFIG_PRETEND=y' >"$pk/lab.config"
echo README >"$pk/patches/legacy/README"
printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\nEXTRAVERSION =\n' >"$kb/src/Makefile"
printf 'one\n' >"$kb/src/file"
cat >"$pk/patches/observe/0001-observe.patch" <<'EOF'
--- a/file
+++ b/file
@@ -1 +1,2 @@
 one
+observed
EOF
cat >"$pk/patches/one/0001-one.patch" <<'EOF'
--- a/file
+++ b/file
@@ -1,2 +1,3 @@
 one
 observed
+patched
EOF
cat >"$pk/patches/two/0001-two.patch" <<'EOF'
--- a/file
+++ b/file
@@ -1 +1,2 @@
 one
+two
EOF
cp "$TMP/fake-linux/scripts/kconfig/merge_config.sh" "$kb/src/scripts/kconfig/"
fake_kernel_make "$kb/bin/make" 6.12.117
cat >>"$kb/bin/make" <<'EOF'
	mkdir -p "$o/arch/x86/boot"
	echo "  CC      obj/1.o"
	cp file "$o/arch/x86/boot/bzImage"
	printf 'kvm.parmtype=tdp_mmu:bool\000' >"$o/modules.builtin.modinfo"
	;;
esac
EOF
cat >"$pk/selftests.sh" <<'EOF'
#!/bin/sh
mkdir -p "$2"
echo "$1" >"$2/kvm_selftest_fake"
echo x >>"$KVMSQ_CACHE/selftests-runs"
EOF
chmod +x "$pk"/*.sh "$pk/arm" "$kb/top/scripts/"* "$kb/src/scripts/kconfig/merge_config.sh" "$kb/bin/make"
kbuild() {
	env PATH="$kb/bin:$PATH" KSRC="$kb/src" KVMSQ_CACHE="$kb/cache" JOBS=1 "$@" \
		>"$TMP/kb.out" 2>"$TMP/kb.err"
}

# The in-repo arms keep the hash they had (patches, lab.config's lines, debug=0),
# so their images are not rebuilt; a config fragment or observe = no
# makes another.
name=arms_hash_kept
want=$({ cat "$pk/patches/observe/0001-observe.patch" "$pk/patches/one/0001-one.patch"
	cat "$pk/lab.config"; echo debug=0; } | sha256sum | cut -c1-8)
echo 'CONFIG_EXTRA=y' >"$kb/extra.config"
printf 'series = top/patched-kernel/patches/one\nconfig = extra.config\n' >"$kb/frag.arm"
printf 'series = top/patched-kernel/patches/two\nobserve = no\n' >"$kb/noobs.arm"
if ! kbuild "$pk/build.sh" one "$kb/frag.arm" "$kb/noobs.arm"; then
	fail "$name" "$(tail -n 3 "$TMP/kb.err" | tr '\n' ' ')"
elif [ "$(cat "$kb/cache/kernels/one/release")" != "6.12.117-kvmsq-one-$want" ]; then
	fail "$name" "release $(cat "$kb/cache/kernels/one/release"), want 6.12.117-kvmsq-one-$want"
elif [ "$(cat "$kb/cache/kernels/frag/hash")" = "$want" ] || [ "$(cat "$kb/cache/kernels/noobs/hash")" = "$want" ] ||
	[ "$(cat "$kb/cache/kernels/frag/hash")" = "$(cat "$kb/cache/kernels/noobs/hash")" ]; then
	fail "$name" "a fragment or observe = no left the hash as it was"
elif ! grep -qx 'CONFIG_EXTRA=y' "$kb/cache/arms/frag/out/.config" ||
	[ "$(cat "$kb/cache/arms/noobs/file")" != "$(printf 'one\ntwo')" ]; then
	fail "$name" "the fragment is not in the .config, or observe = no still applied observe"
else
	ok "$name"
fi

# build.sh --status: a line per word, up to date or to build, from the
# hash alone: nothing built, locked or unpacked (a git base not exported
# yet says build); DEBUG=1 asks for the -debug image
name=arms_build_status
find "$kb/cache" -newer "$kb/cache/kernels/one/hash" | sort >"$TMP/before"
if ! kbuild "$pk/build.sh" --status one "$kb/frag.arm" two one+kvm.tdp_mmu=N "git:$TMP/fake-linux@my-branch"; then
	fail "$name" "$(tail -n 2 "$TMP/kb.err" | tr '\n' ' ')"
elif [ "$(cat "$TMP/kb.out")" != "up-to-date one one
up-to-date frag $kb/frag.arm
build two two
up-to-date one one+kvm.tdp_mmu=N
build git-my-branch git:$TMP/fake-linux@my-branch" ] || [ -s "$TMP/kb.err" ]; then
	fail "$name" "said: $(tr '\n' '|' <"$TMP/kb.out") $(tr '\n' '|' <"$TMP/kb.err")"
elif [ "$(find "$kb/cache" -newer "$kb/cache/kernels/one/hash" | sort)" != "$(cat "$TMP/before")" ]; then
	fail "$name" "the cache changed: $(find "$kb/cache" -newer "$kb/cache/kernels/one/hash" | tr '\n' ' ')"
elif ! kbuild env DEBUG=1 "$pk/build.sh" --status one || [ "$(cat "$TMP/kb.out")" != "build one-debug one" ]; then
	fail "$name" "DEBUG=1: $(cat "$TMP/kb.out" "$TMP/kb.err")"
else
	ok "$name"
fi

# A comment or a blank line in a config fragment rebuilds nothing; a
# line that says something does.
name=arms_hash_comments
cp "$pk/lab.config" "$kb/lab.config.orig"
printf '\n# why the line above is there\n' >>"$pk/lab.config"
if ! kbuild "$pk/build.sh" one; then
	fail "$name" "$(tail -n 3 "$TMP/kb.err" | tr '\n' ' ')"
elif ! grep -q '^kernel: one: up to date' "$TMP/kb.err"; then
	fail "$name" "a comment rebuilt the arm: $(tr '\n' '|' <"$TMP/kb.err")"
else
	echo '# CONFIG_PRETEND_MORE is not set' >>"$pk/lab.config"
	if ! kbuild "$pk/build.sh" one; then
		fail "$name" "$(tail -n 3 "$TMP/kb.err" | tr '\n' ' ')"
	elif grep -q '^kernel: one: up to date' "$TMP/kb.err"; then
		fail "$name" "a '# CONFIG_... is not set' line did not rebuild the arm"
	else
		ok "$name"
	fi
fi
cp "$kb/lab.config.orig" "$pk/lab.config"

# A git base is hashed by its commit: a clone elsewhere makes the same
# image (up to date), another commit another one.
name=arms_git_base_hash
git clone -q "$TMP/fake-linux" "$TMP/clone" && git -C "$TMP/clone" branch -q my-branch origin/my-branch
if ! kbuild "$pk/build.sh" "git:$TMP/fake-linux@my-branch"; then
	fail "$name" "$(tail -n 3 "$TMP/kb.err" | tr '\n' ' ')"
elif ! h1=$(cat "$kb/cache/kernels/git-my-branch/hash") || ! kbuild "$pk/build.sh" "git:$TMP/clone@my-branch" ||
	! grep -q 'git-my-branch: up to date' "$TMP/kb.err"; then
	fail "$name" "the same commit elsewhere was built again: $(tail -n 1 "$TMP/kb.err")"
elif ! (cd "$TMP/clone" && git checkout -q my-branch && echo two >>file && gitc commit -qam two) ||
	! kbuild "$pk/build.sh" "git:$TMP/clone@my-branch" || [ "$(cat "$kb/cache/kernels/git-my-branch/hash")" = "$h1" ]; then
	fail "$name" "another commit kept the hash: $(tail -n 1 "$TMP/kb.err")"
else
	ok "$name"
fi

# arm.json beside each image says what it is.
name=arms_json
j=$kb/cache/kernels/frag/arm.json
if [ ! -f "$j" ]; then
	fail "$name" "no $j"
elif ! python3 - "$j" "$(cat "$kb/cache/kernels/frag/release")" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))
want = {"name": "frag", "base": "debian-6.12", "kernel_version": "6.12.117",
        "series_patches": 1, "config": "extra.config", "params": "",
        "image": "frag", "release": sys.argv[2]}
bad = [k for k, v in want.items() if a.get(k) != v]
keys = {"name", "base", "kernel_version", "series", "series_patches", "series_hash",
        "config", "config_hash", "params", "image", "release"}
bad += ["keys %s" % sorted(set(a) ^ keys)] if set(a) != keys else []
bad += [k for k in keys - {"series_patches"} if not isinstance(a.get(k), str)]
bad += ["series"] if "patches/one" not in a["series"] else []
bad += ["hashes"] if len(a["series_hash"]) != 16 or len(a["config_hash"]) != 16 else []
sys.exit(", ".join(bad) if bad else 0)
EOF
then
	fail "$name" "wrong in $(tr -d '\n' <"$j")"
else
	ok "$name"
fi

# selftests = yes (or SELFTESTS=1): selftests.sh TREE KDIR/selftests, once
# per image.
name=arms_selftests_hook
printf 'series = top/patched-kernel/patches/one\nselftests = yes\n' >"$kb/st.arm"
if ! kbuild "$pk/build.sh" "$kb/st.arm" || ! kbuild "$pk/build.sh" "$kb/st.arm"; then
	fail "$name" "$(tail -n 3 "$TMP/kb.err" | tr '\n' ' ')"
elif [ "$(cat "$kb/cache/kernels/st/selftests/kvm_selftest_fake" 2>/dev/null)" != "$kb/cache/arms/st" ] ||
	[ "$(wc -l <"$kb/cache/selftests-runs")" -ne 1 ]; then
	fail "$name" "selftests.sh not run with the tree, or run again for the same image"
elif ! kbuild env SELFTESTS=1 "$pk/build.sh" one || [ ! -f "$kb/cache/kernels/one/selftests/kvm_selftest_fake" ]; then
	fail "$name" "SELFTESTS=1 did not build them for an in-repo arm"
else
	ok "$name"
fi

# make ab: each set labelled by its arm's name, the word given to lab.sh,
# an A/A of the same word, a boot-parameter arm (built: its image).
name=arms_ab_words
fake=$TMP/fake
mkdir -p "$fake/patched-kernel/patches" "$fake/scripts"
cp patched-kernel/ab.sh patched-kernel/arm "$fake/patched-kernel/"
cp -r patched-kernel/patches/legacy "$fake/patched-kernel/patches/"
cat >"$fake/patched-kernel/lab.sh" <<'EOF'
#!/bin/sh
[ "$1" = --clock ] && { echo icount; exit 0; }
echo "$1" >>"$FAKE_LOG"
mkdir -p "$LAB_OUT/run"
echo "{\"arm\": \"$1\"}" >"$LAB_OUT/run/rep-1.json"
echo "lab: done in 1 s"
EOF
fake_ab_tree "$fake"
cat >"$fake/patched-kernel/build.sh" <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_LOG.build"
for w in "$@"; do
	img=$("$(dirname "$0")/arm" names "$w" | cut -d' ' -f2)
	mkdir -p "$KVMSQ_CACHE/kernels/$img"
	echo "6.12.0-kvmsq-$img-0" >"$KVMSQ_CACHE/kernels/$img/release"
done
EOF
chmod +x "$fake/patched-kernel/build.sh"
if ! env KVMSQUEEZE="$fake/kvmsqueeze" KVMSQ_CACHE="$fake/cache" FAKE_LOG="$fake/log" \
	ARMS="legacy+kvm.eager_page_split=N $d/series legacy+kvm.eager_page_split=N" EXPS=fake \
	AB_OUT="$fake/out" REPS=4 JOBS=1 sh "$fake/patched-kernel/ab.sh" >"$TMP/fake.out" 2>"$TMP/fake.err"; then
	fail "$name" "$(tail -n 3 "$TMP/fake.err" | tr '\n' ' ')"
elif ! grep -q 'x (legacy-kvm.eager_page_split-n series legacy-kvm.eager_page_split-n-2)' "$TMP/fake.err"; then
	fail "$name" "the plan does not label the sets by name: $(grep 'lab runs in' "$TMP/fake.err")"
elif [ "$(sort -u "$fake/log" | tr '\n' ' ')" != "$d/series legacy+kvm.eager_page_split=N " ] ||
	[ "$(cat "$fake/log.build")" != "legacy+kvm.eager_page_split=N $d/series" ]; then
	fail "$name" "lab.sh got $(sort -u "$fake/log" | tr '\n' ' '), build.sh $(cat "$fake/log.build")"
elif [ "$(ls "$fake/out/fake" | tr '\n' ' ')" != "legacy-kvm.eager_page_split-n legacy-kvm.eager_page_split-n-2 series " ] ||
	! grep -qx 'legacy-kvm.eager_page_split-n 6.12.0-kvmsq-legacy-0' "$fake/out/kernels"; then
	fail "$name" "results in $(ls "$fake/out/fake" | tr '\n' ' '); kernels: $(tr '\n' '|' <"$fake/out/kernels")"
else
	ok "$name"
fi

# Two words, one name: refused before anything runs.
name=arms_ab_name_clash
mkdir -p "$TMP/other/inverted"
cp patched-kernel/patches/inverted/*.patch "$TMP/other/inverted/"
if ARMS="inverted $TMP/other/inverted" EXPS=idle-caches PLAN_ONLY=1 sh patched-kernel/ab.sh \
	>/dev/null 2>"$TMP/err"; then
	fail "$name" "accepted"
elif ! grep -q "ab: ARMS: inverted and $TMP/other/inverted are both arm inverted" "$TMP/err"; then
	fail "$name" "$(tail -n 1 "$TMP/err")"
else
	ok "$name"
fi

# On Debian's sources: build.sh --check applies the series.
if ! scripts/deps kernel >"$TMP/deps" 2>&1 || ! src=$(KVMSQ_CACHE=$real_cache scripts/ksrc 2>"$TMP/err"); then
	skip_rest "no Debian 6.12 source: $(tail -n 1 "$TMP/deps" "$TMP/err" 2>/dev/null | tr '\n' ' ')"
	exit 0
fi
# A git repo holding only the file patched, at its 6.12 content; a branch
# that changes one line: git:REPO@base..branch is a one-patch series.
f=arch/x86/kvm/mmu/spte.c
repo=$TMP/repo
mkdir -p "$repo/$(dirname "$f")"
cp "$src/$f" "$repo/$f"
(cd "$repo" && gitc init -q && gitc add . && gitc commit -qm base && gitc tag base &&
	gitc checkout -qb branch && sed -i '0,/^bool __read_mostly enable_mmio_caching/s//bool __ro_after_init enable_mmio_caching/' "$f" &&
	gitc commit -qam "KVM: x86/mmu: one line")
n=$(git -C "$repo" diff base branch | grep -c '^+[^+]')
ksrc_check() {
	env KSRC="$src" patched-kernel/build.sh --check "$@" >"$TMP/check.out" 2>&1
}

# the observe series every arm on each base gets first
nobs=$(find patched-kernel/patches/observe -name '*.patch' | wc -l)
nobs61=$(find patched-kernel/patches/observe-6.1 -name '*.patch' | wc -l)
name=arms_folder_check
mkdir -p "$TMP/my-series"
git -C "$repo" format-patch -q -o "$TMP/my-series" base..branch
if [ "$n" -ne 1 ]; then
	fail "$name" "the branch changes $n lines, want 1"
elif ! ksrc_check "$TMP/my-series/" ||
	! grep -q "my-series: $((nobs + 1)) patch(es) apply" "$TMP/check.out" ||
	! grep -q '__ro_after_init enable_mmio_caching' "$KVMSQ_CACHE/arms/my-series/$f"; then
	fail "$name" "$(tail -n 3 "$TMP/check.out" | tr '\n' ' ')"
else
	ok "$name"
fi

name=arms_git_range_check
printf 'name = range\nseries = git:%s@base..branch\n' "$repo" >"$TMP/range.arm"
if ! ksrc_check "$TMP/range.arm" || ! grep -q "range: $((nobs + 1)) patch(es) apply" "$TMP/check.out" ||
	! grep -q '__ro_after_init enable_mmio_caching' "$KVMSQ_CACHE/arms/range/$f"; then
	fail "$name" "$(tail -n 3 "$TMP/check.out" | tr '\n' ' ')"
else
	ok "$name"
fi

# A series that does not apply: the patch named, the rejected hunk shown.
name=arms_series_rejected
mkdir -p "$TMP/stale"
sed 's/^ bool __read_mostly enable_mmio_caching/ bool __read_mostly enable_mmio_cashing/; s/^-bool __read_mostly enable_mmio_caching/-bool __read_mostly enable_mmio_cashing/' \
	"$TMP"/my-series/0001-*.patch >"$TMP/stale/0001-stale.patch"
if ksrc_check "$TMP/stale"; then
	fail "$name" "a stale patch applied"
elif ! grep -q 'kvmsqueeze: arm stale: 0001-stale.patch does not apply' "$TMP/check.out" ||
	! grep -q -- '--- rejected hunks:' "$TMP/check.out" || ! grep -q 'enable_mmio_cashing' "$TMP/check.out"; then
	fail "$name" "$(grep kvmsqueeze: "$TMP/check.out" | tail -n 1)"
else
	ok "$name"
fi

# observe-6.1 applies to Debian's 6.1 (the in-repo arm base-6.1).
name=arms_observe_61
# (in the user's cache: the tree it patches is the one base-6.1 builds in)
if ! s61=$(KVMSQ_CACHE=$real_cache scripts/ksrc debian-6.1 2>"$TMP/err"); then
	skip "$name" "no Debian 6.1 source: $(tail -n 1 "$TMP/err")"
elif ! KVMSQ_CACHE=$real_cache patched-kernel/build.sh --check base-6.1 >"$TMP/check.out" 2>&1 ||
	! grep -q "base-6.1: $nobs61 patch(es) apply" "$TMP/check.out"; then
	fail "$name" "$(tail -n 3 "$TMP/check.out" | tr '\n' ' ')"
elif ! grep -q 'mmu_update_cache_pages_stat' "$real_cache/arms/base-6.1/arch/x86/kvm/mmu/paging_tmpl.h" ||
	grep -q 'mmu_cache_pages' "$s61/arch/x86/kvm/x86.c"; then
	fail "$name" "the 6.1 tree is not patched, or the pristine one is"
else
	ok "$name"
fi
