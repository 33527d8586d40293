/* div_live_values.c -- divisions of every width in one loop body with
 * many values live across them, so that the translator's register
 * allocator holds values in the registers a division's host code borrows
 * (the x86-64 host keeps rax only when the allocator says it holds a value
 * it keeps past the division: x64_div.c, be_code.regs_held).  Each pass
 * mixes the quotients and remainders into sums that stay live; the sums
 * are printed and compared with the native run. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    volatile uint64_t seed = 0x9e3779b97f4a7c15ull;
    uint64_t x = seed, acc = 0, mix = 1;
    int64_t sacc = 0;
    uint32_t acc32 = 0;
    uint16_t acc16 = 0;
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t d = (x >> 40) | 1;
        uint64_t q64 = x / d, r64 = x % d;
        acc += q64 + r64;
        uint32_t d32 = (uint32_t)(d | 3);
        acc32 += (uint32_t)x / d32 + (uint32_t)x % d32;
        sacc += (int64_t)x / (int64_t)(d - 7) + (int64_t)x % (int64_t)(d - 7);
        sacc += (int32_t)x / (int32_t)(d + 5);
        uint16_t d16 = (uint16_t)(d | 1);
        acc16 += (uint16_t)((uint16_t)x / d16) ^ (uint16_t)((uint16_t)(x >> 16) % d16);
        uint8_t d8 = (uint8_t)(d | 1);
        mix = mix * 31 + (uint8_t)((uint8_t)x / d8) + (uint8_t)((uint8_t)(x >> 8) % d8);
        mix ^= q64 << (i & 7);
    }
    printf("%llu %lld %u %u %llu\n", (unsigned long long)acc, (long long)sacc, acc32,
           (unsigned)acc16, (unsigned long long)mix);
    return 0;
}
