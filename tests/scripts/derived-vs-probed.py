#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The windows list-groups derives from the device tree must be what the
kernel answers to VFIO_IOMMU_SPAPR_TCE_GET_INFO (--probe), for every group a
recording of a real kernel probed: PowerNV's vfio_dma32 and vfio_ddw (page
sizes, windows, levels), pSeries' default window (dma32) against the 32-bit
window VFIO offers.

Usage: derived-vs-probed.py PROBE_JSON [PROBE_JSON ...]
"""
import json
import sys


def main():
    n, fails = 0, []
    for path in sys.argv[1:]:
        doc = json.load(open(path))
        for g in doc["groups"]:
            if (g.get("probe") or {}).get("status") != "ok":
                continue
            probed = {w["kind"]: w for w in g["windows"] if w["source"] == "vfio"}
            derived = {w["kind"]: w for w in g["windows"] if w["source"] != "vfio"}
            pairs = [("vfio_dma32", "vfio_dma32", ("start", "size")),
                     ("vfio_ddw", "vfio_ddw", ("page_sizes", "max_windows", "levels")),
                     ("dma32", "vfio_dma32", ("start", "size"))]
            compared = 0
            for dk, pk, keys in pairs:
                if dk not in derived:
                    continue
                compared += 1
                for k in keys:
                    n += 1
                    if derived[dk].get(k) != probed.get(pk, {}).get(k):
                        fails.append("%s group %s: derived %s.%s %r, probed %s.%s %r" % (
                            path, g["group"], dk, k, derived[dk].get(k), pk, k,
                            probed.get(pk, {}).get(k)))
            if not compared:
                fails.append("%s group %s: probed, but nothing derived to compare" % (path, g["group"]))
    for f in fails:
        print("FAIL", f)
    print("%d passed, %d failed" % (n - len(fails), len(fails)))
    return 1 if fails or not n else 0


if __name__ == "__main__":
    sys.exit(main())
