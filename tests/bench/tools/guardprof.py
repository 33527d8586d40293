#!/usr/bin/env python3
"""guardprof.py -- how often blocks that start with the exit-request guard
load (AArch64 `ldr x16, [x19, #0x2e00]`, x86-64 `test dword ptr [r14 +
0x28f0], eax`) run, and how many of
those runs leave by a backward exit (the next block logged at the block's
pc or below): one `-d exec,out_asm` log as hostprof.py reads it.  Where
only backward chains run the load (session 41), a run that leaves forward
runs none, so the runs leaving forward are what such a scheme saves.

    guardprof.py LOG
"""
import collections
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import hostprof  # noqa: E402

MASK = (1 << 48) - 1
GUARDS = ('ldr      x16, [x19, #0x2e00]', 'test     dword ptr [r14 + 0x28f0], eax')


def main():
    counts, pairs, code = hostprof.parse(sys.argv[1])
    guarded = {pc for pc in counts if code.get(pc) and
               code[pc][0][1].startswith(GUARDS)}
    back = collections.Counter()
    for (prev, nxt), n in pairs.items():
        if prev in guarded and nxt & MASK <= prev & MASK:
            back[prev] += n
    runs = sum(counts[pc] for pc in guarded)
    leaving = sum(back.values())
    print(f'blocks starting with the guard load {len(guarded)}, runs {runs}, '
          f'leaving backward {leaving}, leaving forward {runs - leaving}')


if __name__ == '__main__':
    main()
