#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Unreadable files, read by an unprivileged user (root reads mode-000 files,
# and git keeps no mode 000: the modes are set here on a copy). Skipped
# (exit 77), not passed, where it cannot run.
set -u
tool=$1 data=$2 py=$3
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "SKIP: needs root (to drop to nobody) and setpriv"
	exit 77
fi
n=0 fails=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cp -a "$data/edge-unreadable" "$t/"
chmod 000 "$t/edge-unreadable/sys/kernel/iommu_groups/0/name" \
	"$t"/edge-unreadable/sys/devices/pci0000:00/0000:00:00.0/0000:01:00.0/uevent
chmod 755 "$t"
n=$((n + 1))
"$py" "$(dirname "$0")/check-facts.py" "$tool" "$t/edge-unreadable" --as-nobody || fails=$((fails + 1))
n=$((n + 1))
err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" --root "$t/edge-unreadable" list-groups 2>&1)
grep -q "name: Permission denied" <<<"$err" || { echo "FAIL: no message: $err"; fails=$((fails + 1)); }
# an unreadable groups directory is an error, not "no groups"
n=$((n + 1))
chmod 000 "$t/edge-unreadable/sys/kernel/iommu_groups"
setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" --root "$t/edge-unreadable" list-groups >/dev/null 2>&1
rc=$?
[ $rc = 1 ] || { echo "FAIL: unreadable groups directory: exit $rc"; fails=$((fails + 1)); }
chmod 755 "$t/edge-unreadable/sys/kernel/iommu_groups"
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
