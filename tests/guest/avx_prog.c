/* avx_prog.c -- a guest program built for x86-64-v3 (-O3 -march=x86-64-v3):
 * vectorised float and double loops (saxpy, dot products, a small matrix
 * product, a polynomial, min/max/abs, conversions), FMA, AVX and F16C
 * intrinsics, and a numeric kernel whose rounding shows whether every
 * multiply-add was fused once.  Output: the results in hex and decimal. */
//@cflags: -march=x86-64-v3 -mno-avx2 -O3
// (-mno-avx2 while AVX2's 256-bit integer forms are not in: then drop it)
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N 1003

static float fa[N], fb[N], fc[N];
static double da[N], db[N], dc[N];

static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static uint64_t dbits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

__attribute__((noinline)) static void saxpy(float a, const float *x, float *y, int n)
{
    for (int i = 0; i < n; i++)
        y[i] = a * x[i] + y[i];
}

__attribute__((noinline)) static double ddot(const double *x, const double *y, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += x[i] * y[i];
    return s;
}

__attribute__((noinline)) static void poly(const float *x, float *y, int n)
{
    for (int i = 0; i < n; i++) {
        float t = x[i];
        y[i] = ((0.25f * t - 1.5f) * t + 3.0f) * t - 0.75f;
    }
}

__attribute__((noinline)) static void clampabs(const double *x, double *y, int n)
{
    for (int i = 0; i < n; i++)
        y[i] = fmin(fmax(fabs(x[i]) * 0.5, 1e-3), 250.0);
}

#define M 24
static float A[M][M], B[M][M], C[M][M];

__attribute__((noinline)) static void matmul(void)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            float s = 0;
            for (int k = 0; k < M; k++)
                s += A[i][k] * B[k][j];
            C[i][j] = s;
        }
}

__attribute__((noinline)) static void conversions(const float *x, double *d, int *r, int n)
{
    for (int i = 0; i < n; i++) {
        d[i] = (double)x[i] * 1.0000001;
        r[i] = (int)(x[i] * 16.0f);
    }
}

static void intrinsics(void)
{
    __m256 a = _mm256_setr_ps(1.5f, -2.25f, 3.0f, 1e-3f, 7.0f, -0.0f, 1e30f, 2.0f);
    __m256 b = _mm256_setr_ps(0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f);
    __m256 c = _mm256_set1_ps(-0.125f);
    __m256 r[8] = {
        _mm256_fmadd_ps(a, b, c), _mm256_fmsub_ps(a, b, c), _mm256_fnmadd_ps(a, b, c),
        _mm256_fmaddsub_ps(a, b, c), _mm256_permute_ps(a, 0x1b),
        _mm256_permute2f128_ps(a, b, 0x21), _mm256_blendv_ps(a, b, _mm256_cmp_ps(a, b, _CMP_LT_OQ)),
        _mm256_round_ps(_mm256_mul_ps(a, b), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC),
    };
    for (int k = 0; k < 8; k++) {
        float f[8];
        _mm256_storeu_ps(f, r[k]);
        printf("ymm%d:", k);
        for (int i = 0; i < 8; i++)
            printf(" %08x", fbits(f[i]));
        printf("\n");
    }
    __m256d x = _mm256_setr_pd(1.0 / 3, -2.5, 1e-300, 4.0);
    __m256d y = _mm256_fmadd_pd(x, x, _mm256_set1_pd(-1.0 / 9));
    double dd[4];
    _mm256_storeu_pd(dd, y);
    printf("pd: %016llx %016llx %016llx %016llx\n", (unsigned long long)dbits(dd[0]),
           (unsigned long long)dbits(dd[1]), (unsigned long long)dbits(dd[2]),
           (unsigned long long)dbits(dd[3]));
    printf("movmsk %d testz %d testc %d\n", _mm256_movemask_ps(a), _mm256_testz_ps(a, b),
           _mm256_testc_ps(a, c));
    __m128i h = _mm256_cvtps_ph(a, _MM_FROUND_TO_NEAREST_INT);
    __m256 back = _mm256_cvtph_ps(h);
    float f[8];
    _mm256_storeu_ps(f, back);
    printf("f16:");
    for (int i = 0; i < 8; i++)
        printf(" %g", f[i]);
    printf("\n");
    __m128 s = _mm_fmadd_ss(_mm_set_ss(3.0f), _mm_set_ss(1.0f / 3), _mm_set_ss(-1.0f));
    printf("fmadd_ss %08x\n", fbits(_mm_cvtss_f32(s)));
}

int main(void)
{
    for (int i = 0; i < N; i++) {
        fa[i] = (float)(i % 97) * 0.37f - 11.0f;
        fb[i] = (float)((i * 31) % 101) / 7.0f;
        da[i] = (double)i * 1.0e-3 - 0.4;
        db[i] = 1.0 / (double)(i + 1);
    }
    saxpy(1.75f, fa, fb, N);
    uint32_t h = 0;
    for (int i = 0; i < N; i++)
        h = h * 31 + fbits(fb[i]);
    printf("saxpy hash %08x fb[500] %.9g\n", h, fb[500]);
    double s = ddot(da, db, N);
    printf("ddot %016llx %.17g\n", (unsigned long long)dbits(s), s);
    poly(fa, fc, N);
    h = 0;
    for (int i = 0; i < N; i++)
        h = h * 31 + fbits(fc[i]);
    printf("poly hash %08x %.9g\n", h, fc[7]);
    clampabs(da, dc, N);
    printf("clamp %.17g %.17g\n", dc[3], dc[900]);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            A[i][j] = (float)(i - j) * 0.5f + 0.1f;
            B[i][j] = (float)((i * j) % 7) - 3.0f;
        }
    matmul();
    h = 0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++)
            h = h * 31 + fbits(C[i][j]);
    printf("matmul hash %08x %.9g\n", h, C[5][17]);
    static double cd[N];
    static int ci[N];
    conversions(fa, cd, ci, N);
    uint64_t hh = 0;
    for (int i = 0; i < N; i++)
        hh = hh * 31 + dbits(cd[i]) + (uint64_t)ci[i];
    printf("conversions hash %016llx\n", (unsigned long long)hh);
    intrinsics();
    return 0;
}
