/* flags_cf_over.c -- CF writers that keep the other flags (bt bts btr btc,
 * clc stc cmc) at a block entered with the flag state unknown: an
 * indirect jump after a producer, so the translator does not know which
 * operation set the flags.  ferry then records "the older lazy state with
 * CF replaced" (x86_flags_set_cf, X86_CC_CF_OVER) instead of evaluating
 * the older flags; the flags are read every way that state can be met:
 * pushf and all sixteen setcc in the same block, a jcc in the same block
 * (cc1's and busybox's `bt; jb`), pushf and the sixteen jcc at the start
 * of the next block (the C evaluation of the state in env), a second CF
 * writer over the first in the same block and in the next one, and an
 * imul that keeps S Z A P (AMD) after it.  Producers of every lazy kind
 * before the indirect jump; boundary and pseudo-random operands.
 * Output: a hash per producer, vs native. */
#include <stdint.h>
#include <stdio.h>

#include "flag_probe.h"

/* `bt; jb` ending the block, then pushf on each path (the state leaves
 * through both chained exits). */
#define BTJB(PRE, BT)                                                            \
    __asm__ volatile("mov %[a0], %[a]\n\t" PRE BT "\n\tjb 2f\n\t"                 \
                     "pushfq\n\tpop %[fl]\n\tjmp 3f\n2:\tpushfq\n\tpop %[fl]\n\t"  \
                     "or $0x10000, %[fl]\n3:"                                   \
                     : OUTS : INS : "cc", "memory", "xmm0", "xmm1");                             \
    mix(fl & 0x108d5)

#define BODIES(PRE)                                                              \
    PUSHF(PRE, "bt %[n], %[a]");                                                 \
    SETCC(PRE, "bt %[n], %[a]");                                                 \
    PUSHF(PRE, "bts %[n], %[a]\n\tjmp 1f\n1:");                                  \
    JALL(PRE, "bt %[n], %[a]");                                                  \
    JALL(PRE, "btr %k[n], %k[a]");                                                \
    PUSHF(PRE, "bt %[n], %[a]\n\tbtc $5, %[a]");                                 \
    PUSHF(PRE, "btc %w[n], %w[a]\n\tjmp 1f\n1:\tbt $3, %[a]");                    \
    SETCC(PRE, "bt %[n], %[a]\n\tjmp 1f\n1:\tbts $63, %[a]");                    \
    PUSHF(PRE, "bt %[n], %[a]\n\timul %[b], %[a]");                              \
    BTJB(PRE, "bt %[n], %[a]");                                                  \
    BTJB(PRE, "bt $0, %[a]");                                                    \
    PUSHF(PRE, "clc"); PUSHF(PRE, "stc"); PUSHF(PRE, "cmc");                     \
    SETCC(PRE, "stc\n\tjmp 1f\n1:\tcmc");                                        \
    JALL(PRE, "cmc");                                                            \
    PUSHF(PRE, "clc\n\tjmp 1f\n1:\tcmc\n\tbt %[n], %[a]")

#define PRODUCER(NAME, OP)                                                       \
    static void NAME(uint64_t a0, uint64_t b)                                    \
    {                                                                            \
        uint8_t out[16];                                                         \
        uint64_t t, j, fl, n = b ^ (a0 >> 7);                                    \
        BODIES("bt $1, %[b]\n\t" OP "\n\t" IND);                                 \
    }

FLAG_PRODUCERS(PRODUCER)

static const struct { const char *name; void (*fn)(uint64_t, uint64_t); } producers[] = {
    FLAG_PRODUCERS(FLAG_PRODUCER_ROW)
};

#define N_EDGES (sizeof edges / sizeof edges[0])

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t next_random(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t v = rng ^ (rng >> 29);
    return (v >> 60) & 1 ? v >> (v & 63) : v;   /* some small values too */
}

int main(void)
{
    for (unsigned k = 0; k < sizeof producers / sizeof producers[0]; k++) {
        hash = 14695981039346656037ull;
        for (unsigned i = 0; i < N_EDGES; i++)
            for (unsigned j = 0; j < N_EDGES; j++)
                producers[k].fn(edges[i], edges[j]);
        for (int n = 0; n < 200; n++) {
            uint64_t a = next_random();
            producers[k].fn(a, next_random());
        }
        printf("%-8s %016llx\n", producers[k].name, (unsigned long long)hash);
    }
    return 0;
}
