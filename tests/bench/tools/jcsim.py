#!/usr/bin/env python3
"""jcsim.py -- the jump cache's misses under other index functions,
simulated over one `-d exec,out_asm` log as hostprof.py reads it.  Every
run of a block whose code holds the inline probe (`bfi x18`: AArch64) and
whose next block logged is not one of its chain stubs' targets is a
look-up of that next block's pc; each index function keeps its own
direct-mapped table of 2^BITS entries, filled on a miss as tr_lookup_code
fills ferry's.  `fold` is ferry's tr_jmp_index (pc + (pc >> BITS)),
`plain` the pc's low bits alone (one `bfi` of the pc, no `add`: session
43 measured it and left it out -- x86 function entries are 16-byte
aligned, so indirect calls share a sixteenth of the entries), `xor`
pc ^ (pc >> BITS).

    jcsim.py LOG [BITS]     look-ups, misses per index function
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import hostprof  # noqa: E402

MASK48 = (1 << 48) - 1


def index_functions(bits):
    mask = (1 << bits) - 1
    return {'fold': lambda pc: (pc + (pc >> bits)) & mask,
            'plain': lambda pc: pc & mask,
            'xor': lambda pc: (pc ^ (pc >> bits)) & mask}


def main():
    bits = int(sys.argv[2]) if len(sys.argv) > 2 else 14
    funcs = index_functions(bits)
    tables = {k: {} for k in funcs}
    misses = dict.fromkeys(funcs, 0)
    code, probes, direct = {}, {}, {}
    cur = prev = None
    lookups = 0
    for line in open(sys.argv[1], errors='replace'):
        try:
            if line.startswith('exec: '):
                pc = hostprof.block_key(line[6:].split())
                if prev is not None:
                    if prev not in probes:
                        insns = code.get(prev, [])
                        probes[prev] = any('bfi      x18' in t for _, t in insns)
                        direct[prev] = hostprof.direct_targets(insns) if probes[prev] else set()
                    if probes[prev] and pc & MASK48 not in direct[prev]:
                        lookups += 1
                        for k, f in funcs.items():
                            if tables[k].get(f(pc & MASK48)) != pc & MASK48:
                                misses[k] += 1
                                tables[k][f(pc & MASK48)] = pc & MASK48
                prev, cur = pc, None
            elif line.startswith('OUT '):
                cur = hostprof.block_key(line.split()[1:3])
                code[cur] = []
                probes.pop(cur, None)
            elif cur is not None and line.startswith('  0x'):
                addr, text = line.split(':', 1)
                code[cur].append((int(addr, 16), text.strip()))
        except (ValueError, IndexError):     # another process's line ran into it
            continue
    print('look-ups', lookups, ' '.join(f'{k}_misses {v}' for k, v in misses.items()))


if __name__ == '__main__':
    main()
