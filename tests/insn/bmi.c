/* bmi.c -- difftest of BMI1 (andn bextr blsi blsmsk blsr), BMI2 (bzhi
 * mulx pdep pext rorx sarx shlx shrx), ADX (adcx adox) and MOVBE, at 32
 * and 64 bits (movbe also 16), register and memory sources, from both flag
 * states.  The arithmetic flags are printed except those the SDM leaves
 * undefined (AF and PF of andn/blsi/blsmsk/blsr/bzhi/bextr, and bextr's
 * SF): ferry sets them as the AMD EPYC this was written on does, but other
 * CPUs differ, and the oracle is whatever CPU runs the test.  Operands: the edge values, the random ones, and for the
 * count/control operands also small counts (start/length fields). */
#include "insn.h"
#include "ud_case.h"

/* Controls for bextr (start | len << 8) and counts for bzhi/shifts:
 * in range, at and past the size, and huge. */
static const uint64_t ctl_vals[] = {
    0, 1, 4, 0x0800, 0x0804, 0x1000, 0x2000, 0x4000, 0x0838, 0x103f, 0x01f,
    0x20, 0x3f, 0x40, 0x41, 0xff, 0x100, 0xff00, 0x0140, 0x0101, 0x0c1c,
    0x1f01, 0x3f01, 0xffffffff, 0x123456789abc1008ull,
};
#define NCTL (sizeof ctl_vals / sizeof ctl_vals[0])

static uint64_t ctl_value(unsigned j) { return ctl_vals[j]; }
static uint64_t all_value(unsigned j) { return insn_value(j); }

/* One case: RTEXT with operands a, b in registers, then MTEXT with the
 * memory operand m holding MSRC (a or b, whichever is the r/m operand). */
#define FORMU(FN, RTEXT, MTEXT, NB, BVAL, MSRC, UNDEF)                              \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned j = 0; j < (NB); j++)                               \
                for (unsigned f = 0; f < 2; f++) {                            \
                    uint64_t a = insn_value(i), b = BVAL(j), m = MSRC;        \
                    uint64_t d = 0x5555555555555555ull, d2 = d;               \
                    uint64_t fl = insn_flags_in[f] | F_BASE, fl2 = fl;        \
                    __asm__ volatile("push %[fl]\n\tpopfq\n\t" RTEXT          \
                                     "\n\tpushfq\n\tpop %[fl]"                \
                                     : [d] "+&r"(d), [fl] "+&r"(fl)           \
                                     : [a] "r"(a), [b] "r"(b) : "cc");        \
                    __asm__ volatile("push %[fl]\n\tpopfq\n\t" MTEXT          \
                                     "\n\tpushfq\n\tpop %[fl]"                \
                                     : [d] "+&r"(d2), [fl] "+&r"(fl2),        \
                                       [m] "+m"(m)                            \
                                     : [a] "r"(a), [b] "r"(b) : "cc");        \
                    uint64_t in[] = { a, b, insn_flags_in[f] };               \
                    uint64_t keep = F_ARITH & ~(uint64_t)(UNDEF);             \
                    uint64_t out[] = { d, fl & keep, d2, fl2 & keep, m };     \
                    INSN_CASE(#FN, in, out);                                  \
                }                                                             \
    }

/* Most forms leave AF and PF undefined (SDM); ADX and MOVBE define or keep
 * every flag, shifts (sarx/shlx/shrx/rorx) and pdep/pext keep them all. */
#define FORM(FN, RTEXT, MTEXT, NB, BVAL, MSRC)                                \
    FORMU(FN, RTEXT, MTEXT, NB, BVAL, MSRC, 0)
#define FORM_AP(FN, RTEXT, MTEXT, NB, BVAL, MSRC)                             \
    FORMU(FN, RTEXT, MTEXT, NB, BVAL, MSRC, F_AF | F_PF)

/* Three-operand forms "OP src2, src1, dst" (AT&T order). */
#define T3(FN, OP, W, NB, BVAL)                                               \
    FORM(FN, OP " %" W "[b], %" W "[a], %" W "[d]",                           \
         OP " %[m], %" W "[a], %" W "[d]", NB, BVAL, b)
#define T3AP(FN, OP, W, NB, BVAL)                                             \
    FORM_AP(FN, OP " %" W "[b], %" W "[a], %" W "[d]",                        \
            OP " %[m], %" W "[a], %" W "[d]", NB, BVAL, b)
/* Two-operand forms "OP src, dst" (the b operand is the source). */
#define T2(FN, OP, W)                                                         \
    FORM_AP(FN, OP " %" W "[b], %" W "[d]", OP " %[m], %" W "[d]",             \
         INSN_NVALUES, all_value, b)

T3AP(andnq, "andnq", "q", INSN_NVALUES, all_value)
T3AP(andnl, "andnl", "k", INSN_NVALUES, all_value)
/* bextr ctl, src, dst: b = the control, a (m) = the source; bextrq_v
 * takes controls from the edge and random values */
FORMU(bextrq, "bextrq %q[b], %q[a], %q[d]", "bextrq %q[b], %[m], %q[d]", NCTL, ctl_value, a, F_AF | F_PF | F_SF)
FORMU(bextrl, "bextrl %k[b], %k[a], %k[d]", "bextrl %k[b], %[m], %k[d]", NCTL, ctl_value, a, F_AF | F_PF | F_SF)
FORMU(bextrq_v, "bextrq %q[a], %q[b], %q[d]", "bextrq %q[a], %[m], %q[d]", INSN_NVALUES, all_value, b, F_AF | F_PF | F_SF)
T2(blsiq, "blsiq", "q")
T2(blsil, "blsil", "k")
T2(blsmskq, "blsmskq", "q")
T2(blsmskl, "blsmskl", "k")
T2(blsrq, "blsrq", "q")
T2(blsrl, "blsrl", "k")
/* bzhi idx, src, dst */
FORM_AP(bzhiq, "bzhiq %q[b], %q[a], %q[d]", "bzhiq %q[b], %[m], %q[d]", NCTL, ctl_value, a)
FORM_AP(bzhil, "bzhil %k[b], %k[a], %k[d]", "bzhil %k[b], %[m], %k[d]", NCTL, ctl_value, a)
FORM(sarxq, "sarxq %q[b], %q[a], %q[d]", "sarxq %q[b], %[m], %q[d]", NCTL, ctl_value, a)
FORM(sarxl, "sarxl %k[b], %k[a], %k[d]", "sarxl %k[b], %[m], %k[d]", NCTL, ctl_value, a)
FORM(shlxq, "shlxq %q[b], %q[a], %q[d]", "shlxq %q[b], %[m], %q[d]", NCTL, ctl_value, a)
FORM(shlxl, "shlxl %k[b], %k[a], %k[d]", "shlxl %k[b], %[m], %k[d]", NCTL, ctl_value, a)
FORM(shrxq, "shrxq %q[b], %q[a], %q[d]", "shrxq %q[b], %[m], %q[d]", NCTL, ctl_value, a)
FORM(shrxl, "shrxl %k[b], %k[a], %k[d]", "shrxl %k[b], %[m], %k[d]", NCTL, ctl_value, a)
/* pdep/pext mask, src, dst (mask is r/m) */
T3(pdepq, "pdepq", "q", INSN_NVALUES, all_value)
T3(pdepl, "pdepl", "k", INSN_NVALUES, all_value)
T3(pextq, "pextq", "q", INSN_NVALUES, all_value)
T3(pextl, "pextl", "k", INSN_NVALUES, all_value)
/* rorx imm, src, dst */
#define RORX(FN, W, N)                                                        \
    FORM(FN, "rorx $" #N ", %" W "[b], %" W "[d]",                            \
         "rorx $" #N ", %[m], %" W "[d]", INSN_NVALUES, all_value, b)
RORX(rorxq0, "q", 0)
RORX(rorxq1, "q", 1)
RORX(rorxq13, "q", 13)
RORX(rorxq63, "q", 63)
RORX(rorxq64, "q", 64)
RORX(rorxq200, "q", 200)
RORX(rorxl1, "k", 1)
RORX(rorxl31, "k", 31)
RORX(rorxl32, "k", 32)
RORX(rorxl45, "k", 45)
/* adcx/adox src, dst: d starts as a (the tied operand) */
#define ADX(FN, OP, W)                                                        \
    FORM(FN, "mov %q[a], %q[d]\n\t" OP " %" W "[b], %" W "[d]",             \
         "mov %q[a], %q[d]\n\t" OP " %[m], %" W "[d]", INSN_NVALUES, all_value, b)
ADX(adcxq, "adcxq", "q")
ADX(adcxl, "adcxl", "k")
ADX(adoxq, "adoxq", "q")
ADX(adoxl, "adoxl", "k")
/* movbe: load to a register (the d register keeps its upper bits in the
 * 16-bit form) and store from one */
FORM(movbeq, "mov %q[b], %q[d]", "movbeq %[m], %q[d]\n\tmovbeq %q[a], %[m]", INSN_NVALUES, all_value, b)
FORM(movbel, "mov %q[b], %q[d]", "movbel %[m], %k[d]\n\tmovbel %k[a], %[m]", INSN_NVALUES, all_value, b)
FORM(movbew, "mov %q[b], %q[d]", "movbew %[m], %w[d]\n\tmovbew %w[a], %[m]", INSN_NVALUES, all_value, b)

/* mulx hi, lo, r/m with rdx the other factor; also hi == lo. */
#define MULX(FN, W, MTEXT)                                                    \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned j = 0; j < INSN_NVALUES; j++)                       \
                for (unsigned f = 0; f < 2; f++) {                            \
                    uint64_t a = insn_value(i), b = insn_value(j), m = b;     \
                    uint64_t hi = 0x5555555555555555ull, lo = hi, same = hi;  \
                    uint64_t fl = insn_flags_in[f] | F_BASE;                  \
                    __asm__ volatile("push %[fl]\n\tpopfq\n\t"                \
                                     "mulx %" W "[b], %" W "[lo], %" W "[hi]\n\t" \
                                     MTEXT                                    \
                                     "\n\tpushfq\n\tpop %[fl]"                \
                                     : [hi] "+&r"(hi), [lo] "+&r"(lo),        \
                                       [s] "+&r"(same), [fl] "+&r"(fl)        \
                                     : "d"(a), [b] "r"(b), [m] "m"(m)         \
                                     : "cc");                                 \
                    uint64_t in[] = { a, b, insn_flags_in[f] };               \
                    uint64_t out[] = { hi, lo, same, fl & F_ARITH };          \
                    INSN_CASE(#FN, in, out);                                  \
                }                                                             \
    }
MULX(mulxq, "q", "mulx %[m], %q[s], %q[s]")
MULX(mulxl, "k", "mulx %[m], %k[s], %k[s]")

/* A CPU without BMI1, BMI2, ADX, MOVBE runs only the refusals (ud_main). */
UD_TEST_MAIN(bmi_ud, "cpuid bmi1 bmi2 adx movbe",
             ud_cpuid_bit(7, 0, 1, 3) &
                 ud_cpuid_bit(7, 0, 1, 8) &
                 ud_cpuid_bit(7, 0, 1, 19) &
                 ud_cpuid_bit(1, 0, 2, 22),
             UD_CASE("andn", "0xc4, 0xe2, 0x70, 0xf2, 0xc2");
             UD_CASE("shlx", "0xc4, 0xe2, 0x71, 0xf7, 0xc2");
             UD_CASE("adcx", "0x66, 0x0f, 0x38, 0xf6, 0xc2");
             UD_CASE("movbe", "0x0f, 0x38, 0xf0, 0x44, 0x24, 0xf8");)
