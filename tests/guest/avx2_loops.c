/* avx2_loops.c -- AVX2 as compilers and libraries use it: integer loops
 * that GCC vectorises for x86-64-v3 (built -O3 -march=x86-64-v3 through
 * the pragmas below, whatever the build variant), AVX2 intrinsics
 * (shuffles, permutes, gathers, masked loads/stores, blends, movemask,
 * testz, sad/mpsadbw, packs, broadcasts, variable shifts) and glibc's
 * string functions on many lengths and alignments (glibc picks its AVX2
 * versions when CPUID says so).  Integer only: the output is checksums.
 */
#pragma GCC optimize("O3")
#pragma GCC target("arch=x86-64-v3")
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N 1000

static uint8_t u8a[N + 64], u8b[N + 64], u8c[N + 64];
static int16_t s16a[N], s16b[N];
static int32_t s32a[N], s32b[N], s32c[N];
static uint64_t u64a[N];

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t fnv(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

__attribute__((noinline)) static void sat_add(uint8_t *d, const uint8_t *a, const uint8_t *b, int n)
{
    for (int i = 0; i < n; i++) {
        int s = a[i] + b[i];
        d[i] = (uint8_t)(s > 255 ? 255 : s);
    }
}

__attribute__((noinline)) static int32_t dot16(const int16_t *a, const int16_t *b, int n)
{
    int32_t s = 0;
    for (int i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

__attribute__((noinline)) static void mix32(int32_t *d, const int32_t *a, const int32_t *b, int n)
{
    for (int i = 0; i < n; i++)
        d[i] = (a[i] * b[i]) ^ (a[i] >> (b[i] & 31)) ^ (int32_t)((uint32_t)b[i] << (a[i] & 15));
}

__attribute__((noinline)) static int32_t minmax(const int32_t *a, int n, int32_t *mx)
{
    int32_t lo = a[0], hi = a[0];
    for (int i = 1; i < n; i++) {
        lo = a[i] < lo ? a[i] : lo;
        hi = a[i] > hi ? a[i] : hi;
    }
    *mx = hi;
    return lo;
}

__attribute__((noinline)) static int count_eq(const uint8_t *a, const uint8_t *b, int n)
{
    int c = 0;
    for (int i = 0; i < n; i++)
        c += a[i] == b[i];
    return c;
}

__attribute__((noinline)) static uint64_t sum_abs_diff(const uint8_t *a, const uint8_t *b, int n)
{
    uint64_t s = 0;
    for (int i = 0; i < n; i++)
        s += (uint64_t)(a[i] > b[i] ? a[i] - b[i] : b[i] - a[i]);
    return s;
}

__attribute__((noinline)) static void widen(int32_t *d, const int16_t *a, const uint8_t *b, int n)
{
    for (int i = 0; i < n; i++)
        d[i] = a[i] * 3 + b[i];
}

__attribute__((noinline)) static uint64_t u64ops(const uint64_t *a, int n)
{
    uint64_t s = 0;
    for (int i = 0; i < n; i++)
        s += (a[i] >> 3) ^ (a[i] * 0x9e3779b1u) ^ (a[i] > 0x8000000000000000ull ? 1 : 0);
    return s;
}

static void loops(void)
{
    sat_add(u8c, u8a, u8b, N);
    printf("sat_add %016llx\n", (unsigned long long)fnv(u8c, N));
    printf("dot16 %d\n", dot16(s16a, s16b, N));
    mix32(s32c, s32a, s32b, N);
    printf("mix32 %016llx\n", (unsigned long long)fnv(s32c, sizeof s32c));
    int32_t hi, lo = minmax(s32a, N, &hi);
    printf("minmax %d %d\n", lo, hi);
    printf("count_eq %d, sad %llu\n", count_eq(u8a, u8c, N), (unsigned long long)sum_abs_diff(u8a, u8b, N));
    widen(s32c, s16a, u8b, N);
    printf("widen %016llx\n", (unsigned long long)fnv(s32c, sizeof s32c));
    printf("u64ops %016llx\n", (unsigned long long)u64ops(u64a, N));
}

static void intrinsics(void)
{
    uint64_t h = 0;
    for (int i = 0; i + 64 <= N; i += 37) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(u8a + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(u8b + i));
        __m256i idx = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(s32b + i)),
                                       _mm256_set1_epi32(N / 2 - 1));
        __m256i r = _mm256_shuffle_epi8(a, b);
        r = _mm256_xor_si256(r, _mm256_permutevar8x32_epi32(b, a));
        r = _mm256_add_epi32(r, _mm256_i32gather_epi32(s32a, idx, 4));
        __m256i mask = _mm256_cmpgt_epi32(b, a);
        r = _mm256_add_epi32(r, _mm256_maskload_epi32(s32b + i, mask));
        r = _mm256_blendv_epi8(r, _mm256_sad_epu8(a, b), b);
        r = _mm256_add_epi16(r, _mm256_mpsadbw_epu8(a, b, 0x2d));
        r = _mm256_packus_epi16(r, _mm256_cmpgt_epi64(a, b));
        r = _mm256_permute4x64_epi64(r, 0x4e);
        r = _mm256_inserti128_si256(r, _mm256_castsi256_si128(a), 1);
        r = _mm256_or_si256(r, _mm256_broadcastb_epi8(_mm256_castsi256_si128(b)));
        r = _mm256_sllv_epi32(r, _mm256_and_si256(b, _mm256_set1_epi32(31)));
        r = _mm256_srav_epi32(r, _mm256_and_si256(a, _mm256_set1_epi32(63)));
        r = _mm256_alignr_epi8(r, a, 7);
        r = _mm256_unpackhi_epi8(r, _mm256_abs_epi8(b));
        r = _mm256_mullo_epi32(r, _mm256_cvtepu8_epi32(_mm256_castsi256_si128(a)));
        r = _mm256_hadd_epi16(r, _mm256_sign_epi16(a, b));
        r = _mm256_blend_epi32(r, _mm256_avg_epu8(a, b), 0x5a);
        int64_t i64[4] = { i % 400, -(i % 300), (2 * i) % 499, 3 };
        __m256i g64 = _mm256_i64gather_epi64((const long long *)u64a + N / 2,
                                             _mm256_loadu_si256((const __m256i *)i64), 8);
        r = _mm256_add_epi64(r, g64);
        _mm256_maskstore_epi32(s32c + i, mask, r);
        uint32_t mm = (uint32_t)_mm256_movemask_epi8(r);
        int tz = _mm256_testz_si256(r, a), tc = _mm256_testc_si256(r, a);
        h = h * 31 + fnv(&r, 32) + mm + (uint64_t)tz * 7 + (uint64_t)tc * 13;
        h += (uint64_t)_mm_extract_epi32(_mm256_extracti128_si256(r, 1), 2);
    }
    printf("intrinsics %016llx, maskstore %016llx\n", (unsigned long long)h,
           (unsigned long long)fnv(s32c, sizeof s32c));
}

static void strings(void)
{
    static char buf[4200];
    uint64_t h = 0;
    for (int i = 0; i < 4096; i++)
        buf[i] = (char)('a' + (next() % 26));
    for (int len = 0; len < 300; len += 7)
        for (int off = 0; off < 64; off += 9) {
            char save = buf[off + len];
            buf[off + len] = 0;
            h = h * 131 + strlen(buf + off);
            h = h * 131 + (uint64_t)(strchr(buf + off, 'q') ? strchr(buf + off, 'q') - buf : -1);
            h = h * 131 + (uint64_t)(memchr(buf + off, 'z', (size_t)len) ? 1 : 0);
            h = h * 131 + (uint64_t)(strrchr(buf + off, 'e') ? strrchr(buf + off, 'e') - buf : -1);
            int c1 = strcmp(buf + off, buf + 1), c2 = memcmp(buf + off, buf + off + 1, (size_t)len / 2);
            h = h * 131 + (uint64_t)((c1 > 0) - (c1 < 0) + 2) + 4 * (uint64_t)((c2 > 0) - (c2 < 0) + 2);
            h = h * 131 + strnlen(buf + off, (size_t)len / 3);
            buf[off + len] = save;
        }
    char tmp[600];
    memset(tmp, 0, sizeof tmp);
    for (int len = 0; len < 500; len += 13) {
        memcpy(tmp + 3, buf + len, (size_t)len);
        memmove(tmp + 5, tmp + 3, (size_t)len);
        memset(tmp + len / 2, len & 0xff, (size_t)len / 3);
        h = h * 131 + fnv(tmp, (size_t)len + 8);
    }
    printf("strings %016llx\n", (unsigned long long)h);
}

int main(void)
{
    for (int i = 0; i < N + 64; i++) {
        uint64_t r = next();
        u8a[i] = (uint8_t)r, u8b[i] = (uint8_t)(r >> 8), u8c[i] = (uint8_t)(r >> 16);
    }
    for (int i = 0; i < N; i++) {
        uint64_t r = next();
        s16a[i] = (int16_t)r, s16b[i] = (int16_t)(r >> 16);
        s32a[i] = (int32_t)(r >> 3), s32b[i] = (int32_t)(r >> 29);
        u64a[i] = next();
    }
    loops();
    intrinsics();
    strings();
    return 0;
}
