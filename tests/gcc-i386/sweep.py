#!/usr/bin/env python3
"""sweep.py -- GCC's gcc.target/i386 `dg-do run` tests as a bug finder (issue 10).

Each test whose ISA fits ferry's virtual CPU (x86-64-v3 + AES/PCLMUL/SHA/MOVBE/ADX/...)
is compiled with gcc-12 and the flags of its dg-options / dg-additional-options
lines, then run natively (the oracle), under the x86-64 build and under the
AArch64 build (qemu-aarch64); exit status, stdout and stderr are compared.  The
CPUID features a test's check header (or its own main) looks at are compared
with what the native CPU and ferry advertise (cpufeat.c), so a test that only
"passes" because it skipped itself is counted as such.

  sweep.py [-j N] [--only REGEX] [--every N] [--no-a64] [--extra "FLAGS"]
           I386DIR FERRY_X86 FERRY_A64 CPUFEAT OUTDIR

Appends one line per test to OUTDIR/results.tsv (resumable), prints the
differences and a summary ending in "N passed, N failed".
Not part of `make check`: `make gcc-i386-sweep` (tests/gcc-i386/gcc-i386.mk).
"""
import concurrent.futures as cf
import os
import re
import subprocess
import sys

# -m flags naming an ISA ferry does not advertise: the test is left out.
ISA_BAD = re.compile(
    r"^-m(avx512|amx|avxifma|avxneconvert|avxvnniint|fma4|xop|3dnow|tbm|shstk|rtm|"
    r"x32$|32$|16$|serialize|uintr|kl$|widekl|hreset|"
    r"cldemote|waitpkg|ptwrite|enqcmd|mwaitx|pku|lwp|prefetchwt1|sgx|cet|ibt|"
    r"wbnoinvd|pconfig|tsxldtrk|xsaves|prfchw|raoint|cmpccxadd|prefetchi|rdpru|invpcid)")
# -march values within x86-64-v3 (+ what ferry adds).
ARCH_OK = {"x86-64", "x86-64-v2", "x86-64-v3", "core2", "nehalem", "westmere", "sandybridge",
           "ivybridge", "haswell", "broadwell", "skylake", "k8", "nocona", "athlon64",
           "opteron", "generic"}
# Effective targets and selector words true on x86-64 Linux with ferry's CPU.
TRUE_TARGETS = {
    "lp64", "int128", "sse", "sse2", "sse3", "ssse3", "sse4", "sse4_1", "sse4_2", "sse_runtime",
    "sse2_runtime", "sse4_runtime", "avx", "avx_runtime", "avx2", "avx2_runtime", "fma", "f16c",
    "bmi", "bmi2", "lzcnt", "aes", "pclmul", "sha", "c99_runtime", "fpic", "pie", "fenv",
    "fenv_exceptions", "sysconf", "mmap", "large_long_double", "nonpic", "dfp", "static",
    "fstack_protector", "alloca", "ptr32plus", "size32plus", "lto", "pthread", "movbe", "adx",
    "rdrand", "xsave", "fxsr", "popcnt", "cmpxchg16b", "mfentry", "mempcpy", "tls",
    "tls_runtime", "sync_int_long", "sync_char_short", "float128", "ucontext_h", "signal",
    "nonlocal_goto", "trampolines", "stdint_types", "lp64_or_x32", "ilp32_or_lp64",
    # advertised since session 26 (their non-AVX-512 forms; SSE4A on AMD machines only)
    "avxvnni", "movdir", "gfni", "vaes", "vpclmulqdq", "vpclmul", "sse4a",
}
FALSE_TARGETS = {"ia32", "x32", "ilp32", "native", "cet", "xop", "pe_aligned_commons"}


def target_true(word):
    """True/False for a target word, None when this script does not know it."""
    if word in TRUE_TARGETS:
        return True
    if word in FALSE_TARGETS or word.startswith("avx512"):
        return False
    if re.fullmatch(r"(x86_64|i\?86|\*)-\*-(linux\*|gnu\*|\*)", word):
        return True
    if re.fullmatch(r"\*-\*-\w+\*", word):
        return False     # darwin, mingw, solaris...
    return None


def eval_selector(sel):
    """A dg selector body ({ a && ! { b c } }) as True/False/None; juxtaposed
    words are alternatives."""
    out = []
    for t in re.findall(r"\{|\}|&&|\|\||!|[^\s{}!&|]+", sel):
        if t == "target":
            continue
        if t in ("{",) or t not in ("}", "&&", "||", "!"):
            if out and out[-1] in ("True", "False", ")"):
                out.append(" or ")
        if t in ("{", "}", "&&", "||", "!"):
            out.append({"{": "(", "}": ")", "&&": " and ", "||": " or ", "!": " not "}[t])
            continue
        v = target_true(t)
        if v is None:
            return None
        out.append(str(v))
    try:
        return bool(eval("".join(out) or "True"))
    except SyntaxError:
        return None


def sel_ok(sel):
    """A directive's trailing `{ target ... }` (or none) as True/False/None."""
    if not sel:
        return True
    m = re.search(r"\{\s*target\s+(.*)\}", sel)
    return eval_selector(m.group(1)) if m else None


def directives(text):
    """[(dg-NAME, body)] of the test's `{ dg-NAME body }` comments."""
    res = []
    for line in text.splitlines():
        m = re.search(r"\{\s*(dg-[a-z-]+)\b(.*)", line)
        if m:
            res.append((m.group(1), re.sub(r"\}\s*(\*/)?\s*$", "", m.group(2).strip()).strip()))
    return res


def split_opts_sel(body):
    """'"-O2 -mavx" { target ... }' -> ('-O2 -mavx', '{ target ... }' or None)."""
    m = re.match(r'"([^"]*)"\s*(.*)$', body) or re.match(r"\{([^}]*)\}\s*(.*)$", body)
    if not m:
        parts = body.split(None, 1)
        return (parts[0] if parts else ""), (parts[1] if len(parts) > 1 else None)
    return m.group(1), (m.group(2).strip() or None)


def all_text(path, i386dir, seen):
    """The test's text with its local #includes, recursively."""
    if path in seen or not os.path.exists(path):
        return ""
    seen.add(path)
    with open(path, errors="replace") as f:
        t = f.read()
    for inc in re.findall(r'#\s*include\s+"([^"]+)"', t):
        for base in (os.path.dirname(path), i386dir):
            p = os.path.normpath(os.path.join(base, inc))
            if os.path.exists(p):
                t += "\n" + all_text(p, i386dir, seen)
                break
    return t


# ISA the flags do not show: intrinsics or headers of unadvertised extensions.
BAD_SRC = re.compile(r"avx512|amx-check|xop-check|fma4-check|mmx-3dnow|rtm-check|"
                     r"__builtin_ia32_\w*512|"
                     r"target\s*\(\s*\"(?:avx512|arch=(?!x86-64|haswell))")
# check header -> CPUID features its main() tests before running the body.
HEADER_FEAT = {
    "sse-check.h": ["sse"], "sse2-check.h": ["sse2"], "sse3-check.h": ["sse3"],
    "ssse3-check.h": ["ssse3"], "sse4_1-check.h": ["sse4_1"], "sse4_2-check.h": ["sse4_2"],
    "avx-check.h": ["avx"], "avx2-check.h": ["avx2"], "avx2-vpop-check.h": ["avx2"],
    "fma-check.h": ["fma"], "f16c-check.h": ["f16c"], "bmi-check.h": ["bmi"],
    "bmi2-check.h": ["bmi2"], "lzcnt-check.h": ["lzcnt"], "adx-check.h": ["adx"],
    "aes-check.h": ["aes"], "aes-avx-check.h": ["aes", "avx"], "pclmul-check.h": ["pclmul"],
    "pclmul-avx-check.h": ["pclmul", "avx"], "sha-check.h": ["sha"], "mmx-check.h": ["mmx"],
    "sse4a-check.h": ["sse4a"],
}


def features(text):
    """CPUID features the test (with its headers) checks before it runs."""
    f = set()
    for h in re.findall(r'"([\w.-]+-check\.h)"', text):
        f.update(HEADER_FEAT.get(os.path.basename(h), []))
    f.update(s.replace(".", "_") for s in
             re.findall(r'__builtin_cpu_supports\s*\(\s*"([a-z0-9_.]+)"', text))
    # isa-check.h names every bit but tests only those the flags enable
    # (already within ferry's ISA here).
    if "isa-check.h" not in text:
        f.update(b.lower() for b in re.findall(r"\bbit_([A-Za-z0-9_]+)\b", text)
                 if b not in ("count", "OSXSAVE"))
    return sorted(f)


def collect(ds):
    """(options, [additional options], [sources]) or a skip reason."""
    opts, extra, srcs = None, [], []
    for d, b in ds:
        o, s = split_opts_sel(b)
        if d in ("dg-options", "dg-additional-options"):
            v = sel_ok(s)
            if v is None:
                return "%s selector %s" % (d, s)
            if v and d == "dg-options":
                opts = o
            elif v:
                extra.append(o)
        elif d == "dg-require-effective-target":
            w = b.split()
            if w and (target_true(w[0]) is not True or
                      (len(w) > 1 and sel_ok(" ".join(w[1:])) is not True)):
                return "requires %s" % b
        elif d == "dg-additional-sources":
            srcs += o.split()
        elif d in ("dg-add-options", "dg-set-target-env-var"):
            return "%s %s" % (d, b)
    return opts, extra, srcs


def flags_skip(flags):
    for fl in flags:
        m = re.match(r"-march=(.*)", fl)
        if ISA_BAD.match(fl) or (m and m.group(1) not in ARCH_OK):
            return "isa %s" % fl
    return None


def plan(path, i386dir):
    """(flags, sources, features) for a test to run, or ('SKIP', reason)."""
    with open(path, errors="replace") as f:
        ds = directives(f.read())
    run = [b for d, b in ds if d == "dg-do" and b.startswith("run")]
    if not run:
        return ("SKIP", "not dg-do run")
    if sel_ok(run[0][3:].strip()) is not True:
        return ("SKIP", "dg-do %s" % run[0])
    c = collect(ds)
    if isinstance(c, str):
        return ("SKIP", c)
    opts, extra, srcs = c
    # dg-options replaces i386.exp's DEFAULT_CFLAGS.
    flags = (opts if opts is not None else "-ansi -pedantic-errors").split()
    flags += [w for e in extra for w in e.split()]
    why = flags_skip(flags)
    text = all_text(path, i386dir, set())
    m = BAD_SRC.search(text)
    if why or m:
        return ("SKIP", why or "isa in source %s" % m.group(0))
    return (flags, srcs, features(text))


BASE_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C", "LC_ALL": "C",
            "TZ": "UTC"}


def run(cmd, cwd, timeout, env_extra=None):
    """(status, stdout, stderr) with qemu's own fatal-signal line dropped."""
    env = dict(BASE_ENV, **(env_extra or {}))
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return ("timeout", b"", b"")
    except OSError as e:
        return ("oserror %s" % e.errno, b"", b"")
    err = b"\n".join(l for l in p.stderr.split(b"\n")
                     if not l.startswith(b"qemu: uncaught target signal"))
    return (p.returncode, p.stdout, err)


def compare(tag, r, nat):
    if r == nat:
        return "%s=EQ" % tag
    why = []
    if r[0] != nat[0]:
        why.append("status %s vs %s" % (r[0], nat[0]))
    if r[1] != nat[1]:
        why.append("stdout")
    if r[2] != nat[2]:
        why.append("stderr:" + r[2][:200].decode(errors="replace").replace("\n", "|"))
    return "%s=DIFF(%s)" % (tag, "; ".join(why))


def compile_test(path, srcs, flags, d, i386dir, link):
    binp = os.path.join(d, "a.out")
    cmd = ["gcc-12", "-I", i386dir, "-w"] + flags + [path] + \
          [os.path.join(i386dir, s) for s in srcs] + ["-lm"] + link + ["-o", binp]
    c = subprocess.run(cmd, cwd=d, capture_output=True, timeout=300)   # -save-temps: in d
    if c.returncode != 0:
        with open(os.path.join(d, "cc.err"), "wb") as f:
            f.write(c.stderr)
        return None
    return binp


def build_and_run(path, srcs, flags, d, i386dir):
    """(binary, native result): static (quicker under ferry), else dynamic
    (ifunc tests, -mcmodel=medium against libc.a)."""
    binp, nat = None, None
    for link in (["-static"], []):
        binp = compile_test(path, srcs, flags, d, i386dir, link)
        if binp:
            nat = run([binp], d, 20)
            if nat[0] == 0:
                break
    return binp, nat


def one(name, cfg):
    """(name, EQ|DIFF|SKIP|NOCOMPILE|NATIVEFAIL, detail, features)."""
    path = os.path.join(cfg["i386dir"], name)
    p = plan(path, cfg["i386dir"])
    if p[0] == "SKIP":
        return (name, "SKIP", p[1], "")
    flags, srcs, feats = p
    if cfg["extra"]:
        if any(f.startswith(("-march", "-mno-")) for f in flags):
            return (name, "SKIP", "own -march/-mno- (extra flags)", "")
        flags = flags + cfg["extra"]
    d = os.path.join(cfg["out"], "t", name[:-2])
    os.makedirs(d, exist_ok=True)
    binp, nat = build_and_run(path, srcs, flags, d, cfg["i386dir"])
    if not nat:
        return (name, "NOCOMPILE", " ".join(flags), ",".join(feats))
    if nat[0] != 0:
        return (name, "NATIVEFAIL", "status %s" % (nat[0],), ",".join(feats))
    res = []
    for tag, pre, to in cfg["ferries"]:
        r = run(pre + [binp], d, to, {"FERRY_TCACHE": os.path.join(cfg["out"], "tcache-" + tag)})
        res.append(compare(tag, r, nat))
    st = "EQ" if all(x.endswith("=EQ") for x in res) else "DIFF"
    return (name, st, " ".join(res) + " flags=" + " ".join(flags), ",".join(feats))


def cpu_features(cmd):
    """{feature: bool} as cpufeat prints it under CMD."""
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout
    return {k: v == "1" for k, v in (l.split() for l in out.splitlines())}


def summary(rows, nat, fer):
    """Counts; which tests skip themselves (by CPUID) natively or under ferry."""
    ran = [r for r in rows if r[1] in ("EQ", "DIFF")]
    known = lambda f, cpu: all(cpu.get(x, False) for x in f.split(",") if x)
    gaps = [r[0] for r in ran if known(r[3], nat) and not known(r[3], fer)]
    extra = [r[0] for r in ran if known(r[3], fer) and not known(r[3], nat)]
    both = [r for r in ran if known(r[3], nat) and known(r[3], fer)]
    count = lambda st: sum(1 for r in rows if r[1] == st)
    print("tests: %d dg-do run, %d left out (ISA/target), %d did not compile, %d failed natively"
          % (len(rows), count("SKIP"), count("NOCOMPILE"), count("NATIVEFAIL")))
    print("compiled and ran natively: %d; their bodies ran on both CPUs: %d" % (len(ran), len(both)))
    for tag in ("x86", "a64"):
        eq = sum(1 for r in ran if "%s=EQ" % tag in r[2])
        print("%s build: %d equal to native" % (tag, eq))
    print("skipped by CPUID under ferry only: %s" % (" ".join(gaps) or "none"))
    print("skipped by CPUID natively only: %s" % (" ".join(extra) or "none"))
    for r in ran:
        if r[1] == "DIFF":
            print("DIFF %s: %s" % (r[0], r[2]))
    print("%d passed, %d failed" % (count("EQ"), count("DIFF")))


def parse_args(args):
    cfg = {"jobs": 2, "only": None, "every": 1, "a64": True, "extra": []}
    while args and args[0].startswith("-"):
        a = args.pop(0)
        if a == "-j":
            cfg["jobs"] = int(args.pop(0))
        elif a == "--only":
            cfg["only"] = re.compile(args.pop(0))
        elif a == "--every":       # every Nth test: a quick sample
            cfg["every"] = max(int(args.pop(0)), 1)
        elif a == "--no-a64":
            cfg["a64"] = False
        elif a == "--extra":
            cfg["extra"] = args.pop(0).split()
    i386dir, fx, fa, feat, out = [os.path.abspath(a) for a in args]
    qemu = ["qemu-aarch64", "-L", "/", fa]
    cfg.update(i386dir=i386dir, out=out, feat=feat, fx=fx, qemu=qemu,
               ferries=[("x86", [fx], 60)] + ([("a64", qemu, 600)] if cfg["a64"] else []))
    return cfg


def main():
    cfg = parse_args(sys.argv[1:])
    os.makedirs(cfg["out"], exist_ok=True)
    names = sorted(n for n in os.listdir(cfg["i386dir"]) if n.endswith(".c") and
                   (not cfg["only"] or cfg["only"].search(n)) and
                   "dg-do run" in open(os.path.join(cfg["i386dir"], n), errors="replace").read())
    names = names[::cfg["every"]]
    rp = os.path.join(cfg["out"], "results.tsv")
    done = {}
    if os.path.exists(rp):
        done = {l.split("\t")[0]: l.rstrip("\n").split("\t") for l in open(rp) if "\t" in l}
    todo = [n for n in names if n not in done]
    with open(rp, "a") as tsv, cf.ThreadPoolExecutor(cfg["jobs"]) as ex:
        for r in ex.map(lambda n: one(n, cfg), todo):
            tsv.write("\t".join(r) + "\n")
            tsv.flush()
            done[r[0]] = list(r)
    summary([done[n] for n in names], cpu_features([cfg["feat"]]),
            cpu_features([cfg["fx"], cfg["feat"]]))


if __name__ == "__main__":
    main()
