/* muldiv.c -- difftest of multiply and divide: mul/imul with one operand
 * (rdx:rax results) at 8/16/32/64 bits, imul with two and three operands,
 * div/idiv at every width. Flags: after mul/imul only CF and OF are defined
 * (SF ZF AF PF masked); after div/idiv every flag is undefined (not
 * printed). Divisions that would raise #DE (zero divisor, quotient overflow)
 * are skipped here; guest/divzero.c checks the fault. */
#include "insn.h"

#define MUL_MASK (F_CF | F_OF)

/* mul/imul %s: rax (and rdx) in and out */
#define MUL1(FN, INSN, M)                                                     \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned j = 0; j < INSN_NVALUES; j++) {                     \
                uint64_t a = insn_value(i), s = insn_value(j);                \
                uint64_t d = 0x1111111111111111ull, fl = F_BASE;              \
                __asm__ volatile(INSN_FLAGS(                                  \
                                 INSN " %" M "[s]")                           \
                                 : "+a"(a), "+d"(d), [fl] "+r"(fl)            \
                                 : [s] "r"(s) : "cc");                        \
                uint64_t in[] = { insn_value(i), s };                         \
                uint64_t out[] = { a, d, fl & MUL_MASK };                     \
                INSN_CASE(INSN, in, out);                                     \
            }                                                                 \
    }

MUL1(mul_b, "mulb", "b")
MUL1(mul_w, "mulw", "w")
MUL1(mul_l, "mull", "k")
MUL1(mul_q, "mulq", "q")
MUL1(imul1_b, "imulb", "b")
MUL1(imul1_w, "imulw", "w")
MUL1(imul1_l, "imull", "k")
MUL1(imul1_q, "imulq", "q")

#define IMUL2(FN, INSN, M)                                                    \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned j = 0; j < INSN_NVALUES; j++) {                     \
                uint64_t d = insn_value(i), s = insn_value(j), fl = F_BASE;   \
                __asm__ volatile(INSN_FLAGS(                                  \
                                 INSN " %" M "[s], %" M "[d]")                \
                                 : [d] "+r"(d), [fl] "+r"(fl)                 \
                                 : [s] "r"(s) : "cc");                        \
                uint64_t in[] = { insn_value(i), s };                         \
                uint64_t out[] = { d, fl & MUL_MASK };                        \
                INSN_CASE(INSN " rr", in, out);                               \
            }                                                                 \
    }

IMUL2(imul2_w, "imulw", "w")
IMUL2(imul2_l, "imull", "k")
IMUL2(imul2_q, "imulq", "q")

#define IMUL3(FN, INSN, IMM, M)                                               \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++) {                         \
            uint64_t d = 0x2222222222222222ull, s = insn_value(i);            \
            uint64_t fl = F_BASE;                                             \
            __asm__ volatile(INSN_FLAGS(                                      \
                             INSN " $" #IMM ", %" M "[s], %" M "[d]")         \
                             : [d] "+r"(d), [fl] "+r"(fl)                     \
                             : [s] "r"(s) : "cc");                            \
            uint64_t in[] = { s };                                            \
            uint64_t out[] = { d, fl & MUL_MASK };                            \
            INSN_CASE(INSN " $" #IMM, in, out);                               \
        }                                                                     \
    }

IMUL3(imul3_w, "imulw", -3, "w")
IMUL3(imul3_w2, "imulw", 0x1234, "w")
IMUL3(imul3_l, "imull", 1000000, "k")
IMUL3(imul3_l2, "imull", -128, "k")
IMUL3(imul3_q, "imulq", 0x7fffffff, "q")
IMUL3(imul3_q2, "imulq", 127, "q")

/* Would WIDTH-bit (un)signed division of rdx:rax (ax for 8 bits) by s trap? */
static int div_traps(unsigned width, int is_signed, uint64_t hi, uint64_t lo, uint64_t s)
{
    uint64_t mask = width == 64 ? ~0ull : (1ull << width) - 1;
    s &= mask;
    if (s == 0)
        return 1;
    unsigned __int128 dividend = ((unsigned __int128)(hi & mask) << width) | (lo & mask);
    if (width == 8)
        dividend = lo & 0xffff;
    if (!is_signed)
        return (dividend / s) >> width != 0;
    /* sign-extend the 2*width-bit dividend and the divisor */
    __int128 sd = (__int128)(dividend << (128 - 2 * width)) >> (128 - 2 * width);
    __int128 ss = (__int128)((unsigned __int128)s << (128 - width)) >> (128 - width);
    /* (C's INT128_MIN / -1 would overflow; the quotient is just -sd) */
    __int128 q = ss == -1 ? -sd : sd / ss;
    return q > (((__int128)1 << (width - 1)) - 1) || q < -((__int128)1 << (width - 1));
}

/* div/idiv %s with rdx from the high-part choice h: 0, a value, or the
 * sign extension of rax (what cqo/cdq produce before idiv). */
#define DIV(FN, INSN, M, WIDTH, SIGNED)                                       \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned j = 0; j < INSN_NVALUES; j++)                       \
                for (unsigned h = 0; h < 3; h++) {                            \
                    uint64_t a = insn_value(i), s = insn_value(j);            \
                    uint64_t d = h == 0 ? 0 : h == 1 ? insn_value((i + j) % INSN_NVALUES) \
                                 : (uint64_t)((int64_t)(a << (64 - WIDTH)) >> 63); \
                    if (div_traps(WIDTH, SIGNED, d, a, s))                    \
                        continue;                                             \
                    uint64_t in[] = { a, d, s };                              \
                    __asm__ volatile(INSN " %" M "[s]"                        \
                                     : "+a"(a), "+d"(d) : [s] "r"(s) : "cc"); \
                    uint64_t out[] = { a, d };                                \
                    INSN_CASE(INSN, in, out);                                 \
                }                                                             \
    }

DIV(div_b, "divb", "b", 8, 0)
DIV(div_w, "divw", "w", 16, 0)
DIV(div_l, "divl", "k", 32, 0)
DIV(div_q, "divq", "q", 64, 0)
DIV(idiv_b, "idivb", "b", 8, 1)
DIV(idiv_w, "idivw", "w", 16, 1)
DIV(idiv_l, "idivl", "k", 32, 1)
DIV(idiv_q, "idivq", "q", 64, 1)

int main(void) { return insn_main(); }
