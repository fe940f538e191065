#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every file `cmake --install` writes lands under the prefix given at install
# time, and under DESTDIR: the binary, the man page, the bash completion, the
# systemd units and the Ansible fact alike.
# Usage: install.sh BUILD_DIR CONFIGURED_PREFIX
set -euo pipefail
build=${1:?build dir} prefix=${2:?configured prefix}
# the prefix /usr keeps /lib/systemd/system and /etc (Debian's places, outside
# it) and GNUInstallDirs gives /opt/X /etc/opt/X: a build for them is not
# relocatable by --prefix, by design; DESTDIR still holds (the .deb build)
if [ "$prefix" != /usr/local ]; then
	echo "SKIP: configured for $prefix, not the default /usr/local"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
# under(ROOT [DESTDIR]): every line of the install manifest (which names the
# files without DESTDIR) is under ROOT, and every file under ROOT is in it
under() {
	local root=$1 destdir=${2:-} manifest=$tmp/manifest f n
	sed "s|^|$destdir|" "$build/install_manifest.txt" >"$manifest"
	n=$(grep -c "" "$manifest")
	[ "$n" -ge 6 ] || { echo "FAIL: only $n files installed"; fails=$((fails + 1)); }
	while IFS= read -r f || [ -n "$f" ]; do
		case $f in
		"$root"/*) [ -e "$f" ] || [ -L "$f" ] || { echo "FAIL: $f listed, not there"; fails=$((fails + 1)); } ;;
		*) echo "FAIL: $f outside $root"; fails=$((fails + 1)) ;;
		esac
	done <"$manifest"
	diff <(sort "$manifest") <(find "$root" ! -type d | sort) ||
		{ echo "FAIL: the tree under $root is not the manifest"; fails=$((fails + 1)); }
	for f in sbin/tceiommu share/man/man8/tceiommu.8 share/bash-completion/completions/tceiommu \
		lib/systemd/system/tceiommu-textfile.service lib/systemd/system/tceiommu-textfile.timer \
		etc/ansible/facts.d/tceiommu.fact; do
		grep -qx "$root.*/$f" "$manifest" || { echo "FAIL: no $f under $root"; fails=$((fails + 1)); }
	done
	echo "$root: $n files"
}
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
under "$tmp/prefix"
DESTDIR=$tmp/destdir cmake --install "$build" >/dev/null
under "$tmp/destdir$prefix" "$tmp/destdir"
[ -x "$tmp/prefix/etc/ansible/facts.d/tceiommu.fact" ] || { echo "FAIL: the fact is not executable"; fails=$((fails + 1)); }
echo "$fails failed"
[ "$fails" = 0 ]
