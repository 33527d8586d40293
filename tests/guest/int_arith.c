/* int_arith.c -- integer arithmetic at every width: signed and unsigned
 * add/sub/mul with wrap-around, shifts (logical and arithmetic), rotates
 * written as the usual idioms, comparisons and conversions between widths. */
#include <stdint.h>
#include <stdio.h>

static const uint64_t values[] = {
    0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x123456789abcdefull,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
    0xfffffffffffffffeull, 0xdeadbeefcafebabeull, 0x5555555555555555ull,
    0xaaaaaaaaaaaaaaaaull, 42, 1000003, 0xfedcba9876543210ull,
};
#define NV (sizeof values / sizeof values[0])

/* volatile keeps -O2 from folding everything at compile time. */
static volatile uint64_t sink;

#define ARITH(T, FMT, CAST)                                                   \
    static void arith_##T(void)                                               \
    {                                                                         \
        uint64_t h = 0;                                                       \
        for (unsigned i = 0; i < NV; i++)                                     \
            for (unsigned j = 0; j < NV; j++) {                               \
                volatile T a = (T)values[i], b = (T)values[j];                \
                T r[] = { a + b, a - b, a * b, a & b, a | b, a ^ b, ~a,       \
                          -a, a < b, a <= b, a == b, a > b };                 \
                for (unsigned k = 0; k < sizeof r / sizeof r[0]; k++)         \
                    h = h * 31 + (uint64_t)(CAST)r[k];                        \
                if (j == i)                                                   \
                    printf(#T " %2u: sum " FMT " diff " FMT " prod " FMT "\n", \
                           i, (CAST)r[0], (CAST)r[1], (CAST)r[2]);            \
            }                                                                 \
        printf(#T " hash %016llx\n", (unsigned long long)h);                  \
    }

ARITH(uint8_t, "%u", unsigned)
ARITH(int8_t, "%d", int)
ARITH(uint16_t, "%u", unsigned)
ARITH(int16_t, "%d", int)
ARITH(uint32_t, "%u", unsigned)
ARITH(int32_t, "%d", int)
ARITH(uint64_t, "%llu", unsigned long long)
ARITH(int64_t, "%lld", long long)

#define SHIFTS(T, BITS, CAST)                                                 \
    static void shifts_##T(void)                                              \
    {                                                                         \
        uint64_t h = 0;                                                       \
        for (unsigned i = 0; i < NV; i++)                                     \
            for (volatile unsigned n = 0; n < BITS; n++) {                    \
                volatile T a = (T)values[i];                                  \
                T shl = (T)(a << n), shr = (T)(a >> n);                       \
                T rol = (T)((a << n) | (a >> ((BITS - n) % BITS)));           \
                T ror = (T)((a >> n) | (a << ((BITS - n) % BITS)));           \
                h = h * 131 + (uint64_t)(CAST)shl;                            \
                h = h * 131 + (uint64_t)(CAST)shr;                            \
                h = h * 131 + (uint64_t)(CAST)rol;                            \
                h = h * 131 + (uint64_t)(CAST)ror;                            \
            }                                                                 \
        printf(#T " shift hash %016llx\n", (unsigned long long)h);           \
    }

/* Shifting a promoted int by >= its width is undefined: 8/16-bit values are
 * shifted as ints (n < 8/16 keeps the rotate idioms defined). */
SHIFTS(uint8_t, 8, unsigned)
SHIFTS(int8_t, 8, int)
SHIFTS(uint16_t, 16, unsigned)
SHIFTS(int16_t, 16, int)
SHIFTS(uint32_t, 32, unsigned)
SHIFTS(int32_t, 32, int)
SHIFTS(uint64_t, 64, unsigned long long)
SHIFTS(int64_t, 64, long long)

static void conversions(void)
{
    for (unsigned i = 0; i < NV; i++) {
        volatile uint64_t v = values[i];
        printf("conv %016llx: i8 %d u8 %u i16 %d u16 %u i32 %d u32 %u "
               "sx8 %lld sx16 %lld sx32 %lld\n",
               (unsigned long long)v, (int8_t)v, (uint8_t)v, (int16_t)v,
               (uint16_t)v, (int32_t)v, (uint32_t)v, (long long)(int8_t)v,
               (long long)(int16_t)v, (long long)(int32_t)v);
    }
}

static void overflow_builtins(void)
{
    for (unsigned i = 0; i < NV; i++)
        for (unsigned j = 0; j < NV; j += 3) {
            int64_t s;
            uint32_t u;
            int32_t s32;
            int o1 = __builtin_add_overflow((int64_t)values[i], (int64_t)values[j], &s);
            int o2 = __builtin_mul_overflow((uint32_t)values[i], (uint32_t)values[j], &u);
            int o3 = __builtin_sub_overflow((int32_t)values[i], (int32_t)values[j], &s32);
            sink = s + u + s32;
            printf("ovf %u %u: %d %d %d\n", i, j, o1, o2, o3);
        }
}

int main(void)
{
    arith_uint8_t(); arith_int8_t(); arith_uint16_t(); arith_int16_t();
    arith_uint32_t(); arith_int32_t(); arith_uint64_t(); arith_int64_t();
    shifts_uint8_t(); shifts_int8_t(); shifts_uint16_t(); shifts_int16_t();
    shifts_uint32_t(); shifts_int32_t(); shifts_uint64_t(); shifts_int64_t();
    conversions();
    overflow_builtins();
    return 0;
}
