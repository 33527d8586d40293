/* x87.c -- difftest of the x87 FPU: loads and stores of every memory
 * format (m32/m64/m80 reals, m16/m32/m64 integers, including rounding of
 * stores under each RC mode and integer overflow to the "integer
 * indefinite"), the arithmetic group in every form (st(0),st(i) /
 * st(i),st(0) / pop / m32 / m64 / integer m16 m32) under every rounding
 * mode and the three precision-control settings, unary operations (fchs
 * fabs fsqrt frndint fxtract fscale fprem fprem1), constants, compares
 * (fcom/fucom/ficom/ftst/fxam condition codes, fcomi/fucomi EFLAGS), fcmovcc,
 * fxch/ffree/fincstp/fdecstp, the control/status/tag words, fnstenv/fldenv,
 * fnsave/frstor/fxsave images, fnclex, fbstp/fbld.
 *
 * Operands: zeros, denormals, the smallest normal, the largest finite,
 * infinities, quiet and signaling NaNs with payloads, halfway cases for
 * rounding to integer, then fixed-seed random values.  Each case prints
 * its inputs, the status word, and the two top registers (80-bit raw bits).
 *
 * The whole status word is checked (exception flags, SF, C0..C3, TOP).
 * Transcendentals (f2xm1 fsin fcos fsincos fptan fpatan fyl2x fyl2xp1)
 * over every special operand and pair (zeros, denormals, pseudo-denormals,
 * unnormals, pseudo-infinities, pseudo-NaNs, NaNs, infinities, values out
 * of each domain, 2^63 for the trigonometric ones) and random operands
 * under every rounding mode: bit-exact, except that an inexact result
 * (PE) is printed rounded to 56 bits and without C1 -- this CPU's
 * last bits are not correctly rounded (about 1-4 % of random operands
 * differ by one ulp from ferry's correctly rounded value; docs/status.md,
 * issue 10). */
#include "insn.h"
#include "ud_case.h"

typedef struct { uint64_t m; uint16_t se; uint16_t pad[3]; } f80;

#define SW_CHECKED 0xffffu          /* B C3 TOP C2 C1 C0 ES SF PE UE OE ZE DE IE */

static const f80 edges[] = {
    { 0, 0 }, { 0, 0x8000 }, { 1ull << 63, 0x3fff }, { 1ull << 63, 0xbfff },
    { 0xc000000000000000ull, 0x3fff }, { 0xc90fdaa22168c235ull, 0x4000 },
    { 1, 0 } /* denormal */, { 0x00000000deadbeefull, 0x8000 },
    { 1ull << 63, 1 } /* min normal */, { ~0ull, 0x7ffe } /* max */,
    { ~0ull, 0xfffe }, { 1ull << 63, 0x7fff } /* inf */, { 1ull << 63, 0xffff },
    { 0xc000000000000000ull, 0x7fff } /* qnan */, { 0xc000000000001234ull, 0xffff },
    { 0x8000000000000001ull, 0x7fff } /* snan */, { 0xa000000000000000ull, 0x4000 } /* 2.5 */,
    { 0xe000000000000000ull, 0xc000 } /* -3.5 */, { 1ull << 63, 0x3ffe } /* 0.5 */,
    { 0xfffe000000000000ull, 0x400d } /* 32767.5 */, { 0x8000800000000000ull, 0xc00e },
    { 0xfffffffe00000000ull, 0x401d } /* 2^31-1 +.5 */, { 1ull << 63, 0x403e } /* 2^63 */,
    { ~0ull, 0x403e } /* 2^64-1 */, { 0xaaaaaaaaaaaaaaabull, 0x3ffd } /* 1/3 */,
    { 0xffffffffffffffffull, 0x3fff }, { 0x8000000000000001ull, 0x3fff },
    { 0x8000000000000400ull, 0x43fe }, { 0x8000000000000400ull, 0x3c01 },
    { 0x8000000000000001ull, 0 } /* pseudo-denormal */, { 1ull << 63, 0x8000 },
    { 0x4000000000000000ull, 0x3fff } /* unnormal */, { 0, 0x4000 } /* unnormal 0 */,
    { 0, 0x7fff } /* pseudo-inf */, { 0x4000000000000000ull, 0xffff } /* pseudo-NaN */,
};
#define NEDGE (sizeof edges / sizeof edges[0])
#ifdef INSN_LONG
#define NRAND 40
#define PAIR_STRIDE 2
#else
#define NRAND 8
#define PAIR_STRIDE 5
#endif
#define NVAL (NEDGE + NRAND)

static f80 vals[NVAL];

/* Random values: random significand (integer bit set), exponent near 1.0
 * for most (arithmetic with carries and cancellation), anywhere for some. */
__attribute__((constructor(101))) static void make_values(void)
{
    insn_init();
    for (unsigned i = 0; i < NVAL; i++) {
        if (i < NEDGE) {
            vals[i] = edges[i];
            continue;
        }
        uint64_t r = insn_rand(), e = insn_rand();
        uint16_t exp = i % 4 == 0 ? (uint16_t)(e % 0x7ffe + 1) : (uint16_t)(0x3fff - 40 + e % 80);
        vals[i] = (f80){ r | 1ull << 63, (uint16_t)(exp | (e >> 20 & 0x8000)) };
    }
}

/* Control words: RC in each mode at 64-bit precision, and PC 24/53. */
static const uint16_t cws[] = { 0x037f, 0x077f, 0x0b7f, 0x0f7f, 0x007f, 0x027f };
#define NCW (sizeof cws / sizeof cws[0])

struct x87_out { uint16_t sw; f80 r0, r1; uint64_t fl; };

static void print_case(const char *name, const f80 *a, const f80 *b, uint64_t extra,
                       const struct x87_out *o, uint64_t mask)
{
    uint64_t in[] = { a->se, a->m, b->se, b->m, extra };
    uint64_t out[] = { o->sw & SW_CHECKED, o->r0.se, o->r0.m & mask, o->r1.se,
                       o->r1.m & mask, o->fl };
    INSN_CASE(name, in, out);
}

/* ST0 = a, ST1 = b; run TEXT (with %[m] a memory operand holding MEM),
 * then record the status word, EFLAGS, and pop two registers. */
#define X87_RUN(TEXT, A, B, CW, MEM, O)                                        \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t"     \
                     TEXT "\n\tfnstsw %[sw]\n\tpushfq\n\tpopq %[fl]\n\t"      \
                     "fstpt %[r0]\n\tfstpt %[r1]\n\tfninit"                   \
                     : [sw] "=m"((O).sw), [r0] "=m"((O).r0), [r1] "=m"((O).r1), \
                       [fl] "=r"((O).fl)                                      \
                     : [a] "m"(A), [b] "m"(B), [cw] "m"(CW), [m] "m"(MEM)     \
                     : "cc", "memory")

/* Two-operand register forms over value pairs, for every control word. */
#define X87_PAIRS(FN, TEXT, MASK, NCWS)                                        \
    INSN_TEST(t_##FN)                                                           \
    {                                                                         \
        uint64_t dummy = 0;                                                   \
        for (unsigned i = 0; i < NVAL; i++)                                   \
            for (unsigned j = i % PAIR_STRIDE; j < NVAL; j += PAIR_STRIDE)    \
                for (unsigned c = 0; c < (NCWS); c++) {                       \
                    struct x87_out o;                                         \
                    X87_RUN(TEXT, vals[i], vals[j], cws[c], dummy, o);       \
                    o.fl &= F_ZF | F_PF | F_CF;                              \
                    print_case(#FN, &vals[i], &vals[j], cws[c], &o, MASK);   \
                }                                                             \
    }

#define ALL ~0ull

X87_PAIRS(fadd_st0_st1, "fadd %%st(1), %%st", ALL, NCW)
X87_PAIRS(fadd_st1_st0, "fadd %%st, %%st(1)", ALL, 1)
X87_PAIRS(faddp, "faddp", ALL, 1)
X87_PAIRS(fsub_st0_st1, "fsub %%st(1), %%st", ALL, NCW)
X87_PAIRS(fsubr_st0_st1, "fsubr %%st(1), %%st", ALL, 1)
X87_PAIRS(fsub_st1_st0, "fsub %%st, %%st(1)", ALL, 1)
X87_PAIRS(fsubr_st1_st0, "fsubr %%st, %%st(1)", ALL, 1)
X87_PAIRS(fsubp, "fsubp", ALL, 1)
X87_PAIRS(fsubrp, "fsubrp", ALL, 1)
X87_PAIRS(fmul_st0_st1, "fmul %%st(1), %%st", ALL, NCW)
X87_PAIRS(fmul_st1_st0, "fmul %%st, %%st(1)", ALL, 1)
X87_PAIRS(fmulp, "fmulp", ALL, 1)
X87_PAIRS(fdiv_st0_st1, "fdiv %%st(1), %%st", ALL, NCW)
X87_PAIRS(fdivr_st0_st1, "fdivr %%st(1), %%st", ALL, 1)
X87_PAIRS(fdiv_st1_st0, "fdiv %%st, %%st(1)", ALL, 1)
X87_PAIRS(fdivr_st1_st0, "fdivr %%st, %%st(1)", ALL, 1)
X87_PAIRS(fdivp, "fdivp", ALL, 1)
X87_PAIRS(fdivrp, "fdivrp", ALL, 1)
X87_PAIRS(fscale, "fscale", ALL, 4)
X87_PAIRS(fprem, "fprem", ALL, 1)
X87_PAIRS(fprem1, "fprem1", ALL, 1)
X87_PAIRS(fxch, "fxch %%st(1)", ALL, 1)
X87_PAIRS(fcom, "fcom %%st(1)", ALL, 1)
X87_PAIRS(fcomp, "fcomp %%st(1)", ALL, 1)
X87_PAIRS(fcompp, "fcompp", ALL, 1)
X87_PAIRS(fucom, "fucom %%st(1)", ALL, 1)
X87_PAIRS(fucomp, "fucomp %%st(1)", ALL, 1)
X87_PAIRS(fucompp, "fucompp", ALL, 1)
X87_PAIRS(fcomi, "fcomi %%st(1), %%st", ALL, 1)
X87_PAIRS(fcomip, "fcomip %%st(1), %%st", ALL, 1)
X87_PAIRS(fucomi, "fucomi %%st(1), %%st", ALL, 1)
X87_PAIRS(fucomip, "fucomip %%st(1), %%st", ALL, 1)

/* One-operand forms (ST1 holds 1.0 to observe pushes and pops). */
#define X87_UNARY(FN, TEXT, MASK, NCWS)                                        \
    INSN_TEST(t_##FN)                                                           \
    {                                                                         \
        uint64_t dummy = 0;                                                   \
        for (unsigned i = 0; i < NVAL; i++)                                   \
            for (unsigned c = 0; c < (NCWS); c++) {                           \
                struct x87_out o;                                             \
                X87_RUN(TEXT, vals[i], edges[2], cws[c], dummy, o);          \
                o.fl = 0;                                                     \
                print_case(#FN, &vals[i], &edges[2], cws[c], &o, MASK);      \
            }                                                                 \
    }

X87_UNARY(fchs, "fchs", ALL, 1)
X87_UNARY(fabs, "fabs", ALL, 1)
X87_UNARY(fsqrt, "fsqrt", ALL, NCW)
X87_UNARY(frndint, "frndint", ALL, 4)
X87_UNARY(fxtract, "fxtract", ALL, 1)
X87_UNARY(ftst, "ftst", ALL, 1)
X87_UNARY(fxam, "fxam", ALL, 1)
X87_UNARY(fxam_empty, "ffree %%st(0)\n\tfxam", ALL, 1)
X87_UNARY(fld_st1, "fld %%st(1)", ALL, 1)
X87_UNARY(fst_st1, "fst %%st(1)", ALL, 1)
X87_UNARY(fstp_st1, "fstp %%st(1)", ALL, 1)
X87_UNARY(ffree_st1, "ffree %%st(1)", ALL, 1)
X87_UNARY(fincstp, "fincstp", ALL, 1)
X87_UNARY(fdecstp, "fdecstp", ALL, 1)
X87_UNARY(fstp_underflow, "fstp %%st(0)\n\tfstp %%st(0)\n\tfadd %%st(0), %%st", ALL, 1)
X87_UNARY(fld_overflow, "fld %%st\n\tfld %%st\n\tfld %%st\n\tfld %%st\n\tfld %%st\n\t"
          "fld %%st\n\tfld %%st", ALL, 1)
X87_UNARY(fld1, "fld1", ALL, 4)
X87_UNARY(fldz, "fldz", ALL, 1)
X87_UNARY(fldpi, "fldpi", ALL, 4)
X87_UNARY(fldl2e, "fldl2e", ALL, 4)
X87_UNARY(fldl2t, "fldl2t", ALL, 4)
X87_UNARY(fldlg2, "fldlg2", ALL, 4)
X87_UNARY(fldln2, "fldln2", ALL, 4)

/* Transcendentals.  Special operands: every pair of these (x in ST0,
 * y in ST1) for the two-operand ones, each one for the others. */
static const f80 trans_special[] = {
    { 0, 0 }, { 0, 0x8000 }, { 1ull << 63, 0x3fff }, { 1ull << 63, 0xbfff },
    { 1, 0 }, { 0x00000000deadbeefull, 0x8000 }, { 0x8000000000000001ull, 0 },
    { 1ull << 63, 0x8000 }, { 0x4000000000000000ull, 0x3fff }, { 0, 0x4000 },
    { 1ull << 63, 0x7fff }, { 1ull << 63, 0xffff }, { 0, 0x7fff },
    { 0x4000000000000000ull, 0x7fff }, { 0xc000000000000000ull, 0x7fff },
    { 0xc000000000001234ull, 0xffff }, { 0x8000000000000001ull, 0x7fff },
    { 0x8000000000005678ull, 0xffff }, { 1ull << 63, 0x403e } /* 2^63 */,
    { ~0ull, 0x403d }, { ~0ull, 0x7ffe }, { ~0ull, 0xfffe }, { 1ull << 63, 1 },
    { 1ull << 63, 0x8001 }, { 1ull << 63, 0x4000 }, { 0xc000000000000000ull, 0x4000 },
    { 1ull << 63, 0x3ffe }, { 1ull << 63, 0xbffe }, { 0xc90fdaa22168c235ull, 0x3fff },
    { 0xc90fdaa22168c235ull, 0x4000 }, { 0xb504f333f9de6484ull, 0x3ffd },
    { 1ull << 63, 0x3f00 }, { 1ull << 63, 0xbf00 }, { 0x8000000000000001ull, 0x3fff },
    { ~0ull, 0x3ffe }, { 0xc000000000000000ull, 0xc000 },
};
#define NSPECIAL (sizeof trans_special / sizeof trans_special[0])
#ifdef INSN_LONG
#define NTRANS_RAND 3000
#else
#define NTRANS_RAND 150
#endif

/* An inexact significand rounded to its 56 high bits: the FPU's and ferry's
 * differ by an ulp near 64-bit grid points and midpoints, which this maps
 * together (the 56-bit boundary is elsewhere). */
static uint64_t trans_inexact(uint64_t m)
{
    return (m + 0x80) & ~0xffull;
}

struct trans_op { const char *name; int two; int lo, hi; int pos; };

/* Runs transcendental k on x (ST0) and y (ST1) and prints ST0..ST2. */
static void trans_case(int k, const struct trans_op *op, f80 x, f80 y, uint16_t cw)
{
    f80 r[3] = { { 0, 0 } };
    uint16_t sw;
#define TRANS_RUN(TEXT)                                                        \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[y]\n\tfldt %[x]\n\t" TEXT \
                     "\n\tfnstsw %[sw]\n\tfstpt %[r0]\n\tfstpt %[r1]\n\t"     \
                     "fstpt %[r2]\n\tfninit"                                  \
                     : [sw] "=m"(sw), [r0] "=m"(r[0]), [r1] "=m"(r[1]), [r2] "=m"(r[2]) \
                     : [x] "m"(x), [y] "m"(y), [cw] "m"(cw) : "memory")
    switch (k) {
    case 0: TRANS_RUN("f2xm1"); break;
    case 1: TRANS_RUN("fsin"); break;
    case 2: TRANS_RUN("fcos"); break;
    case 3: TRANS_RUN("fsincos"); break;
    case 4: TRANS_RUN("fptan"); break;
    case 5: TRANS_RUN("fpatan"); break;
    case 6: TRANS_RUN("fyl2x"); break;
    default: TRANS_RUN("fyl2xp1"); break;
    }
    if (sw & 0x20) {
        sw &= ~0x200;
        r[0].m = trans_inexact(r[0].m);
        r[1].m = trans_inexact(r[1].m);
    }
    uint64_t in[] = { x.se, x.m, y.se, y.m, cw };
    uint64_t out[] = { sw, r[0].se, r[0].m, r[1].se, r[1].m, r[2].se, r[2].m };
    INSN_CASE(op->name, in, out);
}

static const struct trans_op trans_ops[] = {
    { "f2xm1", 0, -40, 0, 0 }, { "fsin", 0, -30, 20, 0 },
    { "fcos", 0, -30, 20, 0 }, { "fsincos", 0, -30, 20, 0 },
    { "fptan", 0, -30, 20, 0 }, { "fpatan", 1, -20, 20, 0 },
    { "fyl2x", 1, -20, 20, 1 }, { "fyl2xp1", 1, -40, -2, 0 },
};
#define NTRANS_OPS (sizeof trans_ops / sizeof trans_ops[0])

INSN_TEST(t_trans_special)
{
    for (unsigned k = 0; k < NTRANS_OPS; k++)
        for (unsigned i = 0; i < NSPECIAL; i++)
            for (unsigned j = 0; j < (trans_ops[k].two ? NSPECIAL : 1); j++)
                for (unsigned c = 0; c < 4; c += trans_ops[k].two ? 3 : 1)
                    trans_case((int)k, &trans_ops[k], trans_special[i],
                               trans_ops[k].two ? trans_special[j] : edges[2],
                               (uint16_t)(0x037f | c << 10));
}

/* Random operands with exponents inside each domain (and beyond it for
 * the trigonometric ones: the 66-bit pi reduction), every RC. */
INSN_TEST(t_trans_random)
{
    for (unsigned k = 0; k < NTRANS_OPS; k++) {
        const struct trans_op *op = &trans_ops[k];
        for (unsigned n = 0; n < NTRANS_RAND; n++) {
            uint64_t r = insn_rand(), e = insn_rand();
            f80 x = { r | 1ull << 63, (uint16_t)(0x3fff + op->lo + (int)(e % (unsigned)(op->hi - op->lo + 1))) };
            if (!op->pos && (e >> 32 & 1))
                x.se |= 0x8000;
            f80 y = { insn_rand() | 1ull << 63, (uint16_t)(0x3ffd + (e >> 40) % 5) };
            if (e >> 33 & 1)
                y.se |= 0x8000;
            trans_case((int)k, op, x, y, (uint16_t)(0x037f | (e >> 50 & 3) << 10));
        }
    }
}

/* Random encodings for the exact non-transcendental two-register ones
 * (fscale fprem fprem1 fxtract fxam): any exponent (infinities, NaNs,
 * pseudo-NaNs), denormals and pseudo-denormals, unnormals, values near
 * 1.0, every RC and PC; fscale also with small integral ST1. */
static f80 misc_value(void)
{
    uint64_t r = insn_rand(), e = insn_rand();
    switch (e % 8) {
    case 0:  return (f80){ r | 1ull << 63, (uint16_t)(e >> 8) };
    case 1:  return (f80){ r >> (e >> 8 & 63), (uint16_t)(e >> 20 & 0x8000) };
    case 2:  return (f80){ r & ~(1ull << 63), (uint16_t)(e >> 8) };
    default: return (f80){ r | 1ull << 63, (uint16_t)((0x3fff - 70 + (e >> 8) % 140) | (e >> 30 & 0x8000)) };
    }
}

#ifdef INSN_LONG
#define NMISC_RAND 4000
#else
#define NMISC_RAND 300
#endif

INSN_TEST(t_misc_random)
{
    static const char *const names[] = { "fscale_r", "fprem_r", "fprem1_r", "fxtract_r", "fxam_r" };
    for (int k = 0; k < 5; k++)
        for (int n = 0; n < NMISC_RAND; n++) {
            f80 x = misc_value(), y = misc_value();
            uint64_t c = insn_rand();
            uint16_t cw = (uint16_t)(0x037f | (c & 3) << 10 | (c % 3 == 0 ? 0 : 0x300));
            if (k == 0 && (c >> 8 & 1))
                y = (f80){ insn_rand() | 1ull << 63, (uint16_t)((0x3fff + (c >> 16) % 20) | (c >> 30 & 0x8000)) };
            struct x87_out o;
            uint64_t dummy = 0;
            switch (k) {
            case 0: X87_RUN("fscale", x, y, cw, dummy, o); break;
            case 1: X87_RUN("fprem", x, y, cw, dummy, o); break;
            case 2: X87_RUN("fprem1", x, y, cw, dummy, o); break;
            case 3: X87_RUN("fxtract", x, y, cw, dummy, o); break;
            default: X87_RUN("fxam", x, y, cw, dummy, o); break;
            }
            o.fl = 0;
            print_case(names[k], &x, &y, cw, &o, ALL);
        }
}

/* Memory operand forms: MEM is the memory value, ST0 = vals[i]. */
#define X87_MEM(FN, TEXT, TYPE, SRC, NSRC, NCWS)                               \
    INSN_TEST(t_##FN)                                                           \
    {                                                                         \
        for (unsigned i = 0; i < NVAL; i++)                                   \
            for (unsigned k = i % PAIR_STRIDE; k < (NSRC); k += PAIR_STRIDE)  \
                for (unsigned c = 0; c < (NCWS); c++) {                       \
                    struct x87_out o;                                         \
                    TYPE mem = (TYPE)SRC[k];                                  \
                    X87_RUN(TEXT, vals[i], edges[2], cws[c], mem, o);        \
                    o.fl = (uint64_t)mem;                                     \
                    print_case(#FN, &vals[i], &edges[2],                      \
                               (uint64_t)SRC[k] << 16 | cws[c], &o, ALL);     \
                }                                                             \
    }

static const uint32_t fbits[] = {
    0, 0x80000000, 0x3f800000, 0xbfc00000, 0x00000001, 0x807fffff, 0x00800000,
    0x7f7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc01234, 0x7f800001,
    0x4b800001, 0x3eaaaaab, 0x40490fdb,
};
static const uint64_t dbits[] = {
    0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xc00c000000000000ull, 1,
    0x800fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
    0xfff8000000001234ull, 0x7ff0000000000001ull, 0x3fd5555555555555ull,
    0x400921fb54442d18ull, 0x43e0000000000000ull,
};
static const int64_t ints[] = {
    0, 1, -1, 2, 3, 0x7fff, -0x8000, 0x12345, 0x7fffffff, -0x7fffffff - 1,
    0x123456789abcdefll, -0x7fffffffffffffffll - 1, 0x7fffffffffffffffll,
    1000000007, -99999,
};
#define NF (sizeof fbits / sizeof fbits[0])
#define ND (sizeof dbits / sizeof dbits[0])
#define NI (sizeof ints / sizeof ints[0])

X87_MEM(flds, "flds %[m]", uint32_t, fbits, NF, 1)
X87_MEM(fldl, "fldl %[m]", uint64_t, dbits, ND, 1)
X87_MEM(fadds, "fadds %[m]", uint32_t, fbits, NF, 4)
X87_MEM(faddl, "faddl %[m]", uint64_t, dbits, ND, 4)
X87_MEM(fsubs, "fsubs %[m]", uint32_t, fbits, NF, 1)
X87_MEM(fsubrl, "fsubrl %[m]", uint64_t, dbits, ND, 1)
X87_MEM(fmuls, "fmuls %[m]", uint32_t, fbits, NF, 1)
X87_MEM(fmull, "fmull %[m]", uint64_t, dbits, ND, 4)
X87_MEM(fdivs, "fdivs %[m]", uint32_t, fbits, NF, 1)
X87_MEM(fdivrl, "fdivrl %[m]", uint64_t, dbits, ND, 1)
X87_MEM(fcoms, "fcoms %[m]", uint32_t, fbits, NF, 1)
X87_MEM(fcompl, "fcompl %[m]", uint64_t, dbits, ND, 1)
X87_MEM(filds, "filds %[m]", uint16_t, ints, NI, 1)
X87_MEM(fildl, "fildl %[m]", uint32_t, ints, NI, 1)
X87_MEM(fildll, "fildll %[m]", uint64_t, ints, NI, 1)
X87_MEM(fiadds, "fiadds %[m]", uint16_t, ints, NI, 1)
X87_MEM(fiaddl, "fiaddl %[m]", uint32_t, ints, NI, 4)
X87_MEM(fisubl, "fisubl %[m]", uint32_t, ints, NI, 1)
X87_MEM(fisubrs, "fisubrs %[m]", uint16_t, ints, NI, 1)
X87_MEM(fimull, "fimull %[m]", uint32_t, ints, NI, 1)
X87_MEM(fidivl, "fidivl %[m]", uint32_t, ints, NI, 1)
X87_MEM(fidivrs, "fidivrs %[m]", uint16_t, ints, NI, 1)
X87_MEM(ficoms, "ficoms %[m]", uint16_t, ints, NI, 1)
X87_MEM(ficompl, "ficompl %[m]", uint32_t, ints, NI, 1)

/* Stores: ST0 = vals[i] converted under each control word; the stored
 * value lands in the printed EFLAGS slot. */
/* A store's test where the CPU has it (HAS: fisttp needs SSE3). */
#define X87_STORE_OUT_IF(FN, TEXT, TYPE, NCWS, HAS)                           \
    INSN_TEST(t_##FN)                                                           \
    {                                                                         \
        if (!(HAS))                                                           \
            return;                                                           \
        for (unsigned i = 0; i < NVAL; i++)                                   \
            for (unsigned c = 0; c < (NCWS); c++) {                           \
                struct x87_out o;                                             \
                TYPE mem = 0;                                                 \
                __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfld1\n\tfldt %[a]\n\t" \
                                 TEXT "\n\tfnstsw %[sw]\n\tfstpt %[r0]\n\t"   \
                                 "fstpt %[r1]\n\tfninit"                      \
                                 : [sw] "=m"(o.sw), [r0] "=m"(o.r0),          \
                                   [r1] "=m"(o.r1), [m] "=m"(mem)             \
                                 : [a] "m"(vals[i]), [cw] "m"(cws[c])         \
                                 : "memory");                                 \
                o.fl = (uint64_t)mem;                                         \
                print_case(#FN, &vals[i], &edges[2], cws[c], &o, ALL);       \
            }                                                                 \
    }

#define X87_STORE_OUT(FN, TEXT, TYPE, NCWS) X87_STORE_OUT_IF(FN, TEXT, TYPE, NCWS, 1)

/* fisttp needs SSE3 (CPUID.1:ECX bit 0): a CPU without it refuses the
 * three forms (m16, m32, m64 through (%rdx)) and does not run them. */
static int x87_has_sse3(void) { return (int)ud_cpuid_bit(1, 0, 2, 0); }

INSN_TEST(t_fisttp_ud)
{
    if (ud_gate("cpuid sse3 (fisttp)", x87_has_sse3()))
        return;
    UD_BEGIN;
    UD_CASE_AT_RDX("fisttps", "0xdf, 0x0a");
    UD_CASE_AT_RDX("fisttpl", "0xdb, 0x0a");
    UD_CASE_AT_RDX("fisttpll", "0xdd, 0x0a");
    UD_END;
}

X87_STORE_OUT(fsts, "fsts %[m]", uint32_t, NCW)
X87_STORE_OUT(fstps, "fstps %[m]", uint32_t, 1)
X87_STORE_OUT(fstl, "fstl %[m]", uint64_t, NCW)
X87_STORE_OUT(fstpl, "fstpl %[m]", uint64_t, 1)
X87_STORE_OUT(fists, "fists %[m]", uint16_t, 4)
X87_STORE_OUT(fistpl, "fistpl %[m]", uint32_t, 4)
X87_STORE_OUT(fistpll, "fistpll %[m]", uint64_t, 4)
X87_STORE_OUT_IF(fisttps, "fisttps %[m]", uint16_t, 1, x87_has_sse3())
X87_STORE_OUT_IF(fisttpl, "fisttpl %[m]", uint32_t, 1, x87_has_sse3())
X87_STORE_OUT_IF(fisttpll, "fisttpll %[m]", uint64_t, 1, x87_has_sse3())
X87_STORE_OUT(fnstsw_m, "fxam\n\tfnstsw %[m]", uint16_t, 1)

INSN_TEST(fstpt_roundtrip)
{
    for (unsigned i = 0; i < NVAL; i++) {
        f80 out = { 0, 0 };
        uint16_t sw;
        __asm__ volatile("fninit\n\tfldt %[a]\n\tfstpt %[o]\n\tfnstsw %[sw]"
                         : [o] "=m"(out), [sw] "=m"(sw) : [a] "m"(vals[i]) : "memory");
        uint64_t in[] = { vals[i].se, vals[i].m };
        uint64_t res[] = { out.se, out.m, sw & SW_CHECKED };
        INSN_CASE("fstpt", in, res);
    }
}

/* fcmovcc: ST0 = vals[i], ST1 = vals[j], over all CF/ZF/PF combinations. */
#define X87_FCMOV(FN, TEXT)                                                    \
    INSN_TEST(t_##FN)                                                           \
    {                                                                         \
        for (unsigned f = 0; f < 8; f++) {                                    \
            uint64_t fl = F_BASE | (f & 1 ? F_CF : 0) | (f & 2 ? F_ZF : 0) | \
                          (f & 4 ? F_PF : 0);                                 \
            struct x87_out o;                                                 \
            __asm__ volatile("fninit\n\tfldt %[b]\n\tfldt %[a]\n\tpushq %[fl]\n\t" \
                             "popfq\n\t" TEXT "\n\tfnstsw %[sw]\n\t"          \
                             "fstpt %[r0]\n\tfstpt %[r1]\n\tfninit"           \
                             : [sw] "=m"(o.sw), [r0] "=m"(o.r0), [r1] "=m"(o.r1) \
                             : [a] "m"(vals[2]), [b] "m"(vals[5]), [fl] "r"(fl) \
                             : "cc", "memory");                               \
            o.fl = fl;                                                        \
            print_case(#FN, &vals[2], &vals[5], f, &o, ALL);                  \
        }                                                                     \
    }

X87_FCMOV(fcmovb, "fcmovb %%st(1), %%st")
X87_FCMOV(fcmove, "fcmove %%st(1), %%st")
X87_FCMOV(fcmovbe, "fcmovbe %%st(1), %%st")
X87_FCMOV(fcmovu, "fcmovu %%st(1), %%st")
X87_FCMOV(fcmovnb, "fcmovnb %%st(1), %%st")
X87_FCMOV(fcmovne, "fcmovne %%st(1), %%st")
X87_FCMOV(fcmovnbe, "fcmovnbe %%st(1), %%st")
X87_FCMOV(fcmovnu, "fcmovnu %%st(1), %%st")

/* Control word round trip, fnstsw ax, and the environment's words and
 * reserved halves (the instruction/operand pointer fields are not
 * compared). */
INSN_TEST(control_words)
{
    for (unsigned c = 0; c < NCW; c++) {
        uint16_t cw_in = cws[c] ^ (uint16_t)(c << 1), cw_out, ax;
        uint32_t env[7];
        __asm__ volatile("fninit\n\tfldcw %[ci]\n\tfld1\n\tfldz\n\tffree %%st(1)\n\t"
                         "fnstcw %[co]\n\tfnstsw %%ax\n\tmovw %%ax, %[ax]\n\t"
                         "fnstenv %[env]\n\tfninit"
                         : [co] "=m"(cw_out), [ax] "=m"(ax), [env] "=m"(env)
                         : [ci] "m"(cw_in)
                         : "rax", "memory");
        uint64_t in[] = { cw_in };
        /* the reserved upper halves too (this CPU stores all ones) */
        uint64_t out[] = { cw_out, ax, env[0] & 0xffff, env[1] & SW_CHECKED, env[2] & 0xffff,
                           env[0] >> 16, env[1] >> 16, env[2] >> 16, env[6] >> 16 };
        INSN_CASE("fnstcw_fnstenv", in, out);
    }
}

/* fldenv: the tag word of the saved environment marks one register empty,
 * then fxam sees it empty and a pop underflows (registers keep their
 * contents: no fninit between fnstenv and fldenv). */
INSN_TEST(fldenv_tags)
{
    for (unsigned t = 0; t < 3; t++) {
        uint32_t env[7], env2[7];
        uint16_t sw;
        f80 r0;
        __asm__ volatile("fninit\n\tfld1\n\tfldz\n\tfldpi\n\tfnstenv %[env]"
                         : [env] "=m"(env) : : "memory");
        unsigned phys = ((env[1] >> 11) + t) & 7;
        env[2] |= 3u << (2 * phys);
        __asm__ volatile("fldenv %[env]\n\tfxam\n\tfnstsw %[sw]\n\tfnstenv %[e2]\n\t"
                         "fstpt %[r0]\n\tfninit"
                         : [sw] "=m"(sw), [e2] "=m"(env2), [r0] "=m"(r0)
                         : [env] "m"(env) : "memory");
        uint64_t in[] = { t };
        uint64_t out[] = { sw & SW_CHECKED, env2[1] & SW_CHECKED, env2[2] & 0xffff, r0.se, r0.m };
        INSN_CASE("fldenv_fxam", in, out);
    }
}

/* fnsave/frstor and fxsave: the words and registers of the images
 * (instruction and operand pointers and the last opcode are not compared). */
INSN_TEST(t_save_images)
{
    for (unsigned i = 0; i < NVAL; i += 3) {
        uint8_t save[108], fx[512] __attribute__((aligned(16)));
        uint16_t sw_after;
        f80 r0;
        __asm__ volatile("fninit\n\tfld1\n\tfldt %[a]\n\tfsqrt\n\tfnclex\n\tfldz\n\t"
                         "fxsave %[fx]\n\tfnsave %[s]\n\tfnstsw %[sw]\n\tfrstor %[s]\n\t"
                         "fwait\n\tfstpt %[r]\n\tfninit"
                         : [fx] "=m"(fx), [s] "=m"(save), [sw] "=m"(sw_after), [r] "=m"(r0)
                         : [a] "m"(vals[i]) : "memory");
        uint64_t w[4], out[16] = { 0 };
        memcpy(w, save, 8);
        out[0] = w[0] & 0xffff;                          /* FCW */
        memcpy(&w[1], save + 4, 2);
        out[1] = w[1] & SW_CHECKED;
        memcpy(&w[2], save + 8, 2);
        out[2] = w[2] & 0xffff;                          /* full tag word */
        out[3] = fx[0] | fx[1] << 8;
        out[4] = (fx[2] | fx[3] << 8) & SW_CHECKED;
        out[5] = fx[4];                                  /* abridged tags */
        for (int k = 0; k < 2; k++) {                    /* ST0, ST1 in both images */
            memcpy(&out[6 + 4 * k], save + 28 + 10 * k, 8);
            memcpy(&out[7 + 4 * k], save + 36 + 10 * k, 2);
            memcpy(&out[8 + 4 * k], fx + 32 + 16 * k, 8);
            memcpy(&out[9 + 4 * k], fx + 40 + 16 * k, 2);
        }
        out[14] = sw_after & SW_CHECKED;
        out[15] = r0.m;
        uint64_t in[] = { vals[i].se, vals[i].m };
        INSN_CASE("fnsave_fxsave", in, out);
    }
}

/* The 16-bit operand-size images (0x66: fnstenvs fldenvs fnsaves
 * frstors): 14-byte environment (FCW FSW FTW words, then pointers, not
 * compared), 94-byte save area; the bytes after each image stay as they
 * were, fldenvs/frstors read the words back. */
INSN_TEST(t_images_16bit)
{
    for (unsigned i = 0; i < NVAL; i += 4) {
        uint8_t env[32], save[112];
        uint16_t sw_after, sw2;
        f80 r0, r1;
        memset(env, 0xa5, sizeof env);
        memset(save, 0x5a, sizeof save);
        __asm__ volatile("fninit\n\tfld1\n\tfldt %[a]\n\tfsqrt\n\tfldz\n\tffree %%st(1)\n\t"
                         "fnstenvs %[e]\n\tfldenvs %[e]\n\tfnsaves %[s]\n\tfnstsw %[sw]\n\t"
                         "frstors %[s]\n\tfxam\n\tfnstsw %[sw2]\n\tfstpt %[r0]\n\t"
                         "fstpt %[r1]\n\tfninit"
                         : [e] "+m"(env), [s] "+m"(save), [sw] "=m"(sw_after), [sw2] "=m"(sw2),
                           [r0] "=m"(r0), [r1] "=m"(r1)
                         : [a] "m"(vals[i]) : "memory");
        uint64_t out[14] = { 0 };
        memcpy(&out[0], env, 6);                        /* FCW FSW FTW */
        memcpy(&out[1], env + 14, 8);                   /* untouched */
        memcpy(&out[2], save, 6);
        for (int k = 0; k < 3; k++) {                   /* ST0..ST2 */
            memcpy(&out[3 + 2 * k], save + 14 + 10 * k, 8);
            memcpy(&out[4 + 2 * k], save + 22 + 10 * k, 2);
        }
        memcpy(&out[9], save + 94, 8);                  /* untouched */
        out[10] = sw_after;
        out[11] = sw2;
        out[12] = r0.se ^ r0.m;
        out[13] = r1.se ^ r1.m;
        uint64_t in[] = { vals[i].se, vals[i].m };
        INSN_CASE("images16", in, out);
    }
}

/* fbld / fbstp (last: an x87 without them dies here with SIGILL). */
INSN_TEST(t_fbstp_fbld)
{
    for (unsigned i = 0; i < NVAL; i++)
        for (unsigned c = 0; c < 4; c++) {
            uint8_t bcd[10] = { 0 };
            f80 back = { 0, 0 };
            uint16_t sw;
            __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfbstp %[b]\n\t"
                             "fnstsw %[sw]\n\tfbld %[b]\n\tfstpt %[r]\n\tfninit"
                             : [b] "+m"(bcd), [sw] "=m"(sw), [r] "=m"(back)
                             : [a] "m"(vals[i]), [cw] "m"(cws[c]) : "memory");
            uint64_t lo, hi = (uint64_t)bcd[9] << 8 | bcd[8];
            memcpy(&lo, bcd, 8);
            uint64_t in[] = { vals[i].se, vals[i].m, cws[c] };
            uint64_t out[] = { hi, lo, sw & SW_CHECKED, back.se, back.m };
            INSN_CASE("fbstp_fbld", in, out);
        }
}

int main(void) { return insn_main(); }
