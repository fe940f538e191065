#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# show-vm of a libvirt domain that died at start (E2E.md §5c: VFIO under a
# memlock limit too low): the lines of its QEMU log that say why, exit 1;
# a name that is a path is never read as one. The failure lines are those
# E2E.md §5c quotes from a real run, in a libvirt-style log.
# Usage: stopped-vm.sh TCEIOMMU
set -u
tool=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
n=0 fails=0
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
mkdir -p "$t/var/log/libvirt/qemu" "$t/proc"
{
	echo "2026-11-29 04:00:00.000+0000: starting up libvirt version: 9.0.0"
	echo "qemu-system-ppc64: warning: TCG doesn't support requested feature, cap-cfpc=workaround"
	echo "KVM: Failed to create TCE64 table for liobn 0x80000300"
	echo "qemu-system-ppc64: -device vfio-pci,host=0000:01:00.0,bus=phb3.0: Failed to create SPAPR window: Cannot allocate memory"
	echo "qemu: hardware error: vfio: DMA mapping failed, unable to continue"
	echo "2026-11-29 04:00:01.000+0000: shutting down, reason=failed"
} >"$t/var/log/libvirt/qemu/dead.log"
echo "a log without any failure" >"$t/var/log/libvirt/qemu/fine.log"

n=$((n + 1))
err=$("$tool" --root "$t" show-vm dead 2>&1 >/dev/null)
rc=$?
[ $rc = 1 ] && grep -q "dead is not running" <<<"$err" &&
	grep -q "Failed to create TCE64 table for liobn 0x80000300" <<<"$err" &&
	grep -q "DMA mapping failed" <<<"$err" && ! grep -q "starting up" <<<"$err" ||
	bad "dead domain: exit $rc: $err"
n=$((n + 1))
err=$("$tool" --root "$t" show-vm fine 2>&1 >/dev/null)
rc=$?
[ $rc = 1 ] && grep -q "no running VM fine" <<<"$err" || bad "fine domain: exit $rc: $err"
n=$((n + 1))
err=$("$tool" --root "$t" show-vm ../qemu/dead 2>&1 >/dev/null)
rc=$?
[ $rc = 1 ] && grep -q "no running VM" <<<"$err" || bad "a path as a name: exit $rc: $err"
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
