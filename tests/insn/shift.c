/* shift.c -- difftest of shifts and rotates: shl shr sar rol ror rcl rcr at
 * 8/16/32/64 bits with counts in CL (0, 1, width-1, width, > width, and
 * values the CPU masks to 5 or 6 bits) and as immediates (the D1 "by 1"
 * encoding and imm8), and shld/shrd at 16/32/64 bits.
 * Undefined per the SDM, and masked (see flag_mask()): with a masked count
 * of 0 nothing changes (checked); otherwise AF is undefined for shifts, OF
 * is undefined unless the masked count is 1, and CF is undefined for SHL and
 * SHR when the count is >= the operand width (8/16-bit only). Rotates only
 * touch CF and OF, so the others must be preserved. For a 16-bit shld/shrd
 * with count > 16 both result and flags are undefined: such cases are
 * skipped. */
#include "insn.h"

enum kind { SHIFT_LEFT_RIGHT, SHIFT_ARITH, ROTATE, ROTATE_CARRY, DOUBLE };

static const unsigned counts[] = { 0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255 };
#define NCOUNTS (sizeof counts / sizeof counts[0])

static uint64_t flag_mask(enum kind k, unsigned width, unsigned count)
{
    unsigned c = count & (width == 64 ? 63 : 31);
    uint64_t m = F_ARITH;
    if (c == 0)
        return m;
    if (c != 1)
        m &= ~F_OF;
    if (k != ROTATE && k != ROTATE_CARRY)
        m &= ~F_AF;
    if (k == SHIFT_LEFT_RIGHT && c >= width)
        m &= ~F_CF;
    return m;
}

/* op %cl, %d */
#define SHIFT_CL(FN, INSN, M, WIDTH, KIND)                                    \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned n = 0; n < NCOUNTS; n++)                            \
                for (unsigned f = 0; f < 2; f++) {                            \
                    uint64_t d = insn_value(i), c = counts[n];                \
                    uint64_t fl = insn_flags_in[f] | F_BASE;                  \
                    __asm__ volatile(INSN_FLAGS(                              \
                                     INSN " %%cl, %" M "[d]")                 \
                                     : [d] "+r"(d), [fl] "+r"(fl)             \
                                     : "c"(c) : "cc");                        \
                    uint64_t in[] = { insn_value(i), c, insn_flags_in[f] };   \
                    uint64_t out[] = { d, fl & flag_mask(KIND, WIDTH, c) };   \
                    INSN_CASE(INSN " cl", in, out);                           \
                }                                                             \
    }

/* op $IMM, %d  (IMM 1 assembles to the D0/D1 "by one" forms) */
#define SHIFT_IMM(FN, INSN, IMM, M, WIDTH, KIND)                              \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned f = 0; f < 2; f++) {                                \
                uint64_t d = insn_value(i), fl = insn_flags_in[f] | F_BASE;   \
                __asm__ volatile(INSN_FLAGS(                                  \
                                 INSN " $" #IMM ", %" M "[d]")                \
                                 : [d] "+r"(d), [fl] "+r"(fl) : : "cc");      \
                uint64_t in[] = { insn_value(i), insn_flags_in[f] };          \
                uint64_t out[] = { d, fl & flag_mask(KIND, WIDTH, IMM) };     \
                INSN_CASE(INSN " $" #IMM, in, out);                           \
            }                                                                 \
    }

#define SHIFT_ALL(OP, KIND)                                                   \
    SHIFT_CL(OP##_b, #OP "b", "b", 8, KIND)                                   \
    SHIFT_CL(OP##_w, #OP "w", "w", 16, KIND)                                  \
    SHIFT_CL(OP##_l, #OP "l", "k", 32, KIND)                                  \
    SHIFT_CL(OP##_q, #OP "q", "q", 64, KIND)                                  \
    SHIFT_IMM(OP##_b1, #OP "b", 1, "b", 8, KIND)                              \
    SHIFT_IMM(OP##_w1, #OP "w", 1, "w", 16, KIND)                             \
    SHIFT_IMM(OP##_l1, #OP "l", 1, "k", 32, KIND)                             \
    SHIFT_IMM(OP##_q1, #OP "q", 1, "q", 64, KIND)                             \
    SHIFT_IMM(OP##_b5, #OP "b", 5, "b", 8, KIND)                              \
    SHIFT_IMM(OP##_w12, #OP "w", 12, "w", 16, KIND)                           \
    SHIFT_IMM(OP##_l31, #OP "l", 31, "k", 32, KIND)                           \
    SHIFT_IMM(OP##_q63, #OP "q", 63, "q", 64, KIND)                           \
    SHIFT_IMM(OP##_q33, #OP "q", 33, "q", 64, KIND)

SHIFT_ALL(shl, SHIFT_LEFT_RIGHT)
SHIFT_ALL(shr, SHIFT_LEFT_RIGHT)
SHIFT_ALL(sar, SHIFT_ARITH)
SHIFT_ALL(rol, ROTATE)
SHIFT_ALL(ror, ROTATE)
SHIFT_ALL(rcl, ROTATE_CARRY)
SHIFT_ALL(rcr, ROTATE_CARRY)

/* shld/shrd %cl, %s, %d */
#define DOUBLE_CL(FN, INSN, M, WIDTH)                                         \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned j = 0; j < INSN_NVALUES; j += 3)                    \
                for (unsigned n = 0; n < NCOUNTS; n++) {                      \
                    uint64_t d = insn_value(i), s = insn_value(j);            \
                    uint64_t c = counts[n], fl = F_ARITH | F_BASE;            \
                    if (WIDTH == 16 && (c & 31) > 16)                         \
                        continue;                                             \
                    __asm__ volatile(INSN_FLAGS(                              \
                                     INSN " %%cl, %" M "[s], %" M "[d]")      \
                                     : [d] "+r"(d), [fl] "+r"(fl)             \
                                     : [s] "r"(s), "c"(c) : "cc");            \
                    uint64_t in[] = { insn_value(i), s, c };                  \
                    uint64_t out[] = { d, fl & flag_mask(DOUBLE, WIDTH, c) }; \
                    INSN_CASE(INSN " cl", in, out);                           \
                }                                                             \
    }

#define DOUBLE_IMM(FN, INSN, IMM, M, WIDTH)                                   \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned j = 0; j < INSN_NVALUES; j += 2) {                  \
                uint64_t d = insn_value(i), s = insn_value(j), fl = F_BASE;   \
                __asm__ volatile(INSN_FLAGS(                                  \
                                 INSN " $" #IMM ", %" M "[s], %" M "[d]")     \
                                 : [d] "+r"(d), [fl] "+r"(fl)                 \
                                 : [s] "r"(s) : "cc");                        \
                uint64_t in[] = { insn_value(i), s };                         \
                uint64_t out[] = { d, fl & flag_mask(DOUBLE, WIDTH, IMM) };   \
                INSN_CASE(INSN " $" #IMM, in, out);                           \
            }                                                                 \
    }

DOUBLE_CL(shld_w, "shldw", "w", 16)
DOUBLE_CL(shld_l, "shldl", "k", 32)
DOUBLE_CL(shld_q, "shldq", "q", 64)
DOUBLE_CL(shrd_w, "shrdw", "w", 16)
DOUBLE_CL(shrd_l, "shrdl", "k", 32)
DOUBLE_CL(shrd_q, "shrdq", "q", 64)
DOUBLE_IMM(shld_l1, "shldl", 1, "k", 32)
DOUBLE_IMM(shld_q13, "shldq", 13, "q", 64)
DOUBLE_IMM(shrd_w4, "shrdw", 4, "w", 16)
DOUBLE_IMM(shrd_q1, "shrdq", 1, "q", 64)
DOUBLE_IMM(shrd_l31, "shrdl", 31, "k", 32)

int main(void) { return insn_main(); }
