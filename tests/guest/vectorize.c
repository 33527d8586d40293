/* vectorize.c -- loops gcc -O2 auto-vectorizes with SSE2 (packed integer and
 * double arithmetic, shuffles, reductions), next to their -O0 scalar form:
 * both builds must print the same. */
#include <stdint.h>
#include <stdio.h>

#define N 1027

static int32_t a32[N], b32[N], c32[N];
static int16_t a16[N], b16[N];
static uint8_t a8[N], b8[N];
static double ad[N], bd[N];
static float af[N];

int main(void)
{
    uint32_t x = 7;
    for (int i = 0; i < N; i++) {
        x = x * 1664525 + 1013904223;
        a32[i] = (int32_t)x >> 3;
        b32[i] = (int32_t)(x << 7) ^ i;
        a16[i] = (int16_t)(x >> 11);
        b16[i] = (int16_t)(x >> 3);
        a8[i] = (uint8_t)(x >> 17);
        b8[i] = (uint8_t)(x >> 9);
        ad[i] = (double)(int32_t)x / 4096.0;
        bd[i] = i * 0.25 - 100;
        af[i] = (float)((int)(x >> 12) - 500000) / 3.0f;
    }
    for (int i = 0; i < N; i++)
        c32[i] = a32[i] * 3 + (b32[i] >> 2) - (a32[i] & b32[i]);
    int64_t s32 = 0;
    int32_t mx = INT32_MIN, mn = INT32_MAX;
    for (int i = 0; i < N; i++) {
        s32 += c32[i];
        mx = c32[i] > mx ? c32[i] : mx;
        mn = c32[i] < mn ? c32[i] : mn;
    }
    int32_t s16 = 0;
    for (int i = 0; i < N; i++) {
        a16[i] = (int16_t)(a16[i] + b16[i]);
        s16 += a16[i] * b16[i];
    }
    uint32_t s8 = 0, cnt = 0;
    for (int i = 0; i < N; i++) {
        uint8_t avg = (uint8_t)((a8[i] + b8[i] + 1) >> 1);
        a8[i] = a8[i] > b8[i] ? a8[i] - b8[i] : b8[i] - a8[i];
        s8 += avg + a8[i];
        cnt += a8[i] == 0x20;
    }
    double dot = 0;
    for (int i = 0; i < N; i++) {
        ad[i] = ad[i] * 0.5 + bd[i];
        dot += ad[i] * bd[i];
    }
    float fs = 0;
    for (int i = 0; i < N; i++)
        fs += af[i] * af[i] > 1e6f ? 1.0f : af[i] * 0.001f;
    printf("i32 sum %lld max %d min %d\n", (long long)s32, mx, mn);
    printf("i16 %d i8 %u %u\n", s16, s8, cnt);
    printf("dot %.17g float %.9g\n", dot, fs);
    return 0;
}
