#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-host's libvirt checks against libvirt's own test driver (no daemon):
# ppc64 domains with VFIO hostdevs whose <hard_limit> is below libvirt's ppc64
# figure are named; enough, absent and non-ppc64 limits are not. An
# unreachable URI is WARN, never a hang; a local daemon without a socket is
# WARN at once, libvirt not asked (no daemon started).
# Usage: libvirt-checks.sh TCEIOMMU DATA_DIR PYTHON
set -u
tool=$1 data=$2 py=$3
n=0 fails=0
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
uri="test://$(cd "$data/../libvirt" && pwd)/ppc64-domains.xml"
json=$(timeout 60 "$tool" -c "$uri" check-host --check 'memlock.libvirt,libvirt.vfio' --json)
rc=$?
n=$((n + 1))
RC=$rc "$py" - "$json" <<'PY' || bad "test driver"
import json, os, sys
d = json.loads(sys.argv[1]); c = {x["id"]: x for x in d["checks"]}
m = c["memlock.libvirt"]
assert m["level"] == "WARN", m
assert "3 of 5" in m["message"], m["message"]
for low in ("vfio-low-limit", "vfio-locked-low", "vfio-interface"):
    assert low in m["message"], (low, m["message"])
assert "vfio-enough" not in m["message"] and "x86-with-limit" not in m["message"], m
ev = {e["source"]: e["value"] for e in m["evidence"]}
assert ev["vfio-low-limit"].startswith("hard_limit 2G, libvirt's own figure 4.0G"), ev  # 2 PHBs
assert ev["vfio-no-limit"] == "no hard_limit: libvirt sets 2.0G", ev                   # 1 PHB
assert "x86-with-limit" not in ev, ev
# the test driver has no domain capabilities: UNKNOWN, not a failure
assert c["libvirt.vfio"]["level"] == "UNKNOWN", c["libvirt.vfio"]
assert int(os.environ["RC"]) == 1, os.environ["RC"]
PY
n=$((n + 1))
out=$(timeout 60 "$tool" -c 'qemu+unix:///system?socket=/nonexistent/sock' check-host --check libvirt.vfio)
rc=$?
[ $rc = 1 ] && grep -q "not reachable" <<<"$out" || bad "unreachable libvirt: exit $rc, $out"
# qemu:///session without a socket: WARN from the socket alone, nothing started
n=$((n + 1))
tmp=$(mktemp -d)
out=$(env -i PATH="$PATH" HOME="$tmp" XDG_RUNTIME_DIR="$tmp" timeout 30 "$tool" -v \
	-c qemu:///session check-host --check 'libvirt.vfio,memlock.libvirt' 2>&1)
rc=$?
[ $rc = 1 ] && [ "$(grep -c 'WARN (libvirt is not reachable at qemu:///session)' <<<"$out")" = 2 ] &&
	grep -q "evidence: socket: libvirt is not running (no socket at $tmp/libvirt/virtqemud-sock" <<<"$out" &&
	[ ! -e "$tmp/libvirt" ] || bad "session without a socket: exit $rc: $out"
rm -rf "$tmp"
# a libvirtd that accepts and never answers: UNKNOWN within the deadline
n=$((n + 1))
sock=$(mktemp -u /tmp/tce-silent-XXXXXX.sock)
"$py" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
conns = []
end = time.time() + 60
while time.time() < end:
    s.settimeout(1)
    try:
        conns.append(s.accept()[0])
    except OSError:
        pass
' "$sock" &
server=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$sock" ] && break; sleep 0.2; done
start=$(date +%s)
out=$(TCEIOMMU_LIBVIRT_TIMEOUT=2 timeout 30 "$tool" -c "qemu+unix:///system?socket=$sock" \
	check-host --check 'libvirt.vfio,memlock.libvirt' 2>&1)
rc=$?
took=$(($(date +%s) - start))
kill $server 2>/dev/null
rm -f "$sock"
if [ $rc != 3 ] || [ $took -gt 10 ] || ! grep -q "did not answer within 2 s" <<<"$out"; then
	bad "silent libvirtd: exit $rc after $took s: $out"
fi
n=$((n + 1))
out=$("$tool" --root "$data/powernv9" -c "$uri" check-host --check 'memlock.libvirt' 2>&1)
grep -q "SKIP (not applicable: libvirt is asked only on the live host" <<<"$out" || bad "libvirt under --root: $out"
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
