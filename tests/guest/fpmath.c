/* fpmath.c -- double and float arithmetic (+ - * / sqrt, fabs, fmin/fmax),
 * conversions int <-> double/float (including out-of-range values, which
 * cvttsd2si turns into the "integer indefinite" 0x80..0), comparisons with
 * NaN and infinities, rounding functions, and a few libm functions. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const double values[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, -1.5, 2.5, 3.0, 1e-300, 4.9e-324, 2.2e-308,
    1e300, -1e300, 123.456, -987.654, 2147483647.0, 2147483648.0,
    -2147483649.0, 9.2233720368547758e18, 1.8446744073709552e19, 1e20,
    INFINITY, -INFINITY, NAN,
};
#define NV (sizeof values / sizeof values[0])

static uint64_t bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* NaN sign/payload after an operation is CPU-defined: print NaNs as NaN. */
static void put(double d)
{
    if (isnan(d))
        printf(" nan");
    else
        printf(" %016llx", (unsigned long long)bits(d));
}

static void putf(float f)
{
    if (isnan(f))
        printf(" nan");
    else
        printf(" %08x", fbits(f));
}

int main(void)
{
    for (unsigned i = 0; i < NV; i++)
        for (unsigned j = 0; j < NV; j++) {
            volatile double a = values[i], b = values[j];
            volatile float fa = (float)a, fb = (float)b;
            printf("%u %u:", i, j);
            put(a + b); put(a - b); put(a * b); put(a / b);
            putf(fa + fb); putf(fa * fb); putf(fa / fb);
            printf(" cmp %d%d%d%d%d%d", a < b, a <= b, a == b, a != b, a > b,
                   a >= b);
            printf(" u %d%d", isunordered(a, b), isless(a, b));
            put(fmin(a, b)); put(fmax(a, b));
            printf("\n");
        }
    for (unsigned i = 0; i < NV; i++) {
        volatile double a = values[i];
        printf("%u:", i);
        put(sqrt(fabs(a))); put(-a); put(fabs(a)); putf(sqrtf(fabsf((float)a)));
        put(floor(a)); put(ceil(a)); put(trunc(a)); put(round(a)); put(rint(a));
        put(nearbyint(a));
        /* out-of-range conversions: x86 gives 0x8000...; printed as-is */
        printf(" i32 %d i64 %lld u32 %u", (int32_t)a, (long long)a,
               a >= 0 && a < 4294967296.0 ? (uint32_t)a : 0u);
        printf(" lrint %ld", isfinite(a) && fabs(a) < 9e18 ? lrint(a) : 0L);
        put((double)(float)a); put((double)(int64_t)(a > -9e18 && a < 9e18 ? a : 0));
        printf("\n");
    }
    static const int64_t ints[] = { 0, 1, -1, 3, 1 << 24 | 1, (1LL << 53) + 1,
                                    INT64_MAX, INT64_MIN, -12345678901LL };
    for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        volatile int64_t v = ints[i];
        printf("int %lld:", (long long)v);
        put((double)v); putf((float)v); put((double)(uint64_t)v); putf((float)(uint64_t)v);
        put((double)(int32_t)v); put((double)(uint32_t)v);
        printf("\n");
    }
    double acc = 0;
    for (int i = 1; i <= 1000; i++)
        acc += 1.0 / ((double)i * i);
    printf("basel %.17g\n", acc);
    printf("libm %.15g %.15g %.15g %.15g %.15g %.15g %.15g\n", exp(1.0),
           log(10.0), pow(2.0, 0.5), sin(1.0), cos(1.0), atan2(1.0, 2.0),
           fmod(10.5, 3.0));
    return 0;
}
