/* flag_probe.h -- what the lazy-flag tests (flags_cf_over.c,
 * flags_incdec_over.c) share: a running FNV-1a hash of everything read,
 * and asm wrappers that run PRE (a producer, then usually IND: an
 * indirect jump, so the next block starts with the flag state unknown)
 * and BODY, then read the flags by pushf, all sixteen setcc, or the
 * sixteen jcc at the start of the next block.  The including test
 * declares t, j, fl, a0, b, n and out (uint8_t[16]) where it uses them. */
#include <stdint.h>

static uint64_t hash = 14695981039346656037ull;

static void mix(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        hash ^= (v >> (i * 8)) & 0xff;
        hash *= 1099511628211ull;
    }
}

static void mix_bytes(const uint8_t *out)
{
    for (int i = 0; i < 16; i++) mix(out[i]);
}

#define SET16 \
    "seto 0(%[p])\n\tsetno 1(%[p])\n\tsetb 2(%[p])\n\tsetae 3(%[p])\n\t"          \
    "sete 4(%[p])\n\tsetne 5(%[p])\n\tsetbe 6(%[p])\n\tseta 7(%[p])\n\t"          \
    "sets 8(%[p])\n\tsetns 9(%[p])\n\tsetp 10(%[p])\n\tsetnp 11(%[p])\n\t"        \
    "setl 12(%[p])\n\tsetge 13(%[p])\n\tsetle 14(%[p])\n\tsetg 15(%[p])\n\t"

/* Leaves the block through an indirect jump: the next one starts with the
 * flag state unknown (no chained-exit fact). */
#define IND "lea 7f(%%rip), %[j]\n\tjmp *%[j]\n7:\t"

#define OUTS [a] "=&r"(t), [j] "=&r"(j), [fl] "=&r"(fl)
#define INS [a0] "r"(a0), [b] "c"(b), [n] "r"(n), [p] "r"(out)

/* Flags after PRE (the producer, an indirect jump) then BODY, by pushf. */
#define PUSHF(PRE, BODY)                                                         \
    __asm__ volatile("mov %[a0], %[a]\n\t" PRE BODY "\n\tpushfq\n\tpop %[fl]"     \
                     : OUTS : INS : "cc", "memory", "xmm0", "xmm1");                             \
    mix(fl & 0x8d5); mix(t)

#define SETCC(PRE, BODY)                                                         \
    __asm__ volatile("mov %[a0], %[a]\n\t" PRE BODY "\n\t" SET16                  \
                     : OUTS : INS : "cc", "memory", "xmm0", "xmm1");                             \
    mix_bytes(out)

/* jcc CC at the start of the block after BODY: out[I] = taken. */
#define JNEXT(PRE, BODY, CC, I)                                                  \
    __asm__ volatile("mov %[a0], %[a]\n\t" PRE BODY "\n\tjmp 1f\n1:\tj" CC " 2f\n\t" \
                     "movb $0, " #I "(%[p])\n\tjmp 3f\n2:\tmovb $1, " #I "(%[p])\n3:" \
                     : OUTS : INS : "cc", "memory", "xmm0", "xmm1")

#define JALL(PRE, BODY)                                                          \
    JNEXT(PRE, BODY, "o", 0); JNEXT(PRE, BODY, "no", 1); JNEXT(PRE, BODY, "b", 2);  \
    JNEXT(PRE, BODY, "ae", 3); JNEXT(PRE, BODY, "e", 4); JNEXT(PRE, BODY, "ne", 5); \
    JNEXT(PRE, BODY, "be", 6); JNEXT(PRE, BODY, "a", 7); JNEXT(PRE, BODY, "s", 8);  \
    JNEXT(PRE, BODY, "ns", 9); JNEXT(PRE, BODY, "p", 10); JNEXT(PRE, BODY, "np", 11); \
    JNEXT(PRE, BODY, "l", 12); JNEXT(PRE, BODY, "ge", 13); JNEXT(PRE, BODY, "le", 14); \
    JNEXT(PRE, BODY, "g", 15); mix_bytes(out)

/* The producers both tests run before the indirect jump, one per lazy
 * kind at several widths: FLAG_PRODUCERS(P) expands P(name, asm) for
 * each (the test's own P defines the function name); FLAG_PRODUCER_ROW
 * makes the { "name", name } table rows. */
#define FLAG_PRODUCERS(P)                                                        \
    P(add_b, "add %b[b], %b[a]") P(add_q, "add %[b], %[a]")                      \
    P(sub_w, "sub %w[b], %w[a]") P(sub_l, "sub %k[b], %k[a]")                    \
    P(cmp_q, "cmp %[b], %[a]") P(and_l, "and %k[b], %k[a]")                      \
    P(test_b, "test %b[b], %b[a]") P(inc_q, "inc %[a]") P(inc_b, "inc %b[a]")    \
    P(dec_l, "dec %k[a]") P(neg_w, "neg %w[a]") P(adc_q, "adc %[b], %[a]")       \
    P(sbb_l, "sbb %k[b], %k[a]") P(shl_q, "shl $3, %[a]")                        \
    P(shr_l, "shr %%cl, %k[a]") P(sar_b, "sar $1, %b[a]")                        \
    P(imul_q, "imul %[b], %[a]") P(bsf_q, "bsf %[b], %[a]")                      \
    P(tzcnt_l, "tzcnt %k[b], %k[a]") P(popcnt_q, "popcnt %[b], %[a]")            \
    P(blsr_q, "blsr %[b], %[a]")                                                 \
    P(ucomisd, "movq %[b], %%xmm0\n\tmovq %[a], %%xmm1\n\tucomisd %%xmm0, %%xmm1") \
    P(bt_q, "bt %[b], %[a]")
#define FLAG_PRODUCER_ROW(NAME, OP) { #NAME, NAME },

/* Operands at every width's boundaries. */
static const uint64_t edges[] = {
    0, 1, 2, 0xf, 0x10, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
    0x80000000, 0xffffffff, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff,
};
