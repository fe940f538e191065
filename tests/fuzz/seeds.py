#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seed corpora for the fuzz targets, from the real recordings in tests/data.

    seeds.py OUTDIR [REPO]

writes OUTDIR/TARGET/<sha1 of the input> for every target: each recording's
uevent files, device-tree properties, group names, sysfs values, /proc files,
manifests and probe sidecars, QEMU's recorded QMP answers (as QOM scripts,
"info mtree -f" texts and whole QMP transcripts), QEMU logs, the hcall
tracepoints' format files, the domains of tests/libvirt, and one input per
recording for the tree fuzzer. Nothing is committed: run it at fuzz time.
"""
import hashlib
import json
import os
import re
import struct
import sys
import xml.etree.ElementTree as ET

MAX_PER_TARGET = 600
MAX_SIZE = 256 << 10

out = sys.argv[1]
repo = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..")
data = os.path.join(repo, "tests", "data")
counts = {}


def put(target, blob):
    if isinstance(blob, str):
        blob = blob.encode("utf-8", "surrogateescape")
    if len(blob) > MAX_SIZE or counts.get(target, 0) >= MAX_PER_TARGET:
        return
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, hashlib.sha1(blob).hexdigest())
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(blob)
        counts[target] = counts.get(target, 0) + 1


def read(p):
    with open(p, "rb") as f:
        return f.read(MAX_SIZE + 1)


def unescape(s):
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), s)


recordings = sorted(d for d in os.listdir(data)
                    if os.path.isdir(os.path.join(data, d, ".tceiommu"))
                    or os.path.isdir(os.path.join(data, d, "sys")))

for rec in recordings:
    top = os.path.join(data, rec)
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        rel = os.path.relpath(dirpath, top)
        for name in sorted(filenames):
            p = os.path.join(dirpath, name)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            b = read(p)
            if name == "uevent":
                put("uevent", b)
            if "devicetree" in rel or "device-tree" in rel:
                # #address-cells 2/#size-cells 2 (a PHB's DMA window), and 3/2 (ranges)
                put("devtree", b"\x02\x02" + b)
                if name == "ranges":
                    put("devtree", b"\x02\x02" + b)
                    put("devtree", b"\x01\x01" + b)
            if "iommu_groups" in rel and name == "name":
                put("group-name", b)
            if rel.startswith("sys") and len(b) <= 64 and b"\0" not in b:
                put("values", b"\x00" + b)
                put("values", b"\x02" + b)
            if rel == "proc" and name == "cpuinfo":
                put("cpuinfo", b)
            if re.fullmatch(r"proc/\d+", rel):
                target = {"status": "proc-status", "limits": "proc-limits",
                          "maps": "proc-maps", "cmdline": "qemu-cmdline"}.get(name)
                if target:
                    put(target, b)
            if name.endswith(".log"):
                put("qemulog", b)
            if rel == ".tceiommu" and name == "manifest":
                put("manifest", b)
                for line in b.decode(errors="replace").splitlines():
                    if line.startswith("path "):
                        put("values", b"\x01" + line.split(" ", 2)[-1].encode())
                    if line.startswith("kernel_release "):
                        put("values", b"\x01" + line.split(" ", 1)[1].encode())
            if rel == ".tceiommu" and name == "probes":
                put("probes", b)
        if rel.startswith("sys/bus/pci/devices"):
            for d in dirnames:
                put("values", b"\x00" + d.encode())

    # QEMU's answers, recorded: per QEMU (pid), a QOM script, mtree texts, a transcript
    probes = os.path.join(top, ".tceiommu", "probes")
    if os.path.isfile(probes):
        scripts = {}
        for line in read(probes).decode(errors="replace").splitlines():
            f = line.split("\t")
            if len(f) != 3 or f[0] != "qmp" or " " not in f[1]:
                continue
            pid, req = f[1].split(" ", 1)
            if f[2].startswith("="):
                val = unescape(f[2][1:])
            elif f[2].startswith("!"):
                val = "!"
            else:
                continue
            scripts.setdefault(pid, []).append((req, val))
        for pid, pairs in scripts.items():
            put("qom", "".join("%s\t%s\n" % (r, v) for r, v in pairs))
            replies = {}
            for req, val in pairs:
                replies[req] = val
                if "info mtree" in req and not val.startswith(("error:", "!")):
                    try:
                        put("mtree", json.loads(val))
                    except ValueError:
                        pass
            # a transcript: greeting, capabilities, an event, then the replies to
            # the requests the qmp target makes (query-status, qom-list, mtree)
            t = ['{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}}, '
                 '"capabilities": ["oob"]}}', '{"return": {}}',
                 '{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "RESUME"}']
            for key in ('{"execute":"query-status"}',
                        '{"execute":"qom-list","arguments":{"path":"/machine/peripheral"}}',
                        '{"execute":"human-monitor-command","arguments":'
                        '{"command-line":"info mtree -f"}}'):
                v = replies.get(key)
                if v is None or v == "!":
                    continue
                if v.startswith("error:"):
                    t.append(json.dumps({"error": {"class": "GenericError", "desc": v[6:]}}))
                else:
                    t.append('{"return": %s}' % v)
            put("qmp", "\r\n".join(t) + "\r\n")

    # the hcall tracepoints: both formats, and a sample of each event built on them
    ev = os.path.join(top, "sys", "kernel", "tracing", "events", "kvm_hv")
    if os.path.isdir(ev):
        fe = read(os.path.join(ev, "kvm_hcall_enter", "format"))
        fx = read(os.path.join(ev, "kvm_hcall_exit", "format"))

        def sample(fmt, values):
            fields = {}
            for m in re.finditer(rb"field:[^;]* (\w+)(?:\[\d*\])?;\s*offset:(\d+);\s*size:(\d+);", fmt):
                fields[m.group(1).decode()] = (int(m.group(2)), int(m.group(3)))
            size = max(o + s for o, s in fields.values())
            raw = bytearray(size)
            for k, v in values.items():
                if k in fields:
                    o, s = fields[k]
                    raw[o:o + s] = v.to_bytes(s, "little")
            return bytes(raw)

        enter = sample(fe, {"vcpu_id": 1, "req": 0x20, "gpr4": 0x80000300})
        exit_ = sample(fx, {"vcpu_id": 1, "ret": 2, "hcall_rc": 0})
        put("hcall", fe + b"\0" + fx + b"\0" + bytes([0, len(enter)]) + enter +
            bytes([1, len(exit_)]) + exit_)


# the tree fuzzer: each recording it knows (byte 0), unchanged, every command
for i in range(9):
    put("tree", bytes([i, 0]))

hc = os.path.join(data, "hcall-trace")
if os.path.isdir(hc):
    put("hcall", read(os.path.join(hc, "kvm_hcall_enter.format")) + b"\0" +
        read(os.path.join(hc, "kvm_hcall_exit.format")) + b"\0")

for name in sorted(os.listdir(os.path.join(repo, "tests", "libvirt"))):
    if not name.endswith(".xml"):
        continue
    root = ET.parse(os.path.join(repo, "tests", "libvirt", name)).getroot()
    doms = [root] if root.tag == "domain" else root.iter("domain")
    for d in doms:
        put("libvirt-xml", ET.tostring(d, encoding="unicode"))

for t in sorted(counts):
    print("%-14s %d" % (t, counts[t]))
