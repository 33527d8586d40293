/* mxcsr_fast_flags.c -- MXCSR's flags after the SSE float ops a backend
 * runs on host float code (min/max, compares, comis/ucomis, conversions,
 * mul/div), for operands all around their special cases (zeros, the
 * smallest normal, denormals, huge values, infinities, quiet and
 * signalling NaNs, values out of int32 range, a product that rounds up to
 * the smallest normal), each run right after a first op in the same asm
 * block that leaves the flags clean, inexact, underflowed or invalid: the
 * op's own flags must join those exactly as on x86 (the AArch64 backend
 * keeps its host flags for the ops whose flags are always among x86's and
 * takes them back before the slow path for the others).  Prints, per op,
 * first state and a operand, the flags and the low 64 result bits (or
 * EFLAGS / the integer) for every b operand. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct { uint64_t q[2]; } v128;

/* Operands as bit patterns; every case uses the same pattern for
 * binary32 ops from its high half (the low half of a float pair). */
static const uint64_t dvals[] = {
    0x3ff0000000000000ull,  /* 1 */
    0xbff8000000000000ull,  /* -1.5 */
    0x0000000000000000ull,  /* +0 */
    0x8000000000000000ull,  /* -0 */
    0x0010000000000000ull,  /* smallest normal */
    0x000fffffffffffffull,  /* denormal */
    0x3feffffffffffffeull,  /* 1 - 2^-52: times the next one, below the smallest normal, */
    0x0010000000000001ull,  /* ... rounded to it: tiny on ARM alone (before rounding) */
    0x7fefffffffffffffull,  /* largest */
    0x7ff0000000000000ull,  /* +inf */
    0x7ff8000000000000ull,  /* QNaN */
    0x7ff4000000000000ull,  /* SNaN */
    0x41e65a0bc0100000ull,  /* 3e9 + 0.5: above int32, inside int64 */
    0xc1e0000000000000ull,  /* -2^31 */
    0x41dfffffffe00000ull,  /* 2^31 - 0.5 */
    0x3e112e0be826d695ull,  /* 1e-9 */
};
static const uint32_t fvals[] = {
    0x3f800000u, 0xbfc00000u, 0x00000000u, 0x80000000u, 0x00800000u, 0x007fffffu,
    0x3f7ffffeu, 0x00800001u, 0x7f7fffffu, 0x7f800000u, 0x7fc00000u, 0x7fa00000u, 0x4f32d05eu,
    0xcf000000u, 0x4effffffu, 0x3089705fu,
};
enum { NV = sizeof dvals / sizeof dvals[0] };

/* The first op's operands: mulsd xmm4, xmm3 leaves nothing, PE, UE|PE, IE. */
static const uint64_t pre_a[] = { 0x3ff0000000000000ull, 0x3fb999999999999aull,
                                  0x16687e92154ef7acull, 0x7ff0000000000000ull };
static const uint64_t pre_b[] = { 0x3ff0000000000000ull, 0x3fb999999999999aull,
                                  0x16687e92154ef7acull, 0x0000000000000000ull };

static const uint32_t mx_default = 0x1f80;

struct res { uint64_t r; uint32_t mx; };

#define CASE(fn, insn, outreg) \
    static struct res fn(const v128 *a, const v128 *b, int pre) \
    { \
        struct res o; \
        __asm__ volatile("ldmxcsr %[def]\n\t" "movdqu %[va], %%xmm1\n\t" \
                         "movdqu %[vb], %%xmm2\n\t" "movq %[pa], %%xmm3\n\t" \
                         "movq %[pb], %%xmm4\n\t" "xorl %%eax, %%eax\n\t" \
                         "mulsd %%xmm4, %%xmm3\n\t" insn "\n\t" \
                         "stmxcsr %[st]" outreg \
                         : [st] "=m"(o.mx), [r] "=m"(o.r) \
                         : [def] "m"(mx_default), [va] "m"(*a), [vb] "m"(*b), \
                           [pa] "m"(pre_a[pre]), [pb] "m"(pre_b[pre]) \
                         : "xmm1", "xmm2", "xmm3", "xmm4", "rax", "cc", "memory"); \
        return o; \
    }

#define XMM "\n\tmovq %%xmm1, %[r]"
#define RAX "\n\tmovq %%rax, %[r]"
/* EFLAGS: SF ZF AF PF CF (lahf) and OF */
#define EFL "\n\tlahf\n\tseto %%al\n\tmovzwl %%ax, %%eax\n\tmovq %%rax, %[r]"

CASE(minsd, "minsd %%xmm2, %%xmm1", XMM)
CASE(maxpd, "maxpd %%xmm2, %%xmm1", XMM)
CASE(minps, "minps %%xmm2, %%xmm1", XMM)
CASE(maxss, "maxss %%xmm2, %%xmm1", XMM)
CASE(cmpltsd, "cmpltsd %%xmm2, %%xmm1", XMM)
CASE(cmpeqpd, "cmpeqpd %%xmm2, %%xmm1", XMM)
CASE(cmpunordps, "cmpunordps %%xmm2, %%xmm1", XMM)
CASE(cmpnless, "cmpnless %%xmm2, %%xmm1", XMM)
CASE(comisd, "comisd %%xmm2, %%xmm1", EFL)
CASE(ucomisd, "ucomisd %%xmm2, %%xmm1", EFL)
CASE(ucomiss, "ucomiss %%xmm2, %%xmm1", EFL)
CASE(mulsd, "mulsd %%xmm2, %%xmm1", XMM)
CASE(mulpd, "mulpd %%xmm2, %%xmm1", XMM)
CASE(mulps, "mulps %%xmm2, %%xmm1", XMM)
CASE(divsd, "divsd %%xmm2, %%xmm1", XMM)
CASE(divps, "divps %%xmm2, %%xmm1", XMM)
CASE(cvttsd2si, "cvttsd2si %%xmm1, %%eax", RAX)
CASE(cvtsd2si64, "cvtsd2si %%xmm1, %%rax", RAX)
CASE(cvttss2si, "cvttss2si %%xmm1, %%eax", RAX)
CASE(cvtss2si64, "cvtss2si %%xmm1, %%rax", RAX)
CASE(cvttps2dq, "cvttps2dq %%xmm1, %%xmm1", XMM)
CASE(cvtps2dq, "cvtps2dq %%xmm1, %%xmm1", XMM)
CASE(cvttpd2dq, "cvttpd2dq %%xmm1, %%xmm1", XMM)
CASE(cvtpd2dq, "cvtpd2dq %%xmm1, %%xmm1", XMM)
CASE(cvtss2sd, "cvtss2sd %%xmm1, %%xmm1", XMM)
CASE(cvtps2pd, "cvtps2pd %%xmm1, %%xmm1", XMM)
CASE(cvtsd2ss, "cvtsd2ss %%xmm1, %%xmm1", XMM)
CASE(cvtpd2ps, "cvtpd2ps %%xmm1, %%xmm1", XMM)

static const struct {
    const char *name;
    struct res (*fn)(const v128 *, const v128 *, int);
    int unary, single;
} ops[] = {
    { "minsd", minsd, 0, 0 }, { "maxpd", maxpd, 0, 0 }, { "minps", minps, 0, 1 },
    { "maxss", maxss, 0, 1 }, { "cmpltsd", cmpltsd, 0, 0 }, { "cmpeqpd", cmpeqpd, 0, 0 },
    { "cmpunordps", cmpunordps, 0, 1 }, { "cmpnless", cmpnless, 0, 1 },
    { "comisd", comisd, 0, 0 }, { "ucomisd", ucomisd, 0, 0 }, { "ucomiss", ucomiss, 0, 1 },
    { "mulsd", mulsd, 0, 0 }, { "mulpd", mulpd, 0, 0 }, { "mulps", mulps, 0, 1 },
    { "divsd", divsd, 0, 0 }, { "divps", divps, 0, 1 },
    { "cvttsd2si", cvttsd2si, 1, 0 }, { "cvtsd2si64", cvtsd2si64, 1, 0 },
    { "cvttss2si", cvttss2si, 1, 1 }, { "cvtss2si64", cvtss2si64, 1, 1 },
    { "cvttps2dq", cvttps2dq, 1, 1 }, { "cvtps2dq", cvtps2dq, 1, 1 },
    { "cvttpd2dq", cvttpd2dq, 1, 0 }, { "cvtpd2dq", cvtpd2dq, 1, 0 },
    { "cvtss2sd", cvtss2sd, 1, 1 }, { "cvtps2pd", cvtps2pd, 1, 1 },
    { "cvtsd2ss", cvtsd2ss, 1, 0 }, { "cvtpd2ps", cvtpd2ps, 1, 0 },
};

/* Operand k: binary64 in both lanes, or binary32 in every lane. */
static v128 operand(int k, int single)
{
    v128 v;
    if (single)
        v.q[0] = v.q[1] = (uint64_t)fvals[k] << 32 | fvals[k];
    else
        v.q[0] = v.q[1] = dvals[k];
    return v;
}

/* A lane of the other operand differs: the op must not mix lanes up. */
static v128 operand_b(int k, int single)
{
    v128 v = operand(k, single);
    v.q[1] = single ? 0x3f8000003f800000ull : 0x3ff0000000000000ull;
    return v;
}

int main(void)
{
    for (size_t n = 0; n < sizeof ops / sizeof ops[0]; n++)
        for (int pre = 0; pre < 4; pre++)
            for (int i = 0; i < NV; i++) {
                v128 a = operand(i, ops[n].single);
                printf("%s %d %2d:", ops[n].name, pre, i);
                for (int j = 0; j < (ops[n].unary ? 1 : NV); j++) {
                    v128 b = operand_b(j, ops[n].single);
                    struct res o = ops[n].fn(&a, &b, pre);
                    printf(" %02x/%llx", o.mx & 0x3f, (unsigned long long)o.r);
                }
                printf("\n");
            }
    return 0;
}
