#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-host on the machine running the suite, with its real /dev/kvm: the
# capability ioctls run for real (x86 answers 0 for the sPAPR ones: SKIP with
# that answer as evidence), an unprivileged run says "needs root", the exit
# status follows the levels, and no run loads a module. Skipped (exit 77),
# not passed, without /dev/kvm.
set -u
tool=$1 py=$2
[ -e /dev/kvm ] || { echo "SKIP: no /dev/kvm on this machine"; exit 77; }
n=0 fails=0
ok() { n=$((n + 1)); }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "FAIL: $*"; }
modstate() { ls /sys/module; cat /proc/modules 2>/dev/null | cut -d' ' -f1; }

before=$(modstate)
json=$("$tool" check-host --json)
rc=$?
after=$(modstate)
[ "$before" = "$after" ] && ok || bad "modules changed: $(diff <(echo "$before") <(echo "$after"))"

RC=$rc ARCH=$(uname -m) ROOT=$(id -u) "$py" - "$json" <<'PY' || bad "root run"
import json, os, sys
d = json.loads(sys.argv[1]); c = {x["id"]: x for x in d["checks"]}
lv = [x["level"] for x in d["checks"]]
want = 2 if "FAIL" in lv else 1 if "WARN" in lv else 3 if "UNKNOWN" in lv else 0
assert int(os.environ["RC"]) == want == d["summary"]["exit_status"], (os.environ["RC"], want)
dev = c["kvm.device"]
if os.environ["ROOT"] == "0" and not dev["level"] == "PASS":
    # a module-less kernel with /dev/kvm but no KVM would be odd; say what it is
    assert dev["level"] in ("WARN", "FAIL"), dev
if dev["level"] == "PASS" and not os.environ["ARCH"].startswith("ppc"):
    for cap in ("spapr_tce", "spapr_tce_64", "spapr_multitce", "spapr_tce_vfio", "ppc_enable_hcall"):
        r = c["kvm.cap." + cap]
        assert r["level"] == "SKIP", r
        ev = [e for e in r["evidence"] if e["source"].startswith("KVM_CHECK_EXTENSION")]
        assert ev and ev[0]["value"] == "0", r   # asked for real, x86 answers 0
    assert c["kvm.cap.device_ctrl"]["level"] == "PASS", c["kvm.cap.device_ctrl"]
print("root: kvm.device %s, exit %s" % (dev["level"], os.environ["RC"]))
PY
ok

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	json=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" check-host --json)
	rc=$?
	RC=$rc "$py" - "$json" <<'PY' || bad "nobody run"
import json, os, sys
d = json.loads(sys.argv[1]); c = {x["id"]: x for x in d["checks"]}
lv = [x["level"] for x in d["checks"]]
want = 2 if "FAIL" in lv else 1 if "WARN" in lv else 3 if "UNKNOWN" in lv else 0
assert int(os.environ["RC"]) == want, (os.environ["RC"], want)
dev = c["kvm.device"]
if os.access("/dev/kvm", os.R_OK | os.W_OK):
    print("nobody can open /dev/kvm here; nothing to assert")
elif dev["level"] != "WARN" and dev["level"] != "FAIL":
    assert dev["level"] == "UNKNOWN" and "needs root" in dev["message"], dev
    assert c["kvm.cap.device_ctrl"]["level"] == "UNKNOWN", c["kvm.cap.device_ctrl"]
print("nobody: kvm.device %s (%s), exit %s" % (dev["level"], dev["message"], os.environ["RC"]))
PY
	ok
fi
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
