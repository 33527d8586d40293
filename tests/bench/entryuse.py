#!/usr/bin/env python3
"""entryuse.py LOG -- what a cut of the lazy-flag stores at indirect exits
could save, from one `ferry --no-tcache -d exec,flagscan -D LOG PROGRAM`
run (-d exec logs every block entry: chaining and the return-address
stack are off).  x86_translate.c logs a `flagentry:` line per translated
block: whether it reads the incoming flags (entry=1: the plan's live_in[0],
or single-step, or code that may change), what a successor scan from its
pc answers (scan=1: reads, or reaches a ret/indirect jump first), how it
ends (ret, jmp, call through a register or memory; direct; other) and
whether its indirect exit stores flags of its own (dirty=1).

For every taken exit of a dirty indirect exit this counts the next block
logged by its `entry` (what a second jump-cache table of non-reading
blocks could use) and its `scan` (what a caller's translation knows of a
ret's continuation, for a tagged return-address-stack entry)."""
import collections
import sys

import execlog


def parse(path):
    pairs, _, rows = execlog.read(path, 'flagentry')
    blocks = {}
    for w in rows:
        try:
            blocks[int(w[1], 16) & execlog.MASK] = (w[2] == 'entry=1', w[3] == 'scan=1', w[4],
                                                     w[5] == 'dirty=1')
        except (ValueError, IndexError):
            continue
    return blocks, pairs


def main():
    blocks, pairs = parse(sys.argv[1])
    st = collections.Counter()
    for (pc, nxt), n in pairs.items():
        b = blocks.get(pc)
        if not b or b[2] not in ('ret', 'jmp', 'call'):
            continue
        entry, scan = blocks.get(nxt, (True, True, '', False))[:2]
        kind = b[2]
        st[kind, 'all'] += n
        if not b[3]:
            continue
        st[kind, 'dirty'] += n
        st[kind, 'entry0'] += 0 if entry else n
        st[kind, 'scan0'] += 0 if scan else n
    print(f'{"exit":5s} {"taken":>10s} {"dirty":>10s} {"next entry=0":>18s} {"next scan=0":>18s}')
    for kind in ('ret', 'jmp', 'call'):
        d = max(st[kind, 'dirty'], 1)
        print(f'{kind:5s} {st[kind, "all"]:>10} {st[kind, "dirty"]:>10} '
              f'{st[kind, "entry0"]:>10} {100 * st[kind, "entry0"] / d:5.1f} % '
              f'{st[kind, "scan0"]:>10} {100 * st[kind, "scan0"] / d:5.1f} %')


if __name__ == '__main__':
    main()
