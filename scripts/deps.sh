#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what tceiommu needs to build and test, on Debian 12 (run as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(
	build-essential cmake pkg-config
	libudev-dev libjson-c-dev libkmod-dev libsmartcols-dev libvirt-dev libxml2-dev
	bash-completion
	# tests
	libcmocka-dev python3 python3-prometheus-client valgrind clang-format util-linux
)
apt-get update -q
apt-get install -y -q --no-install-recommends "${pkgs[@]}"
