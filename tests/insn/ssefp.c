/* ssefp.c -- difftest of the SSE float instructions that ferry translates
 * to vector IR ops (inline host arithmetic with an exact fallback), on
 * every pair of edge values: quiet and signaling NaNs of both signs in
 * either operand (the first operand's NaN wins, quieted; the default NaN
 * is negative), denormals, the smallest normals, infinities, zeros of both
 * signs, products and quotients whose exact value lies just below the
 * smallest normal but rounds to it (x86 detects tininess after rounding,
 * AArch64 before), values around the integer conversions' range (integer
 * indefinite), under each MXCSR mode (round to nearest, down, up, toward
 * zero, FTZ+DAZ), printing the result and MXCSR after every instruction.
 * Scalar forms also check that the destination's upper lanes are kept;
 * packed forms get the edge values in some lanes and ordinary numbers in
 * the others, so the hosts' fast paths and their fallbacks both run. */

#include "sse_vec.h"

static const uint32_t f32_edges[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0xc0300000,
    0x00000001, 0x807fffff, 0x00400000,                 /* denormals */
    0x00800000, 0x80800000, 0x00800001, 0x3f7ffffe,     /* smallest normals, */
    0x3f7fffff, 0x3f800001,                             /* and boundary factors */
    0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000,     /* largest, infinities */
    0x7fc00000, 0xffc00000, 0x7fc12345,                 /* quiet NaNs */
    0x7fa00001, 0xff800001,                             /* signaling NaNs */
    0x4effffff, 0x4f000000, 0xcf000000, 0xcf000001,     /* around 2^31 */
    0x5f000000, 0xdf000001, 0x3f000000, 0x40200000, 0xbfc00000, 0x4b800001,
};
static const uint64_t f64_edges[] = {
    0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3ff8000000000000ull, 0xc006000000000000ull,
    0x0000000000000001ull, 0x800fffffffffffffull, 0x0008000000000000ull,
    0x0010000000000000ull, 0x8010000000000000ull, 0x0010000000000001ull,
    0x3feffffffffffffeull, 0x3fefffffffffffffull, 0x3ff0000000000001ull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff8000012345678ull,
    0x7ff4000000000001ull, 0xfff0000000000001ull,
    0x41dfffffffc00000ull, 0x41dfffffffe00000ull, 0x41e0000000000000ull,   /* 2^31 - 1 ... */
    0xc1e0000000000000ull, 0xc1e0000000100000ull, 0xc1e0000000200000ull,
    0x43e0000000000000ull, 0xc3e0000000000001ull,                         /* 2^63 */
    0x380fffffff800000ull, 0xb80fffffff800000ull,   /* 2^-126 (1 - 2^-30): cvtsd2ss */
    0x3fe0000000000000ull, 0x4004000000000000ull, 0xbff8000000000000ull,
};
#define NE32 (sizeof f32_edges / sizeof f32_edges[0])
#define NE64 (sizeof f64_edges / sizeof f64_edges[0])

/* Lanes that are not under test: ordinary numbers (-3.5, 1.25; 0.75,
 * 10; 1.25, -3.5). */
#define K32A 0xc0600000ull
#define K32B 0x3fa00000ull
#define K32C 0x412000003f400000ull
#define K64 0x3ff4000000000000ull
#define K64B 0xc00c000000000000ull

static const uint32_t csr_modes[] = { 0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x9fc0 };
#define NMODES 5

static void csr_restore(void)
{
    uint32_t csr = 0x1f80;
    __asm__ volatile("ldmxcsr %0" : : "m"(csr));
}

/* The operand vectors of case (i, j) of a width: scalar forms put the
 * edges in lane 0; packed forms also in another lane, next to ordinary
 * numbers or to further edges. */
static v2u op32(unsigned i, unsigned k)
{
    uint64_t e = f32_edges[i % NE32], e2 = f32_edges[(i * 7 + k) % NE32];
    if (k & 1)
        return (v2u){ e | e2 << 32, K32C };
    return (v2u){ e | K32A << 32, e2 | K32B << 32 };
}

static v2u op64(unsigned i, unsigned k)
{
    uint64_t e = f64_edges[i % NE64], e2 = f64_edges[(i * 7 + k) % NE64];
    return k & 1 ? (v2u){ e, e2 } : (v2u){ e, K64 };
}

/* OP %[s], %[d] on every edge pair under every MXCSR mode. */
#define FPAIRS(FN, OPV, NE, TEXT)                                             \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned m = 0; m < NMODES; m++)                                 \
            for (unsigned i = 0; i < NE; i++)                                 \
                for (unsigned j = 0; j < NE; j++) {                           \
                    v2u d = OPV(i, j + m), s = OPV(j, i + 2 * m + 1);         \
                    uint64_t in[] = { csr_modes[m], d[0], d[1], s[0], s[1] }; \
                    uint32_t csr = csr_modes[m], out_csr;                     \
                    __asm__ volatile("ldmxcsr %[c]\n\t" TEXT "\n\t"           \
                                     "stmxcsr %[o]"                           \
                                     : [d] "+x"(d), [o] "=m"(out_csr)         \
                                     : [s] "x"(s), [c] "m"(csr));             \
                    uint64_t out[] = { d[0], d[1], out_csr };                 \
                    INSN_CASE(#FN, in, out);                                  \
                }                                                             \
        csr_restore();                                                        \
    }
#define F32(FN, TEXT) FPAIRS(FN, op32, NE32, TEXT)
#define F64(FN, TEXT) FPAIRS(FN, op64, NE64, TEXT)

/* arithmetic, scalar and packed */
F32(addss, "addss %[s], %[d]") F32(subss, "subss %[s], %[d]")
F32(mulss, "mulss %[s], %[d]") F32(divss, "divss %[s], %[d]")
F32(minss, "minss %[s], %[d]") F32(maxss, "maxss %[s], %[d]") F32(sqrtss, "sqrtss %[s], %[d]")
F32(addps, "addps %[s], %[d]") F32(subps, "subps %[s], %[d]")
F32(mulps, "mulps %[s], %[d]") F32(divps, "divps %[s], %[d]")
F32(minps, "minps %[s], %[d]") F32(maxps, "maxps %[s], %[d]") F32(sqrtps, "sqrtps %[s], %[d]")
F64(addsd, "addsd %[s], %[d]") F64(subsd, "subsd %[s], %[d]")
F64(mulsd, "mulsd %[s], %[d]") F64(divsd, "divsd %[s], %[d]")
F64(minsd, "minsd %[s], %[d]") F64(maxsd, "maxsd %[s], %[d]") F64(sqrtsd, "sqrtsd %[s], %[d]")
F64(addpd, "addpd %[s], %[d]") F64(subpd, "subpd %[s], %[d]")
F64(mulpd, "mulpd %[s], %[d]") F64(divpd, "divpd %[s], %[d]")
F64(minpd, "minpd %[s], %[d]") F64(maxpd, "maxpd %[s], %[d]") F64(sqrtpd, "sqrtpd %[s], %[d]")

/* compares: every predicate */
#define CMP8(W, SH)                                                           \
    W(cmp0##SH, "cmp" #SH " $0, %[s], %[d]") W(cmp1##SH, "cmp" #SH " $1, %[s], %[d]") \
    W(cmp2##SH, "cmp" #SH " $2, %[s], %[d]") W(cmp3##SH, "cmp" #SH " $3, %[s], %[d]") \
    W(cmp4##SH, "cmp" #SH " $4, %[s], %[d]") W(cmp5##SH, "cmp" #SH " $5, %[s], %[d]") \
    W(cmp6##SH, "cmp" #SH " $6, %[s], %[d]") W(cmp7##SH, "cmp" #SH " $7, %[s], %[d]")
CMP8(F32, ss) CMP8(F32, ps) CMP8(F64, sd) CMP8(F64, pd)

/* conversions between float formats (and packed to/from int32) */
F32(cvtss2sd, "cvtss2sd %[s], %[d]") F32(cvtps2pd, "cvtps2pd %[s], %[d]")
F64(cvtsd2ss, "cvtsd2ss %[s], %[d]") F64(cvtpd2ps, "cvtpd2ps %[s], %[d]")
F32(cvtps2dq, "cvtps2dq %[s], %[d]") F32(cvttps2dq, "cvttps2dq %[s], %[d]")
F64(cvtpd2dq, "cvtpd2dq %[s], %[d]") F64(cvttpd2dq, "cvttpd2dq %[s], %[d]")

/* ucomis/comis: ZF PF CF (OF SF AF cleared) and MXCSR */
#define FCOMI(FN, OPV, NE, INSN)                                              \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned m = 0; m < NMODES; m++)                                 \
            for (unsigned i = 0; i < NE; i++)                                 \
                for (unsigned j = 0; j < NE; j++) {                           \
                    v2u a = OPV(i, m), b = OPV(j, m + 1);                     \
                    uint64_t fl = F_BASE | (m & 1 ? F_ARITH : 0);             \
                    uint32_t csr = csr_modes[m], out_csr;                     \
                    __asm__ volatile("ldmxcsr %[c]\n\tpush %[fl]\n\tpopfq\n\t" \
                                     INSN " %[b], %[a]\n\t"                   \
                                     "pushfq\n\tpop %[fl]\n\tstmxcsr %[o]"    \
                                     : [fl] "+r"(fl), [o] "=m"(out_csr)       \
                                     : [a] "x"(a), [b] "x"(b), [c] "m"(csr) : "cc"); \
                    uint64_t in[] = { csr, a[0], b[0] };                      \
                    uint64_t out[] = { fl & F_ARITH, out_csr };               \
                    INSN_CASE(#FN, in, out);                                  \
                }                                                             \
        csr_restore();                                                        \
    }
FCOMI(ucomiss, op32, NE32, "ucomiss") FCOMI(comiss, op32, NE32, "comiss")
FCOMI(ucomisd, op64, NE64, "ucomisd") FCOMI(comisd, op64, NE64, "comisd")

/* float -> general register, every mode */
#define TOINT(FN, OPV, NE, TEXT)                                              \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned m = 0; m < NMODES; m++)                                 \
            for (unsigned i = 0; i < NE; i++) {                               \
                v2u s = OPV(i, m);                                            \
                uint64_t r = 0x9999999999999999ull;                           \
                uint32_t csr = csr_modes[m], out_csr;                         \
                __asm__ volatile("ldmxcsr %[c]\n\t" TEXT "\n\tstmxcsr %[o]"   \
                                 : [r] "+r"(r), [o] "=m"(out_csr)             \
                                 : [s] "x"(s), [c] "m"(csr));                 \
                uint64_t in[] = { csr, s[0] };                                \
                uint64_t out[] = { r, out_csr };                              \
                INSN_CASE(#FN, in, out);                                      \
            }                                                                 \
        csr_restore();                                                        \
    }
TOINT(cvtss2si_l, op32, NE32, "cvtss2si %[s], %k[r]")
TOINT(cvtss2si_q, op32, NE32, "cvtss2si %[s], %q[r]")
TOINT(cvttss2si_l, op32, NE32, "cvttss2si %[s], %k[r]")
TOINT(cvttss2si_q, op32, NE32, "cvttss2si %[s], %q[r]")
TOINT(cvtsd2si_l, op64, NE64, "cvtsd2si %[s], %k[r]")
TOINT(cvtsd2si_q, op64, NE64, "cvtsd2si %[s], %q[r]")
TOINT(cvttsd2si_l, op64, NE64, "cvttsd2si %[s], %k[r]")
TOINT(cvttsd2si_q, op64, NE64, "cvttsd2si %[s], %q[r]")

/* integers -> float: rounding of values that need more than 24/53 bits */
static const uint64_t int_edges[] = {
    0, 1, 0xffffffffffffffffull, 0x7fffffff, 0x80000000, 0xffffffff, 0x01000001,
    0x00ffffff, 0x7fffff81, 0x80000081, 0x0020000000000001ull, 0x7fffffffffffffffull,
    0x8000000000000000ull, 0x8000000000000401ull, 0x123456789abcdefull, 0xfedcba9876543211ull,
};
#define NINT (sizeof int_edges / sizeof int_edges[0])
#define FROMINT(FN, TEXT)                                                     \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned m = 0; m < NMODES; m++)                                 \
            for (unsigned i = 0; i < NINT + INSN_NRANDOM; i++) {              \
                uint64_t r = i < NINT ? int_edges[i] : insn_random[i - NINT]; \
                v2u d = { K64, K64B };                                        \
                uint32_t csr = csr_modes[m], out_csr;                         \
                __asm__ volatile("ldmxcsr %[c]\n\t" TEXT "\n\tstmxcsr %[o]"   \
                                 : [d] "+x"(d), [o] "=m"(out_csr)             \
                                 : [r] "r"(r), [c] "m"(csr));                 \
                uint64_t in[] = { csr, r };                                   \
                uint64_t out[] = { d[0], d[1], out_csr };                     \
                INSN_CASE(#FN, in, out);                                      \
            }                                                                 \
        csr_restore();                                                        \
    }
FROMINT(cvtsi2ss_l, "cvtsi2ssl %k[r], %[d]") FROMINT(cvtsi2ss_q, "cvtsi2ssq %q[r], %[d]")
FROMINT(cvtsi2sd_l, "cvtsi2sdl %k[r], %[d]") FROMINT(cvtsi2sd_q, "cvtsi2sdq %q[r], %[d]")

static v2u opint(unsigned i, unsigned k)
{
    uint64_t a = i < NINT ? int_edges[i] : insn_random[(i - NINT) % INSN_NRANDOM];
    uint64_t b = int_edges[(i * 5 + k) % NINT];
    return (v2u){ a, b ^ (a << 32) };
}
FPAIRS(cvtdq2ps, opint, NINT, "cvtdq2ps %[s], %[d]")
FPAIRS(cvtdq2pd, opint, NINT, "cvtdq2pd %[s], %[d]")

/* memory source operands of the vector-op forms */
#define FMEM(FN, OPV, NE, TEXT)                                               \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < NE; i++) {                                   \
            v2u d = OPV(i, 3), s = OPV(i * 3 + 1, 2);                         \
            uint32_t out_csr;                                                 \
            __asm__ volatile(TEXT "\n\tstmxcsr %[o]"                          \
                             : [d] "+x"(d), [o] "=m"(out_csr) : [s] "m"(s));  \
            uint64_t in[] = { OPV(i, 3)[0], OPV(i, 3)[1], s[0], s[1] };       \
            uint64_t out[] = { d[0], d[1], out_csr };                         \
            INSN_CASE(#FN, in, out);                                          \
        }                                                                     \
        csr_restore();                                                        \
    }
FMEM(addss_m, op32, NE32, "addss %[s], %[d]") FMEM(mulps_m, op32, NE32, "mulps %[s], %[d]")
FMEM(divsd_m, op64, NE64, "divsd %[s], %[d]") FMEM(subpd_m, op64, NE64, "subpd %[s], %[d]")
FMEM(cmpltsd_m, op64, NE64, "cmpsd $1, %[s], %[d]")
FMEM(cvtss2sd_m, op32, NE32, "cvtss2sd %[s], %[d]")
FMEM(cvtps2pd_m, op32, NE32, "cvtps2pd %[s], %[d]")
FMEM(cvtdq2pd_m, op64, NE64, "cvtdq2pd %[s], %[d]")
FMEM(sqrtss_m, op32, NE32, "sqrtss %[s], %[d]")
FMEM(movsd_m, op64, NE64, "movsd %[s], %[d]")
FMEM(movss_m, op32, NE32, "movss %[s], %[d]")
FMEM(movq_m, op64, NE64, "movq %[s], %[d]")
FMEM(movd_m, op32, NE32, "movd %[s], %[d]")

/* a chain of ops whose MXCSR flags accumulate, in the default mode */
INSN_TEST(mxcsr_chain)
{
    for (unsigned i = 0; i < NE64; i++)
        for (unsigned j = 0; j < NE64; j += 2) {
            v2u a = op64(i, j), b = op64(j, i), c = op64(i + j, 1);
            uint32_t csr = 0x1f80, out_csr;
            __asm__ volatile("ldmxcsr %[c]\n\tmulpd %[b], %[a]\n\taddpd %[k], %[a]\n\t"
                             "divsd %[b], %[a]\n\tsqrtpd %[a], %[a]\n\tstmxcsr %[o]"
                             : [a] "+x"(a), [o] "=m"(out_csr)
                             : [b] "x"(b), [k] "x"(c), [c] "m"(csr));
            uint64_t in[] = { op64(i, j)[0], op64(i, j)[1], b[0], b[1], c[0], c[1] };
            uint64_t out[] = { a[0], a[1], out_csr };
            INSN_CASE("mxcsr chain", in, out);
        }
    csr_restore();
}

int main(void) { return insn_main(); }
