#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hold `tceiommu --root SNAP list-groups --json` against the snapshot's
hand-written facts.json: what proves truth, where the goldens prove only
stability. Only the keys a facts file states are compared.

Usage: check-facts.py TCEIOMMU SNAPSHOT_DIR [--as-nobody] [--facts FILE]
(--as-nobody runs the tool as uid/gid 65534 with setpriv; --facts takes the
facts from FILE instead of SNAPSHOT_DIR/facts.json, for a fresh recording of
a real kernel held against the committed one's facts.) A facts file's
"probe" part is held against SNAPSHOT_DIR/probe.json, the output of
list-groups --probe --json on the machine that was recorded.
"""
import json
import subprocess
import sys


def fail(msgs, where, what):
    msgs.append("%s: %s" % (where, what))


def window_map(g):
    return {w["kind"]: w for w in (g.get("windows") or [])}


def check_group(num, want, got, msgs):
    w = "group %s" % num
    if "name" in want and got.get("name") != want["name"]:
        fail(msgs, w, "name %r, facts say %r" % (got.get("name"), want["name"]))
    if "devices" in want:
        bdfs = sorted(d["bdf"] for d in got["devices"])
        if bdfs != sorted(want["devices"]):
            fail(msgs, w, "devices %s, facts say %s" % (bdfs, sorted(want["devices"])))
    if "viable" in want and got.get("viable") != want["viable"]:
        fail(msgs, w, "viable %r, facts say %r" % (got.get("viable"), want["viable"]))
    if "blockers" in want:
        have = sorted((b["bdf"], b["driver"]) for b in got["blockers"])
        exp = sorted((b["bdf"], b["driver"]) for b in want["blockers"])
        if have != exp:
            fail(msgs, w, "blockers %s, facts say %s" % (have, exp))
        for b in want["blockers"]:
            gb = [x for x in got["blockers"] if x["bdf"] == b["bdf"]]
            if "pf" in b and gb:
                is_pf = bool(gb[0].get("warning")) and "SR-IOV PF" in gb[0]["warning"]
                if is_pf != b["pf"]:
                    fail(msgs, w, "blocker %s PF warning %r, facts say pf=%r"
                         % (b["bdf"], gb[0].get("warning"), b["pf"]))
            for x in gb:
                cmd = x.get("command")
                # no command for names a shell would not take literally
                safe = all(c.isalnum() or c in "_-.:" for c in x["driver"])
                if (cmd is None) == safe or (cmd and ("unbind" not in cmd or "vfio-pci" in cmd)):
                    fail(msgs, w, "blocker %s command %r" % (b["bdf"], cmd))
    if "phb" in want:
        phb = got.get("phb")
        if want["phb"] is None:
            if phb is not None:
                fail(msgs, w, "phb %r, facts say none" % phb)
        elif phb is None:
            fail(msgs, w, "no phb, facts say %r" % want["phb"])
        else:
            for k, v in want["phb"].items():
                if phb.get(k) != v:
                    fail(msgs, w, "phb.%s %r, facts say %r" % (k, phb.get(k), v))
    if "pe" in want and got.get("pe") != want["pe"]:
        fail(msgs, w, "pe %r, facts say %r" % (got.get("pe"), want["pe"]))
    if "vfio_node" in want and (got.get("vfio") is not None) != want["vfio_node"]:
        fail(msgs, w, "vfio node %r, facts say %r" % (got.get("vfio"), want["vfio_node"]))
    if "holder_comms" in want:
        v = got.get("vfio")
        hs = None if v is None or v.get("holders") is None else sorted(
            h["comm"] for h in v["holders"])
        if hs != sorted(want["holder_comms"]):
            fail(msgs, w, "holders %r, facts say %r" % (hs, want["holder_comms"]))
    if "holder_vms" in want:
        # the VM a holder is (QEMU's -name), where it has one; null otherwise
        v = got.get("vfio")
        hs = None if v is None or v.get("holders") is None else sorted(
            (h.get("vm") for h in v["holders"]), key=str)
        if hs != sorted(want["holder_vms"], key=str):
            fail(msgs, w, "holders' VMs %r, facts say %r" % (hs, want["holder_vms"]))
    if "holders" in want:
        v = got.get("vfio")
        hs = None if v is None or v.get("holders") is None else sorted(
            h["pid"] for h in v["holders"])
        exp = None if want["holders"] is None else sorted(want["holders"])
        if hs != exp:
            fail(msgs, w, "holders %r, facts say %r" % (hs, exp))
    if "windows" in want:
        have = window_map(got)
        if set(have) != set(want["windows"]):
            fail(msgs, w, "windows %s, facts say %s" % (sorted(have), sorted(want["windows"])))
        for kind, fields in want["windows"].items():
            for k, v in fields.items():
                if kind in have and have[kind].get(k) != v:
                    fail(msgs, w, "window %s.%s %r, facts say %r"
                         % (kind, k, have[kind].get(k), v))
    elif got.get("windows"):
        fail(msgs, w, "windows %s, facts say none" % sorted(window_map(got)))


def check_vm(snap, want, msgs):
    """A QEMU guest's /proc entries and QMP answers recorded beside the
    snapshot (tests/e2e/init.sh with tce.l2=1): what the VM map will read."""
    import os
    procs = [p for p in os.listdir(snap + "/proc") if p.isdigit() and
             os.path.isdir("%s/proc/%s/fd" % (snap, p))]
    if len(procs) != 1:
        fail(msgs, "vm", "%d recorded QEMU processes" % len(procs))
        return
    pdir = "%s/proc/%s" % (snap, procs[0])
    comm = open(pdir + "/comm").read().strip()
    if comm != want["comm"]:
        fail(msgs, "vm", "comm %r, facts say %r" % (comm, want["comm"]))
    targets = [os.readlink(pdir + "/fd/" + f) for f in os.listdir(pdir + "/fd")]
    for t, n in want["fd_counts"].items():
        if targets.count(t) != n:
            fail(msgs, "vm", "%d fds -> %s, facts say %d" % (targets.count(t), t, n))
    maps = []
    for line in open(pdir + "/maps"):
        if line.rstrip().endswith("anon_inode:kvm-spapr-tce"):
            a, b = line.split()[0].split("-")
            maps.append(int(b, 16) - int(a, 16))
    if sorted(maps) != sorted(want["tce_maps_bytes"]):
        fail(msgs, "vm", "kvm-spapr-tce mappings %r, facts say %r" % (maps, want["tce_maps_bytes"]))
    for f, v in want.get("qmp_returns", {}).items():
        try:
            got = json.load(open("%s/.tceiommu/qmp/%s" % (snap, f)))["return"]
        except (OSError, ValueError, KeyError) as e:
            fail(msgs, "vm", "%s: %s" % (f, e))
            continue
        if got != v:
            fail(msgs, "vm", "%s returns %r, facts say %r" % (f, got, v))


def check_vms(tool, snap, want, msgs, nobody):
    """list-vms --json replayed: each VM's windows' verdicts (by LIOBN), the
    reason's words, its tables and groups, and the exit status."""
    cmd = [tool, "--root", snap, "list-vms", "--json"]
    if nobody:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if "exit_status" in want and out.returncode != want["exit_status"]:
        fail(msgs, "list-vms", "exit status %d, facts say %d (%s)"
             % (out.returncode, want["exit_status"], out.stderr.strip()))
    try:
        doc = json.loads(out.stdout)
    except ValueError as e:
        fail(msgs, "list-vms", "not JSON: %s" % e)
        return
    got = {v["name"]: v for v in doc["vms"]}
    if sorted(got) != sorted(want["vms"]):
        fail(msgs, "list-vms", "VMs %s, facts say %s" % (sorted(got), sorted(want["vms"])))
    for name, wv in want["vms"].items():
        v = got.get(name)
        if not v:
            continue
        w = "vm %s" % name
        wins = {"0x%08x" % x["liobn"]: x for p in v["phbs"] for x in p["windows"]}
        for liobn, verdict in wv.get("verdicts", {}).items():
            x = wins.get(liobn)
            if not x or x["verdict"] != verdict:
                fail(msgs, w, "%s verdict %r, facts say %r (%s)" % (
                    liobn, x and x["verdict"], verdict, x and x["reason"]))
        for liobn, words in wv.get("reason_contains", {}).items():
            x = wins.get(liobn)
            if not x or words not in (x["reason"] or ""):
                fail(msgs, w, "%s reason %r lacks %r" % (liobn, x and x["reason"], words))
        for key in ("verdict", "windows_in_kernel"):
            if key in wv and v.get(key) != wv[key]:
                fail(msgs, w, "%s %r, facts say %r" % (key, v.get(key), wv[key]))
        for key in ("tce_tables", "kvm_vfio", "vfio_groups"):
            if key in wv and v["kvm"].get(key) != wv[key]:
                fail(msgs, w, "kvm.%s %r, facts say %r" % (key, v["kvm"].get(key), wv[key]))
        for key, val in wv.get("memlock", {}).items():
            if v["memlock"].get(key) != val:
                fail(msgs, w, "memlock.%s %r, facts say %r" % (key, v["memlock"].get(key), val))
        for src in wv.get("sources", []):
            if src not in v["sources"]:
                fail(msgs, w, "not found by %s (%s)" % (src, v["sources"]))
        for line in wv.get("log_contains", []):
            if not any(line in l for l in v["log"]["lines"]):
                fail(msgs, w, "QEMU's log lines %r lack %r" % (v["log"]["lines"], line))


def check_top(tool, snap, want, msgs):
    """top replayed from the snapshot's recorded hcall events (record --top):
    per LIOBN the hcalls handled in the kernel and sent to QEMU, summed over
    the whole recording ("> 0" or a number), the VM each row names, and no
    flag (a measurement that disagrees with a verdict) unless the facts say."""
    out = subprocess.run([tool, "--root", snap, "top", "--json", "-d", "3600", "--no-libvirt"],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != want.get("exit_status", 0):
        fail(msgs, "top", "exit status %d, facts say %d (%s)" % (
            out.returncode, want.get("exit_status", 0), out.stderr.strip()))
    got, flags = {}, []
    for line in out.stdout.splitlines():
        for r in json.loads(line)["rows"]:
            g = got.setdefault(r["liobn_hex"], {"in_kernel": 0, "to_qemu": 0, "vm": r["vm"]})
            g["in_kernel"] += r["in_kernel"]
            g["to_qemu"] += r["to_qemu"]
            if r["flag"]:
                flags.append("%s: %s" % (r["liobn_hex"], r["flag"]))
    for liobn, w in want.get("liobns", {}).items():
        g = got.get(liobn)
        if g is None:
            fail(msgs, "top", "no hcalls on %s (rows: %s)" % (liobn, sorted(got)))
            continue
        for key in ("in_kernel", "to_qemu"):
            v = w.get(key)
            if v == "> 0" and not g[key] > 0 or isinstance(v, int) and g[key] != v:
                fail(msgs, "top", "%s %s %d, facts say %s" % (liobn, key, g[key], v))
        if "vm" in w and g["vm"] != w["vm"]:
            fail(msgs, "top", "%s is VM %r, facts say %r" % (liobn, g["vm"], w["vm"]))
    if sorted(flags) != sorted(want.get("flags", [])):
        fail(msgs, "top", "flags %s, facts say %s" % (flags, want.get("flags", [])))


def check_stopped(tool, snap, want, msgs):
    """show-vm of a VM that died at start: exit 1, and the lines of its QEMU
    log that say why."""
    for name, lines in want.items():
        out = subprocess.run([tool, "--root", snap, "show-vm", "--no-libvirt", name],
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 1 or "is not running" not in out.stderr:
            fail(msgs, "show-vm %s" % name, "exit %d: %s" % (out.returncode, out.stderr.strip()))
        for line in lines:
            if line not in out.stderr:
                fail(msgs, "show-vm %s" % name, "lacks %r: %s" % (line, out.stderr.strip()))


def check_probe(snap, want, msgs):
    """The real VFIO_IOMMU_SPAPR_TCE_GET_INFO answers, as --probe gave them,
    and the derived windows of the same group beside them."""
    try:
        doc = json.load(open(snap + "/probe.json"))
    except (OSError, ValueError) as e:
        fail(msgs, "probe", "no probe.json: %s" % e)
        return
    got = {str(g["group"]): g for g in doc["groups"]}
    for num, w in want.items():
        g = got.get(num)
        if not g:
            fail(msgs, "probe", "no group %s" % num)
            continue
        status = (g.get("probe") or {}).get("status")
        if status != w["status"]:
            fail(msgs, "probe", "group %s: status %r, facts say %r" % (num, status, w["status"]))
        vfio = {x["kind"]: x for x in g["windows"] if x["source"] == "vfio"}
        for kind in ("vfio_dma32", "vfio_ddw"):
            for k, v in w.get(kind, {}).items():
                if kind not in vfio or vfio[kind].get(k) != v:
                    fail(msgs, "probe", "group %s %s.%s %r, facts say %r"
                         % (num, kind, k, vfio.get(kind, {}).get(k), v))


def check_host(tool, snap, want, msgs, nobody):
    """check-host --json levels per check id, and the exit status."""
    cmd = [tool, "--root", snap, "check-host", "--json"]
    if nobody:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    try:
        doc = json.loads(out.stdout)
    except ValueError:
        fail(msgs, "check-host", "no JSON (exit %d): %s" % (out.returncode, out.stderr))
        return
    if out.returncode != want["exit_status"]:
        fail(msgs, "check-host", "exit status %d, facts say %d" % (out.returncode, want["exit_status"]))
    if doc["summary"]["exit_status"] != out.returncode:
        fail(msgs, "check-host", "summary.exit_status %r, exit %d" % (doc["summary"]["exit_status"], out.returncode))
    got = {c["id"]: c for c in doc["checks"]}
    for cid, level in want["levels"].items():
        if cid not in got:
            fail(msgs, "check-host", "no check %s" % cid)
        elif got[cid]["level"] != level:
            fail(msgs, "check-host", "%s is %s (%s), facts say %s"
                 % (cid, got[cid]["level"], got[cid]["message"], level))
    for cid, text in want.get("messages_contain", {}).items():
        if cid in got and text not in (got[cid]["message"] or ""):
            fail(msgs, "check-host", "%s message %r lacks %r" % (cid, got[cid]["message"], text))
    for c in doc["checks"]:
        if c["level"] not in ("PASS", "WARN", "FAIL", "UNKNOWN", "SKIP", "INFO"):
            fail(msgs, "check-host", "%s: level %r" % (c["id"], c["level"]))
        if c["level"] in ("WARN", "FAIL") and not c["hint"]:
            fail(msgs, "check-host", "%s is %s without a hint" % (c["id"], c["level"]))


def main():
    tool, snap = sys.argv[1], sys.argv[2]
    ffile = sys.argv[sys.argv.index("--facts") + 1] if "--facts" in sys.argv else snap + "/facts.json"
    facts = json.load(open(ffile))
    cmd = [tool, "--root", snap, "list-groups", "--json"]
    if "--as-nobody" in sys.argv[3:]:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
    out = subprocess.run(cmd,
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        print("tceiommu exited %d: %s" % (out.returncode, out.stderr))
        return 1
    doc = json.loads(out.stdout)
    msgs = []
    if doc.get("schema_version") != 1:
        fail(msgs, "document", "schema_version %r" % doc.get("schema_version"))
    if "platform" in facts and doc["platform"] != facts["platform"]:
        fail(msgs, "document", "platform %r, facts say %r" % (doc["platform"], facts["platform"]))
    got = {str(g["group"]): g for g in doc["groups"]}
    want = facts.get("groups", {})
    # "groups_partial": the facts name some groups only (the VM recordings,
    # whose host is powernv9-6.12's)
    if not facts.get("groups_partial") and sorted(got, key=int) != sorted(want, key=int):
        fail(msgs, "document", "groups %s, facts say %s" % (sorted(got, key=int), sorted(want, key=int)))
    for num, wg in want.items():
        if num in got:
            check_group(num, wg, got[num], msgs)
    if "probe" in facts:
        check_probe(snap, facts["probe"], msgs)
    if "vm" in facts:
        check_vm(snap, facts["vm"], msgs)
    if "vms" in facts:
        check_vms(tool, snap, facts["vms"], msgs, "--as-nobody" in sys.argv[3:])
    if "stopped" in facts:
        check_stopped(tool, snap, facts["stopped"], msgs)
    if "top" in facts:
        check_top(tool, snap, facts["top"], msgs)
    if "check_host" in facts:
        check_host(tool, snap, facts["check_host"], msgs, "--as-nobody" in sys.argv[3:])
    for m in msgs:
        print("FACT MISMATCH %s: %s" % (snap.rstrip("/").split("/")[-1], m))
    print("%s: %d groups checked, %d mismatches" % (snap.rstrip("/").split("/")[-1], len(want), len(msgs)))
    return 1 if msgs else 0


if __name__ == "__main__":
    sys.exit(main())
