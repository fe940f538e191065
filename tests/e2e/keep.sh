#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Keep a fresh real-kernel run as the committed recording of its
# configuration: the snapshot the tool recorded, and beside it what the boot
# printed (console.txt), --probe's answer, the L2 QEMU's log and console, the
# boot script's own hcall counts and the tool's live top -b. The README and
# facts.json of the recording stay as they are.
# Usage: keep.sh CONFIG OUTDIR     (OUTDIR of tests/e2e/ppc64el-boot.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
config=${1:?config} out=${2:?outdir}
d=tests/data/$config
[ -d "$out/snapshot/.tceiommu" ] || { echo "keep: no snapshot in $out" >&2; exit 1; }
mkdir -p "$d"
find "$d" -mindepth 1 -maxdepth 1 ! -name README.md ! -name facts.json -exec rm -rf {} +
cp -a "$out/snapshot/." "$d/"
cp "$out/console.txt" "$d/"
[ -f "$out/probe.json" ] && cp "$out/probe.json" "$d/"
[ -f "$out/l2.log" ] && cp "$out/l2.log" "$d/l2-qemu.log"
[ -f "$out/l2-console.txt" ] && tr -d '\r' <"$out/l2-console.txt" >"$d/l2-console.txt"
[ -f "$out/top.txt" ] && cp "$out/top.txt" "$d/top.txt"
if [ -d "$out/trace" ]; then
	mkdir -p "$d/trace"
	for f in hcall-counts.txt qemu-counts.txt stats.txt trace.txt.gz; do
		[ -f "$out/trace/$f" ] && cp "$out/trace/$f" "$d/trace/"
	done
fi
# a QEMU that died at start leaves only its log: put it where libvirt keeps a
# domain's, which show-vm reads (derived: no libvirt runs in the guest host)
if grep -q '^TCE-L2 no /proc' "$out/console.txt" && [ -f "$out/l2.log" ]; then
	mkdir -p "$d/var/log/libvirt/qemu"
	cp "$out/l2.log" "$d/var/log/libvirt/qemu/l2.log"
fi
echo "keep: $config from $out"
