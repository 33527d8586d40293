/* hash.c -- benchmark: an open-addressing hash table of 64-bit keys
 * (multiplies, shifts, unpredictable branches, random memory access). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    enum { SLOTS = 1 << 20, OPS = 6000000 };
    uint64_t *keys = calloc(SLOTS, sizeof *keys);
    uint32_t *vals = calloc(SLOTS, sizeof *vals);
    uint64_t x = 88172645463325252ull, found = 0, inserted = 0;
    for (uint32_t op = 0; op < OPS; op++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t key = (x % 700000) + 1;
        uint64_t h = (key * 0x9e3779b97f4a7c15ull) >> 44;
        while (keys[h] && keys[h] != key)
            h = (h + 1) & (SLOTS - 1);
        if (keys[h] == key) {
            found++;
            vals[h] += op;
        } else {
            keys[h] = key;
            vals[h] = op;
            inserted++;
        }
    }
    uint64_t sum = 0;
    for (uint32_t i = 0; i < SLOTS; i++)
        sum += vals[i] * (keys[i] & 0xff);
    printf("inserted %llu found %llu sum %llu\n", (unsigned long long)inserted,
           (unsigned long long)found, (unsigned long long)sum);
    return 0;
}
