# tests/vm_guests.sh: every built-in guest boots, runs and reports, on one
# vCPU and on many, and touch accounts for every page exactly once.
. tests/lib.sh

why=$(kvm_missing)
if [ -n "$why" ]; then
	for t in guests_1 guests_many touch_64_vcpus touch_exactly_once stats_read; do
		skip "$t" "$why"
	done
	exit 0
fi

# guest, options, what its results must show (python over d); guests that
# run until stopped get --duration, the others must finish by themselves.
while read -r guest params check; do
	params=$(echo "$params" | tr , ' ')
	for vcpus in 1 4; do
		name="guest_${guest}_${vcpus}vcpu"
		# shellcheck disable=SC2086
		vm_expect "$name" 0 "" --guest "$guest" --mem 128M --vcpus "$vcpus" \
			--json "$TMP/$name.json" $params || continue
		json_check "$name" "$TMP/$name.json" \
			"d['outcome'] == 'ok' and len(d['vcpus']) == $vcpus and all(v['end'] == 'exited' and v['exit_code'] == 0 and ($check) for v in d['vcpus'])" \
			"results" && ok "$name"
	done
done <<'LIST'
touch --param=stride=4096 v['pages_touched']>0 and v['fault_latency_ns']['count']==v['pages_touched']
workingset --param=size=8M,--duration=1 v['counters']['accesses']>0 and v['access_latency_ns']['count']>0
alias --param=spaces=4 v['counters']['spaces']==4 and v['counters']['cr3_switches']>=4
churn --param=iterations=50 v['counters']['iterations']==50 and v['counters']['cr3_loads']>=50
idle --param=touch=1M,--duration=1 v['counters']['pages_touched']==256 and v['counters']['halts']>=1
nop --param=code=0 True
LIST

name=touch_64_vcpus
if vm_expect "$name" 0 "" --guest touch --mem 512M --vcpus 64 --json "$TMP/64.json"; then
	json_check "$name" "$TMP/64.json" \
		"len(d['vcpus']) == 64 and all(v['pages_touched'] > 0 for v in d['vcpus'])" &&
		ok "$name"
fi

# Every free page is touched by exactly one vCPU: the guest checks the
# owner marks it wrote, and the counts add up to the free RAM.
name=touch_exactly_once
if vm_expect "$name" 0 "" --guest touch --mem 96M --vcpus 3 --param verify=1 \
	--json "$TMP/once.json"; then
	json_check "$name" "$TMP/once.json" \
		"sum(v['pages_touched'] for v in d['vcpus']) == (d['layout']['free_end'] - d['layout']['free_start']) // 4096 and d['vcpus'][0]['counters']['pages_verified_bad'] == 0 and d['vcpus'][0]['counters']['pages_verified'] == (d['layout']['free_end'] - d['layout']['free_start']) // 4096" \
		"pages counted or verified wrongly" && ok "$name"
fi

name=stats_read
if vm_expect "$name" 0 "" --guest touch --mem 64M --vcpus 2 --json "$TMP/st.json"; then
	json_check "$name" "$TMP/st.json" \
		"len(d['kvm_stats']['vm']['end']) > 5 and len(d['kvm_stats']['vcpus']) == 2 and all(len(v['end']) > 5 for v in d['kvm_stats']['vcpus']) and d['kvm_stats']['vcpus'][0]['end']['exits'] > d['kvm_stats']['vcpus'][0]['start']['exits'] and d['host']['mmu'] in ('tdp', 'shadow') and d['host']['kvm_params'] and d['tsc_khz'] > 0" \
		"stats missing or empty" && ok "$name"
fi

# The shadow MMU's page cap: KVM's own (a page per 50 of guest RAM: 327
# for 64M) is below what 128 address spaces of 4 private tables need, so
# KVM recycles shadow pages; --nr-mmu-pages lifts the cap and it stops.
name=nr_mmu_pages_cap
alias_run() {
	vm_expect "$name" 0 "" --guest alias --mem 64M --param spaces=128 --param size=2M "$@"
}
if alias_run --json "$TMP/capped.json"; then
	if ! python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["host"]["mmu"] != "shadow")' \
		"$TMP/capped.json"; then
		skip "$name" "this KVM uses TDP, whose pages the cap does not count"
	elif json_check "$name" "$TMP/capped.json" \
		"'nr_mmu_pages' not in d and d['kvm_stats']['vm']['end']['mmu_recycled'] > 0" \
		"KVM's own cap recycled nothing" &&
		alias_run --nr-mmu-pages 100000 --json "$TMP/uncapped.json" &&
		json_check "$name" "$TMP/uncapped.json" \
			"d['nr_mmu_pages'] == 100000 and d['kvm_stats']['vm']['end']['mmu_recycled'] == 0" \
			"the raised cap still recycled"; then
		ok "$name"
	fi
fi

# A touch that the duration stops part-way still reports what it did.
name=touch_stopped
if vm_expect "$name" 0 "" --guest touch --mem 8G --param timing=1 --duration 0.3 \
	--json "$TMP/stopped.json"; then
	json_check "$name" "$TMP/stopped.json" \
		"all(v['counters']['stopped'] == 1 and 0 < v['pages_touched'] < (d['layout']['free_end'] - d['layout']['free_start']) // 4096 and v['fault_latency_ns']['count'] == v['pages_touched'] for v in d['vcpus'])" \
		"a stopped touch lost its results" && ok "$name"
fi

# So does a workingset stopped while it populates.
name=workingset_stopped
if vm_expect "$name" 0 "" --guest workingset --mem 8G --param size=7G --duration 0.3 \
	--json "$TMP/ws-stopped.json"; then
	json_check "$name" "$TMP/ws-stopped.json" \
		"all(0 < v['counters']['populated_pages'] < (7 << 30) // 4096 and v['access_latency_ns']['count'] > 0 for v in d['vcpus'])" \
		"a workingset stopped in populate lost its results" && ok "$name"
fi
