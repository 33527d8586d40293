#!/usr/bin/env python3
"""exitprof.py LOG -- (hostprof.py's log) host instructions at indirect exits: cc writes on the
main path of blocks leaving through the jump-cache probe (-d exec turns
chaining and the return-address stack off, so rets probe too), the probe
itself, and whether the next block logged reads the cc state before
writing cc_op (x86-64 host: env [r14+0x10..0x28]; AArch64: x7-x9)."""
import collections, os, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostprof

X64_CC = ('[r14 + 0x10]', '[r14 + 0x18]', '[r14 + 0x20]', '[r14 + 0x28]')
A64_CC = re.compile(r'\b[wx][789]\b')

def ops(t):
    p = t.split(None, 1)
    return (p[0], p[1].split(', ')) if len(p) > 1 else (p[0], [])

def cc_write(t):
    m, o = ops(t)
    if not o: return False
    if '[r14' in t: return any(c in o[0] for c in X64_CC) and m.startswith('mov')
    return m not in ('str', 'stp', 'cmp', 'tst', 'b', 'cbz', 'cbnz', 'br') and not m.startswith('b.') \
        and bool(A64_CC.fullmatch(o[0]))

def cc_read(t):
    m, o = ops(t)
    if not o: return False
    rest = ', '.join(o[1:]) if not (m in ('str', 'stp', 'cmp', 'tst', 'cbz', 'cbnz')) else ', '.join(o)
    return any(c in rest for c in X64_CC) or bool(A64_CC.search(rest))

def probe_exit(path):
    # x86-64: the probe's `jmp [rax + 8]` since session 29 (`[rcx + rax + 8]` before)
    return bool(path) and (path[-1].startswith(('jmp      qword ptr [rax + 8]', 'jmp      qword ptr [rcx + rax + 8]'))
                           or path[-1] == 'br       x30')

def is_ret(path):
    # a pop from guest rsp (x86-64: rbx; AArch64: x24) right before the probe
    k = len(path) - probe_len(path)
    before = path[max(0, k - 4):k]
    return any(re.match(r'mov\s+r\w+, qword ptr \[rbx\]$', t) for t in before) and \
        any(t.startswith('add      rbx, 8') for t in before) or \
        any(re.match(r'ldr\s+x\d+, \[x24\], #8$', t) for t in before)

def probe_len(path):
    for k in range(len(path) - 1, -1, -1):
        t = path[k]
        if t.startswith(('mov      rax, r', 'imul     eax,')) or t.startswith('ldr      x17, [x19'):
            return len(path) - k
    return 0

def next_use(path):
    for t in path:
        if cc_read(t): return 'reads'
        if cc_write(t) and ('0x10]' in t or re.search(r'\b[wx]7\b', ops(t)[1][0] if ops(t)[1] else '')):
            return 'writes'
    return 'neither'

counts, pairs, code = hostprof.parse(sys.argv[1])
paths = {pc: hostprof.main_path(code.get(pc, [])) for pc in counts}
st = collections.Counter()
tot = 0
for pc, n in counts.items():
    p = paths[pc]
    tot += n * len(p)
    if not probe_exit(p): continue
    kind = 'ret' if is_ret(p) else 'jmp/call'
    w = sum(1 for t in p if cc_write(t))
    st['exits ' + kind] += n
    st['cc writes at exits'] += n * w
    st['dirty exits'] += n if w else 0
    st['probe insns'] += n * probe_len(p)
for (pc, nxt), n in pairs.items():
    p = paths[pc]
    if not probe_exit(p): continue
    dirty = any(cc_write(t) for t in p)
    st['next after %s exit: %s' % ('dirty' if dirty else 'clean', next_use(paths.get(nxt, [])))] += n
print('main-path insns', tot)
for k in sorted(st): print(f'  {k:40s} {st[k]:>10}  {100.0 * st[k] / tot:5.2f}%')
