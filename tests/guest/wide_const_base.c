/* wide_const_base.c -- a register loaded with a constant beyond 32 bits
 * (movabs, or PIC code's `lea rcx, [rip + table]` in the .pie and .dyn
 * builds) then used as a base or index and as an operand: ir_opt.c keeps
 * such a global as a register instead of folding the constant into each
 * use (wide_const_global), so the address is an ldx on the register --
 * valid only until the register changes: a byte, a 32-bit and a 64-bit
 * write to it before the next access must move that access.  Plus a dense
 * C switch (a jump table).  Output: the loaded values, vs native. */
#include <stdint.h>
#include <stdio.h>

#define K 0x5a5a123456780000ull         /* low byte 0: `mov cl, 8` adds 8 */

static int32_t table[64];

/* table[i] + K through [rsi + rcx], rsi = table - K, rcx = K + 4i. */
static uint64_t load_through_wide(uint64_t i)
{
    uint64_t r, base = (uint64_t)(uintptr_t)table - K;
    __asm__("movabs %2, %%rcx\n\t"
            "lea (%%rcx, %3, 4), %%rcx\n\t"
            "movslq (%1, %%rcx), %0\n\t"
            "add %%rcx, %0"
            : "=&r"(r) : "r"(base), "i"(K), "r"(i) : "rcx", "cc");
    return r - K - 4 * i;
}

/* The same register rewritten between two accesses: its low byte, then
 * its low 32 bits (zero-extending), then the whole of it. */
static void rewrites(uint64_t i, uint64_t out[4])
{
    uint64_t base = (uint64_t)(uintptr_t)table - K, a, b, c, d;
    __asm__("movabs %5, %%rcx\n\t"
            "movslq (%4, %%rcx), %0\n\t"
            "mov %b6, %%cl\n\t"
            "movslq (%4, %%rcx), %1\n\t"
            "mov %%rcx, %%rdx\n\t"
            "movabs %5, %%rcx\n\t"
            "mov %k7, %%ecx\n\t"
            "add %%rcx, %2\n\t"
            "movabs %5, %%rcx\n\t"
            "lea 16(%%rcx), %%rcx\n\t"
            "movslq (%4, %%rcx), %3\n\t"
            "sub %%rdx, %3"
            : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d)
            : "r"(base), "i"(K), "r"(i * 4), "r"(i), "2"(i * 3)
            : "rcx", "rdx", "cc");
    out[0] = a, out[1] = b, out[2] = c, out[3] = d;
}

__attribute__((noinline)) static int classify(unsigned op, int x)
{
    switch (op) {
    case 0: return x + 1;
    case 1: return x * 3;
    case 2: return x - 7;
    case 3: return x ^ 0x55;
    case 4: return x << 2;
    case 5: return x >> 1;
    case 6: return -x;
    case 7: return x & 0xf0;
    case 8: return x | 9;
    case 9: return x % 11;
    default: return 0;
    }
}

int main(void)
{
    for (int i = 0; i < 64; i++)
        table[i] = (int32_t)(i * 0x01010101u ^ 0x80000000u) - i * 977;
    for (uint64_t i = 0; i < 16; i++) {
        uint64_t o[4];
        rewrites(i, o);
        printf("%2llu %08llx %016llx %016llx %016llx %016llx\n", (unsigned long long)i,
               (unsigned long long)load_through_wide(i), (unsigned long long)o[0],
               (unsigned long long)o[1], (unsigned long long)o[2], (unsigned long long)o[3]);
    }
    int acc = 0;
    for (unsigned n = 0; n < 200; n++)
        acc = acc * 31 + classify((n * 7) % 12, (int)n - 50);
    printf("switch %d\n", acc);
    return 0;
}
