/* test_x86_x87.c -- the soft x87 (x86_x87_soft.h) against the real FPU.
 *
 * Every operation runs on chosen and random operands (zeros, denormals,
 * extremes that overflow/underflow, infinities, NaNs with payloads,
 * near-cancelling pairs, halfway cases) under every RC and PC setting;
 * the same instruction runs natively via inline asm, and result bits,
 * C1 and the exception flags must agree.  x86-64 host only.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "x86_x87_bridge.h"
#include "x86_x87_soft.h"

#define ITERS 100000
#define SW_COMPARED (X87S_IE | X87S_ZE | X87S_DE | X87S_OE | X87S_UE | X87S_PE | X87S_C1)

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const x87s_f80 edges[] = {
    { 0, 0 }, { 0, 0x8000 }, { 1ull << 63, 0x3fff }, { 1ull << 63, 0xbfff },
    { 1, 0 }, { 0x7fffffffffffffffull, 0x8000 }, { 1ull << 63, 1 }, { ~0ull, 0x7ffe },
    { ~0ull, 0xfffe }, { 1ull << 63, 0x7fff }, { 1ull << 63, 0xffff },
    { 0xc000000000000000ull, 0x7fff }, { 0xc000000000001234ull, 0xffff },
    { 0x8000000000000001ull, 0x7fff }, { 0x8000000000005678ull, 0x7fff },
    { 0xa000000000000000ull, 0x4000 }, { ~0ull, 0x403e }, { 1ull << 63, 0x403e },
    { 0xc000000000000000ull, 0x3ffe }, { 0x8000000000000400ull, 0x3c01 },
};
#define NEDGES (sizeof edges / sizeof edges[0])

/* A random operand: edge, random exponent, near 1.0, or a neighbour of B. */
static x87s_f80 pick(const x87s_f80 *near)
{
    uint64_t r = rnd(), m = rnd() | 1ull << 63, s = r & 0x8000;
    switch (r >> 60 & 7) {
    case 0: return edges[rnd() % NEDGES];
    case 1: return (x87s_f80){ m, (uint16_t)(s | (rnd() % 0x7ffe + 1)) };
    case 2: return (x87s_f80){ m >> (rnd() % 64), (uint16_t)s };                 /* denormal */
    case 3: return (x87s_f80){ m, (uint16_t)(s | (rnd() & 1 ? 0x7ffe - rnd() % 64 : 1 + rnd() % 64)) };
    case 4: if (near) return (x87s_f80){ near->m + rnd() % 5 - 2, (uint16_t)((near->se ^ s) + rnd() % 3 - 1) };
            /* fall through */
    case 5: return (x87s_f80){ (m & ~(rnd() >> (rnd() % 64))) | 1ull << 63, (uint16_t)(s | (0x3fff + rnd() % 130 - 65)) };
    default: return (x87s_f80){ m, (uint16_t)(s | (0x3fff + rnd() % 40 - 20)) };
    }
}

static uint16_t pick_fcw(void)
{
    static const uint16_t pc[3] = { 0x000, 0x200, 0x300 };
    return (uint16_t)(0x7f | pc[rnd() % 3] | (rnd() % 4) << 10);
}

/* ---- the native FPU --------------------------------------------------- */

struct nat { x87s_f80 r; uint16_t sw; uint64_t pad; };

#define NATIVE2(NAME, TEXT)                                                   \
    static struct nat NAME(x87s_f80 a, x87s_f80 b, uint16_t fcw)              \
    {                                                                         \
        struct nat n;                                                         \
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" \
                         TEXT "\n\tfnstsw %[sw]\n\tfstpt %[r]\n\tfninit"      \
                         : [sw] "=m"(n.sw), [r] "=m"(n.r)                     \
                         : [a] "m"(a), [b] "m"(b), [cw] "m"(fcw) : "memory"); \
        return n;                                                             \
    }

NATIVE2(nat_add, "fadd %%st(1), %%st")
NATIVE2(nat_sub, "fsub %%st(1), %%st")
NATIVE2(nat_mul, "fmul %%st(1), %%st")
NATIVE2(nat_div, "fdiv %%st(1), %%st")
NATIVE2(nat_sqrt, "fsqrt")
NATIVE2(nat_rndint, "frndint")
NATIVE2(nat_scale, "fscale")

typedef x87s_f80 soft2(x87s_f80, x87s_f80, uint16_t, uint16_t *);
typedef struct nat native2(x87s_f80, x87s_f80, uint16_t);

static x87s_f80 soft_sqrt(x87s_f80 a, x87s_f80 b, uint16_t fcw, uint16_t *sw)
{
    return x87s_sqrt(a, fcw, sw);
}

static x87s_f80 soft_rndint(x87s_f80 a, x87s_f80 b, uint16_t fcw, uint16_t *sw)
{
    return x87s_rndint(a, fcw, sw);
}

static void check2(const char *name, soft2 *soft, native2 *native, uint16_t mask)
{
    int bad = 0;
    for (int i = 0; i < ITERS && bad < 5; i++) {
        x87s_f80 b = pick(NULL), a = pick(&b);
        uint16_t fcw = pick_fcw(), sw = 0;
        x87s_f80 r = soft(a, b, fcw, &sw);
        struct nat n = native(a, b, fcw);
        if (r.m == n.r.m && r.se == n.r.se && (sw & mask) == (n.sw & mask))
            continue;
        bad++;
        cr_log_error("%s %04x:%016lx %04x:%016lx fcw %04x: soft %04x:%016lx sw %04x, "
                     "native %04x:%016lx sw %04x", name, a.se, a.m, b.se, b.m, fcw,
                     r.se, r.m, sw & mask, n.r.se, n.r.m, n.sw & mask);
    }
    cr_expect_eq(bad, 0, "%s disagrees with the FPU", name);
}

Test(x87_soft, add) { check2("fadd", x87s_add, nat_add, SW_COMPARED); }
Test(x87_soft, sub) { check2("fsub", x87s_sub, nat_sub, SW_COMPARED); }
Test(x87_soft, mul) { check2("fmul", x87s_mul, nat_mul, SW_COMPARED); }
Test(x87_soft, div) { check2("fdiv", x87s_div, nat_div, SW_COMPARED); }
Test(x87_soft, sqrt) { check2("fsqrt", soft_sqrt, nat_sqrt, SW_COMPARED); }
Test(x87_soft, rndint) { check2("frndint", soft_rndint, nat_rndint, SW_COMPARED); }
Test(x87_soft, scale) { check2("fscale", x87s_scale, nat_scale, SW_COMPARED); }

/* ---- conversions ---------------------------------------------------------- */

Test(x87_soft, store_f64_f32)
{
    int bad = 0;
    for (int i = 0; i < ITERS && bad < 5; i++) {
        x87s_f80 a = pick(NULL);
        if (i % 3 == 0)             /* near binary64/binary32 ranges */
            a.se = (uint16_t)((a.se & 0x8000) | (0x3fff + (i % 2 ? 1023 : 127) - rnd() % 200 + 100 - (i % 4 ? 0 : (i % 2 ? 2046 : 252))));
        uint16_t fcw = pick_fcw(), sw = 0, nsw64, nsw32;
        uint64_t d = x87s_to_f64(a, fcw, &sw), nd;
        uint32_t f, nf;
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfstpl %[d]\n\tfnstsw %[sw]\n\tfninit"
                         : [d] "=m"(nd), [sw] "=m"(nsw64) : [a] "m"(a), [cw] "m"(fcw) : "memory");
        uint16_t sw32 = 0;
        f = x87s_to_f32(a, fcw, &sw32);
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfstps %[f]\n\tfnstsw %[sw]\n\tfninit"
                         : [f] "=m"(nf), [sw] "=m"(nsw32) : [a] "m"(a), [cw] "m"(fcw) : "memory");
        if (d == nd && f == nf && (sw & SW_COMPARED) == (nsw64 & SW_COMPARED) &&
            (sw32 & SW_COMPARED) == (nsw32 & SW_COMPARED))
            continue;
        bad++;
        cr_log_error("fst %04x:%016lx fcw %04x: f64 %016lx/%016lx sw %04x/%04x f32 %08x/%08x sw %04x/%04x",
                     a.se, a.m, fcw, d, nd, sw & SW_COMPARED, nsw64 & SW_COMPARED, f, nf,
                     sw32 & SW_COMPARED, nsw32 & SW_COMPARED);
    }
    cr_expect_eq(bad, 0, "fst m64/m32 disagrees with the FPU");
}

Test(x87_soft, load_f64_f32_int)
{
    int bad = 0;
    for (int i = 0; i < ITERS && bad < 5; i++) {
        uint64_t d = rnd() >> (rnd() % 2 ? 0 : rnd() % 64);
        if (i % 5 == 0)
            d &= 0x800fffffffffffffull;                 /* denormal */
        uint32_t f = (uint32_t)d;
        int64_t k = (int64_t)d;
        uint16_t sw = 0, nsw;
        x87s_f80 r[3] = { x87s_from_f64(d, &sw), x87s_from_f32(f, &sw), x87s_from_int(k) }, n[3];
        __asm__ volatile("fninit\n\tfldl %[d]\n\tfstpt %[n0]\n\tflds %[f]\n\tfstpt %[n1]\n\t"
                         "fildll %[k]\n\tfstpt %[n2]\n\tfnstsw %[sw]\n\tfninit"
                         : [n0] "=m"(n[0]), [n1] "=m"(n[1]), [n2] "=m"(n[2]), [sw] "=m"(nsw)
                         : [d] "m"(d), [f] "m"(f), [k] "m"(k) : "memory");
        bool same = (sw & (X87S_IE | X87S_DE)) == (nsw & (X87S_IE | X87S_DE));
        for (int j = 0; j < 3; j++)
            same = same && r[j].m == n[j].m && r[j].se == n[j].se;
        if (same)
            continue;
        bad++;
        cr_log_error("fld %016lx: %04x:%016lx %04x:%016lx %04x:%016lx sw %04x native "
                     "%04x:%016lx %04x:%016lx %04x:%016lx sw %04x", d, r[0].se, r[0].m, r[1].se,
                     r[1].m, r[2].se, r[2].m, sw, n[0].se, n[0].m, n[1].se, n[1].m, n[2].se,
                     n[2].m, nsw & (X87S_IE | X87S_DE));
    }
    cr_expect_eq(bad, 0, "fld m64/m32/fild disagrees with the FPU");
}

#define NATIVE_IST(NAME, TEXT, TYPE)                                          \
    static int64_t NAME(x87s_f80 a, uint16_t fcw, uint16_t *sw)               \
    {                                                                         \
        TYPE v;                                                               \
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" TEXT        \
                         " %[v]\n\tfnstsw %[sw]\n\tfninit"                    \
                         : [v] "=m"(v), [sw] "=m"(*sw)                        \
                         : [a] "m"(a), [cw] "m"(fcw) : "memory");             \
        return v;                                                             \
    }

NATIVE_IST(nat_fistp16, "fistps", int16_t)
NATIVE_IST(nat_fistp32, "fistpl", int32_t)
NATIVE_IST(nat_fistp64, "fistpll", int64_t)
NATIVE_IST(nat_fisttp16, "fisttps", int16_t)
NATIVE_IST(nat_fisttp32, "fisttpl", int32_t)
NATIVE_IST(nat_fisttp64, "fisttpll", int64_t)

Test(x87_soft, store_int)
{
    static int64_t (*const nat[2][3])(x87s_f80, uint16_t, uint16_t *) = {
        { nat_fistp16, nat_fistp32, nat_fistp64 }, { nat_fisttp16, nat_fisttp32, nat_fisttp64 },
    };
    int bad = 0;
    for (int i = 0; i < ITERS && bad < 5; i++) {
        x87s_f80 a = pick(NULL);
        if (i % 2)
            a.se = (uint16_t)((a.se & 0x8000) | (0x3fff + rnd() % 66 - 1));
        int w = (int)(rnd() % 3), t = (int)(rnd() % 2), bits = 16 << w;
        uint16_t fcw = pick_fcw(), sw = 0, nsw;
        int64_t v = x87s_to_int(a, bits, t, fcw, &sw), nv = nat[t][w](a, fcw, &nsw);
        uint16_t mask = X87S_IE | X87S_PE | X87S_C1 | X87S_DE;
        if (v == nv && (sw & mask) == (nsw & mask))
            continue;
        bad++;
        cr_log_error("fist%s%d %04x:%016lx fcw %04x: %lx sw %04x native %lx sw %04x",
                     t ? "t" : "", bits, a.se, a.m, fcw, v, sw & mask, nv, nsw & mask);
    }
    cr_expect_eq(bad, 0, "fist/fisttp disagrees with the FPU");
}

/* ---- the bridge to the interpreter's interface: operand order, status --- */

NATIVE2(nat_subr, "fsubr %%st(1), %%st")
NATIVE2(nat_divr, "fdivr %%st(1), %%st")

Test(x87_soft, bridge_reversed_ops)
{
    static const enum x87_op ops[2] = { X87_SUBR, X87_DIVR };
    static native2 *const nat[2] = { nat_subr, nat_divr };
    int bad = 0;
    for (int i = 0; i < ITERS / 10 && bad < 5; i++) {
        x87s_f80 b = pick(NULL), a = pick(&b);
        uint16_t fcw = pick_fcw();
        int k = i & 1;
        struct x87 x = { .valid = 0x03 };
        f80 r = x87_soft_arith(&x, fcw, ops[k], (f80){ a.m, a.se }, (f80){ b.m, b.se });
        struct nat n = nat[k](a, b, fcw);
        uint16_t sw = (uint16_t)(x.exc | x.cc);
        if (r.m == n.r.m && r.se == n.r.se && (sw & SW_COMPARED) == (n.sw & SW_COMPARED))
            continue;
        bad++;
        cr_log_error("op %d %04x:%016lx %04x:%016lx fcw %04x: %04x:%016lx sw %04x native "
                     "%04x:%016lx sw %04x", ops[k], a.se, a.m, b.se, b.m, fcw, r.se, r.m,
                     sw & SW_COMPARED, n.r.se, n.r.m, n.sw & SW_COMPARED);
    }
    cr_expect_eq(bad, 0, "fsubr/fdivr through the bridge disagree with the FPU");
}

/* ---- fprem / fprem1: remainder bits, C0..C3, IE DE ---------------------- */

NATIVE2(nat_fprem, "fprem")
NATIVE2(nat_fprem1, "fprem1")

static void check_remainder(bool ieee)
{
    int bad = 0;
    for (int i = 0; i < ITERS && bad < 5; i++) {
        x87s_f80 b = pick(NULL), a = pick(&b);
        if (i % 2)          /* exponents close: full remainders */
            a.se = (uint16_t)((a.se & 0x8000) | ((b.se & 0x7fff) + rnd() % 70 - 3));
        uint16_t cc, sw = 0, mask = X87S_IE | X87S_DE | 0x4700;
        x87s_f80 r = x87s_remainder(a, b, ieee, &cc, &sw);
        struct nat n = (ieee ? nat_fprem1 : nat_fprem)(a, b, 0x037f);
        sw |= cc;
        if (r.m == n.r.m && r.se == n.r.se && (sw & mask) == (n.sw & mask))
            continue;
        bad++;
        cr_log_error("fprem%s %04x:%016lx %04x:%016lx: %04x:%016lx sw %04x native %04x:%016lx sw %04x",
                     ieee ? "1" : "", a.se, a.m, b.se, b.m, r.se, r.m, sw & mask, n.r.se, n.r.m,
                     n.sw & mask);
    }
    cr_expect_eq(bad, 0, "fprem%s disagrees with the FPU", ieee ? "1" : "");
}

Test(x87_soft, fprem) { check_remainder(false); }
Test(x87_soft, fprem1) { check_remainder(true); }

/* ---- fbld / fbstp ---------------------------------------------------------- */

Test(x87_soft, fbstp)
{
    int bad = 0;
    for (int i = 0; i < ITERS && bad < 5; i++) {
        x87s_f80 a = pick(NULL);
        if (i % 2)
            a.se = (uint16_t)((a.se & 0x8000) | (0x3fff + rnd() % 64 - 2));
        uint16_t fcw = pick_fcw(), sw = 0, nsw, mask = X87S_IE | X87S_PE | X87S_C1;
        uint8_t bcd[10], nbcd[10];
        x87s_to_bcd(a, fcw, bcd, &sw);
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfbstp %[b]\n\tfnstsw %[sw]\n\tfninit"
                         : [b] "=m"(nbcd), [sw] "=m"(nsw) : [a] "m"(a), [cw] "m"(fcw) : "memory");
        if (!memcmp(bcd, nbcd, 10) && (sw & mask) == (nsw & mask))
            continue;
        bad++;
        uint64_t lo, nlo;
        memcpy(&lo, bcd, 8);
        memcpy(&nlo, nbcd, 8);
        cr_log_error("fbstp %04x:%016lx fcw %04x: %02x%02x%016lx sw %04x native %02x%02x%016lx sw %04x",
                     a.se, a.m, fcw, bcd[9], bcd[8], lo, sw & mask, nbcd[9], nbcd[8], nlo, nsw & mask);
    }
    cr_expect_eq(bad, 0, "fbstp disagrees with the FPU");
}

Test(x87_soft, fbld)
{
    int bad = 0;
    for (int i = 0; i < ITERS && bad < 5; i++) {
        uint8_t bcd[10] = { 0 };
        int digits = (int)(rnd() % 19);
        for (int d = 0; d < digits; d++)
            bcd[d / 2] |= (uint8_t)((rnd() % 10) << (d % 2 ? 4 : 0));
        bcd[9] = rnd() % 2 ? 0x80 : 0;
        x87s_f80 r = x87s_from_bcd(bcd), n;
        __asm__ volatile("fninit\n\tfbld %[b]\n\tfstpt %[n]" : [n] "=m"(n) : [b] "m"(bcd) : "memory");
        if (r.m == n.m && r.se == n.se)
            continue;
        bad++;
        cr_log_error("fbld: %04x:%016lx native %04x:%016lx", r.se, r.m, n.se, n.m);
    }
    cr_expect_eq(bad, 0, "fbld disagrees with the FPU");
}
