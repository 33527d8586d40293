/* locked.c -- the lock-prefixed read-modify-writes of memory (add adc sub
 * sbb and or xor at 8/16/32/64 bits; inc dec neg not; xadd; cmpxchg
 * equal and unequal; bts btr btc with register and immediate offsets),
 * xchg with memory, cmpxchg8b and mfence: memory result, register
 * results and EFLAGS, from both input flag states.  ferry translates these
 * as atomic IR ops (one thread here: this checks the values and flags). */
#include "insn.h"

#define LOGIC_MASK (F_ARITH & ~F_AF)

/* lock op %s, mem */
#define LOCK_BIN(FN, INSN, M, MASK)                                           \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i += 2)                        \
            for (unsigned j = 0; j < INSN_NVALUES; j++)                       \
                for (unsigned f = 0; f < 2; f++) {                            \
                    uint64_t m = insn_value(i), s = insn_value(j);            \
                    uint64_t fl = insn_flags_in[f] | F_BASE;                  \
                    __asm__ volatile(INSN_FLAGS(                              \
                                     "lock " INSN " %" M "[s], %[m]")         \
                                     : [m] "+m"(m), [fl] "+r"(fl), [s] "+r"(s) \
                                     : : "cc");                               \
                    uint64_t in[] = { insn_value(i), insn_value(j), insn_flags_in[f] }; \
                    uint64_t out[] = { m, s, fl & (MASK) };                   \
                    INSN_CASE("lock " INSN, in, out);                         \
                }                                                             \
    }

/* lock op mem */
#define LOCK_UN(FN, INSN, M, MASK)                                            \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned f = 0; f < 2; f++) {                                \
                uint64_t m = insn_value(i), fl = insn_flags_in[f] | F_BASE;   \
                __asm__ volatile(INSN_FLAGS(                                  \
                                 "lock " INSN " %[m]")                        \
                                 : [m] "+m"(m), [fl] "+r"(fl) : : "cc");      \
                uint64_t in[] = { insn_value(i), insn_flags_in[f] };          \
                uint64_t out[] = { m, fl & (MASK) };                          \
                INSN_CASE("lock " INSN, in, out);                             \
            }                                                                 \
    }

/* lock cmpxchg %s, mem with the accumulator equal to mem or not. */
#define LOCK_CMPXCHG(FN, INSN, M)                                             \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i++)                           \
            for (unsigned j = 0; j < INSN_NVALUES; j += 3)                    \
                for (unsigned eq = 0; eq < 2; eq++) {                         \
                    uint64_t m = insn_value(i), s = insn_value(j);            \
                    uint64_t a = eq ? m : insn_value(j) ^ 0x5a, fl = F_BASE;  \
                    __asm__ volatile(INSN_FLAGS(                              \
                                     "lock " INSN " %" M "[s], %[m]")         \
                                     : [m] "+m"(m), [fl] "+r"(fl), "+a"(a)    \
                                     : [s] "r"(s) : "cc");                    \
                    uint64_t in[] = { insn_value(i), s, eq };                 \
                    uint64_t out[] = { m, a, fl & F_ARITH };                  \
                    INSN_CASE("lock " INSN, in, out);                         \
                }                                                             \
    }

#define W4(GEN, OP, ...)                                                      \
    GEN(OP##_b, #OP "b", "b", __VA_ARGS__)                                    \
    GEN(OP##_w, #OP "w", "w", __VA_ARGS__)                                    \
    GEN(OP##_l, #OP "l", "k", __VA_ARGS__)                                    \
    GEN(OP##_q, #OP "q", "q", __VA_ARGS__)

W4(LOCK_BIN, add, F_ARITH)
W4(LOCK_BIN, adc, F_ARITH)
W4(LOCK_BIN, sub, F_ARITH)
W4(LOCK_BIN, sbb, F_ARITH)
W4(LOCK_BIN, and, LOGIC_MASK)
W4(LOCK_BIN, or, LOGIC_MASK)
W4(LOCK_BIN, xor, LOGIC_MASK)
W4(LOCK_BIN, xadd, F_ARITH)
W4(LOCK_BIN, xchg, 0)
W4(LOCK_UN, inc, F_ARITH)
W4(LOCK_UN, dec, F_ARITH)
W4(LOCK_UN, neg, F_ARITH)
W4(LOCK_UN, not, F_ARITH)
LOCK_CMPXCHG(cmpxchg_b, "cmpxchgb", "b")
LOCK_CMPXCHG(cmpxchg_w, "cmpxchgw", "w")
LOCK_CMPXCHG(cmpxchg_l, "cmpxchgl", "k")
LOCK_CMPXCHG(cmpxchg_q, "cmpxchgq", "q")

/* xchg without the prefix is locked too. */
INSN_TEST(xchg_plain)
{
    for (unsigned i = 0; i < INSN_NVALUES; i++) {
        uint64_t m = insn_value(i), r = ~insn_value(i), m2 = m, r2 = r;
        __asm__ volatile("xchgq %[r], %[m]" : [m] "+m"(m), [r] "+r"(r));
        __asm__ volatile("xchgl %[m], %k[r]" : [m] "+m"(m2), [r] "+r"(r2));
        uint64_t in[] = { insn_value(i) };
        uint64_t out[] = { m, r, m2, r2 };
        INSN_CASE("xchg mem", in, out);
    }
}

/* lock bts/btr/btc: a register offset may reach outside the operand
 * (negative too); an immediate one is taken modulo the width. */
INSN_TEST(lock_bit_ops)
{
    static const int64_t offs[] = { 0, 5, 63, 64, 100, -1, -64, -65 };
    for (unsigned i = 0; i < INSN_NVALUES; i += 4)
        for (unsigned k = 0; k < sizeof offs / sizeof offs[0]; k++) {
            uint64_t mem[5] = { ~insn_value(i), insn_value(i), insn_value(i) >> 3, 7, 0 };
            uint64_t *p = &mem[2], fl1 = F_BASE, fl2 = F_BASE, fl3 = F_BASE, fl4 = F_BASE;
            int64_t off = offs[k];
            __asm__ volatile("push %[f]\n\tpopfq\n\tlock btsq %[o], %[m]\n\tpushfq\n\tpop %[f]"
                             : [m] "+m"(*p), [f] "+r"(fl1) : [o] "r"(off) : "cc", "memory");
            __asm__ volatile("push %[f]\n\tpopfq\n\tlock btrl %k[o], %[m]\n\tpushfq\n\tpop %[f]"
                             : [m] "+m"(*p), [f] "+r"(fl2) : [o] "r"(off + 3) : "cc", "memory");
            __asm__ volatile("push %[f]\n\tpopfq\n\tlock btcw %w[o], %[m]\n\tpushfq\n\tpop %[f]"
                             : [m] "+m"(*p), [f] "+r"(fl3) : [o] "r"(off * 3) : "cc", "memory");
            __asm__ volatile("push %[f]\n\tpopfq\n\tlock btsq $77, %[m]\n\tpushfq\n\tpop %[f]"
                             : [m] "+m"(*p), [f] "+r"(fl4) : : "cc", "memory");
            uint64_t in[] = { insn_value(i), (uint64_t)off };
            uint64_t out[] = { mem[0], mem[1], mem[2], mem[3], mem[4],
                               fl1 & F_CF, fl2 & F_CF, fl3 & F_CF, fl4 & F_CF };
            INSN_CASE("lock bts/btr/btc", in, out);
        }
}

INSN_TEST(cmpxchg8b)
{
    for (unsigned i = 0; i < INSN_NVALUES; i++)
        for (unsigned eq = 0; eq < 2; eq++) {
            uint64_t m = insn_value(i), fl = F_BASE;
            uint64_t a = eq ? (uint32_t)m : ~m, d = eq ? m >> 32 : 0x1234;
            uint64_t b = insn_value(i) * 3, c = ~insn_value(i);
            __asm__ volatile("push %[fl]\n\tpopfq\n\tlock cmpxchg8b %[m]\n\t"
                             "mfence\n\tpushfq\n\tpop %[fl]"
                             : [m] "+m"(m), [fl] "+r"(fl), "+a"(a), "+d"(d)
                             : "b"(b), "c"(c) : "cc");
            uint64_t in[] = { insn_value(i), eq };
            uint64_t out[] = { m, a, d, fl & F_ZF };
            INSN_CASE("lock cmpxchg8b", in, out);
        }
}

/* Locked operands at every offset 0-7 before an 8-, a 16- and a 64-byte
 * boundary (x86 allows a misaligned one: a split lock): add, xadd, xchg,
 * cmpxchg equal and unequal, or, at 16/32/64 bits.  The AArch64 backend's
 * exclusive loads need alignment and took SIGBUS (FEX's
 * UnalignedLoadStoreSIGBUS found it). */
INSN_TEST(lock_misaligned)
{
    static uint8_t buf[192] __attribute__((aligned(64)));
    static const unsigned ends[] = { 8, 16, 64, 128 };
    for (unsigned e = 0; e < 4; e++)
        for (unsigned k = 1; k < 8; k++)
            for (unsigned i = 0; i < INSN_NVALUES; i += 5) {
                for (unsigned b = 0; b < sizeof buf; b++) buf[b] = (uint8_t)(b * 37 + i);
                uint8_t *p = buf + ends[e] - k;
                uint64_t v = insn_value(i), x = v, a = v * 7, a2, fl = F_BASE;
                __asm__ volatile("lock addq %[v], (%[p])\n\tlock xaddl %k[x], 1(%[p])\n\t"
                                 "xchgw %w[x], 2(%[p])\n\tlock orq %[v], -1(%[p])\n\t"
                                 "push %[fl]\n\tpopfq\n\tlock cmpxchgq %[v], (%[p])\n\t"
                                 "pushfq\n\tpop %[fl]\n\tmov (%[p]), %%rax\n\t"
                                 "lock cmpxchgq %[v], (%[p])\n\tmov %%rax, %[a2]\n\t"
                                 "lock cmpxchgl %k[x], 3(%[p])\n\tlock cmpxchgw %w[v], 1(%[p])"
                                 : [x] "+r"(x), "+a"(a), [fl] "+r"(fl), [a2] "=&r"(a2)
                                 : [v] "r"(v), [p] "r"(p) : "cc", "memory");
                uint64_t w0, w1, w2;
                __builtin_memcpy(&w0, p - 8, 8);
                __builtin_memcpy(&w1, p, 8);
                __builtin_memcpy(&w2, p + 8, 8);
                uint64_t in[] = { v, ends[e], k };
                uint64_t out[] = { w0, w1, w2, x, a, a2, fl & F_ARITH };
                INSN_CASE("lock misaligned", in, out);
            }
}

int main(void) { return insn_main(); }
