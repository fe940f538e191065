#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The .deb and the .rpm install the same files with the same modes. Told apart
# only by each format's own conventions: /lib/systemd/system (Debian 12) is
# /usr/lib/systemd/system (Fedora; one directory on a merged /usr); Debian's
# copyright, changelog.gz and lintian overrides, and the gzip dh_compress
# gives other docs;
# rpm's /usr/lib/.build-id links. Directories are not compared.
# Usage: scripts/pkg-files.sh DEB RPM
set -euo pipefail
deb=${1:?usage: pkg-files.sh DEB RPM} rpm=${2:?usage: pkg-files.sh DEB RPM}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $1, $6 }' |
	sed -e 's| \./| /|' -e 's| /lib/| /usr/lib/|' \
		-e '\#^[^ ]* /usr/share/doc/tceiommu/\(copyright\|changelog\.gz\)$#d' \
		-e '\#^[^ ]* /usr/share/lintian/overrides/tceiommu$#d' \
		-e 's|^\([^ ]* /usr/share/doc/tceiommu/.*\)\.gz$|\1|' | sort >"$tmp/deb"
rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$rpm" |
	grep -v -e '^d' -e ' /usr/lib/\.build-id/' | sort >"$tmp/rpm"
n=$(grep -c '' "$tmp/deb")
[ "$n" -gt 0 ] || { echo "pkg-files: FAIL: no files in $deb"; exit 1; }
if diff -u --label "$(basename "$deb")" --label "$(basename "$rpm")" "$tmp/deb" "$tmp/rpm"; then
	echo "pkg-files: the same $n files in $(basename "$deb") and $(basename "$rpm")"
else
	echo "pkg-files: FAIL: the .deb and the .rpm differ"
	exit 1
fi
