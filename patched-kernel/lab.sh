#!/bin/sh
# patched-kernel/lab.sh: boot a kernel arm under QEMU and run a kvmsqueeze
# experiment in it; the results and the serial log come back under
# results/. KVM inside QEMU: -accel kvm when the host offers nested
# virtualization, else -accel tcg -cpu max (QEMU's emulated SVM, so
# kvm_amd runs inside); kvm_amd.npt=0 for shadow paging.
#
# Usage: patched-kernel/lab.sh ARM EXP [tdp|shadow] [REPS]
#        patched-kernel/lab.sh --clock    (the clock a lab would run on)
#   ARM: an arm word (ARMS.md): an in-repo arm, an .arm file, a folder of
#     patches, git:/tree@REF, or ARM+param=value (the image of ARM booted
#     with more kernel parameters: no rebuild)
#   EXP: a catalog name or a spec file
# The arm's parameters join the command line; one the lab kernel does not
# know fails the run (a builtin module's, before the boot). What the arm
# is goes to $LAB_OUT/lab-arm.json (the image's arm.json, with the arm's
# own name and parameters); the image's selftests/ (SELFTESTS=1 builds
# them) go into the initramfs's /bin.
# Environment: LAB_MEM (2G), LAB_CPUS (2), LAB_TIMEOUT (seconds, 1800),
#   LAB_OUT (results/<date>-<exp>/<arm>-<mmu>), LAB_DURATION (--duration),
#   LAB_SCALE (--scale), LAB_CLOCK (icount, the default under TCG: QEMU's
#   instruction-counting clock, -icount shift=LAB_ICOUNT_SHIFT (2); host:
#   real time; an -accel kvm lab always runs on host time), LAB_BLOCK (the
#   block of make ab's plan this run belongs to, recorded as run.block),
#   LAB_APPEND (more kernel parameters, e.g. "kvm.planted_cost_insns=1000";
#   the result records them in host.kvm_params where KVM has them),
#   DEBUG=1 (the debug kernel), KVMSQ_CACHE, LAB_STALL (seconds: for a
#   lab that may hang, copy the partial result out every 5 s and, if the
#   experiment still runs after LAB_STALL s, dump blocked tasks and held
#   locks to the console; pair it with a LAB_TIMEOUT that ends the lab),
#   KVMSQ_STATIC (the static kvmsqueeze for the initramfs; default: made
#   here, make static; an installed kvmsqueeze ab sets it, and an
#   installed lab.sh, with no Makefile above, writes under ./results)
# $LAB_OUT/lab-milestones: the wall time (ms since QEMU started) of each
# step of the lab's start, the last the runner's first sample (the lab's
# fixed cost, bench/lab.sh).
# A lockdep report in the serial log is also saved whole as
# $LAB_OUT/lockdep.txt (patched-kernel/lockdep-reports).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
results=$top/results
[ -f "$top/Makefile" ] || results=$PWD/results

usage() {
	echo "usage: patched-kernel/lab.sh ARM EXP [tdp|shadow] [REPS] | patched-kernel/lab.sh --clock" >&2
	exit 2
}
die() { echo "kvmsqueeze: lab: $*" >&2; exit 1; }
say() { echo "lab: $*" >&2; }

clock=${LAB_CLOCK:-icount}
shift_=${LAB_ICOUNT_SHIFT:-2}
case "$clock" in
icount | host) ;;
*)
	echo "kvmsqueeze: lab: LAB_CLOCK=$clock: expected icount (QEMU counts instructions: deterministic) or host (real time)" >&2
	exit 2
	;;
esac
case "$shift_" in [0-9]) ;; *) die "LAB_ICOUNT_SHIFT=$shift_: expected 0 to 9 (one instruction = 2^N ns)" ;; esac
# kernel parameters only: words of letters, digits and . _ - = , : /
append=${LAB_APPEND:-}
case "$append" in *[!A-Za-z0-9._=,:/\ -]*)
	echo "kvmsqueeze: lab: LAB_APPEND='$append': kernel parameters are words of letters, digits and . _ - = , : / separated by spaces" >&2
	exit 2 ;;
esac

# nested KVM where the host offers it, TCG otherwise. TCG runs its vCPUs
# on one thread: with a thread per vCPU, a vCPU can run stale code after
# the kernel patches a static key (text_poke_bp's int3), and the lab
# kernel oopses on a "spurious" int3 when tracepoints are switched.
accel="-accel tcg,thread=single -cpu max"
accel_name=tcg
for f in /sys/module/kvm_amd/parameters/nested /sys/module/kvm_intel/parameters/nested; do
	if [ -w /dev/kvm ] && [ -f "$f" ] && grep -qE '^(1|Y)$' "$f"; then
		accel="-accel kvm -cpu host"
		accel_name=kvm
	fi
done
# The lab clock. -icount makes QEMU's virtual clock (the guest's TSC and
# timers) advance by 2^shift ns per instruction executed, L1 kernel and L2
# guest together, so every time the guest measures is a count of
# instructions: the same on a loaded machine as on a quiet one. sleep=off:
# an idle lab skips ahead instead of waiting. icount needs one TCG thread,
# which the lab uses anyway. shift=2 (250 M instructions per virtual
# second) is about what TCG runs here, so the specs' durations keep their
# meaning in wall time too.
if [ "$accel_name" = kvm ]; then
	[ -n "${LAB_CLOCK:-}" ] && [ "$clock" = icount ] &&
		die "LAB_CLOCK=icount: this lab runs with -accel kvm, whose guests run on the CPU; QEMU can count instructions only under TCG (unset LAB_CLOCK)"
	clock=host
fi
if [ "$clock" = icount ]; then
	accel="$accel -icount shift=$shift_,sleep=off"
fi
if [ "${1:-}" = --clock ]; then
	[ $# -eq 1 ] || usage
	echo "$clock"
	exit 0
fi

if [ $# -lt 2 ] || [ $# -gt 4 ]; then usage; fi
word=$1 exp=$2 mmu=${3:-shadow} reps=${4:-1}
case "$mmu" in tdp) npt=1 ;; shadow) npt=0 ;; *) usage ;; esac
case "$reps" in '' | *[!0-9]*) usage ;; esac
block=${LAB_BLOCK:-}
stall=${LAB_STALL:-}
case "$stall" in *[!0-9]* | 0*) die "LAB_STALL=$stall: expected seconds from 1" ;; esac
case "$block" in *[!0-9]* | 0*) die "LAB_BLOCK=$block: expected a block number from 1" ;; esac
mem=${LAB_MEM:-2G}
cpus=${LAB_CPUS:-2}
guard=${LAB_TIMEOUT:-1800}

# the arm: its name, its image's, and its parameters (the image arm's own,
# then a boot-parameter arm's), all checked before anything is built
desc=$(mktemp)
"$here/arm" resolve "$word" >"$desc" || { rm -f "$desc"; exit 1; }
arm=$("$here/arm" get "$desc" name)
params=$("$here/arm" get "$desc" params)
image=$("$here/arm" get "$desc" image)
if [ -n "$image" ]; then
	"$here/arm" resolve "$image" >"$desc" || { rm -f "$desc"; exit 1; }
	params="$("$here/arm" get "$desc" params)${params:+ $params}"
	params=${params# }
fi
image=$("$here/arm" get "$desc" name)
rm -f "$desc"

"$top/scripts/deps" lab
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# the image, copied out of the cache while it is the one this checkout
# builds: another checkout's build.sh (another lab.config) may replace the
# cache's copy while this lab runs
"$here/build.sh" --into "$work/kernel" "$word"
kdir=$work/kernel
release=$(cat "$kdir/release")
case "$release" in *"-kvmsq-$image-"*) ;; *) die "$kdir/bzImage is $release, not an image of arm $image" ;; esac
# a builtin module's parameter the image does not have (kernel parameters
# treat - and _ alike)
if [ -n "$params" ] && [ -f "$kdir/modules.builtin.modinfo" ]; then
	known=$(tr '\000' '\n' <"$kdir/modules.builtin.modinfo" |
		sed -n 's/^\([^.]*\)\.parmtype=\([^:]*\):.*/\1.\2/p' | tr - _)
	for p in $params; do
		w=${p%%=*}
		case "$w" in *.*) ;; *) continue ;; esac
		m=$(echo "${w%%.*}" | tr - _)
		echo "$known" | grep -q "^$m\." || continue
		echo "$known" | grep -qxF "$(echo "$w" | tr - _)" ||
			die "arm $arm: $release does not know kernel parameter '$w' (in $p); module ${w%%.*}'s: $(echo "$known" | sed -n "s/^$m\.//p" | tr '\n' ' ')"
	done
fi

# the static kvmsqueeze and an initramfs around it
static=${KVMSQ_STATIC:-}
if [ -z "$static" ]; then
	[ -f "$top/Makefile" ] || die "KVMSQ_STATIC is not set and $top is no source tree to make it in (run kvmsqueeze ab, or set KVMSQ_STATIC)"
	make -s -C "$top" static >/dev/null
	static=$top/build-static/kvmsqueeze
fi
[ -x "$static" ] || die "$static: no static kvmsqueeze there (make install puts one in libexec/kvmsqueeze/kvmsqueeze-static)"
stamp=$(date +%Y%m%d-%H%M%S)
name=$(basename "$exp" .json)
out=${LAB_OUT:-$results/$stamp-$name/$arm-$mmu}
mkdir -p "$out"
out=$(cd "$out" && pwd)
root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
for app in $("$root/bin/busybox" --list); do
	[ "$app" = busybox ] || ln -s busybox "$root/bin/$app"
done
cp "$static" "$root/bin/kvmsqueeze"
cp "$here/lab-init" "$root/init"
chmod 755 "$root/init"
# the arm's KVM selftests (build.sh with SELFTESTS=1)
if [ -d "$kdir/selftests" ]; then
	find "$kdir/selftests" -maxdepth 1 -type f ! -name '.*' -exec cp {} "$root/bin/" \;
fi
# uncompressed: the kernel unpacks the initramfs while it boots, and
# under TCG (one host thread for every vCPU) gunzip's 0.5 s of guest
# instructions delayed /init by as much; a plain cpio is only copied
(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initrd.cpio"
if [ -f "$exp" ]; then
	cp "$exp" "$out/$(basename "$exp")"
	exp=$(basename "$exp")
fi
# the scratch disk, formatted here: e2fsprogs' mke2fs on a sparse file
# writes only metadata (milliseconds), where the lab's busybox mke2fs
# writes 128 MiB of inode tables through the emulated disk (2 s of the
# lab's start). Without e2fsprogs the lab formats it itself.
truncate -s 8G "$work/scratch.img"
scratch=
for m in mke2fs /sbin/mke2fs /usr/sbin/mke2fs; do
	command -v "$m" >/dev/null || continue
	"$m" -q -F -t ext2 "$work/scratch.img" </dev/null >/dev/null 2>&1 && scratch=ext2
	break
done

echo "$accel_name" >"$out/lab-accel"
echo "$clock" >"$out/lab-clock"
echo "$mmu" >"$out/lab-mmu"
echo "$release" >"$out/lab-kernel"
# what the arm is: the image's arm.json, with this arm's name and params
# (names are [a-z0-9._-], parameters [A-Za-z0-9._,:/=-]: nothing to escape)
if [ -f "$kdir/arm.json" ]; then
	sed -e "s|^  \"name\": .*|  \"name\": \"$arm\",|" \
	    -e "s|^  \"params\": .*|  \"params\": \"$params\",|" \
	    "$kdir/arm.json" >"$out/lab-arm.json"
fi

cmdline="console=ttyS0 panic=-1 oops=panic kvmsqueeze.lab=1 kvmsqueeze.accel=$accel_name kvmsqueeze.arm=$arm kvmsqueeze.exp=$exp kvmsqueeze.reps=$reps kvmsqueeze.clock=$clock kvm_amd.npt=$npt kvm_intel.ept=$npt"
[ "$clock" = icount ] && cmdline="$cmdline kvmsqueeze.icount_shift=$shift_"
# the jitterentropy RNG's self-test at boot: 0.38 s of the lab's start
# under TCG, for a crypto RNG nothing in the lab uses (getrandom() and
# KVM do not); kvmsqueeze's shrink_kprobe needs init_kprobe_trace, kept
cmdline="$cmdline initcall_blacklist=jent_mod_init"
# QEMU's emulated local APIC counts at 1 GHz: its period per jiffy (HZ is
# 1000, lab.config) spares the boot calibrating it against the PM timer,
# a busy wait of 0.2 s of guest time and about 0.8 s of wall time under
# TCG (the observe patches add the parameter; a kernel without it passes
# it on to init, harmlessly)
[ "$accel_name" = tcg ] && cmdline="$cmdline lapic_timer_period=1000000"
# Linux 6.1's boot CPU, waiting for the second in a schedule() loop, never
# idles, and under -icount QEMU then gives the second no turn: the boot
# hangs; observe-6.1's smp_boot_sleep makes it sleep between looks (6.12
# sleeps there anyway)
case "$clock $release" in "icount 6.1."*) cmdline="$cmdline smp_boot_sleep" ;; esac
[ -n "${LAB_DURATION:-}" ] && cmdline="$cmdline kvmsqueeze.duration=$LAB_DURATION"
[ -n "${LAB_SCALE:-}" ] && cmdline="$cmdline kvmsqueeze.scale=$LAB_SCALE"
[ -n "$block" ] && cmdline="$cmdline kvmsqueeze.block=$block"
[ -n "$scratch" ] && cmdline="$cmdline kvmsqueeze.scratch=$scratch"
[ -n "$stall" ] && cmdline="$cmdline kvmsqueeze.stall=$stall"
[ -n "$params" ] && cmdline="$cmdline $params"
[ -n "$append" ] && cmdline="$cmdline $append"
say "arm $arm${params:+: $params}"
say "booting $release ($accel_name, clock $clock, $mmu, $mem, $cpus CPUs): $name x $reps -> $out"
# The machine, chosen for a short start (QEMU start to the first sample,
# lab-milestones: the guest's part 3.7 s and mke2fs's 2 s before, 2.1 s):
# -nodefaults: no NIC, so no iPXE option ROM (0.8 s), no VGA; q35: its
# PCI interrupt links are fixed GSIs, where i440fx's ACPI links took 0.27 s
# of AML each to route a virtio device; qboot (where QEMU ships it), not
# SeaBIOS: it only loads the kernel. The lab's KVM, CPU and memory are
# the same on either machine.
machine="-nodefaults -machine q35"
for b in /usr/share/qemu/qboot.rom /usr/share/qemu-firmware/qboot.rom; do
	[ -f "$b" ] && { machine="$machine -bios $b"; break; }
done
rm -f "$out/lab-status" "$out/lockdep.txt" "$out/lab-serial.log" "$out/lab-milestones"
start=$(date +%s)
t0=$(date +%s%N)
# QEMU runs in the background so that a TERM (make ab stopping its labs)
# stops it too: timeout puts it in a process group of its own, out of
# reach of the terminal's Ctrl-C, and passes the TERM on to it.
qemu_pid=
trap 'if [ -n "$qemu_pid" ]; then kill -TERM "$qemu_pid" 2>/dev/null || true; wait "$qemu_pid" || true; fi; say "stopped"; exit 143' TERM INT HUP
# shellcheck disable=SC2086
timeout --kill-after=10 "$guard" qemu-system-x86_64 $machine $accel -m "$mem" -smp "$cpus" \
	-nographic -no-reboot -kernel "$kdir/bzImage" -initrd "$work/initrd.cpio" \
	-append "$cmdline" \
	-drive file="$work/scratch.img",if=virtio,format=raw,cache=unsafe \
	-virtfs local,path="$out",mount_tag=results,security_model=none,id=results \
	-serial file:"$out/lab-serial.log" -monitor none -display none \
	</dev/null >"$out/lab-qemu.log" 2>&1 &
qemu_pid=$!
# lab-milestones: the host's wall time (ms since QEMU started) of each
# milestone on the console: lab-init's "LAB-T step uptime" lines and the
# runner's "started:" (its VMs run and sampling has begun). The fixed
# cost of a lab is the last: what every run pays before it measures.
tail -s 0.05 --pid="$qemu_pid" -n +1 -F "$out/lab-serial.log" 2>/dev/null |
	while IFS= read -r l; do
		case $l in
		LAB-T\ * | LAB-START\ * | *'] started: '*)
			echo "$(( ($(date +%s%N) - t0) / 1000000 )) $l" ;;
		esac
	done >"$out/lab-milestones" &
watch_pid=$!
wait "$qemu_pid" || qemu=$?
wait "$watch_pid" || true
trap - TERM INT HUP
took=$(( $(date +%s) - start ))

# a lockdep report, whole, beside the results (the run still fails below)
if [ -f "$out/lab-serial.log" ]; then
	"$here/lockdep-reports" "$out/lab-serial.log" >"$out/lockdep.txt"
	if [ -s "$out/lockdep.txt" ]; then
		say "lockdep: $(sed -n 2p "$out/lockdep.txt" | sed 's/^\[ *[0-9.]*\] //') (the whole report: $out/lockdep.txt)"
	else
		rm -f "$out/lockdep.txt"
	fi
fi
# what the guest kernel said that must fail the run
bad=$("$here/serial-problems" "$out/lab-serial.log")
ooms=$(grep -c 'invoked oom-killer' "$out/lab-serial.log" || true)
[ "${ooms:-0}" -gt 0 ] && echo "lab: the OOM killer ran $ooms time(s) (lab-serial.log has its reports)" >&2
[ -n "$bad" ] && echo "$bad" >&2
# a parameter of the arm the lab kernel did not know: undotted ones are
# "Unknown kernel command line parameters", a loaded module's "unknown
# parameter"
for p in $params; do
	w=${p%%=*}
	if grep -E 'Unknown kernel command line parameters|unknown parameter' "$out/lab-serial.log" 2>/dev/null |
		grep -qF -e "$p" -e "'${w#*.}'"; then
		die "arm $arm: the lab kernel does not know kernel parameter '$w' ($p; $out/lab-serial.log)"
	fi
done
if [ "${qemu:-0}" = 124 ] || [ "${qemu:-0}" = 137 ]; then
	tail -n 20 "$out/lab-serial.log" >&2
	die "hung: killed after $took s (LAB_TIMEOUT $guard s, or QEMU killed from outside)${bad:+; the lab kernel reported a problem too} ($out/lab-serial.log)"
fi
[ -n "$bad" ] && die "the lab kernel reported a problem ($out/lab-serial.log)"
[ -f "$out/lab-status" ] || { tail -n 20 "$out/lab-serial.log" >&2; die "the lab ended without a status (qemu exit ${qemu:-0}; $out/lab-serial.log)"; }
status=$(cat "$out/lab-status")
first=$(sed -n 's/^LAB-START //p' "$out/lab-serial.log" | head -n 1)
fixed=$(awk '/\] started: / { printf "%.2f", $1 / 1000; exit }' "$out/lab-milestones")
say "done in $took s (experiment started ${first:-?} s after boot; first sample ${fixed:-?} s of wall time after QEMU started): kvmsqueeze exit $status"
[ "$status" = 0 ] || { grep -E '^kvmsqueeze:' "$out/lab-serial.log" | tail -n 3 >&2; die "kvmsqueeze exited $status in the lab"; }
ls "$out"/run/rep-*.json >&2
