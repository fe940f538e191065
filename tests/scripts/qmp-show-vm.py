#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""show-vm --qmp against a real QEMU (E2E.md §1): qemu-system-ppc64 -M pseries
-accel tcg -S with extra PHBs at varied indexes, window sizes and addresses,
with and without ids (peripheral and peripheral-anon) and ddw on and off.
For each configuration the tool's JSON must equal what QEMU itself answers
to this script's own QMP client (qom-list / qom-get / info mtree): every
PHB, its properties, every window (LIOBN, address, size), the devices behind
each PHB. Nothing is typed in: the expected side is asked of QEMU.

Usage: qmp-show-vm.py TCEIOMMU     (exit 77: no qemu-system-ppc64)
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

CONFIGS = {
    "one-phb": ["-device", "spapr-pci-host-bridge,index=1,id=pci.1",
                "-netdev", "user,id=n0,restrict=on", "-device", "e1000,bus=pci.1.0,netdev=n0,romfile="],
    "varied": ["-device", "spapr-pci-host-bridge,index=5,id=phb5,dma_win_size=0x20000000,"
               "dma_win_addr=0x10000000",
               "-device", "spapr-pci-host-bridge,index=2,ddw=off",
               "-device", "spapr-pci-host-bridge,index=7,id=x7,pgsz=0x1000,"
               "dma64_win_addr=0x1000000000000000",
               "-netdev", "user,id=n0,restrict=on", "-device", "e1000,bus=x7.0,netdev=n0,romfile="],
    "default-only": [],
}


class QMP:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(10)
        self.s.connect(path)
        self.f = self.s.makefile("r")
        json.loads(self.f.readline())  # greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.s.sendall(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
        while True:
            m = json.loads(self.f.readline())
            if "return" in m:
                return m["return"]
            if "error" in m:
                return None

    def close(self):
        self.f.close()
        self.s.close()

    def hmp(self, line):
        return self.cmd("human-monitor-command", **{"command-line": line})


def qemu_truth(q):
    """What QEMU says, walked as the QOM tree is, by this script."""
    phbs = {}
    for parent in ("/machine/peripheral", "/machine/peripheral-anon", "/machine/unattached"):
        for c in q.cmd("qom-list", path=parent) or []:
            if c["type"] != "child<spapr-pci-host-bridge>":
                continue
            path = parent + "/" + c["name"]
            p = {k: q.cmd("qom-get", path=path, property=k)
                 for k in ("index", "dma_win_addr", "dma_win_size", "dma64_win_addr", "ddw", "pgsz")}
            p["qom_path"] = path
            p["windows"] = {}
            for t in q.cmd("qom-list", path=path) or []:
                if t["name"].startswith("tce-table-"):
                    l = t["name"][len("tce-table-"):]
                    mr = "%s/%s/tce-iommu-%s[0]" % (path, t["name"], l)
                    p["windows"][int(l, 16)] = (q.cmd("qom-get", path=mr, property="addr"),
                                                q.cmd("qom-get", path=mr, property="size"))
            phbs[p["index"]] = p
    devs = {}
    for parent in ("/machine/peripheral", "/machine/peripheral-anon"):
        for c in q.cmd("qom-list", path=parent) or []:
            if not c["type"].startswith("child<") or c["type"] == "child<spapr-pci-host-bridge>":
                continue
            bus = q.cmd("qom-get", path=parent + "/" + c["name"], property="parent_bus")
            for i, p in phbs.items():
                if bus and bus.startswith(p["qom_path"] + "/"):
                    devs.setdefault(i, []).append(c["type"])
    return phbs, devs, q.hmp("info mtree -f")


def compare(name, tool_doc, phbs, devs, mtree):
    bad = []
    vm = tool_doc["vm"]
    got = {p["index"]: p for p in vm["phbs"]}
    if sorted(got) != sorted(phbs):
        bad.append("PHB indexes %s, QEMU says %s" % (sorted(got), sorted(phbs)))
    for i, want in phbs.items():
        g = got.get(i)
        if not g:
            continue
        for k in ("dma_win_addr", "dma_win_size", "dma64_win_addr", "ddw", "pgsz", "qom_path"):
            if g[k] != want[k]:
                bad.append("PHB %d %s: tool %r, QEMU %r" % (i, k, g[k], want[k]))
        gw = {w["liobn"]: w for w in g["windows"]}
        if sorted(gw) != sorted(want["windows"]):
            bad.append("PHB %d LIOBNs %s, QEMU %s" % (i, [hex(x) for x in sorted(gw)],
                                                      [hex(x) for x in sorted(want["windows"])]))
        for l, (addr, size) in want["windows"].items():
            w = gw.get(l)
            if not w:
                continue
            if w["start"] != addr or w["size"] != size:
                bad.append("LIOBN 0x%x: tool %r at %r, QEMU %r at %r" % (l, w["size"], w["start"], size, addr))
            if w["created"] != (size > 0):
                bad.append("LIOBN 0x%x created %r, QEMU size %r" % (l, w["created"], size))
            # enabled windows are in the flat view as tce-iommu-<liobn>
            if (size > 0) != ("tce-iommu-%x" % l in mtree):
                bad.append("LIOBN 0x%x: size %r but info mtree -f %s it" % (
                    l, size, "lacks" if size else "has"))
            # no VFIO device anywhere: every window is emulated
            if w["verdict"] != "emulated":
                bad.append("LIOBN 0x%x verdict %r (%s)" % (l, w["verdict"], w["reason"]))
        want_vfio = any(t.startswith("child<vfio-pci") for t in devs.get(i, []))
        if g["vfio"] is not want_vfio:
            bad.append("PHB %d vfio %r, QEMU's devices %r" % (i, g["vfio"], devs.get(i)))
    if vm["state"] != "prelaunch":
        bad.append("state %r" % vm["state"])
    if vm["accel"] != "tcg":
        bad.append("accel %r" % vm["accel"])
    return ["%s: %s" % (name, b) for b in bad]


def main():
    tool = sys.argv[1]
    qemu = shutil.which("qemu-system-ppc64")
    if not qemu:
        print("SKIP: no qemu-system-ppc64")
        return 77
    fails, n = [], 0
    with tempfile.TemporaryDirectory() as d:
        for name, extra in CONFIGS.items():
            sock = os.path.join(d, name + ".sock")
            p = subprocess.Popen([qemu, "-M", "pseries", "-accel", "tcg", "-m", "256",
                                  "-nographic", "-nodefaults", "-S", "-name", "guest=" + name,
                                  "-qmp", "unix:%s,server=on,wait=off" % sock] + extra,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                for _ in range(600):  # 30 s: a loaded CI machine starts QEMU slowly
                    if os.path.exists(sock):
                        break
                    time.sleep(0.05)
                # QEMU's monitor serves one client at a time: ask, then hang up
                q = QMP(sock)
                truth = qemu_truth(q)
                q.close()
                out = subprocess.run([tool, "show-vm", "--no-libvirt", "--qmp", sock, "--json"],
                                     capture_output=True, text=True, timeout=60)
                n += 1
                if out.returncode != 0:
                    fails.append("%s: exit %d: %s" % (name, out.returncode, out.stderr))
                    continue
                doc = json.loads(out.stdout)
                if doc["vm"]["pid"] != p.pid:
                    fails.append("%s: pid %r, QEMU is %d" % (name, doc["vm"]["pid"], p.pid))
                if doc["vm"]["name"] != name:
                    fails.append("%s: name %r" % (name, doc["vm"]["name"]))
                fails += compare(name, doc, *truth)
                # record it, QEMU's answers included; replayed, the same answer
                snap = os.path.join(d, name + ".snap")
                rec = subprocess.run([tool, "record", "--no-libvirt", "--qmp", sock, snap],
                                     capture_output=True, text=True, timeout=60)
                n += 1
                rep = subprocess.run([tool, "--root", snap, "show-vm", "--no-libvirt", "--qmp", sock,
                                      "--json"], capture_output=True, text=True, timeout=60)
                if rec.returncode != 0 or rep.returncode != 0:
                    fails.append("%s: record %d (%s), replay %d (%s)" % (
                        name, rec.returncode, rec.stderr, rep.returncode, rep.stderr))
                else:
                    live, again = doc["vm"], json.loads(rep.stdout)["vm"]
                    # the snapshot replays what QEMU said; how it was asked differs
                    live["qmp"]["via"] = again["qmp"]["via"] = None
                    if live != again:
                        fails.append("%s: replayed show-vm differs from the live one" % name)
                # the same VM, found by the /proc scan too, merged
                out = subprocess.run([tool, "list-vms", "--no-libvirt", "--qmp", sock, "--json"],
                                     capture_output=True, text=True, timeout=60)
                vms = [v for v in json.loads(out.stdout)["vms"] if v["pid"] == p.pid]
                n += 1
                if len(vms) != 1 or sorted(vms[0]["sources"]) != ["proc", "qmp"]:
                    fails.append("%s: list-vms finds it as %r" % (name, [v["sources"] for v in vms]))
            finally:
                p.send_signal(signal.SIGKILL)
                p.wait()
    for f in fails:
        print("FAIL", f)
    print("%d passed, %d failed" % (n - len(set(f.split(":")[0] for f in fails)), len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
