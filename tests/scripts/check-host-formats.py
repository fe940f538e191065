#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check-host's machine formats on every snapshot, read by real parsers:
the Prometheus text exposition format by prometheus_client's parser, the
Nagios plugin-API line by its grammar, JSON by json. Each must agree with
the exit status.

Usage: check-host-formats.py TCEIOMMU DATA_DIR
"""
import json
import os
import re
import subprocess
import sys

from prometheus_client.parser import text_string_to_metric_families

NAGIOS = re.compile(r"^TCEIOMMU (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+ \| "
                    r"((?:[a-z]+=\d+;;;0 ?)+)$")
STATUS = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}
PROM_VALUE = {"PASS": 0, "WARN": 1, "FAIL": 2, "UNKNOWN": 3}


def run(tool, snap, *args):
    p = subprocess.run([tool, "--root", snap, "check-host", *args],
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout


def main():
    tool, data = sys.argv[1], sys.argv[2]
    fails, n = [], 0
    for snap in sorted(os.listdir(data)):
        root = os.path.join(data, snap)
        if not os.path.isdir(root):
            continue
        rc, out = run(tool, root, "--json")
        doc = json.loads(out)
        levels = {c["id"]: c["level"] for c in doc["checks"]}
        n += 1
        for key in ("schema_version", "checks", "summary"):
            if key not in doc:
                fails.append("%s: JSON has no %s" % (snap, key))
        if doc["summary"]["exit_status"] != rc:
            fails.append("%s: JSON exit_status %s, exit %d" % (snap, doc["summary"]["exit_status"], rc))
        want_rc = 2 if "FAIL" in levels.values() else 1 if "WARN" in levels.values() \
            else 3 if "UNKNOWN" in levels.values() else 0
        n += 1
        if rc != want_rc:
            fails.append("%s: exit %d, the levels say %d" % (snap, rc, want_rc))

        rc2, out = run(tool, root, "--format=prometheus")
        n += 1
        seen = {}
        try:
            for fam in text_string_to_metric_families(out):
                for s in fam.samples:
                    if s.name == "tceiommu_check_status":
                        seen[s.labels["check"]] = s.value
                    elif s.name != "tceiommu_last_run_timestamp_seconds":
                        fails.append("%s: unexpected metric %s" % (snap, s.name))
        except ValueError as e:
            fails.append("%s: Prometheus parser: %s" % (snap, e))
        want = {k: PROM_VALUE[v] for k, v in levels.items() if v in PROM_VALUE}
        if seen != want:
            fails.append("%s: Prometheus %s, levels %s" % (snap, seen, want))
        if rc2 != rc:
            fails.append("%s: prometheus exit %d, json exit %d" % (snap, rc2, rc))

        rc3, out = run(tool, root, "--format=nagios")
        n += 1
        first = out.split("\n")[0]
        m = NAGIOS.match(first)
        if not m:
            fails.append("%s: Nagios line %r" % (snap, first))
        elif STATUS[m.group(1)] != rc3 or rc3 != rc:
            fails.append("%s: Nagios %s, exit %d" % (snap, m.group(1), rc3))
        problems = [l for l in out.split("\n")[1:] if l]
        if len(problems) != sum(1 for v in levels.values() if v in ("WARN", "FAIL", "UNKNOWN")):
            fails.append("%s: %d Nagios detail lines" % (snap, len(problems)))
    for f in fails:
        print("FAIL", f)
    print("%d passed, %d failed" % (n - len(fails), len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
