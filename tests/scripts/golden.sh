#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Golden tests (util-linux lscpu/lsblk style): run the built binary on a
# snapshot in several output variants and compare with the expected files in
# tests/expected/list-groups/<snapshot>-<variant>. UPDATE_GOLDEN=1 rewrites
# them; review that diff like code. Goldens prove stability; the facts files
# prove truth (check-facts.py).
# Usage: golden.sh TCEIOMMU SNAPSHOT_DIR EXPECTED_DIR [COMMAND]
# COMMAND is list-groups (default), check-host or list-vms (with show-vm of
# each VM it lists).
set -u
tool=$1 snap=$2 expdir=$3 cmd=${4:-list-groups}
name=$(basename "$snap")
# names a snapshot lacks are not asked of this machine's hwdb: its contents
# differ between machines (tests/scripts/local-hwdb.sh tests that fallback)
export LC_ALL=C.UTF-8 NO_COLOR=1 TCEIOMMU_NO_LOCAL_HWDB=1
mkdir -p "$expdir"
fails=0 n=0
variant() {
	local v=$1; shift
	local out exp="$expdir/$name-$v"
	out=$("$tool" --root "$snap" "$cmd" "$@" 2>&1; echo "exit status: $?")
	# the Prometheus timestamp is the one value that changes between runs
	out=$(sed 's/^tceiommu_last_run_timestamp_seconds .*/tceiommu_last_run_timestamp_seconds TIME/' <<<"$out")
	n=$((n + 1))
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		printf '%s\n' "$out" >"$exp"
		return
	fi
	if [ ! -f "$exp" ]; then
		echo "FAIL $name-$v: no expected file $exp (UPDATE_GOLDEN=1 writes it)"
		fails=$((fails + 1))
	elif ! diff -u "$exp" <(printf '%s\n' "$out"); then
		echo "FAIL $name-$v"
		fails=$((fails + 1))
	fi
}
if [ "$cmd" = check-host ]; then
	# libvirt's checks say whether the build has libvirt: the facts hold them
	nolv="--skip=libvirt.*,memlock.libvirt"
	variant text "$nolv"
	variant verbose -v "$nolv"
	variant json --json "$nolv"
	variant nagios --format=nagios "$nolv"
	variant prometheus --format=prometheus "$nolv"
elif [ "$cmd" = list-vms ]; then
	variant default
	variant json --json
	variant pairs -P -O
	for pid in $("$tool" --root "$snap" list-vms -n -r -o PID 2>/dev/null); do
		cmd=show-vm variant "show-$pid" "pid:$pid"
		cmd=show-vm variant "show-$pid-json" "pid:$pid" --json
	done
else
	variant default
	variant pairs -P -O
	variant json --json
	variant raw-cols -r -o GROUP,BDF,DRIVER,OVERRIDE,VIABLE,BLOCKERS,LIOBN,DMA32,DDW-SIZE
	variant bytes -b -n -o +DDW-MAX,LOC,PHYSFN,VFS,EEH,HOLDERS
fi
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
