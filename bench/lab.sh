#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bench/lab.sh: the QEMU lab's fixed cost, what every lab run pays before
# its experiment's first sample: QEMU start to the runner's "started:"
# (its VMs run, sampling has begun), in host wall time, from the
# lab-milestones patched-kernel/lab.sh writes; with its parts (QEMU start
# to the lab's /init, /init to the experiment's start, then the runner's
# own start). A tiny experiment (one idle VM, 1 s), ROUNDS labs; medians.
# Under TCG the lab's clock counts instructions, but its wall time is the
# host's: a loaded machine shows more (the load average is printed).
# Usage: [ROUNDS=3] [LAB_BENCH_ARM=legacy] bench/lab.sh
# Skipped (exit 0, said why) without QEMU or a built image of the arm:
# the benchmark does not build kernels (make kernel ARM=legacy does).
set -eu

ROUNDS=${ROUNDS:-3}
arm=${LAB_BENCH_ARM:-legacy}
cache=${KVMSQ_CACHE:-$HOME/.cache/kvmsqueeze}

if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "lab fixed cost: skipped (no qemu-system-x86_64)"
	exit 0
fi
if [ ! -f "$cache/kernels/$arm/bzImage" ]; then
	echo "lab fixed cost: skipped (no image of arm $arm in $cache/kernels: make kernel ARM=$arm)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/lab-start.json" <<EOF2
{ "name": "lab-start", "question": "How long does a lab take to start?",
  "duration_s": 1, "sample_period_ms": 100,
  "vms": [ { "count": 1, "vcpus": 1, "mem": "16M", "guest": "idle" } ] }
EOF2

# ms of wall time since QEMU started at which milestone $2 showed, from
# lab-milestones $1 (lines "MS text"); guest: the guest's uptime there
# (lab-init's LAB-T and LAB-START lines end with it)
at() { awk -v m="$2" 'index($0, m) { print $1; exit }' "$1"; }
guest() { awk -v m="$2" 'index($0, m) { print $NF; exit }' "$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo
echo "lab fixed cost: arm $arm, $ROUNDS labs of one idle VM for 1 s ($(patched-kernel/lab.sh --clock) clock), load $(cut -d' ' -f1-3 /proc/loadavg)"
r=0
for f in init exp runner fixed ginit gexp grunner gfixed; do : >"$tmp/$f"; done
while [ "$r" -lt "$ROUNDS" ]; do
	r=$((r + 1))
	out=$tmp/lab-$r
	LAB_OUT=$out LAB_TIMEOUT=300 patched-kernel/lab.sh "$arm" "$tmp/lab-start.json" shadow 1 \
		>"$tmp/lab.log" 2>&1 || { cat "$tmp/lab.log" >&2; exit 1; }
	m=$out/lab-milestones
	init=$(at "$m" "LAB-T init ")
	exp=$(at "$m" "LAB-START ")
	fixed=$(at "$m" "] started: ")
	if [ -z "$init" ] || [ -z "$exp" ] || [ -z "$fixed" ]; then
		echo "kvmsqueeze: bench: lab $r: no milestones in $m" >&2
		cat "$m" >&2
		exit 1
	fi
	# the runner's progress line: "[NAME rep 1/1   0.12 s] started: ..."
	grun=$(sed -n 's/.*rep [0-9]*\/[0-9]* *\([0-9.]*\) s\] started: .*/\1/p' "$m" | head -n 1)
	ginit=$(guest "$m" "LAB-T init ")
	gexp=$(guest "$m" "LAB-START ")
	awk -v a="$init" -v b="$exp" -v c="$fixed" -v ga="$ginit" -v gb="$gexp" -v gc="${grun:-0}" \
		-v d="$tmp" 'BEGIN {
		print a / 1000 >> (d "/init"); print (b - a) / 1000 >> (d "/exp")
		print (c - b) / 1000 >> (d "/runner"); print c / 1000 >> (d "/fixed")
		print ga >> (d "/ginit"); print gb - ga >> (d "/gexp")
		print gc >> (d "/grunner"); print gb + gc >> (d "/gfixed") }'
	echo "  lab $r/$ROUNDS: first sample $fixed ms after QEMU started (/init at $init ms, experiment at $exp ms); guest $ginit s, $gexp s, +$grun s" >&2
done
printf '%-24s %8s %8s %8s\n' part wall_s guest_s ratio
row() {
	w=$(median <"$tmp/$2")
	g=$(median <"$tmp/$3")
	awk -v n="$1" -v w="$w" -v g="$g" 'BEGIN { printf "%-24s %8.2f %8.2f %8.2f\n", n, w, g, (g > 0 ? w / g : 0) }'
}
row "QEMU start to /init" init ginit
row "/init to experiment" exp gexp
row "runner to first sample" runner grunner
row "fixed cost" fixed gfixed
echo "fixed cost = QEMU start to the experiment's first sample (target: wall < 2 s); medians."
echo "guest_s: the lab's own clock (under -icount, instructions x 2^shift ns: the same on any"
echo "load; QEMU start to /init also holds the kernel's decompression, before its clock runs);"
echo "ratio = wall / guest: how fast TCG ran here (about 1 on a quiet machine at shift 2)"
