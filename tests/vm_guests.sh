# SPDX-License-Identifier: GPL-2.0
# tests/vm_guests.sh: every built-in guest boots, runs and reports, on one
# vCPU and on many, and touch accounts for every page exactly once. What
# each result must show is a named check of tests/checks/result_checks.py.
# shellcheck shell=sh
. tests/lib.sh

# guest and options; guests that run until stopped get --duration, the
# others must finish by themselves. What each guest's results must show
# (check guest_ran) is in GUESTS of result_checks.py, for these options.
GUEST_LIST='touch --param=stride=4096
workingset --param=size=8M,--duration=1
alias --param=spaces=4
churn --param=iterations=50
idle --param=touch=1M,--duration=1
nop --param=code=0'
OTHERS="touch_64_vcpus touch_exactly_once stats_read nr_mmu_pages_cap touch_stopped workingset_stopped"
# shellcheck disable=SC2046,SC2086 # names, one a word
plan_names $(echo "$GUEST_LIST" | while read -r guest params; do
	for vcpus in 1 4; do echo "guest_${guest}_${vcpus}vcpu"; done
done) $OTHERS

why=$(kvm_missing)
if [ -n "$why" ]; then
	skip_rest "$why"
	exit 0
fi

while read -r guest params; do
	params=$(echo "$params" | tr , ' ')
	for vcpus in 1 4; do
		name="guest_${guest}_${vcpus}vcpu"
		# shellcheck disable=SC2086 # the options, split on purpose
		vm_expect "$name" 0 "" --guest "$guest" --mem 128M --vcpus "$vcpus" \
			--json "$TMP/$name.json" $params || continue
		check "$name" guest_ran "$TMP/$name.json" "$guest" "$vcpus" && ok "$name"
	done
done <<EOF
$GUEST_LIST
EOF

name=touch_64_vcpus
if vm_expect "$name" 0 "" --guest touch --mem 512M --vcpus 64 --json "$TMP/64.json"; then
	check "$name" all_touched "$TMP/64.json" 64 && ok "$name"
fi

# Every free page is touched by exactly one vCPU: the guest checks the
# owner marks it wrote, and the counts add up to the free RAM.
name=touch_exactly_once
if vm_expect "$name" 0 "" --guest touch --mem 96M --vcpus 3 --param verify=1 \
	--json "$TMP/once.json"; then
	check "$name" touched_once "$TMP/once.json" && ok "$name"
fi

name=stats_read
if vm_expect "$name" 0 "" --guest touch --mem 64M --vcpus 2 --json "$TMP/st.json"; then
	check "$name" kvm_stats "$TMP/st.json" && ok "$name"
fi

# The shadow MMU's page cap: KVM's own (a page per 50 of guest RAM: 327
# for 64M) is below what 128 address spaces of 4 private tables need, so
# KVM recycles shadow pages; --nr-mmu-pages lifts the cap and it stops.
name=nr_mmu_pages_cap
alias_run() {
	vm_expect "$name" 0 "" --guest alias --mem 64M --param spaces=128 --param size=2M "$@"
}
if alias_run --json "$TMP/capped.json"; then
	if [ "$(result_value mmu "$TMP/capped.json" 2>/dev/null)" != shadow ]; then
		skip "$name" "this KVM uses TDP, whose pages the cap does not count"
	elif check "$name" mmu_pages_recycled "$TMP/capped.json" &&
		alias_run --nr-mmu-pages 100000 --json "$TMP/uncapped.json" &&
		check "$name" mmu_pages_kept "$TMP/uncapped.json" 100000; then
		ok "$name"
	fi
fi

# A touch that the duration stops part-way still reports what it did.
name=touch_stopped
if vm_expect "$name" 0 "" --guest touch --mem 8G --param timing=1 --duration 0.3 \
	--json "$TMP/stopped.json"; then
	check "$name" touch_stopped "$TMP/stopped.json" && ok "$name"
fi

# So does a workingset stopped while it populates.
name=workingset_stopped
if vm_expect "$name" 0 "" --guest workingset --mem 8G --param size=7G --duration 0.3 \
	--json "$TMP/ws-stopped.json"; then
	check "$name" populate_stopped "$TMP/ws-stopped.json" 7G && ok "$name"
fi
