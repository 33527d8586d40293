/* fp_fuse.c -- a packed mul/div and, right behind it, an add/sub that
 * reads its result as the first operand and overwrites it (mulpd xmm1,
 * xmm2; addpd xmm1, xmm3: matmul's c += a * b).  The AArch64 backend
 * checks such a pair with one test and branch, and its slow path runs
 * both ops again from their inputs, with the flags as they were before
 * the first; so every special case of either op (denormal inputs and
 * results, products rounding to the smallest normal, inf * 0, quiet and
 * signalling NaNs, overflow) must still give x86's results and MXCSR
 * flags.  Also: the first op's input loaded by the insn right before it
 * (its store to the register file dropped, then made at the cut), flags
 * already set before the pair, FTZ/DAZ (no fused check there), and a
 * loop whose invariant operand turns denormal in a late pass. */
#include <stdint.h>
#include <stdio.h>

typedef struct { uint64_t q[2]; } v128;

static const uint64_t dvals[] = {
    0x3ff0000000000000ull,  /* 1 */
    0xbff8000000000000ull,  /* -1.5 */
    0x0000000000000000ull,  /* +0 */
    0x000fffffffffffffull,  /* denormal */
    0x0010000000000000ull,  /* smallest normal */
    0x3feffffffffffffeull,  /* 1 - 2^-52: times the next rounds to the smallest normal */
    0x0010000000000001ull,
    0x7ff0000000000000ull,  /* +inf */
    0xfff0000000000000ull,  /* -inf */
    0x7ff8000000000000ull,  /* QNaN */
    0x7ff4000000000001ull,  /* SNaN */
    0xfff8000000000123ull,  /* negative QNaN with payload */
    0x7fefffffffffffffull,  /* largest */
    0x01a56e1fc2f8f359ull,  /* 1e-300 */
    0x8000000000000001ull,  /* -smallest denormal */
};
static const uint32_t fvals[] = {
    0x3f800000u, 0xbfc00000u, 0x00000000u, 0x007fffffu, 0x00800000u, 0x3f7ffffeu,
    0x00800001u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7fa00001u, 0xffc00123u,
    0x7f7fffffu, 0x0c01ceb3u, 0x80000001u,
};
enum { NV = sizeof dvals / sizeof dvals[0] };

struct res { v128 r; uint32_t mx; };

/* xmm1 = a, xmm2 = b, xmm3 = c, MXCSR = mx; xmm1 = (a op1 b) op2 c. */
#define PAIR(fn, op1, op2) \
    static struct res fn(const v128 *a, const v128 *b, const v128 *c, uint32_t mx) \
    { \
        struct res o; \
        __asm__ volatile("ldmxcsr %[m]\n\t" "movdqu %[vb], %%xmm2\n\t" \
                         "movdqu %[vc], %%xmm3\n\t" "movdqu %[va], %%xmm1\n\t" \
                         op1 " %%xmm2, %%xmm1\n\t" op2 " %%xmm3, %%xmm1\n\t" \
                         "stmxcsr %[st]\n\t" "movdqu %%xmm1, %[r]" \
                         : [st] "=m"(o.mx), [r] "=m"(o.r) \
                         : [m] "m"(mx), [va] "m"(*a), [vb] "m"(*b), [vc] "m"(*c) \
                         : "xmm1", "xmm2", "xmm3", "memory"); \
        return o; \
    }

/* The same with the first op's input not loaded right before it (its
 * store to the register file kept), and a second pair behind the first
 * (the next mul reads the add's result). */
#define PAIR2(fn, op1, op2) \
    static struct res fn(const v128 *a, const v128 *b, const v128 *c, uint32_t mx) \
    { \
        struct res o; \
        __asm__ volatile("ldmxcsr %[m]\n\t" "movdqu %[va], %%xmm1\n\t" \
                         "movdqu %[vb], %%xmm2\n\t" "movdqu %[vc], %%xmm3\n\t" \
                         op1 " %%xmm2, %%xmm1\n\t" op2 " %%xmm3, %%xmm1\n\t" \
                         op1 " %%xmm2, %%xmm1\n\t" op2 " %%xmm2, %%xmm1\n\t" \
                         "stmxcsr %[st]\n\t" "movdqu %%xmm1, %[r]" \
                         : [st] "=m"(o.mx), [r] "=m"(o.r) \
                         : [m] "m"(mx), [va] "m"(*a), [vb] "m"(*b), [vc] "m"(*c) \
                         : "xmm1", "xmm2", "xmm3", "memory"); \
        return o; \
    }

PAIR(mulpd_addpd, "mulpd", "addpd")
PAIR(mulpd_subpd, "mulpd", "subpd")
PAIR(divpd_addpd, "divpd", "addpd")
PAIR(divpd_subpd, "divpd", "subpd")
PAIR(mulps_addps, "mulps", "addps")
PAIR(divps_subps, "divps", "subps")
PAIR2(mulpd_addpd2, "mulpd", "addpd")
PAIR2(mulps_subps2, "mulps", "subps")
PAIR2(divpd_subpd2, "divpd", "subpd")

static const struct {
    const char *name;
    struct res (*fn)(const v128 *, const v128 *, const v128 *, uint32_t);
    int single;
} ops[] = {
    { "mulpd_addpd", mulpd_addpd, 0 }, { "mulpd_subpd", mulpd_subpd, 0 },
    { "divpd_addpd", divpd_addpd, 0 }, { "divpd_subpd", divpd_subpd, 0 },
    { "mulps_addps", mulps_addps, 1 }, { "divps_subps", divps_subps, 1 },
    { "mulpd_addpd2", mulpd_addpd2, 0 }, { "mulps_subps2", mulps_subps2, 1 },
    { "divpd_subpd2", divpd_subpd2, 0 },
};

/* Operand k in lane 0; the other lanes hold operand k + shift. */
static v128 operand(int k, int single, int shift)
{
    v128 v;
    int k2 = (k + shift) % NV;
    if (single) {
        v.q[0] = (uint64_t)fvals[k2] << 32 | fvals[k];
        v.q[1] = (uint64_t)fvals[(k2 + 1) % NV] << 32 | fvals[k2];
    } else {
        v.q[0] = dvals[k];
        v.q[1] = dvals[k2];
    }
    return v;
}

/* MXCSR: default, flags already set (PE, UE|PE, IE|DE), FTZ|DAZ. */
static const uint32_t modes[] = { 0x1f80, 0x1fa0, 0x1fb0, 0x1f83, 0x9fc0 };

/* c[j] += a * b[j] over n pairs of doubles, a invariant (matmul's loop),
 * entered at its start by a jump (so that even its first pass runs the
 * loop's own block, whose test of a the AArch64 backend builds before the
 * loop entry). */
static uint32_t axpy(double *c, const double *b, double a, int n)
{
    uint32_t mx;
    __asm__ volatile("ldmxcsr %[m]\n\t"
                     "movddup %[a], %%xmm1\n\t"
                     "xor %%eax, %%eax\n\t"
                     "jmp 1f\n"
                     "1:\n\t"
                     "movupd (%[b],%%rax), %%xmm0\n\t"
                     "movupd (%[c],%%rax), %%xmm5\n\t"
                     "mulpd %%xmm1, %%xmm0\n\t"
                     "addpd %%xmm5, %%xmm0\n\t"
                     "movups %%xmm0, (%[c],%%rax)\n\t"
                     "add $16, %%rax\n\t"
                     "cmp %[end], %%rax\n\t"
                     "jne 1b\n\t"
                     "stmxcsr %[st]"
                     : [st] "=m"(mx)
                     : [m] "m"(modes[0]), [a] "m"(a), [b] "r"(b), [c] "r"(c),
                       [end] "r"((long)n * 8)
                     : "rax", "xmm0", "xmm1", "xmm5", "memory");
    return mx;
}

/* With b and c all special values (plain 0) or all normal (plain 1): a
 * denormal a then makes the only DE; plain 2: a = 2^60 and one denormal
 * b[j] (a normal product: b's own test makes the only DE). */
static void loops(int plain)
{
    static double b[64], c[64];
    for (int pass = 0; pass < NV; pass++) {
        double a;
        __builtin_memcpy(&a, &dvals[pass], 8);
        if (plain == 2)
            a = 0x1p60;
        for (int j = 0; j < 64; j++) {
            __builtin_memcpy(&b[j], &dvals[(j * 7 + pass) % NV], 8);
            if (plain)
                b[j] = 0x1p60 * (1.0 + j / 8.0);    /* a denormal a: normal products */
            c[j] = j == 40 ? 0.0 : 1.0 / (j + 1);
        }
        if (!plain)
            b[50] = 1.0;            /* a NaN/denormal lane late in the loop */
        if (plain == 2)
            __builtin_memcpy(&b[pass * 4 + 1], &dvals[pass % 2 ? 3 : 14], 8);
        uint32_t mx = axpy(c, b, a, 64);
        unsigned long long sum = 0;
        for (int j = 0; j < 64; j++) {
            uint64_t q;
            __builtin_memcpy(&q, &c[j], 8);
            sum = sum * 1000003u + q;
        }
        printf("loop %d %2d: %04x %016llx\n", plain, pass, mx & 0x3f, sum);
    }
}

int main(void)
{
    for (size_t n = 0; n < sizeof ops / sizeof ops[0]; n++)
        for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++)
            for (int i = 0; i < NV; i++)
                for (int j = 0; j < NV; j++) {
                    v128 a = operand(i, ops[n].single, 0), b = operand(j, ops[n].single, 5);
                    printf("%s %04x %2d %2d:", ops[n].name, modes[m], i, j);
                    for (int k = 0; k < NV; k += m ? 2 : 1) {
                        v128 c = operand(k, ops[n].single, 3);
                        struct res o = ops[n].fn(&a, &b, &c, modes[m]);
                        printf(" %02x/%llx.%llx", o.mx & 0x3f, (unsigned long long)o.r.q[1],
                               (unsigned long long)o.r.q[0]);
                    }
                    printf("\n");
                }
    loops(0);
    loops(1);
    loops(2);
    return 0;
}
