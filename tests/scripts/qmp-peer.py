#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile (and one good) fake QMP servers for the tool-level tests.

Usage: qmp-peer.py MODE SOCKET     serves until killed, a thread a connection

Modes:
  good         greeting, capabilities, query-status (prelaunch), qom-list of
               /machine/* (empty), anything else a CommandNotFound error
  silent       greeting and capabilities, then never answers
  no-greeting  accepts and never writes
  garbage      a greeting that is not JSON
  endless      a greeting that never ends: one JSON string growing forever
  huge         greeting and capabilities, then a 5 MiB reply
  close-mid    greeting and capabilities, then half a reply and a close
"""
import json
import os
import socket
import sys
import threading
import time

GREETING = b'{"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0}}, "capabilities": []}}\r\n'


def lines(c):
    f = c.makefile("rb")
    for line in f:
        line = line.strip()
        if line:
            try:
                yield json.loads(line)
            except ValueError:
                return


def serve(mode, c):
    try:
        if mode == "no-greeting":
            time.sleep(3600)
        if mode == "garbage":
            c.sendall(b"hello, this is not QMP\r\n")
            time.sleep(3600)
        if mode == "endless":
            c.sendall(b'{"QMP": "')
            chunk = b"x" * 65536
            while True:
                c.sendall(chunk)
        c.sendall(GREETING)
        for req in lines(c):
            cmd = req.get("execute")
            if cmd == "qmp_capabilities":
                c.sendall(b'{"return": {}}\r\n')
                continue
            if mode == "silent":
                time.sleep(3600)
            if mode == "huge":
                c.sendall(b'{"return": "' + b"y" * (5 << 20) + b'"}\r\n')
                continue
            if mode == "close-mid":
                c.sendall(b'{"return": {"status": "prel')
                c.close()
                return
            if cmd == "query-status":
                ans = {"return": {"status": "prelaunch", "running": False}}
            elif cmd == "qom-list":
                ans = {"return": []}
            else:
                ans = {"error": {"class": "CommandNotFound", "desc": "not here"}}
            c.sendall(json.dumps(ans).encode() + b"\r\n")
    except OSError:
        pass
    finally:
        try:
            c.close()
        except OSError:
            pass


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(mode, c), daemon=True).start()


if __name__ == "__main__":
    main()
