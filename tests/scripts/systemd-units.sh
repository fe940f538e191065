#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The systemd service and timer as built: `systemd-analyze verify` with not a
# word to say (it only warns about unknown keys, so any output fails), and the
# sandbox's exposure at most 4.0 (`systemd-analyze security`). verify needs
# the ExecStart binary in place: the built one stands in for the installed one.
# Usage: systemd-units.sh BUILD_DIR TOOL
set -euo pipefail
build=${1:?build dir} tool=${2:?tool}
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
svc=tceiommu-textfile.service timer=tceiommu-textfile.timer
sed "s|^ExecStart=[^ ]*|ExecStart=$tool|" "$build/packaging/$svc" >"$tmp/$svc"
cp "$(dirname "$0")/../../packaging/systemd/$timer" "$tmp/$timer"
grep -q '^ExecStart=.* check-host --textfile-dir /' "$tmp/$svc"
out=$(systemd-analyze verify --man=no "$tmp/$svc" "$tmp/$timer" 2>&1) || { echo "$out"; echo "FAIL: verify"; exit 1; }
[ -z "$out" ] || { echo "$out"; echo "FAIL: verify has something to say"; exit 1; }
echo "verify: clean"
systemd-analyze security --offline=yes --threshold=40 "$tmp/$svc" | tail -n 1
# the options check-host is run with are its real ones
"$tool" check-host --help | grep -q -- '--textfile-dir DIR'
