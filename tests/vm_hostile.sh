# tests/vm_hostile.sh: guests that misbehave on purpose (tests/guests/).
# Each must end its VM with a clear message and the right exit status;
# the VMM itself never crashes.
# shellcheck shell=sh
. tests/lib.sh

# GUEST STATUS REGEX: the test hostile_GUEST runs GUEST, which must end its
# VM with exit STATUS and a line of stderr matching REGEX
HOSTILE=$(cat <<'LIST'
bad_mailbox_gpa 4 vCPU [0-9]: mailbox: message at GPA 0x[0-9a-f]+ length 32 is outside guest RAM
bad_payload 4 vCPU [0-9]: mailbox: result (header|block) at GPA 0x[0-9a-f]+ length [0-9]+ is outside guest RAM
bad_hist 4 vCPU [0-9]: mailbox: histogram '[a-z_]+': buckets add up to
bad_hist_sum 4 vCPU [0-9]: mailbox: histogram 'fault_latency': sum 5 does not fit 2 values from 1000 to 1000 in their buckets \(2000 to 2000\)
hist_huge_count 4 vCPU [0-9]: mailbox: histogram 'fault_latency': sum 3 does not fit 18446744073709551615 values from 0 to 20000000000 in their buckets \(above 2\^64 to above 2\^64\)
hist_named_run 4 vCPU [0-9]: mailbox: histogram name 'run' is reserved \(run_ns is the VMM's own key in a vCPU's results\)
bad_name 4 vCPU [0-9]: mailbox: result name
bad_port 4 vCPU [0-9]: unknown I/O port 0x80 \(1-byte out\)
mailbox_width 4 vCPU [0-9]: mailbox port 0x5a00: 1-byte out, only 4-byte accesses are accepted
triple_fault 4 vCPU [0-9]: triple fault \(an exception with no IDT\) at RIP 0x[0-9a-f]+: RSP
endless 5 vCPU [0-9] still running after --timeout 2.0 s
mmio 4 vCPU [0-9]: [0-9]-byte write of unbacked guest-physical address 0x10000000000
LIST
)
# shellcheck disable=SC2046 # names, one a word
plan_names $(printf '%s\n' "$HOSTILE" | sed 's/ .*//; s/^/hostile_/')

why=$(kvm_missing)
while read -r guest status regex; do
	name="hostile_$guest"
	if [ -n "$why" ]; then
		skip "$name" "$why"
		continue
	fi
	if [ ! -f "$GUESTS/$guest.elf" ]; then
		fail "$name" "$GUESTS/$guest.elf not built"
		continue
	fi
	vm_expect "$name" "$status" "$regex" --guest "$GUESTS/$guest.elf" \
		--mem 64M --vcpus 2 --timeout 2 --json "$TMP/$guest.json" || continue
	check "$name" guest_failed "$TMP/$guest.json" && ok "$name"
done <<LIST
$HOSTILE
LIST
