/* flags_vector_pass.c -- arithmetic flags that live across SSE/AVX code.
 * The block planner takes vector instructions as passing the flags (none
 * reads them) and comis/ucomis as overwriting all six: a flag producer,
 * then vector ops, then a reader -- in one block, at the next block's
 * start, after a self-loop whose successor starts with vector ops, and
 * after ucomisd -- must see the producer's flags.  Output vs native. */
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

/* cmp, vector ops, then setcc/pushf in the same block. */
static void in_block(uint64_t a, uint64_t b, double *v)
{
    uint64_t fl;
    uint8_t l, be;
    __asm__ volatile("cmp %[b], %[a]\n\t"
                     "movupd (%[v]), %%xmm0\n\taddpd %%xmm0, %%xmm0\n\t"
                     "pxor %%xmm1, %%xmm1\n\tmovupd %%xmm0, (%[v])\n\t"
                     "setl %[l]\n\tsetbe %[be]\n\tpushfq\n\tpop %[fl]"
                     : [fl] "=r"(fl), [l] "=r"(l), [be] "=r"(be)
                     : [a] "r"(a), [b] "r"(b), [v] "r"(v) : "cc", "memory", "xmm0", "xmm1");
    mix(fl & 0x8d5); mix(l); mix(be);
}

/* sub, jmp, then vector ops and a jcc at the next block's start. */
static void next_block(uint64_t a, uint64_t b, double *v)
{
    uint64_t r = a, taken;
    __asm__ volatile("sub %[b], %[r]\n\tjmp 1f\n1:\t"
                     "movsd (%[v]), %%xmm2\n\tmulsd %%xmm2, %%xmm2\n\tmovsd %%xmm2, 8(%[v])\n\t"
                     "vpaddd %%xmm2, %%xmm2, %%xmm3\n\t"
                     "mov $0, %[t]\n\tjo 2f\n\tjg 3f\n\tjmp 4f\n"
                     "2:\tadd $1, %[t]\n3:\tadd $2, %[t]\n4:"
                     : [r] "+r"(r), [t] "=&r"(taken)
                     : [b] "r"(b), [v] "r"(v) : "cc", "memory", "xmm2", "xmm3");
    mix(r); mix(taken);
}

/* A self-loop over vector ops (matmul's shape); after it, more vector ops
 * and a reader of the loop's last cmp (n - i against 0: CF, ZF, SF). */
static void self_loop(double *x, double *y, uint64_t n)
{
    uint64_t i = 0, fl;
    __asm__ volatile("1:\tmovupd (%[x],%[i]), %%xmm0\n\tmovupd (%[y],%[i]), %%xmm5\n\t"
                     "mulpd %%xmm0, %%xmm0\n\taddpd %%xmm5, %%xmm0\n\t"
                     "movupd %%xmm0, (%[y],%[i])\n\tadd $16, %[i]\n\tcmp %[n], %[i]\n\tjb 1b\n\t"
                     "movupd (%[y]), %%xmm1\n\tsubpd %%xmm1, %%xmm1\n\tpushfq\n\tpop %[fl]"
                     : [i] "+r"(i), [fl] "=r"(fl)
                     : [x] "r"(x), [y] "r"(y), [n] "r"(n)
                     : "cc", "memory", "xmm0", "xmm1", "xmm5");
    mix(fl & 0x8d5); mix(i);
}

/* add, then ucomisd (all six overwritten), vector op, then the readers. */
static void after_ucomisd(uint64_t a, uint64_t b, double p, double q)
{
    uint64_t fl, r = a;
    __asm__ volatile("add %[b], %[r]\n\tucomisd %[q], %[p]\n\tmovapd %[p], %%xmm4\n\t"
                     "pushfq\n\tpop %[fl]"
                     : [fl] "=r"(fl), [r] "+r"(r)
                     : [b] "r"(b), [p] "x"(p), [q] "x"(q) : "cc", "xmm4");
    mix(fl & 0x8d5); mix(r);
}

static const uint64_t edges[] = {
    0, 1, 2, 0x7f, 0x80, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
    0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff,
};
#define N_EDGES (sizeof edges / sizeof edges[0])

int main(void)
{
    static double v[4] = { 1.5, -2.0, 3.25, 0.5 }, x[64], y[64];
    const double fs[] = { 0.0, -0.0, 1.0, -1.0, 1e300, 0.0 / 0.0 };
    for (unsigned i = 0; i < N_EDGES; i++)
        for (unsigned j = 0; j < N_EDGES; j++) {
            in_block(edges[i], edges[j], v);
            next_block(edges[i], edges[j], v);
            after_ucomisd(edges[i], edges[j], fs[i % 6], fs[j % 6]);
        }
    printf("in_block/next_block/ucomisd %016llx\n", (unsigned long long)hash);
    for (int k = 0; k < 64; k++) x[k] = k * 0.25, y[k] = 64 - k;
    for (uint64_t n = 16; n <= 512; n += 16) {
        hash = 14695981039346656037ull;
        self_loop(x, y, n);
        printf("self_loop %3llu %016llx\n", (unsigned long long)n, (unsigned long long)hash);
    }
    return 0;
}
