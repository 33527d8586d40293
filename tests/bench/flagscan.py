#!/usr/bin/env python3
"""flagscan.py LOG [TOP] -- why blocks' direct exits keep their lazy flags,
weighted by how often each way out is taken, from one
`ferry --no-tcache -d exec,flagscan -D LOG PROGRAM` run (-d exec logs every
block entry: chaining is off).  A `flagscan:` line is logged per translated
block that writes flags (x86_translate.c's log_exit_why): per way out its
target, whether the flags are kept for it, the successor scan's reason
(read: an insn reads them -- the honest answer; limit: 12 insns; ret,
indirect, end: a block end it cannot see past; nofork: a jcc behind a jcc;
norow/decode: an insn it cannot classify; change: writable code; noscan:
an indirect exit) and the insn, and whether a faulting insn comes first."""
import collections
import sys

import execlog


def parse(path):
    pairs, runs, rows = execlog.read(path, 'flagscan')
    scans = {}
    for w in rows:
        try:
            pc = int(w[1], 16)
            ways = []
            for item in w[4:]:
                to, kept, why, insn, fault = item.split(':')
                ways.append((int(to, 16), kept == '1', why, insn, fault == '1'))
        except ValueError:
            continue
        scans[pc] = (w[2], w[3] == 'precise=1', ways)
    return scans, pairs, runs


def main():
    scans, pairs, runs = parse(sys.argv[1])
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    why, insn, kinds, blocks = collections.Counter(), collections.Counter(), collections.Counter(), collections.Counter()
    total = kept = 0
    taken = collections.Counter()
    for (pc, nxt), n in pairs.items():
        if pc in scans:
            taken[pc, nxt] += n
    for pc, n in runs.items():
        if pc not in scans:
            continue
        kind, precise, ways = scans[pc]
        if kind == 'indirect':
            kinds['indirect (not scanned)'] += n
            continue
        for to, k, w, i, fault in ways:
            m = n if len(ways) == 1 else taken[pc, to]
            total += m
            if not k:
                continue
            kept += m
            r = 'fault' if precise and fault and w == 'dead' else w
            why[r] += m
            if r in ('read', 'norow', 'end', 'ret', 'indirect', 'nofork'):
                insn[r + ' ' + i] += m
            blocks[pc, to, r, i] += m
    print(f'direct ways out taken from flag-writing blocks: {total}; flags kept: {kept} '
          f'({100 * kept / max(total, 1):.1f} %); indirect exits of such blocks: '
          f'{kinds["indirect (not scanned)"]}')
    for r, m in why.most_common():
        print(f'  {r:10s} {m:>10} {100 * m / max(kept, 1):5.1f} %')
    print('by insn:')
    for r, m in insn.most_common(top):
        print(f'  {r:24s} {m:>10} {100 * m / max(kept, 1):5.1f} %')
    print('ways out:')
    for (pc, to, r, i), m in blocks.most_common(top):
        print(f'  {pc:#x} -> {to:#x} {r} {i}: {m}')


if __name__ == '__main__':
    main()
