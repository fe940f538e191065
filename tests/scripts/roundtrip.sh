#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Round trip: `--root T record R`, then every output of --root T and --root R
# must be identical — the recorder copies everything the collectors read.
# Usage: roundtrip.sh TCEIOMMU SNAPSHOT_DIR
set -u
tool=$1 snap=$2
export LC_ALL=C.UTF-8 NO_COLOR=1
rec=$(mktemp -d)
trap 'rm -rf "$rec"' EXIT
fails=0 n=0
if ! "$tool" --root "$snap" record "$rec/snap"; then
	echo "FAIL: record exited $?"
	exit 1
fi
grep -q '^source record$' "$rec/snap/.tceiommu/manifest" || { echo "FAIL: manifest"; exit 1; }
for cmd in "list-groups --json" "list-groups -P -O" "list-groups" "list-groups -r -O -b" \
	"check-host --json" "check-host --format=nagios"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	if ! diff -u <("$tool" --root "$snap" $cmd 2>&1) <("$tool" --root "$rec/snap" $cmd 2>&1); then
		echo "FAIL: $cmd differs after the round trip"
		fails=$((fails + 1))
	fi
done
# A recording of the recording is the same recording (paths and answers).
n=$((n + 1))
"$tool" --root "$rec/snap" record "$rec/again" || fails=$((fails + 1))
if ! diff <(grep '^path ' "$rec/snap/.tceiommu/manifest") \
	<(grep '^path ' "$rec/again/.tceiommu/manifest") ||
	! diff "$rec/snap/.tceiommu/probes" "$rec/again/.tceiommu/probes"; then
	echo "FAIL: recording the recording changed it"
	fails=$((fails + 1))
fi
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
