/* sse_vec.h -- the operand vectors of the SSE difftests (float, double and
 * integer edge values, then fixed-seed random ones) and the asm templates
 * that run one instruction on them: VBIN/VB (xmm, xmm), VIMM (one xmm
 * operand), TOGP (xmm -> general register), FROMGP (general register ->
 * xmm).  Each test file includes it once. */
#ifndef SSE_VEC_H
#define SSE_VEC_H

#include "insn.h"

typedef uint64_t v2u __attribute__((vector_size(16)));

static const double dedges[] = {
    0.0, -0.0, 1.0, -1.0, 1.5, -2.75, 3.0, 1e-310 /* denormal */,
    -4.9e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1e308,
    __builtin_inf(), -__builtin_inf(), __builtin_nan(""), -__builtin_nan("5"),
    __builtin_nans("1"), 2147483647.5, -2147483648.5, 9.3e18, -9.3e18,
    1e20, 0.5, 2.5, -0.5, 123456.789,
};
static const float fedges[] = {
    0.0f, -0.0f, 1.0f, -1.0f, 1.5f, -2.75f, 3.0f, 1e-40f /* denormal */,
    1.17549435e-38f, 3.4028235e38f, -3e38f, __builtin_inff(), -__builtin_inff(),
    __builtin_nanf(""), -__builtin_nanf("3"), __builtin_nansf("1"),
    2147483520.0f, -2147483648.0f, 3e9f, 0.5f, 2.5f, -0.5f, 16777217.0f, 7.25f,
};
#define ND (sizeof dedges / sizeof dedges[0])
#define NF (sizeof fedges / sizeof fedges[0])
/* (at most 30 random vectors: pairs grow quadratically) */
#define SSE_NRANDOM (INSN_NRANDOM > 30 ? 30 : INSN_NRANDOM)
#define NVEC (24 + SSE_NRANDOM)
/* Quick runs pair each vector with every other one; long runs with all. */
#ifdef INSN_LONG
#define INSN_STRIDE 1
#else
#define INSN_STRIDE 2
#endif

static v2u dvec[NVEC], fvec[NVEC], ivec[NVEC];

static uint64_t dbits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

__attribute__((constructor(101))) static void make_vectors(void)
{
    insn_init();
    for (unsigned k = 0; k < NVEC; k++) {
        if (k < 24) {
            dvec[k] = (v2u){ dbits(dedges[k % ND]), dbits(dedges[(k * 7 + 3) % ND]) };
            uint64_t lo = fbits(fedges[k % NF]) | (uint64_t)fbits(fedges[(k + 5) % NF]) << 32;
            uint64_t hi = fbits(fedges[(k * 3 + 1) % NF]) | (uint64_t)fbits(fedges[(k + 11) % NF]) << 32;
            fvec[k] = (v2u){ lo, hi };
            ivec[k] = (v2u){ insn_value(k), insn_value((k * 3 + 1) % INSN_NEDGES) };
        } else {
            /* random doubles/floats in a sane range, random integer lanes */
            double a = (double)(int64_t)insn_rand() / 1e9, b = (double)(int64_t)insn_rand() / 3e15;
            dvec[k] = (v2u){ dbits(a), dbits(b) };
            float f[4];
            for (int m = 0; m < 4; m++)
                f[m] = (float)(int32_t)insn_rand() / 1024.0f;
            memcpy(&fvec[k], f, 16);
            ivec[k] = (v2u){ insn_rand(), insn_rand() };
        }
    }
}

/* INSN %s, %d on vector pairs from SET */
#define VBIN(FN, SET, TEXT)                                                   \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < NVEC; i++)                                   \
            for (unsigned j = i % INSN_STRIDE; j < NVEC; j += INSN_STRIDE) { \
                v2u d = SET[i], s = SET[j];                                   \
                __asm__ volatile(TEXT : [d] "+x"(d) : [s] "x"(s));            \
                uint64_t in[] = { SET[i][0], SET[i][1], s[0], s[1] };         \
                uint64_t out[] = { d[0], d[1] };                              \
                INSN_CASE(#FN, in, out);                                     \
            }                                                                 \
    }

#define VB(OP, SET) VBIN(OP##_##SET, SET, #OP " %[s], %[d]")


/* one-operand forms with an immediate */
#define VIMM(FN, SET, TEXT)                                                   \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < NVEC; i++) {                                 \
            v2u d = SET[i];                                                   \
            __asm__ volatile(TEXT : [d] "+x"(d));                             \
            uint64_t in[] = { SET[i][0], SET[i][1] };                         \
            uint64_t out[] = { d[0], d[1] };                                  \
            INSN_CASE(#FN, in, out);                                         \
        }                                                                     \
    }
/* to general registers: mask extraction, movd/movq, pextrw, conversions */
#define TOGP(FN, SET, TEXT)                                                   \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < NVEC; i++) {                                 \
            v2u s = SET[i];                                                   \
            uint64_t r = 0x9999999999999999ull;                               \
            __asm__ volatile(TEXT : [r] "+r"(r) : [s] "x"(s));                \
            uint64_t in[] = { s[0], s[1] };                                   \
            uint64_t out[] = { r };                                           \
            INSN_CASE(#FN, in, out);                                         \
        }                                                                     \
    }
/* from general registers (upper lanes of the destination are kept) */
#define FROMGP(FN, TEXT)                                                      \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++) {                         \
            v2u d = ivec[i % NVEC];                                           \
            uint64_t r = insn_value(i);                                       \
            __asm__ volatile(TEXT : [d] "+x"(d) : [r] "r"(r));                \
            uint64_t in[] = { r, ivec[i % NVEC][0], ivec[i % NVEC][1] };      \
            uint64_t out[] = { d[0], d[1] };                                  \
            INSN_CASE(#FN, in, out);                                         \
        }                                                                     \
    }

/* VBIN under each MXCSR mode: rounding down/up/toward zero, FTZ+DAZ; the
 * MXCSR read back after the instruction shows the exception flags. */
static const uint32_t sse_csr_modes[] = { 0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x9fc0 };
#define VCSR(FN, SET, TEXT)                                                   \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned m = 0; m < 5; m++)                                      \
            for (unsigned i = 0; i < NVEC; i++)                               \
                for (unsigned j = (i + m) % 3; j < NVEC; j += 3) {            \
                    v2u d = SET[i], s = SET[j];                               \
                    uint32_t csr = sse_csr_modes[m], out_csr;                 \
                    __asm__ volatile("ldmxcsr %[c]\n\t" TEXT "\n\t"           \
                                     "stmxcsr %[o]"                           \
                                     : [d] "+x"(d), [o] "=m"(out_csr)         \
                                     : [s] "x"(s), [c] "m"(csr));             \
                    uint64_t in[] = { csr, SET[i][0], SET[i][1], s[0], s[1] }; \
                    uint64_t out[] = { d[0], d[1], out_csr };                 \
                    INSN_CASE(#FN, in, out);                                 \
                }                                                             \
        uint32_t csr = 0x1f80;                                                \
        __asm__ volatile("ldmxcsr %0" : : "m"(csr));                          \
    }

/* INSN (%s as memory), %d: the memory forms load only what they need */
#define VMEM(FN, SET, TEXT)                                                   \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < NVEC; i++) {                                 \
            v2u d = SET[(i * 5 + 1) % NVEC], s = SET[i];                      \
            __asm__ volatile(TEXT : [d] "+x"(d) : [s] "m"(s));                \
            uint64_t in[] = { SET[(i * 5 + 1) % NVEC][0], SET[(i * 5 + 1) % NVEC][1], \
                              s[0], s[1] };                                   \
            uint64_t out[] = { d[0], d[1] };                                  \
            INSN_CASE(#FN, in, out);                                         \
        }                                                                     \
    }

/* three-operand forms whose third operand is XMM0 (pblendvb & co) */
#define VXMM0(FN, SET, TEXT)                                                  \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < NVEC; i++)                                   \
            for (unsigned j = i % INSN_STRIDE; j < NVEC; j += INSN_STRIDE) { \
                v2u d = SET[i], s = SET[j], m = ivec[(i + 3 * j) % NVEC];     \
                __asm__ volatile(TEXT : [d] "+x"(d) : [s] "x"(s), [m] "Yz"(m)); \
                uint64_t in[] = { SET[i][0], SET[i][1], s[0], s[1], m[0], m[1] }; \
                uint64_t out[] = { d[0], d[1] };                              \
                INSN_CASE(#FN, in, out);                                     \
            }                                                                 \
    }

#endif
