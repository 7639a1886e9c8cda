# SPDX-License-Identifier: GPL-2.0
# tests/slurm.sh: make ab through Slurm (EXECUTOR=slurm) on a real
# one-node cluster, scripts/slurm-local, with its own directory and ports,
# stopped and removed at the end. Bad input is refused in one line before
# anything is submitted (an unknown executor, sbatch missing, an unknown
# partition, AB_OUT on tmpfs); a pretend lab (tests/lib.sh fake_ab_tree)
# runs a plan of 2 arms x 1 experiment x 4 blocks (2 arms and 2 blocks
# cannot decide: ab.sh refuses the plan) as one job array, with progress;
# a failed task is named with its Slurm job and its logs; a task cancelled
# (scancel) is the only one RESUME=1 submits again; and the results equal
# the local executor's. With an arm image in the cache and QEMU, a real lab
# plan (2 arms, idle-caches, 5 blocks: the fewest that decide) runs both
# ways and its instruction-clock counts match (its cgroup kernel memory
# peak within 0.5%: it moves run to run on either executor).
# KERNELS=slurm builds the kernels as Slurm jobs, one per arm whose image
# is not up to date (the real build.sh on a pretend kernel tree whose make
# prints kbuild's CC lines slowly), with progress, before the lab array;
# a build that fails is named with its Slurm job and log and no lab array
# is submitted; TERM cancels the build jobs; KERNELS=slurm without
# EXECUTOR=slurm, an unknown KERNELS, KERNEL_CPUS=0 and a KVMSQ_CACHE on
# tmpfs are refused in one line. On a cluster whose MaxArraySize is 4, a
# plan goes as several arrays, and failures and RESUME=1 still name and
# find each run.
# shellcheck shell=sh
. tests/lib.sh

plan_names slurm_bad_executor slurm_kernels_no_executor slurm_kernels_bad slurm_no_sbatch \
	slurm_cluster slurm_bad_partition slurm_out_tmpfs slurm_kernels_cache_tmpfs slurm_kernels_bad_cpus \
	slurm_ab_runs slurm_failure slurm_resume_cancelled slurm_same_as_local \
	slurm_kernels_built slurm_kernels_cached slurm_kernels_failure slurm_kernels_interrupted \
	slurm_lab_metrics slurm_arrays_split

kvmsq=$KVMSQUEEZE
case "$kvmsq" in /*) ;; *) kvmsq=$PWD/$kvmsq ;; esac

# A pretend lab (tests/lib.sh), its starts in FAKE_LOG
fake=$TMP/fake
fake_lab_tree "$fake"
# fake_ab OUT VAR=VALUE...: the pretend make ab into $fake/OUT
fake_ab() {
	fa_out=$fake/$1
	shift
	env KVMSQUEEZE="$fake/kvmsqueeze" KVMSQ_CACHE="$fake/cache" ARMS="legacy inverted" EXPS=fake \
		AB_OUT="$fa_out" REPS=4 KVMSQ_PROGRESS_PERIOD=1 FAKE_LOG="$TMP/fake.log" "$@" \
		sh "$fake/patched-kernel/ab.sh" >"$TMP/fake.out" 2>"$TMP/fake.err"
}
# one_line NAME STATUS REGEX VAR=VALUE...: make ab exits STATUS with one
# line on stderr matching REGEX, and submits nothing (no slurm/ in AB_OUT)
one_line() {
	ol_name=$1 ol_want=$2 ol_rx=$3
	shift 3
	rm -rf "$fake/bad"
	ol_rc=0
	fake_ab bad "$@" || ol_rc=$?
	if [ "$ol_rc" -ne "$ol_want" ]; then
		fail "$ol_name" "exit $ol_rc, not $ol_want: $(tail -n 2 "$TMP/fake.err" | tr '\n' ' ')"
	elif [ "$(wc -l <"$TMP/fake.err")" -ne 1 ] || ! grep -Eq "$ol_rx" "$TMP/fake.err"; then
		fail "$ol_name" "not one line matching /$ol_rx/: $(tr '\n' '|' <"$TMP/fake.err")"
	elif [ -d "$fake/bad/slurm" ]; then
		fail "$ol_name" "something was submitted"
	else
		ok "$ol_name"
	fi
}

one_line slurm_bad_executor 2 \
	'^kvmsqueeze: ab: EXECUTOR=other: expected local \(.*\) or slurm \(.*\)$' EXECUTOR=other
one_line slurm_kernels_no_executor 2 \
	'^kvmsqueeze: ab: KERNELS=slurm: kernel builds as Slurm jobs need EXECUTOR=slurm \(with EXECUTOR=local they are built here: leave out KERNELS\)$' \
	KERNELS=slurm
one_line slurm_kernels_bad 2 \
	'^kvmsqueeze: ab: KERNELS=bad: expected local \(the kernels built here, the default\) or slurm \(one Slurm job per arm to build, with EXECUTOR=slurm\)$' \
	EXECUTOR=slurm KERNELS=bad

# sbatch missing: a PATH of every command here but Slurm's
nobin=$TMP/nobin
mkdir -p "$nobin"
for d in /usr/local/bin /usr/bin /bin; do
	for f in "$d"/*; do
		case "${f##*/}" in sbatch | squeue | sinfo | scancel | sacct) continue ;; esac
		[ -e "$nobin/${f##*/}" ] || ln -s "$f" "$nobin/${f##*/}"
	done
done
one_line slurm_no_sbatch 2 \
	'^kvmsqueeze: ab: EXECUTOR=slurm: sbatch is missing \(apt-get install slurm-wlm, or scripts/deps slurm;' \
	EXECUTOR=slurm PATH="$nobin"

# The cluster: its packages (scripts/deps installs them as root), then
# scripts/slurm-local with a directory and ports of its own
if ! scripts/deps slurm >"$TMP/deps.err" 2>&1; then
	skip_rest "Slurm's packages cannot be installed: $(tail -n 1 "$TMP/deps.err")"
	exit 0
fi
KVMSQ_SLURM_DIR=$TMP/slurm
KVMSQ_SLURM_PORT=$((16817 + $$ % 1000 * 2))
export KVMSQ_SLURM_DIR KVMSQ_SLURM_PORT
stop_cluster() { scripts/slurm-local stop >/dev/null 2>&1 || true; }
trap stop_cluster EXIT
trap 'stop_cluster; exit 130' INT TERM HUP
if ! scripts/slurm-local start >"$TMP/slurm.out" 2>"$TMP/slurm.err"; then
	fail slurm_cluster "scripts/slurm-local start: $(tail -n 2 "$TMP/slurm.err" | tr '\n' ' ')"
	skip_rest "no cluster"
	exit 0
fi
SLURM_CONF=$KVMSQ_SLURM_DIR/slurm.conf
export SLURM_CONF
if [ "$(cat "$TMP/slurm.out")" != "export SLURM_CONF=$SLURM_CONF" ]; then
	fail slurm_cluster "start did not print the SLURM_CONF line: $(cat "$TMP/slurm.out")"
elif ! scripts/slurm-local status | grep -q '^kvmsq.* idle '; then
	fail slurm_cluster "status shows no idle kvmsq partition: $(scripts/slurm-local status | tr '\n' '|')"
else
	ok slurm_cluster
fi

one_line slurm_bad_partition 2 \
	'^kvmsqueeze: ab: EXECUTOR=slurm: SLURM_PARTITION=nosuch: no such partition \(sinfo lists: kvmsq\)$' \
	EXECUTOR=slurm SLURM_PARTITION=nosuch

name=slurm_out_tmpfs
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" != tmpfs ]; then
	skip "$name" "/dev/shm is no tmpfs here"
else
	rc=0
	fake_ab shm EXECUTOR=slurm SLURM_PARTITION=kvmsq AB_OUT=/dev/shm/kvmsq-ab-$$ || rc=$?
	if [ "$rc" -ne 2 ] || [ "$(wc -l <"$TMP/fake.err")" -ne 1 ] ||
		! grep -q "^kvmsqueeze: ab: EXECUTOR=slurm: AB_OUT=/dev/shm/kvmsq-ab-$$: /dev/shm is on tmpfs, this node's memory" "$TMP/fake.err"; then
		fail "$name" "exit $rc: $(tr '\n' '|' <"$TMP/fake.err")"
	elif [ -e "/dev/shm/kvmsq-ab-$$" ]; then
		fail "$name" "AB_OUT was made"
	else
		ok "$name"
	fi
	rm -rf "/dev/shm/kvmsq-ab-$$"
fi

# KERNELS=slurm: the nodes write the images into KVMSQ_CACHE, which must
# not be this node's memory either; a build job's CPUs are a number
name=slurm_kernels_cache_tmpfs
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" != tmpfs ]; then
	skip "$name" "/dev/shm is no tmpfs here"
else
	one_line "$name" 2 \
		"^kvmsqueeze: ab: KERNELS=slurm: KVMSQ_CACHE=/dev/shm/kvmsq-cache-$$: /dev/shm is on tmpfs, this node's memory" \
		EXECUTOR=slurm SLURM_PARTITION=kvmsq KERNELS=slurm KVMSQ_CACHE=/dev/shm/kvmsq-cache-$$
	rm -rf "/dev/shm/kvmsq-cache-$$"
fi
one_line slurm_kernels_bad_cpus 2 \
	'^kvmsqueeze: ab: KERNELS=slurm: KERNEL_CPUS=0: expected the CPUs of a kernel build job, from 1 \(unset: [0-9]+, the smallest node.s of partition kvmsq\)$' \
	EXECUTOR=slurm SLURM_PARTITION=kvmsq KERNELS=slurm KERNEL_CPUS=0

# The plan as one array: 8 tasks, 2 at once on this node's cores; a line
# at least every second that says how many are queued and running
name=slurm_ab_runs
: >"$TMP/fake.log"
if ! fake_ab slurm EXECUTOR=slurm SLURM_PARTITION=kvmsq FAKE_LAB_S=2; then
	fail "$name" "$(tail -n 3 "$TMP/fake.err" | tr '\n' ' ')"
elif ! grep -q '^ab: Slurm job [0-9]*: 8 lab runs as array tasks 1,2,3,4,5,6,7,8 on partition kvmsq' "$TMP/fake.err"; then
	fail "$name" "no line naming the array: $(grep Slurm "$TMP/fake.err" | head -n 1)"
elif ! grep -Eq '^ab: Slurm job [0-9]+: [0-9]+ queued, [0-9]+ running; [0-9] of 8 done, 0 failed' "$TMP/fake.err"; then
	fail "$name" "no progress line with queued and running: $(tr '\n' '|' <"$TMP/fake.err" | tail -c 300)"
elif [ "$(grep -c '^ab: \[[1-8]/8\] block [1-4]: fake on [a-z]*: done in 2 s (Slurm job [0-9]*_[1-8])' "$TMP/fake.err")" -ne 8 ]; then
	fail "$name" "not 8 runs done: $(grep -c 'done in' "$TMP/fake.err")"
elif [ "$(find "$fake/slurm/fake" -name 'rep-[1-4].json' | wc -l)" -ne 8 ]; then
	fail "$name" "not 8 results kept"
elif [ "$(grep -c ' start ' "$TMP/fake.log")" -ne 8 ]; then
	fail "$name" "$(grep -c ' start ' "$TMP/fake.log") lab starts, not 8"
else
	ok "$name"
fi

# A task that fails: named with its Slurm job, its state and both logs;
# the others run on; make ab says where to read and how to resume
name=slurm_failure
rc=0
fake_ab failure EXECUTOR=slurm SLURM_PARTITION=kvmsq FAKE_LAB_S=1 FAKE_FAIL=inverted:3 || rc=$?
rx="^ab: \[[1-8]/8\] block 3: fake on inverted failed: Slurm job [0-9]+_[1-8] FAILED, lab.sh status 1 \(log: $fake/failure/raw/fake-inverted-3.log; Slurm's log: $fake/failure/slurm/[0-9]+_[1-8].log\)"
if [ "$rc" -ne 1 ]; then
	fail "$name" "exit $rc, not 1: $(tail -n 2 "$TMP/fake.err" | tr '\n' ' ')"
elif ! grep -Eq "$rx" "$TMP/fake.err"; then
	fail "$name" "no line naming the Slurm job and the logs: $(grep failed "$TMP/fake.err" | head -n 2 | tr '\n' '|')"
elif ! tail -n 1 "$TMP/fake.err" | grep -Eq "^kvmsqueeze: ab: lab run fake on inverted, block 3 failed \(Slurm job [0-9]+_[1-8] FAILED, lab.sh status 1; log: .*, Slurm's log: .*\); .*RESUME=1"; then
	fail "$name" "the last line: $(tail -n 1 "$TMP/fake.err")"
elif [ "$(find "$fake/failure/fake" -name 'rep-*.json' | wc -l)" -ne 7 ]; then
	fail "$name" "the 7 others were not all kept"
else
	ok "$name"
fi

# A task cancelled while it runs (scancel JOB_TASK): make ab reports it,
# and RESUME=1 submits that run alone, as a one-task array
name=slurm_resume_cancelled
: >"$TMP/fake.log"
fake_ab cancel EXECUTOR=slurm SLURM_PARTITION=kvmsq FAKE_LAB_S=4 &
abpid=$!
i=0
task=
while [ "$i" -lt 60 ] && [ -z "$task" ]; do
	sleep 0.5
	i=$((i + 1))
	task=$(squeue -h -r -t running -n kvmsq-ab -o '%i' 2>/dev/null | head -n 1)
done
rc=0
if [ -n "$task" ]; then
	scancel "$task"
fi
wait "$abpid" || rc=$?
kept=$(find "$fake/cancel/fake" -name 'rep-*.json' 2>/dev/null | wc -l)
if [ -z "$task" ]; then
	fail "$name" "no task ran within 30 s"
elif [ "$rc" -ne 1 ] || ! grep -Eq "failed: Slurm job ${task} CANCELLED" "$TMP/fake.err"; then
	fail "$name" "exit $rc; no line naming $task cancelled: $(grep failed "$TMP/fake.err" | head -n 2 | tr '\n' '|')"
elif [ "$kept" -ne 7 ]; then
	fail "$name" "$kept results kept, not 7"
else
	: >"$TMP/fake.log"
	if ! fake_ab cancel EXECUTOR=slurm SLURM_PARTITION=kvmsq FAKE_LAB_S=1 RESUME=1; then
		fail "$name" "RESUME=1: $(tail -n 2 "$TMP/fake.err" | tr '\n' ' ')"
	elif ! grep -Eq "^ab: Slurm job [0-9]+: 1 lab runs as array tasks ${task#*_} on" "$TMP/fake.err"; then
		fail "$name" "RESUME did not submit task ${task#*_} alone: $(grep 'array tasks' "$TMP/fake.err")"
	elif [ "$(grep -c 'done before, kept (RESUME)' "$TMP/fake.err")" -ne 7 ] || [ "$(grep -c ' start ' "$TMP/fake.log")" -ne 1 ]; then
		fail "$name" "not 7 kept and 1 run: $(cat "$TMP/fake.log")"
	elif [ "$(find "$fake/cancel/fake" -name 'rep-*.json' | wc -l)" -ne 8 ]; then
		fail "$name" "not 8 results after RESUME"
	else
		ok "$name"
	fi
fi

# The same plan with the local executor: the same results, file by file
name=slurm_same_as_local
if ! fake_ab local JOBS=2 FAKE_LAB_S=0; then
	fail "$name" "local: $(tail -n 2 "$TMP/fake.err" | tr '\n' ' ')"
elif ! diff -r "$fake/local/fake" "$fake/slurm/fake" >"$TMP/diff"; then
	fail "$name" "the results differ: $(head -n 4 "$TMP/diff" | tr '\n' ' ')"
else
	ok "$name"
fi

# KERNELS=slurm on a pretend kernel tree: the tree above with the real
# build.sh and arm, two in-repo arms without patches (one, two), KSRC a
# pretend source (tests/lib.sh fake_kernel_src) whose make is first in
# PATH, which the jobs inherit
kt=$TMP/kt
mkdir -p "$kt/patched-kernel/patches/one" "$kt/patched-kernel/patches/two" \
	"$kt/patched-kernel/patches/observe" "$kt/scripts"
fake_lab_tree "$kt"
cp patched-kernel/build.sh patched-kernel/arm "$kt/patched-kernel/"
cp scripts/ksrc "$kt/scripts/"
echo 'CONFIG_PRETEND=y' >"$kt/patched-kernel/lab.config"
fake_kernel_src "$kt" 6.12.0
# kt_env OUT: the settings of a make ab of arms one and two into $kt/OUT,
# kernels built as Slurm jobs (one a word: no spaces in them)
kt_env() {
	echo "PATH=$kt/bin:$PATH KSRC=$kt/src KVMSQUEEZE=$kt/kvmsqueeze KVMSQ_CACHE=$kt/cache"
	echo "EXPS=fake AB_OUT=$kt/$1 REPS=4 KVMSQ_PROGRESS_PERIOD=1 FAKE_LOG=$TMP/kt.log"
	echo "FAKE_OBJS=8 FAKE_DELAY=0.5 FAKE_LAB_S=1 EXECUTOR=slurm SLURM_PARTITION=kvmsq KERNELS=slurm"
}
# kt_ab OUT VAR=VALUE...: that make ab, stderr in $TMP/kt.err
kt_ab() {
	kt_out=$1
	shift
	# shellcheck disable=SC2046 # one setting a word
	env $(kt_env "$kt_out") ARMS="one two" "$@" sh "$kt/patched-kernel/ab.sh" \
		>"$TMP/kt.out" 2>"$TMP/kt.err"
}
# t_kernels OUT: the seconds make ab into $kt/OUT took for its kernels
t_kernels() { sed -n 's/.*Wall time [0-9]* s: kernels \([0-9]*\) s,.*/\1/p' "$kt/$1/report.txt"; }
# lab_jobs OUT: the lab arrays make ab into $kt/OUT submitted
lab_jobs() { grep -vc ' kernel ' "$kt/$1/slurm/jobs" 2>/dev/null || true; }

# Both arms built, each by a job of its own, with a status line that
# counts the jobs and the build's objects; then the lab array, as ever
name=slurm_kernels_built
: >"$TMP/kt.log"
if ! kt_ab built; then
	fail "$name" "$(tail -n 3 "$TMP/kt.err" | tr '\n' ' ')"
elif [ "$(grep -Ec "^ab: kernel (one|two): Slurm job [0-9]+ builds it with [0-9]+ CPUs on partition kvmsq \(log: $kt/built/slurm/kernel-(one|two).log\)\$" "$TMP/kt.err")" -ne 2 ]; then
	fail "$name" "not a job per arm: $(grep 'builds it' "$TMP/kt.err" | tr '\n' '|')"
elif ! grep -Eq '^ab: kernels: [0-9] queued, [0-9] running, [0-2] of 2 built, 0m[0-9]{2}s elapsed; (one|two): [0-9]+ objects compiled' "$TMP/kt.err"; then
	fail "$name" "no status line with the jobs and a build's objects: $(grep '^ab: kernels' "$TMP/kt.err" | head -n 3 | tr '\n' '|')"
elif [ "$(grep -Ec '^ab: kernel (one|two): built 6\.12\.0-kvmsq-(one|two)-[0-9a-f]+ in [0-9]+ s \(Slurm job [0-9]+\); [12] of 2 built$' "$TMP/kt.err")" -ne 2 ]; then
	fail "$name" "not 2 lines of a kernel built: $(grep 'kernel .*built' "$TMP/kt.err" | tr '\n' '|')"
elif [ ! -f "$kt/cache/kernels/one/bzImage" ] || [ ! -f "$kt/cache/kernels/two/bzImage" ] ||
	! grep -q '^kernel: one: built ' "$kt/built/slurm/kernel-one.log"; then
	fail "$name" "no images, or no build.sh lines in the job's log: $(find "$kt/cache/kernels" "$kt/built/slurm" | tr '\n' ' ')"
elif ! grep -q '^ab: Slurm job [0-9]*: 8 lab runs as array tasks' "$TMP/kt.err" ||
	[ "$(grep -c ' start ' "$TMP/kt.log")" -ne 8 ] || ! tail -n 1 "$TMP/kt.err" | grep -q '^ab: done in'; then
	fail "$name" "the lab array did not run after: $(tail -n 2 "$TMP/kt.err" | tr '\n' ' ')"
else
	# the same builds here, into a cache of their own: the overhead of
	# the jobs (sbatch, a look at the queue every 2 s)
	if kt_ab here KVMSQ_CACHE="$kt/cache-here" EXECUTOR=local KERNELS=local JOBS=2; then
		echo "# 2 pretend kernel builds (8 objects 0.5 s apart each): here $(t_kernels here) s," \
			"as Slurm jobs $(t_kernels built) s"
	fi
	ok "$name"
fi

# One arm built (one), the other's image gone: a job for two alone; both
# up to date: no job
name=slurm_kernels_cached
rm -rf "$kt/cache/kernels/two"
: >"$TMP/kt.log"
if ! kt_ab cached; then
	fail "$name" "$(tail -n 3 "$TMP/kt.err" | tr '\n' ' ')"
elif ! grep -q '^ab: kernel one: up to date (6\.12\.0-kvmsq-one-[0-9a-f]*), no build job$' "$TMP/kt.err" ||
	grep -q 'kernel one: Slurm job' "$TMP/kt.err"; then
	fail "$name" "one was not left as it was: $(grep 'kernel one' "$TMP/kt.err" | tr '\n' '|')"
elif [ "$(grep -c ' kernel ' "$kt/cached/slurm/jobs")" -ne 1 ] || ! grep -q ' kernel two$' "$kt/cached/slurm/jobs" ||
	[ ! -f "$kt/cache/kernels/two/bzImage" ]; then
	fail "$name" "not one job, for two: $(tr '\n' '|' <"$kt/cached/slurm/jobs")"
elif [ "$(grep -c ' start ' "$TMP/kt.log")" -ne 8 ]; then
	fail "$name" "the lab array did not run: $(tail -n 2 "$TMP/kt.err" | tr '\n' ' ')"
elif ! kt_ab cached2 || grep -q 'Slurm job [0-9]* builds it' "$TMP/kt.err" ||
	[ "$(grep -c ' kernel ' "$kt/cached2/slurm/jobs")" -ne 0 ]; then
	fail "$name" "both up to date, a job was submitted anyway: $(grep -E 'kernel' "$TMP/kt.err" | tr '\n' '|')"
else
	ok "$name"
fi

# A build that fails (make exits 2): its Slurm job, state and log in one
# line, make ab stops with status 1, and no lab array is submitted
name=slurm_kernels_failure
rm -rf "$kt/cache/kernels/two"
: >"$TMP/kt.log"
rc=0
kt_ab failure FAKE_OBJS=2 FAKE_MAKE_FAIL=1 || rc=$?
log=$kt/failure/slurm/kernel-two.log
if [ "$rc" -ne 1 ]; then
	fail "$name" "exit $rc, not 1: $(tail -n 2 "$TMP/kt.err" | tr '\n' ' ')"
elif ! grep -Eq "^ab: kernel two failed to build: Slurm job [0-9]+ FAILED, build.sh status 1 \(log: $log\)\$" "$TMP/kt.err"; then
	fail "$name" "no line naming the job, its state and log: $(grep failed "$TMP/kt.err" | tr '\n' '|')"
elif ! tail -n 1 "$TMP/kt.err" | grep -Eq "^kvmsqueeze: ab: kernel two failed to build \(Slurm job [0-9]+ FAILED, build.sh status 1; log: $log\); no lab run was submitted\$"; then
	fail "$name" "the last line: $(tail -n 1 "$TMP/kt.err")"
elif ! grep -q 'broken on purpose' "$log" || ! grep -q 'kvmsqueeze: two: build failed' "$log"; then
	fail "$name" "the log lacks build.sh's errors: $(tr '\n' '|' <"$log" | tail -c 300)"
elif [ "$(lab_jobs failure)" -ne 0 ] || [ -s "$TMP/kt.log" ]; then
	fail "$name" "a lab array was submitted: $(tr '\n' '|' <"$kt/failure/slurm/jobs")"
else
	ok "$name"
fi

# TERM (as Ctrl-C) while a build job runs: scancel, status 130, no array
name=slurm_kernels_interrupted
: >"$TMP/kt.log"
# shellcheck disable=SC2046 # one setting a word
env $(kt_env interrupted) ARMS=two FAKE_OBJS=60 sh "$kt/patched-kernel/ab.sh" \
	>"$TMP/kt.out" 2>"$TMP/kt.err" &
abpid=$!
i=0
kjob=
while [ "$i" -lt 60 ] && [ -z "$kjob" ]; do
	sleep 0.5
	i=$((i + 1))
	kjob=$(squeue -h -t running -n kvmsq-kernel-two -o '%i' 2>/dev/null | head -n 1)
done
[ -z "$kjob" ] || kill -TERM "$abpid"
rc=0
wait "$abpid" || rc=$?
i=0
kst=
while [ -n "$kjob" ] && [ "$i" -lt 20 ]; do
	kst=$(squeue -h -t all -j "$kjob" -o '%T' 2>/dev/null)
	[ "$kst" != CANCELLED ] || break
	sleep 0.5
	i=$((i + 1))
done
if [ -z "$kjob" ]; then
	fail "$name" "no build job ran within 30 s: $(tail -n 2 "$TMP/kt.err" | tr '\n' ' ')"
elif [ "$rc" -ne 130 ] || ! grep -q "^ab: interrupted: cancelling the kernel build jobs  *$kjob (scancel)\$" "$TMP/kt.err"; then
	fail "$name" "exit $rc: $(tail -n 2 "$TMP/kt.err" | tr '\n' '|')"
elif [ "$kst" != CANCELLED ]; then
	fail "$name" "Slurm job $kjob is $kst, not CANCELLED"
elif [ "$(lab_jobs interrupted)" -ne 0 ] || [ -s "$TMP/kt.log" ]; then
	fail "$name" "a lab array was submitted"
else
	ok "$name"
fi

# A real lab plan both ways (an arm's image cached, QEMU): the metrics of
# the deterministic clock are equal run for run. SLURM_LAB=0 skips it.
name=slurm_lab_metrics
cache=${KVMSQ_CACHE:-$HOME/.cache/kvmsqueeze}
if [ "${SLURM_LAB:-1}" = 0 ]; then
	skip "$name" "SLURM_LAB=0"
elif [ ! -f "$cache/kernels/legacy/release" ]; then
	skip "$name" "no legacy image in $cache/kernels (make kernel ARM=legacy)"
elif ! command -v qemu-system-x86_64 >/dev/null; then
	skip "$name" "no qemu-system-x86_64 (scripts/deps lab)"
else
	# same_metrics A B: what the lab's instruction clock makes the same
	# run for run is equal in the two results (idle-caches' cache pages
	# per vCPU, the pages touched); the cgroup's kernel memory peak, which
	# also moves with QEMU's I/O on host time (README: A/A spread 0.1% on
	# icount), within 0.5%. Else the first that differs.
	same_metrics() {
		python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(f))["summary"] for f in sys.argv[1:3])
def get(d, path):
	for k in path.split("."):
		d = d[k]
	return d
for path, tol in (("idle_cache_pages_per_vcpu", 0), ("touch.pages", 0),
		  ("memcg.kernel_bytes.peak", 0.005)):
	x, y = get(a, path), get(b, path)
	if abs(x - y) > tol * abs(x):
		print(f"{path} {x} != {y}" + (f" (by more than {tol:.1%})" if tol else ""))
		sys.exit(1)
PY
	}
	# lab_ab NAME VAR=VALUE...: the plan into $TMP/lab-NAME; its seconds
	# in $TMP/lab-NAME.s
	lab_ab() {
		la_t=$(date +%s)
		la_out=$TMP/lab-$1
		shift
		env ARMS="legacy legacy+kvm.eager_page_split=N" EXPS=idle-caches LAB_SCALE=0.125 REPS=5 \
			KVMSQUEEZE="$kvmsq" AB_OUT="$la_out" KVMSQ_PROGRESS_PERIOD=60 "$@" \
			sh patched-kernel/ab.sh >"$TMP/lab.out" 2>"$TMP/lab.err" || return 1
		echo $(($(date +%s) - la_t)) >"$la_out.s"
	}
	if ! lab_ab local JOBS=2; then
		fail "$name" "local: $(tail -n 2 "$TMP/lab.err" | tr '\n' ' ')"
	elif ! lab_ab slurm EXECUTOR=slurm SLURM_PARTITION=kvmsq; then
		fail "$name" "slurm: $(tail -n 2 "$TMP/lab.err" | tr '\n' ' ')"
	else
		bad=
		for f in "$TMP"/lab-local/idle-caches/*/rep-*.json; do
			g=$TMP/lab-slurm/${f#"$TMP"/lab-local/}
			d=$(same_metrics "$f" "$g") || bad="$bad ${f#"$TMP"/lab-local/}: $d"
		done
		if [ -n "$bad" ]; then
			fail "$name" "$bad"
		else
			echo "# 10 lab runs: local executor (JOBS=2) $(cat "$TMP/lab-local.s") s," \
				"slurm executor $(cat "$TMP/lab-slurm.s") s"
			ok "$name"
		fi
	fi
fi

# A cluster whose arrays hold at most 3 tasks (MaxArraySize=4): the plan of
# 8 runs goes as three arrays (plan lines 1-3, 4-6 and 7-8, each array's
# tasks numbered from 1); a failure is named with its own array's job and
# task; RESUME=1 submits that run alone, in the array of its stretch; the
# results are the local executor's
name=slurm_arrays_split
stop_cluster
if ! KVMSQ_SLURM_MAX_ARRAY=4 scripts/slurm-local start >"$TMP/slurm.out" 2>"$TMP/slurm.err"; then
	fail "$name" "scripts/slurm-local start with MaxArraySize=4: $(tail -n 2 "$TMP/slurm.err" | tr '\n' ' ')"
else
	rc=0
	fake_ab split EXECUTOR=slurm SLURM_PARTITION=kvmsq FAKE_LAB_S=1 FAKE_FAIL=inverted:3 || rc=$?
	fl=$(grep -n ' fake inverted$' "$fake/split/plan.txt" | sed -n 's/^\([0-9]*\):3 .*/\1/p')
	arrays=$(grep -c 'lab runs as array tasks' "$TMP/fake.err")
	fjob=$(sed -n "$((1 + (fl - 1) / 3))p" "$fake/split/slurm/jobs" | cut -d' ' -f1)
	ftask=${fjob}_$((fl - (fl - 1) / 3 * 3))
	if [ "$rc" -ne 1 ]; then
		fail "$name" "exit $rc, not 1: $(tail -n 2 "$TMP/fake.err" | tr '\n' ' ')"
	elif [ "$arrays" -ne 3 ] ||
		! grep -q '^ab: Slurm job [0-9]*: 3 lab runs as array tasks 1,2,3 on partition kvmsq' "$TMP/fake.err" ||
		! grep -q '^ab: Slurm job [0-9]*: 3 lab runs as array tasks 1,2,3, plan lines 3 + N (arrays go to 3 here' "$TMP/fake.err" ||
		! grep -q '^ab: Slurm job [0-9]*: 2 lab runs as array tasks 1,2, plan lines 6 + N' "$TMP/fake.err"; then
		fail "$name" "not three arrays of 3, 3 and 2: $(grep 'array tasks' "$TMP/fake.err" | tr '\n' '|')"
	elif ! grep -q "block 3: fake on inverted failed: Slurm job $ftask FAILED, lab.sh status 1 (log: .*; Slurm's log: $fake/split/slurm/$ftask.log)" "$TMP/fake.err"; then
		fail "$name" "plan line $fl not named as Slurm job $ftask: $(grep failed "$TMP/fake.err" | head -n 2 | tr '\n' '|')"
	elif [ ! -f "$fake/split/slurm/$ftask.log" ]; then
		fail "$name" "no Slurm log $ftask.log: $(cd "$fake/split/slurm" && echo *)"
	elif ! fake_ab split EXECUTOR=slurm SLURM_PARTITION=kvmsq FAKE_LAB_S=1 RESUME=1; then
		fail "$name" "RESUME=1: $(tail -n 2 "$TMP/fake.err" | tr '\n' ' ')"
	elif [ "$(grep -c 'lab runs as array tasks' "$TMP/fake.err")" -ne 1 ] ||
		! grep -q "^ab: Slurm job [0-9]*: 1 lab runs as array tasks ${ftask#*_}[ ,]" "$TMP/fake.err"; then
		fail "$name" "RESUME did not submit plan line $fl alone: $(grep 'array tasks' "$TMP/fake.err" | tr '\n' '|')"
	elif ! diff -r "$fake/local/fake" "$fake/split/fake" >"$TMP/diff"; then
		fail "$name" "the results differ from the local executor's: $(head -n 4 "$TMP/diff" | tr '\n' ' ')"
	else
		ok "$name"
	fi
fi
