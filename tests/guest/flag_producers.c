/* flag_producers.c -- every flag of the common producers (add sub cmp and
 * or xor test adc sbb inc dec neg, shifts by an immediate and by cl,
 * imul) at 8/16/32/64 bits, and of the rarer ones (bsf bsr tzcnt lzcnt
 * popcnt bt bts, BMI1's andn blsi blsr blsmsk bextr, BMI2's bzhi) at
 * their widths, read four ways: pushf right after the
 * producer, all sixteen setcc after it, a jcc at the start of the next
 * block (after a jmp), a jcc after another jcc (the fall-through), and
 * pushf after an imul that keeps the producer's S Z A P (AMD; Intel sets
 * them from the product).  ferry evaluates a known producer's flags with
 * inline IR ops (x86_flag_ir.c) and those at a block's start from the
 * lazy state: a wrong bit in any of them changes a hash.  Operands are
 * boundary values and pseudo-random ones.  Output: a hash per producer
 * and width, vs native. */
#include <stdint.h>
#include <stdio.h>

static uint64_t hash = 14695981039346656037ull;

static void mix(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        hash ^= (v >> (i * 8)) & 0xff;
        hash *= 1099511628211ull;
    }
}

#define SET16 \
    "seto 0(%[p])\n\tsetno 1(%[p])\n\tsetb 2(%[p])\n\tsetae 3(%[p])\n\t"          \
    "sete 4(%[p])\n\tsetne 5(%[p])\n\tsetbe 6(%[p])\n\tseta 7(%[p])\n\t"          \
    "sets 8(%[p])\n\tsetns 9(%[p])\n\tsetp 10(%[p])\n\tsetnp 11(%[p])\n\t"        \
    "setl 12(%[p])\n\tsetge 13(%[p])\n\tsetle 14(%[p])\n\tsetg 15(%[p])\n\t"

/* The producer, then jcc CC at the start of a block: out[i] = taken. */
#define JSTART(OP, CC, I)                                                        \
    __asm__ volatile("mov %[a0], %[a]\n\t" OP "\n\tjmp 1f\n1:\tj" CC " 2f\n\t"    \
                     "movb $0, " #I "(%[p])\n\tjmp 3f\n2:\tmovb $1, " #I "(%[p])\n3:" \
                     : [a] "=&r"(t) : [a0] "r"(a0), [b] "c"(b), [p] "r"(out)     \
                     : "cc", "memory")

/* The producer, je, then jcc CC on the fall-through: out[i] = 2 when je
 * was taken, else whether CC was. */
#define JRUN(OP, CC, I)                                                          \
    __asm__ volatile("mov %[a0], %[a]\n\t" OP "\n\tje 5f\n\tj" CC " 2f\n\t"       \
                     "movb $0, " #I "(%[p])\n\tjmp 3f\n2:\tmovb $1, " #I "(%[p])\n\t" \
                     "jmp 3f\n5:\tmovb $2, " #I "(%[p])\n3:"                     \
                     : [a] "=&r"(t) : [a0] "r"(a0), [b] "c"(b), [p] "r"(out)     \
                     : "cc", "memory")

#define JALL(M, OP)                                                              \
    M(OP, "o", 0); M(OP, "no", 1); M(OP, "b", 2); M(OP, "ae", 3);                \
    M(OP, "e", 4); M(OP, "ne", 5); M(OP, "be", 6); M(OP, "a", 7);                \
    M(OP, "s", 8); M(OP, "ns", 9); M(OP, "p", 10); M(OP, "np", 11);              \
    M(OP, "l", 12); M(OP, "ge", 13); M(OP, "le", 14); M(OP, "g", 15)

static void mix_bytes(const uint8_t *out)
{
    for (int i = 0; i < 16; i++) mix(out[i]);
}

/* One producer OP (text using %[a], %[b] = rcx), carry in from b's bit 1. */
#define PRODUCER(NAME, OP)                                                       \
    static void NAME(uint64_t a0, uint64_t b)                                    \
    {                                                                            \
        uint8_t out[16];                                                         \
        uint64_t t, fl, t2 = b | 3;                                              \
        __asm__ volatile("bt $1, %[b]\n\tmov %[a0], %[a]\n\t" OP "\n\t" SET16     \
                         "pushfq\n\tpop %[fl]"                                   \
                         : [a] "=&r"(t), [fl] "=&r"(fl) : [a0] "r"(a0), [b] "c"(b), \
                           [p] "r"(out) : "cc", "memory");                       \
        mix(t); mix(fl & 0x8d5); mix_bytes(out);                                 \
        __asm__ volatile("bt $1, %[b]\n\tmov %[a0], %[a]\n\t" OP "\n\t"           \
                         "imul %[b], %[t2]\n\tpushfq\n\tpop %[fl]"              \
                         : [a] "=&r"(t), [fl] "=&r"(fl), [t2] "+r"(t2)           \
                         : [a0] "r"(a0), [b] "c"(b) : "cc");                     \
        mix(fl & 0x8d5); mix(t2);                                                \
        JALL(JSTART, "bt $1, %[b]\n\t" OP); mix_bytes(out);                     \
        JALL(JRUN, "bt $1, %[b]\n\t" OP); mix_bytes(out);                       \
    }

#define WIDTHS(NAME, MN, OPS)                                                    \
    PRODUCER(NAME##_b, MN "b " OPS("b"))                                         \
    PRODUCER(NAME##_w, MN "w " OPS("w"))                                         \
    PRODUCER(NAME##_l, MN "l " OPS("k"))                                         \
    PRODUCER(NAME##_q, MN "q " OPS("q"))

#define RR(W) "%" W "[b], %" W "[a]"
#define R(W) "%" W "[a]"
#define I1(W) "$1, %" W "[a]"
#define I3(W) "$3, %" W "[a]"
#define CL(W) "%%cl, %" W "[a]"

WIDTHS(add, "add", RR)
WIDTHS(sub, "sub", RR)
WIDTHS(cmp, "cmp", RR)
WIDTHS(and, "and", RR)
WIDTHS(or, "or", RR)
WIDTHS(xor, "xor", RR)
WIDTHS(test, "test", RR)
WIDTHS(adc, "adc", RR)
WIDTHS(sbb, "sbb", RR)
WIDTHS(inc, "inc", R)
WIDTHS(dec, "dec", R)
WIDTHS(neg, "neg", R)
WIDTHS(shl1, "shl", I1)
WIDTHS(shl3, "shl", I3)
WIDTHS(shr1, "shr", I1)
WIDTHS(shr3, "shr", I3)
WIDTHS(sar1, "sar", I1)
WIDTHS(sar3, "sar", I3)
WIDTHS(shlc, "shl", CL)
WIDTHS(shrc, "shr", CL)
WIDTHS(sarc, "sar", CL)
PRODUCER(imul_w, "imulw %w[b], %w[a]")

#define WLQ(NAME, MN, OPS)                                                       \
    PRODUCER(NAME##_w, MN "w " OPS("w"))                                         \
    PRODUCER(NAME##_l, MN "l " OPS("k"))                                         \
    PRODUCER(NAME##_q, MN "q " OPS("q"))
#define LQ(NAME, MN, OPS)                                                        \
    PRODUCER(NAME##_l, MN "l " OPS("k"))                                         \
    PRODUCER(NAME##_q, MN "q " OPS("q"))
#define RRR(W) "%" W "[b], %" W "[a], %" W "[a]"

WLQ(bsf, "bsf", RR)
WLQ(bsr, "bsr", RR)
WLQ(tzcnt, "cmpq %q[b], %q[a]\n\ttzcnt", RR)     /* OF kept from the cmp (AMD) */
WLQ(lzcnt, "cmpq %q[b], %q[a]\n\tlzcnt", RR)
WLQ(popcnt, "popcnt", RR)
WLQ(bt, "bt", RR)
WLQ(bts, "bts", RR)
LQ(andn, "andn", RRR)
LQ(blsi, "blsi", RR)
LQ(blsr, "blsr", RR)
LQ(blsmsk, "blsmsk", RR)
LQ(bextr, "bextr", RRR)
LQ(bzhi, "bzhi", RRR)
PRODUCER(imul_l, "imull %k[b], %k[a]")
PRODUCER(imul_q, "imulq %q[b], %q[a]")

#define ROW(NAME) { #NAME "_b", NAME##_b }, { #NAME "_w", NAME##_w }, \
                  { #NAME "_l", NAME##_l }, { #NAME "_q", NAME##_q }

#define WLQ_ROW(NAME) { #NAME "_w", NAME##_w }, LQ_ROW(NAME)
#define LQ_ROW(NAME) { #NAME "_l", NAME##_l }, { #NAME "_q", NAME##_q }

static const struct { const char *name; void (*fn)(uint64_t, uint64_t); } producers[] = {
    ROW(add), ROW(sub), ROW(cmp), ROW(and), ROW(or), ROW(xor), ROW(test), ROW(adc),
    ROW(sbb), ROW(inc), ROW(dec), ROW(neg), ROW(shl1), ROW(shl3), ROW(shr1), ROW(shr3),
    ROW(sar1), ROW(sar3), ROW(shlc), ROW(shrc), ROW(sarc),
    { "imul_w", imul_w }, { "imul_l", imul_l }, { "imul_q", imul_q },
    WLQ_ROW(bsf), WLQ_ROW(bsr), WLQ_ROW(tzcnt), WLQ_ROW(lzcnt), WLQ_ROW(popcnt),
    WLQ_ROW(bt), WLQ_ROW(bts), LQ_ROW(andn), LQ_ROW(blsi), LQ_ROW(blsr), LQ_ROW(blsmsk),
    LQ_ROW(bextr), LQ_ROW(bzhi),
};

static const uint64_t edges[] = {
    0, 1, 2, 0xf, 0x10, 0x7f, 0x80, 0x81, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff,
    0x8000000000000000, 0xfffffffffffffffe, 0xffffffffffffffff,
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
        for (int n = 0; n < 300; n++) {
            uint64_t a = next_random();
            producers[k].fn(a, next_random());
        }
        printf("%-8s %016llx\n", producers[k].name, (unsigned long long)hash);
    }
    return 0;
}
