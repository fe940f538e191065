#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# list-vms with 1 and with 16 paused QEMU pseries VMs (TCG, E2E.md §1), each
# with a QMP socket: from /proc alone, and asking every QEMU (--qmp for each);
# then 16 QMP peers that accept and never answer (tests/scripts/qmp-peer.py
# silent): VMs are asked concurrently, so that costs one timeout, not sixteen.
# Interleaved runs, medians of wall time, peak RSS of one run. Not a test:
# nothing asserts a time. Peak memory needs GNU time (package "time").
# Usage: bench/list-vms.sh TCEIOMMU [RUNS]     (default 5)
set -euo pipefail
tool=$(readlink -f "$1") runs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
command -v qemu-system-ppc64 >/dev/null || { echo "no qemu-system-ppc64"; exit 1; }
t=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$t"
}
trap cleanup EXIT

start_vm() { # N
	qemu-system-ppc64 -M pseries -accel tcg -m 256 -nographic -nodefaults -S \
		-name "guest=bench$1" -qmp "unix:$t/vm$1.sock,server=on,wait=off" \
		-device "spapr-pci-host-bridge,index=$((1 + $1 % 7)),id=pci.1" \
		-daemonize -pidfile "$t/vm$1.pid" 2>/dev/null
	pids+=("$(cat "$t/vm$1.pid")")
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

run() { # NAME ARGS...
	local s
	s=$(now)
	"$tool" list-vms --no-libvirt "${@:2}" >/dev/null 2>&1 || true
	times[$1]+="$(echo "$(now) - $s" | bc -l) "
}
peak() {
	/usr/bin/env time -o "$t/peak" -f %M "$tool" list-vms --no-libvirt "$@" >/dev/null 2>&1 || true
	tail -n 1 "$t/peak" 2>/dev/null || echo 0
}
declare -A times args

# one VM alone on the host, then sixteen; each phase's commands round-robin
start_vm 1
args[proc-1]="" args[qmp-1]="--qmp $t/vm1.sock"
for _ in $(seq "$runs"); do run proc-1; run qmp-1 --qmp "$t/vm1.sock"; done
qmp16=() hung16=()
for i in $(seq 2 16); do start_vm "$i"; done
for i in $(seq 1 16); do
	qmp16+=(--qmp "$t/vm$i.sock")
	hung16+=(--qmp "$t/hung$i.sock")
	python3 "$here/../tests/scripts/qmp-peer.py" silent "$t/hung$i.sock" &
	pids+=($!)
done
for i in $(seq 1 16); do
	for _ in $(seq 100); do [ -S "$t/hung$i.sock" ] && break; sleep 0.02; done
done
args[proc-16]="" args[qmp-16]="${qmp16[*]}" args[hung-16]="--timeout 1 ${hung16[*]}"
for _ in $(seq "$runs"); do
	run proc-16
	run qmp-16 "${qmp16[@]}"
	run hung-16 --timeout 1 "${hung16[@]}"
done
printf '%-10s %10s %10s\n' command "median s" "peak KiB"
declare -A med
for n in proc-1 qmp-1 proc-16 qmp-16 hung-16; do
	med[$n]=$(tr ' ' '\n' <<<"${times[$n]}" | grep -v '^$' | median)
	# shellcheck disable=SC2086 # the arguments were joined with spaces, none has one
	printf '%-10s %10.3f %10s\n' "$n" "${med[$n]}" "$(peak ${args[$n]} || echo 0)"
done
printf 'ratio 16 VMs / 1 VM, from /proc:        %.2fx\n' "$(echo "${med[proc-16]} / ${med[proc-1]}" | bc -l)"
printf 'ratio 16 VMs / 1 VM, each QEMU asked:   %.2fx (target <= 2x)\n' \
	"$(echo "${med[qmp-16]} / ${med[qmp-1]}" | bc -l)"
printf '16 hung peers, --timeout 1:             %.2f s (one timeout, not sixteen)\n' "${med[hung-16]}"
