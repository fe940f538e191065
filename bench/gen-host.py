#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate a large host tree for benchmarks: GROUPS IOMMU groups of DEVS
functions each, laid out as sysfs does (groups' devices/ links into
/sys/devices, uevent, driver links, numa_node, driver_override), in the
--root format. Not a test fixture: only its size matters.

Usage: gen-host.py OUTDIR [GROUPS [DEVS]]      (default 2000 groups x 4)
"""
import os
import sys


def main():
    out = sys.argv[1]
    groups = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    devs = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    drivers = ["vfio-pci", "ixgbe", "nvme", "mlx5_core"]
    os.makedirs(os.path.join(out, "sys/bus/pci/drivers"), exist_ok=True)
    for d in drivers:
        os.makedirs(os.path.join(out, "sys/bus/pci/drivers", d), exist_ok=True)
    n = 0
    for g in range(groups):
        gdir = os.path.join(out, "sys/kernel/iommu_groups/%d" % g)
        os.makedirs(gdir + "/devices")
        open(gdir + "/type", "w").write("DMA-FQ\n")
        open(gdir + "/reserved_regions", "w").write(
            "0x00000000fee00000 0x00000000feefffff msi\n")
        dom, bus = divmod(g, 256)
        for f in range(devs):
            bdf = "%04x:%02x:00.%d" % (dom, bus, f)
            ddir = os.path.join(out, "sys/devices/pci%04x:00" % dom, bdf)
            os.makedirs(ddir)
            drv = drivers[(g + f) % len(drivers)]
            open(ddir + "/uevent", "w").write(
                "DRIVER=%s\nPCI_CLASS=20000\nPCI_ID=8086:10FB\nPCI_SUBSYS_ID=8086:000C\n"
                "PCI_SLOT_NAME=%s\n" % (drv, bdf))
            open(ddir + "/driver_override", "w").write("(null)\n")
            open(ddir + "/numa_node", "w").write("%d\n" % (g % 2))
            os.symlink("../../../bus/pci/drivers/" + drv, ddir + "/driver")
            os.symlink("../../../../devices/pci%04x:00/%s" % (dom, bdf),
                       gdir + "/devices/" + bdf)
            n += 1
    print("gen-host: %d groups, %d functions in %s" % (groups, n, out))


if __name__ == "__main__":
    sys.exit(main())
