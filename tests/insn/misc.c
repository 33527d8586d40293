/* misc.c -- difftest of the rest of the integer ISA: bt/bts/btr/btc
 * (register, immediate and memory bit strings), bsf/bsr, bswap,
 * cbw/cwde/cdqe/cwd/cdq/cqo, movzx/movsx/movsxd, lahf/sahf, setcc and cmovcc
 * for every condition over all 64 combinations of the six arithmetic flags,
 * xchg/cmpxchg/xadd, lea addressing forms, push/pop.
 * Undefined and masked: after bt* OF SF AF PF are undefined (ZF must be
 * preserved, CF is the bit); after bsf/bsr only ZF is defined and the
 * destination is undefined for a zero source (not printed). */
#include "insn.h"
#include "ud_case.h"

#define BT_MASK (F_CF | F_ZF)

#define BT3(OP)                                                               \
    BIN_RR(OP##_w, #OP "w", "w", BT_MASK)                                      \
    BIN_RR(OP##_l, #OP "l", "k", BT_MASK)                                      \
    BIN_RR(OP##_q, #OP "q", "q", BT_MASK)
BT3(bt)
BT3(bts)
BT3(btr)
BT3(btc)

#define BT_IMM(FN, INSN, IMM, M)                                              \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++) {                         \
            uint64_t d = insn_value(i), fl = F_BASE | F_ZF;                   \
            __asm__ volatile(INSN_FLAGS(                                      \
                             INSN " $" #IMM ", %" M "[d]")                    \
                             : [d] "+r"(d), [fl] "+r"(fl) : : "cc");          \
            uint64_t in[] = { insn_value(i) };                                \
            uint64_t out[] = { d, fl & BT_MASK };                             \
            INSN_CASE(INSN " $" #IMM, in, out);                               \
        }                                                                     \
    }
BT_IMM(bt_q63, "btq", 63, "q")
BT_IMM(bt_l31, "btl", 31, "k")
BT_IMM(bts_w15, "btsw", 15, "w")
BT_IMM(btr_q7, "btrq", 7, "q")
BT_IMM(btc_l40, "btcl", 40, "k")   /* imm is taken mod 32 */

/* bt* with a memory bit string: the register offset is signed and may
 * address bytes outside the named operand. */
#define BT_MEM(FN, INSN)                                                      \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (int64_t off = -64; off < 256; off += 3) {                        \
            uint64_t m[5] = { 0x0123456789abcdefull, 0xfedcba9876543210ull,   \
                              0xf0f0f0f00f0f0f0full, 0x8000000000000001ull,   \
                              0xaaaaaaaa55555555ull };                        \
            uint64_t fl = F_BASE;                                             \
            __asm__ volatile(INSN_FLAGS(                                      \
                             INSN " %[o], %[mid]")                            \
                             : [fl] "+r"(fl), "+m"(m)                         \
                             : [o] "r"(off), [mid] "m"(m[1]) : "cc");          \
            uint64_t in[] = { (uint64_t)off };                                \
            uint64_t out[] = { m[0], m[1], m[2], m[3], m[4], fl & F_CF };     \
            INSN_CASE(INSN " mem", in, out);                                  \
        }                                                                     \
    }
BT_MEM(btm_q, "btq")
BT_MEM(btsm_q, "btsq")
BT_MEM(btrm_q, "btrq")
BT_MEM(btcm_q, "btcq")

#define BSX(FN, INSN, M)                                                      \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++) {                         \
            uint64_t s = insn_value(i), d = 0x3333333333333333ull;            \
            uint64_t fl = F_BASE;                                             \
            __asm__ volatile(INSN_FLAGS(                                      \
                             INSN " %" M "[s], %" M "[d]")                    \
                             : [d] "+r"(d), [fl] "+r"(fl) : [s] "r"(s) : "cc"); \
            uint64_t in[] = { s };                                            \
            uint64_t out[] = { (fl & F_ZF) ? 0 : d, fl & F_ZF };              \
            INSN_CASE(INSN, in, out);                                         \
        }                                                                     \
    }
BSX(bsf_w, "bsfw", "w")
BSX(bsf_l, "bsfl", "k")
BSX(bsf_q, "bsfq", "q")
BSX(bsr_w, "bsrw", "w")
BSX(bsr_l, "bsrl", "k")
BSX(bsr_q, "bsrq", "q")

/* one-register instructions without flags: bswap, movzx/movsx family */
#define NOFLAGS(FN, TEXT)                                                     \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++) {                         \
            uint64_t s = insn_value(i), d = 0x4444444444444444ull;            \
            __asm__ volatile(TEXT : [d] "+r"(d) : [s] "r"(s));                \
            uint64_t in[] = { s };                                            \
            uint64_t out[] = { d };                                           \
            INSN_CASE(TEXT, in, out);                                         \
        }                                                                     \
    }
NOFLAGS(bswap_l, "mov %[s], %[d]\n\tbswap %k[d]")
NOFLAGS(bswap_q, "mov %[s], %[d]\n\tbswap %q[d]")
NOFLAGS(movzbw, "movzbw %b[s], %w[d]")
NOFLAGS(movzbl, "movzbl %b[s], %k[d]")
NOFLAGS(movzbq, "movzbq %b[s], %q[d]")
NOFLAGS(movzwl, "movzwl %w[s], %k[d]")
NOFLAGS(movzwq, "movzwq %w[s], %q[d]")
NOFLAGS(movsbw, "movsbw %b[s], %w[d]")
NOFLAGS(movsbl, "movsbl %b[s], %k[d]")
NOFLAGS(movsbq, "movsbq %b[s], %q[d]")
NOFLAGS(movswl, "movswl %w[s], %k[d]")
NOFLAGS(movswq, "movswq %w[s], %q[d]")
NOFLAGS(movslq, "movslq %k[s], %q[d]")
NOFLAGS(movl, "movl %k[s], %k[d]")
NOFLAGS(movw, "movw %w[s], %w[d]")
NOFLAGS(movb, "movb %b[s], %b[d]")
NOFLAGS(not_w, "mov %[s], %[d]\n\tnotw %w[d]")

/* cbw..cqo work on rax (and rdx) */
#define CONVERT(FN, INSN)                                                     \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++) {                         \
            uint64_t a = insn_value(i), d = 0x5555555555555555ull;            \
            __asm__ volatile(INSN : "+a"(a), "+d"(d));                        \
            uint64_t in[] = { insn_value(i) };                                \
            uint64_t out[] = { a, d };                                        \
            INSN_CASE(INSN, in, out);                                         \
        }                                                                     \
    }
CONVERT(cbw, "cbtw")
CONVERT(cwde, "cwtl")
CONVERT(cdqe, "cltq")
CONVERT(cwd, "cwtd")
CONVERT(cdq, "cltd")
CONVERT(cqo, "cqto")

/* The six arithmetic flags from a 6-bit combination number. */
static uint64_t flags_of(unsigned combo)
{
    static const uint64_t bit[6] = { F_CF, F_PF, F_AF, F_ZF, F_SF, F_OF };
    uint64_t f = 0;
    for (int b = 0; b < 6; b++)
        if (combo & (1u << b))
            f |= bit[b];
    return f;
}

/* lahf/sahf in 64-bit mode need LAHF_LM (CPUID.80000001h:ECX bit 0):
 * a CPU without it refuses them. */
INSN_TEST(lahf_sahf)
{
    if (!ud_gate("cpuid lahf_lm", ud_cpuid_bit(0x80000001u, 0, 2, 0))) {
        UD_BEGIN;
        UD_CASE("lahf", "0x9f");
        UD_CASE("sahf", "0x9e");
        UD_END;
        return;
    }
    for (unsigned c = 0; c < 64; c++) {
        uint64_t fl = flags_of(c) | F_BASE, a = 0x1234567812345678ull;
        __asm__ volatile("push %[fl]\n\tpopfq\n\tlahf" : "+a"(a) : [fl] "r"(fl) : "cc");
        uint64_t b = (c * 37) << 8 | 0xff0000ull, fl2 = F_BASE | (c & 1 ? F_OF : 0);
        __asm__ volatile("push %[fl]\n\tpopfq\n\tsahf\n\tpushfq\n\tpop %[fl]"
                         : [fl] "+r"(fl2) : "a"(b) : "cc");
        uint64_t in[] = { c };
        uint64_t out[] = { a, fl2 & F_ARITH };
        INSN_CASE("lahf/sahf", in, out);
    }
}

/* setcc and cmovcc for one condition code over all flag combinations */
#define COND(CC)                                                              \
    INSN_TEST(cond_##CC)                                                      \
    {                                                                         \
        for (unsigned c = 0; c < 64; c++) {                                   \
            uint64_t fl = flags_of(c) | F_BASE, s = 0xfff, d8 = ~0ull;        \
            uint64_t d16 = 0x7777777777777777ull, d32 = d16, d64 = d16;       \
            uint64_t src = 0x8888888888888888ull;                             \
            __asm__ volatile("push %[fl]\n\tpopfq\n\t"                        \
                             "set" #CC " %b[d8]\n\t"                          \
                             "cmov" #CC "w %w[src], %w[d16]\n\t"              \
                             "cmov" #CC "l %k[src], %k[d32]\n\t"              \
                             "cmov" #CC "q %q[src], %q[d64]\n\t"              \
                             "set" #CC " %[m]"                                \
                             : [d8] "+r"(d8), [d16] "+r"(d16), [d32] "+r"(d32), \
                               [d64] "+r"(d64), [m] "+m"(s)                    \
                             : [fl] "r"(fl), [src] "r"(src) : "cc");           \
            uint64_t in[] = { c };                                            \
            uint64_t out[] = { d8, d16, d32, d64, s };                        \
            INSN_CASE("set/cmov" #CC, in, out);                               \
        }                                                                     \
    }
COND(o) COND(no) COND(b) COND(ae) COND(e) COND(ne) COND(be) COND(a)
COND(s) COND(ns) COND(p) COND(np) COND(l) COND(ge) COND(le) COND(g)

#define XCHG(FN, M, SUF)                                                      \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned j = 0; j < INSN_NVALUES; j += 5) {                  \
                uint64_t a = insn_value(i), b = insn_value(j), m = b, c = a;  \
                __asm__ volatile("xchg" SUF " %" M "[a], %" M "[b]\n\t"       \
                                 "xchg" SUF " %" M "[c], %[m]"                \
                                 : [a] "+r"(a), [b] "+r"(b), [c] "+r"(c), [m] "+m"(m)); \
                uint64_t in[] = { insn_value(i), insn_value(j) };             \
                uint64_t out[] = { a, b, c, m };                              \
                INSN_CASE("xchg" SUF, in, out);                               \
            }                                                                 \
    }
XCHG(xchg_b, "b", "b")
XCHG(xchg_w, "w", "w")
XCHG(xchg_l, "k", "l")
XCHG(xchg_q, "q", "q")

/* cmpxchg %s, %d (register and memory): rax equal to the destination or not */
#define CMPXCHG(FN, M, SUF)                                                   \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned j = 0; j < INSN_NVALUES; j += 3)                    \
                for (unsigned eq = 0; eq < 2; eq++) {                         \
                    uint64_t d = insn_value(i), s = insn_value(j) ^ 0x77;     \
                    uint64_t a = eq ? d : insn_value(j), m = d, a2 = a;       \
                    uint64_t fl = F_BASE, fl2 = F_BASE | F_ARITH;             \
                    __asm__ volatile(INSN_FLAGS(                              \
                                     "cmpxchg" SUF " %" M "[s], %" M "[d]")    \
                                     : [d] "+r"(d), "+a"(a), [fl] "+r"(fl)    \
                                     : [s] "r"(s) : "cc");                    \
                    __asm__ volatile(INSN_FLAGS(                              \
                                     "lock cmpxchg" SUF " %" M "[s], %[m]")    \
                                     : [m] "+m"(m), "+a"(a2), [fl] "+r"(fl2)  \
                                     : [s] "r"(s) : "cc");                    \
                    uint64_t in[] = { insn_value(i), s, eq };                 \
                    uint64_t out[] = { d, a, fl & F_ARITH, m, a2, fl2 & F_ARITH }; \
                    INSN_CASE("cmpxchg" SUF, in, out);                        \
                }                                                             \
    }
CMPXCHG(cmpxchg_b, "b", "b")
CMPXCHG(cmpxchg_w, "w", "w")
CMPXCHG(cmpxchg_l, "k", "l")
CMPXCHG(cmpxchg_q, "q", "q")

#define XADD(FN, M, SUF)                                                      \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned j = 0; j < INSN_NVALUES; j += 2) {                  \
                uint64_t d = insn_value(i), s = insn_value(j), m = d, s2 = s; \
                uint64_t fl = F_BASE, fl2 = F_BASE;                           \
                __asm__ volatile(INSN_FLAGS(                                  \
                                 "xadd" SUF " %" M "[s], %" M "[d]")          \
                                 : [d] "+r"(d), [s] "+r"(s), [fl] "+r"(fl) : : "cc"); \
                __asm__ volatile(INSN_FLAGS(                                  \
                                 "lock xadd" SUF " %" M "[s], %[m]")          \
                                 : [m] "+m"(m), [s] "+r"(s2), [fl] "+r"(fl2) : : "cc"); \
                uint64_t in[] = { insn_value(i), insn_value(j) };             \
                uint64_t out[] = { d, s, fl & F_ARITH, m, s2, fl2 & F_ARITH }; \
                INSN_CASE("xadd" SUF, in, out);                               \
            }                                                                 \
    }
XADD(xadd_b, "b", "b")
XADD(xadd_w, "w", "w")
XADD(xadd_l, "k", "l")
XADD(xadd_q, "q", "q")

/* lea: results are plain arithmetic on the register values (no access) */
INSN_TEST(lea_forms)
{
    for (unsigned i = 0; i < INSN_NVALUES; i++)
        for (unsigned j = 0; j < INSN_NVALUES; j += 2) {
            uint64_t b = insn_value(i), x = insn_value(j), r[8];
            for (int k = 0; k < 8; k++)
                r[k] = 0x6666666666666666ull;
            __asm__ volatile("leaq 8(%[b],%[x],4), %[r0]\n\t"
                             "leaq -128(%[b]), %[r1]\n\t"
                             "leaq 0x7fffffff(%[b],%[x]), %[r2]\n\t"
                             "leaq -0x80000000(,%[x],8), %[r3]\n\t"
                             "leal 3(%[b],%[x],2), %k[r4]\n\t"
                             "leaw -1(%[b],%[x]), %w[r5]\n\t"
                             "leal 0x10(%k[b],%k[x],8), %k[r6]\n\t" /* addr32 */
                             "leaq (%[x],%[x],2), %[r7]"
                             : [r0] "+r"(r[0]), [r1] "+r"(r[1]), [r2] "+r"(r[2]),
                               [r3] "+r"(r[3]), [r4] "+r"(r[4]), [r5] "+r"(r[5]),
                               [r6] "+r"(r[6]), [r7] "+r"(r[7])
                             : [b] "r"(b), [x] "r"(x));
            uint64_t in[] = { b, x };
            INSN_CASE("lea", in, r);
        }
}

/* push/pop of immediates, registers, memory, and 16-bit pushes: values and
 * how far rsp moved. The memory operand is static: an rsp-relative address
 * would move with the pushes. */
static uint64_t push_mem;

INSN_TEST(push_pop)
{
    for (unsigned i = 0; i < INSN_NVALUES; i++) {
        uint64_t v = insn_value(i), out[8] = { 0 };
        push_mem = v;
        __asm__ volatile("mov %%rsp, %[o6]\n\t"
                         "pushq $-5\n\t"
                         "pushq $0x12345678\n\t"
                         "pushq %[v]\n\t"
                         "pushq %[m]\n\t"
                         "pushw $0x7abc\n\t"
                         "pushw %w[v]\n\t"
                         "popw %w[o0]\n\t"
                         "popw %w[o1]\n\t"
                         "popq %[o2]\n\t"
                         "popq %[m]\n\t"
                         "popq %[o3]\n\t"
                         "popq %[o4]\n\t"
                         "sub %%rsp, %[o6]\n\t"
                         "pushfq\n\t"
                         "popq %[o5]\n\t"
                         "andq $0x8d5, %[o5]"
                         : [o0] "+r"(out[0]), [o1] "+r"(out[1]), [o2] "+r"(out[2]),
                           [o3] "+r"(out[3]), [o4] "+r"(out[4]), [o5] "+r"(out[5]),
                           [o6] "+r"(out[6]), [m] "+m"(push_mem)
                         : [v] "r"(v) : "cc");
        out[7] = push_mem;
        uint64_t in[] = { v };
        INSN_CASE("push/pop", in, out);
    }
}

int main(void) { return insn_main(); }
