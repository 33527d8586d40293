/* shifted_operand.c -- a scaled index added outside a memory access: lea
 * with scales 2, 4 and 8, with and without a displacement, at 64 and 32
 * bits, its base or index the destination, and a C loop whose address
 * arithmetic the compiler leaves as lea.  The AArch64 backend folds the
 * shift into the add (`add x0, x13, x25, lsl #3`; ir_extfold.c).
 * Output: the sums, vs native. */
#include <stdint.h>
#include <stdio.h>

static const uint64_t vals[] = {
    0, 1, 3, 0x7f, 0x80, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000,
    0x1fffffffffffffff, 0x2000000000000000, 0x7fffffffffffffff, 0x8000000000000000,
    0xfffffffffffffffe, 0xffffffffffffffff,
};
#define N_VALS (sizeof vals / sizeof vals[0])

static void leas(uint64_t a, uint64_t b)
{
    uint64_t r2, r4, r8d, r8neg, r32, self, idx, a32;
    __asm__("lea (%1, %2, 2), %0" : "=r"(r2) : "r"(a), "r"(b));
    __asm__("lea (%1, %2, 4), %0" : "=r"(r4) : "r"(a), "r"(b));
    __asm__("lea 0x18(%1, %2, 8), %0" : "=r"(r8d) : "r"(a), "r"(b));
    __asm__("lea -0x1234(%1, %2, 8), %0" : "=r"(r8neg) : "r"(a), "r"(b));
    __asm__("lea 8(%1, %2, 4), %k0" : "=r"(r32) : "r"(a), "r"(b));
    __asm__("lea 0x10(%k1, %k2, 8), %0" : "=r"(a32) : "r"(a), "r"(b));   /* addr32 */
    self = a;
    __asm__("lea (%0, %1, 8), %0" : "+r"(self) : "r"(b));
    idx = b;
    __asm__("lea 4(%1, %0, 2), %0" : "+r"(idx) : "r"(a));
    printf("%016llx %016llx %016llx %016llx %08llx %016llx %016llx %016llx\n",
           (unsigned long long)r2, (unsigned long long)r4, (unsigned long long)r8d,
           (unsigned long long)r8neg, (unsigned long long)r32, (unsigned long long)self,
           (unsigned long long)idx, (unsigned long long)a32);
}

/* Row addresses as a matrix walk computes them. */
__attribute__((noinline)) static uint64_t rows(const uint64_t *m, long n, long stride)
{
    uint64_t sum = 0;
    for (long i = 0; i < n; i++) {
        const uint64_t *row = m + i * stride;
        sum = sum * 3 + row[i % stride] + (uint64_t)i * row[(2 * i + 1) % stride];
    }
    return sum;
}

int main(void)
{
    for (unsigned i = 0; i < N_VALS; i++)
        for (unsigned j = 0; j < N_VALS; j++)
            leas(vals[i], vals[j]);
    static uint64_t m[64 * 8];
    for (int i = 0; i < 64 * 8; i++)
        m[i] = (uint64_t)i * 0x9e3779b97f4a7c15ull;
    printf("rows %016llx\n", (unsigned long long)rows(m, 64, 8));
    return 0;
}
