#!/usr/bin/env python3
"""vg_sweep.py -- `make valgrind-sweep`: valgrind 3.19's own x86 regression
programs (none/tests/amd64, the generic none/tests, and those of
none/tests/x86 that build for x86-64) run natively and under ferry's builds,
stdout, stderr, exit status and signal compared.

Never part of make check.  The programs are built by valgrind's own automake
(`make check` in a configured source tree; tests/valgrind/valgrind.mk) except
none/tests/x86, which this script compiles with -m64 (a file whose 32-bit asm
does not assemble is excluded).  Each program's .vgtest gives its argv and its
prereq; a prereq runs natively and again with ferry in front of the feature
probe (tests/x86_amd64_features), so a program needing a feature the host or
ferry's virtual CPU lacks is excluded with that reason.  The native run is
done twice: a program whose two native runs differ is excluded as
nondeterministic.  Prints a table and ends with `N passed, M failed, K
excluded`; exit status 1 when anything failed.
"""
import argparse, os, re, shlex, subprocess, sys, glob

# Programs that cannot be compared, whatever the translator does (why).
SKIP = {
    'none/tests/amd64/faultstatus': 'disabled upstream (faultstatus.disabled)',
    'none/tests/libvex_test': 'links VEX itself (not built)',
    'none/tests/libvexmultiarch_test': 'links VEX itself (not built)',
    'none/tests/unit_debuglog': 'valgrind internals unit test',
    'none/tests/selfrun': 'runs itself under valgrind',
    'none/tests/valgrind_cpp_test': 'valgrind client requests only',
    'none/tests/pth_self_kill_15_other': 'races by design: pthread_kill, then SIG_DFL restored '
                                         'at once; the handler or the default action wins',
}

# Programs the AArch64 build cannot run under qemu-user 7.2 (why): only
# its x86-64 runs count.
A64_NOT = {
    'none/tests/mq': 'qemu-user 7.2 lacks the mq_* calls',
    'none/tests/process_vm_readv_writev': 'qemu-user 7.2 lacks process_vm_readv/writev',
    'none/tests/threaded-fork': "qemu-user's own assertion (fork while its threads run)",
}

def sh(cmd, cwd, timeout, env):
    """Runs a shell command line; returns (status, stdout, stderr)."""
    try:
        p = subprocess.run(cmd, shell=True, cwd=cwd, env=env, timeout=timeout,
                           stdin=subprocess.DEVNULL, capture_output=True)
        rc = p.returncode if p.returncode >= 0 else 128 - p.returncode
        # qemu-user's own report of the guest's death by a signal (the
        # AArch64 build re-raises the guest's signal) is not the program's.
        err = b''.join(l for l in p.stderr.splitlines(True)
                       if not l.startswith(b'qemu: uncaught target signal'))
        return rc, p.stdout, err
    except subprocess.TimeoutExpired as e:
        return 'timeout', e.stdout or b'', e.stderr or b''

def parse_vgtest(path):
    """The prog/args/prereq lines of a .vgtest file."""
    t = {}
    for line in open(path, errors='replace'):
        m = re.match(r'^(prog|args|prereq):\s*(.*)$', line.rstrip('\n'))
        if m:
            t[m.group(1)] = m.group(2)
    return t

def build_x86_m64(src, out):
    """Compiles none/tests/x86/*.c for x86-64; returns {name: binary or reason}."""
    res = {}
    os.makedirs(out, exist_ok=True)
    for c in sorted(glob.glob(os.path.join(src, 'none/tests/x86/*.c'))):
        name = os.path.basename(c)[:-2]
        exe = os.path.join(out, name)
        cmd = ['gcc', '-m64', '-g', '-O0', '-w', '-I' + src, '-I' + os.path.join(src, 'include'),
               '-I' + os.path.join(src, 'VEX/pub'), '-DVGA_amd64=1', '-DVGO_linux=1',
               '-DVGP_amd64_linux=1', '-DVGPV_amd64_linux_vanilla=1', '-fno-pie', '-no-pie',
               c, '-o', exe, '-lm', '-lpthread']
        p = subprocess.run(cmd, capture_output=True)
        res[name] = exe if p.returncode == 0 else 'does not build for x86-64 (32-bit asm)'
    return res

def cases(src, xout):
    """(key, cwd, argv string, prereq or None, skip reason or None) per program."""
    out = []
    for d in ('none/tests/amd64', 'none/tests'):
        for vt in sorted(glob.glob(os.path.join(src, d, '*.vgtest'))):
            t = parse_vgtest(vt)
            if 'prog' not in t:
                continue
            cwd = os.path.join(src, d)
            key = d + '/' + os.path.basename(vt)[:-7]
            prog = t['prog']
            why = SKIP.get(key) or SKIP.get(d + '/' + prog)
            if not why and not os.access(os.path.join(cwd, prog), os.X_OK):
                why = 'not built by valgrind\'s make check (configure: toolchain lacks it)'
            out.append((key, cwd, './' + prog + (' ' + t['args'] if t.get('args') else ''),
                        t.get('prereq'), why))
    for vt in sorted(glob.glob(os.path.join(src, 'none/tests/x86/*.vgtest'))):
        t = parse_vgtest(vt)
        prog = t.get('prog', '')
        key = 'none/tests/x86/' + os.path.basename(vt)[:-7]
        exe = xout.get(prog)
        if exe is None:
            continue
        why = None if exe.startswith('/') else exe
        # The x86-* feature names probe the same CPUID bits in 64-bit mode; the
        # `test -e PROG` clauses name 32-bit builds this sweep does not make.
        pre = re.sub(r'(&&\s*)?test -[ex] \S+(\s*&&)?', '', t.get('prereq', '')).strip() or None
        out.append((key, os.path.join(src, 'none/tests/x86'),
                    (exe if not why else prog) + (' ' + t['args'] if t.get('args') else ''),
                    pre, why))
    return out

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--src', required=True, help='configured valgrind tree, make check built')
    ap.add_argument('--out', required=True)
    ap.add_argument('--ferry', required=True, help='x86-64 build command')
    ap.add_argument('--ferry-a64', default='', help='AArch64 build command (empty: not run)')
    ap.add_argument('--only', default='', help='regex on the program key')
    ap.add_argument('--timeout', type=int, default=120)
    ap.add_argument('--timeout-a64', type=int, default=1200)
    a = ap.parse_args()
    src = os.path.abspath(a.src)
    os.makedirs(a.out, exist_ok=True)
    env = {'PATH': '/usr/bin:/bin', 'LANG': 'C', 'LC_ALL': 'C', 'HOME': os.environ.get('HOME', '/'),
           'TMPDIR': os.environ.get('TMPDIR', '/tmp')}
    if 'FERRY_TCACHE' in os.environ:
        env['FERRY_TCACHE'] = os.environ['FERRY_TCACHE']
    runners = [('x86_64', a.ferry, a.timeout)]
    if a.ferry_a64:
        runners.append(('aarch64', a.ferry_a64, a.timeout_a64))
    xout = build_x86_m64(src, os.path.join(os.path.abspath(a.out), 'x86-m64'))
    rows, npass, nfail, nexcl = [], 0, 0, 0
    for key, cwd, argv, prereq, why in cases(src, xout):
        if a.only and not re.search(a.only, key):
            continue
        if not why and prereq:
            if sh(prereq, cwd, a.timeout, env)[0] != 0:
                why = 'prereq fails natively: ' + prereq
            else:
                for host, ferry, tmo in runners:
                    fp = re.sub(r'(\S*tests/x86_amd64_features)', ferry + r' \1', prereq)
                    if sh(fp, cwd, tmo, env)[0] != 0:
                        why = 'prereq fails under ferry (%s): %s' % (host, prereq)
                        break
        if why:
            rows.append((key, 'excluded', why)); nexcl += 1
            continue
        n1 = sh(argv, cwd, a.timeout, env)
        n2 = sh(argv, cwd, a.timeout, env)
        if n1 != n2:
            rows.append((key, 'excluded', 'nondeterministic natively (two native runs differ)'))
            nexcl += 1
            continue
        verdict, note = [], ''
        for host, ferry, tmo in runners:
            if host == 'aarch64' and key in A64_NOT:
                note = 'aarch64 not run: ' + A64_NOT[key]
                continue
            r = sh(ferry + ' ' + argv, cwd, tmo, env)
            if r != n1:
                base = os.path.join(a.out, key.replace('/', '_'))
                for tag, v in (('native', n1), (host, r)):
                    open('%s.%s.out' % (base, tag), 'wb').write(v[1])
                    open('%s.%s.err' % (base, tag), 'wb').write(v[2])
                    open('%s.%s.rc' % (base, tag), 'w').write(str(v[0]) + '\n')
                what = [w for w, i in (('status', 0), ('stdout', 1), ('stderr', 2)) if r[i] != n1[i]]
                verdict.append('%s differs (%s)' % (host, ','.join(what)))
        if verdict:
            rows.append((key, 'FAILED', '; '.join(verdict))); nfail += 1
        else:
            rows.append((key, 'passed', note)); npass += 1
        print('%-45s %s %s' % rows[-1], flush=True)
    print()
    print('| program | outcome | why |')
    print('| --- | --- | --- |')
    for r in rows:
        print('| %s | %s | %s |' % r)
    print('%d passed, %d failed, %d excluded' % (npass, nfail, nexcl))
    return 1 if nfail else 0

if __name__ == '__main__':
    sys.exit(main())
