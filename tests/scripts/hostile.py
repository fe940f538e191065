#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile hosts (issue 11, section 3): broken trees made from a real recording
(tests/data/powernv9-6.12-l2run, a POWER9 host running a KVM guest), each run
through every command that applies under a deadline:

  list-groups, list-groups --json, list-groups -O, check-host,
  check-host --json, list-vms, list-vms -J, show-vm l2, record OUT and the
  replay of that record.

Each run must end within the deadline and without a signal or a sanitizer
report, with the exit status the man page documents (check-host's and
list-vms' from the levels and verdicts of their JSON), its stdout valid UTF-8
(JSON that parses), no raw control byte in text output or on stderr, a note
for what could not be read, and, for the groups the mutation did not touch,
the same JSON as the intact tree gives.

Usage: hostile.py TCEIOMMU DATA_DIR CLASS
CLASS: unreadable fifo loop escape big strings vanish many
(unreadable needs root to drop to nobody: exit 77 otherwise)
"""
import json
import os
import random
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

SRC = "powernv9-6.12-l2run"
GROUPS = "sys/kernel/iommu_groups"
DEV3 = "sys/devices/pci0003:00/0003:00:00.0/0003:01:00.0/0003:02:00.0/0003:03:00.0"
PHB3 = "sys/firmware/devicetree/base/pciex@600c3c0300000"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
SANITIZER = re.compile(rb"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:")
# C0 controls but newline, DEL, and C1 controls (U+0080..U+009F)
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f\x80-\x9f]")
DEADLINE = float(os.environ.get("HOSTILE_DEADLINE", "30"))
# built with ASan/UBSan (peak RSS is not the tool's), or run under a wrapper
SANITIZED = os.environ.get("HOSTILE_SANITIZED", "") not in ("", "0", "OFF")
WRAP = os.environ.get("HOSTILE_WRAP", "").split()

fails = []
passes = 0


def fail(msg):
    fails.append(msg)
    print("FAIL: " + msg, flush=True)


def ok():
    global passes
    passes += 1


class Run:
    """One run of the tool: exit status, output, peak RSS (KiB), seconds."""

    def __init__(self, argv, as_nobody=False, deadline=DEADLINE, measure=False):
        self.argv = argv
        env = dict(os.environ, LC_ALL="C.UTF-8", NO_COLOR="1", TCEIOMMU_NO_LOCAL_HWDB="1")
        pre = NOBODY if as_nobody else []
        if measure:
            # a child of this (large) interpreter inherits its peak RSS at
            # exec: GNU time, a small process, forks the tool and reports it
            rss = tempfile.NamedTemporaryFile(prefix="tce-hostile-rss.")
            pre = pre + ["/usr/bin/time", "-f", "%M", "-o", rss.name]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            t0 = time.monotonic()
            p = subprocess.Popen(pre + WRAP + argv, stdout=out, stderr=err,
                                 stdin=subprocess.DEVNULL, env=env)
            self.timed_out = False
            while True:
                pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() - t0 > deadline:
                    self.timed_out = True
                    p.kill()
                    pid, status, ru = os.wait4(p.pid, 0)
                    break
                time.sleep(0.005)
            p.returncode = 0  # reaped here; keep Popen from waiting again
            self.seconds = time.monotonic() - t0
            self.rss_kib = ru.ru_maxrss
            self.signal = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
            self.rc = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
            out.seek(0)
            err.seek(0)
            self.out = out.read()
            self.err = err.read()
        if measure:
            # GNU time writes to its -o file how the tool ended, then %M
            text = rss.read().decode()
            rss.close()
            lines = text.split()
            self.rss_kib = int(lines[-1]) if lines and lines[-1].isdigit() else 1 << 30
            m = re.search(r"terminated by signal (\d+)", text)
            if m:
                self.signal = int(m.group(1))

    def name(self):
        return " ".join(a for a in self.argv[1:])


def check_run(r, rcs, json_out=False, what=""):
    """Deadline, signal, sanitizers, exit status, UTF-8, control bytes, JSON."""
    label = "%s%s" % (r.name(), " (" + what + ")" if what else "")
    good = True
    if r.timed_out:
        fail("%s: still running after %ss" % (label, DEADLINE))
        return None
    if r.signal is not None:
        fail("%s: killed by signal %d: %s" % (label, r.signal, r.err[-2000:]))
        return None
    if SANITIZER.search(r.err) or SANITIZER.search(r.out):
        fail("%s: sanitizer report:\n%s" % (label, r.err.decode("utf-8", "replace")[-4000:]))
        good = False
    if r.rc not in rcs:
        fail("%s: exit %d, want one of %s; stderr: %s" % (label, r.rc, sorted(rcs), r.err[-500:]))
        good = False
    doc = None
    for stream, data in (("stdout", r.out), ("stderr", r.err)):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            fail("%s: %s is not UTF-8: %s" % (label, stream, e))
            good = False
            continue
        if json_out and stream == "stdout" and r.rc == 1 and not text and r.err:
            pass  # a runtime error, said on stderr
        elif json_out and stream == "stdout":
            try:
                doc = json.loads(text)
            except ValueError as e:
                fail("%s: JSON does not parse: %s" % (label, e))
                good = False
        else:
            m = CONTROL.search(text.replace("\t", " "))
            if m:
                i = m.start()
                fail("%s: raw control byte %r on %s: %r" % (label, m.group(), stream, text[max(0, i - 40):i + 40]))
                good = False
    if good:
        ok()
    return doc if json_out else (r.out.decode("utf-8", "replace") if good else None)


def levels_exit(doc):
    lv = [c["level"] for c in doc["checks"]]
    if "FAIL" in lv:
        return 2
    if "WARN" in lv:
        return 1
    if "UNKNOWN" in lv or all(x == "SKIP" for x in lv):
        return 3
    return 0


def verdicts_exit(doc):
    v = []
    for vm in doc["vms"]:
        for phb in vm.get("phbs") or []:
            for w in phb.get("liobns") or []:
                v.append(w.get("verdict"))
        v.append(vm.get("verdict"))
    if "userspace" in v:
        return 1
    if "unknown" in v:
        return 3
    return 0


def all_commands(tool, root, tag, as_nobody=False, vm="l2", record=True):
    """Every command on ROOT; returns {name: parsed JSON or text}."""
    res = {}
    R = lambda *a: Run([tool, "--root", root] + list(a), as_nobody)  # noqa: E731
    res["lg"] = check_run(R("list-groups"), {0}, what=tag)
    res["lgj"] = check_run(R("list-groups", "--json"), {0}, True, tag)
    res["lgO"] = check_run(R("list-groups", "-O"), {0}, what=tag)
    res["lgP"] = check_run(R("list-groups", "-P", "-O"), {0}, what=tag)
    ch = R("check-host")
    res["ch"] = check_run(ch, {0, 1, 2, 3}, what=tag)
    chj = R("check-host", "--json")
    res["chj"] = d = check_run(chj, {0, 1, 2, 3}, True, tag)
    if d is not None:
        want = levels_exit(d)
        if chj.rc != want or ch.rc != want:
            fail("%s: check-host exit %d (text %d), its levels say %d" % (tag, chj.rc, ch.rc, want))
        else:
            ok()
    lv = R("list-vms")
    res["lv"] = check_run(lv, {0, 1, 3}, what=tag)
    lvj = R("list-vms", "-J")
    res["lvj"] = d = check_run(lvj, {0, 1, 3}, True, tag)
    if d is not None:
        want = verdicts_exit(d)
        if d["vms"] and (lvj.rc != want or lv.rc != want):
            fail("%s: list-vms exit %d (text %d), its verdicts say %d" % (tag, lvj.rc, lv.rc, want))
        else:
            ok()
    if vm:
        res["sv"] = check_run(R("show-vm", vm), {0, 1, 3}, what=tag)
        res["svj"] = check_run(R("show-vm", vm, "--json"), {0, 1, 3}, True, tag)
    if record:
        with tempfile.TemporaryDirectory(prefix="tce-hostile-rec.") as rd:
            os.chmod(rd, 0o777)
            snap = os.path.join(rd, "snap")
            rr = Run([tool, "--root", root, "record", snap], as_nobody)
            check_run(rr, {0}, what=tag)
            res["record_dir_files"] = []
            for dp, dns, fns in os.walk(snap):
                for f in fns:
                    res["record_dir_files"].append(os.path.join(dp, f))
            # the replay of the recording gives what the broken tree gave
            rj = Run([tool, "--root", snap, "list-groups", "--json"], as_nobody)
            d = check_run(rj, {0}, True, tag + ", replayed")
            if d is not None and res["lgj"] is not None:
                if strip_paths(d) != strip_paths(res["lgj"]):
                    fail("%s: the replay of its record differs in list-groups --json" % tag)
                else:
                    ok()
            rc = Run([tool, "--root", snap, "check-host", "--json"], as_nobody)
            d = check_run(rc, {0, 1, 2, 3}, True, tag + ", replayed")
            if d is not None and res["chj"] is not None:
                if d["checks"] != res["chj"]["checks"]:
                    fail("%s: the replay of its record differs in check-host --json" % tag)
                else:
                    ok()
            res["record_grep"] = grep_tree(snap)
    return res


def strip_paths(doc):
    return doc


def grep_tree(d):
    """Every byte of every file below d (and link targets), for a canary."""
    blob = []
    for dp, dns, fns in os.walk(os.fsencode(d)):
        for f in fns + dns:
            p = os.path.join(dp, f)
            blob.append(f)
            if os.path.islink(p):
                blob.append(os.readlink(p))
            elif os.path.isfile(p):
                with open(p, "rb") as fh:
                    blob.append(fh.read(1 << 20))
    return b"\n".join(blob)


def groups_by_number(doc):
    return {g["group"]: g for g in doc["groups"]} if doc else {}


def same_groups(tag, intact, broken, untouched):
    """The groups the mutation did not touch are as on the intact tree."""
    a, b = groups_by_number(intact["lgj"]), groups_by_number(broken["lgj"])
    for n in untouched:
        if a.get(n) != b.get(n):
            fail("%s: group %d differs from the intact tree:\n%s\n%s"
                 % (tag, n, json.dumps(a.get(n))[:600], json.dumps(b.get(n))[:600]))
        else:
            ok()


def group_notes(doc, n):
    g = groups_by_number(doc).get(n)
    return " | ".join(g["notes"]) if g else ""


def expect_note(tag, res, n, pattern, stderr_too=None):
    notes = group_notes(res["lgj"], n)
    if re.search(pattern, notes):
        ok()
    else:
        fail("%s: group %d has no note matching %r: %r" % (tag, n, pattern, notes))


def expect_unknown_viability(tag, res, n, why):
    """A group whose devices could not be listed is neither viable nor not:
    anything else is a false green (or red)."""
    g = groups_by_number(res["lgj"]).get(n) or {}
    if g.get("viable") is None:
        ok()
    else:
        fail("%s: group %d viable=%r with %s" % (tag, n, g.get("viable"), why))


def copy_tree(data, tmp, name="t"):
    dst = os.path.join(tmp, name)
    shutil.copytree(os.path.join(data, SRC), dst, symlinks=True)
    return dst


def replace(path, maker):
    if os.path.lexists(path):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    maker(path)


def mkfifo(p):
    os.mkfifo(p)


def mksock(p):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    cwd = os.getcwd()
    os.chdir(os.path.dirname(p))  # a path longer than sun_path allows
    try:
        s.bind(os.path.basename(p))
    finally:
        os.chdir(cwd)
    s.close()  # the socket file stays, nobody listens


# ---- the classes ---------------------------------------------------------------


def c_unreadable(tool, data, tmp, intact):
    if os.getuid() != 0 or not shutil.which("setpriv"):
        print("SKIP: needs root (to drop to nobody) and setpriv")
        return 77
    t = copy_tree(data, tmp)
    os.chmod(tmp, 0o755)
    locked = [
        GROUPS + "/3/name",
        DEV3 + "/uevent",
        DEV3 + "/eeh_pe_config_addr",
        PHB3 + "/ibm,supported-tce-sizes",
        GROUPS + "/2/devices",  # a directory
        "proc/cpuinfo",
        "proc/170/status",
        "proc/170/maps",
    ]
    for p in locked:
        os.chmod(os.path.join(t, p), 0)
    # the intact tree as nobody is the intact tree as root
    base = all_commands(tool, os.path.join(data, SRC), "intact as nobody", True, record=False)
    if base["lgj"] != intact["lgj"] or base["chj"] != intact["chj"]:
        fail("the intact recording replays differently as nobody")
    else:
        ok()
    res = all_commands(tool, t, "unreadable", True)
    same_groups("unreadable", intact, res, [0, 1])
    expect_note("unreadable", res, 3, r"name: Permission denied")
    expect_note("unreadable", res, 3, r"uevent: Permission denied")
    expect_note("unreadable", res, 2, r"devices: Permission denied")
    # group 2's devices could not be listed: its viability is not known
    expect_unknown_viability("unreadable", res, 2, "its devices unreadable")
    checks = {c["id"]: c for c in (res["chj"] or {"checks": []})["checks"]}
    for cid in ("platform.cpu",):
        c = checks.get(cid)
        if c and c["level"] == "PASS":
            fail("unreadable: %s PASS with /proc/cpuinfo unreadable" % cid)
        else:
            ok()
    return 0


def c_fifo(tool, data, tmp, intact):
    t = copy_tree(data, tmp)
    replace(os.path.join(t, GROUPS, "3/name"), mkfifo)
    replace(os.path.join(t, DEV3, "uevent"), mkfifo)
    replace(os.path.join(t, DEV3, "numa_node"), mksock)
    replace(os.path.join(t, PHB3, "ibm,supported-tce-sizes"), mkfifo)
    replace(os.path.join(t, GROUPS, "4/type"), mksock)
    replace(os.path.join(t, "proc/cpuinfo"), mkfifo)
    replace(os.path.join(t, "proc/170/status"), mkfifo)
    replace(os.path.join(t, "proc/170/cmdline"), mksock)
    replace(os.path.join(t, "out/l2.log"), mkfifo)
    replace(os.path.join(t, GROUPS, "2/devices"), mkfifo)  # a FIFO where a directory belongs
    # a FIFO with a writer that never writes: a read would wait for it
    wpath = os.path.join(t, DEV3, "driver_override")
    replace(wpath, mkfifo)
    wfd = os.open(wpath, os.O_RDWR | os.O_NONBLOCK)  # keeps a writer
    try:
        t0 = time.monotonic()
        res = all_commands(tool, t, "fifo")
        took = time.monotonic() - t0
    finally:
        os.close(wfd)
    print("fifo: every command in %.1fs" % took)
    same_groups("fifo", intact, res, [0, 1])
    expect_note("fifo", res, 3, r"name: Invalid argument")
    expect_note("fifo", res, 3, r"uevent: Invalid argument")
    expect_note("fifo", res, 2, r"devices: Not a directory")
    expect_unknown_viability("fifo", res, 2, "no devices directory")
    return 0


def c_loop(tool, data, tmp, intact):
    t = copy_tree(data, tmp)
    g3 = os.path.join(t, GROUPS, "3")
    replace(os.path.join(g3, "name"), lambda p: os.symlink("name", p))
    link = os.path.join(g3, "devices", "0003:03:00.0")
    replace(link, lambda p: os.symlink("0003:03:00.0", p))  # itself
    d4 = os.path.join(t, GROUPS, "4/devices")
    (dev4,) = os.listdir(d4)
    replace(os.path.join(d4, dev4), lambda p: os.symlink("loop-a", p))
    os.symlink("loop-b", os.path.join(d4, "loop-a"))
    os.symlink("/" + GROUPS + "/4/devices/loop-a", os.path.join(d4, "loop-b"))
    # a directory that contains a link to itself's parent chain
    replace(os.path.join(t, DEV3, "of_node"), lambda p: os.symlink("../" + os.path.basename(DEV3) + "/of_node", p))
    res = all_commands(tool, t, "loop")
    same_groups("loop", intact, res, [0, 1, 2])
    expect_note("loop", res, 3, r"name: Too many levels of symbolic links")
    expect_note("loop", res, 4, r"vanished|Too many levels")
    # the whole device tree a loop: every group loses its PHB, nothing else
    replace(os.path.join(t, "proc/device-tree"), lambda p: os.symlink("/proc/device-tree", p))
    all_commands(tool, t, "loop, device tree")
    return 0


def c_escape(tool, data, tmp, intact):
    t = copy_tree(data, tmp)
    # outside the root: a device and values that must never be read
    out = os.path.join(tmp, "outside")
    os.makedirs(out)
    with open(os.path.join(out, "canary"), "w") as f:
        f.write("domain7-pe7 ESCAPED-CANARY\n")
    odev = os.path.join(out, "0003:03:00.0")
    shutil.copytree(os.path.join(t, DEV3), odev, symlinks=True)
    with open(os.path.join(odev, "uevent"), "w") as f:
        f.write("DRIVER=ESCAPED-CANARY\nPCI_SLOT_NAME=0003:03:00.0\n")
    depth = "../" * 12
    g3 = os.path.join(t, GROUPS, "3")
    replace(os.path.join(g3, "name"), lambda p: os.symlink(depth + os.path.relpath(out, "/") + "/canary", p))
    replace(os.path.join(g3, "devices/0003:03:00.0"), lambda p: os.symlink(odev, p))  # absolute
    replace(os.path.join(t, GROUPS, "4/name"), lambda p: os.symlink(os.path.join(out, "canary"), p))
    replace(os.path.join(t, "proc/cpuinfo"), lambda p: os.symlink("/proc/cpuinfo", p))  # the live one
    replace(os.path.join(t, "proc/170/status"), lambda p: os.symlink("/proc/self/status", p))
    res = all_commands(tool, t, "escape")
    same_groups("escape", intact, res, [0, 1, 2])
    for k, v in res.items():
        s = v if isinstance(v, (str, bytes)) else json.dumps(v)
        if isinstance(s, str):
            s = s.encode()
        if b"ESCAPED-CANARY" in s or b"domain7" in s:
            fail("escape: %s read a file outside the root" % k)
        elif k != "record_grep":
            ok()
    if b"ESCAPED-CANARY" in res.get("record_grep", b""):
        fail("escape: record copied a file from outside the root")
    else:
        ok()
    live_cpu = open("/proc/cpuinfo").read().split("\n")[4:5]
    if live_cpu and live_cpu[0] and live_cpu[0] in (res["ch"] or ""):
        fail("escape: check-host shows this machine's /proc/cpuinfo")
    else:
        ok()
    return 0


def sparse(size):
    def mk(p):
        with open(p, "wb") as f:
            f.truncate(size)
    return mk


def filled(size, byte=b"A"):
    def mk(p):
        with open(p, "wb") as f:
            f.write(byte * size)
    return mk


MIB = 1 << 20
RSS_BOUND_KIB = int(os.environ.get("HOSTILE_RSS_KIB", str(32 * 1024)))


def c_big(tool, data, tmp, intact):
    t = copy_tree(data, tmp)
    # 1 MiB of text and 100 MiB sparse values, where files are small
    replace(os.path.join(t, GROUPS, "3/name"), filled(MIB))
    replace(os.path.join(t, DEV3, "driver_override"), filled(MIB))
    replace(os.path.join(t, DEV3, "uevent"), sparse(100 * MIB))
    replace(os.path.join(t, PHB3, "ibm,supported-tce-sizes"), sparse(100 * MIB))
    replace(os.path.join(t, PHB3, "ranges"), filled(MIB, b"\x01"))
    replace(os.path.join(t, "proc/cpuinfo"), sparse(100 * MIB))
    for f in ("status", "maps", "limits", "cmdline"):
        replace(os.path.join(t, "proc/170", f), sparse(100 * MIB))
    replace(os.path.join(t, "out/l2.log"), sparse(100 * MIB))
    worst = 0
    for args in (["list-groups"], ["list-groups", "--json"], ["list-groups", "-O"], ["check-host", "--json"],
                 ["list-vms", "-J"], ["show-vm", "l2"]):
        r = Run([tool, "--root", t] + args, measure=True)
        check_run(r, {0, 1, 2, 3}, args[-1] in ("--json", "-J"), "big")
        print("big: %s: peak RSS %d KiB, %.2fs" % (" ".join(args), r.rss_kib, r.seconds))
        worst = max(worst, r.rss_kib)
        if SANITIZED:
            pass  # ASan's shadow and quarantine are no measure of the tool
        elif r.rss_kib > RSS_BOUND_KIB:
            fail("big: %s peak RSS %d KiB > %d KiB" % (" ".join(args), r.rss_kib, RSS_BOUND_KIB))
        else:
            ok()
    print("big: worst peak RSS %d KiB" % worst)
    if os.environ.get("HOSTILE_KEEP"):
        shutil.copytree(t, os.environ["HOSTILE_KEEP"], symlinks=True)
    res = all_commands(tool, t, "big")
    same_groups("big", intact, res, [0, 1, 2])
    expect_note("big", res, 3, r"name: File too large")
    expect_note("big", res, 3, r"uevent: File too large")
    return 0


HOSTILE = b"\x1b]0;pwned\x07\x1b[31m\x9b1m\xc2\x9b2m\xff\xfe\x7f\x01\r\\"


def c_strings(tool, data, tmp, intact):
    t = copy_tree(data, tmp)
    h = HOSTILE

    def w(rel, b):
        with open(os.path.join(t, rel), "wb") as f:
            f.write(b)

    w(GROUPS + "/3/name", b"domain3-pe1fb" + h + b"\n")
    w(GROUPS + "/4/type", b"DMA" + h + b"\n")
    w(GROUPS + "/4/reserved_regions", b"0x0 0xff " + h + b"\n")
    w(DEV3 + "/driver_override", b"vfio" + h + b"\n")
    w(DEV3 + "/eeh_mode", h + b"\n")
    w(DEV3 + "/eeh_pe_state", h + b"\n")
    with open(os.path.join(t, DEV3, "uevent"), "rb") as f:
        ue = f.read()
    ue = re.sub(rb"DRIVER=\S+", lambda m: b"DRIVER=e1000e" + h.replace(b"\n", b""), ue)
    w(DEV3 + "/uevent", ue)
    # device-tree strings of the device and its PHB
    dt = os.path.join(t, PHB3)
    w(PHB3 + "/compatible", b"ibm,power9-pciex" + h + b"\0ibm,ioda3-phb\0")
    for dp, dns, fns in os.walk(dt):
        if "ibm,loc-code" in fns or os.path.basename(dp).startswith("ethernet"):
            with open(os.path.join(dp, "ibm,loc-code"), "wb") as f:
                f.write(b"U78" + h + b"\0")
    # a device whose name is hostile: a link in the group, its sysfs dir
    d4 = os.path.join(t, GROUPS, "4/devices")
    (dev4,) = os.listdir(d4)
    tgt = os.readlink(os.path.join(d4, dev4))
    evil = "0003:04:00.0" + h.decode("latin-1").replace("/", "")
    evil_b = evil.encode("latin-1")
    os.unlink(os.path.join(d4, dev4))
    os.symlink(tgt.encode()[:-len(dev4)] + evil_b, os.path.join(d4.encode(), evil_b))
    real = os.path.normpath(os.path.join(d4, tgt))
    os.rename(real, os.path.join(os.path.dirname(real).encode(), evil_b))
    # the recording's manifest names its paths as the host does
    man = os.path.join(t, ".tceiommu/manifest")
    with open(man, "rb") as fh:
        mb = fh.read()
    with open(man, "wb") as fh:
        fh.write(mb.replace(b"/" + dev4.encode(), b"/" + evil_b))
    # the machine and the VM
    for f, b in (("proc/cpuinfo", None), ("proc/170/comm", b"qemu" + h + b"\n")):
        if b is None:
            with open(os.path.join(t, f), "rb") as fh:
                b = re.sub(rb"(model\s*:\s*)([^\n]*)", lambda m: m.group(1) + m.group(2) + h.replace(b"\n", b""), fh.read())
        w(f, b)
    with open(os.path.join(t, "proc/170/cmdline"), "rb") as fh:
        cl = fh.read()
    w("proc/170/cmdline", cl.replace(b"guest=l2", b"guest=l2" + h.replace(b"\0", b"")))
    with open(os.path.join(t, "out/l2.log"), "ab") as fh:
        fh.write(b"qemu-system-ppc64: " + h + b"\n")
    if os.environ.get("HOSTILE_KEEP"):
        shutil.copytree(t, os.environ["HOSTILE_KEEP"], symlinks=True)
    res = all_commands(tool, t, "strings", vm="l2" + h.replace(b"\0", b"").decode("latin-1"))
    same_groups("strings", intact, res, [0, 1, 2])
    # JSON holds the strings, as U+FFFD where they were not UTF-8
    g3 = groups_by_number(res["lgj"]).get(3) or {}
    if g3.get("name", "").startswith("domain3-pe1fb\x1b]0;pwned\x07"):
        ok()
    else:
        fail("strings: group 3's name in JSON: %r" % g3.get("name"))
    # list-vms' table escapes the VM's name once, as list-groups' does
    if "l2\\x1b]0;pwned" in (res["lv"] or "") and "\\x5cx1b" not in (res["lv"] or ""):
        ok()
    else:
        fail("strings: list-vms' NAME is not escaped once: %r" % (res["lv"] or "")[:400])
    # the text outputs escape it (checked for every run: no raw control byte)
    if "\\x1b]0;pwned" in (res["lg"] or "") or "\\x1b" in (res["lgO"] or ""):
        ok()
    else:
        fail("strings: the escaped name is not in the text output")
    return 0


def gen_lean(out, groups, per_group_files=True):
    """GROUPS IOMMU groups of one function each, all of whose sysfs
    directories are one device (the tool reads each group's as its own): the
    tree stays small while the tool walks every group."""
    g = os.path.join(out, GROUPS)
    os.makedirs(g)
    dev = "sys/devices/pci0000:00/0000:00:00.0/0000:01:00.0"
    os.makedirs(os.path.join(out, dev))
    for f, v in (("uevent", "DRIVER=ixgbe\nPCI_ID=8086:10FB\nPCI_SLOT_NAME=0000:01:00.0\n"),
                 ("vendor", "0x8086\n"), ("device", "0x10fb\n"), ("class", "0x020000\n"),
                 ("numa_node", "0\n"), ("driver_override", "(null)\n")):
        with open(os.path.join(out, dev, f), "w") as fh:
            fh.write(v)
    os.makedirs(os.path.join(out, "sys/bus/pci/drivers/ixgbe"))
    os.symlink("../../../bus/pci/drivers/ixgbe", os.path.join(out, dev, "driver"))
    os.makedirs(os.path.join(out, "proc"))
    tgt = "../../../../" + dev
    for n in range(groups):
        d = os.path.join(g, str(n), "devices")
        os.makedirs(d)
        os.symlink(tgt, "%s/%04x:%02x:%02x.%x" % (d, n >> 16, (n >> 8) & 0xff, (n >> 3) & 0x1f, n & 7))


def c_many(tool, data, tmp, intact):
    n = int(os.environ.get("HOSTILE_GROUPS", "100000"))
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else tmp
    with tempfile.TemporaryDirectory(prefix="tce-hostile-many.", dir=base) as d:
        t0 = time.monotonic()
        gen_lean(d, n)
        print("many: %d groups generated in %.1fs" % (n, time.monotonic() - t0))
        bound = int(os.environ.get("HOSTILE_MANY_RSS_KIB", str(32 * 1024)))
        for args, js in ((["list-groups", "--json"], True), (["list-groups"], False)):
            r = Run([tool, "--root", d] + args, deadline=max(DEADLINE, 120), measure=True)
            doc = check_run(r, {0}, js, "many")
            print("many: %s: %.1fs, peak RSS %d KiB" % (" ".join(args), r.seconds, r.rss_kib))
            if SANITIZED:
                pass  # ASan's shadow and quarantine are no measure of the tool
            elif r.rss_kib > bound:
                fail("many: %s peak RSS %d KiB > %d KiB" % (" ".join(args), r.rss_kib, bound))
            else:
                ok()
            if js and doc is not None:
                if len(doc["groups"]) == n:
                    ok()
                else:
                    fail("many: %d groups in JSON, want %d" % (len(doc["groups"]), n))
            elif doc is not None:
                lines = doc.count("\n")
                if lines >= 2 * n:
                    ok()
                else:
                    fail("many: %s printed %d lines for %d groups" % (" ".join(args), lines, n))
    return 0


def c_vanish(tool, data, tmp, intact):
    """Files and directories removed while list-groups walks them."""
    n = int(os.environ.get("HOSTILE_VANISH_GROUPS", "3000"))
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else tmp
    gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "gen-host.py")
    with tempfile.TemporaryDirectory(prefix="tce-hostile-vanish.", dir=base) as d:
        t0 = time.monotonic()
        tree = os.path.join(d, "t")
        subprocess.run([sys.executable, gen, tree, str(n), "1"], check=True, stdout=subprocess.DEVNULL)
        print("vanish: %d groups generated in %.1fs" % (n, time.monotonic() - t0))
        victims = []
        for root, dns, fns in os.walk(os.path.join(tree, "sys")):
            for f in fns:
                victims.append(os.path.join(root, f))
            for dn in dns:
                victims.append(os.path.join(root, dn))
        random.seed(11)
        random.shuffle(victims)
        rounds = int(os.environ.get("HOSTILE_VANISH_ROUNDS", "6"))
        per = len(victims) // (rounds * 2)
        argsets = [["list-groups", "--json"], ["list-groups"], ["list-groups", "-O"], ["check-host", "--json"],
                   ["record", "REC"]]
        for i in range(rounds):
            chunk = victims[i * per:(i + 1) * per]
            args = argsets[i % len(argsets)]
            rec = None
            if args[0] == "record":
                rec = tempfile.mkdtemp(prefix="rec.", dir=d)
                args = ["record", os.path.join(rec, "s")]
            stop = threading.Event()

            def remover():
                for p in chunk:
                    if stop.is_set():
                        return
                    try:
                        if os.path.isdir(p) and not os.path.islink(p):
                            shutil.rmtree(p, ignore_errors=True)
                        else:
                            os.unlink(p)
                    except OSError:
                        pass

            th = threading.Thread(target=remover)
            th.start()
            r = Run([tool, "--root", tree] + args)
            stop.set()
            th.join()
            js = args[-1] == "--json"
            rcs = {0, 1, 2, 3} if args[0] == "check-host" else {0}
            doc = check_run(r, rcs, js, "vanish round %d" % i)
            if js and doc is not None and args[0] == "list-groups":
                print("vanish round %d: %d groups, %.2fs" % (i, len(doc["groups"]), r.seconds))
            if rec:
                rr = Run([tool, "--root", os.path.join(rec, "s"), "list-groups", "--json"])
                check_run(rr, {0}, True, "vanish round %d, replayed" % i)
    return 0


def c_privilege(tool, data, tmp, intact):
    """Section 4: every command as nobody, on the snapshots and on this host."""
    if os.getuid() != 0 or not shutil.which("setpriv"):
        print("SKIP: needs root (to drop to nobody) and setpriv")
        return 77
    # a snapshot replays the same for any user who can read it
    for snap, vm in (("powernv9-6.12-l2run", "l2"), ("powernv9-6.12-l2memlock-vfio", "l2"),
                     ("pseries-6.12-nested", None), ("powernv10-6.12", None)):
        root = os.path.join(data, snap)
        a = all_commands(tool, root, snap + " as root", False, vm=vm, record=False)
        b = all_commands(tool, root, snap + " as nobody", True, vm=vm, record=False)
        for k in a:
            if a[k] != b[k]:
                fail("%s: %s differs as nobody" % (snap, k))
            else:
                ok()
    r = Run([tool, "--root", os.path.join(data, "powernv9-6.12-l2run"), "top", "-b", "-n", "1", "-d", "1"], True)
    check_run(r, {0, 1, 3}, what="replayed top as nobody")
    # this host, live, as nobody
    lg = Run([tool, "list-groups"], True)
    check_run(lg, {0}, what="live as nobody")
    lgj = check_run(Run([tool, "list-groups", "--json"], True), {0}, True, "live as nobody")
    lgj_root = check_run(Run([tool, "list-groups", "--json"]), {0}, True, "live as root")
    if lgj and lgj_root and [g["group"] for g in lgj["groups"]] != [g["group"] for g in lgj_root["groups"]]:
        fail("live: nobody sees other groups than root")
    chr_ = Run([tool, "check-host", "--json"])
    root_doc = check_run(chr_, {0, 1, 2, 3}, True, "live as root")
    chn = Run([tool, "check-host", "--json"], True)
    doc = check_run(chn, {0, 1, 2, 3}, True, "live as nobody")
    if doc is not None:
        if chn.rc != levels_exit(doc):
            fail("live check-host as nobody: exit %d, its levels say %d" % (chn.rc, levels_exit(doc)))
        else:
            ok()
        rootc = {c["id"]: c for c in root_doc["checks"]} if root_doc else {}
        for c in doc["checks"]:
            rc_ = rootc.get(c["id"])
            # never a false green: what root does not find healthy, nobody may not
            if c["level"] == "PASS" and rc_ and rc_["level"] not in ("PASS",):
                fail("live check-host: %s PASS as nobody, %s as root" % (c["id"], rc_["level"]))
            elif c["level"] == "UNKNOWN" and not (c.get("hint") or "").strip():
                fail("live check-host: %s UNKNOWN as nobody without a hint: %r" % (c["id"], c["message"]))
            else:
                ok()
        if any(c["level"] == "UNKNOWN" for c in doc["checks"]) and chn.rc == 0:
            fail("live check-host as nobody: UNKNOWN checks, exit 0")
        if os.path.exists("/dev/kvm") and not os.access("/dev/kvm", os.R_OK | os.W_OK):
            kd = {c["id"]: c for c in doc["checks"]}.get("kvm.device")
            if kd and kd["level"] != "PASS" and "root" in (kd["message"] + (kd.get("hint") or "")):
                ok()
            else:
                fail("live check-host as nobody: kvm.device %r" % kd)
    check_run(Run([tool, "check-host"], True), {0, 1, 2, 3}, what="live as nobody")
    # a root QEMU with a VFIO device (a stand-in: its comm and command line):
    # nobody cannot read its fds, so its verdict is unknown, never a guess
    fake = os.path.join(tmp, "qemu-system-ppc64")
    shutil.copy(sys.executable, fake)
    q = subprocess.Popen([fake, "-c", "import time; time.sleep(60)", "-name", "guest=hostile-fake",
                          "-machine", "pseries,accel=kvm", "-m", "1024",
                          "-device", "vfio-pci,host=0000:01:00.0,id=hostdev0"])
    try:
        for _ in range(100):
            try:
                with open("/proc/%d/comm" % q.pid) as f:
                    if f.read().startswith("qemu-system"):
                        break
            except OSError:
                pass
            time.sleep(0.02)
        fv = Run([tool, "list-vms", "-J", "--no-libvirt"], True)
        d = check_run(fv, {3}, True, "live, a root QEMU, as nobody")
        vm = [v for v in (d or {"vms": []})["vms"] if v["name"] == "hostile-fake"]
        if not vm or vm[0]["verdict"] != "unknown":
            fail("live list-vms as nobody: the root QEMU's verdict %r" % (vm[0]["verdict"] if vm else None))
        else:
            ok()
        sv = Run([tool, "show-vm", "hostile-fake", "--no-libvirt"], True)
        out = check_run(sv, {3}, what="live, a root QEMU, as nobody")
        if out is not None and "needs root" not in out:
            fail("live show-vm as nobody: no 'needs root': %r" % out[:600])
        chq = Run([tool, "check-host", "--json"], True)
        d = check_run(chq, {0, 1, 2, 3}, True, "live, a root QEMU, as nobody")
        dr = check_run(Run([tool, "check-host", "--json"]), {0, 1, 2, 3}, True, "live, a root QEMU")
        c = {x["id"]: x for x in (d or {"checks": []})["checks"]}.get("memlock.qemu")
        cr = {x["id"]: x for x in (dr or {"checks": []})["checks"]}.get("memlock.qemu")
        # what nobody reads of it (status, limits, cmdline) is world-readable
        if c is None or cr is None or (c["level"] == "PASS" and cr["level"] != "PASS") or \
                c["level"] not in ("PASS", "UNKNOWN", cr["level"]) or chq.rc != levels_exit(d):
            fail("live check-host, a root QEMU: memlock.qemu as nobody %r, as root %r" % (c, cr))
        else:
            ok()
    finally:
        q.kill()
        q.wait()
    lv = Run([tool, "list-vms", "-J"], True)
    d = check_run(lv, {0, 1, 3}, True, "live as nobody")
    if d is not None and d["vms"] and lv.rc != verdicts_exit(d):
        fail("live list-vms as nobody: exit %d, verdicts say %d" % (lv.rc, verdicts_exit(d)))
    check_run(Run([tool, "list-vms"], True), {0, 1, 3}, what="live as nobody")
    sv = Run([tool, "show-vm", "no-such-vm-here"], True)
    check_run(sv, {1, 3}, what="live as nobody")
    top = Run([tool, "top", "-b", "-n", "1", "-d", "1"], True)
    check_run(top, {3}, what="live as nobody")
    if not top.err.strip():
        fail("live top as nobody: exit 3 without a word")
    elif os.path.isdir("/sys/kernel/tracing/events/kvm_hv") and b"root" not in top.err:
        fail("live top as nobody: no 'needs root': %r" % top.err)
    else:
        ok()
    check_run(Run([tool, "examples"], True), {0}, what="as nobody")
    os.chmod(tmp, 0o777)
    rec = os.path.join(tmp, "rec")
    check_run(Run([tool, "record", rec], True), {0}, what="live as nobody")
    check_run(Run([tool, "--root", rec, "list-groups", "--json"], True), {0}, True, "live record as nobody, replayed")
    rcj = Run([tool, "--root", rec, "check-host", "--json"], True)
    d = check_run(rcj, {0, 1, 2, 3}, True, "live record as nobody, replayed")
    if d is not None and rcj.rc != levels_exit(d):
        fail("replayed check-host: exit %d, its levels say %d" % (rcj.rc, levels_exit(d)))
    return 0


CLASSES = {
    "unreadable": c_unreadable,
    "fifo": c_fifo,
    "loop": c_loop,
    "escape": c_escape,
    "big": c_big,
    "strings": c_strings,
    "vanish": c_vanish,
    "many": c_many,
    "privilege": c_privilege,
}


def main():
    tool, data, cls = sys.argv[1], sys.argv[2], sys.argv[3]
    # ctest's timeout (SIGTERM) and ^C: the temporary trees go too
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(1))
    tool = os.path.abspath(tool)
    with tempfile.TemporaryDirectory(prefix="tce-hostile.") as tmp:
        os.chmod(tmp, 0o755)
        intact = None
        if cls not in ("many", "vanish", "privilege"):
            intact = all_commands(tool, os.path.join(data, SRC), "intact", record=False)
        rc = CLASSES[cls](tool, data, tmp, intact)
        if rc == 77:
            return 77
    print("%s: %d passed, %d failed" % (cls, passes, len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
