#!/usr/bin/env python3
"""hostfuncs.py -- hostprof.py's host-instruction counts by guest function:
reads one `ferry -d exec,out_asm,strace -D LOG PROGRAM` log (strace: the
openat + mmap pairs say where each shared library was loaded), names each
executed block by the library symbol at or below its pc (nm on the
library, or on its detached debug file under /usr/lib/debug/.build-id,
which glibc's local __strlen_avx2 & co. need) and prints the heaviest
functions.  A measuring aid (session 29), not a test.

    hostfuncs.py LOG [TOP] [PATTERN]   PATTERN: only functions matching it
"""
import bisect
import collections
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import hostprof  # noqa: E402

OPEN = re.compile(r'openat\([^,]*,"([^"]+)",.*\) = (\d+)$')
MMAP0 = re.compile(r' mmap\(NULL,0x[0-9a-f]+,[^,]*,[^,]*,(\d+),0\) = (0x[0-9a-f]+)$')


def libraries(path):
    """[(base, library path)] from the strace lines: the first mmap of an
    opened file at offset 0 is its load base."""
    fds, out = {}, []
    for line in open(path, errors='replace'):
        m = OPEN.search(line)
        if m:
            fds[m.group(2)] = m.group(1)
            continue
        m = MMAP0.search(line)
        if m and m.group(1) in fds:
            out.append((int(m.group(2), 16), fds.pop(m.group(1))))
    return out


def debug_file(lib):
    try:
        notes = subprocess.run(['readelf', '-n', lib], capture_output=True, text=True).stdout
    except OSError:
        return lib
    m = re.search(r'Build ID: ([0-9a-f]+)', notes)
    if m:
        d = f'/usr/lib/debug/.build-id/{m.group(1)[:2]}/{m.group(1)[2:]}.debug'
        if os.path.exists(d):
            return d
    return lib


def symbols(lib):
    """sorted [(offset, name)] of the library's functions"""
    out = []
    for f in (debug_file(lib), lib):
        for args in (['nm', '-n', '--defined-only'], ['nm', '-n', '-D', '--defined-only']):
            r = subprocess.run(args + [f], capture_output=True, text=True).stdout
            for line in r.splitlines():
                w = line.split()
                if len(w) == 3 and w[1] in 'tTiW':
                    out.append((int(w[0], 16), w[2]))
        if out:
            break
    out.sort()
    return out


def main():
    log = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    pat = re.compile(sys.argv[3]) if len(sys.argv) > 3 else None
    counts, pairs, code = hostprof.parse(log)
    weight, _, total = hostprof.block_weights(counts, pairs, code)
    libs = sorted((b, lib, symbols(lib)) for b, lib in libraries(log))
    bases = [b for b, _, _ in libs]
    funcs, runs = collections.Counter(), collections.Counter()
    for pc, w in weight.items():
        addr = pc & ((1 << 48) - 1)
        k = bisect.bisect_right(bases, addr) - 1
        name = '?'
        if k >= 0:
            base, lib, syms = libs[k]
            j = bisect.bisect_right(syms, (addr - base, '\uffff')) - 1
            if j >= 0 and addr - base - syms[j][0] < 0x100000:
                name = f'{os.path.basename(lib)}:{syms[j][1]}'
        funcs[name] += w
        runs[name] += counts[pc]
    print(f'host instructions {total}')
    if pat:
        sel = sum(w for name, w in funcs.items() if pat.search(name))
        print(f'  {100 * sel / max(total, 1):5.2f}%  {sel:>11}  in functions matching {pat.pattern}')
    for name, w in funcs.most_common():
        if pat and not pat.search(name):
            continue
        print(f'  {100 * w / max(total, 1):5.2f}%  {w:>11}  {runs[name]:>9} blocks  {name}')
        top -= 1
        if top == 0:
            break


if __name__ == '__main__':
    main()
