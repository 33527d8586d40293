#!/usr/bin/env python3
"""mkinitramfs.py -- writes a gzip'ed newc cpio initramfs for the Linux
boots of ferry-system (boot-linux, the nested-KVM check): busybox-static,
kernel modules with their dependencies (read from each module's .modinfo),
host binaries with the shared libraries ldd lists, and extra files.

usage: mkinitramfs.py OUT --init FILE [--modroot DIR --modules m1,m2]
                       [--bin SRC:DEST]... [--file SRC:DEST]..."""
import argparse, gzip, os, re, subprocess, sys


class Cpio:
    def __init__(self):
        self.parts, self.ino, self.seen = [], 1, set()

    def _entry(self, name, mode, data=b""):
        self.ino += 1
        hdr = "070701" + "".join(f"{v:08x}" for v in [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0,
                                                        len(name) + 1, 0])
        blob = hdr.encode() + name.encode() + b"\0"
        blob += b"\0" * (-len(blob) % 4) + data + b"\0" * (-len(data) % 4)
        self.parts.append(blob)

    def dirs(self, path):
        parts = path.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in self.seen:
                self.seen.add(d)
                self._entry(d, 0o40755)

    def file(self, dest, data, mode=0o100755):
        self.dirs(dest)
        self._entry(dest.strip("/"), mode, data)

    def symlink(self, dest, target):
        self.dirs(dest)
        self._entry(dest.strip("/"), 0o120777, target.encode())

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return b"".join(self.parts)


def module_index(modroot):
    index = {}
    for root, _, files in os.walk(modroot):
        for f in files:
            if f.endswith(".ko"):
                index[f[:-3].replace("-", "_")] = os.path.join(root, f)
    return index


def module_deps(path):
    m = re.search(rb"depends=([^\0]*)\0", open(path, "rb").read())
    return [d for d in (m.group(1).decode().split(",") if m else []) if d]


def add_modules(cpio, modroot, names):
    index, order = module_index(modroot), []
    def visit(name):
        key = name.replace("-", "_")
        if key not in index:
            sys.exit(f"mkinitramfs: module {name} not found under {modroot}")
        if key in order:
            return
        for dep in module_deps(index[key]):
            visit(dep)
        order.append(key)
    for n in names:
        visit(n)
    for key in order:
        cpio.file(f"lib/modules/{key}.ko", open(index[key], "rb").read(), 0o100644)
    cpio.file("lib/modules/order", "".join(k + "\n" for k in order).encode(), 0o100644)


def add_binary(cpio, src, dest):
    cpio.file(dest, open(src, "rb").read())
    ldd = subprocess.run(["ldd", src], capture_output=True, text=True).stdout
    for lib in re.findall(r"(/\S+\.so[^\s]*)", ldd):
        real = os.path.realpath(lib)
        cpio.file(lib, open(real, "rb").read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--init", required=True)
    ap.add_argument("--modroot")
    ap.add_argument("--modules", default="")
    ap.add_argument("--bin", action="append", default=[])
    ap.add_argument("--file", action="append", default=[])
    a = ap.parse_args()
    cpio = Cpio()
    cpio.file("bin/busybox", open("/bin/busybox", "rb").read())
    cpio.symlink("bin/sh", "busybox")
    cpio.file("init", open(a.init, "rb").read())
    for d in ["proc", "sys", "dev", "tmp", "mnt"]:
        cpio.dirs(d + "/x")
    if a.modules:
        add_modules(cpio, a.modroot, a.modules.split(","))
    for spec in a.bin:
        add_binary(cpio, *spec.split(":", 1))
    for spec in a.file:
        src, dest = spec.split(":", 1)
        cpio.file(dest, open(src, "rb").read(), 0o100644)
    with open(a.out, "wb") as f:
        f.write(gzip.compress(cpio.finish(), 6))


main()
