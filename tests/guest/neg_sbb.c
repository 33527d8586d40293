/* neg_sbb.c -- subtractions from a constant: `neg` of each size with the
 * flags it leaves (CF, ZF, SF, OF, read by setcc and pushf), `sbb r, r`
 * (0 - CF) of each size after neg, cmp and add as python's dispatch does
 * (`neg cx; sbb sil, sil`), and `mov $C, r; sub x, r` with small, zero-
 * extended and 64-bit minuends.  The AArch64 backend takes the constant
 * minuend into the sub itself (0 as XZR: neg/negs) and turns a cset's
 * 0 - CF into csetm (a64_ops.c fold_cset_neg).  Output: the results, vs
 * native. */
#include <stdint.h>
#include <stdio.h>

static const uint64_t vals[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
    0xffffffff, 0x100000000, 0x7fffffffffffffff, 0x8000000000000000, 0xfffffffffffffffe,
    0xffffffffffffffff,
};
#define N_VALS (sizeof vals / sizeof vals[0])

/* neg of each size: the result (the other bits kept) and the flags. */
static void negs(uint64_t v)
{
    uint64_t r64 = v, r32 = v, r16 = v, r8 = v, fl;
    unsigned char c64, z64, s32, o16, c8;
    __asm__("neg %0\n\tsetc %1\n\tsetz %2" : "+r"(r64), "=q"(c64), "=q"(z64) : : "cc");
    __asm__("neg %k0\n\tsets %1" : "+r"(r32), "=q"(s32) : : "cc");
    __asm__("neg %w0\n\tseto %1" : "+r"(r16), "=q"(o16) : : "cc");
    __asm__("negb %b0\n\tsetc %1\n\tpushfq\n\tpopq %2" : "+q"(r8), "=q"(c8), "=r"(fl) : : "cc");
    printf("neg %016llx %016llx %016llx %016llx c%u z%u s%u o%u c%u fl %03llx\n",
           (unsigned long long)r64, (unsigned long long)r32, (unsigned long long)r16,
           (unsigned long long)r8, c64, z64, s32, o16, c8, (unsigned long long)(fl & 0x8d5));
}

/* sbb r, r after a carry from neg, cmp and add, at 64, 32, 16 and 8 bits
 * (the 8- and 16-bit forms keep the register's other bits). */
static void sbbs(uint64_t a, uint64_t b)
{
    uint64_t n64 = 0x1234567890abcdef, n32 = 0x1234567890abcdef, n8 = 0x1234567890abcdef;
    uint64_t c64 = a, c16 = 0xfedcba9876543210, add32 = a, x = a;
    __asm__("neg %1\n\tsbb %0, %0" : "+r"(n64), "+r"(x) : : "cc");
    x = b;
    __asm__("neg %w1\n\tsbb %k0, %k0" : "+r"(n32), "+r"(x) : : "cc");
    x = a;
    __asm__("neg %w1\n\tsbb %b0, %b0\n\tor %k1, %k0" : "+q"(n8), "+r"(x) : : "cc");
    __asm__("cmp %2, %1\n\tsbb %0, %0" : "=r"(c64) : "r"(a), "r"(b) : "cc");
    __asm__("cmp %k2, %k1\n\tsbb %w0, %w0" : "+r"(c16) : "r"(a), "r"(b) : "cc");
    __asm__("add %k2, %k0\n\tsbb %k0, %k0" : "+r"(add32) : "r"(a), "r"(b) : "cc");
    printf("sbb %016llx %016llx %016llx %016llx %016llx %016llx\n", (unsigned long long)n64,
           (unsigned long long)n32, (unsigned long long)n8, (unsigned long long)c64,
           (unsigned long long)c16, (unsigned long long)add32);
}

/* A constant minus a register, with and without the flags read. */
static void minuends(uint64_t v)
{
    uint64_t s5, s32, big, zero32;
    unsigned char cbig, z5;
    __asm__("mov $5, %0\n\tsub %2, %0\n\tsetz %1" : "=&r"(s5), "=q"(z5) : "r"(v) : "cc");
    __asm__("mov $0xfffff000, %k0\n\tsub %k1, %k0" : "=&r"(s32) : "r"(v) : "cc");
    __asm__("movabs $0x123456789abcdef0, %0\n\tsub %2, %0\n\tsetc %1"
            : "=&r"(big), "=q"(cbig) : "r"(v) : "cc");
    __asm__("xor %k0, %k0\n\tsub %k1, %k0" : "=&r"(zero32) : "r"(v) : "cc");
    printf("sub %016llx z%u %016llx %016llx c%u %016llx\n", (unsigned long long)s5, z5,
           (unsigned long long)s32, (unsigned long long)big, cbig, (unsigned long long)zero32);
}

int main(void)
{
    for (unsigned i = 0; i < N_VALS; i++) {
        negs(vals[i]);
        minuends(vals[i]);
        for (unsigned j = 0; j < N_VALS; j++)
            sbbs(vals[i], vals[j]);
    }
    return 0;
}
