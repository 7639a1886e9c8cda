# tests/vm_space.sh: full filesystems (a small tmpfs). Guest RAM in a file
# there never kills the VMM with SIGBUS: its own setup and a guest that
# touches past the space end as the host error "no space for guest RAM"
# (exit 1), and a mailbox message in a page that has no space is read as
# the zeros it holds (a guest error: unknown command 0). Results that do
# not fit are an error that says so, and no partial file is left.
# shellcheck shell=sh
. tests/lib.sh

TESTS="space_setup space_mailbox space_guest_touch json_full"
# shellcheck disable=SC2086 # one name a word
plan_names $TESTS
why=$(kvm_missing)
if [ -z "$why" ] && [ "$(id -u)" -ne 0 ]; then
	why="needs root to mount a small tmpfs"
fi
FS=$TMP/fs
mkdir "$FS"
if [ -z "$why" ] && ! mount -t tmpfs -o size=2m kvmsqueeze-test "$FS" 2>"$TMP/mount.err"; then
	why="cannot mount a tmpfs: $(cat "$TMP/mount.err")"
fi
if [ -n "$why" ]; then
	skip_rest "$why"
	exit 0
fi
trap 'umount "$FS" 2>/dev/null; tap_finish; rm -rf "$TMP"' EXIT

# 4 GiB of 4K pages needs 8 MiB of page tables: more than the 2 MiB here.
vm_expect space_setup 1 "^kvmsqueeze: no space for guest RAM: [0-9.]+ [KMG]iB for the boot info, image, page tables and stacks do not fit in $FS \(.* free; free space there" \
	--guest nop --mem 4G --backing "file:$FS" && ok space_setup

# no_space MODE STATUS REGEX: the no_space guest on 16 MiB of file RAM;
# once it is ready, fill the filesystem; at the stop request (2 s after
# it started) the guest reads or writes pages that have no space left.
no_space() {
	name=$1 mode=$2 status=$3 regex=$4
	rm -f "$TMP/serial" "$FS/fill"
	"$KVMSQUEEZE" vm --guest "$GUESTS/no_space.elf" --mem 16M --backing "file:$FS" \
		--param mode="$mode" --duration 2 --timeout 20 --serial "$TMP/serial" \
		--quiet >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	i=0
	while ! grep -q ready "$TMP/serial" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	dd if=/dev/zero of="$FS/fill" bs=4k 2>/dev/null
	left=$(df -k --output=avail "$FS" | tail -n 1 | tr -d ' ')
	wait "$pid"
	got=$?
	rm -f "$FS/fill"
	if [ $i -ge 100 ]; then
		fail "$name" "the guest never said ready: $(cat "$TMP/err")"
	elif [ "$left" -ne 0 ]; then
		fail "$name" "could not fill the tmpfs ($left KiB left)"
	elif [ "$got" -ne "$status" ]; then
		fail "$name" "exit status $got, want $status: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
	elif ! grep -Eq -- "$regex" "$TMP/err"; then
		fail "$name" "stderr lacks /$regex/: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
	elif grep -Eq 'AddressSanitizer|runtime error:' "$TMP/err"; then
		fail "$name" "sanitizer: $(grep -Em1 'Sanitizer|runtime error' "$TMP/err")"
	else
		ok "$name"
	fi
}

no_space space_mailbox mailbox 4 "^kvmsqueeze: guest .*no_space.elf: vCPU 0: mailbox: unknown command 0$"
no_space space_guest_touch touch 1 "^kvmsqueeze: no space for guest RAM: vCPU 0 touched a page that could not be allocated: $FS has 0 B free \(free space there"

# The results JSON on a full filesystem: ENOSPC (a short write used to be
# "Input/output error"), the old file kept, no temp file left.
umount "$FS"
mount -t tmpfs -o size=8k kvmsqueeze-test "$FS"
echo old >"$FS/vm.json"
# shellcheck disable=SC2012 # ls -A: the directory holds vm.json alone, not even a dotfile
vm_expect json_full 1 "^kvmsqueeze: writing $FS/vm.json: No space left on device \(not written; free space there\)$" \
	--guest nop --mem 8M --quiet --json "$FS/vm.json" &&
	if [ "$(cat "$FS/vm.json")" != old ]; then
		fail json_full "the old file was replaced"
	elif [ "$(ls -A "$FS")" != vm.json ]; then
		fail json_full "left behind: $(ls -A "$FS" | tr '\n' ' ')"
	else
		ok json_full
	fi
