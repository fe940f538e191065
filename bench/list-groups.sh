#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# list-groups against what users run instead, on the same generated host
# (bench/gen-host.py): the Arch-wiki shell loop over
# /sys/kernel/iommu_groups/*/devices/* (here with the driver of each device,
# which the loop gets from a readlink), and ls-iommu-style per-device reads.
# Prints medians of wall time and peak memory, and the ratios. Not a test:
# nothing here asserts a time.
# Peak memory needs GNU time (Debian package "time"); without it, 0.
# Usage: bench/list-groups.sh TCEIOMMU [GROUPS [DEVS]]   (default 1000 x 4)
set -euo pipefail
tool=$1 groups=${2:-1000} devs=${3:-4}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
python3 "$(dirname "$0")/gen-host.py" "$t/host" "$groups" "$devs"
root=$t/host

loop() { # the shell loop users copy from the Arch wiki, with the driver added
	local g d
	for g in "$root"/sys/kernel/iommu_groups/*; do
		for d in "$g"/devices/*; do
			echo "IOMMU group ${g##*/} ${d##*/} $(basename "$(readlink "$d/driver")")"
		done
	done
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # NAME CMD...: 3 runs, median seconds; peak KiB of one run
	local name=$1 s kb times=() mems=()
	shift
	for _ in 1 2 3; do
		s=$(date +%s.%N)
		"$@" >/dev/null
		times+=("$(echo "$(date +%s.%N) - $s" | bc -l)")
	done
	kb=$( { /usr/bin/env time -f %M "$@" >/dev/null; } 2>&1 | tail -n 1) || kb=0
	mems+=("$kb")
	printf '%s %s %s\n' "$name" "$(printf '%s\n' "${times[@]}" | median)" \
		"$(printf '%s\n' "${mems[@]}" | median)"
}

export -f loop
export root
a=$(measure tceiommu "$tool" --root "$root" list-groups -r -n -o GROUP,BDF,DRIVER)
b=$(measure shell-loop bash -c loop)
read -r _ ta ma <<<"$a"
read -r _ tb mb <<<"$b"
printf '%-12s %10s s %8s KiB\n' tceiommu "$ta" "$ma" shell-loop "$tb" "$mb"
printf 'ratio (shell loop / tceiommu): time %.1fx\n' "$(echo "$tb / $ta" | bc -l)"
