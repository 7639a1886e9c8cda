# tests/lab_counts.sh: the shrinker counts say what they count, in the
# QEMU lab. On legacy (6.12) shrinker-storm fires drop_caches and the
# debugfs scan file every 100 ms: drop_caches makes do_shrink_slab()
# count passes over the KVM shrinker, the scan file calls its scan
# callback outside of any pass, so the kretprobe sees at least one call
# per scan while the passes are counted apart. On no-shrinker there is no
# mmu_shrink_scan to probe: unavailable, never 0. Two short lab runs.
# shellcheck shell=sh
. tests/lib.sh

ALL="lab_counts_legacy lab_counts_no_shrinker"
cache=${KVMSQ_CACHE:-$HOME/.cache/kvmsqueeze}

skip_all() { for t in $ALL; do skip "$t" "$1"; done; exit 0; }

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
	json_check "$name" "$TMP/$name/run/rep-1.json" "$(cat <<'PY'
(lambda sh, src: (lambda kp, scans, drops:
    kp['available'] and 'note' not in kp
    and drops['fired'] > 0 and scans['fired'] > 0
    and sh['kvm_count_passes'] > 0
    and sh['all_count_passes'] >= sh['kvm_count_passes']
    and sh['kvm_scan_calls'] >= scans['fired']
    and sh['kvm_scan_freed'] >= 0
    and d['series']['kprobe.mmu_shrink_scan.missed']['v'][-1] == 0
    and d['series']['kprobe.lost_events']['v'][-1] == 0)(
        src['shrink_kprobe'], src['shrinker_scan'], src['drop_caches']))(
    d['summary']['shrinker'], {s['name']: s for s in d['sources']})
PY
)" "scan calls below the debugfs scans, no count passes from drop_caches, or the kprobe missed calls or was left behind" &&
	ok "$name"
	python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['summary']['shrinker']; print('# legacy: %d count passes (%d objects freed in them), %d scan calls (%d freed)' % (s['kvm_count_passes'], s['kvm_pass_freed'], s['kvm_scan_calls'], s['kvm_scan_freed']))" \
		"$TMP/$name/run/rep-1.json" 2>/dev/null
fi

name=lab_counts_no_shrinker
if lab "$name" no-shrinker LAB_DURATION=3; then
	json_check "$name" "$TMP/$name/run/rep-1.json" "$(cat <<'PY'
(lambda kp: not kp['available'] and 'no such function' in kp['why']
    and d['summary']['shrinker']['kvm_scan_calls'] is None
    and d['summary']['shrinker']['kvm_scan_freed'] is None
    and not any(k.startswith('kprobe.') for k in d['series']))(
    [s for s in d['sources'] if s['name'] == 'shrink_kprobe'][0])
PY
)" "the kretprobe source is not unavailable with 'no such function', or counted something" &&
	ok "$name"
fi
