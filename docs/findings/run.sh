#!/bin/sh
# docs/findings/run.sh: every run behind docs/findings.md, in the order of
# its claims. Each step is one `make ab` (the lab: TCG, 2 CPUs, 2 GiB
# unless said, on the instruction clock) or one `kvmsqueeze run` (this
# host), exactly as quoted in the write-up; the results land under $OUT
# (results/findings), one directory per step; docs/findings/pack.sh
# copies them to docs/results and docs/findings/sweep.py turns the sweeps
# into tables.
#
# Usage: docs/findings/run.sh [STEP...]
#   steps: host pt-idle idle-levels density alias squeeze storm global
#   mutex recycle inverted lockdep
#   (default: all but lockdep, which needs the DEBUG=1 kernels: DEBUG=1
#   make kernel ARM=...). JOBS=N labs at once (make ab's default: the cores).
# A step whose results exist is resumed (make ab RESUME=1 keeps the runs
# done; a host sweep is redone with --overwrite); OUT=another directory
# starts afresh. PLAN_ONLY=1 runs nothing: it prints each lab step's
# estimated wall time with JOBS labs at once (make ab's estimate, from the
# lab run times measured here before) and their sum.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
OUT=${OUT:-$top/results/findings}
S=docs/findings/specs
steps=${*:-host pt-idle idle-levels density alias squeeze storm global mutex recycle inverted}
mkdir -p "$OUT"

say() { echo "findings: $*" >&2; }
plan_s=0
# estimate NAME VAR=VALUE...: make ab's estimate of that plan, in seconds
estimate() {
	name=$1
	shift
	line=$(env "$@" PLAN_ONLY=1 make -s ab 2>&1 >/dev/null | grep 'estimated wall time' | tail -n 1) ||
		{ say "$name: make ab made no plan: $(env "$@" PLAN_ONLY=1 make -s ab 2>&1 | tail -n 1)"; exit 1; }
	s=$(echo "$line" | sed -n 's/.*about \([0-9]* [a-z]*\) .*/\1/p' | awk '{ print $2 == "min" ? $1 * 60 : $1 }')
	plan_s=$((plan_s + s))
	say "$name: $(echo "$line" | sed 's/^ab: estimated wall time: //')"
}
ab() {	# ab NAME VAR=VALUE...: one make ab into $OUT/NAME
	name=$1
	shift
	if [ -n "${PLAN_ONLY:-}" ]; then
		estimate "$name" "$@"
		return 0
	fi
	resume=
	[ -f "$OUT/$name/plan.txt" ] && resume=RESUME=1
	say "$name: $* $resume"
	env "$@" $resume AB_OUT="$OUT/$name" make -s ab >>"$OUT/$name.log" 2>&1 ||
		{ tail -n 5 "$OUT/$name.log" >&2; exit 1; }
}

lab() {	# lab STEP EXP SPEC REPS: one patched-kernel/lab.sh on legacy, shadow paging
	if [ -n "${PLAN_ONLY:-}" ]; then
		# REPS runs in one lab: as long as make ab's REPS runs one at a time
		estimate "$1: $2 (one lab of $4 runs, not spread)" ARMS=legacy MMU=shadow EXPS="$3" REPS="$4" JOBS=1
		return 0
	fi
	d=$OUT/$1/$2/legacy-shadow
	say "$1: $2, $4 runs"
	rm -rf "$d"
	LAB_OUT=$d patched-kernel/lab.sh legacy "$3" shadow "$4" >"$OUT/$1/$2.log" 2>&1 ||
		{ tail -n 5 "$OUT/$1/$2.log" >&2; exit 1; }
}

alias_specs() {	# alias_specs [-uncapped]
	for n in 1 64 256 1024 2048 4096; do printf '%s ' "$S/alias-$n$1.json"; done
}

for step in $steps; do
	case $step in
	host)	# claims 1 and 2 on this host's KVM (shadow paging here)
		if [ -n "${PLAN_ONLY:-}" ]; then
			say "host: kvmsqueeze run on this host's KVM, not in the lab: not estimated"
			continue
		fi
		make -s all
		mkdir -p "$OUT/host"
		for s in pt-4k pt-2m idle-1 idle-8 idle-64 idle-256 \
			alias-1 alias-64 alias-256 alias-1024 alias-2048 alias-4096 \
			alias-1-uncapped alias-64-uncapped alias-256-uncapped \
			alias-1024-uncapped alias-2048-uncapped alias-4096-uncapped \
			alias-4096-112m-uncapped; do
			say "host: $s"
			./kvmsqueeze run "$S/$s.json" --reps 3 --out "$OUT/host/$s/host" --overwrite \
				>"$OUT/host/$s.log" 2>&1 ||
				{ tail -n 5 "$OUT/host/$s.log" >&2; exit 1; }
		done ;;
	pt-idle)	# claims 1 and 2 in the lab, TDP and shadow
		for mmu in tdp shadow; do
			ab "pt-idle-$mmu" MMU=$mmu ARMS=legacy REPS=3 \
				EXPS="$S/pt-4k.json $S/pt-2m.json $S/idle-1.json $S/idle-8.json $S/idle-64.json $S/idle-256.json"
			# TCG needs longer than 8 s to start 256 vCPUs
			ab "idle256-$mmu" LAB_DURATION=30 MMU=$mmu ARMS=legacy REPS=3 \
				EXPS="$S/idle-256.json"
		done ;;
	idle-levels)	# claim 2: the per-vCPU level over time, by workload
		mkdir -p "$OUT/idle-levels"
		for w in touch workingset churn; do lab idle-levels "idle-$w" "$S/idle-$w.json" 3; done ;;
	density)	# claim 2: N one-vCPU VMs in one lab, measured
		mkdir -p "$OUT/density"
		for n in 10 100; do lab density "density-$n" "$S/density-$n.json" 3; done
		lab density density-512 "$S/density-512.json" 1 ;;
	alias)	# claim 1's worst case
		ab alias-tdp MMU=tdp ARMS=legacy REPS=2 EXPS="$(alias_specs '')"
		ab alias-shadow MMU=shadow ARMS=legacy REPS=2 \
			EXPS="$(alias_specs '') $(alias_specs -uncapped) $S/alias-4096-112m-uncapped.json"
		# TCG builds 4096 shadowed spaces slowly: 60 s for whole passes
		ab alias4096-shadow LAB_DURATION=60 MMU=shadow ARMS=legacy REPS=2 \
			EXPS="$S/alias-4096.json $S/alias-4096-uncapped.json $S/alias-4096-112m-uncapped.json" ;;
	global)	# claim 3, global pressure, with an A/A arm (legacy twice)
		ab global-lab LAB_MEM=1G ARMS="legacy cache-shrinker-v2 cache-shrinker-trylock no-shrinker inverted legacy" \
			REPS=6 EXPS="$S/global-squeeze-lab.json" ;;
	squeeze)	# claim 3, memcg pressure, with an A/A arm
		ab squeeze ARMS="legacy cache-shrinker-v2 cache-shrinker-trylock no-shrinker inverted legacy" REPS=6 \
			EXPS="$S/memcg-squeeze-lab.json" ;;
	storm)	# claim 3, a storm of explicit scans, with an A/A arm
		ab storm ARMS="legacy cache-shrinker-v2 cache-shrinker-trylock no-shrinker legacy" REPS=6 \
			EXPS="shrinker-storm" ;;
	mutex)	# claim 4: 1, 2 and all 4 lab CPUs faulting 128 MiB, with and
		# without a storm; legacy against planted-cost calibrates it
		ab mutex LAB_CPUS=4 LAB_SCALE=0.5 REPS=6 \
			ARMS="no-shrinker cache-shrinker-v2 cache-shrinker-trylock legacy planted-cost" \
			EXPS="$S/fault-1v.json $S/fault-2v.json $S/fault-4v.json $S/fault-1v-storm.json $S/fault-2v-storm.json $S/fault-4v-storm.json" ;;
	recycle)	# claim 5 on its real path: KVM's own cap recycling shadow pages
		ab recycle ARMS="legacy inverted" REPS=6 \
			EXPS="$S/recycle-1024.json $S/recycle-2048.json $S/recycle-4096.json" ;;
	lockdep)	# claim 6: the DEBUG=1 kernels, once each; a hung lab is
		# ended by its guard and keeps its partial result and lockdep.txt
		if [ -n "${PLAN_ONLY:-}" ]; then
			say "lockdep: two DEBUG=1 labs of up to 900 s each, not spread: not estimated"
			continue
		fi
		for arm in cache-shrinker-v2 cache-shrinker-trylock; do
			say "lockdep: $arm"
			rm -rf "$OUT/lockdep-$arm"
			DEBUG=1 LAB_MEM=1G LAB_DURATION=150 LAB_STALL=240 LAB_TIMEOUT=900 \
				LAB_OUT="$OUT/lockdep-$arm" patched-kernel/lab.sh "$arm" \
				"$S/lockdep-reclaim.json" shadow 1 >"$OUT/lockdep-$arm.log" 2>&1 ||
				say "lockdep: $arm: the lab failed (a report or a hang is the measurement): $(tail -n 1 "$OUT/lockdep-$arm.log")"
		done ;;
	inverted)	# claim 5, the contrived case (a scan picks the victims), with an A/A arm
		ab inverted ARMS="legacy inverted legacy" REPS=6 \
			EXPS="shrinker-storm patched-kernel/checks/zap-order.json" ;;
	*)
		echo "findings: unknown step '$step' (host pt-idle idle-levels density alias squeeze storm global mutex recycle inverted lockdep)" >&2
		exit 2 ;;
	esac
done
if [ -n "${PLAN_ONLY:-}" ]; then
	say "estimated wall time of the lab steps, one after the other, JOBS ${JOBS:-as many as the cores}: about $(( (plan_s + 59) / 60 )) min"
	exit 0
fi
say "done: results under $OUT"
