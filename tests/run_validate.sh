# tests/run_validate.sh: tests/validate_result.py catches what is wrong in
# the keys added with run.block: a real lab result (legacy, shrinker-storm
# at 1/4 scale, tests/fixtures/results/) validates as it is, and each
# damage below is reported at its path, by the schema
# (experiments/result.schema.json) or by a cross-check. Needs python3 and
# python3-jsonschema.
# shellcheck shell=sh
. tests/lib.sh

if ! why=$(python3 tests/checks/schema_lib.py 2>&1); then
	skip validate_lab_result "no python3-jsonschema (scripts/deps test): $(echo "$why" | tail -n 1)"
	exit 0
fi

fixture=tests/fixtures/results/lab-legacy-shrinker-storm.json.gz
gunzip -c "$fixture" >"$TMP/good.json"

name=validate_lab_result
if python3 tests/validate_result.py --strict "$TMP/good.json" >"$TMP/val" 2>&1; then
	ok "$name"
else
	fail "$name" "$(head -n 3 "$TMP/val" | tr '\n' ' ')"
fi

# damage NAME EXPECTED PYTHON: apply PYTHON to the result as d; the
# validator must fail with a line matching EXPECTED (grep -E).
damage() {
	name=validate_$1 want=$2
	python3 - "$TMP/good.json" "$TMP/bad.json" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
	if python3 tests/validate_result.py "$TMP/bad.json" >"$TMP/val" 2>&1; then
		fail "$name" "accepted"
	elif ! grep -Eq -- "$want" "$TMP/val"; then
		fail "$name" "no /$want/ in: $(head -n 3 "$TMP/val" | tr '\n' ' ')"
	else
		ok "$name"
	fi
}

s="d['summary']"
damage mean_off 'summary.fault_latency_ns.mean: .*sums give' "${s}['fault_latency_ns']['mean'] *= 1.001"
damage sum_cycles_off 'summary.fault_latency_ns.sum_cycles: .*add up to' \
	"${s}['fault_latency_ns']['sum_cycles'] += 1"
damage vcpu_sum_impossible 'fault_latency_ns.sum_cycles: 3 cycles .* do not fit' \
	"d['vms'][0]['result']['vcpus'][0]['fault_latency_ns']['sum_cycles'] = 3"
damage mean_without_sums "fault_latency_ns: missing key 'sum_cycles'" \
	"del d['vms'][0]['result']['vcpus'][0]['fault_latency_ns']['sum_cycles']"
damage guest_ns_off "summary.touch.guest_ns: .*TSC stamps say" "${s}['touch']['guest_ns'] *= 0.9"
damage peak_below_samples 'summary.memcg.peak_bytes: .*below the sampled' \
	"${s}['memcg']['peak_bytes'] = ${s}['memcg']['current_bytes']['peak'] - 4096; d['series']['memcg.peak_bytes']['v'][-1] = ${s}['memcg']['peak_bytes']"
damage peak_not_last 'summary.memcg.peak_bytes: .*last reading' "${s}['memcg']['peak_bytes'] += 4096"
damage under_pressure_off 'summary.under_pressure.current_bytes: .*samples of memcg.current_bytes' \
	"${s}['under_pressure']['current_bytes'] *= 1.01"
damage under_pressure_null 'summary.under_pressure: null, but a pressure event fired' \
	"${s}['under_pressure'] = None"
damage under_pressure_window 'summary.under_pressure.from_s: .*first pressure event' \
	"${s}['under_pressure']['from_s'] += 0.5"
damage scan_calls_off 'summary.shrinker.kvm_scan_calls: .*grew by' "${s}['shrinker']['kvm_scan_calls'] += 1"
damage kvm_pf_taken_off 'summary.kvm.pf_taken: .*grew by' \
	"${s}['kvm'] = {'pf_taken': 1, 'pf_fixed': None, 'mmu_recycled': None, 'mmu_shadow_zapped': None}"
damage guest_counters_off "summary.guest_counters.cr3_switches: 5, but the vCPUs' counters sum to None" \
	"${s}['guest_counters'] = {'cr3_switches': 5}"
damage passes_missing "summary.shrinker: missing key 'kvm_count_passes'" \
	"del ${s}['shrinker']['kvm_count_passes']"
damage kprobe_unavailable_counts 'series of sampler shrink_kprobe, which is unavailable' \
	"k = [x for x in d['sources'] if x['name'] == 'shrink_kprobe'][0]; k['available'] = False; k['why'] = 'no such function'"
damage kprobe_source_missing 'samplers are .* want' \
	"d['sources'] = [x for x in d['sources'] if x['name'] != 'shrink_kprobe']"
damage block_zero 'run.block: 0: a block is numbered from 1' "d['run']['block'] = 0"
damage block_type 'run.block: expected an integer' "d['run']['block'] = '2'"
# without run.block a file is an older one: its older keys are required
damage older_file "summary.shrinker: missing key 'kvm_calls'" "del d['run']['block']"
