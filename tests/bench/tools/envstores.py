#!/usr/bin/env python3
"""envstores.py -- the vector env stores a run executes, by env offset.
A measuring aid (session 34), not a test.  Reads one `ferry -d
exec,out_asm -D LOG PROGRAM` log (either host), walks each executed
block's main path as hostprof.py does (without its chain shortening), and
counts the 16-byte stores to env (`str q, [x19, #off]` on AArch64,
`movdqu [r14 + off], xmm` on x86-64) weighted by runs: which guest
registers (x86_cpu.h: xmm[] from 0x560, ymm_hi[] from 0x720, avx_tmp[]
from 0x820, the VEX memory operand's temporaries) cost stores, and how
much of the run they are.

    envstores.py LOG [TOP]
"""
import collections
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import hostprof  # noqa: E402

STORE = re.compile(r'(?:str\s+q\d+, \[x19, #|movdqu\s+xmmword ptr \[r14 \+ )(0x[0-9a-f]+)\]')


def main():
    counts, _, code = hostprof.parse(sys.argv[1])
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    by, total, stores = collections.Counter(), 0, 0
    for pc, n in counts.items():
        path = hostprof.main_path(code.get(pc, []))
        total += n * len(path)
        for text in path:
            m = STORE.match(text)
            if m:
                by[int(m.group(1), 16)] += n
                stores += n
    print(f'host instructions {total}, vector env stores {stores} '
          f'({100 * stores / max(total, 1):.1f} %)')
    for off, n in by.most_common(top):
        print(f'  env {off:#x}: {n}')


if __name__ == '__main__':
    main()
