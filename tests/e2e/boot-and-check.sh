#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot a real ppc64el kernel (ppc64el-boot.sh), record it afresh with the
# tool of this tree, and hold the live recording, check-host's answers and
# (where asked) --probe's against the committed recording's facts.json: the
# same semantic facts, whatever package revision the archive serves today.
# CONFIG-deb: CONFIG with the tool of the ppc64el .deb, held to CONFIG's facts;
# and the package's example, listed in the guest, equal to TOOL's listing.
# Usage: boot-and-check.sh CONFIG PYTHON TOOL
set -euo pipefail
cd "$(dirname "$0")/../.."
config=${1:?config} py=${2:?python} tool=${3:?tool}
out=$PWD/build-e2e/live-$config
PYTHON=$py bash tests/e2e/ppc64el-boot.sh "$config" "$out"
if [ "${config%-deb}" != "$config" ]; then
	grep '^TCE-DEB ' "$out/console.txt"
	grep -q '^TCE-DEB /usr/sbin/tceiommu tceiommu [0-9]' "$out/console.txt" ||
		{ echo "FAIL: the package's tool did not run in the guest"; exit 1; }
	grep -q '^TCE-RC deb-example 0$' "$out/console.txt" ||
		{ echo "FAIL: the package's example in the guest: $(cat "$out/deb-example.err")"; exit 1; }
	diff -u <("$tool" --root tests/data/powernv9-6.12 list-groups -r -o GROUP,PE,MODEL,DMA32,DDW,BDF,ID,DRIVER) \
		"$out/deb-example.txt" || { echo "FAIL: the package's example lists otherwise in the guest"; exit 1; }
	echo "the package's tool and example in the guest: as here"
	config=${config%-deb}
fi
[ -f "$out/probe.json" ] && cp "$out/probe.json" "$out/snapshot/probe.json"
grep -q '^TCE-RC record 0$' "$out/console.txt" || { echo "FAIL: record in the guest: $(cat "$out/record.err")"; exit 1; }
grep -q '^TCE-RC list-groups 0$' "$out/console.txt" || { echo "FAIL: list-groups in the guest: $(cat "$out/list-groups.err")"; exit 1; }
# the Landlock sandbox in a real kernel: confined where the kernel runs
# Landlock, unconfined (and saying so) where it does not
sandbox=$(grep 'sandbox:' "$out/list-groups.err" || true)
echo "guest LSMs: $(cat "$out/lsm.txt" 2>/dev/null || echo unknown); tool: ${sandbox:-nothing said}"
if grep -qw landlock "$out/lsm.txt" 2>/dev/null; then
	grep -q 'sandbox: Landlock ABI' <<<"$sandbox" || { echo "FAIL: not confined in a kernel with Landlock"; exit 1; }
elif [ -s "$out/lsm.txt" ]; then
	grep -q 'sandbox: unconfined' <<<"$sandbox" || { echo "FAIL: the tool says it is confined without Landlock"; exit 1; }
fi
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
# as tests/e2e/keep.sh does: a dead QEMU's log where libvirt keeps a domain's
if grep -q '^TCE-L2 no /proc' "$out/console.txt" && [ -f "$out/l2.log" ]; then
	mkdir -p "$out/snapshot/var/log/libvirt/qemu"
	cp "$out/l2.log" "$out/snapshot/var/log/libvirt/qemu/l2.log"
fi
"$py" tests/scripts/check-facts.py "$tool" "$out/snapshot" --facts "tests/data/$config/facts.json"
# top -b as it ran live in the guest host, through perf: per LIOBN the hcalls
# handled in the kernel and sent to QEMU, summed over its intervals
"$py" - "$out" "tests/data/$config/facts.json" <<'PY'
import json, re, sys
out, facts = sys.argv[1], json.load(open(sys.argv[2]))
want = facts.get("top_live")
if not want:
    sys.exit(0)
got = {}
try:
    text = open(out + "/top.txt").read()
except OSError as e:
    print("FAIL live top: %s" % e)
    sys.exit(1)
for m in re.finditer(r"liobn=(0x[0-9a-f]+) .* kernel=(\d+) qemu=(\d+) ", text):
    g = got.setdefault(m.group(1), [0, 0])
    g[0] += int(m.group(2))
    g[1] += int(m.group(3))
bad = []
for liobn, w in want.items():
    k, q = got.get(liobn, [0, 0])
    for name, v, have in (("kernel", w["kernel"], k), ("qemu", w["qemu"], q)):
        if (v == "> 0" and not have > 0) or (isinstance(v, int) and have != v):
            bad.append("%s %s %d, facts say %s" % (liobn, name, have, v))
print("live top: %s" % {l: tuple(v) for l, v in sorted(got.items())})
# QEMU's own trace of the TCE hcalls that reached it, per LIOBN and hcall,
# against top's count of those it saw go to QEMU
if facts.get("qemu_trace_equals_top"):
    top_q, qemu = {}, {}
    for m in re.finditer(r"liobn=(0x[0-9a-f]+) .* put=\d+/(\d+) indirect=\d+/(\d+) stuff=\d+/(\d+) ", text):
        for h, n in zip(("put", "indirect", "stuff"), m.groups()[1:]):
            top_q[(m.group(1), h)] = top_q.get((m.group(1), h), 0) + int(n)
    try:
        for line in open(out + "/trace/qemu-counts.txt"):
            m = re.match(r"TCE-QEMUTRACE liobn=(0x[0-9a-f]+) hcall=(\w+) count=(\d+)", line)
            if m:
                qemu[(m.group(1), m.group(2))] = int(m.group(3))
    except OSError as e:
        bad.append("no QEMU trace counts: %s" % e)
    top_q = {k: v for k, v in top_q.items() if v}
    print("QEMU's trace: %s" % sorted(qemu.items()))
    if top_q != qemu:
        bad.append("top's hcalls to QEMU %s, QEMU's own trace %s" % (sorted(top_q.items()), sorted(qemu.items())))
for b in bad:
    print("FAIL live top:", b)
sys.exit(1 if bad else 0)
PY
if [ -f "$out/probe.json" ] && grep -q '"status": "ok"' "$out/probe.json"; then
	"$py" tests/scripts/derived-vs-probed.py "$out/probe.json"
fi
