#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Record the machine running the suite and replay it: list-groups and
# check-host (libvirt aside: it is asked only live) say the same from the
# snapshot as from the live host, the ioctl answers included.
set -u
tool=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
n=0 fails=0
"$tool" record "$t/snap" || { echo "FAIL: record exited $?"; exit 1; }
for f in manifest probes; do
	n=$((n + 1))
	[ -f "$t/snap/.tceiommu/$f" ] || { echo "FAIL: no $f"; fails=$((fails + 1)); }
done
n=$((n + 1))
grep -q "^kernel_release $(uname -r)$" "$t/snap/.tceiommu/manifest" || { echo "FAIL: kernel release"; fails=$((fails + 1)); }
# Nothing is opened that would load a module: where the recording says vfio
# (or kvm) is absent, the live answers hold no open of its device node.
for m in vfio kvm; do
	n=$((n + 1))
	if grep -q "^module	$m	=state=absent$" "$t/snap/.tceiommu/probes" &&
		grep -q "^$m	open	" "$t/snap/.tceiommu/probes"; then
		echo "FAIL: $m is not loaded, yet its device node was opened"
		fails=$((fails + 1))
	fi
done
skip='libvirt.*,memlock.libvirt'
for cmd in "list-groups --json" "check-host --json --skip $skip" "check-host --format=nagios --skip $skip"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	if ! diff -u <("$tool" $cmd 2>&1) <("$tool" --root "$t/snap" $cmd 2>&1); then
		echo "FAIL: $cmd differs between the live host and its recording"
		fails=$((fails + 1))
	fi
done
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
