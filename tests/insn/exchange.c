/* exchange.c -- difftest of the exchange family without a lock prefix, and
 * of bit strings in memory (issue 10, session 11's outside probes):
 *  - cmpxchg r, r at 8/16/32/64 bits, including the accumulator as the
 *    destination (always equal: the accumulator gets the source) and the
 *    high-byte registers; cmpxchg r, m;
 *  - xadd r, r (also a register with itself), xchg of high-byte registers;
 *  - bt/bts/btr/btc with a register bit offset into memory: the offset
 *    addresses a bit string around the operand, far before and after it
 *    (the memory around is hashed), locked and not; with an imm8 offset
 *    (taken modulo the width);
 *  - cmov r32 with a false condition still zero-extends the destination. */
#include "insn.h"

#define STRIDE 2

/* cmpxchg %s, %d: rax = acc in, d, s */
#define CMPXCHG_RR(FN, TEXT)                                      \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i += STRIDE)                   \
            for (unsigned j = 0; j < INSN_NVALUES; j += STRIDE)               \
                for (unsigned e = 0; e < 2; e++) {                            \
                    uint64_t a = insn_value(i), b = insn_value(j);            \
                    uint64_t c = e ? a : insn_value(j) ^ 0x8181, fl = F_BASE; \
                    __asm__ volatile(INSN_FLAGS(TEXT)                         \
                                     : "+a"(a), "+b"(b), "+c"(c), [fl] "+r"(fl) \
                                     : : "cc");                               \
                    uint64_t in[] = { insn_value(i), insn_value(j), e };      \
                    uint64_t out[] = { a, b, c, fl & F_ARITH };               \
                    INSN_CASE(#FN, in, out);                                  \
                }                                                             \
    }

CMPXCHG_RR(cx_b, "cmpxchgb %%bl, %%cl")
CMPXCHG_RR(cx_w, "cmpxchgw %%bx, %%cx")
CMPXCHG_RR(cx_l, "cmpxchgl %%ebx, %%ecx")
CMPXCHG_RR(cx_q, "cmpxchgq %%rbx, %%rcx")
CMPXCHG_RR(cx_acc_b, "cmpxchgb %%bl, %%al")
CMPXCHG_RR(cx_acc_w, "cmpxchgw %%bx, %%ax")
CMPXCHG_RR(cx_acc_l, "cmpxchgl %%ebx, %%eax")
CMPXCHG_RR(cx_acc_q, "cmpxchgq %%rbx, %%rax")
CMPXCHG_RR(cx_src_acc_l, "cmpxchgl %%eax, %%ecx")
CMPXCHG_RR(cx_high, "cmpxchgb %%bh, %%ch")
CMPXCHG_RR(cx_ah, "cmpxchgb %%ah, %%al")
CMPXCHG_RR(cx_to_ah, "cmpxchgb %%bl, %%ah")
CMPXCHG_RR(xadd_l, "xaddl %%ebx, %%ecx")
CMPXCHG_RR(xadd_self_l, "xaddl %%eax, %%eax")
CMPXCHG_RR(xadd_self_w, "xaddw %%bx, %%bx")
CMPXCHG_RR(xadd_high, "xaddb %%ah, %%bl")
CMPXCHG_RR(xchg_high, "xchgb %%ah, %%bh")
CMPXCHG_RR(xchg_self, "xchgl %%ecx, %%ecx")

/* cmpxchg %s, mem */
#define CMPXCHG_RM(FN, TEXT, TYPE)                                            \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned i = 0; i < INSN_NVALUES; i += STRIDE)                   \
            for (unsigned e = 0; e < 2; e++) {                                \
                uint64_t m = insn_value(i), a = e ? m : ~m, b = 0x5a5a5a5a5a5a5a5aull; \
                uint64_t fl = F_BASE;                                         \
                __asm__ volatile(INSN_FLAGS(TEXT)                             \
                                 : "+a"(a), [m] "+m"(*(TYPE *)&m), [fl] "+r"(fl) \
                                 : "b"(b) : "cc");                            \
                uint64_t in[] = { insn_value(i), e };                         \
                uint64_t out[] = { a, m, fl & F_ARITH };                      \
                INSN_CASE(#FN, in, out);                                      \
            }                                                                 \
    }

CMPXCHG_RM(cxm_b, "cmpxchgb %%bl, %[m]", uint8_t)
CMPXCHG_RM(cxm_w, "cmpxchgw %%bx, %[m]", uint16_t)
CMPXCHG_RM(cxm_l, "cmpxchgl %%ebx, %[m]", uint32_t)
CMPXCHG_RM(cxm_q, "cmpxchgq %%rbx, %[m]", uint64_t)

/* bit offsets from the operand's address, in bits */
static const int64_t offsets[] = { 0, 1, 15, 16, 31, 32, 63, 64, 65, 127, 128, 255,
                                   -1, -8, -16, -17, -32, -33, -64, -65, -128, -200,
                                   1000, -1000 };
#define NOFFSETS (sizeof offsets / sizeof offsets[0])

static uint64_t hash(const uint64_t *w, int n)
{
    uint64_t h = 0;
    for (int i = 0; i < n; i++)
        h = h * 31 + w[i];
    return h;
}

/* op %o, mem: mem is word 32 of a 64-word bit string */
#define BIT_STRING(FN, INSN, M)                                               \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        for (unsigned k = 0; k < NOFFSETS; k++)                               \
            for (unsigned f = 0; f < 2; f++) {                                \
                uint64_t words[64], o = (uint64_t)offsets[k];                 \
                uint64_t fl = insn_flags_in[f] | F_BASE;                      \
                for (int i = 0; i < 64; i++)                                  \
                    words[i] = 0x0123456789abcdefull * (uint64_t)(i + 1);     \
                __asm__ volatile(INSN_FLAGS(INSN " %" M "[o], %[m]")          \
                                 : [m] "+m"(words[32]), [fl] "+r"(fl)         \
                                 : [o] "r"(o) : "cc", "memory");              \
                uint64_t in[] = { o, insn_flags_in[f] };                      \
                uint64_t out[] = { hash(words, 64), fl & F_CF };              \
                INSN_CASE(INSN, in, out);                                     \
            }                                                                 \
    }

BIT_STRING(bt_w, "btw", "w")
BIT_STRING(bt_l, "btl", "k")
BIT_STRING(bt_q, "btq", "q")
BIT_STRING(bts_w, "btsw", "w")
BIT_STRING(bts_l, "btsl", "k")
BIT_STRING(btr_q, "btrq", "q")
BIT_STRING(btc_l, "btcl", "k")
BIT_STRING(lock_bts_q, "lock btsq", "q")
BIT_STRING(lock_btr_w, "lock btrw", "w")
BIT_STRING(lock_btc_l, "lock btcl", "k")

/* op $imm, mem: the offset is taken modulo the operand width */
#define BIT_IMM(FN, INSN, IMM, TYPE)                                          \
    INSN_TEST(FN)                                                             \
    {                                                                         \
        uint64_t words[4] = { 0x8000000000000001ull, 0xfedcba9876543210ull, 3, 4 }; \
        uint64_t fl = F_BASE;                                                 \
        __asm__ volatile(INSN_FLAGS(INSN " $" #IMM ", %[m]")                  \
                         : [m] "+m"(*(TYPE *)&words[1]), [fl] "+r"(fl)        \
                         : : "cc", "memory");                                 \
        uint64_t in[] = { IMM };                                              \
        uint64_t out[] = { words[0], words[1], words[2], fl & F_CF };         \
        INSN_CASE(INSN " imm", in, out);                                      \
    }

BIT_IMM(bti_w, "btw", 17, uint16_t)
BIT_IMM(bti_l, "btsl", 40, uint32_t)
BIT_IMM(bti_q, "btcq", 70, uint64_t)
BIT_IMM(bti_w2, "btrw", 255, uint16_t)

INSN_TEST(cmov_false_32)
{
    for (unsigned f = 0; f < 2; f++) {
        uint64_t d = ~0ull, s = 0x1234, fl = insn_flags_in[f] | F_BASE;
        __asm__ volatile(INSN_FLAGS("cmovzl %k[s], %k[d]")
                         : [d] "+r"(d), [fl] "+r"(fl) : [s] "r"(s) : "cc");
        uint64_t in[] = { insn_flags_in[f] };
        uint64_t out[] = { d };
        INSN_CASE("cmovz r32", in, out);
    }
}

int main(void)
{
    return insn_main();
}
