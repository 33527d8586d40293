#!/usr/bin/env python3
"""gen_fuzz_elf.py -- a fixed-seed corpus of mutated x86-64 ELF programs
(issue 11: "60 of 667 fuzzed ELF files crash ferry"), replayed as programs by
check-reliab.sh with the kernel's verdict (a native exec) as the oracle.

    gen_fuzz_elf.py SEED COUNT OUTDIR BASE...

The same SEED, COUNT and BASE files always give the same corpus.  Bases:
a tiny hand-made static program built here (write "hello", exit 0), so part
of the corpus is the same on every machine, and the BASE programs given
(static, static-PIE, dynamic hello built by the tests).  Each file gets one
to three mutations of its ELF and program headers, or a truncation.  The
compiled bases get no mutation that moves their code under the entry point
(e_entry, p_vaddr, p_offset by whole pages): a jump into libc at random
could make any system call natively.  OUTDIR/corpus.txt says what each file
is.
"""
import random
import struct
import sys

EHDR = 64
PHDR = 56
# (offset, size) of ELF header fields worth breaking; e_entry (24) only
# for the hand-made base.
EHDR_FIELDS = [(4, 1), (5, 1), (6, 1), (7, 1), (16, 2), (18, 2), (20, 4),
               (32, 8), (40, 8), (48, 4), (52, 2), (54, 2), (56, 2), (58, 2),
               (60, 2), (62, 2)]
ENTRY_FIELD = (24, 8)
# (offset in a program header, size): p_type, p_flags, p_filesz, p_memsz,
# p_align; p_offset, p_vaddr, p_paddr only for the hand-made base.
PHDR_FIELDS = [(0, 4), (4, 4), (32, 8), (40, 8), (48, 8)]
PHDR_MOVES = [(8, 8), (16, 8), (24, 8)]


def tiny_program():
    """ET_EXEC at 0x400000, one read+execute PT_LOAD over the whole file."""
    code = bytes.fromhex("b801000000" "bf01000000" "488d3510000000" "ba06000000" "0f05"
                         "b83c000000" "31ff" "0f05") + b"hello\n"
    base, start = 0x400000, EHDR + PHDR
    size = start + len(code)
    ident = b"\x7fELF\x02\x01\x01" + bytes(9)
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, base + start, EHDR, 0, 0,
                               EHDR, PHDR, 1, 64, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, size, size, 0x1000)
    return bytearray(ehdr + phdr + code)


def interesting(rng, old, size):
    top = (1 << (8 * size)) - 1
    pick = rng.choice(["zero", "one", "max", "high", "page", "pagem1", "plus", "minus",
                       "bit", "random", "small"])
    return {
        "zero": 0, "one": 1, "max": top, "high": top >> 1, "page": 0x1000 & top,
        "pagem1": 0xfff & top, "plus": (old + rng.choice([1, 8, 0x1000])) & top,
        "minus": (old - rng.choice([1, 8, 0x1000])) & top,
        "bit": old ^ (1 << rng.randrange(8 * size)), "random": rng.randrange(top + 1),
        "small": rng.randrange(64),
    }[pick]


def get(buf, off, size):
    return int.from_bytes(buf[off:off + size], "little")


def put(buf, off, size, value):
    if off + size <= len(buf):
        buf[off:off + size] = value.to_bytes(size, "little")


def phdr_table(buf):
    phoff, phnum = get(buf, 32, 8), get(buf, 56, 2)
    return [phoff + i * PHDR for i in range(phnum) if phoff + (i + 1) * PHDR <= len(buf)]


def mutate(rng, buf, tiny):
    kind = rng.choice(["ehdr", "phdr", "phdr", "phdr", "swap", "byte", "truncate", "interp"])
    phdrs = phdr_table(buf)
    if kind == "ehdr":
        off, size = rng.choice(EHDR_FIELDS + ([ENTRY_FIELD] if tiny else []))
        put(buf, off, size, interesting(rng, get(buf, off, size), size))
        return "ehdr@%d" % off
    if kind == "phdr" and phdrs:
        i = rng.randrange(len(phdrs))
        off, size = rng.choice(PHDR_FIELDS + (PHDR_MOVES if tiny else []))
        put(buf, phdrs[i] + off, size, interesting(rng, get(buf, phdrs[i] + off, size), size))
        return "phdr%d@%d" % (i, off)
    if kind == "swap" and len(phdrs) > 1:
        a, b = rng.sample(range(len(phdrs)), 2)
        pa, pb = phdrs[a], phdrs[b]
        buf[pa:pa + PHDR], buf[pb:pb + PHDR] = buf[pb:pb + PHDR], buf[pa:pa + PHDR]
        return "swap%d,%d" % (a, b)
    if kind == "byte":
        off = rng.randrange(min(len(buf), EHDR + PHDR * max(1, len(phdrs))))
        moves = 24 <= off < 32 or any(p + 8 <= off < p + 32 for p in phdrs)
        if tiny or not moves:
            buf[off] ^= 1 << rng.randrange(8)
        return "byte@%d" % off
    if kind == "interp":
        for p in phdrs:
            if get(buf, p, 4) == 3:     # PT_INTERP: a broken interpreter name
                o, n = get(buf, p + 8, 8), get(buf, p + 32, 8)
                if o + n <= len(buf) and n:
                    buf[o + rng.randrange(n)] = rng.choice([0, 0x2f, 0x41, 0xff])
                    return "interp"
        return "none"
    cut = rng.choice([rng.randrange(EHDR), rng.randrange(len(buf)), len(buf) // 2])
    del buf[cut:]
    return "truncate@%d" % cut


def main():
    seed, count, outdir, bases = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    originals = [("tiny", tiny_program())]
    for path in bases:
        with open(path, "rb") as f:
            originals.append((path.rsplit("/", 1)[-1], bytearray(f.read())))
    lines = []
    for n in range(count):
        rng = random.Random(seed * 100003 + n)
        name, original = originals[n % len(originals)]
        buf = bytearray(original)
        what = [mutate(rng, buf, name == "tiny") for _ in range(rng.randint(1, 3))]
        path = "%s/fuzz-%03d" % (outdir, n)
        with open(path, "wb") as f:
            f.write(buf)
        lines.append("fuzz-%03d %s %s\n" % (n, name, " ".join(what)))
    with open(outdir + "/corpus.txt", "w") as f:
        f.writelines(lines)


if __name__ == "__main__":
    main()
