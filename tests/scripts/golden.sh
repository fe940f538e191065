#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Golden tests (util-linux lscpu/lsblk style): run the built binary on a
# snapshot in several output variants and compare with the expected files in
# tests/expected/list-groups/<snapshot>-<variant>. UPDATE_GOLDEN=1 rewrites
# them; review that diff like code. Goldens prove stability; the facts files
# prove truth (check-facts.py).
# Usage: golden.sh TCEIOMMU SNAPSHOT_DIR EXPECTED_DIR
set -u
tool=$1 snap=$2 expdir=$3
name=$(basename "$snap")
export LC_ALL=C.UTF-8 NO_COLOR=1
mkdir -p "$expdir"
fails=0 n=0
variant() {
	local v=$1; shift
	local out exp="$expdir/$name-$v" rc
	out=$("$tool" --root "$snap" list-groups "$@" 2>&1)
	rc=$?
	out+=$'\n'"exit status: $rc"
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
variant default
variant pairs -P -O
variant json --json
variant raw-cols -r -o GROUP,BDF,DRIVER,OVERRIDE,VIABLE,BLOCKERS,LIOBN,DMA32,DDW-SIZE
variant bytes -b -n -o +DDW-MAX,LOC,PHYSFN,VFS,EEH,HOLDERS
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
