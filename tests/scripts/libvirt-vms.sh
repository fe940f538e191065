#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The VM map's libvirt collector against libvirt's test driver (no daemon):
# running pseries domains listed, each one's XML parsed into PHBs by target
# index and devices mapped bus= -> controller index -> target index. Also: a
# URI whose daemon has no socket is "not running" at once, without libvirt
# starting one; the test driver refuses the QMP passthrough cleanly.
# With TCEIOMMU: list-vms and show-vm over the same domains (no QEMU process
# behind them: the PHBs and hostdev -> PHB mapping of the XML, verdicts
# undecidable for want of the process).
# Usage: libvirt-vms.sh LIBVIRT_VMS_TOOL LIBVIRT_DIR [TCEIOMMU]
set -u
tool=$1 dir=$(cd "$2" && pwd) tce=${3:-}
n=0 fails=0
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
uri="test://$dir/ppc64-running.xml"

n=$((n + 1))
want='vm-emulated 0,5
  vm-emulated emulated e1000 phb 5
vm-phb3 0,1,3
  vm-phb3 vfio 0001:01:00.0 phb 3
  vm-phb3 vfio 0001:01:00.1 phb 1'
got=$(timeout 60 "$tool" -d "$uri")
rc=$?
[ $rc = 0 ] && [ "$got" = "$want" ] || bad "test driver: exit $rc, got:
$got
want:
$want"

# the test driver has no QEMU monitor: an error per domain, no crash, no hang
n=$((n + 1))
got=$(timeout 60 "$tool" -m '{"execute":"query-status"}' "$uri")
rc=$?
[ $rc = 1 ] && [ "$(grep -c 'monitor error' <<<"$got")" = 2 ] || bad "test driver monitor: exit $rc: $got"

# qemu:///session with no daemon socket: ENOENT and the note, no daemon started
n=$((n + 1))
tmp=$(mktemp -d)
got=$(env -i PATH="$PATH" HOME="$tmp" XDG_RUNTIME_DIR="$tmp" timeout 30 "$tool" -t qemu:///session 2>"$tmp/err")
rc=$?
ms=$(sed -n 's/^listed in \([0-9]*\).*/\1/p' "$tmp/err")
[ $rc = 2 ] && grep -q "^error ENOENT: libvirt is not running (no socket at $tmp/libvirt/virtqemud-sock" <<<"$got" &&
	[ -n "$ms" ] && [ "$ms" -lt 50 ] && [ ! -e "$tmp/libvirt" ] ||
	bad "session without a daemon: exit $rc in ${ms:-?} ms: $got"
rm -rf "$tmp"

# a libvirtd that accepts and never answers: -ETIMEDOUT at the deadline
n=$((n + 1))
sock=$(mktemp -u /tmp/tce-silent-XXXXXX.sock)
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
conns = []
end = time.time() + 30
while time.time() < end:
    s.settimeout(1)
    try:
        conns.append(s.accept()[0])
    except OSError:
        pass
' "$sock" &
server=$!
for _ in $(seq 25); do [ -S "$sock" ] && break; sleep 0.2; done
tmp=$(mktemp)
got=$(timeout 30 "$tool" -t -T 1000 "qemu+unix:///system?socket=$sock" 2>"$tmp")
rc=$?
ms=$(sed -n 's/^listed in \([0-9]*\).*/\1/p' "$tmp")
kill $server 2>/dev/null
wait $server 2>/dev/null
rm -f "$sock" "$tmp"
[ $rc = 2 ] && grep -q "^error ETIMEDOUT: libvirt did not answer within 1000 ms" <<<"$got" &&
	[ -n "$ms" ] && [ "$ms" -ge 990 ] && [ "$ms" -lt 1500 ] ||
	bad "silent libvirtd: exit $rc after ${ms:-?} ms: $got"

if [ -n "$tce" ]; then
	n=$((n + 1))
	got=$("$tce" -c "$uri" list-vms --json | python3 -c '
import json, sys
doc = json.load(sys.stdin)
# this host decides the VFIO windows: without the capability, userspace;
# with it (or unknown), the missing QEMU process leaves them unknown
cap = doc["host"]["kvm_cap_spapr_tce_vfio"]
for v in sorted(doc["vms"], key=lambda v: v["name"] or ""):
    if "libvirt" not in v["sources"]:
        continue
    if v["verdict"] == ("userspace" if cap is False else "unknown"):
        v["verdict"] = "as-the-host-says"
    phbs = ",".join(str(p["index"]) for p in v["phbs"])
    vfio = ",".join(str(p["index"]) for p in v["phbs"] if p["vfio"])
    hosts = ",".join("%s@%s" % (d["host"], d["phb"]) for d in v["devices"] if d["vfio"])
    print(v["name"], v["state"], phbs, vfio or "-", hosts or "-", v["verdict"])
')
	want='vm-emulated running 0,5 - - emulated
vm-phb3 running 0,1,3 1,3 0001:01:00.0@3,0001:01:00.1@1 as-the-host-says'
	[ "$got" = "$want" ] || bad "list-vms on the test driver: got
$got
want:
$want"
	n=$((n + 1))
	got=$("$tce" -c "$uri" show-vm vm-phb3 2>&1)
	rc=$?
	{ [ $rc = 3 ] && grep -q "process was not found" <<<"$got" ||
		{ [ $rc = 1 ] && grep -q "KVM_CAP_SPAPR_TCE_VFIO is 0" <<<"$got"; }; } &&
		grep -q "PHB 3" <<<"$got" && grep -q "host 0001:01:00.1" <<<"$got" ||
		bad "show-vm vm-phb3: exit $rc: $got"
fi
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
