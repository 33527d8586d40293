#!/usr/bin/env python3
"""make_seeds.py -- writes the small valid seed inputs of tests/fuzz/*/
(run once; the outputs are committed): a tiny static x86-64 ELF program,
a PIE with PT_INTERP, an ELF kernel with a Xen PVH note, a bzImage-like
file, "#!" lines, valid descriptor chains and the syscall structures of
the converter harnesses (stat, semid, epoll) as the kernel fills them."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    os.makedirs(os.path.join(HERE, target), exist_ok=True)
    with open(os.path.join(HERE, target, name), "wb") as f:
        f.write(data)


def elf(etype, phdrs, body, entry):
    """An ELF64 header, program headers (type, flags, off, vaddr, filesz,
    memsz, align) and the body that follows them."""
    phoff, n = 64, len(phdrs)
    eh = (b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8) +
          struct.pack("<HHIQQQIHHHHHH", etype, 62, 1, entry, phoff, 0, 0, 64, 56, n, 64, 0, 0))
    ph = b"".join(struct.pack("<IIQQQQQQ", t, fl, off, va, va, fs, ms, al)
                  for t, fl, off, va, fs, ms, al in phdrs)
    return eh + ph + body


def seeds_elf():
    code = b"\xb8\x3c\x00\x00\x00\x31\xff\x0f\x05"       # exit(0)
    hdr = 64 + 56
    put("elf", "static", elf(2, [(1, 5, 0, 0x400000, hdr + len(code), hdr + len(code), 0x1000)],
                             code, 0x400000 + hdr))
    interp = b"/lib64/ld-linux-x86-64.so.2\0"
    hdr = 64 + 3 * 56
    body = interp + code
    put("elf", "pie-interp", elf(3, [(3, 4, hdr, hdr, len(interp), len(interp), 1),
                                     (1, 5, 0, 0, hdr + len(body), hdr + len(body) + 0x2000, 0x1000),
                                     (0x6474e551, 6, 0, 0, 0, 0, 16)],
                                 body, hdr + len(interp)))
    put("elf", "script", b"#!/bin/sh -e\necho hi\n")


def seeds_boot():
    # first byte: initrd flag (bit 0), command line length (bits 1-6)
    note = struct.pack("<III", 4, 4, 18) + b"Xen\0" + struct.pack("<I", 0x100000)
    code = b"\xf4"
    hdr = 64 + 2 * 56
    k = elf(2, [(1, 5, hdr, 0x100000, len(code), 0x1000, 0x1000),
                (4, 4, hdr + len(code), 0, len(note), len(note), 4)], code + note, 0x100000)
    put("boot", "pvh-elf", bytes([0x10]) + k)
    put("boot", "pvh-elf-initrd", bytes([0x11]) + k + bytes(64))
    bz = bytearray(0x1000 + 0x400)
    bz[0x1f1] = 1                               # setup_sects: setup is 2 sectors
    struct.pack_into("<I", bz, 0x1f4, (len(bz) - 0x400) // 16)
    bz[0x201] = 0x62                            # header ends at 0x264
    bz[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", bz, 0x206, 0x20f)
    bz[0x211] = 1                               # LOADED_HIGH
    struct.pack_into("<I", bz, 0x22c, 0x37ffffff)
    bz[0x236] = 1                               # XLF_KERNEL_64
    put("boot", "bzimage", bytes([0x20]) + bytes(bz))
    put("boot", "bzimage-initrd", bytes([0x21]) + bytes(bz) + bytes(0x600))


def seeds_virtq():
    ram = bytearray(0x1000)
    descs = [(0x400, 16, 1, 1), (0x500, 32, 2 | 1, 2), (0x600, 8, 2, 0), (0x700, 64, 0, 0)]
    for i, (a, ln, fl, nx) in enumerate(descs):
        struct.pack_into("<QIHH", ram, 16 * i, a, ln, fl, nx)
    struct.pack_into("<HHHH", ram, 0x100, 0, 2, 0, 3)   # avail: flags, idx 2, heads 0 and 3
    hdr = struct.pack("<HHIII", 4, 0, 0, 0x100, 0x200)
    put("virtq", "two-chains", hdr + bytes(ram))
    put("virtq", "empty", struct.pack("<HHIII", 8, 0, 0, 0x100, 0x200) + bytes(0x400))


def virtio_chains(chains):
    """Guest RAM with one chain per entry of chains (lists of (len, flags,
    bytes)): descriptors at 0, avail at 0x800, used at 0x900, data from 0x1000."""
    ram = bytearray(0x3000)
    at, d, heads = 0x1000, 0, []
    for chain in chains:
        heads.append(d)
        for k, (ln, fl, data) in enumerate(chain):
            last = k == len(chain) - 1
            struct.pack_into("<QIHH", ram, 16 * d, at, ln, fl | (0 if last else 1), 0 if last else d + 1)
            ram[at:at + len(data)] = data
            at, d = at + ((ln + 15) & ~15), d + 1
    struct.pack_into("<HH", ram, 0x800, 0, len(heads))
    for i, h in enumerate(heads):
        struct.pack_into("<H", ram, 0x804 + 2 * i, h)
    return ram


def seeds_virtio_dev():
    W = 2                                   # VIRTQ_DESC_F_WRITE
    def hdr(dev, q=0):
        return struct.pack("<BBHHIII", dev, q, 16, 0, 0, 0x800, 0x900)
    blk = lambda t, sector: struct.pack("<IIQ", t, 0, sector)
    put("virtio_dev", "blk-requests", hdr(0) + bytes(virtio_chains([
        [(16, 0, blk(1, 2)), (1024, 0, b"w" * 1024), (1, W, b"")],         # write 2 sectors
        [(16, 0, blk(0, 2)), (1024, W, b""), (1, W, b"")],                 # read them back
        [(16, 0, blk(4, 0)), (1, W, b"")],                                  # flush
        [(16, 0, blk(8, 0)), (20, W, b""), (1, W, b"")],                   # get id
        [(16, 0, blk(11, 0)), (16, 0, struct.pack("<QII", 4, 8, 0)), (1, W, b"")],  # discard
        [(16, 0, blk(0, 1 << 40)), (512, W, b""), (1, W, b"")],            # beyond the disk
        [(16, 0, blk(99, 0)), (1, W, b"")],                                 # unsupported
    ])))
    put("virtio_dev", "rng", hdr(1) + bytes(virtio_chains([[(64, W, b"")], [(7, W, b""), (9, W, b"")]])))
    put("virtio_dev", "console-tx", hdr(2, 1) + bytes(virtio_chains([[(6, 0, b"hello\n")]])))
    seeds_virtio_net(hdr, W)


def seeds_virtio_net(hdr, W):
    """virtio-net (device 3): tx frames behind the 12-byte header (one in a
    header-only chain, one split); rx: a 14 + 11 * 6 = 80-byte frame (the
    queue byte's bits 1-7 say 6) into one buffer, into a header and a
    frame buffer, and into a buffer too small for it."""
    frame = bytes(range(6)) + bytes(6) + b"\x08\x00" + b"ferry" * 8
    put("virtio_dev", "net-tx", hdr(3, 1) + bytes(virtio_chains([
        [(12, 0, bytes(12)), (len(frame), 0, frame)],
        [(12 + len(frame), 0, bytes(12) + frame)],
        [(12, 0, bytes(12))],
    ])))
    rx = 0 | (6 << 1)
    put("virtio_dev", "net-rx", hdr(3, rx) + bytes(virtio_chains([[(1526, W, b"")]])))
    put("virtio_dev", "net-rx-split", hdr(3, rx) + bytes(virtio_chains([[(12, W, b""), (1514, W, b"")]])))
    put("virtio_dev", "net-rx-short", hdr(3, rx) + bytes(virtio_chains([[(40, W, b"")]])))


def stat64(dev, ino, nlink, mode, uid, gid, rdev, size, blksize, blocks, t):
    """x86-64's struct stat (144 bytes); t: (sec, nsec) for a, m and c."""
    times = b"".join(struct.pack("<QQ", *t) for _ in range(3))
    return struct.pack("<QQQIIIIQqqq", dev, ino, nlink, mode, uid, gid, 0, rdev, size,
                       blksize, blocks) + times + bytes(24)


def seeds_conv():
    put("stat", "regular-file", stat64(0x803, 1234567, 1, 0o100644, 1000, 1000, 0, 5000, 4096, 16,
                                       (1764633600, 123456789)))
    put("stat", "char-device", stat64(5, 6, 1, 0o20666, 0, 5, 0x501, 0, 4096, 0, (1700000000, 0)))
    put("stat", "all-ones", b"\xff" * 144)
    perm = struct.pack("<iIIIIIHHxxxxQQ", 0x1234, 1000, 1000, 1000, 1000, 0o600, 7, 0, 0, 0)
    put("semid", "three-sems", perm + struct.pack("<qQqQQQQ", 1764633600, 0, 1764633000, 0, 3, 0, 0))
    put("semid", "unused-words-set", perm + struct.pack("<qQqQQQQ", 0, ~0 & (2**64 - 1), -1,
                                                        2**64 - 1, 250, 2**64 - 1, 2**64 - 1))
    put("epoll", "in-with-pointer", struct.pack("<IQ", 0x1, 0x00007ffd12345678))
    put("epoll", "out-et-oneshot", struct.pack("<IQ", 0x4 | 0x80000000 | 0x40000000, 42))


def seeds_map():
    """fuzz_map: ELF programs whose segments map with bss (a writable one
    whose last file page goes on with nonzero bytes past its file size, a
    read-only one), as ET_EXEC at 0x400000 and as a PIE; argv/envp from the
    tail ("\\0"-separated)."""
    code = b"\xb8\x3c\x00\x00\x00\x31\xff\x0f\x05"       # exit(0)
    hdr = 64 + 3 * 56
    data_off = hdr + len(code)
    tail = b"\x03prog\0-a\0--long-argument\0HOME=/root\0PATH=/bin:/usr/bin\0LANG=C"
    body = code + b"\x11" * 16 + b"\xaa" * 200 + tail
    for etype, base in ((2, 0x400000), (3, 0)):
        phdrs = [(1, 5, 0, base, data_off, data_off, 0x1000),
                 (1, 6, data_off, base + 0x201000 + data_off, 16, 0x3000, 0x1000),
                 (1, 4, data_off + 16, base + 0x301000 + data_off + 16, 32, 0x1800, 0x1000)]
        put("map", "bss-exec" if etype == 2 else "bss-pie", elf(etype, phdrs, body, base + hdr))


FZ_GUEST = 0x7ffff7a00000    # fuzz_sigframe.c's guest address of its memory


def sigframe(rsp_off, sig, flags, fp, alt=(0, 0), bv=7, magic=True, compact=False):
    """fuzz_sigframe's input: its 8-byte header, a ucontext at rsp and the
    FP area after it: "xsave" (64-byte aligned), "fx" (16-byte aligned; no
    XSAVE magics then) or "none" (a null fpstate)."""
    hdr = struct.pack("<HBBHH", rsp_off, sig - 1, flags, alt[0], alt[1])
    regs = [0x1000 * (i + 1) + i for i in range(16)]
    regs[15] = FZ_GUEST + rsp_off + 0x400          # rsp
    align = 16 if fp == "fx" else 64
    fp_off = (rsp_off + 304 + align - 1) & ~(align - 1)
    fp_addr = 0 if fp == "none" else FZ_GUEST + fp_off
    sc = struct.pack("<16QQQHHHHQQQQQ", *regs, 0x401234, 0x246, 0x33, 0, 0, 0x2b, 4, 14, 0, 0,
                     fp_addr) + bytes(64)
    uc = struct.pack("<QQQiiQ", 7, 0, 0, 2, 0, 0) + sc + struct.pack("<Q", 1 << 9)
    assert len(uc) == 304
    area = bytearray(836)
    struct.pack_into("<HHBxHQQII", area, 0, 0x37f, 0x0100, 0x80, 0, 0x401000, 0, 0x1f80, 0xffff)
    area[32:42] = struct.pack("<QH", 1 << 63, 0x3fff)   # st0 = 1.0
    for i in range(16):                             # xmm
        area[160 + 16 * i: 176 + 16 * i] = bytes([i + 1]) * 16
    if magic:
        struct.pack_into("<IIQI", area, 464, 0x46505853, 836, 7, 832)
        struct.pack_into("<I", area, 832, 0x46505845)
    struct.pack_into("<QQ", area, 512, bv, (1 << 63) | 7 if compact else 0)
    for i in range(16):                             # ymm upper halves
        area[576 + 16 * i: 592 + 16 * i] = bytes([0x80 + i]) * 16
    body = uc + bytes(fp_off - rsp_off - 304)
    return hdr + body + (b"" if fp == "none" else bytes(area))


def seeds_sigframe():
    put("sigframe", "xsave-avx", sigframe(0x1000, 11, 0, "xsave"))
    put("sigframe", "xsave-no-avx", sigframe(0x1000, 10, 0, "xsave", bv=3))
    put("sigframe", "xsave-compacted", sigframe(0x1000, 12, 0, "xsave", compact=True))
    put("sigframe", "fxsave-no-magic", sigframe(0x1000, 14, 0, "fx", magic=False))
    put("sigframe", "no-fpstate", sigframe(0x1000, 2, 0, "none"))
    put("sigframe", "onstack-saved-mask", sigframe(0x1800, 17, 5, "xsave", alt=(0x200, 0x80)))


if __name__ == "__main__":
    seeds_elf()
    seeds_boot()
    seeds_virtq()
    seeds_virtio_dev()
    seeds_conv()
    seeds_sigframe()
    seeds_map()
