#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The live host: the group count matches an independent walk of
# /sys/kernel/iommu_groups; without groups the test reports itself skipped
# (exit 77), not passed.
set -u
tool=$1
export LC_ALL=C.UTF-8
want=0
if [ -d /sys/kernel/iommu_groups ]; then
	for d in /sys/kernel/iommu_groups/*/; do
		[ -d "$d" ] && want=$((want + 1))
	done
fi
json=$("$tool" list-groups --json) || { echo "FAIL: exit $?"; exit 1; }
got=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["groups"]))' <<<"$json")
if [ "$want" = 0 ]; then
	text=$("$tool" list-groups)
	if [ "$got" != 0 ] || ! grep -q "no IOMMU groups" <<<"$text"; then
		echo "FAIL: no groups on this host, the tool says $got: $text"
		exit 1
	fi
	echo "SKIP: this host has no IOMMU groups ($text)"
	exit 77
fi
if [ "$got" != "$want" ]; then
	echo "FAIL: $got groups, /sys/kernel/iommu_groups has $want"
	exit 1
fi
echo "1 passed, 0 failed ($got groups)"
