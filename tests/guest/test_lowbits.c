/* test_lowbits.c -- tests and ands of a register's low byte, word or
 * dword (`test al, 1`, movzx + and) with the bits above them set: the
 * AArch64 backend drops the zero extension before such an and when the
 * mask lies within the extended bits (a64_ops.c fold_uext_and) and must
 * keep it otherwise.  Output: flags and results per value, vs native. */
#include <stdint.h>
#include <stdio.h>

static const uint64_t vals[] = {
    0, 1, 0x80, 0xff, 0x100, 0x101, 0x1fe, 0x8000, 0xffff, 0x18001, 0x80000000, 0xffffffff,
    0x100000001, 0xffffffffffffff00, 0xfffffffffffffffe, 0x8000000000000081,
};
#define N_VALS (sizeof vals / sizeof vals[0])

int main(void)
{
    for (unsigned i = 0; i < N_VALS; i++) {
        uint64_t x = vals[i], r1, r2, r3, r4, r5;
        unsigned char z1, s2, z3, z4, s5, z6;
        /* each on its own value (x ^ k): no extension shared between them */
        __asm__("test $1, %b1\n\tsetz %0" : "=r"(z1) : "r"(x) : "cc");
        __asm__("test $0x80, %b1\n\tsets %0" : "=r"(s2) : "r"(x ^ 0x100) : "cc");
        __asm__("test $0xf0, %b1\n\tsetz %0" : "=r"(z3) : "r"(x ^ 0x200) : "cc");
        __asm__("test $0x8000, %w1\n\tsetz %0" : "=r"(z4) : "r"(x ^ 0x30000) : "cc");
        __asm__("test $0x81, %b1\n\tsets %0" : "=r"(s5) : "r"(x ^ 0x400) : "cc");
        __asm__("test $0x80000000, %k1\n\tsetz %0" : "=r"(z6) : "r"(x ^ 0x500000000) : "cc");
        __asm__("movzbl %b1, %k0\n\tand $3, %k0" : "=r"(r1) : "r"(x ^ 0x600) : "cc");
        __asm__("movzbl %b1, %k0\n\tand $0x1ff, %k0" : "=r"(r2) : "r"(x ^ 0x700) : "cc");
        __asm__("movzwl %w1, %k0\n\tand $0xff00, %k0" : "=r"(r3) : "r"(x ^ 0x80000) : "cc");
        __asm__("movzwl %w1, %k0\n\tand $0x3ffff, %k0" : "=r"(r4) : "r"(x ^ 0x90000) : "cc");
        __asm__("mov %k1, %k0\n\tand $0x7fffffff, %0" : "=r"(r5) : "r"(x ^ 0xa00000000) : "cc");
        printf("%016llx z1 %d s2 %d z3 %d z4 %d s5 %d z6 %d r %llx %llx %llx %llx %llx\n",
               (unsigned long long)x, z1, s2, z3, z4, s5, z6, (unsigned long long)r1,
               (unsigned long long)r2, (unsigned long long)r3, (unsigned long long)r4,
               (unsigned long long)r5);
    }
    return 0;
}
