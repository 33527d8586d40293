#!/usr/bin/env python3
"""simde_sweep.py -- `make simde-sweep`: SIMDe's x86 intrinsics (Debian's
libsimde-dev headers, SSE..SSE4.2, AVX, AVX2, FMA, F16C, PCLMUL) as a probe
of ferry's vector instructions.  For each header simde_gen.py writes a
program calling every public function of it on fixed inputs; it is built
natively with -march=x86-64-v3 -mpclmul at -O1, -O0 and -O2 (so SIMDe uses
the native intrinsics, in register and memory-operand forms), run natively twice (a run that differs is excluded as
nondeterministic) and under each ferry build, once per MXCSR mode (default,
the three other rounding modes, FTZ+DAZ, DAZ, FTZ; MXCSR read back after
every call), stdout, stderr and exit status compared.  The native CPU is the
oracle.  Never part of make check.  Ends with `N passed, M failed`; exit
status 1 when anything failed.  Differences are kept under OUT/diffs/.
"""
import argparse, os, subprocess, sys

HEADERS = ['sse', 'sse2', 'sse3', 'ssse3', 'sse4.1', 'sse4.2', 'avx', 'avx2', 'fma', 'f16c',
           'clmul', 'gcc-wmmintrin', 'gcc-shaintrin', 'gcc-bmiintrin', 'gcc-bmi2intrin',
           'gcc-lzcntintrin', 'gcc-popcntintrin']
# GCC's own headers, for what SIMDe 0.7.4 lacks: AES (+PCLMUL), SHA, BMI1/2, LZCNT, POPCNT.
GCC_INC = subprocess.run(['gcc', '-print-file-name=include'], capture_output=True,
                         text=True).stdout.strip()
# MXCSR values the programs run under (argv[1]).
MODES = ['1f80', '3f80', '5f80', '7f80', '9fc0', '1fc0', '9f80']
CFLAGS = ['-march=x86-64-v3', '-mpclmul', '-maes', '-msha', '-w']
# Optimisation levels each program is built at: -O0 keeps every operand in
# memory between calls, -O1/-O2 fold loads into memory operands and reuse
# registers (destination-as-source forms).
OPTS = ['O1', 'O0', 'O2']
HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, env, timeout):
    """(status, stdout, stderr) of one run; qemu's own signal line dropped."""
    try:
        p = subprocess.run(cmd, env=env, timeout=timeout, stdin=subprocess.DEVNULL,
                           capture_output=True)
        rc = p.returncode if p.returncode >= 0 else 128 - p.returncode
        err = b''.join(l for l in p.stderr.splitlines(True)
                       if not l.startswith(b'qemu: uncaught target signal'))
        return rc, p.stdout, err
    except subprocess.TimeoutExpired:
        return 'timeout', b'', b''


def generate(hdr, inc, out):
    """Writes one header's program; returns (source path, functions) or (None, 0)."""
    src = os.path.join(out, 'src', hdr + '.c')
    path = (os.path.join(GCC_INC, hdr[4:] + '.h') if hdr.startswith('gcc-')
            else os.path.join(inc, 'simde', 'x86', hdr + '.h'))
    gen = subprocess.run([sys.executable, os.path.join(HERE, 'simde_gen.py'), path, hdr + '.h', src],
                         capture_output=True, text=True)
    if gen.returncode != 0:
        print('%s: generator failed: %s' % (hdr, gen.stderr.strip().splitlines()[-1:]))
        return None, 0
    return src, int(gen.stdout.split(':')[1].split()[0])


def build(src, name, opt, inc, out):
    """Compiles one program at one optimisation level; returns its path or None."""
    exe = os.path.join(out, 'bin', name)
    cc = subprocess.run(['gcc', '-' + opt] + CFLAGS + ['-I', inc, src, '-o', exe, '-lm'],
                        capture_output=True, text=True)
    if cc.returncode != 0:
        print('%s: does not build: %s' % (name, cc.stderr.strip().splitlines()[:1]))
        return None
    return exe


def first_diffs(a, b, n=5):
    """The first N differing output lines (native, ferry)."""
    al, bl = a.splitlines(), b.splitlines()
    out = []
    for i in range(max(len(al), len(bl))):
        x = al[i] if i < len(al) else b'<none>'
        y = bl[i] if i < len(bl) else b'<none>'
        if x != y:
            out.append((x.decode(errors='replace'), y.decode(errors='replace')))
            if len(out) >= n:
                break
    return out


def compare(name, native, got, diffdir):
    """True when a ferry run matches the native one; keeps the outputs if not."""
    if got == native:
        return True
    os.makedirs(diffdir, exist_ok=True)
    for tag, r in (('native', native), ('ferry', got)):
        open(os.path.join(diffdir, '%s.%s.out' % (name, tag)), 'wb').write(r[1])
        open(os.path.join(diffdir, '%s.%s.err' % (name, tag)), 'wb').write(r[2])
    print('FAIL %s: exit %s vs %s' % (name, native[0], got[0]))
    for x, y in first_diffs(native[1], got[1]):
        print('   native: %s\n   ferry:  %s' % (x, y))
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--include', required=True, help='directory holding simde/x86/*.h')
    ap.add_argument('--out', required=True)
    ap.add_argument('--ferry', default='', help='x86-64 build command ("" = none)')
    ap.add_argument('--ferry-a64', default='', help='AArch64 build command ("" = none)')
    ap.add_argument('--only', default='', help='comma-separated headers (default: all)')
    ap.add_argument('--modes', default=','.join(MODES), help='comma-separated MXCSR values')
    ap.add_argument('--opts', default=','.join(OPTS), help='comma-separated -O levels')
    ap.add_argument('--seeds', default='0', help='comma-separated input seeds (hex)')
    a = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    for d in ('src', 'bin'):
        os.makedirs(os.path.join(a.out, d), exist_ok=True)
    env = dict(os.environ)
    env.setdefault('XDG_CACHE_HOME', os.path.join(os.path.abspath(a.out), 'cache'))
    env.setdefault('FERRY_TCACHE', os.path.join(env['XDG_CACHE_HOME'], 'ferry'))
    hosts = [(h, c.split()) for h, c in (('x86_64', a.ferry), ('aarch64', a.ferry_a64)) if c]
    hdrs = a.only.split(',') if a.only else HEADERS
    modes = a.modes.split(',')
    opts, seeds = a.opts.split(','), a.seeds.split(',')
    runs_each = len(modes) * len(seeds)
    counts = {'built': 0, 'funcs': 0, 'native': 0, 'excluded': 0}
    passed = {h: 0 for h, _ in hosts}
    failed = {h: 0 for h, _ in hosts}
    for hdr in hdrs:
        src, nfunc = generate(hdr, a.include, a.out)
        counts['funcs'] += nfunc
        for opt in opts:
            exe = src and build(src, '%s-%s' % (hdr, opt), opt, a.include, a.out)
            if not exe:
                counts['excluded'] += runs_each
                continue
            counts['built'] += 1
            sweep_program(exe, modes, seeds, hosts, env, a.out, counts, passed, failed)
    print('simde-sweep: %d programs built (%d SIMDe functions; %s), %d runs (x %d MXCSR '
          'modes x %d seeds) passing natively, %d excluded'
          % (counts['built'], counts['funcs'], ' '.join('-' + o for o in opts), counts['native'],
             len(modes), len(seeds), counts['excluded']))
    for host, _ in hosts:
        print('  ferry %s: %d passed, %d failed' % (host, passed[host], failed[host]))
    tp, tf = sum(passed.values()), sum(failed.values())
    print('%d passed, %d failed' % (tp, tf))
    return 1 if tf else 0


def sweep_program(exe, modes, seeds, hosts, env, out, counts, passed, failed):
    """Runs one program in each mode and seed, natively twice and under each build."""
    for m in modes:
        for seed in seeds:
            name = '%s@%s.%s' % (os.path.basename(exe), m, seed)
            argv = [exe, m, seed]
            n1, n2 = run(argv, env, 120), run(argv, env, 120)
            if n1 != n2 or n1[0] != 0:
                print('EXCLUDED %s: native runs %s' % (name, 'differ' if n1 != n2
                                                       else 'exit %s' % n1[0]))
                counts['excluded'] += 1
                continue
            counts['native'] += 1
            for host, cmd in hosts:
                got = run(cmd + argv, env, 1200)
                ok = compare(name + '.' + host, n1, got, os.path.join(out, 'diffs'))
                passed[host] += ok
                failed[host] += not ok


if __name__ == '__main__':
    sys.exit(main())
