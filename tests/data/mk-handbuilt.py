#!/usr/bin/env python3
"""Build the hand-made tceiommu snapshot trees.

Usage: mk-handbuilt.py [OUTDIR]      (default: the folder of this script)

Every snapshot is a fake host root: sys/..., proc/..., dev/vfio/N and a
.tceiommu/ directory with the manifest and the recorded probe answers.
The layouts follow the kernel, skiboot and QEMU sources named in each
snapshot's README.md.  facts.json and README.md are written by hand and are
not touched here.

Mode-000 files (edge-unreadable) cannot be stored by git, so that tree is
only complete after running this script; everything else is plain files and
symlinks.
"""

import os
import shutil
import stat
import struct
import sys

# ---------------------------------------------------------------- helpers


def esc(value):
    """Percent-escape a probe value: %, TAB, newline, bytes < 0x20, 0x7f.
    Returns bytes (other bytes, UTF-8 included, are kept as they are)."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    out = bytearray()
    for b in value:
        if b == 0x25 or b < 0x20 or b == 0x7F:
            out += b"%%%02X" % b
        else:
            out.append(b)
    return bytes(out)


def cells(*vals):
    return b"".join(struct.pack(">I", v & 0xFFFFFFFF) for v in vals)


def u64s(*vals):
    return b"".join(struct.pack(">Q", v) for v in vals)


def strs(*vals):
    return b"".join(v.encode() + b"\0" for v in vals)


class Tree:
    """A snapshot root being built."""

    def __init__(self, root):
        self.root = root
        keep = ("README.md", "facts.json")   # hand-written, never rebuilt
        if os.path.lexists(root):
            # make mode-000 leftovers removable when not root
            for dirpath, dirnames, filenames in os.walk(root):
                for n in dirnames + filenames:
                    q = os.path.join(dirpath, n)
                    if not os.path.islink(q):
                        try:
                            os.chmod(q, 0o755 if os.path.isdir(q) else 0o644)
                        except OSError:
                            pass
            for n in os.listdir(root):
                if n in keep:
                    continue
                q = os.path.join(root, n)
                if os.path.isdir(q) and not os.path.islink(q):
                    shutil.rmtree(q)
                else:
                    os.unlink(q)
        os.makedirs(root, exist_ok=True)
        self.probes = []
        self.manifest = {}
        self.pci_root = {}  # domain -> sys/devices/pciDDDD:00 path

    # -- raw file system ops, paths are relative to the snapshot root
    def p(self, rel):
        return os.path.join(self.root, rel)

    def mkdir(self, rel):
        os.makedirs(self.p(rel), exist_ok=True)

    def write(self, rel, data, mode=None):
        if isinstance(data, str):
            data = data.encode("utf-8")
        os.makedirs(os.path.dirname(self.p(rel)), exist_ok=True)
        with open(self.p(rel), "wb") as f:
            f.write(data)
        if mode is not None:
            os.chmod(self.p(rel), mode)

    def symlink(self, rel, target):
        """target: absolute host path ('/...') kept as is, or a path
        relative to the snapshot root ('sys/...') turned into a relative
        link the way sysfs makes them."""
        os.makedirs(os.path.dirname(self.p(rel)), exist_ok=True)
        if not target.startswith("/") and not target.startswith(".."):
            target = os.path.relpath(target, os.path.dirname(rel))
        os.symlink(target, self.p(rel))

    def rawlink(self, rel, target):
        os.makedirs(os.path.dirname(self.p(rel)), exist_ok=True)
        os.symlink(target, self.p(rel))

    # -- .tceiommu
    def set_manifest(self, kernel, machine, page_size, euid=0):
        self.manifest = dict(kernel_release=kernel, machine=machine,
                             page_size=page_size, euid=euid)

    def probe(self, kind, key, answer):
        """answer: str/bytes -> '=VALUE'; None -> '-'; '!ERR' -> as is."""
        if answer is None:
            a = "-"
        elif isinstance(answer, str) and answer.startswith("!"):
            a = answer
        else:
            a = b"=" + esc(answer)
        if isinstance(a, str):
            a = a.encode()
        self.probes.append(b"%s\t%s\t%s" % (kind.encode(), key.encode(), a))

    def hwdb(self, vendor, device, vname, dname):
        key = "pci:v%08Xd%08X" % (vendor, device)
        if any(l.startswith(b"hwdb\t%s\t" % key.encode())
               for l in self.probes):
            return
        if vname is not None:
            self.probe("hwdb", key, "ID_VENDOR_FROM_DATABASE=" + vname)
        if dname is not None:
            self.probe("hwdb", key, "ID_MODEL_FROM_DATABASE=" + dname)

    def finish(self):
        m = ["tceiommu-snapshot 1", "source hand-built", "tool tceiommu"]
        for k in ("kernel_release", "machine", "page_size", "euid"):
            m.append("%s %s" % (k, self.manifest[k]))
        # git keeps no empty directory: the manifest remembers them, and the
        # tool lists a missing directory recorded as "dir" as empty.
        for dirpath, dirnames, filenames in sorted(os.walk(self.root)):
            if not dirnames and not filenames and dirpath != self.root:
                rel = os.path.relpath(dirpath, self.root)
                m.append("path dir /" + esc(rel.encode()).decode())
        self.write(".tceiommu/manifest", "\n".join(m) + "\n")
        self.write(".tceiommu/probes",
                   b"".join(l + b"\n" for l in self.probes))

    # -- device tree
    DT = "sys/firmware/devicetree/base"

    def dt_root(self, compatible, model, extra=None):
        self.rawlink("proc/device-tree", "/sys/firmware/devicetree/base")
        self.dt_prop("", "compatible", strs(*compatible))
        self.dt_prop("", "model", strs(model))
        self.dt_prop("", "#address-cells", cells(2))
        self.dt_prop("", "#size-cells", cells(2))
        self.dt_prop("", "name", b"\0")
        for k, v in (extra or {}).items():
            self.dt_prop("", k, v)

    def dt_node(self, path, props=None):
        """path: 'pciex@600c3c0000000/pci@0'; writes the 'name' property."""
        self.mkdir(os.path.join(self.DT, path))
        base = path.rsplit("/", 1)[-1].split("@", 1)[0]
        self.dt_prop(path, "name", strs(base))
        for k, v in (props or {}).items():
            self.dt_prop(path, k, v)

    def dt_prop(self, path, name, value):
        self.write(os.path.join(self.DT, path, name), value)

    # -- sysfs
    def pci_host(self, domain):
        d = "sys/devices/pci%04x:00" % domain
        if domain not in self.pci_root:
            self.mkdir(d)
            self.pci_root[domain] = d
        return d

    def pci_bus_of_node(self, domain, phb_node):
        """The root bus device of a PHB carries an of_node link to the PHB
        node like every device with a node (drivers/base/core.c
        device_add_class_symlinks; drivers/pci/of.c pci_set_bus_of_node ->
        pcibios_get_phb_of_node), and /sys/class/pci_bus links to it."""
        bus = "%04x:00" % domain
        d = self.pci_host(domain) + "/pci_bus/" + bus
        self.mkdir(d)
        self.symlink(d + "/of_node", os.path.join(self.DT, phb_node))
        self.symlink("sys/class/pci_bus/" + bus, d)

    def group(self, num, name=None, gtype="unknown", resv=""):
        g = "sys/kernel/iommu_groups/%d" % num
        self.mkdir(g + "/devices")
        if name is not None:
            self.write(g + "/name", name + "\n")
        self.write(g + "/type", gtype + "\n")
        self.write(g + "/reserved_regions", resv)
        return g

    def vfio_node(self, num, holders):
        """holders: list of (pid, comm); [] -> '-'; '!ERR' string."""
        self.write("dev/vfio/%d" % num, b"")
        if isinstance(holders, str):
            self.probe("vfio-holders", str(num), holders)
        elif not holders:
            self.probe("vfio-holders", str(num), None)
        else:
            for pid, comm in holders:
                self.probe("vfio-holders", str(num), "%d %s" % (pid, comm))

    def pci_dev(self, parent, bdf, ven, dev, sven, sdev, cls, names,
                driver=None, override=None, numa=-1, of=None, group=None,
                eeh=None, sriov=None, physfn=None):
        """parent: sysfs dir of the parent (host bridge or bridge device).
        names: (vendor name, device name) for hwdb, or None.
        of: (dt path, device_type or None, [compatible...]) or None.
        eeh: (mode, pe_config_addr, (state, pe_state)) or None.
        sriov: dict(total=, num=, offset=, stride=, vf_device=) or None."""
        d = parent + "/" + bdf
        self.mkdir(d)
        ue = []
        if driver:
            ue.append("DRIVER=" + driver)
        if of:
            path, dtype, compat = of
            full = "/" + path
            ue.append("OF_NAME=" + path.rsplit("/", 1)[-1].split("@")[0])
            ue.append("OF_FULLNAME=" + full)
            if dtype:
                ue.append("OF_TYPE=" + dtype)
            for i, c in enumerate(compat):
                ue.append("OF_COMPATIBLE_%d=%s" % (i, c))
            ue.append("OF_COMPATIBLE_N=%d" % len(compat))
        ue.append("PCI_CLASS=%04X" % cls)
        ue.append("PCI_ID=%04X:%04X" % (ven, dev))
        ue.append("PCI_SUBSYS_ID=%04X:%04X" % (sven, sdev))
        ue.append("PCI_SLOT_NAME=" + bdf)
        ue.append("MODALIAS=pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X" % (
            ven, dev, sven, sdev, (cls >> 16) & 0xFF, (cls >> 8) & 0xFF,
            cls & 0xFF))
        self.write(d + "/uevent", "\n".join(ue) + "\n")
        self.write(d + "/vendor", "0x%04x\n" % ven)
        self.write(d + "/device", "0x%04x\n" % dev)
        self.write(d + "/class", "0x%06x\n" % cls)
        self.write(d + "/driver_override",
                   (override if override is not None else "(null)") + "\n")
        self.write(d + "/numa_node", "%d\n" % numa)
        self.symlink("sys/bus/pci/devices/" + bdf, d)
        if driver:
            drv = "sys/bus/pci/drivers/" + driver
            self.mkdir(drv)
            self.symlink(d + "/driver", drv)
            self.symlink(drv + "/" + bdf, d)
        if of:
            self.symlink(d + "/of_node", self.DT + "/" + of[0])
        if group is not None:
            g = "sys/kernel/iommu_groups/%d" % group
            self.symlink(d + "/iommu_group", g)
            self.symlink(g + "/devices/" + bdf, d)
        if eeh:
            mode, pe, (st, pest) = eeh
            self.write(d + "/eeh_mode", "0x%x\n" % mode)
            self.write(d + "/eeh_pe_config_addr", "0x%x\n" % pe)
            self.write(d + "/eeh_pe_state", "0x%08x 0x%08x\n" % (st, pest))
        if sriov:
            self.write(d + "/sriov_totalvfs", "%u\n" % sriov["total"])
            self.write(d + "/sriov_numvfs", "%u\n" % sriov["num"])
        if physfn:
            self.symlink(d + "/physfn", parent + "/" + physfn)
            self.symlink(parent + "/" + physfn + "/virtfn%d" % physfn_index(
                self, parent + "/" + physfn), d)
        if names:
            self.hwdb(ven, dev, names[0], names[1])
        return d


def physfn_index(tree, pfdir):
    n = 0
    while os.path.lexists(tree.p(pfdir + "/virtfn%d" % n)):
        n += 1
    return n


# EEH constants (arch/powerpc/include/asm/eeh.h)
EEH_DEV_BRIDGE, EEH_DEV_ROOT_PORT, EEH_DEV_DS_PORT = 0x1, 0x2, 0x4
EEH_DEV_SYSFS = 0x200
EEH_STATE_OK = 0x08 | 0x10 | 0x20 | 0x40   # MMIO/DMA active + enabled = 0x78
EEH_OK = (EEH_STATE_OK, 0x0)
EP = EEH_DEV_SYSFS
RP = EEH_DEV_SYSFS | EEH_DEV_BRIDGE | EEH_DEV_ROOT_PORT
US = EEH_DEV_SYSFS | EEH_DEV_BRIDGE
DS = EEH_DEV_SYSFS | EEH_DEV_BRIDGE | EEH_DEV_DS_PORT

# pci.ids names used below (pci.ids 2023.04.11)
N_IBM_P9RP = ("IBM", "POWER9 Host Bridge (PHB4)")
N_82599 = ("Intel Corporation",
           "82599ES 10-Gigabit SFI/SFP+ Network Connection")
N_PEX8747 = ("PLX Technology, Inc.",
             "PEX 8747 48-Lane, 5-Port PCI Express Gen 3 (8.0 GT/s) Switch")
N_PM983 = ("Samsung Electronics Co Ltd",
           "NVMe SSD Controller SM981/PM981/PM983")
N_P4510 = ("Intel Corporation",
           "NVMe Datacenter SSD [3DNAND, Beta Rock Controller]")
N_CX6DX = ("Mellanox Technologies", "MT2892 Family [ConnectX-6 Dx]")
N_CXVF = ("Mellanox Technologies",
          "ConnectX Family mlx5Gen Virtual Function")
N_CX5 = ("Mellanox Technologies", "MT27800 Family [ConnectX-5]")
N_X710 = ("Intel Corporation", "Ethernet Controller X710 for 10GbE SFP+")
N_PEX8725 = ("PLX Technology, Inc.",
             "PEX 8725 24-Lane, 10-Port PCI Express Gen 3 (8.0 GT/s) "
             "Multi-Root Switch with DMA")
N_E1000 = ("Intel Corporation", "82540EM Gigabit Ethernet Controller")
N_VNET = ("Red Hat, Inc.", "Virtio network device")
N_VBLK = ("Red Hat, Inc.", "Virtio block device")
N_HOSTBR = ("Intel Corporation",
            "8th Gen Core Processor Host Bridge/DRAM Registers")
N_PEG = ("Intel Corporation",
         "6th-10th Gen Core Processor PCIe Controller (x16)")
N_TU104 = ("NVIDIA Corporation", "TU104 [GeForce RTX 2080 Rev. A]")
N_TU104A = ("NVIDIA Corporation", "TU104 HD Audio Controller")
N_I350 = ("Intel Corporation", "I350 Gigabit Network Connection")
N_XHCI = ("Intel Corporation",
          "Cannon Lake PCH USB 3.1 xHCI Host Controller")
N_82574 = ("Intel Corporation", "82574L Gigabit Network Connection")

POWER9_TCE = cells(12, 16, 21, 30)   # skiboot hw/phb4.c phb4_add_properties


def phb4_node(t, unit, phbid, index, chip, m32_cpu, m32_pci=0x80000000,
              m32_size=0x80000000 - 0x10000, num_pes=512, loc=None):
    """A PHB4 node as skiboot hw/phb4.c + core/pci.c write it."""
    path = "pciex@%x" % unit
    props = {
        "compatible": strs("ibm,power9-pciex", "ibm,ioda3-phb"),
        "device_type": strs("pciex"),
        "ibm,phb-index": cells(index),
        "ibm,chip-id": cells(chip),
        "ibm,opal-phbid": cells(0, phbid),
        "#address-cells": cells(3),
        "#size-cells": cells(2),
        "ranges": cells(0x02000000, 0x0, m32_pci,
                        m32_cpu >> 32, m32_cpu & 0xFFFFFFFF,
                        0, m32_size),
        "ibm,opal-num-pes": cells(num_pes),
        "ibm,opal-reserved-pe": cells(num_pes - 1),
        "ibm,supported-tce-sizes": POWER9_TCE,
    }
    if loc:
        props["ibm,loc-code"] = strs(loc)
    t.dt_node(path, props)
    return path


def skiboot_dev_node(t, path, ven, dev, cls, loc=None, bridge=False):
    """A PCI device node as skiboot core/pci.c pci_add_one_device_node()."""
    props = {
        "compatible": strs("pciex%x,%x" % (ven, dev)),
        "class-code": cells(cls),
        "vendor-id": cells(ven),
        "device-id": cells(dev),
    }
    if bridge:
        props["device_type"] = strs("pciex")
    if loc:
        props["ibm,loc-code"] = strs(loc)
    t.dt_node(path, props)
    return (path, "pciex" if bridge else None, ["pciex%x,%x" % (ven, dev)])


# ---------------------------------------------------------------- powernv9


def build_powernv9(out):
    t = Tree(os.path.join(out, "powernv9"))
    t.set_manifest("6.12.38+deb12-powerpc64le", "ppc64le", 4096)
    t.dt_root(["ibm,witherspoon", "ibm,powernv"], "8335-GTH")
    t.dt_node("ibm,opal", {
        "compatible": strs("ibm,opal-v3", "ibm,opal-v2"),
    })

    # PHB0, chip 0: domain 0.  82599 dual port in one PE (bus PE of bus 1).
    a = phb4_node(t, 0x600c3c0000000, 0, 0, 0, 0x000600c000000000,
                  loc="UOPWR.A100029-Node0-Slot0")
    rp = skiboot_dev_node(t, a + "/pci@0", 0x1014, 0x04C1, 0x060400,
                          bridge=True, loc="UOPWR.A100029-Node0-Slot0")
    e0 = skiboot_dev_node(t, a + "/pci@0/ethernet@0", 0x8086, 0x10FB,
                          0x020000, loc="UOPWR.A100029-Node0-Slot0")
    e1 = skiboot_dev_node(t, a + "/pci@0/ethernet@0,1", 0x8086, 0x10FB,
                          0x020000, loc="UOPWR.A100029-Node0-Slot0")
    h = t.pci_host(0)
    rpd = t.pci_dev(h, "0000:00:00.0", 0x1014, 0x04C1, 0x1014, 0x04C1,
                    0x060400, N_IBM_P9RP, numa=0, of=rp,
                    eeh=(RP, 0x1FE, EEH_OK))
    t.group(0, "domain0-pe1fd")
    t.pci_dev(rpd, "0000:01:00.0", 0x8086, 0x10FB, 0x8086, 0x000C,
              0x020000, N_82599, driver="vfio-pci", override="vfio-pci",
              numa=0, of=e0, group=0, eeh=(EP, 0x1FD, EEH_OK))
    t.pci_dev(rpd, "0000:01:00.1", 0x8086, 0x10FB, 0x8086, 0x000C,
              0x020000, N_82599, driver="ixgbe", numa=0, of=e1, group=0,
              eeh=(EP, 0x1FD, EEH_OK))
    t.vfio_node(0, [])

    # PHB1, chip 0: domain 1.  Root port, PLX switch (ports in no group:
    # bridge-only PEs never get DMA set up), two NVMe behind it.
    b = phb4_node(t, 0x600c3c0100000, 1, 1, 0, 0x000600c080000000,
                  loc="UOPWR.A100029-Node0-Slot1")
    rp = skiboot_dev_node(t, b + "/pci@0", 0x1014, 0x04C1, 0x060400,
                          bridge=True, loc="UOPWR.A100029-Node0-Slot1")
    us = skiboot_dev_node(t, b + "/pci@0/pci@0", 0x10B5, 0x8747, 0x060400,
                          bridge=True, loc="UOPWR.A100029-Node0-Slot1")
    d8 = skiboot_dev_node(t, b + "/pci@0/pci@0/pci@8", 0x10B5, 0x8747,
                          0x060400, bridge=True,
                          loc="UOPWR.A100029-Node0-Slot1")
    d10 = skiboot_dev_node(t, b + "/pci@0/pci@0/pci@10", 0x10B5, 0x8747,
                           0x060400, bridge=True,
                           loc="UOPWR.A100029-Node0-Slot1")
    n3 = skiboot_dev_node(t, b + "/pci@0/pci@0/pci@8/mass-storage@0",
                          0x144D, 0xA808, 0x010802,
                          loc="UOPWR.A100029-Node0-Slot1")
    n4 = skiboot_dev_node(t, b + "/pci@0/pci@0/pci@10/mass-storage@0",
                          0x8086, 0x0A54, 0x010802,
                          loc="UOPWR.A100029-Node0-Slot1")
    h = t.pci_host(1)
    rpd = t.pci_dev(h, "0001:00:00.0", 0x1014, 0x04C1, 0x1014, 0x04C1,
                    0x060400, N_IBM_P9RP, numa=0, of=rp,
                    eeh=(RP, 0x1FE, EEH_OK))
    usd = t.pci_dev(rpd, "0001:01:00.0", 0x10B5, 0x8747, 0x10B5, 0x8747,
                    0x060400, N_PEX8747, numa=0, of=us,
                    eeh=(US, 0x1FD, EEH_OK))
    d8d = t.pci_dev(usd, "0001:02:08.0", 0x10B5, 0x8747, 0x10B5, 0x8747,
                    0x060400, N_PEX8747, numa=0, of=d8,
                    eeh=(DS, 0x1FC, EEH_OK))
    d10d = t.pci_dev(usd, "0001:02:10.0", 0x10B5, 0x8747, 0x10B5, 0x8747,
                     0x060400, N_PEX8747, numa=0, of=d10,
                     eeh=(DS, 0x1FC, EEH_OK))
    t.group(1, "domain1-pe1fb")
    t.pci_dev(d8d, "0001:03:00.0", 0x144D, 0xA808, 0x144D, 0xA801,
              0x010802, N_PM983, driver="vfio-pci", override="vfio-pci",
              numa=0, of=n3, group=1, eeh=(EP, 0x1FB, EEH_OK))
    t.vfio_node(1, [])
    t.group(2, "domain1-pe1fa")
    t.pci_dev(d10d, "0001:04:00.0", 0x8086, 0x0A54, 0x8086, 0x4802,
              0x010802, N_P4510, driver="nvme", numa=0, of=n4, group=2,
              eeh=(EP, 0x1FA, EEH_OK))

    # PHB2, chip 0: domain 2.  Empty slot: root port only, no group.
    c = phb4_node(t, 0x600c3c0200000, 2, 2, 0, 0x000600c100000000,
                  loc="UOPWR.A100029-Node0-Slot2")
    rp = skiboot_dev_node(t, c + "/pci@0", 0x1014, 0x04C1, 0x060400,
                          bridge=True, loc="UOPWR.A100029-Node0-Slot2")
    t.pci_dev(t.pci_host(2), "0002:00:00.0", 0x1014, 0x04C1, 0x1014,
              0x04C1, 0x060400, N_IBM_P9RP, numa=0, of=rp,
              eeh=(RP, 0x1FE, EEH_OK))

    # PHB0 of chip 8: opal-phbid 8*6+0 = 48 -> domain 0x30 ("domain48").
    # Deliberately NOT skiboot's M32 PCI base: 0xc0000000 (see README).
    d = phb4_node(t, 0x620c3c0000000, 48, 0, 8, 0x000620c000000000,
                  m32_pci=0xC0000000, m32_size=0x40000000 - 0x10000,
                  loc="UOPWR.A100029-Node1-Slot0")
    rp = skiboot_dev_node(t, d + "/pci@0", 0x1014, 0x04C1, 0x060400,
                          bridge=True, loc="UOPWR.A100029-Node1-Slot0")
    pf = skiboot_dev_node(t, d + "/pci@0/ethernet@0", 0x15B3, 0x101D,
                          0x020000, loc="UOPWR.A100029-Node1-Slot0")
    h = t.pci_host(0x30)
    rpd = t.pci_dev(h, "0030:00:00.0", 0x1014, 0x04C1, 0x1014, 0x04C1,
                    0x060400, N_IBM_P9RP, numa=8, of=rp,
                    eeh=(RP, 0x1FE, EEH_OK))
    t.group(4, "domain48-pe1fd")
    t.pci_dev(rpd, "0030:01:00.0", 0x15B3, 0x101D, 0x15B3, 0x0016,
              0x020000, N_CX6DX, driver="mlx5_core", numa=8, of=pf,
              group=4, eeh=(EP, 0x1FD, EEH_OK),
              sriov=dict(total=8, num=2, offset=1, stride=1,
                         vf_device=0x101E))
    # VFs: no device-tree node, own PE each, created after boot (higher
    # group numbers).
    t.group(7, "domain48-pe1fb")
    t.pci_dev(rpd, "0030:01:00.1", 0x15B3, 0x101E, 0x15B3, 0x0016,
              0x020000, N_CXVF, driver="vfio-pci", override="vfio-pci",
              numa=8, group=7, eeh=(EP, 0x1FB, EEH_OK),
              physfn="0030:01:00.0")
    t.vfio_node(7, [])
    t.group(8, "domain48-pe1fc")
    t.pci_dev(rpd, "0030:01:00.2", 0x15B3, 0x101E, 0x15B3, 0x0016,
              0x020000, N_CXVF, driver="mlx5_vfio_pci",
              override="mlx5_vfio_pci", numa=8, group=8,
              eeh=(EP, 0x1FC, EEH_OK), physfn="0030:01:00.0")
    t.vfio_node(8, [(4242, "qemu-system-ppc64")])
    host(t, ppc_cpuinfo("POWER9, altivec supported", 0x004E1202,
                        "3800.000000MHz", 4, "PowerNV", "8335-GTH",
                        "PowerNV 8335-GTH", "Radix", "OPAL"),
         PPC_MODS_HV, CAPS_ALL, VFIO_SPAPR,
         mem=meminfo(268435456, 64, 60, 2048))
    t.finish()



# ---------------------------------------------------------------- check-host inputs
#
# What check-host reads besides sysfs: /proc/cpuinfo
# (arch/powerpc/kernel/setup-common.c show_cpuinfo: per CPU "processor",
# "cpu", "clock", "revision ... (pvr VVVV RRRR)"; then "timebase",
# "platform", "model", "machine", "firmware", "MMU"), /proc/meminfo,
# /proc/self/limits (fs/proc/base.c proc_pid_limits), the vfio no-IOMMU
# parameter, and the live-only answers as sidecars: libkmod module states
# ("module"), KVM_CHECK_EXTENSION on /dev/kvm ("kvm") and VFIO_CHECK_EXTENSION
# on an empty container ("vfio").

def ppc_cpuinfo(cpu, pvr, clock, ncpu, platform, model, machine, mmu,
                firmware=None):
    s = ""
    rev = "%d.%d (pvr %04x %04x)" % ((pvr >> 8) & 0xF, pvr & 0xFF,
                                      pvr >> 16, pvr & 0xFFFF)
    for i in range(ncpu):
        s += ("processor\t: %d\ncpu\t\t: %s\nclock\t\t: %s\n"
              "revision\t: %s\n\n" % (i, cpu, clock, rev))
    s += "timebase\t: 512000000\nplatform\t: %s\nmodel\t\t: %s\n" % (
        platform, model)
    s += "machine\t\t: %s\n" % machine
    if firmware:
        s += "firmware\t: %s\n" % firmware
    s += "MMU\t\t: %s\n" % mmu
    return s


X86_CPUINFO = "".join(
    "processor\t: %d\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
    "model\t\t: 158\nmodel name\t: Intel(R) Core(TM) i7-9700K CPU @ 3.60GHz\n"
    "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep vmx\n\n" % i
    for i in range(2))


def limits(memlock):
    rows = [("Max cpu time", "unlimited", "unlimited", "seconds"),
            ("Max file size", "unlimited", "unlimited", "bytes"),
            ("Max open files", "1024", "524288", "files"),
            ("Max locked memory", memlock, memlock, "bytes"),
            ("Max address space", "unlimited", "unlimited", "bytes")]
    s = "%-25s %-20s %-20s %-10s\n" % ("Limit", "Soft Limit", "Hard Limit",
                                       "Units")
    for r in rows:
        s += "%-25s %-20s %-20s %-10s\n" % r
    return s


def meminfo(total_kb, huge_total, huge_free, huge_kb):
    return ("MemTotal:       %8d kB\nMemFree:        %8d kB\n"
            "HugePages_Total:   %5d\nHugePages_Free:    %5d\n"
            "HugePages_Rsvd:        0\nHugePages_Surp:        0\n"
            "Hugepagesize:    %8d kB\n" % (total_kb, total_kb // 2, huge_total,
                                             huge_free, huge_kb))


def host(t, cpuinfo, mods, kvm=None, vfio=None, memlock="8388608",
         mem=None, noiommu="N", pid=4321, cpus=None):
    """mods: name -> (state, available) for libkmod; kvm: {"open": 0 or
    "!EACCES", cap: value}; vfio: {"open"/"api"/ext: value}."""
    t.write("proc/cpuinfo", cpuinfo)
    t.write("proc/meminfo", mem or meminfo(33554432, 0, 0, 2048))
    t.rawlink("proc/self", str(pid))
    t.write("proc/%d/limits" % pid, limits(memlock))
    if noiommu is not None:
        t.write("sys/module/vfio/parameters/enable_unsafe_noiommu_mode",
                noiommu + "\n")
    for name, (state, avail) in sorted(mods.items()):
        t.probe("module", name, "state=" + state)
        t.probe("module", name, "available=" + avail)
    for key, v in sorted((kvm or {}).items(), key=lambda kv: str(kv[0])):
        k = "open" if key == "open" else "cap:%d" % key
        t.probe("kvm", k, v if isinstance(v, str) else str(v))
    for key, v in sorted((vfio or {}).items(), key=lambda kv: str(kv[0])):
        k = key if key in ("open", "api") else "ext:%d" % key
        t.probe("vfio", k, v if isinstance(v, str) else str(v))
    if cpus:
        online, siblings = cpus
        t.write("sys/devices/system/cpu/online", online + "\n")
        t.write("sys/devices/system/cpu/cpu0/topology/thread_siblings_list",
                siblings + "\n")


PPC_MODS_HV = {"kvm": ("live", "yes"), "kvm_hv": ("live", "yes"),
               "kvm_pr": ("absent", "yes"), "vfio": ("live", "yes"),
               "vfio_pci": ("live", "yes"),
               "vfio_iommu_spapr_tce": ("live", "yes")}
CAPS_ALL = {"open": 0, 63: 1, 125: 1, 94: 1, 142: 1, 104: 1, 89: 1}
VFIO_SPAPR = {"open": 0, "api": 0, 2: 1, 7: 1, 5: 1}

# ---------------------------------------------------------------- pseries


def spapr_phb(t, index, dma_window=True, numa=None):
    """A PHB node as QEMU hw/ppc/spapr_pci.c spapr_dt_phb() writes it."""
    buid = 0x800000020000000 + index
    path = "pci@%x" % buid
    liobn = 0x80000000 | (index << 8)
    props = {
        "device_type": strs("pci"),
        "compatible": strs("IBM,Logical_PHB"),
        "#address-cells": cells(3),
        "#size-cells": cells(2),
        "ranges": (cells(0x01000000, 0, 0) + u64s(0x200000000000 +
                                                  index * 0x10000, 0x10000)
                   + cells(0x02000000, 0, 0x80000000)
                   + u64s(0x200080000000 + index * 0x80000000, 0x80000000)),
        "reg": u64s(buid, 0),
        "ibm,ddw-applicable": cells(0x2014, 0x2015, 0x2016),
        "ibm,ddw-extensions": cells(1, 0x2017),
    }
    if dma_window:
        props["ibm,#dma-address-cells"] = cells(2)
        props["ibm,#dma-size-cells"] = cells(2)
        props["ibm,dma-window"] = cells(liobn, 0, 0, 0, 0x40000000)
    t.dt_node(path, props)
    return path


def spapr_dev_node(t, path, ven, dev, sven, sdev, cls, loc):
    """A device node as QEMU spapr_dt_pci_device() writes it (no
    'compatible' property)."""
    t.dt_node(path, {
        "vendor-id": cells(ven),
        "device-id": cells(dev),
        "class-code": cells(cls),
        "ibm,loc-code": strs(loc),
    })
    return (path, None, [])


QEMU_HYPERTAS = ("hcall-pft", "hcall-term", "hcall-dabr", "hcall-interrupt",
                 "hcall-tce", "hcall-vio", "hcall-splpar", "hcall-join",
                 "hcall-bulk", "hcall-set-mode", "hcall-sprg0", "hcall-copy",
                 "hcall-debug", "hcall-vphn", "hcall-multi-tce")


def build_pseries_guest(out):
    t = Tree(os.path.join(out, "pseries-guest"))
    t.set_manifest("6.12.38+deb12-powerpc64le", "ppc64le", 4096)
    t.dt_root(["qemu,pseries"], "IBM pSeries (emulated by qemu)",
              {"device_type": strs("chrp")})
    t.dt_node("rtas", {"ibm,hypertas-functions": strs(*QEMU_HYPERTAS),
                       "qemu,hypertas-functions": strs("hcall-memop1")})
    p0 = spapr_phb(t, 0)
    p2 = spapr_phb(t, 2)
    p7 = spapr_phb(t, 7)
    for dom, phb in ((0, p0), (2, p2), (7, p7)):
        t.pci_bus_of_node(dom, phb)
    # group 0: PHB index 0, no device at all
    t.pci_host(0)
    t.group(0, "domain0-pe0")
    # group 1: PHB 2, an e1000 given to vfio-pci
    e = spapr_dev_node(t, p2 + "/ethernet@0", 0x8086, 0x100E, 0x1AF4,
                       0x1100, 0x020000, "qemu_e1000:0002:00:00.0")
    t.group(1, "domain2-pe0")
    t.pci_dev(t.pci_host(2), "0002:00:00.0", 0x8086, 0x100E, 0x1AF4,
              0x1100, 0x020000, N_E1000, driver="vfio-pci",
              override="vfio-pci", numa=-1, of=e, group=1)
    t.vfio_node(1, [])
    # group 2: PHB 7, virtio-net + virtio-blk on the host's virtio driver
    n = spapr_dev_node(t, p7 + "/ethernet@0", 0x1AF4, 0x1000, 0x1AF4,
                       0x0001, 0x020000, "qemu_virtio-net-pci:0007:00:00.0")
    s = spapr_dev_node(t, p7 + "/scsi@1", 0x1AF4, 0x1001, 0x1AF4, 0x0002,
                       0x010000, "qemu_virtio-blk-pci:0007:00:01.0")
    t.group(2, "domain7-pe0")
    h = t.pci_host(7)
    t.pci_dev(h, "0007:00:00.0", 0x1AF4, 0x1000, 0x1AF4, 0x0001, 0x020000,
              N_VNET, driver="virtio-pci", numa=-1, of=n, group=2)
    t.pci_dev(h, "0007:00:01.0", 0x1AF4, 0x1001, 0x1AF4, 0x0002, 0x010000,
              N_VBLK, driver="virtio-pci", numa=-1, of=s, group=2)
    # plain pseries: kvm_hv cannot load ("Parent hypervisor does not support
    # nesting", E2E §4) and Debian builds no kvm_pr, yet kvm.ko answers on
    # /dev/kvm; 6.12 says SPAPR_TCE_VFIO 1 (FACTS §7 1.5a); no EEH for
    # emulated devices; Debian's 6.12 backport has 4 KiB pages. All as the
    # real recordings tests/data/pseries-6.12* show.
    host(t, ppc_cpuinfo("POWER9 (architected), altivec supported",
                        0x004E1202, "1000.000000MHz", 1, "pSeries",
                        "IBM pSeries (emulated by qemu)",
                        "CHRP IBM pSeries (emulated by qemu)", "Radix"),
         {"kvm": ("live", "yes"), "kvm_hv": ("absent", "yes"),
          "kvm_pr": ("absent", "no"), "vfio": ("live", "yes"),
          "vfio_pci": ("live", "yes"), "vfio_iommu_spapr_tce": ("live", "yes")},
         CAPS_ALL, {"open": 0, "api": 0, 2: 1, 7: 1, 5: 0},
         mem=meminfo(1048576, 0, 0, 2048))
    t.finish()


def ddw_prop(liobn, dma_base, tce_shift, window_shift):
    """struct dynamic_dma_window_prop (arch/powerpc/platforms/pseries/
    iommu.c): __be32 liobn; __be64 dma_base; __be32 tce_shift;
    __be32 window_shift; -- not packed: 4 bytes of padding after liobn,
    sizeof == 24, and the property length is sizeof(*ddwprop)."""
    return (struct.pack(">I", liobn) + b"\0" * 4 + struct.pack(">Q", dma_base)
            + struct.pack(">II", tce_shift, window_shift))


def build_pseries_lpar_ddw(out):
    t = Tree(os.path.join(out, "pseries-lpar-ddw"))
    t.set_manifest("6.12.38+deb12-powerpc64le", "ppc64le", 4096)
    t.dt_root(["IBM,9080-HEX"], "IBM,9080-HEX",
              {"device_type": strs("chrp"),
               "ibm,partition-name": strs("lpar-kvm01")})
    t.dt_node("rtas", {"ibm,hypertas-functions": strs(
        "hcall-pft", "hcall-term", "hcall-dabr", "hcall-interrupt",
        "hcall-tce", "hcall-vio", "hcall-splpar", "hcall-bulk",
        "hcall-multi-tce", "hcall-vpa", "hcall-xdabr")})

    common = {
        "device_type": strs("pci"),
        "compatible": strs("IBM,Logical_PHB"),
        "#address-cells": cells(3),
        "#size-cells": cells(2),
        "ibm,ddw-applicable": cells(0x2B, 0x2C, 0x2D),
        "ibm,ddw-extensions": cells(2, 0x2E, 1),
    }
    # PHB A (BUID ...15, domain 0x15 = 21): the kernel removed the default
    # window, kept it as ibm,dma-window-saved and recorded its DDW.
    a = "pci@800000020000015"
    pa = dict(common)
    pa.update({
        "reg": u64s(0x800000020000015, 0),
        "ranges": cells(0x02000000, 0, 0x80000000, 0x00000400, 0x0,
                        0, 0x80000000),
        "ibm,#dma-address-cells": cells(2),
        "ibm,#dma-size-cells": cells(2),
        "ibm,dma-window-saved": cells(0x80000015, 0, 0, 0, 0x80000000),
        "linux,dma64-ddr-window-info": ddw_prop(0x70000015,
                                                0x0800000000000000, 16, 40),
    })
    t.dt_node(a, pa)
    cx = (a + "/ethernet@0", None, [])
    t.dt_node(cx[0], {"vendor-id": cells(0x15B3), "device-id": cells(0x1017),
                      "class-code": cells(0x020000),
                      "ibm,loc-code": strs("U78DA.ND0.WZS00AB-P0-C7-T0")})
    t.group(0, "domain21-pe0")
    h = t.pci_host(0x15)
    t.pci_dev(h, "0015:01:00.0", 0x15B3, 0x1017, 0x15B3, 0x0007, 0x020000,
              N_CX5, driver="mlx5_core", numa=0, of=cx, group=0,
              eeh=(EP, 0x10000, EEH_OK))

    # PHB B (BUID ...16, domain 0x16 = 22): the window sits on a bridge
    # node below the PHB; the kernel walks up from the device to find it,
    # and the bridge itself joins the group (pSeries_pci_device_group).
    b = "pci@800000020000016"
    pb = dict(common)
    pb.update({
        "reg": u64s(0x800000020000016, 0),
        "ranges": cells(0x02000000, 0, 0x80000000, 0x00000400, 0x80000000,
                        0, 0x80000000),
    })
    t.dt_node(b, pb)
    br = b + "/pci@0"
    t.dt_node(br, {"vendor-id": cells(0x10B5), "device-id": cells(0x8725),
                   "class-code": cells(0x060400), "device_type": strs("pci"),
                   "#address-cells": cells(3), "#size-cells": cells(2),
                   "ibm,#dma-address-cells": cells(2),
                   "ibm,#dma-size-cells": cells(2),
                   "ibm,dma-window": cells(0x80000016, 0, 0, 0, 0x80000000),
                   "ibm,loc-code": strs("U78DA.ND0.WZS00AB-P0-C8")})
    x0 = (br + "/ethernet@0", None, [])
    x1 = (br + "/ethernet@0,1", None, [])
    for node, fn in ((x0, 0), (x1, 1)):
        t.dt_node(node[0], {"vendor-id": cells(0x8086),
                            "device-id": cells(0x1572),
                            "class-code": cells(0x020000),
                            "ibm,loc-code": strs(
                                "U78DA.ND0.WZS00AB-P0-C8-T%d" % fn)})
    t.group(1, "domain22-pe0")
    h = t.pci_host(0x16)
    brd = t.pci_dev(h, "0016:00:00.0", 0x10B5, 0x8725, 0x10B5, 0x8725,
                    0x060400, N_PEX8725, driver="pcieport", numa=0,
                    of=(br, "pci", []), group=1, eeh=(DS, 0x10000, EEH_OK))
    t.pci_dev(brd, "0016:01:00.0", 0x8086, 0x1572, 0x8086, 0x0000,
              0x020000, N_X710, driver="vfio-pci", override="vfio-pci",
              numa=0, of=x0, group=1, eeh=(EP, 0x10000, EEH_OK))
    t.pci_dev(brd, "0016:01:00.1", 0x8086, 0x1572, 0x8086, 0x0000,
              0x020000, N_X710, numa=0, of=x1, group=1,
              eeh=(EP, 0x10000, EEH_OK))
    t.vfio_node(1, [])
    # a Power10 LPAR in POWER9 compatibility mode, VFIO no-IOMMU mode on (an
    # administrator's leftover); no KVM module loaded:
    # /dev/kvm is left alone (opening it would autoload kvm_pr)
    host(t, ppc_cpuinfo("POWER9 (architected), altivec supported",
                        0x00800200, "3450.000000MHz", 8, "pSeries",
                        "IBM,9080-HEX", "CHRP IBM,9080-HEX", "Radix"),
         {"kvm": ("absent", "yes"), "kvm_hv": ("absent", "yes"),
          "kvm_pr": ("absent", "yes"), "vfio": ("live", "yes"),
          "vfio_pci": ("live", "yes"), "vfio_iommu_spapr_tce": ("live", "yes")},
         None, VFIO_SPAPR, memlock="65536", noiommu="Y",
         mem=meminfo(134217728, 0, 0, 2048))
    t.finish()


# ---------------------------------------------------------------- x86

X86_MSI = "0x00000000fee00000 0x00000000feefffff msi\n"


def build_x86(out):
    t = Tree(os.path.join(out, "x86"))
    t.set_manifest("6.1.0-28-amd64", "x86_64", 4096)
    h = t.pci_host(0)
    t.group(0, None, "DMA-FQ", X86_MSI)
    t.pci_dev(h, "0000:00:00.0", 0x8086, 0x3EC2, 0x1043, 0x8694, 0x060000,
              N_HOSTBR, driver="skl_uncore", group=0)
    t.group(1, None, "DMA-FQ", X86_MSI)
    peg = t.pci_dev(h, "0000:00:01.0", 0x8086, 0x1901, 0x1043, 0x8694,
                    0x060400, N_PEG, driver="pcieport", group=1)
    t.group(2, None, "DMA-FQ", X86_MSI)
    t.pci_dev(peg, "0000:01:00.0", 0x10DE, 0x1E87, 0x1043, 0x8704,
              0x030000, N_TU104, driver="nouveau", group=2)
    t.pci_dev(peg, "0000:01:00.1", 0x10DE, 0x10F8, 0x1043, 0x8704,
              0x040300, N_TU104A, driver="snd_hda_intel", group=2)
    t.group(3, None, "DMA-FQ",
            "0x000000006b38b000 0x000000006b3aafff direct-relaxable\n"
            + X86_MSI)
    t.pci_dev(h, "0000:00:14.0", 0x8086, 0xA36D, 0x1043, 0x8694, 0x0C0330,
              N_XHCI, driver="xhci_hcd", group=3)
    t.group(4, None, "DMA-FQ", X86_MSI)
    rp = t.pci_dev(h, "0000:00:1c.0", 0x8086, 0xA338, 0x1043, 0x8694,
                   0x060400, ("Intel Corporation",
                              "Cannon Lake PCH PCI Express Root Port #1"),
                   driver="pcieport", group=4)
    t.group(5, None, "DMA-FQ", X86_MSI)
    t.pci_dev(rp, "0000:02:00.0", 0x8086, 0x1521, 0x8086, 0x0001, 0x020000,
              N_I350, driver="vfio-pci", override="vfio-pci", group=5)
    t.vfio_node(5, [(3301, "qemu-system-x86")])
    host(t, X86_CPUINFO,
         {"kvm": ("live", "yes"), "kvm_intel": ("live", "yes"),
          "vfio": ("live", "yes"), "vfio_pci": ("live", "yes"),
          "vfio_iommu_type1": ("live", "yes")},
         {"open": 0, 63: 0, 125: 0, 94: 0, 142: 0, 104: 0, 89: 1},
         {"open": 0, "api": 0, 2: 0, 3: 1, 5: 0, 7: 0})
    t.finish()


def build_powernv8(out):
    """A POWER8 PowerNV host (hash MMU, PHB3, kernel 6.1) with kvm_hv loaded
    and SMT on: kvm_hv on POWER8 needs the secondary threads offline."""
    t = Tree(os.path.join(out, "powernv8"))
    t.set_manifest("6.1.0-28-powerpc64le", "ppc64le", 65536)
    t.dt_root(["ibm,firestone", "ibm,powernv"], "8335-GTA")
    t.dt_node("ibm,opal", {"compatible": strs("ibm,opal-v3", "ibm,opal-v2")})
    # skiboot hw/phb3.c: compatible "ibm,power8-pciex", "ibm,ioda2-phb";
    # M32 at PCI 0x80000000; ibm,supported-tce-sizes absent on PHB3, so the
    # kernel falls back to 4K|64K|16M|256M on POWER8 (pnv_ioda_parse_tce_sizes)
    path = "pciex@3fffe40000000"
    t.dt_node(path, {
        "compatible": strs("ibm,power8-pciex", "ibm,ioda2-phb"),
        "device_type": strs("pciex"),
        "ibm,opal-phbid": cells(0, 0),
        "#address-cells": cells(3),
        "#size-cells": cells(2),
        "ranges": cells(0x02000000, 0x0, 0x80000000, 0x3fe0, 0x0,
                        0, 0x7ffe0000),
        "ibm,opal-num-pes": cells(256),
        "ibm,opal-reserved-pe": cells(255),
    })
    rp = skiboot_dev_node(t, path + "/pci@0", 0x1014, 0x03DC, 0x060400,
                          bridge=True)
    e0 = skiboot_dev_node(t, path + "/pci@0/ethernet@0", 0x8086, 0x1521,
                          0x020000, loc="U78C9.001.WZS0001-P1-C6")
    h = t.pci_host(0)
    rpd = t.pci_dev(h, "0000:00:00.0", 0x1014, 0x03DC, 0x1014, 0x03DC,
                    0x060400, ("IBM", "POWER8 Host Bridge (PHB3)"), numa=0,
                    of=rp, eeh=(RP, 0xFE, EEH_OK))
    t.group(0, "domain0-pe1")
    t.pci_dev(rpd, "0000:01:00.0", 0x8086, 0x1521, 0x8086, 0x0001, 0x020000,
              N_I350, driver="vfio-pci", override="vfio-pci", numa=0, of=e0,
              group=0, eeh=(EP, 0x1, EEH_OK))
    t.vfio_node(0, [])
    host(t, ppc_cpuinfo("POWER8E (raw), altivec supported", 0x004B0201,
                        "3690.000000MHz", 16, "PowerNV", "8335-GTA",
                        "PowerNV 8335-GTA", "Hash", "OPAL"),
         PPC_MODS_HV, CAPS_ALL, VFIO_SPAPR,
         mem=meminfo(134217728, 0, 0, 16384), cpus=("0-159", "0-7"))
    t.finish()


# ---------------------------------------------------------------- edges


def build_edge_empty_group0(out):
    t = Tree(os.path.join(out, "edge-empty-group0"))
    t.set_manifest("6.1.0-28-amd64", "x86_64", 4096)
    t.group(0, None, "DMA-FQ", X86_MSI)
    t.mkdir("sys/bus/pci/devices")
    t.finish()


def build_edge_vanished(out):
    t = Tree(os.path.join(out, "edge-vanished"))
    t.set_manifest("6.1.0-28-amd64", "x86_64", 4096)
    h = t.pci_host(0)
    t.group(0, None, "DMA-FQ", X86_MSI)
    # the link the kernel left behind; the device directory is gone
    t.symlink("sys/kernel/iommu_groups/0/devices/0000:03:00.0",
              h + "/0000:00:1c.4/0000:03:00.0")
    t.group(1, None, "DMA-FQ", X86_MSI)
    t.pci_dev(h, "0000:00:14.0", 0x8086, 0xA36D, 0x1043, 0x8694, 0x0C0330,
              N_XHCI, driver="xhci_hcd", group=1)
    t.finish()


def build_edge_unreadable(out):
    t = Tree(os.path.join(out, "edge-unreadable"))
    t.set_manifest("6.12.38+deb12-powerpc64le", "ppc64le", 4096)
    t.dt_root(["ibm,witherspoon", "ibm,powernv"], "8335-GTH")
    t.dt_node("ibm,opal", {"compatible": strs("ibm,opal-v3", "ibm,opal-v2")})
    a = phb4_node(t, 0x600c3c0000000, 0, 0, 0, 0x000600c000000000)
    rp = skiboot_dev_node(t, a + "/pci@0", 0x1014, 0x04C1, 0x060400,
                          bridge=True)
    e0 = skiboot_dev_node(t, a + "/pci@0/ethernet@0", 0x8086, 0x10D3,
                          0x020000)
    rpd = t.pci_dev(t.pci_host(0), "0000:00:00.0", 0x1014, 0x04C1, 0x1014,
                    0x04C1, 0x060400, N_IBM_P9RP, numa=0, of=rp,
                    eeh=(RP, 0x1FE, EEH_OK))
    g = t.group(0, "domain0-pe1fd")
    d = t.pci_dev(rpd, "0000:01:00.0", 0x8086, 0x10D3, 0x8086, 0xA01F,
                  0x020000, ("Intel Corporation",
                             "82574L Gigabit Network Connection"),
                  driver="e1000e", numa=0, of=e0, group=0,
                  eeh=(EP, 0x1FD, EEH_OK))
    os.chmod(t.p(g + "/name"), 0)
    os.chmod(t.p(d + "/uevent"), 0)
    t.finish()


def build_edge_escape(out):
    t = Tree(os.path.join(out, "edge-escape"))
    t.set_manifest("6.1.0-28-amd64", "x86_64", 4096)
    h = t.pci_host(0)
    t.mkdir("sys/kernel/iommu_groups/0/devices")
    t.rawlink("sys/kernel/iommu_groups/0/name", "/etc/os-release")
    t.write("sys/kernel/iommu_groups/0/type", "DMA-FQ\n")
    t.write("sys/kernel/iommu_groups/0/reserved_regions", X86_MSI)
    rp = t.pci_dev(h, "0000:00:1c.0", 0x8086, 0xA338, 0x1043, 0x8694,
                   0x060400, ("Intel Corporation",
                              "Cannon Lake PCH PCI Express Root Port #1"),
                   driver="pcieport")
    d = t.pci_dev(rp, "0000:01:00.0", 0x8086, 0x10D3, 0x8086, 0xA01F,
                  0x020000, N_82574, driver="e1000e", group=0)
    os.unlink(t.p(d + "/uevent"))
    t.rawlink(d + "/uevent", "../" * 12 + "etc/os-release")
    t.finish()


def build_edge_hostile(out):
    t = Tree(os.path.join(out, "edge-hostile"))
    t.set_manifest("6.12.38+deb12-powerpc64le", "ppc64le", 4096)
    t.dt_root(["qemu,pseries"], "IBM pSeries (emulated by qemu)",
              {"device_type": strs("chrp")})
    t.dt_node("rtas", {"ibm,hypertas-functions": strs(*QEMU_HYPERTAS)})
    p = spapr_phb(t, 0, dma_window=False)
    t.dt_prop(p, "ibm,#dma-address-cells", cells(2))
    t.dt_prop(p, "ibm,#dma-size-cells", cells(2))
    t.dt_prop(p, "ibm,dma-window", cells(0x80000000, 0)[:7])  # truncated
    e = spapr_dev_node(t, p + "/ethernet@1", 0x8086, 0x100E, 0x1AF4,
                       0x1100, 0x020000, "qemu_e1000:0000:00:01.0")
    g = t.group(0, "domain0-pe0\033]0;pwned\007")
    d = t.pci_dev(t.pci_host(0), "0000:00:01.0", 0x8086, 0x100E, 0x1AF4,
                  0x1100, 0x020000, None,
                  override="\033]0;pwned\007", of=e, group=0)
    t.write(d + "/numa_node", "99999999999999999999999\n")
    t.write(d + "/uevent", b"")
    t.probe("hwdb", "pci:v00008086d0000100E",
            "ID_VENDOR_FROM_DATABASE=Intel\tCorp%\033[2J")
    t.probe("hwdb", "pci:v00008086d0000100E",
            "ID_MODEL_FROM_DATABASE=82540EM\033]0;pwned\007\nInjected")
    t.write("proc/cpuinfo", "processor\t: 0\ncpu\t\t: POWER9 (archi")
    t.write("proc/meminfo", "HugePages_Total: 99999999999999999999999\n")
    t.probe("module", "kvm", "state=\033[2Jlive")
    # a driver name a shell would run something for, and a location code
    # that is not UTF-8: no release command is offered, JSON stays valid
    e2 = spapr_dev_node(t, p + "/ethernet@2", 0x8086, 0x100E, 0x1AF4, 0x1100,
                        0x020000, "x")
    t.dt_prop(e2[0], "ibm,loc-code", b"U\xff\xfe-P1\0")
    t.pci_dev(t.pci_host(0), "0000:00:02.0", 0x8086, 0x100E, 0x1AF4, 0x1100,
              0x020000, None, driver="e1000$(reboot)", of=e2, group=0)
    t.finish()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else here
    os.makedirs(out, exist_ok=True)
    for f in (build_powernv9, build_powernv8, build_pseries_guest, build_pseries_lpar_ddw,
              build_x86, build_edge_empty_group0, build_edge_vanished,
              build_edge_unreadable, build_edge_escape, build_edge_hostile):
        f(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
