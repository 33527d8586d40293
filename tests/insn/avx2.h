/* avx2.h -- the harness of the AVX2 difftests (avx2.c, avx2_mem.c): 256-bit
 * operand vectors (integer edges, byte/word patterns, fixed-seed random
 * ones) and asm templates that run one instruction on fixed registers
 * (ymm1 = a, ymm2 = b, ymm0 = destination, preloaded with another vector
 * so that VEX.128 forms show they zero bits 255:128), printing all 256
 * bits of the result.  Each binary form runs as ymm register, ymm memory,
 * destination == second source, xmm register and xmm memory.  No compiler
 * AVX code: the file builds without -mavx. */
#ifndef AVX2_H
#define AVX2_H

#include "insn.h"

typedef struct { uint64_t q[4]; } __attribute__((aligned(32))) y256;

#define NY_EDGE 14
#ifdef INSN_LONG
#define NY (NY_EDGE + 26)
#define Y_STRIDE 2
#else
#define NY (NY_EDGE + 4)
#define Y_STRIDE 5
#endif

static y256 yv[NY];
/* vectors whose elements are shift counts: mostly in range */
static y256 ycnt[NY];

static const uint64_t y_patterns[] = {
    0, ~0ull, 0x8080808080808080ull, 0x7f7f7f7f7f7f7f7full, 0x80007fff8000ffffull,
    0x7fffffff80000000ull, 0x0102030405060708ull, 0xff00ff00ff00ff00ull,
    0x00ff00ff7f80017full, 0x8000000000000001ull,
};
#define NPAT (sizeof y_patterns / sizeof y_patterns[0])

__attribute__((constructor(101))) static void make_yvectors(void)
{
    insn_init();
    for (unsigned k = 0; k < NY; k++)
        for (unsigned m = 0; m < 4; m++) {
            uint64_t v = k < NY_EDGE ? (k < NPAT && m < 2 ? y_patterns[(k + m) % NPAT]
                                                          : insn_value((k * 7 + m * 5) % INSN_NEDGES) ^
                                                            y_patterns[(k + 3 * m) % NPAT])
                                     : insn_rand();
            yv[k].q[m] = v;
            uint64_t r = insn_rand();
            ycnt[k].q[m] = (r & 0x0000001f0000003full) | (k % 5 == 4 ? 0x0000004000000000ull : 0) |
                           (k % 7 == 6 ? 0x21 : 0);
        }
}

static inline void y_case(const char *name, const y256 *a, const y256 *b, const y256 *r)
{
    uint64_t in[8], out[4];
    memcpy(in, a->q, 32);
    memcpy(in + 4, b->q, 32);
    memcpy(out, r->q, 32);
    insn_case(name, 8, in, 4, out);
}

#define Y_LOAD "vmovdqu %[a], %%ymm1\n\tvmovdqu %[b], %%ymm2\n\tvmovdqu %[g], %%ymm0\n\t"
#define Y_STORE "\n\tvmovdqu %%ymm0, %[r]"
#define Y_IO [r] "=m"(r) : [a] "m"(a), [b] "m"(b), [g] "m"(g) : "xmm0", "xmm1", "xmm2", "memory"

/* `INSN [IMM,] b, a, d` over pairs of vectors (SET: yv or ycnt for b),
 * running BODY on a, b and g (ymm0's previous value). */
#define Y3LOOP(FN, SET, BODY)                                                              \
    INSN_TEST(FN)                                                                         \
    {                                                                                     \
        for (unsigned i = 0; i < NY; i++)                                                 \
            for (unsigned j = i % Y_STRIDE; j < NY; j += Y_STRIDE) {                      \
                y256 a = yv[i], b = SET[j], g = yv[(i + j + 1) % NY], r;                  \
                BODY                                                                      \
            }                                                                             \
    }
/* Its 256-bit forms: register, memory, destination == second source (B:
 * "y" when b is a ymm, "x" for an xmm count: the shifts); and its 128-bit
 * forms: register, memory. */
#define Y3FORMS256(FN, INSN, IMM, B)                                                        \
    __asm__ volatile(Y_LOAD INSN " " IMM "%%" B "mm2, %%ymm1, %%ymm0" Y_STORE : Y_IO);    \
    y_case(#FN ".y", &a, &b, &r);                                                         \
    __asm__ volatile(Y_LOAD INSN " " IMM "%[b], %%ymm1, %%ymm0" Y_STORE : Y_IO);           \
    y_case(#FN ".ym", &a, &b, &r);                                                        \
    __asm__ volatile(Y_LOAD "vmovdqu %%ymm2, %%ymm0\n\t"                                  \
                     INSN " " IMM "%%" B "mm0, %%ymm1, %%ymm0" Y_STORE : Y_IO);           \
    y_case(#FN ".yalias", &a, &b, &r);
#define Y3FORMS128(FN, INSN, IMM)                                                          \
    __asm__ volatile(Y_LOAD INSN " " IMM "%%xmm2, %%xmm1, %%xmm0" Y_STORE : Y_IO);         \
    y_case(#FN ".x", &a, &b, &r);                                                         \
    __asm__ volatile(Y_LOAD INSN " " IMM "%[b], %%xmm1, %%xmm0" Y_STORE : Y_IO);           \
    y_case(#FN ".xm", &a, &b, &r);

/* The five forms of `INSN [IMM,] b, a, d`. */
#define Y3SET(FN, INSN, IMM, SET) Y3B(FN, INSN, IMM, SET, "y")
#define Y3B(FN, INSN, IMM, SET, B) \
    Y3LOOP(FN, SET, Y3FORMS256(FN, INSN, IMM, B) Y3FORMS128(FN, INSN, IMM))
#define Y3(FN, INSN) Y3SET(FN, INSN, "", yv)
#define Y3I(FN, INSN, IMM) Y3SET(FN, INSN, "$" #IMM ", ", yv)
/* 256-bit-only forms (register, memory, aliased). */
#define Y3W(FN, INSN, IMM) Y3LOOP(FN, yv, Y3FORMS256(FN, INSN, IMM, "y"))

/* `INSN [IMM,] src, d` over the vectors: ymm and memory sources at 256
 * bits (SRC256 names the source register there: %%ymm2, or %%xmm2 for the
 * widening forms), xmm and memory at 128 (not for the 256-bit-only
 * forms, Y2W). */
#define Y2LOOP(FN, BODY)                                                                   \
    INSN_TEST(FN)                                                                         \
    {                                                                                     \
        for (unsigned i = 0; i < NY; i++) {                                               \
            y256 a = yv[(i * 3 + 1) % NY], b = yv[i], g = yv[(i + 5) % NY], r;            \
            BODY                                                                          \
        }                                                                                 \
    }
#define Y2FORMS256(FN, INSN, IMM, SRC256)                                                   \
    __asm__ volatile(Y_LOAD INSN " " IMM SRC256 ", %%ymm0" Y_STORE : Y_IO);                \
    y_case(#FN ".y", &a, &b, &r);                                                         \
    __asm__ volatile(Y_LOAD INSN " " IMM "%[b], %%ymm0" Y_STORE : Y_IO);                   \
    y_case(#FN ".ym", &a, &b, &r);
#define Y2FORMS128(FN, INSN, IMM)                                                          \
    __asm__ volatile(Y_LOAD INSN " " IMM "%%xmm2, %%xmm0" Y_STORE : Y_IO);                 \
    y_case(#FN ".x", &a, &b, &r);                                                         \
    __asm__ volatile(Y_LOAD INSN " " IMM "%[b], %%xmm0" Y_STORE : Y_IO);                   \
    y_case(#FN ".xm", &a, &b, &r);
#define Y2(FN, INSN, IMM, SRC256) \
    Y2LOOP(FN, Y2FORMS256(FN, INSN, IMM, SRC256) Y2FORMS128(FN, INSN, IMM))
#define Y2W(FN, INSN, IMM) Y2LOOP(FN, Y2FORMS256(FN, INSN, IMM, "%%ymm2"))

#endif
