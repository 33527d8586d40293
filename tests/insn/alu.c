/* alu.c -- difftest of the integer ALU: add adc sub sbb cmp and or xor test
 * (register, memory and immediate operands) and inc dec neg not, at 8, 16,
 * 32 and 64 bits, plus the high-byte registers ah/bh/ch/dh.
 * Operands are full 64-bit registers, so the tests also see that 8/16-bit
 * writes keep the upper bits and 32-bit writes zero them.
 * Flags: add/adc/sub/sbb/cmp/neg/inc/dec define all six arithmetic flags
 * (inc/dec leave CF alone, which is checked); and/or/xor/test leave AF
 * undefined (masked); not changes no flag (checked). */
#include "insn.h"

#define LOGIC_MASK (F_ARITH & ~F_AF)

/* op %s, mem (read-modify-write) and op mem, %d */
#define BIN_MEM(FN, INSN, M, MASK)                                            \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i += 2)                        \
            for (unsigned j = 0; j < INSN_NVALUES; j++) {                     \
                uint64_t m = insn_value(i), s = insn_value(j);                \
                uint64_t d = insn_value(i), m2 = insn_value(j);               \
                uint64_t fl = F_CF | F_BASE, fl2 = F_BASE;                    \
                __asm__ volatile(INSN_FLAGS(                                  \
                                 INSN " %" M "[s], %[m]")                     \
                                 : [m] "+m"(m), [fl] "+r"(fl)                 \
                                 : [s] "r"(s) : "cc");                        \
                __asm__ volatile(INSN_FLAGS(                                  \
                                 INSN " %[m], %" M "[d]")                     \
                                 : [d] "+r"(d), [fl] "+r"(fl2)                \
                                 : [m] "m"(m2) : "cc");                       \
                uint64_t in[] = { insn_value(i), s };                         \
                uint64_t out[] = { m, fl & (MASK), d, fl2 & (MASK) };         \
                INSN_CASE(INSN " mem", in, out);                              \
            }                                                                 \
    }

/* op $imm, %d */
#define BIN_IMM(FN, INSN, IMM, M, MASK)                                       \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned f = 0; f < 2; f++) {                                \
                uint64_t d = insn_value(i), fl = insn_flags_in[f] | F_BASE;   \
                __asm__ volatile(INSN_FLAGS(                                  \
                                 INSN " $" #IMM ", %" M "[d]")                \
                                 : [d] "+r"(d), [fl] "+r"(fl) : : "cc");      \
                uint64_t in[] = { insn_value(i), insn_flags_in[f] };          \
                uint64_t out[] = { d, fl & (MASK) };                          \
                INSN_CASE(INSN " $" #IMM, in, out);                           \
            }                                                                 \
    }

/* op %d */
#define UNARY(FN, INSN, M, MASK)                                              \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned f = 0; f < 2; f++) {                                \
                uint64_t d = insn_value(i), fl = insn_flags_in[f] | F_BASE;   \
                __asm__ volatile(INSN_FLAGS(                                  \
                                 INSN " %" M "[d]")                           \
                                 : [d] "+r"(d), [fl] "+r"(fl) : : "cc");      \
                uint64_t in[] = { insn_value(i), insn_flags_in[f] };          \
                uint64_t out[] = { d, fl & (MASK) };                          \
                INSN_CASE(INSN, in, out);                                     \
            }                                                                 \
    }

#define W4(GEN, OP, ...)                                                      \
    GEN(OP##_b, #OP "b", "b", __VA_ARGS__)                                    \
    GEN(OP##_w, #OP "w", "w", __VA_ARGS__)                                    \
    GEN(OP##_l, #OP "l", "k", __VA_ARGS__)                                    \
    GEN(OP##_q, #OP "q", "q", __VA_ARGS__)

#define RR(OP, MASK) W4(BIN_RR, OP, MASK)
RR(add, F_ARITH)
RR(adc, F_ARITH)
RR(sub, F_ARITH)
RR(sbb, F_ARITH)
RR(cmp, F_ARITH)
RR(and, LOGIC_MASK)
RR(or, LOGIC_MASK)
RR(xor, LOGIC_MASK)
RR(test, LOGIC_MASK)

BIN_MEM(madd_l, "addl", "k", F_ARITH)
BIN_MEM(madd_q, "addq", "q", F_ARITH)
BIN_MEM(madc_b, "adcb", "b", F_ARITH)
BIN_MEM(msub_w, "subw", "w", F_ARITH)
BIN_MEM(msbb_q, "sbbq", "q", F_ARITH)
BIN_MEM(mcmp_l, "cmpl", "k", F_ARITH)
BIN_MEM(mand_q, "andq", "q", LOGIC_MASK)
BIN_MEM(mor_b, "orb", "b", LOGIC_MASK)
BIN_MEM(mxor_l, "xorl", "k", LOGIC_MASK)

/* imm8 sign-extended, imm32 sign-extended, and 8/16-bit immediates */
BIN_IMM(iadd_q1, "addq", 1, "q", F_ARITH)
BIN_IMM(iadd_qm1, "addq", -1, "q", F_ARITH)
BIN_IMM(iadd_l7f, "addl", 0x7f, "k", F_ARITH)
BIN_IMM(iadd_qbig, "addq", 0x7fffffff, "q", F_ARITH)
BIN_IMM(isub_qneg, "subq", -0x80000000, "q", F_ARITH)
BIN_IMM(iadc_w, "adcw", 0x1234, "w", F_ARITH)
BIN_IMM(isbb_b, "sbbb", 0x80, "b", F_ARITH)
BIN_IMM(icmp_b, "cmpb", 0x7f, "b", F_ARITH)
BIN_IMM(icmp_q, "cmpq", -2, "q", F_ARITH)
BIN_IMM(iand_q, "andq", -16, "q", LOGIC_MASK)
BIN_IMM(iand_l, "andl", 0xff00ff, "k", LOGIC_MASK)
BIN_IMM(ior_w, "orw", 0x8001, "w", LOGIC_MASK)
BIN_IMM(ixor_q, "xorq", 0x5a5a5a5a, "q", LOGIC_MASK)
BIN_IMM(itest_b, "testb", 0x81, "b", LOGIC_MASK)
BIN_IMM(itest_q, "testq", 0x40000000, "q", LOGIC_MASK)

#define UN(OP, MASK) W4(UNARY, OP, MASK)
UN(inc, F_ARITH)
UN(dec, F_ARITH)
UN(neg, F_ARITH)
UN(not, F_ARITH)

/* High-byte registers: the "Q" constraint picks a/b/c/d, %h names ah..dh. */
INSN_TEST(high_bytes)
{
    for (unsigned i = 0; i < INSN_NVALUES; i++)
        for (unsigned j = 0; j < INSN_NVALUES; j += 3) {
            uint64_t a = insn_value(i), b = insn_value(j), c = a, d = b, e = a, g = b;
            uint64_t fl = F_BASE, fl2 = F_BASE;
            __asm__ volatile(INSN_FLAGS(
                             "addb %h[b], %b[a]")
                             : [a] "+Q"(a), [fl] "+r"(fl) : [b] "Q"(b) : "cc");
            __asm__ volatile(INSN_FLAGS(
                             "subb %b[d], %h[c]")
                             : [c] "+Q"(c), [fl] "+r"(fl2) : [d] "Q"(d) : "cc");
            __asm__ volatile("xchgb %h[e], %b[g]\n\t"
                             "movzbl %h[g], %k[d]\n\t"
                             "movsbl %h[e], %k[c]"
                             : [e] "+Q"(e), [g] "+Q"(g), [d] "+Q"(d), [c] "+Q"(c));
            uint64_t in[] = { insn_value(i), b };
            uint64_t out[] = { a, fl & F_ARITH, c, fl2 & F_ARITH, d, e, g };
            INSN_CASE("high bytes", in, out);
        }
}

int main(void) { return insn_main(); }
