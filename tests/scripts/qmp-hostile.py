#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile QMP peers (tests/scripts/qmp-peer.py) beside a real QEMU: one
list-vms run names them all with --qmp and --timeout 1. Each hostile peer
must be a clear error on its own VM row, the whole run must end within about
one timeout (peers are asked concurrently), and the real QEMU must still be
reported with QEMU's answers. Then show-vm --qmp on each alone: exit 1 with a
message, never a hang or a crash.

Usage: qmp-hostile.py TCEIOMMU     (exit 77 without qemu-system-ppc64)
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

MODES = {  # mode: words the error must contain
    "silent": "within",
    "no-greeting": "within",
    "garbage": "not QMP",
    "endless": "larger than",
    "huge": "larger than",
    "close-mid": "closed",
}


def wait_sock(path):
    for _ in range(200):
        if os.path.exists(path):
            return
        time.sleep(0.02)
    raise RuntimeError("no socket " + path)


def main():
    tool = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    qemu = shutil.which("qemu-system-ppc64")
    if not qemu:
        print("SKIP: no qemu-system-ppc64")
        return 77
    fails, n = [], 0
    procs = []
    with tempfile.TemporaryDirectory() as d:
        try:
            real = os.path.join(d, "real.sock")
            q = subprocess.Popen([qemu, "-M", "pseries", "-accel", "tcg", "-m", "256", "-nographic",
                                  "-nodefaults", "-S", "-name", "guest=real",
                                  "-qmp", "unix:%s,server=on,wait=off" % real],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(q)
            socks = {}
            for m in MODES:
                socks[m] = os.path.join(d, m + ".sock")
                procs.append(subprocess.Popen([sys.executable, os.path.join(here, "qmp-peer.py"), m,
                                               socks[m]]))
            for s in list(socks.values()) + [real]:
                wait_sock(s)
            args = [tool, "list-vms", "--no-libvirt", "--timeout", "1", "--json", "--qmp", real]
            for s in socks.values():
                args += ["--qmp", s]
            t0 = time.monotonic()
            out = subprocess.run(args, capture_output=True, text=True, timeout=60)
            took = time.monotonic() - t0
            n += 1
            if took > 4:  # one timeout (1 s) plus the work, not six timeouts
                fails.append("list-vms with 6 hostile peers took %.1f s" % took)
            if out.returncode not in (0, 1, 3):
                fails.append("list-vms exit %d: %s" % (out.returncode, out.stderr))
            doc = json.loads(out.stdout)
            by = {}
            for v in doc["vms"]:
                via = (v["qmp"]["via"] or "")
                if via.startswith("socket "):
                    by[via[7:]] = v
            for m, words in MODES.items():
                n += 1
                v = by.get(socks[m])
                err = v and v["qmp"]["error"]
                if not err or words not in err:
                    fails.append("%s: error %r lacks %r" % (m, err, words))
            n += 1
            v = by.get(real)
            if not v or v["pid"] != q.pid or v["state"] != "prelaunch" or v["qmp"]["error"]:
                fails.append("the real QEMU: %r" % (v and {k: v[k] for k in ("pid", "state", "qmp")}))
            elif not any(p["qom_path"] for p in v["phbs"]):
                fails.append("the real QEMU's PHBs were not asked: %r" % v["phbs"])
            for m, words in MODES.items():
                n += 1
                t0 = time.monotonic()
                o = subprocess.run([tool, "show-vm", "--no-libvirt", "--timeout", "1", "--qmp",
                                    socks[m]], capture_output=True, text=True, timeout=30)
                took = time.monotonic() - t0
                if o.returncode != 1 or words not in o.stderr or took > 4:
                    fails.append("show-vm --qmp %s: exit %d in %.1f s: %r" % (
                        m, o.returncode, took, o.stderr))
        finally:
            for p in procs:
                p.send_signal(signal.SIGKILL)
                p.wait()
    for f in fails:
        print("FAIL", f)
    print("%d passed, %d failed" % (n - len(fails), len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
