# tests/lab_counts.sh: the shrinker counts say what they count, in the
# QEMU lab. On legacy (6.12) shrinker-storm fires drop_caches and the
# debugfs scan file every 100 ms: drop_caches makes do_shrink_slab()
# count passes over the KVM shrinker, the scan file calls its scan
# callback outside of any pass, so the kretprobe sees at least one call
# per scan while the passes are counted apart. On no-shrinker there is no
# mmu_shrink_scan to probe: unavailable, never 0. Two short lab runs.
# shellcheck shell=sh
. tests/lib.sh

plan_names lab_counts_legacy lab_counts_no_shrinker
cache=${KVMSQ_CACHE:-$HOME/.cache/kvmsqueeze}

skip_all() { skip_rest "$1"; exit 0; }

[ "$BUILD" = build ] || skip_all "the lab runs in the main pass only (its kvmsqueeze is the static build)"
scripts/deps lab >"$TMP/deps" 2>&1 || skip_all "$(tail -n 1 "$TMP/deps")"
for arm in legacy no-shrinker; do
	[ -f "$cache/kernels/$arm/bzImage" ] ||
		skip_all "no $arm kernel in $cache/kernels (make kernels)"
done

# lab NAME ARM [ENV...]: shrinker-storm at 1/4 scale; the result validates.
lab() {
	n=$1 a=$2
	shift 2
	lab_run "$n" "$a" shrinker-storm shadow LAB_SCALE=0.25 "$@"
}

name=lab_counts_legacy
if lab "$name" legacy; then
	check "$name" kprobe_counts "$TMP/$name/run/rep-1.json" && ok "$name"
	# the counts, as TAP comments
	result_value shrinker_counts "$TMP/$name/run/rep-1.json" 2>/dev/null | sed 's/^/# /'
fi

name=lab_counts_no_shrinker
if lab "$name" no-shrinker LAB_DURATION=3; then
	check "$name" kprobe_unavailable "$TMP/$name/run/rep-1.json" && ok "$name"
fi
