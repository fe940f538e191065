#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Build a gzipped newc initramfs for a Debian ppc64el kernel booted under QEMU:
busybox-static, the cross-built tceiommu with its shared libraries, the kernel
modules asked for (with their dependencies, from each module's own
.modinfo "depends=", decompressed when .ko.xz), and an /init script.

No cpio or depmod is needed on the build machine: the archive is written
here, and /init loads the modules with insmod in dependency order, which it
reads from /modules.order.

Usage: mkinitrd.py --kernel-root DIR --release REL --busybox FILE [--tool FILE]
         [--lib FILE ...] --init FILE --module NAME [...] [--file SRC:DEST ...]
         [--tree DIR ...] --out FILE
Without --tool (the L2 guest's own initramfs) there is no tceiommu in it,
unless a --tree (a package unpacked with dpkg -x) brings one.
"""
import argparse
import gzip
import lzma
import os
import stat
import sys


class Cpio:
    """newc ("070701") writer: directories, files, symlinks."""

    def __init__(self):
        self.out = bytearray()
        self.ino = 1000
        self.seen = set()

    def _entry(self, name, mode, data=b""):
        name = name.lstrip("/")
        if name in self.seen:
            return
        self.seen.add(name)
        nb = name.encode() + b"\0"
        hdr = "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X" % (
            self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nb), 0)
        self.ino += 1
        self.out += hdr.encode() + nb
        self.out += b"\0" * ((4 - len(self.out) % 4) % 4)
        self.out += data
        self.out += b"\0" * ((4 - len(self.out) % 4) % 4)

    def dir(self, name):
        parts = name.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            self._entry("/".join(parts[:i]), stat.S_IFDIR | 0o755)

    def file(self, name, data, mode=0o644):
        self.dir(os.path.dirname(name.strip("/")) or ".") if "/" in name.strip("/") else None
        self._entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name, target):
        if "/" in name.strip("/"):
            self.dir(os.path.dirname(name.strip("/")))
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return bytes(self.out)


def norm(name):
    return name.replace("-", "_")


def module_index(moddir):
    idx = {}
    for dirpath, _, files in os.walk(moddir):
        for f in files:
            for ext in (".ko", ".ko.xz"):
                if f.endswith(ext):
                    idx[norm(f[: -len(ext)])] = os.path.join(dirpath, f)
    return idx


def module_bytes(path):
    with open(path, "rb") as fh:
        data = fh.read()
    return lzma.decompress(data) if path.endswith(".xz") else data


def depends(data):
    i = data.find(b"\0depends=")
    if i < 0:
        return []
    j = data.index(b"\0", i + 1)
    val = data[i + 9:j].decode()
    return [norm(d) for d in val.split(",") if d]


def resolve(idx, wanted):
    order, seen = [], set()

    def visit(m):
        if m in seen:
            return
        seen.add(m)
        if m not in idx:
            print("mkinitrd: module %s not in this kernel (built in?)" % m, file=sys.stderr)
            return
        for d in depends(module_bytes(idx[m])):
            visit(d)
        order.append(m)

    for w in wanted:
        visit(norm(w))
    return order


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel-root", required=True)
    ap.add_argument("--release", required=True)
    ap.add_argument("--busybox", required=True)
    ap.add_argument("--tool")
    ap.add_argument("--lib", action="append", default=[],
                    help="a shared library file (its soname is its file name)")
    ap.add_argument("--init", required=True)
    ap.add_argument("--file", action="append", default=[],
                    help="SRC:DEST, another file for the initramfs (DEST absolute)")
    ap.add_argument("--tree", action="append", default=[],
                    help="a directory whose contents go to / as they are (modes, symlinks)")
    ap.add_argument("--module", action="append", default=[])
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    c = Cpio()
    for d in ("bin", "sbin", "proc", "sys", "dev", "tmp", "run", "lib64",
              "lib/powerpc64le-linux-gnu", "usr/bin", "mnt"):
        c.dir(d)
    c.file("bin/busybox", open(a.busybox, "rb").read(), 0o755)
    if a.tool:
        c.file("usr/bin/tceiommu", open(a.tool, "rb").read(), 0o755)
    for p in a.lib:
        c.file("lib/powerpc64le-linux-gnu/" + os.path.basename(p), open(p, "rb").read(), 0o755)
    c.symlink("lib64/ld64.so.2", "/lib/powerpc64le-linux-gnu/ld64.so.2")
    for spec in a.file:
        src, dest = spec.split(":", 1)
        c.file(dest.lstrip("/"), open(src, "rb").read(), 0o755)
    for tree in a.tree:
        for dirpath, dirs, files in os.walk(tree):
            rel = os.path.relpath(dirpath, tree)
            for n in sorted(dirs + files):
                p, dest = os.path.join(dirpath, n), os.path.normpath(os.path.join(rel, n))
                st = os.lstat(p)
                if stat.S_ISLNK(st.st_mode):
                    c.symlink(dest, os.readlink(p))
                elif stat.S_ISDIR(st.st_mode):
                    c.dir(dest)
                else:
                    c.file(dest, open(p, "rb").read(), stat.S_IMODE(st.st_mode))

    moddir = os.path.join(a.kernel_root, "lib/modules", a.release)
    idx = module_index(moddir)
    order = resolve(idx, a.module)
    for m in order:
        c.file("modules/%s.ko" % m, module_bytes(idx[m]))
    c.file("modules.order", ("\n".join(order) + "\n").encode())
    c.file("init", open(a.init, "rb").read(), 0o755)
    with open(a.out, "wb") as fh:
        fh.write(gzip.compress(c.finish(), 6))
    print("mkinitrd: %s: %d modules (%s)" % (a.out, len(order), " ".join(order)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
