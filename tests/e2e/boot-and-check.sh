#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot a real ppc64el kernel (ppc64el-boot.sh), record it afresh with the
# tool of this tree, and hold the live recording, check-host's answers and
# (where asked) --probe's against the committed recording's facts.json: the
# same semantic facts, whatever package revision the archive serves today.
# Usage: boot-and-check.sh CONFIG PYTHON TOOL
set -euo pipefail
cd "$(dirname "$0")/../.."
config=${1:?config} py=${2:?python} tool=${3:?tool}
out=$PWD/build-e2e/live-$config
PYTHON=$py bash tests/e2e/ppc64el-boot.sh "$config" "$out"
[ -f "$out/probe.json" ] && cp "$out/probe.json" "$out/snapshot/probe.json"
grep -q '^TCE-RC record 0$' "$out/console.txt" || { echo "FAIL: record in the guest: $(cat "$out/record.err")"; exit 1; }
"$py" tests/scripts/check-facts.py "$tool" "$out/snapshot" --facts "tests/data/$config/facts.json"
if [ -f "$out/probe.json" ] && grep -q '"status": "ok"' "$out/probe.json"; then
	"$py" tests/scripts/derived-vs-probed.py "$out/probe.json"
fi
