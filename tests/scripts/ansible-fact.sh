#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Ansible local fact prints JSON that python's json accepts: with the
# tool on this host (which check-host may fail: exit 2 off POWER), with a
# tool that prints nothing, and with none at all.
# Usage: ansible-fact.sh FACT TOOL PYTHON
set -euo pipefail
fact=${1:?fact} tool=${2:?tool} py=${3:?python}
fails=0
try() {
	local what=$1 out
	out=$(TCEIOMMU=$2 bash "$fact") || { echo "FAIL ($what): the fact exited $?"; fails=$((fails + 1)); return; }
	if "$py" -m json.tool <<<"$out" >/dev/null; then
		echo "ok ($what): $(head -c 100 <<<"$out" | tr '\n' ' ')"
	else
		echo "FAIL ($what): not JSON: $out"
		fails=$((fails + 1))
	fi
}
try "this host" "$tool"
"$py" - "$(TCEIOMMU=$tool bash "$fact")" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert "checks" in d and d["checks"], "no checks in the fact"
PY
try "no output" /bin/false
try "no tool" /nonexistent/tceiommu
echo "$fails failed"
[ "$fails" = 0 ]
