# tests/run_validate.sh: tests/validate_result.py catches what is wrong in
# the keys added with run.block: a real lab result (legacy, shrinker-storm
# at 1/4 scale, tests/fixtures/results/) validates as it is, and each
# damage below is reported at its path, by the schema
# (experiments/result.schema.json) or by a cross-check. Needs python3 and
# python3-jsonschema.
# shellcheck shell=sh
. tests/lib.sh

plan_names validate_lab_result
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

# damage NAME EXPECTED: the result with the edit NAME of
# tests/tools/edit_result.py (--list says what each one breaks); the
# validator must fail with a line matching EXPECTED (grep -E).
damage() {
	name=validate_$1 want=$2
	python3 tests/tools/edit_result.py "$1" "$TMP/good.json" "$TMP/bad.json"
	if python3 tests/validate_result.py "$TMP/bad.json" >"$TMP/val" 2>&1; then
		fail "$name" "accepted"
	elif ! grep -Eq -- "$want" "$TMP/val"; then
		fail "$name" "no /$want/ in: $(head -n 3 "$TMP/val" | tr '\n' ' ')"
	else
		ok "$name"
	fi
}

damage mean_off 'summary.fault_latency_ns.mean: .*sums give'
damage sum_cycles_off 'summary.fault_latency_ns.sum_cycles: .*add up to'
damage vcpu_sum_impossible 'fault_latency_ns.sum_cycles: 3 cycles .* do not fit'
damage mean_without_sums "fault_latency_ns: missing key 'sum_cycles'"
damage guest_ns_off "summary.touch.guest_ns: .*TSC stamps say"
damage peak_below_samples 'summary.memcg.peak_bytes: .*below the sampled'
damage peak_not_last 'summary.memcg.peak_bytes: .*last reading'
damage under_pressure_off 'summary.under_pressure.current_bytes: .*samples of memcg.current_bytes'
damage under_pressure_null 'summary.under_pressure: null, but a pressure event fired'
damage under_pressure_window 'summary.under_pressure.from_s: .*first pressure event'
damage scan_calls_off 'summary.shrinker.kvm_scan_calls: .*grew by'
damage kvm_pf_taken_off 'summary.kvm.pf_taken: .*grew by'
damage guest_counters_off "summary.guest_counters.cr3_switches: 5, but the vCPUs' counters sum to None"
damage passes_missing "summary.shrinker: missing key 'kvm_count_passes'"
damage kprobe_unavailable_counts 'series of sampler shrink_kprobe, which is unavailable'
damage kprobe_source_missing 'samplers are .* want'
damage block_zero 'run.block: 0: a block is numbered from 1'
damage block_type 'run.block: expected an integer'
# without run.block a file is an older one: its older keys are required
damage older_file "summary.shrinker: missing key 'kvm_calls'"
