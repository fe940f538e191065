#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A fake QMP server, for tool-level tests of the QMP client.

Usage: qmp-peer.py MODE SOCKET

Listens on the unix socket SOCKET (replacing a stale one) and serves until
killed, each connection in its own thread. MODE is one of:

  good         a greeting like QEMU 7.2's, then answers, each after a STOP event:
                 qmp_capabilities       {}
                 query-status           {"status": "prelaunch", "running": false, ...}
                 qom-list PATH          the children and properties of a pseries PHB
                                        (pci.1: tce-table-80000100 ...) or of /machine
                 qom-get PATH PROPERTY  the PHB's index, dma_win_addr, dma_win_size,
                                        dma64_win_addr, ddw, pgsz, numa_node, or
                                        {"class": "GenericError"} for another one
                 human-monitor-command  a few lines of "info mtree"
               and {"class": "CommandNotFound"} for any other command
  silent       accepts, reads, never writes
  garbage      sends a line that is not JSON, then reads
  endless      a greeting, then on the first request an endless reply without
               newline or closing brace, until the client goes away
  huge         a greeting, then replies of just over 4 MiB
  close-mid    a greeting and the capabilities, then half a reply and a close
  no-greeting  accepts and answers requests as "good" does, but sends no greeting

Requests are read as QEMU reads them: JSON objects, whatever the line breaks.
"""
import json
import os
import socket
import sys
import threading

GREETING = {"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7},
                                "package": "Debian 1:7.2+dfsg-7"},
                    "capabilities": ["oob"]}}
EVENT = {"timestamp": {"seconds": 1700000000, "microseconds": 1}, "event": "STOP"}
PHB = "/machine/peripheral/pci.1"
PHB_PROPS = {"index": 1, "dma_win_addr": 0, "dma_win_size": 1073741824,
             "dma64_win_addr": 576460752303423488, "ddw": True, "pgsz": 0x1211000,
             "numa_node": 4294967295}
MAX_REPLY = 4 << 20


def send(conn, obj):
    conn.sendall(json.dumps(obj).encode() + b"\r\n")


def error(cls, desc):
    return {"error": {"class": cls, "desc": desc}}


def qom_list(path):
    if path.rstrip("/") == PHB:
        kids = [("tce-table-80000100", "child<spapr-tce-table>"),
                ("tce-table-80000101", "child<spapr-tce-table>"),
                ("pci.1.0", "child<PCI>"),
                ("msi", "child<spapr-pci-host-bridge-msi>")]
        props = [("type", "string"), ("parent_bus", "link<bus>")]
        props += [(k, "uint64" if isinstance(v, int) and not isinstance(v, bool)
                   else "bool") for k, v in PHB_PROPS.items()]
        return {"return": [{"name": n, "type": t} for n, t in kids + props]}
    if path.rstrip("/") in ("/machine", ""):
        return {"return": [{"name": "peripheral", "type": "child<container>"},
                           {"name": "unattached", "type": "child<container>"},
                           {"name": "type", "type": "string"}]}
    return error("DeviceNotFound", "Device '%s' not found" % path)


def answer(req):
    cmd = req.get("execute")
    args = req.get("arguments") or {}
    if cmd == "qmp_capabilities":
        return {"return": {}}
    if cmd == "query-status":
        return {"return": {"status": "prelaunch", "singlestep": False, "running": False}}
    if cmd == "qom-list":
        return qom_list(args.get("path", ""))
    if cmd == "qom-get":
        if args.get("path", "").rstrip("/") != PHB:
            return error("DeviceNotFound", "Device '%s' not found" % args.get("path"))
        prop = args.get("property")
        if prop not in PHB_PROPS:
            return error("GenericError", "Property 'spapr-pci-host-bridge.%s' not found"
                         % prop)
        return {"return": PHB_PROPS[prop]}
    if cmd == "human-monitor-command":
        if args.get("command-line", "").startswith("info mtree"):
            return {"return": "address-space: memory\r\n"
                              "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\r\n"
                              "address-space: pci@800000020000000\r\n"
                              "  0000000000000000-000000003fffffff (prio 0, iommu):"
                              " tce-iommu-80000000\r\n"}
        return {"return": ""}
    return error("CommandNotFound", "The command %s has not been found" % cmd)


def requests(conn):
    """Yield each JSON object the client sends, until it closes."""
    dec = json.JSONDecoder()
    buf = ""
    while True:
        data = conn.recv(65536)
        if not data:
            return
        buf += data.decode("utf-8", "replace")
        while True:
            buf = buf.lstrip()
            if not buf:
                break
            try:
                obj, end = dec.raw_decode(buf)
            except ValueError:
                break  # incomplete: wait for more
            buf = buf[end:]
            yield obj if isinstance(obj, dict) else {}


def serve(conn, mode):
    with conn:
        if mode == "silent":
            while conn.recv(65536):
                pass
            return
        if mode == "garbage":
            conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
            while conn.recv(65536):
                pass
            return
        if mode != "no-greeting":
            send(conn, GREETING)
        for req in requests(conn):
            cmd = req.get("execute")
            if mode == "endless" and cmd != "qmp_capabilities":
                conn.sendall(b'{"return": "')
                chunk = b"a" * 65536
                while True:
                    conn.sendall(chunk)
            if mode == "huge" and cmd != "qmp_capabilities":
                body = b'{"return": "' + b"a" * (MAX_REPLY + 1) + b'"}\r\n'
                conn.sendall(body)
                continue
            if mode == "close-mid" and cmd != "qmp_capabilities":
                text = json.dumps(answer(req)).encode()
                conn.sendall(text[:len(text) // 2])
                return
            if cmd != "qmp_capabilities":
                send(conn, EVENT)
            send(conn, answer(req))


def handle(conn, mode):
    try:
        serve(conn, mode)
    except OSError:
        pass  # the client went away: that is its right


def main():
    modes = ("good", "silent", "garbage", "endless", "huge", "close-mid", "no-greeting")
    if len(sys.argv) != 3 or sys.argv[1] not in modes:
        sys.exit("usage: qmp-peer.py {%s} SOCKET" % "|".join(modes))
    mode, path = sys.argv[1], sys.argv[2]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(16)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn, mode), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
