/* bitcount.c -- difftest of popcnt, lzcnt and tzcnt (ferry advertises
 * POPCNT and ABM/LZCNT; tzcnt is `rep bsf`, which this CPU, like every
 * BMI1 CPU, executes as tzcnt) at 16, 32 and 64 bits, register and memory
 * sources, with all arithmetic flags: popcnt defines them all (ZF, the
 * rest cleared); lzcnt/tzcnt define CF and ZF and leave OF SF AF PF
 * undefined, so those are masked. */
#include "insn.h"
#include "ud_case.h"

#define F_CNT_DEFINED (F_CF | F_ZF)

#define UNARY(FN, INSN, M, MASK)                                              \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned f = 0; f < 2; f++) {                                \
                uint64_t s = insn_value(i), m = s, d = 0x5555555555555555ull;  \
                uint64_t d2 = d, fl = insn_flags_in[f] | F_BASE, fl2 = fl;     \
                __asm__ volatile("push %[fl]\n\tpopfq\n\t"                    \
                                 INSN " %" M "[s], %" M "[d]\n\t"             \
                                 "pushfq\n\tpop %[fl]\n\t"                    \
                                 "push %[fl2]\n\tpopfq\n\t"                   \
                                 INSN " %[m], %" M "[d2]\n\t"                 \
                                 "pushfq\n\tpop %[fl2]"                       \
                                 : [d] "+r"(d), [fl] "+r"(fl), [d2] "+r"(d2), \
                                   [fl2] "+r"(fl2)                            \
                                 : [s] "r"(s), [m] "m"(m) : "cc");            \
                uint64_t in[] = { s, insn_flags_in[f] };                      \
                uint64_t out[] = { d, fl & (MASK), d2, fl2 & (MASK) };        \
                INSN_CASE(INSN, in, out);                                     \
            }                                                                 \
    }

UNARY(popcnt16, "popcntw", "w", F_ARITH)
UNARY(popcnt32, "popcntl", "k", F_ARITH)
UNARY(popcnt64, "popcntq", "q", F_ARITH)
UNARY(lzcnt16, "lzcntw", "w", F_CNT_DEFINED)
UNARY(lzcnt32, "lzcntl", "k", F_CNT_DEFINED)
UNARY(lzcnt64, "lzcntq", "q", F_CNT_DEFINED)
UNARY(tzcnt16, "tzcntw", "w", F_CNT_DEFINED)
UNARY(tzcnt32, "tzcntl", "k", F_CNT_DEFINED)
UNARY(tzcnt64, "tzcntq", "q", F_CNT_DEFINED)

/* A CPU without POPCNT runs only the refusals (ud_main). */
UD_TEST_MAIN(bitcount_ud, "cpuid popcnt",
             ud_cpuid_bit(1, 0, 2, 23),
             UD_CASE("popcnt", "0xf3, 0x0f, 0xb8, 0xc2");)
