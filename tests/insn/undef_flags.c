/* undef_flags.c -- the flags the SDM leaves undefined, as the native CPU
 * sets them: outside test programs print EFLAGS after every instruction
 * unmasked and compare with a native run, so ferry follows the CPU here
 * too (the other files mask these bits).  AMD and Intel differ in nearly
 * all of them (ferry's x86_machine(); docs/status.md, session 18); on AMD
 * EPYC, family 26:
 *  - div/idiv at 8/16/32/64 bits: AF set, SF ZF PF clear, CF OF kept
 *    (Intel keeps all six);
 *  - 16-bit shld/shrd by 16..31 (the result is dst:src:src resp.
 *    src:src:dst shifted; Intel: dst:src:dst): CF the last bit out at 16
 *    and 0 above, shld's OF = CF, shrd's OF = bit 15 ^ bit 14 of the result;
 *  - shifts and rotates by every masked count (AF, OF for counts > 1, CF
 *    of shl/shr past the width), imul/mul's SF ZF AF PF, bsf/bsr/bt*'s
 *    arithmetic flags, 32/64-bit shld/shrd: a small unmasked sweep;
 *  - rotates and shifts by an immediate count other than 1 (Intel keeps
 *    OF after rol/ror by one, computes it after rol/ror by CL), BMI1's
 *    PF AF, lzcnt/tzcnt's OF (Intel and AMD differ in all of these).
 * Each case runs from both flag states (all arithmetic flags clear / set). */
#include "insn.h"

/* every value with a stride: the full sweeps live in shift.c / muldiv.c */
#define STRIDE 3

#define WMASK(BITS) ((BITS) == 64 ? ~0ull : (1ull << ((BITS) & 63)) - 1)

/* div/idiv %s with rdx:rax prepared so that the quotient fits */
#define DIVIDE(FN, INSN, M, BITS, SIGNED)                                     \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i += STRIDE)                   \
            for (unsigned j = 0; j < INSN_NVALUES; j += STRIDE)               \
                for (unsigned f = 0; f < 2; f++) {                            \
                    uint64_t a = insn_value(i), s = insn_value(j) | 1, d;     \
                    uint64_t fl = insn_flags_in[f] | F_BASE;                  \
                    if (BITS == 8) a &= 0xff;    /* ah = 0: fits */           \
                    if (BITS == 8 && SIGNED) a = (uint64_t)(int8_t)a & 0xffff;\
                    d = SIGNED && (int64_t)(a << (64 - (BITS == 8 ? 16 : BITS))) < 0 \
                        ? ~0ull : 0;                                          \
                    if (SIGNED && (s & WMASK(BITS)) == WMASK(BITS) &&         \
                        (a & WMASK(BITS)) == 1ull << (BITS - 1))              \
                        continue;           /* MIN / -1: #DE */               \
                    __asm__ volatile(INSN_FLAGS(INSN " %" M "[s]")            \
                                     : "+a"(a), "+d"(d), [fl] "+r"(fl)        \
                                     : [s] "r"(s) : "cc");                    \
                    uint64_t in[] = { insn_value(i), s, insn_flags_in[f] };   \
                    uint64_t out[] = { a, d, fl & F_ARITH };                  \
                    INSN_CASE(INSN, in, out);                                 \
                }                                                             \
    }

DIVIDE(div_b, "divb", "b", 8, 0)
DIVIDE(div_w, "divw", "w", 16, 0)
DIVIDE(div_l, "divl", "k", 32, 0)
DIVIDE(div_q, "divq", "q", 64, 0)
DIVIDE(idiv_b, "idivb", "b", 8, 1)
DIVIDE(idiv_w, "idivw", "w", 16, 1)
DIVIDE(idiv_l, "idivl", "k", 32, 1)
DIVIDE(idiv_q, "idivq", "q", 64, 1)

static const unsigned counts[] = { 0, 1, 2, 7, 8, 9, 15, 16, 17, 18, 24, 31, 32, 33, 63, 64, 65 };
#define NCOUNTS (sizeof counts / sizeof counts[0])

/* op %cl, %s, %d */
#define DOUBLE(FN, INSN, M)                                                   \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i += STRIDE)                   \
            for (unsigned j = 1; j < INSN_NVALUES; j += 2 * STRIDE)           \
                for (unsigned n = 0; n < NCOUNTS; n++)                        \
                    for (unsigned f = 0; f < 2; f++) {                        \
                        uint64_t d = insn_value(i), s = insn_value(j);        \
                        uint64_t c = counts[n], fl = insn_flags_in[f] | F_BASE; \
                        __asm__ volatile(INSN_FLAGS(                          \
                                         INSN " %%cl, %" M "[s], %" M "[d]")  \
                                         : [d] "+r"(d), [fl] "+r"(fl)         \
                                         : [s] "r"(s), "c"(c) : "cc");        \
                        uint64_t in[] = { insn_value(i), s, c, insn_flags_in[f] }; \
                        uint64_t out[] = { d, fl & F_ARITH };                 \
                        INSN_CASE(INSN, in, out);                             \
                    }                                                         \
    }

DOUBLE(shld_w, "shldw", "w")
DOUBLE(shrd_w, "shrdw", "w")
DOUBLE(shld_l, "shldl", "k")
DOUBLE(shrd_q, "shrdq", "q")

/* op %cl, %d */
#define SHIFT(FN, INSN, M)                                                    \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i += STRIDE)                   \
            for (unsigned n = 0; n < NCOUNTS; n++)                            \
                for (unsigned f = 0; f < 2; f++) {                            \
                    uint64_t d = insn_value(i), c = counts[n];                \
                    uint64_t fl = insn_flags_in[f] | F_BASE;                  \
                    __asm__ volatile(INSN_FLAGS(INSN " %%cl, %" M "[d]")      \
                                     : [d] "+r"(d), [fl] "+r"(fl)             \
                                     : "c"(c) : "cc");                        \
                    uint64_t in[] = { insn_value(i), c, insn_flags_in[f] };   \
                    uint64_t out[] = { d, fl & F_ARITH };                     \
                    INSN_CASE(INSN, in, out);                                 \
                }                                                             \
    }

SHIFT(shl_b, "shlb", "b")
SHIFT(shr_w, "shrw", "w")
SHIFT(sar_l, "sarl", "k")
SHIFT(rol_q, "rolq", "q")
SHIFT(ror_b, "rorb", "b")
SHIFT(rcl_w, "rclw", "w")
SHIFT(rcr_b, "rcrb", "b")

/* op %s, %d */
#define BINARY(FN, INSN, M)                                                   \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i += STRIDE)                   \
            for (unsigned j = 0; j < INSN_NVALUES; j += STRIDE)               \
                for (unsigned f = 0; f < 2; f++) {                            \
                    uint64_t d = insn_value(i), s = insn_value(j);            \
                    uint64_t fl = insn_flags_in[f] | F_BASE;                  \
                    __asm__ volatile(INSN_FLAGS(INSN " %" M "[s], %" M "[d]") \
                                     : [d] "+r"(d), [fl] "+r"(fl)             \
                                     : [s] "r"(s) : "cc");                    \
                    uint64_t in[] = { insn_value(i), s, insn_flags_in[f] };   \
                    uint64_t out[] = { d, fl & F_ARITH };                     \
                    INSN_CASE(INSN, in, out);                                 \
                }                                                             \
    }

BINARY(imul_w, "imulw", "w")
BINARY(imul_q, "imulq", "q")
BINARY(bsf_l, "bsfl", "k")
BINARY(bsr_q, "bsrq", "q")
BINARY(bt_w, "btw", "w")
BINARY(btc_l, "btcl", "k")
BINARY(and_b, "andb", "b")

/* mul %s: SF ZF AF PF */
#define MUL1(FN, INSN, M)                                                     \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i += STRIDE)                   \
            for (unsigned j = 0; j < INSN_NVALUES; j += STRIDE)               \
                for (unsigned f = 0; f < 2; f++) {                            \
                    uint64_t a = insn_value(i), s = insn_value(j), d = 0;     \
                    uint64_t fl = insn_flags_in[f] | F_BASE;                  \
                    __asm__ volatile(INSN_FLAGS(INSN " %" M "[s]")            \
                                     : "+a"(a), "+d"(d), [fl] "+r"(fl)        \
                                     : [s] "r"(s) : "cc");                    \
                    uint64_t in[] = { insn_value(i), s, insn_flags_in[f] };   \
                    uint64_t out[] = { a, d, fl & F_ARITH };                  \
                    INSN_CASE(INSN, in, out);                                 \
                }                                                             \
    }

MUL1(mul_b, "mulb", "b")
MUL1(mul_l, "mull", "k")
MUL1(imul1_q, "imulq", "q")

/* op $IMM, %d */
#define SHIFT_IMM(FN, INSN, M, IMM)                                           \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned f = 0; f < 2; f++) {                                \
                uint64_t d = insn_value(i), fl = insn_flags_in[f] | F_BASE;   \
                __asm__ volatile(INSN_FLAGS(INSN " $" IMM ", %" M "[d]")      \
                                 : [d] "+r"(d), [fl] "+r"(fl) : : "cc");      \
                uint64_t in[] = { insn_value(i), insn_flags_in[f] };          \
                uint64_t out[] = { d, fl & F_ARITH };                         \
                INSN_CASE(INSN " $" IMM, in, out);                            \
            }                                                                 \
    }

SHIFT_IMM(rol_b3, "rolb", "b", "3")
SHIFT_IMM(ror_q5, "rorq", "q", "5")
SHIFT_IMM(rol_w1, "rolw", "w", "1")
SHIFT_IMM(rcl_w3, "rclw", "w", "3")
SHIFT_IMM(rcr_l9, "rcrl", "k", "9")
SHIFT_IMM(shl_l3, "shll", "k", "3")
SHIFT_IMM(shr_b5, "shrb", "b", "5")

/* BMI1 op %s2, %s1, %d (andn: d = ~s1 & s2; bextr/bzhi: s2 the control) */
#define VEX3(FN, INSN, M)                                                     \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i += STRIDE)                   \
            for (unsigned j = 0; j < INSN_NVALUES; j += STRIDE)               \
                for (unsigned f = 0; f < 2; f++) {                            \
                    uint64_t a = insn_value(i), b = insn_value(j), d;         \
                    uint64_t fl = insn_flags_in[f] | F_BASE;                  \
                    __asm__ volatile(INSN_FLAGS(INSN " %" M "[b], %" M "[a], %" M "[d]") \
                                     : [d] "=&r"(d), [fl] "+r"(fl)            \
                                     : [a] "r"(a), [b] "r"(b) : "cc");        \
                    uint64_t in[] = { a, b, insn_flags_in[f] };               \
                    uint64_t out[] = { d, fl & F_ARITH };                     \
                    INSN_CASE(INSN, in, out);                                 \
                }                                                             \
    }

VEX3(andn_q, "andnq", "q")
VEX3(bextr_l, "bextrl", "k")
VEX3(bzhi_q, "bzhiq", "q")
BINARY(blsi_l, "blsil", "k")
BINARY(blsr_q, "blsrq", "q")
BINARY(blsmsk_q, "blsmskq", "q")
BINARY(lzcnt_w, "lzcntw", "w")
BINARY(tzcnt_q, "tzcntq", "q")
BINARY(popcnt_l, "popcntl", "k")

/* lzcnt/tzcnt with the older flags from a compare in the block before
 * (OF set by INT64_MIN - 1, clear by 0 - 0), which ends in a jo to them:
 * AMD keeps the older OF (the jo's block must leave its flags), Intel
 * clears it (they are dead there: ferry's jo then stores none,
 * x86_translate.c machine_fclass). */
#define AFTER_JCC(FN, INSN, M)                                                \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned j = 0; j < INSN_NVALUES; j += STRIDE)                   \
            for (unsigned f = 0; f < 2; f++) {                                \
                uint64_t x = f ? 1ull << 63 : 0, y = f, d = 0, s = insn_value(j), fl; \
                __asm__ volatile("cmp %[y], %[x]\n\tjo 1f\n1:\t"              \
                                 INSN " %" M "[s], %" M "[d]\n\tpushfq\n\tpop %[fl]" \
                                 : [d] "+r"(d), [fl] "=r"(fl)                 \
                                 : [x] "r"(x), [y] "r"(y), [s] "r"(s) : "cc"); \
                uint64_t in[] = { s, f };                                     \
                uint64_t out[] = { d, fl & F_ARITH };                         \
                INSN_CASE(#FN, in, out);                                      \
            }                                                                 \
    }

AFTER_JCC(tzcnt_after_jo, "tzcntq", "q")
AFTER_JCC(lzcnt_after_jo, "lzcntl", "k")

int main(void)
{
    return insn_main();
}
