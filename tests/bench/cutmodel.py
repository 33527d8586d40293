#!/usr/bin/env python3
"""cutmodel.py -- what an exact run-time cut of the lazy-flag stores at
indirect exits would save on the x86-64 host, net of its own checks, from
one `ferry --no-tcache -d exec,out_asm,flagscan -D LOG PROGRAM` run of the
x86-64 build (-d exec: every block entry logged, chaining and the
return-address stack off, so rets go through the jump cache here).

Each run of a block whose main path ends in the jump-cache probe
(ccstores.py's `indirect`) counts its cc stores (ccstores.py) and is judged
by the next block logged, through that block's `flagentry:` line
(x86_translate.c): `scan=0` (the successor scan from its pc calls the
incoming flags dead, fault points of precise blocks counting as readers --
the fact x86_async_flags_stale answers from) or `entry=0` (the block's own
liveness, which sees further than the scan's 24 instructions).  Two
schemes, each with its extra host instructions per exit as it would be
emitted on x86-64:

  jc   a dead-entry field in each jump-cache entry (pc when the block's
       entry is dead, else a value no target indexes there): a dirty exit
       compares it first and on a hit jumps without the stores; on a miss
       it stores and compares the entry's pc (+2: cmp, jne).
  ras  session 29's return-address-stack tag, for rets only: a call whose
       continuation reads pushes a tagged pc; a ret's plain hit skips the
       stores, a miss stores, compares the tagged pc (+4: mov, btc, cmp,
       jne).  The jmp/call-through-register exits keep their stores.

On the AArch64 host cc_op, cc_dst and cc_src are pinned in x7-x9
(a64_desc.c): an exit leaves them in their registers, so the lazy state
costs no store there, only the moves that put values into x7-x9.  With
--a64 (a `-d exec,out_asm` log of the AArch64 build; no flagentry lines
needed) this counts, per run of a block whose main path ends in the
jump-cache probe (`br x30`), those moves (mov/movz/movn/movk into
w7-w9/x7-x9): what a cut could drop there at most, before its checks.

    cutmodel.py LOG
    cutmodel.py --a64 LOG [X86_LOG]

With X86_LOG (the x86-64 build's log of the same run, whose block entries
it matches one for one), it also models the jc scheme on AArch64: a
32-byte entry laid out pc, code, dead lets a dirty exit load code and the
dead field with one `ldp` (no extra instruction on a hit); a miss moves,
loads the pc, compares and branches (+3).  The return-address stack is
off on AArch64 hosts: rets go through the jump cache there.
"""
import re
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ccstores  # noqa: E402
import hostprof  # noqa: E402


def entries(log):
    """pc -> (entry reads, scan reads, end kind), from the flagentry lines."""
    out = {}
    for line in open(log, errors='replace'):
        if line.startswith('flagentry: '):
            w = line.split()
            try:
                out[int(w[1], 16)] = (w[2] == 'entry=1', w[3] == 'scan=1', w[4])
            except (ValueError, IndexError):
                continue
    return out


CC_MOVE = re.compile(r'mov[zkn]?\s+[wx][789],')


def main_a64(log, x86_log=None):
    seq, code = ccstores.parse(log)
    xseq, facts = (ccstores.parse(x86_log)[0], entries(x86_log)) if x86_log else (None, {})
    info, cut = {}, {}
    for pc, insns in code.items():
        path = hostprof.main_path(insns)
        ind = bool(path) and path[-1].startswith('br ') and path[-1].endswith('x30')
        info[pc] = (len(path), sum(1 for t in path if CC_MOVE.match(t)), ind)
        cut[pc] = hostprof.chain_branches(insns, hostprof.main_path_items(insns))
    total, mask, st = 0, (1 << 48) - 1, collections.Counter()
    for i, pc in enumerate(seq):
        if pc not in info:
            continue
        short = cut[pc].get(seq[i + 1] & mask) if i + 1 < len(seq) else None
        total += info[pc][0] if short is None else short
        if short is None and info[pc][2]:
            st['exits'] += 1
            st['dirty'] += info[pc][1] > 0
            st['moves'] += info[pc][1]
            if xseq is None or i + 1 >= len(seq) or not info[pc][1]:
                continue
            nxt = xseq[i + 1] & mask
            if (nxt ^ seq[i + 1]) & 0xfff:
                st['unaligned'] += 1    # (the two runs' blocks differ here)
                continue
            if facts.get(nxt, (True, True))[1]:
                st['miss'] += 1
            else:
                st['saved'] += info[pc][1]
    print(f'host instructions {total}; indirect exits {st["exits"]}, with cc moves '
          f'{st["dirty"]}, cc moves on their paths {st["moves"]} '
          f'({100 * st["moves"] / max(total, 1):.2f} %)')
    if xseq is not None:
        net = st['saved'] - 3 * st['miss']
        print(f'jc (scan fact, from the x86-64 log run for run): moves before a non-reading '
              f'target {st["saved"]}, exits to a reader {st["miss"]} (+3 each), '
              f'net {-100 * net / max(total, 1):+.2f} %; runs not aligned {st["unaligned"]}')


def main():
    if len(sys.argv) < 2 or (sys.argv[1] == '--a64' and len(sys.argv) < 3):
        sys.exit('usage: cutmodel.py LOG | cutmodel.py --a64 LOG [X86_LOG]')
    if sys.argv[1] == '--a64':
        return main_a64(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    log = sys.argv[1]
    seq, code = ccstores.parse(log)
    facts = entries(log)
    info, cut = {}, {}
    for pc, insns in code.items():
        path = hostprof.main_path(insns)
        info[pc] = ccstores.summary(path) + (ccstores.exit_kind(path),)
        cut[pc] = (path, hostprof.chain_branches(insns, hostprof.main_path_items(insns)))
    total, mask = 0, (1 << 48) - 1
    for i, pc in enumerate(seq):        # hostprof's count: a taken chain jcc ends the path
        if pc in info:
            short = cut[pc][1].get(seq[i + 1] & mask) if i + 1 < len(seq) else None
            total += info[pc][0] if short is None else short
    st = collections.Counter()
    for i, pc in enumerate(seq[:-1]):
        if pc not in info or info[pc][3] != 'indirect' or seq[i + 1] & mask in cut[pc][1]:
            continue                    # (a taken chain jcc left before the exit)
        stores = info[pc][1]
        kind = facts.get(pc & mask, (True, True, 'other'))[2]
        nxt = facts.get(seq[i + 1] & mask, (True, True, 'other'))
        st[kind, 'exits'] += 1
        if not stores:
            continue
        st[kind, 'dirty'] += 1
        st[kind, 'stores'] += stores
        for name, reads in (('scan', nxt[1]), ('entry', nxt[0])):
            if reads:
                st[kind, name + '_miss'] += 1
            else:
                st[kind, name + '_saved'] += stores
    pct = lambda v: f'{100 * v / max(total, 1):+.2f} %'
    print(f'host instructions {total}')
    print(f'{"exit":5s} {"exits":>9s} {"dirty":>9s} {"stores":>9s} '
          f'{"jc scan: saved-miss*2":>28s} {"jc entry":>22s} {"ras scan: saved-miss*4":>28s}')
    tot = collections.Counter()
    for kind in ('ret', 'jmp', 'call', 'other'):
        s = {k: st[kind, k] for k in ('exits', 'dirty', 'stores', 'scan_saved', 'scan_miss',
                                      'entry_saved', 'entry_miss')}
        jc = s['scan_saved'] - 2 * s['scan_miss']
        jce = s['entry_saved'] - 2 * s['entry_miss']
        ras = s['scan_saved'] - 4 * s['scan_miss'] if kind == 'ret' else 0
        tot['jc'] += jc
        tot['jce'] += jce
        tot['ras'] += ras
        print(f'{kind:5s} {s["exits"]:9d} {s["dirty"]:9d} {s["stores"]:9d} '
              f'{s["scan_saved"]:>9d}-{s["scan_miss"]:>7d}*2 {pct(-jc):>9s} '
              f'{pct(-jce):>22s} {pct(-ras):>19s}')
    print(f'net change of the host instructions: jc (scan fact) {pct(-tot["jc"])}, '
          f'jc (entry fact) {pct(-tot["jce"])}, ras tag {pct(-tot["ras"])}')


if __name__ == '__main__':
    try:
        main()
    except OSError as e:
        sys.exit(f'cutmodel.py: {e}')
