#!/usr/bin/env python3
"""ccstores.py -- which lazy-flag stores of x86-64 host code were needed,
from one `ferry --no-tcache -d exec,out_asm -D LOG PROGRAM` run on the
x86-64 build.  Each executed block's main path (hostprof.py's, cut at a
jcc to a chain stub when the next block logged is its target) counts its
stores to the cc globals (cc_op/cc_dst/cc_src/cc_src2 at [r14 + 0x10] ..
[r14 + 0x28]); each store is then judged by the blocks that ran after it:
`dead@K` when the K-th next block's path writes cc_op before reading any
cc global or calling out (the store was overwritten unread), `read@K`
when it reads first, `unknown` when 8 blocks did neither.  Grouped by how
the storing path ends: `direct` (a jmp to a chain slot), `jcc` (a taken
conditional exit), `indirect` (the jump-cache probe: jmp/call through
reg/mem, and ret, as -d exec turns the return-address stack off).

This is what a run-time scheme could drop at most (no static scan sees
the target of an indirect exit); faults, signals and helpers are not
modelled.  Session 33 (branch flagsx64) has the numbers.

    ccstores.py LOG
"""
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostprof  # noqa: E402

CC = ('[r14 + 0x10]', '[r14 + 0x18]', '[r14 + 0x20]', '[r14 + 0x28]')
FOLLOW = 8


def events(path):
    """The path's cc accesses in order: ('w', field) / ('r', field) / ('c', -1)."""
    out = []
    for text in path:
        dest = text.split(',', 1)[0]
        for i, f in enumerate(CC):
            if f in text:
                out.append(('w' if f in dest and text.startswith('mov') else 'r', i))
        if text.startswith('call'):
            out.append(('c', -1))
    return out


def summary(path):
    """(path length, cc stores, 'read'/'write'/None: what it does first)"""
    ev = events(path)
    first = None
    for e in ev:
        if e[0] in 'rc':
            first = 'read'
            break
        if e == ('w', 0):
            first = 'write'
            break
    return len(path), sum(1 for e in ev if e[0] == 'w'), first


def exit_kind(path):
    last = path[-1] if path else ''
    if last.startswith('jmp      qword ptr [r') and last.endswith('+ 8]'):
        return 'indirect'
    return 'direct' if last.startswith('jmp      0x') else last.split()[0] if last else 'empty'


def parse(log):
    """(block pcs in the order they ran, each block's code)"""
    seq, code, cur = [], {}, None
    for line in open(log, errors='replace'):
        try:
            if line.startswith('exec: '):
                seq.append(hostprof.block_key(line[6:].split()))
            elif line.startswith('OUT '):
                cur = hostprof.block_key(line.split()[1:3])
                code[cur] = []
            elif cur is not None and line.startswith('  0x'):
                addr, text = line.split(':', 1)
                code[cur].append((int(addr, 16), text.strip()))
        except (ValueError, IndexError):     # another process's line ran into it
            continue
    return seq, code


def main():
    seq, code = parse(sys.argv[1])
    full, cut = {}, {}
    for pc, insns in code.items():
        path = hostprof.main_path(insns)
        full[pc] = summary(path) + (exit_kind(path),)
        cut[pc] = (path, hostprof.chain_branches(insns, hostprof.main_path_items(insns)))

    def ran(i):
        """The i-th run's (length, stores, first, exit kind)."""
        pc = seq[i]
        nxt = seq[i + 1] & ((1 << 48) - 1) if i + 1 < len(seq) else None
        short = cut[pc][1].get(nxt)
        if short is None:
            return full[pc]
        return summary(cut[pc][0][:short]) + ('jcc',)

    total = stores = 0
    by_exit, verdicts = collections.Counter(), collections.Counter()
    for i, pc in enumerate(seq):
        if pc not in full:
            continue
        n, st, _, kind = ran(i)
        total += n
        stores += st
        if not st:
            continue
        by_exit[kind] += st
        verdict = 'unknown'
        for k in range(1, FOLLOW + 1):
            if i + k >= len(seq) or seq[i + k] not in full:
                break
            first = ran(i + k)[2]
            if first:
                verdict = ('dead@%d' if first == 'write' else 'read@%d') % k
                break
        verdicts[kind, verdict.split('@')[0]] += st
        if '@' in verdict:
            verdicts[kind, verdict] += st
    pct = lambda v: f'{100 * v / max(total, 1):.2f} %'
    print(f'host instructions {total}, cc stores {stores} ({pct(stores)})')
    for kind, v in by_exit.most_common():
        print(f'  {kind:9s} {v:10d} {pct(v)}: dead {pct(verdicts[kind, "dead"])}, '
              f'read {pct(verdicts[kind, "read"])}, unknown {pct(verdicts[kind, "unknown"])}; '
              f'dead at the next block {pct(verdicts[kind, "dead@1"])}, '
              f'read there {pct(verdicts[kind, "read@1"])}')


if __name__ == '__main__':
    main()
