#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what tceiommu needs to build and test, on Debian 12 (run as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(
	build-essential cmake pkg-config
	libudev-dev libjson-c-dev libkmod-dev libsmartcols-dev libvirt-dev libxml2-dev
	bash-completion
	# the udev hwdb (hwdb.bin) that vendor and product names come from
	udev
	# tests; a real libvirtd (tests/scripts/libvirtd-real.sh): without recommends,
	# so no qemu-system-x86 for libvirtd to probe at every start
	libvirt-daemon libvirt-daemon-system libvirt-clients
	libcmocka-dev python3 python3-prometheus-client valgrind clang-format util-linux strace
	# the fuzz targets (tests/fuzz): clang, and libFuzzer's runtime for clang-14
	# (libclang_rt.fuzzer, in libclang-rt-14-dev)
	clang libclang-rt-14-dev
	# real ppc64el kernels under emulation (tests/e2e)
	qemu-system-ppc qemu-system-data xz-utils
	# the packages (scripts/deb.sh, rpm.sh): built, linted, installed and tried
	# (man -w, systemd-analyze verify)
	debhelper lintian rpm man-db systemd
)
"$(dirname "$0")/apt-update.sh"
apt-get install -y -q --no-install-recommends "${pkgs[@]}"
