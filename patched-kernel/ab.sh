#!/bin/sh
# patched-kernel/ab.sh: the main job. Builds the arms that are missing
# (cached), runs every experiment on every arm in the lab, REPS times, in
# an interleaved, shuffled (seeded) order so that drift in the machine
# does not line up with an arm, then compares the arms: report.txt (the
# email), report.csv and plots, under results/<date>-ab/.
#
# Usage: patched-kernel/ab.sh
# Environment: ARMS ("legacy cache-shrinker no-shrinker inverted"; an arm
#   named twice is an A/A: its second set is <arm>-2; one arm alone gets a
#   report instead of a comparison),
#   EXPS ("idle-caches memcg-squeeze shrinker-storm"; names or spec files),
#   MMU (shadow), NOISE (an earlier A/A AB_OUT: the noise floors of each
#   experiment are measured from NOISE/<experiment>),
#   REPS (5), SEED (1), AB_OUT (results/<date>-ab), LAB_DURATION, LAB_SCALE,
#   LAB_CPUS, LAB_MEM, PLAN_ONLY (1: print the shuffled plan and stop),
#   RESUME (1: with the same AB_OUT and settings, keep the runs a failed or
#   interrupted make ab finished and run only the rest)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
arms=${ARMS:-legacy cache-shrinker no-shrinker inverted}
exps=${EXPS:-idle-caches memcg-squeeze shrinker-storm}
mmu=${MMU:-shadow}
reps=${REPS:-5}
seed=${SEED:-1}
out=${AB_OUT:-$top/results/$(date +%Y%m%d-%H%M%S)-ab}

die() { echo "kvmsqueeze: ab: $*" >&2; exit 1; }
say() { echo "ab: $*" >&2; }
now() { date +%s; }

case "$reps" in '' | *[!0-9]* | 0) die "REPS=$reps: expected a number from 1" ;; esac
case "$mmu" in tdp | shadow) ;; *) die "MMU=$mmu: use tdp or shadow" ;; esac
[ -z "${NOISE:-}" ] || [ -d "$NOISE" ] || die "NOISE=$NOISE: no such directory (an earlier A/A run's AB_OUT)"
# the sets: one per arm, a repeated arm's later sets named <arm>-2, -3...
sets=
kernels=
seen=
for a in $arms; do
	# shellcheck disable=SC2086
	k=$(printf '%s\n' $seen "$a" | grep -cxF "$a")
	seen="$seen $a"
	if [ "$k" -eq 1 ]; then
		sets="$sets $a"
		kernels="$kernels $a"
	else
		sets="$sets $a-$k"
	fi
done
mkdir -p "$out/raw"
out=$(cd "$out" && pwd)
t0=$(now)

# 1. the plan: every (experiment, arm, repetition), shuffled with the seed
plan=$out/plan.txt
for e in $exps; do
	for a in $sets; do
		r=1
		while [ "$r" -le "$reps" ]; do
			echo "$e $a $r"
			r=$((r + 1))
		done
	done
done | awk -v seed="$seed" 'BEGIN { srand(seed) } { printf "%.9f %s\n", rand(), $0 }' |
	sort -k1,1 | cut -d' ' -f2- >"$plan"
total=$(wc -l <"$plan")
say "$total lab runs ($exps) x ($sets ), $mmu, seed $seed; plan in $plan"
if [ -n "${PLAN_ONLY:-}" ]; then
	cat "$plan"
	exit 0
fi

# 2. kernels (cached: only what changed is built), then the runs
# shellcheck disable=SC2086
"$here/build.sh" $kernels
make -s -C "$top" all static >/dev/null
t_build=$(( $(now) - t0 ))

n=0
t_lab=0
while read -r e a r; do
	n=$((n + 1))
	en=$(basename "$e" .json)
	raw=$out/raw/$en-$a-$r
	if [ -n "${RESUME:-}" ] && [ -s "$out/$en/$a/rep-$r.json" ]; then
		say "[$n/$total] $e on $a, rep $r: done before, kept (RESUME)"
		continue
	fi
	say "[$n/$total] $e on $a, rep $r"
	s=$(now)
	if ! LAB_OUT=$raw "$here/lab.sh" "${a%-[0-9]*}" "$e" "$mmu" 1 >"$raw.log" 2>&1; then
		tail -n 5 "$raw.log" >&2
		die "lab run $e on $a rep $r failed (log: $raw.log); RESUME=1 with the same AB_OUT keeps the runs done so far"
	fi
	t_lab=$(( t_lab + $(now) - s ))
	mkdir -p "$out/$en/$a"
	cp "$raw/run/rep-1.json" "$out/$en/$a/rep-$r.json"
done <"$plan"

# 3. the comparison, one table per experiment, first arm the baseline
s=$(now)
: >"$out/report.txt"
: >"$out/report.csv"
for e in $exps; do
	en=$(basename "$e" .json)
	set --
	for a in $sets; do set -- "$@" "$out/$en/$a"; done
	if [ $# -eq 1 ]; then
		"$top/kvmsqueeze" report --plots "$out/plots/$en" "$@" >>"$out/report.txt"
		echo >>"$out/report.txt"
		"$top/kvmsqueeze" report --format csv "$@" >>"$out/report.csv"
		continue
	fi
	[ -n "${NOISE:-}" ] && [ -d "$NOISE/$en" ] && set -- --noise "$NOISE/$en" "$@"
	"$top/kvmsqueeze" compare --plots "$out/plots/$en" "$@" >>"$out/report.txt"
	echo >>"$out/report.txt"
	"$top/kvmsqueeze" compare --format csv "$@" >>"$out/report.csv"
done
t_analysis=$(( $(now) - s ))
{
	echo "make ab: $total lab runs, wall time $(( $(now) - t0 )) s:"
	echo "  kernels ${t_build} s, lab runs ${t_lab} s, analysis ${t_analysis} s"
} >>"$out/report.txt"
cat "$out/report.txt"
say "results, report.txt, report.csv and plots in $out"
