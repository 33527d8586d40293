/* divmod.c -- signed and unsigned division and modulo at every width,
 * including negative operands, INT_MIN / -1 avoided (it traps natively),
 * division by constants (compiled to multiply-by-reciprocal) and 128-bit. */
#include <stdint.h>
#include <stdio.h>

static const int64_t values[] = {
    0, 1, -1, 2, -2, 3, -3, 7, -7, 10, -10, 127, -128, 255, 256, 32767,
    -32768, 65535, 2147483647, -2147483647 - 1, 4294967295LL, 1000000007,
    -1000000007, INT64_MAX, INT64_MIN, 0x123456789abcdefLL, -0x123456789abcdefLL,
};
#define NV (sizeof values / sizeof values[0])

#define DIVMOD(T, FMT, CAST, MIN)                                             \
    static void divmod_##T(void)                                              \
    {                                                                         \
        unsigned long long h = 0;                                             \
        for (unsigned i = 0; i < NV; i++)                                     \
            for (unsigned j = 0; j < NV; j++) {                               \
                volatile T a = (T)values[i], b = (T)values[j];                \
                if (b == 0 || (a == MIN && b == (T)-1))                       \
                    continue;                                                 \
                T q = a / b, r = a % b;                                       \
                h = h * 1000003 + (unsigned long long)(CAST)q;                \
                h = h * 1000003 + (unsigned long long)(CAST)r;                \
                if (i % 4 == 0 && j % 3 == 0)                                 \
                    printf(#T " " FMT " / " FMT " = " FMT " rem " FMT "\n",   \
                           (CAST)a, (CAST)b, (CAST)q, (CAST)r);               \
            }                                                                 \
        printf(#T " hash %016llx\n", h);                                      \
    }

DIVMOD(int8_t, "%d", int, INT8_MIN)
DIVMOD(uint8_t, "%u", unsigned, 0xff00)
DIVMOD(int16_t, "%d", int, INT16_MIN)
DIVMOD(uint16_t, "%u", unsigned, 0xff0000)
DIVMOD(int32_t, "%d", int, INT32_MIN)
DIVMOD(uint32_t, "%u", unsigned, 0x1ffffffffULL)
DIVMOD(int64_t, "%lld", long long, INT64_MIN)
DIVMOD(uint64_t, "%llu", unsigned long long, 0)

static void by_constants(void)
{
    for (unsigned i = 0; i < NV; i++) {
        int64_t a = values[i];
        uint64_t u = (uint64_t)values[i];
        printf("const %lld: /3 %lld %%3 %lld /7 %lld /10 %lld %%10 %lld /-5 %lld "
               "u/3 %llu u/10 %llu u%%1000 %llu i32/9 %d u32/13 %u\n",
               (long long)a, (long long)(a / 3), (long long)(a % 3),
               (long long)(a / 7), (long long)(a / 10), (long long)(a % 10),
               (long long)(a / -5), (unsigned long long)(u / 3),
               (unsigned long long)(u / 10), (unsigned long long)(u % 1000),
               (int32_t)a / 9, (uint32_t)u / 13);
    }
}

static void wide(void)
{
    for (unsigned i = 0; i < NV; i++)
        for (unsigned j = 0; j < NV; j += 2) {
            volatile __int128 a = (__int128)values[i] * 0x10001, b = values[j];
            if (b == 0)
                continue;
            __int128 q = a / b, r = a % b;
            unsigned __int128 uq = (unsigned __int128)a / (unsigned __int128)b;
            printf("i128 %d %d: q %016llx%016llx r %lld uq %016llx\n", i, j,
                   (unsigned long long)(q >> 64), (unsigned long long)q,
                   (long long)r, (unsigned long long)uq);
        }
}

int main(void)
{
    divmod_int8_t(); divmod_uint8_t(); divmod_int16_t(); divmod_uint16_t();
    divmod_int32_t(); divmod_uint32_t(); divmod_int64_t(); divmod_uint64_t();
    by_constants();
    wide();
    return 0;
}
