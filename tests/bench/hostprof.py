#!/usr/bin/env python3
"""hostprof.py -- how many host instructions translated code executes, by
kind, from one `ferry -d exec,out_asm -D LOG PROGRAM` run (any host; on the
AArch64 build under qemu-aarch64 this is the steady figure that CPU time
under qemu is not).  Each executed block (`exec:` lines; -d exec turns
chaining off, so every block entry is logged) counts the instructions of
its main path: from the start (past an exit_request stub) to the first
unconditional branch, going on past a vector op's slow path (a branch
over code that calls the helper stub); stubs, slow paths and out-of-line
exits are not counted.  On the AArch64 host, when the next block logged
is the target of a chain slot's conditional branch (a `b.cond`/`cbz` to a
slot's `b` + `movz w18` marker), or on the x86-64 host a `jcc` to a chain
stub (`movabs rax, pc`), the path ends at that branch: chained, it jumps
straight there.  A dirty jmp/call exit of the x86-64 host whose next
block's incoming flags are not dead (its `flagentry:` line, logged with
-d flagscan) counts the path through its flag stores
(x64_dead_probe_live), and so does an AArch64 one through its moves
(a64_dead_probe_live); without those lines, every such exit counts as
one to a reading target.  A block logged as `entered at +N but by
backward chains` (its exit-request guard load is for backward chains only:
AArch64 since session 41, x86-64 since session 43) counts from N bytes in
on every run but those entered by a backward chain: after a block at its
pc or above one of whose chain stubs stores its pc.

    hostprof.py LOG [TOP]     totals, categories, the TOP heaviest blocks
"""
import collections
import re
import sys


def block_key(words):
    """A block's pc, and a variant's entry facts (`v12`) above bit 48."""
    pc = int(words[0].rstrip(':'), 16)
    if len(words) > 1 and words[1].startswith('v'):
        pc |= int(words[1][1:].rstrip(':'), 16) << 48
    return pc


DEAD = {}      # pc -> whether its incoming flags are dead (-d flagscan's flagentry scan=0)
ENTRY = {}     # pc -> instructions every entry but a backward chain skips
ENTRY_BYTES = {}   # pc -> the bytes of them, as logged


def parse(path):
    """(runs of each block, (block, next block logged) pairs, its code)"""
    counts, pairs, code, cur, prev = collections.Counter(), collections.Counter(), {}, None, None
    for line in open(path, errors='replace'):
        try:
            cur, prev = parse_line(line, counts, pairs, code, cur, prev)
        except (ValueError, IndexError):     # another process's line ran into it
            continue
    for pc, n in ENTRY_BYTES.items():       # x86-64 instructions differ in length
        insns = code.get(pc, [])
        ENTRY[pc] = sum(1 for a, _ in insns if a < insns[0][0] + n) if insns else 0
    return counts, pairs, code


def parse_line(line, counts, pairs, code, cur, prev):
    """One log line; (the block whose code follows, the last block run)."""
    if line.startswith('flagentry: '):
        w = line.split()
        DEAD[int(w[1], 16)] = w[3] == 'scan=0'
        return cur, prev
    if line.startswith('exec: '):
        pc = block_key(line[6:].split())
        counts[pc] += 1
        if prev is not None:
            pairs[prev, pc] += 1
        return None, pc
    if line.startswith('OUT '):
        cur = block_key(line.split()[1:3])
        code[cur] = []
        m = re.search(r'entered at \+(\d+) but by backward chains', line)
        ENTRY_BYTES[cur] = int(m.group(1)) if m else 0
    elif cur is not None and line.startswith('  0x'):
        addr, text = line.split(':', 1)
        code[cur].append((int(addr, 16), text.strip()))
    return cur, prev


def main_path(insns):
    return [t for _, t in main_path_items(insns)]


def main_path_items(insns):
    out, start = [], 0
    if len(insns) > 2 and (insns[1][1].startswith('cbz      w16,') or
                           insns[1][1].startswith('je ') and insns[0][1].startswith('cmp      dword ptr [r14 - 0x500], 0')):
        # the exit_request test branches over its stub (older AArch64 layout; x86-64)
        target = int(insns[1][1].split()[-1].lstrip('#'), 16)
        out = list(insns[:2])
        start = next((k for k, (a, _) in enumerate(insns) if a == target), len(insns))
    k = start
    while k < len(insns):
        text = insns[k][1]
        out.append(insns[k])
        slow = (slow_path_end(insns, k) or a64_probe_skipped(insns, k)) if is_cond_branch(text) \
            else x64_exit_skipped(insns, k)
        if slow is not None:
            k = slow                                # the fast path branches over it
            continue
        if text.split()[0] in ('b', 'br', 'ret', 'jmp'):
            slow = slow_path_end(insns, k)
            if slow is not None:
                k = slow                            # the fast path jumps over it
                continue
            over = inline_exit_skipped(insns, k, len(out))
            if over is None:
                break
            del out[len(out) - over[1]:]        # the exit is not the usual path
            k = over[0]
            continue
        k += 1
    return out


def is_cond_branch(text):
    m = text.split()[0]
    return m in ('cbz', 'cbnz', 'tbz', 'tbnz') or m.startswith('b.')


def skip_target(insns, k, dest, gap):
    """A branch at insns[k] to dest (`#0x...` or `0x...`) that skips code
    of the block: (its address, the index of the instruction there) when
    that lies more than gap instructions after k, else (address, None)."""
    try:
        target = int(dest.lstrip('#'), 16)
    except ValueError:
        return None, None
    idx = next((j for j, (a, _) in enumerate(insns) if a == target), None)
    return target, None if idx is None or idx <= k + gap else idx


def slow_path_end(insns, k):
    """A vector op's fast path ends with `b`/`jmp` forward over its slow
    path (a call to the helper stub) to the code after it, in the block,
    or (AArch64 since session 20) with its last test's conditional branch
    inverted to jump over it: the index of that code, or None (a chain
    slot's `b` to the next instruction, an exit to the epilogue: the path
    ends there)."""
    words = insns[k][1].split()
    if not (len(words) == 2 and words[0] in ('b', 'jmp') or is_cond_branch(insns[k][1])):
        return None
    target, idx = skip_target(insns, k, words[-1], 1)
    if idx is None:
        return None
    skipped = [t.split()[0] for _, t in insns[k + 1:idx]]
    if skipped and skipped[-1] == 'b' and forward_b(insns[idx - 1], target):
        skipped = skipped[:-1]      # a mul/div's slow path ends in `b` to the merge (session
                                    # 24), or to the next op's slow path
    if words[0] not in ('b', 'jmp') and any(m in ('b', 'br', 'ret') for m in skipped):
        return None                                 # a conditional exit: slow paths are straight
    return idx if any(m in ('bl', 'blr', 'call') for m in skipped) else None


def a64_probe_skipped(insns, k):
    """AArch64 since session 31: a 16-byte (or ymm) guest store first tests
    whether its bytes cross a page (`add w17; eor w17; tbz w17, #12`; since
    session 34 `cmn wK, wB, lsl #20; b.lo`) and only then probes both pages
    (`ldr b0`/`str b0` pairs, a64_vec.c probe_page_cross): the branch is
    taken unless the store crosses a page.  The index of the code it skips
    to, or None.  Before session 34 the probes were counted as if every
    store crossed a page (matmul's inner loop: 6 of 36 counted a pass).
    Since session 36 a self-loop's store whose address the loop steps by
    16 has `cbz wF` over the add, the test and the probes when its
    preamble found the first address 16-aligned (a64_vec.c
    aligned_loop_store): counted as taken, as matmul's rows are (a
    misaligned loop runs the add and the test, 3 more a pass)."""
    words = insns[k][1].replace(',', ' ').split()
    scalar = a64_scalar_probe_skipped(insns, k, words)
    if scalar is not None:
        return scalar
    if len(words) == 4 and words[0] == 'tbz' and words[1] == 'w17' and words[2] == '#0xc':
        dest = words[3]
    elif len(words) == 3 and words[0] == 'cbz' and k + 3 < len(insns) and \
            insns[k + 2][1].startswith('cmn ') and insns[k + 2][1].endswith('lsl #20') and \
            insns[k + 3][1].replace(',', ' ').split()[1:] == [words[2]]:
        dest = words[2]
    elif len(words) == 2 and words[0] in ('b.lo', 'b.cc') and k > 0 and \
            insns[k - 1][1].startswith('cmn ') and insns[k - 1][1].endswith('lsl #20'):
        dest = words[1]
    else:
        return None
    idx = skip_target(insns, k, dest, 1)[1]
    if idx is None:
        return None
    skipped = [t.split()[0] for _, t in insns[k + 1:idx]]
    if any(m not in ('ldr', 'str', 'add', 'and', 'cmn', 'b.lo') for m in skipped) or \
            not any(t.startswith('str      b0,') for _, t in insns[k + 1:idx]):
        return None
    return idx


def a64_scalar_probe_skipped(insns, k, words):
    """AArch64 since session 37: a 2-, 4- or 8-byte guest store first
    tests its address's alignment (`tbz wB, #0` or `and w17, wB, #7; cbz
    w17`; x16 when x17 holds the value) and only when misaligned computes
    it in x30, tests whether it crosses a page and probes both pages
    (`strb w17, [x30]`; a64_store_cross.c).  Counted as aligned, as
    compiled code's stores nearly all are (a misaligned one runs 3-4
    more, a crossing one 6 more again).  The index of the store, or None."""
    if not (len(words) == 3 and words[0] == 'cbz' and words[1] in ('w16', 'w17') or
            len(words) == 4 and words[0] == 'tbz' and words[2] == '#0'):
        return None
    idx = skip_target(insns, k, words[-1], 1)[1]
    if idx is None:
        return None
    skipped = insns[k + 1:idx]
    if any(t.split()[0] not in ('add', 'sub', 'eor', 'and', 'tbz', 'ldrb', 'strb', 'movz', 'movk',
                                'movn', 'orr') for _, t in skipped) or \
            not any(t.startswith('strb') and t.endswith('[x30]') for _, t in skipped):
        return None
    return idx


def x64_exit_skipped(insns, k):
    """x86-64 host: a `jcc` forward over an inline exit to the dispatcher
    (a check's failure: vector alignment, a non-canonical call target;
    `mov qword ptr [r14 - 0x510], pc; mov eax, N; jmp`) to code in the
    block: the index of that code, or None.  Before session 30 the path
    ended at that exit's `jmp`, undercounting such blocks."""
    words = insns[k][1].split()
    if len(words) != 2 or not words[0].startswith('j') or words[0] == 'jmp':
        return None
    idx = skip_target(insns, k, words[1], 2)[1]
    if idx is None or x64_stub_pc(insns, idx) is not None:
        return None
    skipped = [t for _, t in insns[k + 1:idx]]
    if len(skipped) > 4 or any('[r14 - 0x508]' in t for t in skipped) or not (
            skipped[-1].startswith('jmp ') and skipped[-2].startswith('mov      eax, ') and
            any(t.startswith('mov      qword ptr [r14 - 0x510], ') for t in skipped)):
        return None
    return idx


def forward_b(item, target):
    """Whether item is a `b` to target or beyond (AArch64)."""
    words = item[1].split()
    try:
        return len(words) == 2 and words[0] == 'b' and int(words[1].lstrip('#'), 16) >= target
    except ValueError:
        return False


def inline_exit_skipped(insns, k, n_out):
    """AArch64 before session 9: a brexit (e.g. the canonical-target check
    of ret) branched over an inline exit (`str x17, [x19]; movz w0; b`) on
    the usual path.  When insns[k] ends such an exit right behind a
    conditional branch, (index of the branch's target, how many path
    instructions the exit took); else None."""
    for back in range(2, min(7, n_out) + 1):
        cond = insns[k - back][1]
        m = cond.split()[0]
        if m in ('cbz', 'cbnz', 'tbz', 'tbnz') or m.startswith('b.'):
            exit_text = [t for _, t in insns[k - back + 1:k + 1]]
            if not (any(t.startswith('str      x17, [x19]') for t in exit_text) and
                    exit_text[-2].startswith('movz     w0,')):
                return None
            target = int(cond.split()[-1].lstrip('#'), 16)
            idx = next((j for j, (a, _) in enumerate(insns) if a == target), None)
            return None if idx is None or idx <= k else (idx, back - 1)
    return None


def stub_pc(insns, k):
    """The guest pc a chain stub starting at insns[k] stores (x17), or None."""
    v = None
    for _, t in insns[k:k + 10]:
        m = re.match(r'(movz|movk|orr)\s+[xw]17, (?:wzr, )?#(0x[0-9a-f]+|\d+)(?:, lsl #(\d+))?', t)
        if m:
            imm = int(m.group(2), 0) << int(m.group(3) or 0)
            v = imm if m.group(1) != 'movk' else (v or 0) | imm
        elif t.startswith('stp      x17, x16, [x19]'):
            return v
    return None


def x64_stub_pc(insns, k):
    """The guest pc the x86-64 chain stub at insns[k] stores, or None (a
    self-loop's back edge stub first stores its xmm registers, session 33)."""
    while k < len(insns) and re.match(r'movdqu\s+xmmword ptr \[r14 \+ 0x[0-9a-f]+\], xmm\d+$',
                                      insns[k][1]):
        k += 1
    if k + 1 >= len(insns):
        return None
    m = re.match(r'movabs\s+rax, (0x[0-9a-f]+)$', insns[k][1])
    if m and insns[k + 1][1].startswith('mov      qword ptr [r14 - 0x510], rax'):
        return int(m.group(1), 16)
    m = re.match(r'mov\s+qword ptr \[r14 - 0x510\], (0x[0-9a-f]+)$', insns[k][1])
    if m and k + 2 < len(insns) and insns[k + 2][1].startswith('mov      qword ptr [r14 - 0x508], rax'):
        return int(m.group(1), 16)          # a pc below 2^31 (static programs)
    return None


def chain_branches(insns, path):
    """{guest target: path length up to it} for the path's conditional
    branches to a chain slot (AArch64: the slot's `b`, then its marker;
    x86-64: a `jcc` to the slot's stub behind the block, until chained)."""
    at = {a: k for k, (a, _) in enumerate(insns)}
    out = {}
    for n, (_, text) in enumerate(path):
        m = text.split()[0]
        if m.startswith('j') and m != 'jmp':
            if n > 0 and path[n - 1][1].startswith('cmp      dword ptr [r14 - 0x500], 0'):
                continue                # the exit_request test's stub
            dest = text.split()[-1]
            k = at.get(int(dest, 16)) if dest.startswith('0x') else None
            pc = x64_stub_pc(insns, k) if k is not None else None
            if pc is not None:
                out.setdefault(pc, n + 1)
            continue
        if not (m.startswith('b.') or m in ('cbz', 'cbnz', 'tbz', 'tbnz')):
            continue
        k = at.get(int(text.split()[-1].lstrip('#'), 16))
        if k is None or k + 2 >= len(insns) or not insns[k][1].startswith('b ') or \
                not insns[k + 1][1].startswith('movz     w18,'):
            continue
        pc = stub_pc(insns, k + 2)
        if pc is not None:
            out.setdefault(pc, n + 1)
    return out


def loop_entry(insns):
    """AArch64 since session 21: a self-chained block whose constants are
    built before its loop entry has, behind its own chain slot's `b`,
    `movz w18, #site, lsl #16; movz x18, #entry, lsl #32` (never run): its
    own chained jump re-enters `entry` words in.  0 when none."""
    for k in range(len(insns) - 1):
        a, b = insns[k][1], insns[k + 1][1]
        if a.startswith('movz     w18,') and a.endswith('lsl #16') and \
                b.startswith('movz     x18,') and b.endswith('lsl #32'):
            return int(b.split('#')[1].split(',')[0], 0)
    return x64_loop_entry(insns)


def x64_loop_entry(insns):
    """x86-64 since session 33 (x64_vloop.c): a self-loop whose xmm
    registers its preamble loads has, behind its back edge's jcc/jmp, two
    `nop word ptr [rax + rax + imm]`, the first's imm the loop entry's
    byte offset << 16 | the slot's: instructions before it, or 0."""
    for k in range(len(insns) - 1):
        m = re.match(r'nop\s+word ptr \[rax \+ rax \+ (0x[0-9a-f]+)\]$', insns[k][1])
        if m and insns[k + 1][1].startswith('nop      word ptr [rax + rax + '):
            at = insns[0][0] + (int(m.group(1), 16) >> 16)
            return next((j for j, (a, _) in enumerate(insns) if a == at), 0)
    return 0


def x64_guard_test(text):
    """The x86-64 exit_request test since session 31: `test [r14 + guard], eax`
    (the guard page lies past env's fields, 4 KB and more above r14)."""
    g = re.match(r'test +dword ptr \[r14 \+ (0x[0-9a-f]+)\], eax$', text)
    return g is not None and int(g.group(1), 16) >= 0x1000


def kind(text):
    m = text.split()[0]
    if 'x19, #0x10]' in text or 'x19, #0x2000]' in text or (m in ('cbz', 'cbnz') and 'w16' in text) or \
            text.startswith('cmp      dword ptr [r14 - 0x500], 0') or x64_guard_test(text):
        return 'exit_request test'
    if '[x19' in text or '[r14' in text:
        return 'env load/store'
    if m in ('ubfx', 'sbfx', 'sxtw', 'sxth', 'sxtb', 'uxtw', 'uxth', 'uxtb', 'bfxil', 'bfi',
             'ubfiz', 'movzx', 'movsx', 'movsxd'):
        return 'extend/bitfield'
    if '[' in text:
        return 'guest memory'
    if m in ('b', 'jmp'):
        return 'branch (chain)'
    if m.startswith('b.') or m in ('cbz', 'cbnz', 'tbz', 'tbnz') or m.startswith('j'):
        return 'conditional branch'
    if m in ('movz', 'movk', 'movn') or (m == 'orr' and 'zr, #' in text) or \
            (m == 'ldr' and '[' not in text):          # AArch64 literal pool
        return 'constant'
    if m == 'mov':
        return 'register move'
    if m in ('bl', 'blr', 'call'):
        return 'call'
    return 'arithmetic/logic'


def x64_dead_probe_live(insns, path):
    """x86-64 since session 36: a dirty jmp/call exit probes the jump-cache
    entry's dead field first (`cmp qword ptr [rax + 0x20000], pc; jne;
    jmp [rax + 8]`, the main path) and only on a miss stores the lazy
    flags and compares the pc (`...; cmp [rax], pc; jne; jmp [rax + 8]`).
    The path taken to a target whose incoming flags are not dead (the
    next block's flagentry line, `-d flagscan`), or None."""
    if len(path) < 3 or not path[-3].startswith('cmp      qword ptr [rax + 0x20000], ') or \
            not path[-1].startswith('jmp      qword ptr [rax + 8]'):
        return None
    idx = skip_target(insns, 0, path[-2].split()[-1], 0)[1]
    if idx is None:
        return None
    end = next((j for j in range(idx, len(insns))
                if insns[j][1].startswith('jmp      qword ptr [rax + 8]')), None)
    return None if end is None else path[:-1] + [t for _, t in insns[idx:end + 1]]


def a64_dead_probe_live(insns, path):
    """AArch64 since session 37: a dirty jmp/call/ret exit loads the code
    and the entry's dead field first (`ldp x30, x16, [x17, #8]; cmp x16, pc;
    b.ne 1f; br x30`, the main path) and only on a miss moves the lazy
    flags and compares the pc (`1: ...; ldr x16, [x17]; cmp; b.ne; br x30`);
    since session 39 the entry's address is in x18 instead of x17.
    The path taken to a target whose incoming flags are not dead, or None."""
    if len(path) < 4 or not re.match(r'ldp +x30, x16, \[x1[78], #8\]', path[-4]) or \
            not path[-1].startswith('br       x30') or not path[-2].startswith('b.ne'):
        return None
    at = int(path[-2].split()[-1].lstrip('#'), 16)
    idx = next((k for k, (a, _) in enumerate(insns) if a == at), None)
    if idx is None:
        return None
    end = next((j for j in range(idx, len(insns)) if insns[j][1].startswith('br       x30')), None)
    return None if end is None else path[:-1] + [t for _, t in insns[idx:end + 1]]


def dead_probe_live(insns, path):
    return x64_dead_probe_live(insns, path) or a64_dead_probe_live(insns, path)


def block_weights(counts, pairs, code):
    """(host instructions each block ran in all, by kind, total)"""
    kinds, weight, total = collections.Counter(), collections.Counter(), 0
    paths = {pc: main_path(code.get(pc, [])) for pc in counts}
    live = {pc: dead_probe_live(code.get(pc, []), paths[pc]) for pc in counts}
    for (pc, nxt), n in pairs.items():      # a dirty exit to a reading target
        if live[pc] is not None and not DEAD.get(nxt & ((1 << 48) - 1), False):
            extra = live[pc][len(paths[pc]) - 1:]
            weight[pc] += n * (len(extra) - 1)
            total += n * (len(extra) - 1)
            kinds[kind(paths[pc][-1])] -= n
            for text in extra:
                kinds[kind(text)] += n
    branches = {pc: chain_branches(code.get(pc, []), main_path_items(code.get(pc, [])))
                for pc in counts}
    ends = collections.Counter()        # (block, path length) -> runs
    for pc, n in counts.items():
        ends[pc, len(paths[pc])] += n
    for (pc, nxt), n in pairs.items():
        short = branches[pc].get(nxt & ((1 << 48) - 1))
        if short is not None:
            ends[pc, len(paths[pc])] -= n
            ends[pc, short] += n
    for (pc, length), n in ends.items():
        weight[pc] += n * length
        total += n * length
        for text in paths[pc][:length]:
            kinds[kind(text)] += n
    for (pc, nxt), n in pairs.items():      # chained to itself: past the preamble
        entry = loop_entry(code.get(pc, [])) if pc == nxt else 0
        weight[pc] -= n * entry
        total -= n * entry
        for text in paths[pc][:entry]:
            kinds[kind(text)] -= n
    skip_guards(counts, pairs, code, paths, weight, kinds)
    return weight, kinds, total - sum(n * ENTRY[pc] for pc, n in forward_entries(counts, pairs, code).items())


def direct_targets(insns):
    """The guest pcs a block's chain stubs store: its direct exits."""
    return ({stub_pc(insns, k) for k, (_, t) in enumerate(insns)
             if re.match(r'(movz|orr)\s+[xw]17,', t)} |
            {x64_stub_pc(insns, k) for k, (_, t) in enumerate(insns)
             if re.match(r'(movabs\s+rax|mov\s+qword ptr \[r14 - 0x510\]), 0x', t)}) - {None}


def forward_entries(counts, pairs, code):
    """Runs of each block with an ENTRY offset but by a backward chain."""
    mask = (1 << 48) - 1
    out = {pc: counts[pc] for pc in counts if ENTRY.get(pc)}
    direct = {}
    for (prev, pc), n in pairs.items():
        if pc in out and prev & mask >= pc & mask:
            if prev not in direct:
                direct[prev] = direct_targets(code.get(prev, []))
            if pc & mask in direct[prev]:
                out[pc] -= n
    return out


def skip_guards(counts, pairs, code, paths, weight, kinds):
    for pc, n in forward_entries(counts, pairs, code).items():
        weight[pc] -= n * ENTRY[pc]
        for text in paths[pc][:ENTRY[pc]]:
            kinds[kind(text)] -= n


def main():
    counts, pairs, code = parse(sys.argv[1])
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    weight, kinds, total = block_weights(counts, pairs, code)
    blocks = sum(counts.values())
    print(f'blocks executed {blocks}, host instructions {total} '
          f'({total / max(blocks, 1):.1f} per block)')
    for k, n in kinds.most_common():
        print(f'  {k:20s} {100 * n / max(total, 1):5.1f}%')
    for pc in sorted(weight, key=lambda p: -weight[p])[:top]:
        print(f'  block {pc:#x}: {counts[pc]} runs, {weight[pc] / counts[pc]:.1f} insns '
              f'= {100 * weight[pc] / max(total, 1):.1f}%')


if __name__ == '__main__':
    main()
