/* avx_vec.h -- the operand vectors and the one asm template of the VEX
 * difftests (avx.c, avx_move.c, fma.c, f16c.c).  Each case loads YMM1
 * (destination, its upper half nonzero so VEX.128 zeroing shows), YMM2
 * (first source, VEX.vvvv), YMM3 (second source) and YMM0 (mask / fourth
 * operand) from memory, sets MXCSR, runs TEXT, and prints all 256 bits of
 * YMM1, the 32 bytes of the memory operand %[b] (stores write there) and
 * MXCSR read back.  TEXT names the registers itself, so every form is
 * spelled out: "vaddps %%ymm3, %%ymm2, %%ymm1", "vaddps %[b], %%xmm2,
 * %%xmm1", "vaddps %%ymm1, %%ymm2, %%ymm1" (destination is a source).
 * Inputs are printed as indices (the vectors are the same in both runs).
 */
#ifndef AVX_VEC_H
#define AVX_VEC_H

#include "sse_vec.h"

typedef struct { uint64_t q[4]; } __attribute__((aligned(32))) y256;

#define NY NVEC
static y256 fy[NY], dy[NY], iy[NY], hy[NY];

/* half-precision edge values for F16C (and random ones) */
static const uint16_t hedges[] = {
    0x0000, 0x8000, 0x3c00, 0xbc00, 0x0001, 0x03ff, 0x0400, 0x7bff, 0xfbff, 0x7c00,
    0xfc00, 0x7e00, 0xfe01, 0x7c01, 0x3555, 0x4248,
};

__attribute__((constructor(102))) static void make_y(void)
{
    for (unsigned k = 0; k < NY; k++) {
        unsigned o = (k * 7 + 5) % NY;
        fy[k] = (y256){ { fvec[k][0], fvec[k][1], fvec[o][0], fvec[o][1] } };
        dy[k] = (y256){ { dvec[k][0], dvec[k][1], dvec[o][0], dvec[o][1] } };
        iy[k] = (y256){ { ivec[k][0], ivec[k][1], ivec[o][0], ivec[o][1] } };
        for (unsigned q = 0; q < 4; q++) {
            uint64_t v = 0;
            for (unsigned h = 0; h < 4; h++) {
                unsigned n = k * 16 + q * 4 + h;
                uint64_t e = n % 3 ? hedges[(n * 5 + k) % 16] : (uint16_t)insn_rand();
                v |= e << (16 * h);
            }
            hy[k].q[q] = v;
        }
    }
}

static const uint32_t avx_csr_modes[] = { 0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x9fc0 };
static uint32_t avx_csr_default = 0x1f80;

/* Pairs (i, j) visited: every STEP-th, so quick runs stay small. */
#ifdef INSN_LONG
#define AVX_STEP(m) ((m) ? 5 : 2)
#else
#define AVX_STEP(m) ((m) ? 16 : 6)
#endif

/* NMODES: 1 (default MXCSR) or 5 (every rounding mode, FTZ+DAZ). */
#define YCASE(FN, SETD, SETA, SETB, NMODES, TEXT)                             \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned m = 0; m < (NMODES); m++)                               \
            for (unsigned i = 0; i < NY; i++)                                 \
                for (unsigned j = (i + m) % AVX_STEP(m); j < NY; j += AVX_STEP(m)) { \
                    y256 d = SETD[(i * 5 + j + 1) % NY], a = SETA[i], b = SETB[j]; \
                    y256 k = iy[(i + 3 * j) % NY], out;                       \
                    uint32_t csr = avx_csr_modes[m], ocsr;                    \
                    __asm__ volatile(                                         \
                        "vmovdqu %[d], %%ymm1\n\tvmovdqu %[a], %%ymm2\n\t"   \
                        "vmovdqu %[b], %%ymm3\n\tvmovdqu %[k], %%ymm0\n\t"   \
                        "ldmxcsr %[c]\n\t" TEXT "\n\tstmxcsr %[o]\n\t"        \
                        "ldmxcsr %[dflt]\n\tvmovdqu %%ymm1, %[out]"           \
                        : [out] "=m"(out), [o] "=m"(ocsr), [b] "+m"(b)        \
                        : [d] "m"(d), [a] "m"(a), [k] "m"(k), [c] "m"(csr),   \
                          [dflt] "m"(avx_csr_default)                         \
                        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm8", "xmm15", "rax", "cc", "memory");        \
                    uint64_t in[] = { m, i, j };                              \
                    uint64_t res[] = { out.q[0], out.q[1], out.q[2], out.q[3], \
                                       b.q[0], b.q[1], b.q[2], b.q[3], ocsr }; \
                    INSN_CASE(#FN, in, res);                                  \
                }                                                             \
    }

/* Register and memory forms of a binary op at 256 and 128 bits. */
#define BIN4(FN, INSN, SET, NM)                                               \
    YCASE(FN##_y, SET, SET, SET, NM, INSN " %%ymm3, %%ymm2, %%ymm1")          \
    YCASE(FN##_ym, SET, SET, SET, NM, INSN " %[b], %%ymm2, %%ymm1")           \
    YCASE(FN##_x, SET, SET, SET, NM, INSN " %%xmm3, %%xmm2, %%xmm1")          \
    YCASE(FN##_xm, SET, SET, SET, NM, INSN " %[b], %%xmm2, %%xmm1")
/* ... scalar forms: 128 bits only */
#define BIN2(FN, INSN, SET, NM)                                               \
    YCASE(FN##_x, SET, SET, SET, NM, INSN " %%xmm3, %%xmm2, %%xmm1")          \
    YCASE(FN##_xm, SET, SET, SET, NM, INSN " %[b], %%xmm2, %%xmm1")
/* unary (no vvvv) */
#define UN4(FN, INSN, SET, NM)                                                \
    YCASE(FN##_y, SET, SET, SET, NM, INSN " %%ymm3, %%ymm1")                  \
    YCASE(FN##_ym, SET, SET, SET, NM, INSN " %[b], %%ymm1")                   \
    YCASE(FN##_x, SET, SET, SET, NM, INSN " %%xmm3, %%xmm1")                  \
    YCASE(FN##_xm, SET, SET, SET, NM, INSN " %[b], %%xmm1")
/* destination as a source: d == b, d == a, all three the same */
#define ALIAS(FN, INSN, SET, NM)                                              \
    YCASE(FN##_db, SET, SET, SET, NM, INSN " %%ymm1, %%ymm2, %%ymm1")         \
    YCASE(FN##_da, SET, SET, SET, NM, INSN " %%xmm3, %%xmm1, %%xmm1")         \
    YCASE(FN##_dd, SET, SET, SET, NM, INSN " %%ymm1, %%ymm1, %%ymm1")

#endif
