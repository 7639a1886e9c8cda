# tests/idle_levels.sh: docs/findings/idle_levels.py on a fixture whose
# quantiles are known (tests/fixtures/idle-levels/rep-1.json): vm0, a
# touch guest, samples 0 (before its touch: left out), 10 to 50 during
# it, 60 and 70 after; vm1, an idle guest, 5 during its touch and 1 to 10
# after it. Quantiles interpolate between ranks at p x (n - 1).
# shellcheck shell=sh
. tests/lib.sh

plan_names idle_levels_quantiles idle_levels_width idle_levels_gzip idle_levels_none

FX=tests/fixtures/idle-levels
tool=docs/findings/idle_levels.py

name=idle_levels_quantiles
if out=$(python3 "$tool" "$FX" 2>"$TMP/err"); then
	want='idle         during       1      5      5      5      5      5     5.0
idle         after       10      1    1.9    5.5    9.1     10     5.5
touch        during       5     10     14     30     46     50    30.0
touch        after        2     60     61     65     69     70    65.0'
	got=$(echo "$out" | tail -n 4)
	if [ "$got" = "$want" ]; then ok "$name"; else fail "$name" "got: $(echo "$got" | tr '\n' '|')"; fi
else
	fail "$name" "exit $?: $(cat "$TMP/err")"
fi

name=idle_levels_width
wide=$(echo "$out" | awk 'length($0) > 72' | head -n 1)
if [ -z "$wide" ]; then ok "$name"; else fail "$name" "a line over 72 columns: $wide"; fi

# the committed results are gzipped: the same table from a .json.gz
name=idle_levels_gzip
mkdir -p "$TMP/gz"
gzip -c "$FX/rep-1.json" >"$TMP/gz/rep-1.json.gz"
if [ "$(python3 "$tool" "$TMP/gz" 2>&1)" = "$out" ]; then ok "$name"; else fail "$name" "differs"; fi

# no per-vCPU series (a kernel without the statistic): exit 1, said why
name=idle_levels_none
printf '{"vms": [], "phases": [], "series": {}}\n' >"$TMP/rep-1.json"
python3 "$tool" "$TMP/rep-1.json" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'no kvm.vm<i>.vcpu<j>.mmu_cache_pages samples' "$TMP/err" && [ ! -s "$TMP/out" ]; then
	ok "$name"
else
	fail "$name" "exit $rc: $(cat "$TMP/err")"
fi
