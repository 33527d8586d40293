#!/usr/bin/env python3
"""gcc_sweep.py -- GCC 12's own execution tests as a bug finder for ferry.

Compiles each runnable test of gcc.c-torture/execute (and ieee/),
gcc.dg/torture, gcc.dg/vect and gcc.dg with gcc-12 at a few option sets,
runs each binary natively and under ferry, and compares exit status (or
signal), stdout and stderr: the native CPU is the oracle, as in
tests/run-diff.sh.  Not part of `make check` (about an hour on 2 cores for
the x86-64 build alone): `make gcc-sweep` (tests/gcc/gcc.mk) runs it.

The tests' DejaGnu directives are read only as far as a plain run needs:
dg-do (a `target` selector is evaluated for x86_64-pc-linux-gnu),
dg-options / dg-additional-options, dg-additional-sources,
dg-require-effective-target (TRUE_ET below: what holds on this host for
a static x86-64 Linux binary), dg-skip-if.  Tests needing a harness feature
(LTO, profile feedback, plugins, sanitizers, -fcompare-debug, AVX-512,
which ferry does not offer) are skipped and counted as such.  A test whose
native output changes between two runs (it prints an address) is NONDET,
not a difference.

Output: one line per (test, option set) in OUT/results.txt -- EQ, DIFF,
NONDET, SKIP (why), CFAIL (gcc-12 refused it), NTIMEOUT -- and for each
DIFF the binary and the three outputs under OUT/diffs/.
"""
import argparse
import concurrent.futures as cf
import fnmatch
import os
import re
import shutil
import subprocess
import tempfile

TRIPLET = "x86_64-pc-linux-gnu"
# Effective targets that hold for a static x86-64 Linux binary built by gcc-12.
TRUE_ET = set("""alloca int32plus label_values fenv_exceptions indirect_jumps size32plus
stdint_types lp64 exceptions store_merge trampolines nonlocal_goto untyped_assembly scheduling
ptr32plus c99_runtime bswap pthread pthread_h int32 int16 __float128 double64plus mmap
base_quadfloat_support return_address fenv divmod divmod_simode trapping fpic pie
non_strict_align inf signal ucontext tls tls_runtime tls_native wchar int128 largeint
float16 float32 float64 float32x float64x float128 float16_runtime float32_runtime
float64_runtime float32x_runtime float64x_runtime float128_runtime fstack_protector
supports_stack_clash_protection string_merging named_sections alias weak_undefined
builtin_eh_return stack_size cxa_atexit rdynamic static nonpic ucn freorder global_constructor
avx native tgmath_h double64 size20plus no_fsanitize_address non_bionic hard_float init_priority
unwrapped large_double whole_vector_shift large_initializer libc_has_complex_functions sqrt_insn
keeps_null_pointer_checks ptr_eq_long fileio longlong64 floatn_nx_runtime mempcpy cas_int
indirect_calls inff inttypes_types lra naked_functions march_option issignaling""".split())
# Those that do not, or that need what the sweep leaves out.
FALSE_ET = set("""ilp32 split_stack lto cet section_anchors float128x_runtime float128x llp64
dfprt dfp ia32 x32 freestanding run_expensive_tests pie_enabled scalar_all_fma fixed_point stabs
newlib_nano_io default_packed short_eq_int simulator autoincdec""".split())
PREFIX_TRUE = ("vect", "sync_", "sse", "avx_", "avx2", "x86", "ssse3", "popcnt", "lzcnt",
               "bmi", "fma", "f16c")
PREFIX_FALSE = ("arm", "aarch64", "powerpc", "mips", "s390", "riscv", "sparc", "avx512", "amx")

# Options that need a harness feature the sweep does not provide.
SKIP_OPTS = ("-flto", "-fprofile", "-fplugin", "-fsplit-stack", "-fauto-profile", "-fsanitize",
             "-fopenacc", "-fopenmp", "-fbranch-probabilities", "-fcf-protection", "-mx32", "-m32",
             "-mabi", "-fcompare-debug", "-save-temps", "-fgnu-tm", "-ftest-coverage",
             "-mavx512", "-march=skylake-avx512", "-march=icelake", "-march=sapphire", "-mamx",
             "-finstrument")
SKIP_DIRECTIVES = ("dg-require-profiling", "dg-require-linker-plugin", "dg-require-dll",
                   "dg-require-host-local", "dg-require-iconv", "dg-require-fork",
                   "dg-require-mkfifo", "dg-require-gc-sections")

OPTSETS = {"O0": ["-O0"], "O2": ["-O2"], "v3": ["-O3", "-march=x86-64-v3"]}
VECT_FLAGS = ["-ftree-vectorize", "-fno-tree-loop-distribute-patterns", "-fno-vect-cost-model",
              "-fno-common"]
RUN_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C", "LC_ALL": "C",
           "TZ": "UTC", "FERRY_TCACHE": "off"}


class Skip(Exception):
    """A test the sweep does not run (the message says why)."""


# ---- DejaGnu selectors ------------------------------------------------------

def word_true(w):
    """One selector word: a target triplet pattern or an effective target."""
    if "-" in w:
        return fnmatch.fnmatch(TRIPLET, w) or fnmatch.fnmatch(TRIPLET.replace("pc-", ""), w)
    if w in TRUE_ET or w.startswith(PREFIX_TRUE):
        return True
    if w in FALSE_ET or w.startswith(PREFIX_FALSE):
        return False
    raise Skip("effective target " + w)


def eval_tokens(toks):
    """A selector body: words (any true), or an expression of ! && || { }."""
    pos = 0

    def atom():
        nonlocal pos
        t = toks[pos]
        pos += 1
        if t == "!":
            return not atom()
        if t == "{":
            v = expr()
            pos += 1  # the closing brace
            return v
        return word_true(t)

    def level(op, operand, combine):
        """operand (op operand)*, left to right; every operand is parsed."""
        nonlocal pos
        v = operand()
        while pos < len(toks) and toks[pos] == op:
            pos += 1
            w = operand()
            v = combine(v, w)
        return v

    def conj():
        return level("&&", atom, lambda v, w: v and w)

    def expr():
        return level("||", conj, lambda v, w: v or w)

    vals = []
    while pos < len(toks) and toks[pos] != "}":
        vals.append(expr())
    return any(vals)


def selector_true(sel):
    """`target WORDS...` or `{ target { expr } }`: whether it holds here."""
    toks = re.findall(r"\{|\}|\|\||&&|!|[^\s{}!]+", sel)
    while toks and toks[0] == "{" and toks[-1] == "}":
        toks = toks[1:-1]
    if not toks or toks[0] != "target":
        return True  # xfail/other selectors: the native run decides
    try:
        return eval_tokens(toks[1:]) if len(toks) > 1 else True
    except IndexError:
        raise Skip("selector " + sel)


def tcl_args(s):
    """The Tcl words of a directive: "quoted", {braced} or bare."""
    out, i = [], 0
    while i < len(s):
        if s[i].isspace():
            i += 1
        elif s[i] == '"':
            j = s.index('"', i + 1)
            out.append(s[i + 1:j])
            i = j + 1
        elif s[i] == "{":
            depth, j = 0, i
            while True:
                depth += {"{": 1, "}": -1}.get(s[j], 0)
                if depth == 0:
                    break
                j += 1
            out.append(s[i + 1:j].strip())
            i = j + 1
        else:
            j = i
            while j < len(s) and not s[j].isspace():
                j += 1
            out.append(s[i:j])
            i = j
    return out


def directives(text):
    """(name, args) of every `{ dg-NAME ARGS }` comment, in order."""
    for m in re.finditer(r"\{\s*(dg-[\w-]+)(.*)\}", text):
        try:
            yield m.group(1), tcl_args(m.group(2))
        except (ValueError, IndexError):
            raise Skip("unparsable " + m.group(0)[:60])


def arg(args, k):
    """The K-th word; quotes inside a braced word ({ "-fwrapv" }) dropped."""
    return args[k].replace('"', "") if len(args) > k else ""


def parse(path, run_by_default):
    """(options, extra sources) of a runnable test; raises Skip otherwise."""
    runs, opts, extra, srcs = run_by_default, None, [], []
    for name, args in directives(open(path, errors="replace").read()):
        sel = arg(args, 1)
        if name == "dg-do":
            if not sel or selector_true(sel):
                runs = arg(args, 0) == "run"
        elif name == "dg-options" and (not sel or selector_true(sel)):
            opts = arg(args, 0).split()
        elif name == "dg-additional-options" and (not sel or selector_true(sel)):
            extra += arg(args, 0).split()
        elif name == "dg-require-effective-target" and (not sel or selector_true(sel)):
            if not word_true(arg(args, 0)):
                raise Skip("effective target " + arg(args, 0))
        elif name == "dg-skip-if" and selector_true("target " + sel) \
                and arg(args, 2).strip() in ("*", "") and not arg(args, 3).strip():
            raise Skip("dg-skip-if")
        elif name == "dg-additional-sources":
            srcs += arg(args, 0).split()
        elif name in SKIP_DIRECTIVES:
            raise Skip(name)
    if not runs:
        raise Skip("not a run test")
    flags = (opts or []) + extra
    for o in flags:
        if o.startswith(SKIP_OPTS):
            raise Skip("option " + o)
    return flags, srcs


# ---- the tests --------------------------------------------------------------

def collect(ts, names):
    """(suite, source, runs by default, suite flags) of the suites in NAMES."""
    def cfiles(d):
        return sorted(f"{ts}/{d}/{p}" for p in os.listdir(f"{ts}/{d}") if p.endswith(".c"))
    out = []
    for src in cfiles("gcc.c-torture/execute"):
        out.append(("exec", src, True, ["-w"]))
    for src in cfiles("gcc.c-torture/execute/ieee"):
        x = src[:-2] + ".x"
        fl = ["-fno-inline", "-w"]
        if os.path.exists(x) and "-fno-trapping-math" in open(x).read():
            fl.append("-fno-trapping-math")
        out.append(("ieee", src, True, fl))
    for src in cfiles("gcc.dg/torture"):
        out.append(("tort", src, False, ["-w"]))
    for src in cfiles("gcc.dg/vect"):
        fast = ["-ffast-math"] if os.path.basename(src).startswith("fast-math") else []
        out.append(("vect", src, True, VECT_FLAGS + fast + ["-w"]))
    for src in cfiles("gcc.dg"):
        out.append(("dg", src, False, ["-w"]))
    return [it for it in out if it[0] in names]


def run(cmd, cwd, seconds):
    """(status or signal, stdout, stderr) of CMD; qemu-user's own signal notice dropped."""
    try:
        p = subprocess.run(cmd, cwd=cwd, env=RUN_ENV, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=seconds, start_new_session=True)
    except subprocess.TimeoutExpired:
        return ("timeout", b"", b"")
    err = b"\n".join(l for l in p.stderr.split(b"\n")
                     if not l.startswith(b"qemu: uncaught target signal"))
    return (p.returncode, p.stdout, err)


def build(ts, src, flags, srcs, exe, cwd):
    """gcc-12, static where the test allows it."""
    d = os.path.dirname(src)
    cmd = ["gcc-12", "-fno-diagnostics-color", f"-I{d}", f"-I{ts}/gcc.dg"] + flags + [src] + \
          [os.path.join(d, s) for s in srcs] + ["-lm", "-latomic", "-o", exe]
    for link in (["-static"], []):
        try:
            if subprocess.run(cmd[:1] + link + cmd[1:], cwd=cwd, capture_output=True,
                              timeout=300).returncode == 0:
                return True
        except subprocess.TimeoutExpired:
            return False
    return False


def keep(out, tag, exe, flags, nat, res):
    """A difference: the binary and every run's output under OUT/diffs."""
    base = os.path.join(out, "diffs", tag)
    os.makedirs(os.path.dirname(base), exist_ok=True)
    shutil.copy(exe, base)
    with open(base + ".txt", "w") as f:
        f.write(f"flags: {' '.join(flags)}\n")
        for host, r in [("native", nat)] + res:
            f.write(f"{host}: {r[0]}\n{r[1][:4000]!r}\n{r[2][:4000]!r}\n")


def one(a, item, optset, hosts):
    """Build and run one test at one option set: (tag, verdict, detail)."""
    suite, src, runs, sflags = item
    tag = f"{suite}/{os.path.basename(src)[:-2]}.{optset}"
    try:
        tflags, srcs = parse(src, runs)
    except Skip as e:
        return tag, "SKIP", str(e)
    cwd = tempfile.mkdtemp(dir=a.work)
    try:
        exe = os.path.join(cwd, "t")
        flags = sflags + OPTSETS[optset] + tflags
        if not build(a.testsuite, src, flags, srcs, exe, cwd):
            return tag, "CFAIL", ""
        nat = run([exe], cwd, 10)
        if nat[0] == "timeout":
            return tag, "NTIMEOUT", ""
        res = [(h, run(cmd + [exe], cwd, t)) for h, cmd, t in hosts]
        bad = [f"{h}={r[0]}" for h, r in res if r != nat]
        if bad and run([exe], cwd, 10) != nat:
            return tag, "NONDET", ""
        if bad:
            keep(a.out, tag, exe, flags, nat, res)
            return tag, "DIFF", " ".join(bad) + f" native={nat[0]}"
        return tag, "EQ", " ".join(h for h, _ in res)
    finally:
        shutil.rmtree(cwd, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--testsuite", required=True, help="gcc-12.2.0/gcc/testsuite")
    ap.add_argument("--out", required=True)
    ap.add_argument("--ferry", default="", help="the x86-64 build's command (empty: none)")
    ap.add_argument("--ferry-a64", default="", help="the AArch64 build's command (empty: none)")
    ap.add_argument("--a64-suites", default="ieee", help="suites the AArch64 build runs in full")
    ap.add_argument("--a64-every", type=int, default=0, help="and every Nth test of the others")
    ap.add_argument("--opts", default="O2,v3")
    ap.add_argument("--suites", default="exec,ieee,tort,vect,dg")
    ap.add_argument("--only", default="", help="a regex on the test's path")
    ap.add_argument("--every", type=int, default=1,
                    help="only every Nth test (a quick sample; the AArch64 build's share of it)")
    ap.add_argument("-j", type=int, default=2)
    a = ap.parse_args()
    a.out = os.path.abspath(a.out)  # the runs chdir into a scratch dir
    a.testsuite = os.path.abspath(a.testsuite)  # (gcc.mk's default is relative)
    a.work = os.path.join(a.out, "work")
    os.makedirs(a.work, exist_ok=True)
    items = [it for it in collect(a.testsuite, a.suites.split(",")) if re.search(a.only, it[1])]
    items = items[::max(a.every, 1)]
    jobs = []
    for opt in a.opts.split(","):
        for k, it in enumerate(items):
            hosts = [("x86", a.ferry.split(), 60)] if a.ferry else []
            if a.ferry_a64 and (it[0] in a.a64_suites.split(",") or
                                (a.a64_every and k % a.a64_every == 0)):
                hosts.append(("a64", a.ferry_a64.split(), 300))
            if hosts:
                jobs.append((it, opt, hosts))
    counts = {}
    with open(os.path.join(a.out, "results.txt"), "w") as log, cf.ThreadPoolExecutor(a.j) as ex:
        for fu in cf.as_completed([ex.submit(one, a, *j) for j in jobs]):
            try:
                tag, verdict, detail = fu.result()
            except Exception as e:  # the sweep's own bug: say so, go on
                tag, verdict, detail = "?", "ERROR", repr(e)
            counts[verdict] = counts.get(verdict, 0) + 1
            log.write(f"{verdict} {tag} {detail}\n")
            log.flush()
            if verdict == "DIFF":
                print(f"DIFF {tag} {detail}", flush=True)
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return 1 if counts.get("DIFF") else 0


if __name__ == "__main__":
    raise SystemExit(main())
