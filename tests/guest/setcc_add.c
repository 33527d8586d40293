/* setcc_add.c -- a compare's carry or condition added to a register, as
 * `adc r, 0` (sieve's count of zero bytes: cmp byte [p], 1; adc rdx, 0),
 * `sbb`-free setcc + movzx + add, and the 32-bit forms, over operands
 * around the carry, sign and overflow boundaries: the AArch64 backend
 * folds the cset of such a condition into `cinc` (a64_ops.c
 * fold_cset_add).  Output: the sums, vs native. */
#include <stdint.h>
#include <stdio.h>

static const uint64_t vals[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000,
    0x7fffffffffffffff, 0x8000000000000000, 0xfffffffffffffffe, 0xffffffffffffffff,
};
#define N_VALS (sizeof vals / sizeof vals[0])

/* Zero bytes of p[0..n) counted as sieve.c's inner loop compiles. */
static uint64_t count_zero_bytes(const unsigned char *p, long n)
{
    uint64_t count = 0;
    for (long i = 0; i < n; i++)
        __asm__("cmpb $1, (%1,%2)\n\tadc $0, %0" : "+r"(count) : "r"(p), "r"(i) : "cc");
    return count;
}

int main(void)
{
    unsigned char bytes[64];
    for (int i = 0; i < 64; i++)
        bytes[i] = (unsigned char)((i * 37) % 5 == 0 ? 0 : i);
    printf("zero bytes %llu\n", (unsigned long long)count_zero_bytes(bytes, 64));
    for (unsigned i = 0; i < N_VALS; i++) {
        uint64_t adc = 0, adc32 = 5, below = 0, less = 0, eq32 = 7, over = 0;
        for (unsigned j = 0; j < N_VALS; j++) {
            uint64_t a = vals[i], b = vals[j];
            __asm__("cmp %2, %1\n\tadc $0, %0" : "+r"(adc) : "r"(a), "r"(b) : "cc");
            __asm__("cmp %k2, %k1\n\tadc $0, %k0" : "+r"(adc32) : "r"(a), "r"(b) : "cc");
            __asm__("cmp %2, %1\n\tsetb %%al\n\tmovzbl %%al, %%eax\n\tadd %%rax, %0\n\t"
                    "cmp %1, %1"
                    : "+r"(below) : "r"(a), "r"(b) : "rax", "cc");
            __asm__("cmp %2, %1\n\tsetl %%al\n\tmovzbl %%al, %%eax\n\tadd %0, %%rax\n\t"
                    "mov %%rax, %0\n\tcmp %1, %1"
                    : "+r"(less) : "r"(a), "r"(b) : "rax", "cc");
            __asm__("cmp %k2, %k1\n\tsete %%al\n\tmovzbl %%al, %%eax\n\tadd %%eax, %k0\n\t"
                    "cmp %1, %1"
                    : "+r"(eq32) : "r"(a), "r"(b) : "rax", "cc");
            __asm__("add %2, %1\n\tseto %%al\n\tmovzbl %%al, %%eax\n\tadd %%rax, %0\n\t"
                    "cmp %1, %1"
                    : "+r"(over), "+r"(a) : "r"(b) : "rax", "cc");
        }
        printf("%2u adc %llx adc32 %llx below %llx less %llx eq32 %llx over %llx\n", i,
               (unsigned long long)adc, (unsigned long long)adc32, (unsigned long long)below,
               (unsigned long long)less, (unsigned long long)eq32, (unsigned long long)over);
    }
    return 0;
}
