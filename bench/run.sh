#!/bin/sh
# bench/run.sh: populate speed of `kvmsqueeze vm --guest touch` against the
# KVM selftests' demand_paging_test (no userfaultfd), the cost of the
# per-fault timing, and the cold start of a VM whose guest exits at once.
# Both populate the same memory per vCPU with the same vCPU count and
# backing (anon, 4 KiB guest pages), alternating, ROUNDS times; medians.
# Populate time is each tool's own: the selftest's "Total guest execution
# time" and the touch guest's "touch" phase.
# Then the runner's CPU cost of sampling at 10 ms, 100 ms and 1 s, and
# the QEMU lab's fixed cost (bench/lab.sh: QEMU start to an experiment's
# first sample; skipped without QEMU or a built legacy image).
# Usage: [ROUNDS=5] [MEM_PER_VCPU=1G] [VCPUS="1 2"] [SAMPLE_S=10] bench/run.sh
set -eu

ROUNDS=${ROUNDS:-5}
MEM_PER_VCPU=${MEM_PER_VCPU:-1G}
VCPUS=${VCPUS:-"1 2"}
BUILD=${BUILD:-build}
KVMSQUEEZE=${KVMSQUEEZE:-./kvmsqueeze}
cache=${KVMSQ_CACHE:-$HOME/.cache/kvmsqueeze}
st=$cache/selftests

[ -w /dev/kvm ] || { echo "kvmsqueeze: bench: /dev/kvm is missing or not writable (the benchmark needs KVM)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- the selftest, built out of tree from the pristine source ---
src=$(scripts/ksrc)
dpt=$st/kvm/demand_paging_test
if [ ! -x "$dpt" ]; then
	echo "bench: building demand_paging_test from $src" >&2
	mkdir -p "$st"
	make -s -C "$src" O="$st" headers >"$tmp/build.log" 2>&1 ||
		{ tail -n 20 "$tmp/build.log" >&2; exit 1; }
	make -s -C "$src/tools/testing/selftests/kvm" OUTPUT="$st/kvm" \
		KHDR_INCLUDES="-isystem $st/usr/include" "$dpt" >"$tmp/build.log" 2>&1 ||
		{ tail -n 20 "$tmp/build.log" >&2; exit 1; }
fi

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
bytes() { python3 -c "
import re, sys
m = re.fullmatch(r'(\d+)([KMG]?)', sys.argv[1])
print(int(m.group(1)) << {'': 0, 'K': 10, 'M': 20, 'G': 30}[m.group(2)])" "$1"; }

# seconds the vCPUs spent populating, from each tool's own report
selftest_s() {
	"$dpt" -v "$1" -b "$MEM_PER_VCPU" -s anonymous >"$tmp/dpt.out" 2>&1 ||
		{ cat "$tmp/dpt.out" >&2; exit 1; }
	awk '/Total guest execution time/ { sub("s$", "", $NF); print $NF }' "$tmp/dpt.out"
}
touch_json() {
	vcpus=$1 timing=$2
	mem=$(( $(bytes "$MEM_PER_VCPU") * vcpus + 64 * 1048576 ))
	"$KVMSQUEEZE" vm --guest touch --vcpus "$vcpus" --mem "$mem" --backing anon \
		--guest-page 4k --param size="$MEM_PER_VCPU" --param timing="$timing" \
		-q --json "$tmp/k.json" || exit 1
}
kvmsq_s() {
	touch_json "$1" 1
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
print([p for p in d['phases'] if p['name'] == 'touch'][0]['duration_ns'] / 1e9)" "$tmp/k.json"
}
# timing=2 alternates 2 MiB chunks with and without the per-fault rdtsc
# and histogram in one run, so both halves see the same host: a cost
# measured across separate runs drowns in run-to-run noise (+-30% here).
timing_cost_pct() {
	touch_json "$1" 2
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
c = [v['counters'] for v in d['vcpus']]
t = sum(x['timed_cycles'] for x in c) / sum(x['timed_pages'] for x in c)
u = sum(x['untimed_cycles'] for x in c) / sum(x['untimed_pages'] for x in c)
print((t / u - 1) * 100)" "$tmp/k.json"
}

echo "kvmsqueeze bench: $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs"
echo "populate $MEM_PER_VCPU per vCPU, anon, 4k guest pages, $ROUNDS rounds alternating; medians"
printf '%-6s %14s %14s %8s %12s\n' vcpus selftest_s kvmsqueeze_s ratio timing_cost
for v in $VCPUS; do
	: >"$tmp/a"; : >"$tmp/b"; : >"$tmp/c"
	r=0
	while [ "$r" -lt "$ROUNDS" ]; do
		selftest_s "$v" >>"$tmp/a"
		kvmsq_s "$v" 1 >>"$tmp/b"
		timing_cost_pct "$v" >>"$tmp/c"
		r=$((r + 1))
		echo "  vcpus=$v round $r/$ROUNDS: selftest $(tail -n1 "$tmp/a") s, kvmsqueeze $(tail -n1 "$tmp/b") s, timing cost $(tail -n1 "$tmp/c")%" >&2
	done
	a=$(median <"$tmp/a"); b=$(median <"$tmp/b"); c=$(median <"$tmp/c")
	awk -v v="$v" -v a="$a" -v b="$b" -v c="$c" 'BEGIN {
		printf "%-6s %14.3f %14.3f %8.2f %+11.2f%%\n", v, a, b, a / b, c }'
done
echo "ratio = selftest / kvmsqueeze (target >= 1.0); timing_cost = per-page time of"
echo "timed over untimed 2 MiB chunks, interleaved in one run, minus 1 (target < 2%)"

# --- the runner's own cost: CPU time of its loop per second of sampling ---
echo
echo "runner CPU while sampling: 4 VMs x 4 vCPUs (idle guest), ${SAMPLE_S:=10} s per period"
printf '%-10s %10s %10s %12s\n' period_ms loop_s cpu_s cpu_percent
for ms in 10 100 1000; do
	cat >"$tmp/spec.json" <<EOF2
{ "name": "bench-sampler", "question": "What does sampling cost the runner?",
  "duration_s": $SAMPLE_S, "sample_period_ms": $ms,
  "vms": [ { "count": 4, "vcpus": 4, "mem": "128M", "guest": "idle",
             "params": { "touch": "1M" } } ] }
EOF2
	"$KVMSQUEEZE" run --out "$tmp/run-$ms" "$tmp/spec.json" 2>"$tmp/run.err" ||
		{ cat "$tmp/run.err" >&2; exit 1; }
	python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))['run']
print('%-10s %10.2f %10.3f %11.2f%%' % (sys.argv[2], r['loop_s'], r['loop_cpu_s'],
      100 * r['loop_cpu_s'] / r['loop_s']))" "$tmp/run-$ms/rep-1.json" "$ms"
done
echo "target: under 1% of one CPU at 100 ms"

# --- cold start: exec to exit of a VM whose guest exits at once ---
if command -v hyperfine >/dev/null; then
	hyperfine -N --warmup 5 --runs 100 --export-json "$tmp/h.json" \
		"$KVMSQUEEZE vm --guest nop --mem 64M -q" >/dev/null 2>&1 ||
		hyperfine --warmup 5 --runs 100 --export-json "$tmp/h.json" \
			"$KVMSQUEEZE vm --guest nop --mem 64M -q" >/dev/null
	python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))['results'][0]
print('cold start (nop guest, 64M, exec to exit): median %.2f ms, mean %.2f ms +- %.2f, %d runs (target median < 5 ms)'
      % (r['median'] * 1e3, r['mean'] * 1e3, r['stddev'] * 1e3, len(r['times'])))" "$tmp/h.json"
else
	echo "cold start: hyperfine missing (apt-get install hyperfine)"
fi

# --- the QEMU lab's fixed cost: QEMU start to an experiment's first sample ---
bench/lab.sh
