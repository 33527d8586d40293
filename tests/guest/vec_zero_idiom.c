/* vec_zero_idiom.c -- the zeroing idioms compilers emit on XMM registers
 * (pxor, xorps, xorpd, psub*, psubs*, psubus*, pandn, pcmpgt* of a register
 * with itself; the AArch64 backend builds their zero without loading the
 * register), on registers holding nonzero patterns: the register
 * afterwards, the next op that reads it, and pcmpeq / por / pand of a
 * register with itself (not zero: must be left to the usual code), each
 * once in a straight block and in a loop that also accumulates. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct { uint64_t q[2]; } v128;

static const v128 pats[] = {
    { { 0x0123456789abcdefull, 0xfedcba9876543210ull } },
    { { 0xffffffffffffffffull, 0x8000000000000001ull } },
    { { 0x7f7f7f7f80808080ull, 0x0000000100000000ull } },
};

/* xmm0 = pattern; the idiom on xmm0; xmm1 = pattern + xmm0 (paddq); xmm0
 * also as fxsave stores it (from the guest state, not a host register). */
#define IDIOM(fn, insn) \
    static void fn(const v128 *p, v128 *z, v128 *s, v128 *f) \
    { \
        struct { _Alignas(16) unsigned char b[512]; } fx; \
        __asm__ volatile("movdqu %[p], %%xmm0\n\t" "movdqu %[p], %%xmm1\n\t" \
                         insn " %%xmm0, %%xmm0\n\t" "paddq %%xmm0, %%xmm1\n\t" \
                         "fxsave %[fx]\n\t" \
                         "movdqu %%xmm0, %[z]\n\t" "movdqu %%xmm1, %[s]" \
                         : [z] "=m"(*z), [s] "=m"(*s), [fx] "=m"(fx) : [p] "m"(*p) \
                         : "xmm0", "xmm1", "memory"); \
        memcpy(f, fx.b + 160, 16); \
    }

IDIOM(i_pxor, "pxor")
IDIOM(i_xorps, "xorps")
IDIOM(i_xorpd, "xorpd")
IDIOM(i_psubb, "psubb")
IDIOM(i_psubw, "psubw")
IDIOM(i_psubd, "psubd")
IDIOM(i_psubq, "psubq")
IDIOM(i_psubsb, "psubsb")
IDIOM(i_psubusw, "psubusw")
IDIOM(i_pandn, "pandn")
IDIOM(i_andnps, "andnps")
IDIOM(i_pcmpgtb, "pcmpgtb")
IDIOM(i_pcmpgtd, "pcmpgtd")
IDIOM(i_pcmpgtq, "pcmpgtq")
IDIOM(i_pcmpeqb, "pcmpeqb")
IDIOM(i_por, "por")
IDIOM(i_pand, "pand")
IDIOM(i_paddb, "paddb")

static const struct {
    const char *name;
    void (*fn)(const v128 *, v128 *, v128 *, v128 *);
} idioms[] = {
    { "pxor", i_pxor }, { "xorps", i_xorps }, { "xorpd", i_xorpd }, { "psubb", i_psubb },
    { "psubw", i_psubw }, { "psubd", i_psubd }, { "psubq", i_psubq }, { "psubsb", i_psubsb },
    { "psubusw", i_psubusw }, { "pandn", i_pandn }, { "andnps", i_andnps },
    { "pcmpgtb", i_pcmpgtb }, { "pcmpgtd", i_pcmpgtd }, { "pcmpgtq", i_pcmpgtq },
    { "pcmpeqb", i_pcmpeqb }, { "por", i_por }, { "pand", i_pand }, { "paddb", i_paddb },
};

/* A loop as compilers write it: xmm2 zeroed every pass, then an int
 * converted into its low lane and added to a sum (cvtsi2sd's false
 * dependency broken by pxor); xmm2's upper lane must stay zero. */
static void loop(int n, v128 *last, double *sum)
{
    double s = 0;
    __asm__ volatile("pcmpeqd %%xmm2, %%xmm2\n\t" "xorpd %%xmm1, %%xmm1\n\t"
                     "mov $1, %%eax\n"
                     "1:\n\t" "pxor %%xmm2, %%xmm2\n\t" "cvtsi2sd %%eax, %%xmm2\n\t"
                     "addsd %%xmm2, %%xmm1\n\t" "add $1, %%eax\n\t" "cmp %[n], %%eax\n\t"
                     "jle 1b\n\t" "movdqu %%xmm2, %[last]\n\t" "movsd %%xmm1, %[s]"
                     : [last] "=m"(*last), [s] "=m"(s) : [n] "r"(n)
                     : "xmm1", "xmm2", "rax", "cc", "memory");
    *sum = s;
}

int main(void)
{
    for (size_t n = 0; n < sizeof idioms / sizeof idioms[0]; n++)
        for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++) {
            v128 z, s, f;
            idioms[n].fn(&pats[k], &z, &s, &f);
            printf("%-8s %zu: %016llx%016llx %016llx%016llx %016llx%016llx\n", idioms[n].name,
                   k, (unsigned long long)z.q[1], (unsigned long long)z.q[0],
                   (unsigned long long)s.q[1], (unsigned long long)s.q[0],
                   (unsigned long long)f.q[1], (unsigned long long)f.q[0]);
        }
    v128 last;
    double sum;
    loop(100000, &last, &sum);
    printf("loop: %016llx%016llx %.17g\n", (unsigned long long)last.q[1],
           (unsigned long long)last.q[0], sum);
    return 0;
}
