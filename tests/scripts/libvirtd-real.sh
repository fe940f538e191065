#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The VM map's libvirt collector against a REAL libvirtd (as root; installs
# nothing: scripts/deps.sh does). Starts virtlogd and libvirtd when they are
# not running, defines two ppc64 pseries TCG domains whose PHB controllers'
# target indexes differ from their controller indexes, with emulated NICs
# on them, starts them paused, and holds tests/tools/libvirt-vms to what the
# XML says: each domain's PHBs, where each NIC lands, and the QMP
# passthrough's qom-list of /machine/peripheral against virsh's. Then, with
# the daemon it started stopped again, "not running" within 50 ms.
# Everything it made is removed on every exit path; daemons it found running
# are left running.
# Then tceiommu list-vms --monitor itself: each domain found through libvirt
# and through /proc, merged into one VM with the domain's QEMU pid, its PHBs
# those of the XML, and every PHB's LIOBNs and window sizes those QEMU gives
# virsh's qemu-monitor-command.
# Usage: libvirtd-real.sh LIBVIRT_VMS_TOOL PYTHON [TCEIOMMU]
set -u
tool=$1 py=${2:-python3} tce=${3:-}
uri=qemu:///system
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for p in libvirtd virtlogd virsh qemu-system-ppc64; do
	command -v $p >/dev/null || { echo "SKIP: no $p"; exit 77; }
done
n=0 fails=0
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
t0=$(date +%s%N)
ms() { echo $((($(date +%s%N) - t0) / 1000000)); }
work=$(mktemp -d /tmp/tce-libvirtd-XXXXXX)
libvirtd_pid= virtlogd_pid=
defined=()
stop_daemons() {
	if [ -n "$libvirtd_pid" ]; then
		kill "$libvirtd_pid" 2>/dev/null
		wait "$libvirtd_pid" 2>/dev/null
		libvirtd_pid=
	fi
	if [ -n "$virtlogd_pid" ]; then
		kill "$virtlogd_pid" 2>/dev/null
		wait "$virtlogd_pid" 2>/dev/null
		virtlogd_pid=
	fi
}
cleanup() {
	for d in "${defined[@]}"; do
		virsh -q -c $uri destroy "$d" >/dev/null 2>&1
		virsh -q -c $uri undefine "$d" >/dev/null 2>&1
	done
	stop_daemons
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! timeout 5 virsh -q -c $uri list >/dev/null 2>&1; then
	mkdir -p /run/libvirt
	if ! pidof -q virtlogd; then
		virtlogd >"$work/virtlogd.log" 2>&1 &
		virtlogd_pid=$!
	fi
	libvirtd >"$work/libvirtd.log" 2>&1 &
	libvirtd_pid=$!
	for _ in $(seq 100); do
		timeout 5 virsh -q -c $uri list >/dev/null 2>&1 && break
		sleep 0.1
	done
	timeout 5 virsh -q -c $uri list >/dev/null 2>&1 || {
		echo "FAIL: libvirtd did not come up in 10 s"
		cat "$work/libvirtd.log"
		exit 1
	}
	echo "libvirtd started and answering after $(ms) ms"
fi

# NAME, then "CONTROLLER-INDEX:TARGET-INDEX" of each extra PHB; an e1000 on each
# (no option ROM: it is in ipxe-qemu, which the tests do not need)
mkdomain() {
	local name=$1 nic=0
	shift
	{
		echo "<domain type='qemu'><name>$name</name>"
		echo "<memory unit='MiB'>256</memory>"
		echo "<os><type arch='ppc64' machine='pseries'>hvm</type></os>"
		echo "<devices><emulator>$(command -v qemu-system-ppc64)</emulator>"
		echo "<controller type='pci' index='0' model='pci-root'/>"
		for p in "$@"; do
			echo "<controller type='pci' index='${p%%:*}' model='pci-root'>"
			echo "<model name='spapr-pci-host-bridge'/><target index='${p##*:}'/></controller>"
		done
		for p in "$@"; do
			printf "<interface type='user'><model type='e1000'/><rom enabled='no'/>"
			printf "<address type='pci' domain='0x0000' bus='0x%02x' slot='0x01' function='0x0'/>" "${p%%:*}"
			echo "</interface>"
			nic=$((nic + 1))
		done
		echo "<memballoon model='none'/></devices></domain>"
	} >"$work/$name.xml"
}
mkdomain tce-test-a 1:2 2:5
mkdomain tce-test-b 1:7 2:1
for d in tce-test-a tce-test-b; do
	if virsh -q -c $uri define "$work/$d.xml" >"$work/define.log" 2>&1; then
		defined+=("$d")
	else
		echo "FAIL: define $d: $(cat "$work/define.log")"
		exit 1
	fi
	virsh -q -c $uri start --paused "$d" >"$work/start.log" 2>&1 || {
		echo "FAIL: start $d: $(cat "$work/start.log")"
		tail -5 /var/log/libvirt/qemu/"$d".log 2>/dev/null
		exit 1
	}
done
echo "two domains defined and started paused after $(ms) ms"

n=$((n + 1))
t1=$(date +%s%N)
got=$(timeout 60 "$tool" -d -t $uri 2>"$work/t")
rc=$?
echo "listed and parsed: $(cat "$work/t"), the whole program $((($(date +%s%N) - t1) / 1000000)) ms"
# the two domains may share the host with others: keep ours
got=$(grep -E '^ *tce-test-' <<<"$got")
want='tce-test-a 0,2,5
  tce-test-a emulated e1000 phb 2
  tce-test-a emulated e1000 phb 5
tce-test-b 0,1,7
  tce-test-b emulated e1000 phb 7
  tce-test-b emulated e1000 phb 1'
[ $rc = 0 ] && [ "$got" = "$want" ] || bad "list and parse: exit $rc, got:
$got
want:
$want"

# the passthrough: qom-list /machine/peripheral as virsh gets it
req='{"execute":"qom-list","arguments":{"path":"/machine/peripheral"}}'
for d in tce-test-a tce-test-b; do
	n=$((n + 1))
	t1=$(date +%s%N)
	ours=$(timeout 60 "$tool" -m "$req" $uri | sed -n "s/^  $d monitor //p")
	took=$((($(date +%s%N) - t1) / 1000000))
	theirs=$(virsh -c $uri qemu-monitor-command "$d" "$req")
	"$py" - "$ours" "$theirs" <<'PY' || bad "$d: qom-list: ours $ours, virsh's $theirs"
import json, sys
ours = {o["name"] for o in json.loads(sys.argv[1])}
theirs = {o["name"] for o in json.loads(sys.argv[2])["return"]}
assert ours == theirs, (ours, theirs)
assert {"pci.1", "pci.2"} <= ours, ours
PY
	echo "$d: qom-list through the passthrough (list, parse, open, exec): $took ms"
done

# list-vms through libvirt and /proc, QEMU asked through the passthrough
if [ -n "$tce" ]; then
	n=$((n + 1))
	t1=$(date +%s%N)
	timeout 60 "$tce" -c $uri list-vms --monitor --json >"$work/vms.json" 2>"$work/vms.err"
	rc=$?
	echo "list-vms --monitor: exit $rc in $((($(date +%s%N) - t1) / 1000000)) ms"
	for d in tce-test-a tce-test-b; do
		for a in $(virsh -q -c $uri qemu-monitor-command "$d" \
			'{"execute":"qom-list","arguments":{"path":"/machine/peripheral"}}' |
			"$py" -c 'import json,sys; print(" ".join(o["name"] for o in json.load(sys.stdin)["return"] if o["type"] == "child<spapr-pci-host-bridge>"))'); do
			virsh -q -c $uri qemu-monitor-command "$d" \
				"{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"/machine/peripheral/$a\",\"property\":\"index\"}}" >"$work/$d.$a.index"
			virsh -q -c $uri qemu-monitor-command "$d" \
				"{\"execute\":\"qom-list\",\"arguments\":{\"path\":\"/machine/peripheral/$a\"}}" >"$work/$d.$a.list"
		done
	done
	"$py" - "$work" "$(cat /run/libvirt/qemu/tce-test-a.pid)" "$(cat /run/libvirt/qemu/tce-test-b.pid)" <<'PY' || bad "list-vms --monitor: $(cat "$work/vms.err")"
import glob, json, os, sys
work, pids = sys.argv[1], {"tce-test-a": int(sys.argv[2]), "tce-test-b": int(sys.argv[3])}
want_phbs = {"tce-test-a": [0, 2, 5], "tce-test-b": [0, 1, 7]}
vms = {v["name"]: v for v in json.load(open(work + "/vms.json"))["vms"]}
bad = []
for d, pid in pids.items():
    v = vms.get(d)
    if not v:
        bad.append("%s not listed" % d)
        continue
    if sorted(v["sources"]) != ["libvirt", "proc"] or v["pid"] != pid:
        bad.append("%s: sources %s pid %s (QEMU is %d)" % (d, v["sources"], v["pid"], pid))
    if v["state"] != "paused" or v["qmp"]["error"] or v["qmp"]["via"] != "libvirt monitor":
        bad.append("%s: state %r, qmp %r" % (d, v["state"], v["qmp"]))
    got = {p["index"]: p for p in v["phbs"]}
    if sorted(got) != want_phbs[d]:
        bad.append("%s: PHBs %s, the XML says %s" % (d, sorted(got), want_phbs[d]))
    files = glob.glob("%s/%s.*.index" % (work, d))
    if len(files) != 2:
        bad.append("%s: virsh named %d PHBs under /machine/peripheral, not 2" % (d, len(files)))
    for f in files:
        idx = json.load(open(f))["return"]
        qemu = sorted(int(c["name"][10:], 16) for c in json.load(open(f[:-5] + "list"))["return"]
                      if c["name"].startswith("tce-table-"))
        ours = sorted(w["liobn"] for w in got.get(idx, {}).get("windows", []))
        if ours != qemu:
            bad.append("%s PHB %d: LIOBNs %s, QEMU says %s" % (d, idx, [hex(x) for x in ours],
                                                              [hex(x) for x in qemu]))
        for w in got.get(idx, {}).get("windows", []):
            if w["source"] != "qmp" or w["verdict"] != "emulated":
                bad.append("%s 0x%x: source %r verdict %r" % (d, w["liobn"], w["source"], w["verdict"]))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
fi

# check-host's libvirt checks on the real daemon: one session, one read-only
# connection for both (src/checks/libvirt.c), and the memlock check reads
# what libvirt holds: a defined (not started) ppc64 domain with a PCI hostdev
# and a hard_limit of 1 GiB, below libvirt's own figure for it (>= 2 GiB)
if [ -n "$tce" ] && command -v strace >/dev/null; then
	n=$((n + 1))
	cat >"$work/tce-test-c.xml" <<XML
<domain type='qemu'><name>tce-test-c</name><memory unit='MiB'>256</memory>
<memtune><hard_limit unit='GiB'>1</hard_limit></memtune>
<os><type arch='ppc64' machine='pseries'>hvm</type></os>
<devices><emulator>$(command -v qemu-system-ppc64)</emulator>
<hostdev mode='subsystem' type='pci' managed='no'><source>
<address domain='0x0000' bus='0x05' slot='0x00' function='0x0'/></source></hostdev>
<memballoon model='none'/></devices></domain>
XML
	if virsh -q -c $uri define "$work/tce-test-c.xml" >/dev/null 2>"$work/define.err"; then
		defined+=(tce-test-c)
		timeout 60 strace -f -e trace=connect -o "$work/connect.txt" \
			"$tce" -c $uri check-host --check memlock.libvirt,libvirt.vfio --json \
			>"$work/ch.json" 2>"$work/ch.err"
		ro=$(grep -c 'libvirt-sock-ro"' "$work/connect.txt")
		echo "check-host: $ro connection(s) to the read-only socket; $(tr -d '\n' <"$work/ch.json" | head -c 600)"
		[ "$ro" = 1 ] || bad "check-host opened $ro read-only connections, not one"
		"$py" - "$work/ch.json" <<'PY' || bad "check-host libvirt checks: $(cat "$work/ch.err")"
import json, sys
res = {c["id"]: c for c in json.load(open(sys.argv[1]))["checks"]}
m = res["memlock.libvirt"]
assert m["level"] == "WARN" and "tce-test-c (1G" in m["message"], m
assert res["libvirt.vfio"]["level"] in ("PASS", "WARN", "UNKNOWN"), res["libvirt.vfio"]
assert "did not answer" not in res["libvirt.vfio"]["message"], res["libvirt.vfio"]
PY
		virsh -q -c $uri undefine tce-test-c >/dev/null 2>&1
	else
		bad "cannot define tce-test-c: $(cat "$work/define.err")"
	fi
fi

# a QEMU that stops answering: the passthrough gives up at the deadline
n=$((n + 1))
qpid=$(cat /run/libvirt/qemu/tce-test-b.pid 2>/dev/null)
if [ -n "$qpid" ] && kill -STOP "$qpid"; then
	t1=$(date +%s%N)
	got=$(timeout 60 "$tool" -T 1000 -m "$req" $uri | grep 'tce-test-b monitor')
	took=$((($(date +%s%N) - t1) / 1000000))
	kill -CONT "$qpid"
	echo "stopped QEMU: $got after $took ms"
	grep -q "monitor error ETIMEDOUT: no answer from the monitor within 1000 ms" <<<"$got" &&
		[ $took -lt 3000 ] || bad "stopped QEMU: after $took ms: $got"
else
	bad "no pid for tce-test-b's QEMU"
fi

# a destroyed domain is no longer listed: only active domains are
n=$((n + 1))
virsh -q -c $uri destroy tce-test-b >/dev/null 2>&1
got=$(timeout 60 "$tool" -m "$req" $uri | grep -c 'tce-test-b')
[ "$got" = 0 ] || bad "a destroyed domain is still listed"

if [ -n "$libvirtd_pid" ]; then
	for d in "${defined[@]}"; do
		virsh -q -c $uri destroy "$d" >/dev/null 2>&1
		virsh -q -c $uri undefine "$d" >/dev/null 2>&1
	done
	defined=()
	stop_daemons
	n=$((n + 1))
	got=$("$tool" -t $uri 2>"$work/t")
	rc=$?
	took=$(sed -n 's/^listed in \([0-9]*\).*/\1/p' "$work/t")
	echo "libvirtd stopped: $got, $(cat "$work/t")"
	[ $rc = 2 ] && grep -q "not running" <<<"$got" && [ "${took:-999}" -lt 50 ] ||
		bad "libvirtd stopped: exit $rc after ${took:-?} ms: $got"
else
	echo "libvirtd was running before: the not-running case is not tried"
fi
echo "whole run: $(ms) ms"
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
