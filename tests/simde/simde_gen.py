#!/usr/bin/env python3
"""simde_gen.py -- writes one C probe program per SIMDe x86 header: every
public `simde_mm*_` function that header defines (SIMDe's own list of the
Intel intrinsics of that ISA extension, read from Debian's libsimde-dev
headers) called on a fixed set of inputs, each result printed as raw bytes.
A header without SIMDe's markers is read as one of GCC's own intrinsic
headers (`extern __inline` functions: AES, SHA, BMI, which SIMDe 0.7.4 lacks).

Built with -march=x86-64-v3 (+PCLMUL), SIMDe maps each function to the
native intrinsic, so each call is the CPU's instruction; the program's output (argv: MXCSR value to run
under, then a seed for the random input sets, both hex)
is the CPU's answer, compared by simde_sweep.py with ferry's.  Nothing here
knows an expected value: the native run is the oracle.

Inputs: eight 64-byte input sets filled at run time (so the compiler cannot
fold a call): random bytes, f32 and f64 specials (NaN payloads, -0, inf,
denormals, integer-boundary values), small per-byte and per-qword counts
(shift counts, gather indices), moderate random floats.  Argument j of call
k takes set (k + j) % 8.  An immediate operand (a `const int` parameter or
one with SIMDE_REQUIRE_CONSTANT_RANGE) takes every value of a range of at
most 32 (all 256 for the SSE4.2 string compares), else eight spread ones.
A pointer parameter points into a 256-byte input buffer (const) or an output
buffer whose bytes are printed after the call.
"""
import re, sys

# Functions that cannot be compared or have nothing to compare (why).
SKIP_RE = re.compile(r'undefined|setcsr|_MM_SET|sfence|lfence|mfence|pause|prefetch|'
                     r'clflush|malloc|_free|zeroupper|zeroall|empty|stream_si|_rdtsc|'
                     r'_mulx_u32')  # _mulx_u32: GCC defines it for ia32 only

VEC_TYPES = {'__m128i': 16, 'simde__m64': 8, 'simde__m128': 16, 'simde__m128d': 16, 'simde__m128i': 16,
             'simde__m256': 32, 'simde__m256d': 32, 'simde__m256i': 32}
INT_TYPES = ('unsigned long long', 'unsigned short', 'int', 'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t',
             'uint32_t', 'uint64_t', 'unsigned int', 'long long', 'unsigned', 'short', 'char',
             'simde__mmask8', 'size_t')
FLT_TYPES = ('simde_float32', 'simde_float64', 'float', 'double')
NSETS = 12

FUNC_RE = re.compile(
    r'SIMDE_FUNCTION_ATTRIBUTES\s+([\w \t\*]+?)\s+(simde_mm\w+)\s*'
    r'\(((?:[^()]|\([^()]*\))*)\)\s*((?:SIMDE_REQUIRE_\w+\((?:[^()]|\([^()]*\))*\)\s*)*)\{')
# GCC's own intrinsic headers (AES, SHA, BMI1/2, LZCNT, POPCNT: SIMDe 0.7.4
# has none of these), same scheme: every `extern __inline` function.
GCC_FUNC_RE = re.compile(
    r'extern __inline\s+([\w \t\*]+?)\s*\n?\s*__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)\s*'
    r'(_\w+)\s*\(((?:[^()]|\([^()]*\))*)\)\s*()\{')
# Immediates GCC's headers declare as plain `const int` whose range is narrower.
GCC_RANGES = {'_mm_sha1rnds4_epu32': (0, 3)}
RANGE_RE = re.compile(r'SIMDE_REQUIRE_(?:CONSTANT_)?RANGE\(\s*(\w+)\s*,\s*([^,]+?)\s*,\s*([^)]+?)\s*\)')


def parse_params(text):
    """[(type, name, is_array)] of a parameter list ('void' -> [])."""
    out = []
    text = text.strip()
    if text in ('', 'void'):
        return out
    depth, cur, parts = 0, '', []
    for ch in text:
        if ch == ',' and depth == 0:
            parts.append(cur)
            cur = ''
            continue
        depth += ch == '('
        depth -= ch == ')'
        cur += ch
    parts.append(cur)
    for p in parts:
        p = ' '.join(p.split())
        arr = '[' in p
        if arr:
            p = p[:p.index('[')].strip()
        m = re.match(r'^(.*?)(\w+)$', p)
        if not m:
            return None
        out.append((m.group(1).strip(), m.group(2), arr))
    return out


def imm_values(name, lo, hi):
    """The immediates one function is called with."""
    n = hi - lo + 1
    if n <= 32 or re.search(r'cmp[ei]str', name):
        return list(range(lo, hi + 1))
    picks = [lo, hi, lo + 1, (lo + hi) // 2, lo + 0x1b, lo + 0x4e, lo + 0xb1, lo + 0xe4]
    return sorted({v for v in picks if lo <= v <= hi})


def int_eval(s):
    s = s.strip().rstrip('uUlL')
    try:
        return int(s, 0)
    except ValueError:
        return None


def functions(header_text):
    """[(ret, name, params, ranges)] of the public functions of one header."""
    seen, out = set(), []
    gcc = 'SIMDE_FUNCTION_ATTRIBUTES' not in header_text
    for m in (GCC_FUNC_RE if gcc else FUNC_RE).finditer(header_text):
        ret, name, params, req = m.group(1).strip(), m.group(2), m.group(3), m.group(4)
        if name in seen or name.endswith('_') or SKIP_RE.search(name):
            continue
        ps = parse_params(params)
        if ps is None:
            continue
        ranges = {}
        for r in RANGE_RE.finditer(req):
            lo, hi = int_eval(r.group(2)), int_eval(r.group(3))
            if lo is None or hi is None:
                ps = None
                break
            ranges[r.group(1)] = (lo, hi)
        if ps is None:
            continue
        for t, n, _ in ps:
            if name in GCC_RANGES and t == 'const int':
                ranges[n] = GCC_RANGES[name]
        seen.add(name)
        out.append((ret, name, ps, ranges))
    return out


def arg_expr(ptype, pname, arr, j, imm):
    """C expression for one argument of call k (the loop variable `k`)."""
    if imm is not None:
        return str(imm)
    base = ptype.replace('const', '').replace('*', '').strip()
    if arr or '*' in ptype:
        buf = 'g_in' if ('const' in ptype or 'vindex' in pname) else 'g_out'
        cast = ptype + ('*' if arr else '')
        if pname == 'base_addr':
            buf = 'g_in'
        return '(%s) (void*) %s' % (cast, buf)
    if base in VEC_TYPES:
        if 'vindex' in pname:
            return 'ld_%s(5)' % base
        return 'ld_%s(SET(k, %d))' % (base, j)
    if base in FLT_TYPES:
        return '(%s) g_flt[SET(k, %d)]' % (base, j)
    if base in INT_TYPES:
        return '(%s) g_int[SET(k, %d)]' % (base, j)
    return None


def emit_function(out, ret, name, params, ranges):
    """Writes the probe of one function; returns False if a type is unknown."""
    imm_params = [(i, p) for i, p in enumerate(params)
                  if p[1] in ranges or (p[0] == 'const int')]
    combos = [{}]
    for i, p in imm_params:
        lo, hi = ranges.get(p[1], (0, 15) if p[1] == 'rounding' else (0, 255))
        combos = [{**c, i: v} for c in combos for v in imm_values(name, lo, hi)]
        if len(combos) > 256:
            combos = combos[:256]
    has_out = any(('*' in t or a) and 'const' not in t and 'vindex' not in n
                  and n != 'base_addr' for t, n, a in params)
    rbase = ret.replace('const', '').strip()
    if rbase != 'void' and rbase not in VEC_TYPES and rbase not in INT_TYPES \
            and rbase not in FLT_TYPES:
        return False
    body = []
    for c in combos:
        args = []
        for j, (t, n, a) in enumerate(params):
            e = arg_expr(t, n, a, j, c.get(j))
            if e is None:
                return False
            args.append(e)
        tag = name + ''.join('/%d' % v for v in c.values())
        call = '%s(%s)' % (name, ', '.join(args))
        body.append('    {')
        if has_out:
            body.append('      out_reset();')
        body.append('      _mm_setcsr(g_mxcsr);')
        if rbase == 'void':
            body.append('      %s;' % call)
            body.append('      pr(k, "%s", 0, 0);' % tag)
        else:
            body.append('      %s r = %s;' % (rbase, call))
            body.append('      pr(k, "%s", &r, sizeof r);' % tag)
        if has_out:
            body.append('      pr(k, "  out", g_out, 64);')
        body.append('    }')
    out.append('static void t_%s(void) {' % name)
    out.append('  for (int k = 0; k < %d; k++) {' % NSETS)
    out.extend(body)
    out.append('  }')
    out.append('}')
    return True


PRELUDE = r'''/* Generated by tests/simde/simde_gen.py from %(hdr)s: do not edit. */
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include %(inc)s
/* the loaders name every vector type */
#include <simde/x86/avx2.h>
#include <stdlib.h>
#include <immintrin.h>
/* Input set of argument J in call K: each argument a different set, at
 * distances 1..3 apart. */
#define SET(K, J) (((K) + (J) * (1 + (K) %% 3)) %% %(n)d)
static unsigned g_mxcsr = 0x1f80;
static uint64_t g_rng = 0x9e3779b97f4a7c15ull;
static unsigned char g_set[%(n)d][64] __attribute__((aligned(64)));
static unsigned char g_in[256] __attribute__((aligned(64)));
static unsigned char g_out[256] __attribute__((aligned(64)));
static long long g_int[%(n)d];
static double g_flt[%(n)d];
static void pr(int k, const char *tag, const void *p, size_t n) {
  const unsigned char *b = p;
  printf("%%s#%%d:", tag, k);
  for (size_t i = 0; i < n; i++) printf("%%02x", b[i]);
  printf(" mxcsr=%%04x\n", _mm_getcsr());
}
static void out_reset(void) { memset(g_out, 0xa5, sizeof g_out); }
'''

INIT = r'''
static uint64_t rnd(void) { g_rng ^= g_rng << 13; g_rng ^= g_rng >> 7; g_rng ^= g_rng << 17; return g_rng; }
static void init(void) {
  /* the special floats: sets 2 and 8 as floats, 3 and 9 as doubles (NaNs,
   * infinities, denormals, bounds of the conversions, halves for rounding) */
  static const uint32_t f32s[2][16] = {
    { 0x7fc00000, 0xffc00001, 0x7f800001, 0x80000000, 0x7f800000, 0xff800000, 0x00000001,
      0x807fffff, 0x3fc00000, 0xc0200000, 0x4f000000, 0xcf000000, 0x5f000000, 0x3effffff,
      0x3f000000, 0x4b7fffff },
    { 0x7f7fffff, 0x00800000, 0x4effffff, 0xcf000001, 0x3f7fffff, 0x80000001, 0x7fbfffff,
      0x00000000, 0x34000000, 0x3f800001, 0xbf000000, 0x3fc00000, 0x40200000, 0x7e000000,
      0x0c000000, 0xff7fffff } };
  static const uint64_t f64s[2][8] = {
    { 0x7ff8000000000000ull, 0xfff8000000000123ull, 0x7ff0000000000001ull, 0x8000000000000000ull,
      0x7ff0000000000000ull, 0xfff0000000000000ull, 0x0000000000000001ull, 0x41e0000000000000ull },
    { 0x7fefffffffffffffull, 0x0010000000000000ull, 0x000fffffffffffffull, 0x7ff4000000000000ull,
      0xc1e0000000000000ull, 0x43e0000000000000ull, 0x3fe0000000000000ull, 0xbff8000000000000ull } };
  for (int s = 0; s < %(n)d; s++)
    for (int i = 0; i < 64; i += 8) { uint64_t r = rnd(); memcpy(&g_set[s][i], &r, 8); }
  memcpy(g_set[2], f32s[0], 64);
  memcpy(g_set[3], f64s[0], 64);
  memcpy(g_set[8], f32s[1], 64);
  memcpy(g_set[9], f64s[1], 64);
  for (int i = 0; i < 64; i++) g_set[4][i] = (unsigned char) (rnd() %% 41);
  memset(g_set[5], 0, 64);
  for (int i = 0; i < 64; i += 8) g_set[5][i] = (unsigned char) (rnd() %% 8);
  for (int i = 0; i < 16; i++) { float f = (float) ((int64_t) (rnd() %% 2000001) - 1000000) / 256.0f; memcpy(&g_set[6][4 * i], &f, 4); }
  for (int i = 0; i < 8; i++) { double d = (double) ((int64_t) (rnd() %% 2000001) - 1000000) / 1024.0; memcpy(&g_set[7][8 * i], &d, 8); }
  for (int i = 0; i < 256; i += 8) { uint64_t r = rnd(); memcpy(&g_in[i], &r, 8); }
  static const uint16_t i16b[] = { 0x8000, 0x7fff, 0xffff, 0x0000, 0x0080, 0xff7f, 0x00ff, 0x0100 };
  for (int i = 0; i < 32; i++) memcpy(&g_set[10][2 * i], &i16b[(i * 3) %% 8], 2);
  static const long long ints[] = { 0, 1, -1, 5, 31, 33, 0x7fffffff, -0x7fffffffll - 1,
    0x8000, 64, 0xff, 0x12345678 };
  static const double flts[] = { 1.5, -0.0, 2.5, -3e9, 1e-40, 0.3, 65504.0, -7.0,
    1e300, -1e-310, 0.5, 3e38 };
  memcpy(g_int, ints, sizeof ints);
  memcpy(g_flt, flts, sizeof flts);
}
'''


def loaders(out):
    for t, n in VEC_TYPES.items():
        out.append('static %s ld_%s(int s) { %s v; memcpy(&v, g_set[s], %d); return v; }'
                   % (t, t, t, n))


def generate(header_path, hdr):
    text = open(header_path).read()
    inc = '<immintrin.h>' if hdr.startswith('gcc-') else '<simde/x86/%s>' % hdr
    out = [PRELUDE % {'hdr': hdr, 'n': NSETS, 'inc': inc}]
    loaders(out)
    out.append(INIT % {'n': NSETS})
    names = []
    for ret, name, params, ranges in functions(text):
        if emit_function(out, ret, name, params, ranges):
            names.append(name)
    out.append('int main(int argc, char **argv) {')
    out.append('  if (argc > 1) g_mxcsr = (unsigned) strtoul(argv[1], 0, 16);')
    out.append('  if (argc > 2) g_rng ^= strtoull(argv[2], 0, 16) * 0x2545f4914f6cdd1dull;')
    out.append('  init();')
    for n in names:
        out.append('  t_%s();' % n)
    out.append('  return 0;')
    out.append('}')
    return '\n'.join(out) + '\n', names


if __name__ == '__main__':
    src, names = generate(sys.argv[1], sys.argv[2])
    open(sys.argv[3], 'w').write(src)
    print('%s: %d functions' % (sys.argv[2], len(names)))
