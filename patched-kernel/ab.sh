#!/bin/sh
# patched-kernel/ab.sh: the main job. Checks that the plan can decide,
# builds the arms that are missing (cached), runs every experiment on
# every arm in the lab in blocks (block b holds one run of every set, in
# an order seeded by SEED and b), JOBS labs at once, then compares the
# arms: report.txt (the email), report.csv and plots, under AB_OUT.
#
# Usage: patched-kernel/ab.sh   (settings from the environment)
# Environment: ARMS ("legacy cache-shrinker-v2 no-shrinker inverted"; arm
#   words, patched-kernel/ARMS.md: in-repo arms, .arm files, folders of
#   patches, git:/tree@REF, ARM+param=value; each set is labelled by its
#   arm's name; a word given twice is an A/A: its second set is <name>-2;
#   one arm alone gets a report instead of a comparison),
#   EXPS ("idle-caches memcg-squeeze shrinker-storm"; names or spec files),
#   MMU (shadow), NOISE (an earlier A/A AB_OUT: the noise floors of each
#   experiment are measured from NOISE/<experiment>),
#   REPS (runs per set, one per block; default: the fewest with which
#   every experiment decides with margin), SEED (1),
#   JOBS (labs at once; default: what the cores and the memory hold),
#   AB_OUT (results/<date>-ab), LAB_CLOCK, LAB_ICOUNT_SHIFT, LAB_DURATION,
#   LAB_SCALE, LAB_CPUS, LAB_MEM, LAB_APPEND, DEBUG (see lab.sh),
#   PLAN_ONLY (1: print the plan and its estimated time, and stop; the
#   estimate uses the times of earlier runs here, KVMSQ_CACHE/lab-times),
#   RESUME (1: with the same AB_OUT and settings, keep the runs a failed or
#   interrupted make ab finished and run only the rest),
#   KVMSQUEEZE (the kvmsqueeze to ask for primaries and compare with;
#   default: ./kvmsqueeze, made first), KVMSQ_PROGRESS_PERIOD (seconds
#   between progress lines when stderr is not a terminal, default 30; on a
#   terminal a status line under the runs' lines updates each second),
#   KVMSQ_AB_OPTIONS (set by `kvmsqueeze ab`: the variables its options
#   set, so that a refusal names the option the user typed)
# Where the runs run: EXECUTOR (local: this machine, JOBS at once,
#   patched-kernel/exec-local; slurm: one Slurm job array per plan,
#   patched-kernel/exec-slurm, with SLURM_PARTITION (the partition; unset:
#   Slurm's default) and an AB_OUT every node mounts; JOBS is then only
#   the estimate's runs at once, by default the partition's CPUs). Each
#   run is one patched-kernel/lab-run AB_OUT N (plan line N).
# Where the kernels are built: KERNELS (local: here, before the runs, the
#   default; slurm, only with EXECUTOR=slurm: one Slurm job per arm whose
#   image is not up to date, patched-kernel/build.sh ARM on a node with
#   KERNEL_CPUS CPUs (default: the smallest node's of the partition) and
#   KVMSQ_CACHE at the same path, its log AB_OUT/slurm/kernel-ARM.log;
#   all of them end before the lab runs are submitted).
# Installed (make install: no Makefile above, nothing to build), it runs
# the KVMSQUEEZE and KVMSQ_STATIC an installed kvmsqueeze ab sets, and
# writes under ./results.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
results=$top/results
[ -f "$top/Makefile" ] || results=$PWD/results
cache=${KVMSQ_CACHE:-$HOME/.cache/kvmsqueeze}

usage() {
	echo "usage: [ARMS=...] [EXPS=...] [REPS=N] [JOBS=N] [SEED=N] [PLAN_ONLY=1] [RESUME=1] patched-kernel/ab.sh" >&2
	exit 2
}
bad() { echo "kvmsqueeze: ab: $*" >&2; exit 2; }
die() { echo "kvmsqueeze: ab: $*" >&2; exit 1; }
say() {
	unstatus
	echo "ab: $*" >&2
	said=$(now)
}
# Progress while the labs run: on a terminal a status line under the
# runs' lines, redrawn each second (say clears it first); otherwise the
# status as a line when nothing was said for a period.
period=${KVMSQ_PROGRESS_PERIOD:-30}
case "$period" in '' | *[!0-9]* | 0*) period=30 ;; esac
tty=
[ -t 2 ] && tty=1
status_shown=
drawn=0
said=0
unstatus() {
	[ -z "$status_shown" ] || printf '\r\033[K' >&2
	status_shown=
	drawn=0
}
cols=$(stty size 2>/dev/null </dev/tty | cut -d' ' -f2)
case "$cols" in '' | *[!0-9]* | ? | 1?) cols=80 ;; esac
# show_status FUNC: the status line FUNC prints, on a terminal redrawn
# each second, otherwise as a line when nothing was said for a period
show_status() {
	t=$(now)
	if [ -n "$tty" ]; then
		[ "$t" -ne "$drawn" ] || return 0
		printf '\r\033[K%s' "$("$1" | cut -c "1-$((cols - 1))")" >&2
		status_shown=1
		drawn=$t
	elif [ $((t - said)) -ge "$period" ]; then
		"$1" >&2
		said=$t
	fi
}
now() { date +%s; }
hms() {
	if [ "$1" -ge 3600 ]; then
		printf '%dh%02dm%02ds' $(($1 / 3600)) $(($1 % 3600 / 60)) $(($1 % 60))
	else
		printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
	fi
}

# What the user typed. `kvmsqueeze ab` turns its options into these
# variables and lists the ones it set in KVMSQ_AB_OPTIONS: a refusal names
# the option when the value came from one (or, under kvmsqueeze ab, from
# a default), the variable when it came from the environment; a hint says
# the option under kvmsqueeze ab, the variable under make ab.
cmd=${KVMSQ_AB_OPTIONS+1}
opt_of() {
	case "$1" in
	ARMS) echo -a/--arms ;;
	EXPS) echo -e/--exps ;;
	MMU) echo -m/--mmu ;;
	REPS) echo -r/--reps ;;
	JOBS) echo -j/--jobs ;;
	LAB_CLOCK) echo -c/--clock ;;
	SEED) echo -s/--seed ;;
	AB_OUT) echo -o/--out ;;
	PLAN_ONLY) echo -n/--plan-only ;;
	RESUME) echo --resume ;;
	EXECUTOR) echo --executor ;;
	SLURM_PARTITION) echo --partition ;;
	KERNELS) echo --kernels ;;
	esac
}
# by_option VAR: VAR's value is an option's
by_option() {
	case " ${KVMSQ_AB_OPTIONS-} " in *" $1 "*) return 0 ;; esac
	[ -n "$cmd" ] && [ -n "$(opt_of "$1")" ] && eval "[ -z \"\${$1:-}\" ]"
}
# named VAR: "-r/--reps" or "REPS"; given VAR VALUE: "-r/--reps 4" or
# "REPS=4" (a flag: "--resume" or "RESUME=1")
named() { if by_option "$1"; then opt_of "$1"; else echo "$1"; fi; }
given() {
	if ! by_option "$1"; then
		echo "$1=$2"
	else
		case "$1" in PLAN_ONLY | RESUME) opt_of "$1" ;; *) echo "$(opt_of "$1") $2" ;; esac
	fi
}
# how VAR [VALUE]: how to ask for it: "--reps 5" or "REPS=5" (a flag:
# "--resume" or "RESUME=1"); without VALUE, the name alone
how() {
	if [ -z "$cmd" ]; then
		echo "$1${2:+=$2}"
	else
		case "$1" in PLAN_ONLY | RESUME) set -- "$1" ;; esac
		o=$(opt_of "$1")
		echo "${o#*/}${2:+ $2}"
	fi
}

# Significance: compare tests each experiment's primary metrics (Holm
# over them) at alpha; a plan decides "with margin" when its best
# attainable adjusted p is at most alpha / 4.
alpha=0.05

[ $# -eq 0 ] || usage
arms=${ARMS:-legacy cache-shrinker-v2 no-shrinker inverted}
exps=${EXPS:-idle-caches memcg-squeeze shrinker-storm}
mmu=${MMU:-shadow}
reps=${REPS:-}
seed=${SEED:-1}
out=${AB_OUT:-$results/$(date +%Y%m%d-%H%M%S)-ab}

# The labs at once by default: one host thread each (TCG), LAB_MEM and
# about 512 MiB of QEMU each, 1 GiB left to the rest of the machine.
mib() {
	case "$1" in
	*[Gg]) echo $(( ${1%?} * 1024 )) ;;
	*[Mm]) echo "${1%?}" ;;
	*[Tt]) echo $(( ${1%?} * 1048576 )) ;;
	*) echo "$1" ;;
	esac
}
jobs_default() {
	avail=$(( $(sed -n 's/^MemAvailable: *\([0-9]*\) kB$/\1/p' /proc/meminfo) / 1024 ))
	by_mem=$(( (avail - 1024) / ($(mib "$lab_mem") + 512) ))
	j=$(nproc)
	[ "$by_mem" -lt "$j" ] && j=$by_mem
	[ "$j" -ge 1 ] || j=1
	echo "$j"
}

lab_mem=${LAB_MEM:-2G}
case "${lab_mem%[GgMmTt]}" in '' | *[!0-9]* | 0*) bad "LAB_MEM=$lab_mem: expected a size like 2G or 1536M" ;; esac
jobs=${JOBS:-$(jobs_default)}
unset_hint="unset: the fewest that decide"
[ -z "$cmd" ] || unset_hint="left out: the fewest that decide"
case "$reps" in *[!0-9]* | 0*) bad "$(given REPS "$reps"): expected a number from 1 (or $unset_hint)" ;; esac
unset_hint="unset: $(jobs_default) here"
[ -z "$cmd" ] || unset_hint="left out: $(jobs_default) here"
case "$jobs" in '' | *[!0-9]* | 0*) bad "$(given JOBS "$jobs"): expected the number of labs to run at once, from 1 ($unset_hint)" ;; esac
case "$seed" in '' | *[!0-9]*) bad "$(given SEED "$seed"): expected a number from 0 to 999999999" ;; esac
[ ${#seed} -le 9 ] || bad "$(given SEED "$seed"): expected a number from 0 to 999999999"
case "$mmu" in tdp | shadow) ;; *) bad "$(given MMU "$mmu"): use tdp or shadow" ;; esac
[ -n "$arms" ] || bad "$(named ARMS) is empty: name at least one arm"
[ -n "$exps" ] || bad "$(named EXPS) is empty: name at least one experiment"
# the executor, which refuses what it cannot run before anything runs
executor=${EXECUTOR:-local}
case "$executor" in
local | slurm) ;;
*) bad "$(given EXECUTOR "$executor"): expected local (this machine, $(named JOBS) at once) or slurm (a Slurm job array on $(named SLURM_PARTITION))" ;;
esac
# where the kernels are built: here, or as Slurm jobs beside the runs
kbuild=${KERNELS:-local}
case "$kbuild" in
local) ;;
slurm)
	[ "$executor" = slurm ] ||
		bad "$(given KERNELS slurm): kernel builds as Slurm jobs need $(how EXECUTOR slurm) (with $(given EXECUTOR "$executor") they are built here: leave out $(named KERNELS))" ;;
*) bad "$(given KERNELS "$kbuild"): expected local (the kernels built here, the default) or slurm (one Slurm job per arm to build, with $(how EXECUTOR slurm))" ;;
esac
# shellcheck source=patched-kernel/exec-local
. "$here/exec-$executor"
exec_check
[ -z "${NOISE:-}" ] || [ -d "$NOISE" ] || bad "NOISE=$NOISE: no such directory (an earlier A/A run's AB_OUT)"
# the clock the labs will run on (lab.sh checks LAB_CLOCK, LAB_ICOUNT_SHIFT;
# its refusal of a LAB_CLOCK that came from -c/--clock names the option)
if by_option LAB_CLOCK && [ -n "${LAB_CLOCK:-}" ]; then
	clock_err=$(mktemp)
	rc=0
	clock=$("$here/lab.sh" --clock 2>"$clock_err") || rc=$?
	sed -e "s|LAB_CLOCK=\([^:]*\):|-c/--clock \1:|" -e 's|(unset LAB_CLOCK)|(leave out -c/--clock)|' \
		"$clock_err" >&2
	rm -f "$clock_err"
	[ "$rc" -eq 0 ] || exit "$rc"
else
	clock=$("$here/lab.sh" --clock) || exit $?
fi

if [ -n "${KVMSQUEEZE:-}" ]; then
	case "$KVMSQUEEZE" in /*) kvmsq=$KVMSQUEEZE ;; *) kvmsq=$PWD/$KVMSQUEEZE ;; esac
else
	[ -f "$top/Makefile" ] || die "KVMSQUEEZE is not set and $top is no source tree to make it in (run kvmsqueeze ab, or set KVMSQUEEZE)"
	make -s -C "$top" all >/dev/null
	kvmsq=$top/kvmsqueeze
fi
[ -x "$kvmsq" ] || die "$kvmsq: no kvmsqueeze there (make, or set KVMSQUEEZE)"

# the sets: one per arm word, labelled by the arm's name (patched-kernel/arm
# resolves each word, and refuses a bad one before anything runs); a
# repeated word's later sets are <name>-2, -3... setmap: "SET WORD IMAGE"
# lines; kernels: the words to build, each once
sets=
kernels=
ksets=
seen=
setmap=
nsets=0
for w in $arms; do
	if [ -x "$here/arm" ]; then
		nm=$("$here/arm" names "$w") || exit 2
	else
		nm="$w $w"
	fi
	a=${nm%% *}
	img=${nm#* }
	# shellcheck disable=SC2086
	k=$(printf '%s\n' $seen "$w" | grep -cxF -- "$w")
	seen="$seen $w"
	if [ "$k" -eq 1 ]; then
		other=$(printf '%s' "$setmap" | awk -v s="$a" '$1 == s { print $2; exit }')
		[ -z "$other" ] ||
			bad "$(named ARMS): $other and $w are both arm $a (give one another name: an .arm file with name = ..., see patched-kernel/ARMS.md)"
		kernels="$kernels $w"
		ksets="$ksets $a"
	else
		a=$a-$k
	fi
	sets="$sets $a"
	setmap="$setmap$a $w $img
"
	nsets=$((nsets + 1))
done
sets=${sets# }
kernels=${kernels# }
# set_field SET N: the set's word (2) or its image's arm name (3)
set_field() { printf '%s' "$setmap" | awk -v s="$1" -v n="$2" '$1 == s { print $n; exit }'; }
# the words, when a name is not the word (RESUME compares them too)
words=
for a in $sets; do
	[ "$(set_field "$a" 2)" = "$a" ] || words="$words $a=$(set_field "$a" 2)"
done

# 1. Can the plan decide? An exact permutation test of n runs against n
# reaches p = 2 / C(2n, n) at best (both tails); Holm over K primaries
# multiplies the smallest p by K. best N K: that p after Holm, the fewest
# runs that reach alpha and the fewest that reach alpha / 4.
best() {
	awk -v n="$1" -v k="$2" -v alpha="$alpha" '
	function pmin(n,  c, i) { c = 1; for (i = 1; i <= n; i++) c = c * (n + i) / i; return 2 / c }
	BEGIN {
		p = k * pmin(n); if (p > 1) p = 1
		need = 1; while (k * pmin(need) > alpha) need++
		margin = 1; while (k * pmin(margin) > alpha / 4) margin++
		printf "%.2g %d %d\n", p, need, margin
	}'
}
# how long a run of the experiment is, in seconds of its own clock
exp_duration() {
	d=${LAB_DURATION:-}
	if [ -z "$d" ] && [ -f "$1" ]; then
		d=$(sed -n 's/.*"duration_s" *: *\([0-9][0-9.]*\).*/\1/p' "$1" | head -n 1)
	elif [ -z "$d" ]; then
		d=$("$kvmsq" run --list | awk -v n="$1" '$1 == n { print $2; exit }')
	fi
	echo "${d:-10}"
}

# the primaries of each experiment, counted: lines "K EXP"
primaries=
durations=
for e in $exps; do
	prims=$("$kvmsq" run --primaries "$e") || exit 1
	k=$(printf '%s\n' "$prims" | grep -c . || true)
	primaries="$primaries$k $e
"
	durations="$durations $(exp_duration "$e")"
done

if [ "$nsets" -lt 2 ]; then
	# one set: a report, no test to decide
	reps=${reps:-5}
else
	need_all=1
	margin_all=1
	while read -r k e; do
		[ -n "$e" ] || continue
		if [ "$k" -eq 0 ]; then
			where=$e
			[ -f "$e" ] || where=experiments/catalog/$e.json
			die "$e names no primary metrics, so no comparison of it can decide (add \"primary\": [\"METRIC\", ...], 1 to 4 metric ids from experiments/SPEC.md, to $where)"
		fi
		# shellcheck disable=SC2046
		set -- $(best 1 "$k")
		[ "$2" -gt "$need_all" ] && need_all=$2
		[ "$3" -gt "$margin_all" ] && margin_all=$3
	done <<EOF
$primaries
EOF
	reps=${reps:-$margin_all}
	undecided=
	while read -r k e; do
		[ -n "$e" ] || continue
		en=$(basename "$e" .json)
		# shellcheck disable=SC2046
		set -- $(best "$reps" "$k")
		say "$en: $k primary metric(s); $reps runs against $reps reach p = $1 at best after Holm"
		if [ "$reps" -lt "$2" ]; then
			undecided="$undecided, $en ($1)"
		elif [ "$reps" -lt "$3" ]; then
			say "warning: $(given REPS "$reps"): $en decides only at the edge ($(how REPS "$3"): its best p is alpha / 4 or below)"
		fi
	done <<EOF
$primaries
EOF
	[ -z "$undecided" ] ||
		bad "$(given REPS "$reps"): the plan cannot decide: the best p after Holm is above alpha $alpha for ${undecided#, } ($(how REPS "$need_all") at least; $(how REPS "$margin_all") decides with margin)"
fi

# 2. The plan: block b (1..REPS) holds one run of every (experiment,
# set), shuffled with a generator seeded by SEED and b: drift in the
# machine meets every set once per block, never one arm more than
# another. Park and Miller's generator in awk's exact integer range, so
# every awk gives the same plan for the same seed. Lines: BLOCK EXP SET.
plan_lines() {
	awk -v seed="$seed" -v reps="$reps" -v exps="$exps" -v sets="$sets" '
	function rnd() { x = (x * 16807) % 2147483647; return x }
	BEGIN {
		ne = split(exps, e, " ")
		ns = split(sets, s, " ")
		for (b = 1; b <= reps; b++) {
			n = 0
			for (i = 1; i <= ne; i++)
				for (j = 1; j <= ns; j++)
					run[++n] = e[i] " " s[j]
			x = (seed * 48271 + b * 69621) % 2147483646 + 1
			for (i = 0; i < 10; i++)
				rnd()
			for (i = n; i > 1; i--) {
				j = 1 + rnd() % i
				t = run[i]; run[i] = run[j]; run[j] = t
			}
			for (i = 1; i <= n; i++)
				print b, run[i]
		}
	}'
}
# What changes the runs: RESUME keeps runs only when these are the same.
settings() {
	cat <<EOF
sets $sets
exps $exps
mmu $mmu
reps $reps
seed $seed
clock $clock
icount_shift ${LAB_ICOUNT_SHIFT:-2}
duration ${LAB_DURATION:-}
scale ${LAB_SCALE:-}
cpus ${LAB_CPUS:-2}
mem $lab_mem
debug ${DEBUG:-0}
append ${LAB_APPEND:-}
EOF
	[ -z "$words" ] || echo "words${words}"
}
# The wall time of N runs, JOBS at once. A lab run of an experiment takes
# what its last runs here with the same settings took (lab-times in the
# cache, one line per run: EXP MMU CLOCK SCALE DURATION SECONDS), or
# else about boot_s of QEMU start and boot plus its duration, times
# icount_x under icount (a busy guest: shrinker-storm and memcg-squeeze,
# 10 s each, took 30 s and 27 s a run on a 2-core machine; an idle one
# skips ahead: idle-caches, 5 s, took 8 s); an estimate, not a promise.
lab_times=$cache/lab-times
boot_s=8
icount_x=2
lab_key() { echo "$1 $mmu $clock ${LAB_SCALE:-1} ${LAB_DURATION:--}"; }
# run_times: each experiment's seconds per run and where they come from
run_times() {
	x=1
	[ "$clock" = icount ] && x=$icount_x
	times=$lab_times
	[ -f "$times" ] || times=/dev/null
	# shellcheck disable=SC2086
	set -- $durations
	for e in $exps; do
		awk -v k="$(lab_key "$(basename "$e" .json)")" -v boot="$boot_s" -v x="$x" -v d="$1" '
		$1 " " $2 " " $3 " " $4 " " $5 == k { t[n++ % 10] = $6 }
		END { if (n == 0) { print boot + x * d, "model"; exit }
		      if (n > 10) n = 10
		      for (i = 0; i < n; i++) sum += t[i]
		      print sum / n, "measured" }' "$times"
		shift
	done
}
# estimate RUNS: the wall time of the plan's last RUNS runs (those not
# kept), started in plan order as slots free up, JOBS slots: what the
# local executor does, so a plan of 72 runs on 64 slots takes two waves,
# not 72/64 of one
estimate() {
	{ run_times; echo --; plan_lines | tail -n "$1"; } | awk -v exps="$exps" -v jobs="$jobs" '
	BEGIN { split(exps, e, " ") }
	!plan && $0 == "--" { plan = 1; next }
	!plan { t[e[++n]] = $1; if ($2 == "measured") m++; next }
	{ k = 1
	  for (i = 2; i <= jobs; i++)
		if (free[i] < free[k]) k = i
	  free[k] += t[$2]
	  if (free[k] > end) end = free[k] }
	END { if (end < 120) printf "%d s", end; else printf "%d min", (end + 59) / 60
	      if (m == n) printf " (lab run times measured here before)\n"
	      else if (m > 0) printf " (lab run times measured here before for %d of %d experiments, the others from a model)\n", m, n
	      else printf " (a model of lab run times)\n" }'
}

total=$(( reps * nsets * $(echo "$exps" | wc -w) ))
plural() { [ "$1" -eq 1 ] || echo s; }
say "$total lab runs in $reps block$(plural "$reps") of $((total / reps)) ($exps) x ($sets), $mmu, clock $clock, seed $seed, JOBS $jobs"
if [ "$clock" = host ] && [ "$jobs" -gt 1 ]; then
	say "warning: $(given LAB_CLOCK host) with $(given JOBS "$jobs"): the labs share this machine, so their timing metrics depend on each other ($(how LAB_CLOCK icount), or $(how JOBS 1))"
fi
if [ -n "${PLAN_ONLY:-}" ]; then
	plan_lines
	say "estimated wall time: about $(estimate "$total"), JOBS $jobs, clock $clock: an estimate"
	exit 0
fi

mkdir -p "$out/raw" "$cache"
out=$(cd "$out" && pwd)
plan=$out/plan.txt
if [ -n "${RESUME:-}" ]; then
	if [ ! -f "$out/settings" ] || [ ! -f "$plan" ]; then
		if [ -n "$cmd" ]; then
			die "$(given RESUME 1): $out holds no ab to resume (leave out --resume to start one there)"
		fi
		die "$(given RESUME 1): $out holds no make ab to resume (unset RESUME to start one there)"
	fi
	changed=$(settings | grep -vxF -f "$out/settings" | head -n 1 || true)
	if [ -n "$changed" ]; then
		was=$(grep "^${changed%% *} " "$out/settings" || true)
		die "$(given RESUME 1): the settings changed since that make ab (now '$changed', then '${was:-nothing}') (use the same settings, or a new $(how AB_OUT))"
	fi
	plan_lines | cmp -s - "$plan" ||
		die "$(given RESUME 1): this plan differs from $plan (use the same settings and the same ab.sh, or a new $(how AB_OUT))"
else
	[ ! -f "$plan" ] ||
		die "$(given AB_OUT "$out") already holds a make ab ($(how RESUME 1) to finish it, or another $(how AB_OUT))"
	settings >"$out/settings"
	plan_lines >"$plan"
fi
printf '%s' "$setmap" >"$out/sets"
say "plan in $plan (lines: block experiment set)"
t0=$(now)

# 3. kernels (cached: only what changed is built; every core builds, JOBS
# is the labs'; KERNELS=slurm: as Slurm jobs, exec-slurm), the lab's
# static kvmsqueeze and packages, then the runs
if [ "$kbuild" = slurm ]; then
	# shellcheck disable=SC2086
	slurm_kernels $kernels
else
	# shellcheck disable=SC2086
	(unset JOBS; "$here/build.sh" $kernels)
fi
[ ! -f "$top/Makefile" ] || make -s -C "$top" all static >/dev/null
"$top/scripts/deps" lab analysis
suffix=
[ "${DEBUG:-0}" = 1 ] && suffix=-debug
for a in $ksets; do
	echo "$a $(cat "$cache/kernels/$(set_field "$a" 3)$suffix/release")"
done >"$out/kernels.new"
if [ -f "$out/kernels" ] && ! cmp -s "$out/kernels" "$out/kernels.new"; then
	rm -f "$out/kernels.new"
	die "$(given RESUME 1): an arm's kernel changed since the runs kept were made (see $out/kernels) (a new $(how AB_OUT))"
fi
mv "$out/kernels.new" "$out/kernels"
t_build=$(( $(now) - t0 ))

# run N: plan line N's block, experiment, set and raw directory
run_of() {
	line=$(sed -n "$1p" "$plan")
	b=${line%% *}
	rest=${line#* }
	a=${rest##* }
	e=${rest% *}
	en=$(basename "$e" .json)
	raw=$out/raw/$en-$a-$b
}
# keep_run N: plan line N's run ended (RAW.rc): a result is kept, moved
# into place whole, and its time noted; false when it failed
keep_run() {
	run_of "$1"
	[ "$(cat "$raw.rc" 2>/dev/null)" = 0 ] && [ -s "$raw/run/rep-1.json" ] || return 1
	mkdir -p "$out/$en/$a"
	cp "$raw/run/rep-1.json" "$out/$en/$a/.rep-$b.json.tmp"
	mv "$out/$en/$a/.rep-$b.json.tmp" "$out/$en/$a/rep-$b.json"
	n_done=$((n_done + 1))
	echo "$(lab_key "$en") $(( $(now) - $(cat "$raw.start") ))" >>"$lab_times"
}
# eta: about how many seconds the runs not finished take yet: a run of an
# experiment takes what its runs took here so far (run_times: lab-times,
# which every run that ends adds to; else the model), less what the runs
# in flight have run, and the runs not begun (exec_pending); JOBS at
# once, never less than the longest left
eta() {
	{
		# shellcheck disable=SC2046
		set -- $(run_times | cut -d' ' -f1)
		for x in $exps; do
			echo "t $x $1"
			shift
		done
		t=$(now)
		for j in $running; do
			run_of "${j#*:}"
			echo "f $e $((t - $(cat "$raw.start")))"
		done
		exec_pending
	} | awk -v jobs="$jobs" '
	$1 == "t" { t[$2] = $3; next }
	$1 == "f" { l = t[$2] - $3; if (l < 0) l = 0 }
	$1 == "p" { l = t[$3] }
	{ w += l; if (l > m) m = l }
	END { w /= jobs; if (w < m) w = m; printf "%d\n", w }'
}
# progress: "7 of 24 done, 0 failed, 3m40s elapsed, about 9 min left"
progress() {
	left=$(eta)
	if [ "$left" -lt 120 ]; then
		left="$left s"
	else
		left="$(((left + 59) / 60)) min"
	fi
	# shellcheck disable=SC2086
	set -- $failed
	echo "$((n_done + n_kept)) of $total done, $# failed, $(hms $(($(now) - t_runs))) elapsed, about $left left"
}
# tick: the status of the runs
tick() { show_status runs_status; }
runs_status() { echo "ab: $(exec_status); $(progress)"; }
in_flight() {
	# shellcheck disable=SC2086
	set -- $running
	echo $#
}
running=
starting=
failed=
stopping=
n_done=0
n_kept=0
n=0
n_read=0	# plan lines started or kept
s=$(now)
t_runs=$s
planned=$(estimate "$total")
say "estimated wall time of the lab runs: about $planned"
exec_runs
if [ -n "$failed" ]; then
	# shellcheck disable=SC2086
	set -- $failed
	run_of "$1"
	die "lab run $e on $a, block $b failed ($(exec_where "$1")); the runs in flight beside it were finished and kept; $(how RESUME 1) with the same $(how AB_OUT) keeps the runs done so far"
fi
t_lab=$(( $(now) - s ))
say "lab runs done in $(hms "$t_lab") ($n_done this time$([ "$n_kept" -eq 0 ] || echo ", $n_kept kept from before"), estimated $(echo "$planned" | cut -d' ' -f1,2)); comparing the arms"
# The last line: how long it all took and where to read the report.
finished() {
	where="$out/report.txt (report.csv beside it)"
	if [ -f "$out/index.html" ]; then
		where="$where; page: $out/index.html"
	elif ls "$out"/plots/*/index.html >/dev/null 2>&1; then
		where="$where; plots and their pages: $out/plots/<experiment>/index.html"
	elif [ -d "$out/plots" ]; then
		where="$where; plots: $out/plots/<experiment>/"
	fi
	say "done in $(hms $(($(now) - t0))): $total lab runs, 0 failed; the report: $where"
}

# 4. the comparison, one table per experiment, first arm the baseline
s=$(now)
: >"$out/report.txt"
: >"$out/report.csv"
for e in $exps; do
	en=$(basename "$e" .json)
	set --
	for a in $sets; do set -- "$@" "$out/$en/$a"; done
	if [ $# -eq 1 ]; then
		"$kvmsq" report --plots "$out/plots/$en" "$@" >>"$out/report.txt"
		echo >>"$out/report.txt"
		"$kvmsq" report --format csv "$@" >>"$out/report.csv"
		continue
	fi
	[ -n "${NOISE:-}" ] && [ -d "$NOISE/$en" ] && set -- --noise "$NOISE/$en" "$@"
	"$kvmsq" compare --plots "$out/plots/$en" "$@" >>"$out/report.txt"
	echo >>"$out/report.txt"
	"$kvmsq" compare --format csv "$@" >>"$out/report.csv"
done
t_analysis=$(( $(now) - s ))
# html_esc: stdin as HTML text or a quoted attribute (names come from
# spec files and results: nothing of them may be markup)
html_esc() { sed "s/&/\\&amp;/g; s/</\\&lt;/g; s/>/\\&gt;/g; s/\"/\\&quot;/g; s/'/\\&#39;/g"; }
# ab_index OUT: the page to browse, OUT/index.html: links to report.txt,
# report.csv and each experiment's plots/<exp>/index.html (what report
# and compare --plots wrote), the settings, and report.txt. It loads and
# runs nothing (its policy says so): it works offline, as it is.
ab_index() {
	cat <<'EOF'
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>make ab</title>
<style>
body{font:14px/1.45 sans-serif;margin:1.5em auto;max-width:70em;padding:0 1em;color:#1a1a1a}
h2{font-size:1.25em;border-bottom:1px solid #ccc;margin-top:2em}
pre{background:#f6f6f6;border:1px solid #ddd;padding:.6em;overflow-x:auto;font:12.5px/1.35 monospace}
</style>
</head>
<body>
<h1>make ab</h1>
<ul>
<li><a href="report.txt">report.txt</a>: the comparison as text, for email</li>
<li><a href="report.csv">report.csv</a>: the numbers</li>
EOF
	for e in $exps; do
		en=$(basename "$e" .json)
		[ -f "$1/plots/$en/index.html" ] || continue
		printf '<li><a href="plots/%s/index.html">%s</a>: tables, plots, runs</li>\n' \
			"$(printf '%s' "$en" | sed 's/%/%25/g; s/ /%20/g; s/#/%23/g; s/?/%3F/g' | html_esc)" \
			"$(printf '%s' "$en" | html_esc)"
	done
	echo "</ul>"
	echo "<h2>Settings</h2>"
	echo "<pre>"
	settings | html_esc
	echo "</pre>"
	echo "<h2>report.txt</h2>"
	echo "<pre>"
	html_esc <"$1/report.txt"
	echo "</pre>"
	echo "</body>"
	echo "</html>"
}
{
	echo "make ab: $total lab runs in $reps blocks (each one run of every set,"
	echo "  in an order seeded by SEED $seed), $jobs at once, clock $clock."
	[ "$n_kept" -eq 0 ] || echo "  $n_kept runs kept from before (RESUME)."
	echo "  Wall time $(( $(now) - t0 )) s: kernels ${t_build} s, lab runs ${t_lab} s"
	echo "  (estimated $(estimate $((total - n_kept)) | cut -d' ' -f1,2)), analysis ${t_analysis} s."
} >>"$out/report.txt"
ab_index "$out" >"$out/index.html.tmp"
mv "$out/index.html.tmp" "$out/index.html"
cat "$out/report.txt"
finished
