/* bits.c -- bit tricks: popcount, clz, ctz, bswap, parity, ffs, masks and
 * the classic branch-free idioms (compiled to popcnt/lzcnt-free code at
 * -O2 without -march, i.e. to bsr/bsf, shifts and multiplies). */
#include <stdint.h>
#include <stdio.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void show(uint64_t v)
{
    volatile uint64_t x = v;
    uint32_t lo = (uint32_t)x;
    uint16_t h = (uint16_t)x;
    printf("%016llx pop %d/%d parity %d/%d clz %d/%d ctz %d/%d ffs %d/%d "
           "bswap %016llx %08x %04x\n",
           (unsigned long long)x, __builtin_popcountll(x), __builtin_popcount(lo),
           __builtin_parityll(x), __builtin_parity(lo),
           x ? __builtin_clzll(x) : -1, lo ? __builtin_clz(lo) : -1,
           x ? __builtin_ctzll(x) : -1, lo ? __builtin_ctz(lo) : -1,
           __builtin_ffsll(x), __builtin_ffs(lo),
           (unsigned long long)__builtin_bswap64(x), __builtin_bswap32(lo),
           __builtin_bswap16(h));
    printf("  lowest %016llx clear-lowest %016llx mask-below %016llx "
           "pow2 %d next-pow2-32 %08x abs %lld sign %d\n",
           (unsigned long long)(x & -x), (unsigned long long)(x & (x - 1)),
           (unsigned long long)((x & -x) - 1), x && !(x & (x - 1)),
           lo ? 1u << ((32 - __builtin_clz(lo - (lo > 1))) & 31) : 1,
           (long long)((int64_t)x < 0 ? -(int64_t)x : (int64_t)x),
           ((int64_t)x > 0) - ((int64_t)x < 0));
}

int main(void)
{
    static const uint64_t edges[] = {
        0, 1, 2, 3, 0x80, 0xff, 0x8000, 0xffff, 0x80000000, 0xffffffff,
        0x100000000ull, 0x8000000000000000ull, ~0ull, 0x0123456789abcdefull,
    };
    for (unsigned i = 0; i < sizeof edges / sizeof edges[0]; i++)
        show(edges[i]);
    for (int i = 0; i < 200; i++)
        show(next() >> (i % 64));
    uint64_t fields = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t v = next();
        unsigned pos = v % 60, len = 1 + v % 5;
        uint64_t mask = ((1ull << len) - 1) << pos;
        fields = (fields & ~mask) | (v & mask);
        fields ^= (fields >> pos) & 0xf;
    }
    printf("fields %016llx\n", (unsigned long long)fields);
    return 0;
}
