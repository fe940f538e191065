#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the rpm from packaging/rpm/tceiommu.spec with Debian's rpm package:
# the Fedora macros it lacks come from packaging/rpm/macros.debian, and the
# spec's BuildRequires (pkg-config names, Fedora's package names) cannot
# resolve against dpkg's database, so rpmbuild runs with --nodeps: the build
# itself finds what it needs through pkg-config, as scripts/deps.sh installs it.
# --nocheck: the tests run elsewhere in CI.
# Usage: scripts/rpm.sh OUTDIR       (the .rpm lands in OUTDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: rpm.sh OUTDIR}
mkdir -p "$out" && out=$(cd "$out" && pwd)
die() { echo "rpm.sh: FAIL: $*" >&2; exit 1; }
spec=packaging/rpm/tceiommu.spec
want=$(sed -n 's/^project(tceiommu VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
have=$(sed -n 's/^Version: *//p' "$spec")
[ "$have" = "$want" ] || die "$spec says $have, CMakeLists.txt $want"

top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
mkdir -p "$top/SOURCES"
# the tracked files as they are in the working tree, in tceiommu-VERSION/
git ls-files -z | tar --null -T - --transform "s,^,tceiommu-$want/," -czf "$top/SOURCES/tceiommu-$want.tar.gz"
start=$(date +%s)
rpmbuild -bb --nodeps --nocheck --load packaging/rpm/macros.debian \
	--define "_topdir $top" --define "_smp_mflags -j${JOBS:-2}" "$spec" >"$out/rpmbuild.log" 2>&1 ||
	{ tail -n 40 "$out/rpmbuild.log"; die "rpmbuild"; }
rpms=("$top"/RPMS/*/tceiommu-"$want"-*.rpm)
[ -f "${rpms[0]}" ] || die "no rpm in $top/RPMS"
cp "${rpms[@]}" "$out/"
echo "rpm.sh: built $(basename "${rpms[0]}") in $(($(date +%s) - start)) s"
rpm -qpi "$out/$(basename "${rpms[0]}")" | sed -n '1,/^Description/p'
