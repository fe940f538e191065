#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A private ppc64el sysroot of Debian 12's libraries, for the cross build
# (E2E.md §3): the cross compiler and qemu-user come from the archive; the
# ppc64el -dev packages are downloaded and unpacked into DIR instead of being
# installed, which would replace amd64 packages of the machine.
# Usage: sysroot.sh DIR        (as root; DIR is created)
set -euo pipefail
dir=${1:?usage: sysroot.sh DIR}
export DEBIAN_FRONTEND=noninteractive
pkgs=(libjson-c-dev libjson-c5 libkmod-dev libkmod2 libudev-dev libudev1
	libsmartcols-dev libsmartcols1 libcmocka-dev libcmocka0
	liblzma5 libzstd1 libssl3 libcap2)

if ! dpkg --print-foreign-architectures | grep -qx ppc64el; then
	dpkg --add-architecture ppc64el
fi
"$(dirname "$0")/../../scripts/apt-update.sh"
apt-cache show libjson-c5:ppc64el >/dev/null 2>&1 ||
	{ echo "sysroot.sh: no ppc64el package lists" >&2; exit 1; }
apt-get install -y -q --no-install-recommends gcc-powerpc64le-linux-gnu \
	libc6-dev-ppc64el-cross qemu-user
mkdir -p "$dir/debs"
(cd "$dir/debs" && chmod 777 . && apt-get download "${pkgs[@]/%/:ppc64el}")
for d in "$dir"/debs/*.deb; do
	dpkg -x "$d" "$dir"
done
echo "sysroot.sh: ${#pkgs[@]} packages unpacked into $dir"
