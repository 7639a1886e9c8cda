# tests/vm_errors.sh: bad input from the user gets one line on stderr and
# a non-zero exit status, never a crash.
# shellcheck shell=sh
. tests/lib.sh

# NAME GUEST PARAM REGEX: test NAME gives GUEST the PARAM it does not take;
# the error says it expected REGEX
PARAMS=$(cat <<'LIST'
param_code_text nop code=abc a number from 0 to 255
param_code_big nop code=256 a number from 0 to 255
param_cpl_7 nop cpl=7 0 or 3
param_timing touch timing=5 0, 1 or 2
param_size_text touch size=lots a number or size
param_pattern workingset pattern=zigzag seq or random
param_spaces alias spaces=0 a number from 1 to 4096
LIST
)
# shellcheck disable=SC2046 # names, one a word
plan_names mem_unparsable vcpus_zero guest_page_bad nr_mmu_pages_bad vcpus_hex vcpus_sign \
	nr_mmu_pages_hex mem_hex timeout_huge duration_huge duration_hex timeout_inf backing_bad \
	param_bad stray_arg unknown_option unknown_guest unknown_param \
	$(printf '%s\n' "$PARAMS" | sed 's/ .*//') \
	param_cpl_file param_newline no_kvm help json_no_dir json_is_dir not_elf dynamic_elf elf32 \
	elf_arm64 elf_outside elf_truncated elf_vaddr \
	mem_too_small pt_too_big pt_largest param_good vcpus_decimal timeout_max too_many_vcpus \
	no_permission

# Usage errors need no KVM.
vm_expect mem_unparsable 2 "--mem: size '12Q' has an unknown unit" --mem 12Q &&
	ok mem_unparsable
vm_expect vcpus_zero 2 "--vcpus '0'" --vcpus 0 && ok vcpus_zero
vm_expect guest_page_bad 2 "--guest-page '3m': use 4k, 2m or 1g" --guest-page 3m &&
	ok guest_page_bad
vm_expect nr_mmu_pages_bad 2 "--nr-mmu-pages 'lots': expected a decimal number of pages from 64" \
	--nr-mmu-pages lots && ok nr_mmu_pages_bad
# Counts are decimal: no hex, no sign, no octal (010 is ten, below).
vm_expect vcpus_hex 2 "--vcpus '0x2': expected a decimal number" --vcpus 0x2 && ok vcpus_hex
vm_expect vcpus_sign 2 "--vcpus '\+2'" --vcpus +2 && ok vcpus_sign
vm_expect nr_mmu_pages_hex 2 "--nr-mmu-pages '0x100'" --nr-mmu-pages 0x100 &&
	ok nr_mmu_pages_hex
vm_expect mem_hex 2 "--mem: size '0x10M' has an unknown unit" --mem 0x10M && ok mem_hex
# Durations: decimal, and at most 1e7 s (ns beyond 1.8e10 s overflowed).
vm_expect timeout_huge 2 "--timeout: duration '1e11' is above 10000000 s" --timeout 1e11 &&
	ok timeout_huge
vm_expect duration_huge 2 "--duration: duration '2e10' is above" --duration 2e10 &&
	ok duration_huge
vm_expect duration_hex 2 "--duration: duration '0x10' is not decimal" --duration 0x10 &&
	ok duration_hex
vm_expect timeout_inf 2 "--timeout: 'inf' is not a duration" --timeout inf && ok timeout_inf
vm_expect backing_bad 2 "unknown backing 'shm'" --backing shm && ok backing_bad
vm_expect param_bad 2 "expected KEY=VALUE" --param nokey && ok param_bad
vm_expect stray_arg 2 "unexpected argument" extra && ok stray_arg
vm_expect unknown_option 2 "unrecognized option" --frobnicate && ok unknown_option
vm_expect unknown_guest 2 "unknown guest 'tuoch'" --guest tuoch && ok unknown_guest
vm_expect unknown_param 2 "guest touch has no parameter 'sise'" --param sise=1M &&
	ok unknown_param
# A value a guest or its runtime does not take: refused before the VM starts.
while read -r name guest param regex; do
	vm_expect "$name" 2 "^kvmsqueeze: vm: guest $guest: parameter $param: expected $regex(, e\.g\. 4096 or 64M)? \(see kvmsqueeze vm --list-guests\)$" \
		--guest "$guest" --param "$param" && ok "$name"
done <<LIST
$PARAMS
LIST
# The runtime's own parameters are checked for guests given as files too.
vm_expect param_cpl_file 2 "parameter cpl=1: expected 0 or 3" \
	--guest "$GUESTS/endless.elf" --param cpl=1 && ok param_cpl_file
vm_expect param_newline 2 "parameter code=a\?b: expected" --guest nop --param "code=a
b" && [ "$(wc -l <"$TMP/err")" -eq 1 ] && ok param_newline
vm_expect no_kvm 1 "/nonexistent/kvm: no such device" --kvm /nonexistent/kvm && ok no_kvm
vm_expect help 0 "" --help && grep -q -- '--guest-page' "$TMP/out" && ok help
# --json that cannot be written is found before the VM runs.
vm_expect json_no_dir 1 "^kvmsqueeze: --json $TMP/none/vm.json: directory $TMP/none: No such file or directory$" \
	--guest nop --json "$TMP/none/vm.json" && ok json_no_dir
vm_expect json_is_dir 1 "^kvmsqueeze: --json $TMP is a directory" --guest nop --json "$TMP" &&
	ok json_is_dir

# ELF files that are not guests.
printf 'hello' >"$TMP/notelf"
vm_expect not_elf 1 "guest '$TMP/notelf': not an ELF file" --guest "$TMP/notelf" && ok not_elf
vm_expect dynamic_elf 1 "not a static executable" --guest /bin/true && ok dynamic_elf
python3 tests/tools/make_elfs.py "$TMP"
vm_expect elf32 1 "not ELF64" --guest "$TMP/elf32" && ok elf32
vm_expect elf_arm64 1 "machine 183 is not x86-64" --guest "$TMP/arm64" && ok elf_arm64
vm_expect elf_outside 1 "outside the image area" --guest "$TMP/far" && ok elf_outside
vm_expect elf_truncated 1 "truncated" --guest "$TMP/cut" && ok elf_truncated
vm_expect elf_vaddr 1 "segment at 0x100000 has virtual address 0x2000 \(the guest runs identity mapped" \
	--guest "$TMP/vaddr" && ok elf_vaddr

why=$(kvm_missing)
if [ -n "$why" ]; then
	skip_rest "$why"
	exit 0
fi
vm_expect mem_too_small 1 "--mem 4 MiB is too small for guest 'touch'" --mem 4M &&
	ok mem_too_small
# 4K guest pages map at most 128 GiB: 1 TiB took 5 s and 2 GiB of page
# tables before the guest started.
vm_expect pt_too_big 1 "^kvmsqueeze: --mem 1 TiB with 4k guest pages: the identity map needs 2.0 GiB of page tables, built before the guest starts \(at most those of 128 GiB of 4K pages; use --guest-page 2m or less --mem\)$" \
	--guest nop --mem 1T && ok pt_too_big
vm_expect pt_largest 0 "" --guest nop --mem 128G --quiet && ok pt_largest
vm_expect param_good 3 "vCPU 0 exited with code 7" --guest nop --param code=7 --param cpl=0 \
	--quiet && ok param_good
vm_expect vcpus_decimal 0 "" --guest nop --vcpus 010 --quiet --json "$TMP/010.json" &&
	check vcpus_decimal nr_vcpus "$TMP/010.json" 10 && ok vcpus_decimal
# The longest timeout still stops nothing early (it did act as 0).
vm_expect timeout_max 0 "" --guest nop --timeout 1e7 --duration 1e7 --quiet && ok timeout_max
vm_expect too_many_vcpus 1 "4096 vCPUs: this KVM allows 1 to [0-9]+ \(KVM_CAP_MAX_VCPUS\)" \
	--vcpus 4096 && ok too_many_vcpus
if [ "$(id -u)" -eq 0 ] && [ "$(stat -c %a /dev/kvm)" = 600 ]; then
	# as nobody, /dev/kvm (0600 root) cannot be opened
	if setpriv --reuid=65534 --regid=65534 --clear-groups "$KVMSQUEEZE" vm \
		--guest nop >"$TMP/out" 2>"$TMP/err"; then
		fail no_permission "ran as nobody"
	elif grep -q "/dev/kvm: permission denied (add yourself to group kvm" "$TMP/err"; then
		ok no_permission
	else
		fail no_permission "$(cat "$TMP/err")"
	fi
else
	skip no_permission "needs root and /dev/kvm mode 0600 to try as nobody"
fi
