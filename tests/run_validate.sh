# tests/run_validate.sh: tests/validate_result.py catches what is wrong in
# the keys added with run.block: a real lab result (legacy, shrinker-storm
# at 1/4 scale, tests/fixtures/results/) validates as it is, and each
# damage below is reported at its path, by the schema
# (experiments/result.schema.json) or by a cross-check. Needs python3 and
# python3-jsonschema.
# shellcheck shell=sh
. tests/lib.sh

# EDIT EXPECTED: the test validate_EDIT damages the result with the edit
# EDIT of tests/tools/edit_result.py (--list says what each one breaks);
# the validator must fail with a line matching EXPECTED (grep -E). The
# last, older_file: without run.block a file is an older one, and its
# older keys are required.
DAMAGES=$(cat <<'LIST'
mean_off summary.fault_latency_ns.mean: .*sums give
sum_cycles_off summary.fault_latency_ns.sum_cycles: .*add up to
vcpu_sum_impossible fault_latency_ns.sum_cycles: 3 cycles .* do not fit
mean_without_sums fault_latency_ns: missing key 'sum_cycles'
guest_ns_off summary.touch.guest_ns: .*TSC stamps say
peak_below_samples summary.memcg.peak_bytes: .*below the sampled
peak_not_last summary.memcg.peak_bytes: .*last reading
under_pressure_off summary.under_pressure.current_bytes: .*samples of memcg.current_bytes
under_pressure_null summary.under_pressure: null, but a pressure event fired
under_pressure_window summary.under_pressure.from_s: .*first pressure event
scan_calls_off summary.shrinker.kvm_scan_calls: .*grew by
kvm_pf_taken_off summary.kvm.pf_taken: .*grew by
guest_counters_off summary.guest_counters.cr3_switches: 5, but the vCPUs' counters sum to None
passes_missing summary.shrinker: missing key 'kvm_count_passes'
kprobe_unavailable_counts series of sampler shrink_kprobe, which is unavailable
kprobe_source_missing samplers are .* want
block_zero run.block: 0: a block is numbered from 1
block_type run.block: expected an integer
older_file summary.shrinker: missing key 'kvm_calls'
LIST
)
# shellcheck disable=SC2046 # names, one a word
plan_names validate_lab_result $(printf '%s\n' "$DAMAGES" | sed 's/ .*//; s/^/validate_/')
if ! why=$(python3 tests/checks/schema_lib.py 2>&1); then
	skip_rest "no python3-jsonschema (scripts/deps test): $(echo "$why" | tail -n 1)"
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

# damage EDIT EXPECTED: the test validate_EDIT (DAMAGES)
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

while read -r edit want; do
	damage "$edit" "$want"
done <<LIST
$DAMAGES
LIST
