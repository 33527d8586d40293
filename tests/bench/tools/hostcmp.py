#!/usr/bin/env python3
"""hostcmp.py -- the host code of two backends for the same guest run, by
guest instruction kind.  A measuring aid (session 30), not a test.  Reads
two `ferry -d in_asm,out_asm,exec -D LOG PROGRAM` logs of the same run
(one from build/ferry, one from the AArch64 build), counts each executed
block's host instructions as hostprof.py does, and estimates what each
guest instruction kind costs on each host: a non-negative least-squares
fit of every block's host instructions per run on the kinds of its guest
instructions, weighted by runs.  A kind is the mnemonic and its operands'
shapes (r register, m memory, i immediate, x xmm, y ymm), e.g. `add r,i`.

    hostcmp.py X86_LOG A64_LOG [TOP]

Prints host instructions per guest instruction on each host, then the
kinds whose fitted cost is most above on the second host (weighted by how
often they ran), then the blocks with the largest excess.
"""
import collections
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import hostprof  # noqa: E402

GUEST = re.compile(r'0x([0-9a-f]+):\s+(\S+)\s*(.*)$')


def operand_shape(op):
    op = op.strip()
    if '[' in op:
        return 'm'
    if op.startswith('ymm'):
        return 'y'
    if op.startswith('xmm'):
        return 'x'
    if re.match(r'^-?(0x[0-9a-f]+|\d+)$', op):
        return 'i'
    return 'r'


def insn_kind(mnemonic, ops):
    if mnemonic.startswith('j') and mnemonic not in ('jmp',):
        mnemonic = 'jcc'
    elif mnemonic.startswith('cmov'):
        mnemonic = 'cmovcc'
    elif mnemonic.startswith('set'):
        mnemonic = 'setcc'
    shapes = ','.join(operand_shape(o) for o in ops.split(',')) if ops.strip() else ''
    return f'{mnemonic} {shapes}'.strip()


ADDR = re.compile(r'0x[0-9a-f]{5,}')


def guest_blocks(path):
    """{block key: (guest instruction kinds, its text without addresses)}
    from the IN lines, keyed as the OUT line that follows them.  The two
    hosts load the guest at different addresses: blocks are matched by
    their text with addresses left out."""
    out, pending = {}, None
    for line in open(path, errors='replace'):
        if line.startswith('IN '):
            pending = []
        elif line.startswith('OUT '):
            if pending is not None:
                out[hostprof.block_key(line.split()[1:3])] = (
                    [insn_kind(m, o) for m, o in pending],
                    '\n'.join(m + ' ' + ADDR.sub('A', o) for m, o in pending))
            pending = None
        elif pending is not None:
            m = GUEST.match(line)
            if m:
                pending.append((m.group(2), m.group(3)))
    return out


def profile(path):
    counts, pairs, code = hostprof.parse(path)
    weight, _, total = hostprof.block_weights(counts, pairs, code)
    guest = guest_blocks(path)
    return counts, weight, total, guest


def by_text(counts, weight, guest):
    """Variants and blocks of the same text merged: {text: (runs, host
    instructions, guest kinds)}."""
    out = {}
    for key, n in counts.items():
        if key not in guest:
            continue
        kinds, text = guest[key]
        runs, host, _ = out.get(text, (0, 0, kinds))
        out[text] = (runs + n, host + weight[key], kinds)
    return out


def nnls(rows, n_feat, passes=40):
    """Coordinate descent for min sum w (y - x.b)^2, b >= 0; rows are
    (w, y, {feature: count})."""
    beta = [0.0] * n_feat
    cols = collections.defaultdict(list)
    for r, (w, y, x) in enumerate(rows):
        for f, c in x.items():
            cols[f].append((r, c))
    resid = [y for _, y, _ in rows]
    norm = {f: sum(rows[r][0] * c * c for r, c in col) for f, col in cols.items()}
    for _ in range(passes):
        for f, col in cols.items():
            g = sum(rows[r][0] * c * resid[r] for r, c in col)
            new = max(0.0, beta[f] + g / norm[f])
            d = new - beta[f]
            if d:
                for r, c in col:
                    resid[r] -= d * c
                beta[f] = new
    return beta


def fit(blocks, kinds_index):
    rows = []
    for pc, (runs, host, kinds) in blocks.items():
        if not kinds or not runs:
            continue
        x = collections.Counter(kinds_index.setdefault(k, len(kinds_index)) for k in kinds)
        rows.append((runs, host / runs, x))
    return rows


def main():
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    xb = by_text(*(lambda c, w, t, g: (c, w, g))(*profile(sys.argv[1])))
    ab = by_text(*(lambda c, w, t, g: (c, w, g))(*profile(sys.argv[2])))
    common = [t for t in xb if t in ab]
    gx = sum(xb[pc][0] * len(xb[pc][2]) for pc in xb if xb[pc][2])
    ga = sum(ab[pc][0] * len(ab[pc][2]) for pc in ab if ab[pc][2])
    hx = sum(v[1] for v in xb.values())
    ha = sum(v[1] for v in ab.values())
    print(f'x86-64:  guest insns {gx}, host insns {hx}, {hx / max(gx, 1):.2f} per guest insn')
    print(f'AArch64: guest insns {ga}, host insns {ha}, {ha / max(ga, 1):.2f} per guest insn')
    idx = {}
    sub_x = {pc: xb[pc] for pc in common}
    sub_a = {t: (xb[t][0], ab[t][1] * xb[t][0] / ab[t][0], ab[t][2]) for t in common}
    bx = nnls(fit(sub_x, idx), len(idx) + 1)
    ba = nnls(fit(sub_a, idx), len(idx) + 1)
    bx += [0.0] * (len(idx) - len(bx))
    ba += [0.0] * (len(idx) - len(ba))
    ran = collections.Counter()
    for pc in common:
        for k in sub_x[pc][2]:
            ran[k] += sub_x[pc][0]
    names = {i: k for k, i in idx.items()}
    hc = sum(sub_x[pc][1] for pc in common)
    ac = sum(sub_a[pc][1] for pc in common)
    print(f'common blocks {len(common)}: x86-64 {hc}, AArch64 {ac} host insns '
          f'({100 * (ac - hc) / max(hc, 1):+.1f} %)')
    print(f'{"guest kind":28s} {"runs":>10s} {"x64/insn":>8s} {"a64/insn":>8s} {"excess":>10s} {"%of a64":>7s}')
    rows = sorted(idx.items(), key=lambda kv: -(ba[kv[1]] - bx[kv[1]]) * ran[kv[0]])
    for k, i in rows[:top]:
        ex = (ba[i] - bx[i]) * ran[k]
        print(f'{k:28s} {ran[k]:10d} {bx[i]:8.2f} {ba[i]:8.2f} {ex:10.0f} {100 * ex / max(ac, 1):6.2f}%')
    print('blocks with the largest excess (AArch64 - x86-64 host insns, all runs):')
    for pc in sorted(common, key=lambda p: -(sub_a[p][1] - sub_x[p][1]))[:top]:
        runs = sub_x[pc][0]
        print(f'  {runs} runs, x64 {sub_x[pc][1] / runs:.1f}, a64 {sub_a[pc][1] / runs:.1f}, '
              f'{len(sub_x[pc][2])} guest insns:')
        print('      ' + pc.replace('\n', '\n      '))


if __name__ == '__main__':
    main()
