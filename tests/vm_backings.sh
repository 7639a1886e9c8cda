# tests/vm_backings.sh: the touch guest on every guest RAM backing and
# every guest page size; hugetlb both with and without free huge pages.
# shellcheck shell=sh
. tests/lib.sh

plan_names backing_anon backing_thp backing_memfd backing_file backing_file_nothing_left \
	backing_file_killed backing_file_existing backing_file_new_path \
	backing_hugetlb backing_hugetlb_none page_2m page_1g big_address_space
why=$(kvm_missing)
if [ -n "$why" ]; then
	skip_rest "$why"
	exit 0
fi

touch_ok() {
	name=$1; shift
	vm_expect "$name" 0 "" --guest touch --mem 64M --vcpus 2 --json "$TMP/$name.json" "$@" &&
		check "$name" all_free_touched "$TMP/$name.json" && ok "$name"
}

touch_ok backing_anon --backing anon
touch_ok backing_thp --backing thp
touch_ok backing_memfd --backing memfd
# file:DIR: an unnamed file in DIR, nothing left there afterwards.
mkdir "$TMP/ram"
touch_ok backing_file --backing "file:$TMP/ram" &&
	if [ -n "$(ls -A "$TMP/ram")" ]; then
		fail backing_file_nothing_left "left in the directory: $(ls -A "$TMP/ram")"
	else
		ok backing_file_nothing_left
	fi
# Not even when the VMM is killed: the file never had a name.
"$KVMSQUEEZE" vm --guest idle --mem 64M --duration 30 --quiet \
	--backing "file:$TMP/ram" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ -n "$(ls -A "$TMP/ram")" ]; then
	fail backing_file_killed "left after SIGKILL: $(ls -A "$TMP/ram")"
else
	ok backing_file_killed
fi
# An existing file is refused and left as it was; a new path is not created.
seq 1 200000 >"$TMP/victim.txt"
sum=$(md5sum <"$TMP/victim.txt")
vm_expect backing_file_existing 1 "file backing: $TMP/victim.txt is not a directory \(guest RAM goes into an unnamed file in a directory; kvmsqueeze never writes over a file\)" \
	--guest nop --mem 8M --backing "file:$TMP/victim.txt" &&
	if [ "$(md5sum <"$TMP/victim.txt")" != "$sum" ]; then
		fail backing_file_existing "the file was changed"
	else
		ok backing_file_existing
	fi
vm_expect backing_file_new_path 1 "file backing: $TMP/new.ram: No such file or directory \(give an existing directory" \
	--guest nop --mem 8M --backing "file:$TMP/new.ram" &&
	if [ -e "$TMP/new.ram" ]; then
		fail backing_file_new_path "$TMP/new.ram was created"
	else
		ok backing_file_new_path
	fi
touch_ok page_2m --guest-page 2m
# 1 GiB pages need CPUID pdpe1gb from KVM_GET_SUPPORTED_CPUID, which some
# KVMs (kvm_pvm) leave out even where the host CPU has it.
if "$KVMSQUEEZE" vm --guest nop --mem 2G --guest-page 1g >/dev/null 2>"$TMP/1g.err"; then
	touch_ok page_1g --guest-page 1g
elif grep -q 'offers no 1 GiB pages' "$TMP/1g.err"; then
	skip page_1g "$(cat "$TMP/1g.err")"
else
	fail page_1g "nop guest with 1g pages: $(cat "$TMP/1g.err")"
fi

# 64 GiB of address space costs nothing until touched (MAP_NORESERVE).
name=big_address_space
vm_expect "$name" 0 "" --guest touch --mem 64G --guest-page 2m --param size=16M \
	--json "$TMP/big.json" &&
	check "$name" mem_touched "$TMP/big.json" 64G 4096 && ok "$name"

# hugetlb: refused with the fix when no huge page is free...
nr=/proc/sys/vm/nr_hugepages
old=$(cat "$nr")
free2m=/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages
if [ "$(cat "$free2m" 2>/dev/null || echo 0)" -lt 32 ]; then
	vm_expect backing_hugetlb_none 1 'hugetlb: need 32 free 2048 KiB huge pages, [0-9]+ are free \(echo 32 > /proc/sys/vm/nr_hugepages\)' \
		--guest touch --mem 64M --backing hugetlb && ok backing_hugetlb_none
else
	skip backing_hugetlb_none "huge pages are free on this host"
fi
# ...and works when there are some (reserved here if we may).
if [ "$(id -u)" -eq 0 ] && echo $((old + 32)) >"$nr" 2>/dev/null &&
   [ "$(cat "$free2m")" -ge 32 ]; then
	touch_ok backing_hugetlb --backing hugetlb
	echo "$old" >"$nr"
else
	echo "$old" >"$nr" 2>/dev/null
	skip backing_hugetlb "cannot reserve 32 huge pages (not root, or no memory)"
fi
