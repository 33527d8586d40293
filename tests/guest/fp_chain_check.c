/* fp_chain_check.c -- a float add/sub/mul/div that reads, right behind it,
 * the result of a mul or div (the AArch64 backend then skips that
 * operand's denormal test: the mul/div's own fast path tested its result
 * for denormals and NaN, and its slow path must lead to the second op's
 * slow path, since the helper may have produced a denormal, for which x86
 * sets DE in the second op).  For producer operands all around the special
 * cases (denormal, rounding to the smallest normal, NaN, overflow) and a
 * third operand that is denormal, infinite, NaN and so on, in either
 * operand position, scalar and packed, double and single: both results
 * (all 128 bits) and MXCSR's flags, as x86 computes them. */
#include <stdint.h>
#include <stdio.h>

typedef struct { uint64_t q[2]; } v128;

static const uint64_t dvals[] = {
    0x3ff0000000000000ull,  /* 1 */
    0xbff8000000000000ull,  /* -1.5 */
    0x0000000000000000ull,  /* +0 */
    0x000fffffffffffffull,  /* denormal */
    0x0010000000000000ull,  /* smallest normal */
    0x3feffffffffffffeull,  /* 1 - 2^-52: times the next one rounds to the smallest normal */
    0x0010000000000001ull,
    0x7ff0000000000000ull,  /* +inf */
    0xfff0000000000000ull,  /* -inf */
    0x7ff8000000000000ull,  /* QNaN */
    0x7fefffffffffffffull,  /* largest */
    0x01a56e1fc2f8f359ull,  /* 1e-300 */
    0x3ddb7cdfd9d7bdbbull,  /* 1e-10 */
    0x3e112e0be826d695ull,  /* 1e-9 */
};
static const uint32_t fvals[] = {
    0x3f800000u, 0xbfc00000u, 0x00000000u, 0x007fffffu, 0x00800000u, 0x3f7ffffeu,
    0x00800001u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7f7fffffu, 0x0c01ceb3u,
    0x2edbe6ffu, 0x3089705fu,
};
enum { NV = sizeof dvals / sizeof dvals[0] };

static const uint32_t mx_default = 0x1f80;

struct res { v128 p, r; uint32_t mx; };

/* xmm1 = a, xmm2 = b, xmm3 = c; the first op writes xmm1, the second
 * reads it (as its a: writes xmm1; as its b: writes xmm3). */
#define CASE(fn, first, second, out) \
    static struct res fn(const v128 *a, const v128 *b, const v128 *c) \
    { \
        struct res o; \
        __asm__ volatile("ldmxcsr %[def]\n\t" "movdqu %[va], %%xmm1\n\t" \
                         "movdqu %[vb], %%xmm2\n\t" "movdqu %[vc], %%xmm3\n\t" \
                         first " %%xmm2, %%xmm1\n\t" second "\n\t" \
                         "stmxcsr %[st]\n\t" "movdqu %%xmm1, %[p]\n\t" \
                         "movdqu %%" out ", %[r]" \
                         : [st] "=m"(o.mx), [p] "=m"(o.p), [r] "=m"(o.r) \
                         : [def] "m"(mx_default), [va] "m"(*a), [vb] "m"(*b), [vc] "m"(*c) \
                         : "xmm1", "xmm2", "xmm3", "memory"); \
        return o; \
    }

CASE(mulsd_add_a, "mulsd", "addsd %%xmm3, %%xmm1", "xmm1")
CASE(mulsd_add_b, "mulsd", "addsd %%xmm1, %%xmm3", "xmm3")
CASE(divsd_add_b, "divsd", "addsd %%xmm1, %%xmm3", "xmm3")
CASE(divsd_sub_a, "divsd", "subsd %%xmm3, %%xmm1", "xmm1")
CASE(mulsd_mul_b, "mulsd", "mulsd %%xmm1, %%xmm3", "xmm3")
CASE(divsd_div_a, "divsd", "divsd %%xmm3, %%xmm1", "xmm1")
CASE(mulpd_add_a, "mulpd", "addpd %%xmm3, %%xmm1", "xmm1")
CASE(mulpd_sub_b, "mulpd", "subpd %%xmm1, %%xmm3", "xmm3")
CASE(divpd_mul_a, "divpd", "mulpd %%xmm3, %%xmm1", "xmm1")
CASE(mulss_add_b, "mulss", "addss %%xmm1, %%xmm3", "xmm3")
CASE(divss_div_a, "divss", "divss %%xmm3, %%xmm1", "xmm1")
CASE(mulps_add_a, "mulps", "addps %%xmm3, %%xmm1", "xmm1")
CASE(divps_mul_b, "divps", "mulps %%xmm1, %%xmm3", "xmm3")

static const struct {
    const char *name;
    struct res (*fn)(const v128 *, const v128 *, const v128 *);
    int single;
} ops[] = {
    { "mulsd_add_a", mulsd_add_a, 0 }, { "mulsd_add_b", mulsd_add_b, 0 },
    { "divsd_add_b", divsd_add_b, 0 }, { "divsd_sub_a", divsd_sub_a, 0 },
    { "mulsd_mul_b", mulsd_mul_b, 0 }, { "divsd_div_a", divsd_div_a, 0 },
    { "mulpd_add_a", mulpd_add_a, 0 }, { "mulpd_sub_b", mulpd_sub_b, 0 },
    { "divpd_mul_a", divpd_mul_a, 0 }, { "mulss_add_b", mulss_add_b, 1 },
    { "divss_div_a", divss_div_a, 1 }, { "mulps_add_a", mulps_add_a, 1 },
    { "divps_mul_b", divps_mul_b, 1 },
};

/* Operand k in lane 0 (element 0); the other lanes hold operand k + shift
 * (packed ops must not mix lanes up, and a special value in lane 1 alone
 * must be found too). */
static v128 operand(int k, int single, int shift)
{
    v128 v;
    int k2 = (k + shift) % NV;
    if (single) {
        v.q[0] = (uint64_t)fvals[k2] << 32 | fvals[k];
        v.q[1] = (uint64_t)fvals[k2] << 32 | fvals[k2];
    } else {
        v.q[0] = dvals[k];
        v.q[1] = dvals[k2];
    }
    return v;
}

/* A short checksum of the first result per (a, b): all 14 c operands'
 * full second results and flags are printed. */
int main(void)
{
    for (size_t n = 0; n < sizeof ops / sizeof ops[0]; n++)
        for (int i = 0; i < NV; i++)
            for (int j = 0; j < NV; j++) {
                v128 a = operand(i, ops[n].single, 0), b = operand(j, ops[n].single, 5);
                printf("%s %2d %2d:", ops[n].name, i, j);
                for (int k = 0; k < NV; k++) {
                    v128 c = operand(k, ops[n].single, 3);
                    struct res o = ops[n].fn(&a, &b, &c);
                    if (k == 0)
                        printf(" p=%llx.%llx", (unsigned long long)o.p.q[1],
                               (unsigned long long)o.p.q[0]);
                    printf(" %02x/%llx.%llx", o.mx & 0x3f, (unsigned long long)o.r.q[1],
                           (unsigned long long)o.r.q[0]);
                }
                printf("\n");
            }
    return 0;
}
