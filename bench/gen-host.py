#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate a large PowerNV host for benchmarks, in the --root format:
GROUPS IOMMU groups (PEs) of DEVS functions each, every function with its
own PCI address, laid out as a POWER9 host's sysfs and device tree are
(FACTS.md §2.3, §3; the real recording tests/data/powernv9-6.12 shows the
same files):

- PHBs (one PCI domain each, 128 PEs a PHB) in /sys/firmware/devicetree/base
  as pciex@... with ibm,opal-phbid, compatible (ibm,power9-pciex,
  ibm,ioda3-phb), ranges, ibm,supported-tce-sizes, #address-cells and
  #size-cells, so every default column of list-groups is computed;
- per PHB a root port 00:00.0, a switch upstream port 01:00.0 and one
  downstream port on bus 2 per PE; the PE's functions on its own bus below
  it. Bridges are in no group (pnv_pci_ioda_dma_dev_setup);
- per function: uevent, config (64 bytes, so lspci reads it), vendor,
  device, class, resource, irq, numa_node, driver_override, eeh_* files,
  of_node and driver links; /sys/bus/pci/devices links for lspci;
- groups named domainD-peP, /dev/vfio/N for groups on vfio-pci.

Not a test fixture: only its size and shape matter.

Usage: gen-host.py OUTDIR [GROUPS [DEVS]]      (default 4096 groups x 4)
"""
import os
import struct
import sys

PES_PER_PHB = 128
DRIVERS = [  # (driver, vendor, device, class): one per group, in turn
    ("vfio-pci", 0x8086, 0x10FB, 0x020000),
    ("ixgbe", 0x8086, 0x10FB, 0x020000),
    ("mlx5_core", 0x15B3, 0x1019, 0x020000),
    ("nvme", 0x144D, 0xA808, 0x010802),
]
# What the hwdb answered, as `record` keeps it (.tceiommu/probes): the
# PRODUCT column is filled as on a recorded host.
NAMES = {
    (0x8086, 0x10FB): ("Intel Corporation", "82599ES 10-Gigabit SFI/SFP+ Network Connection"),
    (0x15B3, 0x1019): ("Mellanox Technologies", "MT28800 Family [ConnectX-5 Ex]"),
    (0x144D, 0xA808): ("Samsung Electronics Co Ltd", "NVMe SSD Controller SM981/PM981/PM983"),
    (0x1014, 0x04C1): ("IBM", "POWER9 Host Bridge (PHB4)"),
    (0x10B5, 0x8725): ("PLX Technology, Inc.", "PEX 8725 24-Lane, 10-Port PCI Express Gen 3 (8.0 GT/s) Multi-Root Switch with DMA"),
}


def w(path, data, mode="w"):
    with open(path, mode) as f:
        f.write(data)


def config(vendor, device, cls, header):
    c = bytearray(64)
    struct.pack_into("<HH", c, 0, vendor, device)
    c[0x08] = 1  # revision
    struct.pack_into("<I", c, 0x08, (cls << 8) | 1)
    c[0x0E] = header
    return bytes(c)


def function(out, ddir, bdf, drv, vendor, device, cls, header, numa, pe, node):
    os.makedirs(ddir)
    uevent = ("" if drv is None else "DRIVER=%s\n" % drv) + (
        "OF_NAME=%s\nOF_FULLNAME=%s\nOF_COMPATIBLE_N=0\n"
        "PCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:0000\n"
        "PCI_SLOT_NAME=%s\nMODALIAS=pci:v%08Xd%08Xsv%08Xsd00000000bc%02Xsc%02Xi%02X\n"
        % (node.rsplit("/", 1)[1].split("@")[0], node, cls, vendor, device, vendor,
           bdf, vendor, device, vendor, cls >> 16, (cls >> 8) & 0xFF, cls & 0xFF))
    w(ddir + "/uevent", uevent)
    w(ddir + "/config", config(vendor, device, cls, header), "wb")
    w(ddir + "/vendor", "0x%04x\n" % vendor)
    w(ddir + "/device", "0x%04x\n" % device)
    w(ddir + "/class", "0x%06x\n" % cls)
    w(ddir + "/resource", "0x0000000000000000 0x0000000000000000 0x0000000000000000\n" * 13)
    w(ddir + "/irq", "0\n")
    w(ddir + "/numa_node", "%d\n" % numa)
    w(ddir + "/driver_override", "(null)\n")
    w(ddir + "/eeh_mode", "0x200\n")
    w(ddir + "/eeh_pe_config_addr", "0x%x\n" % pe)
    w(ddir + "/eeh_pe_state", "0x00000078 0x%08x\n" % pe)
    os.symlink(os.path.relpath(out + "/sys/firmware/devicetree/base" + node, ddir),
               ddir + "/of_node")
    if drv:
        os.symlink(os.path.relpath(out + "/sys/bus/pci/drivers/" + drv, ddir), ddir + "/driver")
    os.symlink(os.path.relpath(ddir, out + "/sys/bus/pci/devices"),
               out + "/sys/bus/pci/devices/" + bdf)


def phb(out, dom, node):
    os.makedirs(node)
    w(node + "/ibm,opal-phbid", struct.pack(">Q", dom), "wb")
    w(node + "/compatible", b"ibm,power9-pciex\0ibm,ioda3-phb\0", "wb")
    # the 32-bit MMIO range at PCI address 0x80000000, 2 GiB (as recorded)
    w(node + "/ranges", struct.pack(">IQQQ", 0x02000000, 0x80000000,
                                    0x600C000000000 + (dom << 32), 0x7FFF0000)[:28], "wb")
    w(node + "/ibm,supported-tce-sizes", struct.pack(">4I", 12, 16, 21, 30), "wb")
    w(node + "/#address-cells", struct.pack(">I", 3), "wb")
    w(node + "/#size-cells", struct.pack(">I", 2), "wb")


def main():
    out = sys.argv[1]
    groups = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
    devs = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    if devs > 8:
        sys.exit("gen-host: at most 8 functions a group")
    dt = out + "/sys/firmware/devicetree/base"
    os.makedirs(dt)
    os.makedirs(out + "/proc")
    w(dt + "/#address-cells", struct.pack(">I", 2), "wb")
    w(dt + "/#size-cells", struct.pack(">I", 2), "wb")
    w(dt + "/compatible", b"ibm,powernv\0qemu,powernv9\0", "wb")
    os.makedirs(dt + "/ibm,opal")
    os.symlink("/sys/firmware/devicetree/base", out + "/proc/device-tree")
    w(out + "/sys/firmware/devicetree/base/model", b"IBM PowerNV (emulated by qemu)\0", "wb")
    for d, _, _, _ in DRIVERS:
        os.makedirs(out + "/sys/bus/pci/drivers/" + d)
    os.makedirs(out + "/sys/bus/pci/drivers/pcieport")
    os.makedirs(out + "/sys/bus/pci/devices")
    os.makedirs(out + "/sys/kernel/iommu_groups")
    os.makedirs(out + "/dev/vfio")
    w(out + "/dev/vfio/vfio", "")
    w(out + "/proc/cpuinfo", "processor\t: 0\ncpu\t\t: POWER9 (architected), altivec supported\n"
      "\nplatform\t: PowerNV\nmodel\t\t: IBM PowerNV (emulated by qemu)\n"
      "machine\t\t: PowerNV IBM PowerNV (emulated by qemu)\nfirmware\t: OPAL\n")
    os.makedirs(out + "/.tceiommu")
    w(out + "/.tceiommu/manifest", "tceiommu-snapshot 1\nsource gen-host.py\n"
      "kernel_release 6.12.0-generated\nmachine ppc64le\npage_size 65536\neuid 0\n")
    with open(out + "/.tceiommu/probes", "w") as f:
        for (ven, dev), (vn, dn) in sorted(NAMES.items()):
            key = "pci:v%08Xd%08X" % (ven, dev)
            f.write("hwdb\t%s\t=ID_VENDOR_FROM_DATABASE=%s\n" % (key, vn))
            f.write("hwdb\t%s\t=ID_MODEL_FROM_DATABASE=%s\n" % (key, dn))
    n = 0
    for g in range(groups):
        dom, i = divmod(g, PES_PER_PHB)
        phbnode = "/pciex@600c3c%07x" % (dom << 20)
        sysphb = out + "/sys/devices/pci%04x:00" % dom
        rp = "%04x:00:00.0" % dom
        up = "%04x:01:00.0" % dom
        if i == 0:
            phb(out, dom, dt + phbnode)
            os.makedirs(dt + phbnode + "/pci@0/pci@0")
            function(out, sysphb + "/" + rp, rp, "pcieport", 0x1014, 0x04C1, 0x060400, 1,
                     dom % 2, 0, phbnode + "/pci@0")
            function(out, sysphb + "/%s/%s" % (rp, up), up, "pcieport", 0x10B5, 0x8725,
                     0x060400, 1, dom % 2, 0, phbnode + "/pci@0/pci@0")
        dn = "%04x:02:%02x.%x" % (dom, i // 8, i % 8)
        dnode = phbnode + "/pci@0/pci@0/pci@%x,%x" % (i // 8, i % 8)
        os.makedirs(dt + dnode)
        ddir = sysphb + "/%s/%s/%s" % (rp, up, dn)
        function(out, ddir, dn, "pcieport", 0x10B5, 0x8725, 0x060400, 1, dom % 2, 0, dnode)
        pe = 0x100 + i
        drv, ven, dev, cls = DRIVERS[g % len(DRIVERS)]
        gdir = out + "/sys/kernel/iommu_groups/%d" % g
        os.makedirs(gdir + "/devices")
        w(gdir + "/name", "domain%d-pe%x\n" % (dom, pe))
        w(gdir + "/type", "DMA\n")
        w(gdir + "/reserved_regions", "")
        if drv == "vfio-pci":
            w(out + "/dev/vfio/%d" % g, "")
        for f in range(devs):
            bdf = "%04x:%02x:00.%d" % (dom, 3 + i, f)
            node = dnode + "/ethernet@0" + (",%x" % f if f else "")
            os.makedirs(dt + node)
            fdir = ddir + "/" + bdf
            function(out, fdir, bdf, drv, ven, dev, cls, 0x80 if devs > 1 else 0, dom % 2, pe,
                     node)
            os.symlink(os.path.relpath(fdir, gdir + "/devices"), gdir + "/devices/" + bdf)
            n += 1
    print("gen-host: %d groups, %d functions (and %d bridges) in %s"
          % (groups, n, groups + 2 * ((groups + PES_PER_PHB - 1) // PES_PER_PHB), out))


if __name__ == "__main__":
    sys.exit(main())
