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
grep -q '^TCE-RC list-groups 0$' "$out/console.txt" || { echo "FAIL: list-groups in the guest: $(cat "$out/list-groups.err")"; exit 1; }
if [ -f "$out/probe.json" ]; then
	grep -q '^TCE-RC probe 0$' "$out/console.txt" || { echo "FAIL: --probe in the guest: $(cat "$out/probe.err")"; exit 1; }
fi
# check-host as it ran live in the guest: the facts' levels and exit status
"$py" - "$out" "tests/data/$config/facts.json" <<'PY'
import json, re, sys
out, facts = sys.argv[1], json.load(open(sys.argv[2]))["check_host"]
rc = int(re.search(r"^TCE-RC check-host (\d+)$", open(out + "/console.txt").read(), re.M).group(1))
live = {c["id"]: c["level"] for c in json.load(open(out + "/check-host.json"))["checks"]}
bad = ["%s is %s live, facts say %s" % (k, live.get(k), v)
       for k, v in facts["levels"].items() if live.get(k) != v]
if rc != facts["exit_status"]:
    bad.append("live exit status %d, facts say %d" % (rc, facts["exit_status"]))
for b in bad:
    print("FAIL live check-host:", b)
sys.exit(1 if bad else 0)
PY
"$py" tests/scripts/check-facts.py "$tool" "$out/snapshot" --facts "tests/data/$config/facts.json"
if [ -f "$out/probe.json" ] && grep -q '"status": "ok"' "$out/probe.json"; then
	"$py" tests/scripts/derived-vs-probed.py "$out/probe.json"
fi
