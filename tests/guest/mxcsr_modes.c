/* mxcsr_modes.c -- MXCSR's control bits (rounding, DAZ, FTZ, exception
 * masks) changed in the middle of hot float loops, by every way a program
 * can change them: ldmxcsr, fxrstor, xrstor, a signal handler editing its
 * frame's MXCSR (sigreturn loads it), and the handler's own clean MXCSR.
 * Each loop runs SSE (and AVX/FMA where the CPU has them) scalar and
 * packed arithmetic, sqrt, min, compares and rounding-mode-dependent
 * conversions on operands that round, on denormals (DAZ) and on products
 * that underflow (FTZ), and prints a digest of its results before and
 * after the change with MXCSR (flags included).  Loops run twice, so the
 * second run finds code already translated for both modes; a variant
 * changes MXCSR and computes in the same straight-line code (one block).
 * Unmasking: divide-by-zero unmasked mid-loop raises SIGFPE at the
 * division; the handler masks it again in the frame (and sets a rounding
 * mode), so the division re-runs and the loop goes on; the same when
 * overflow is unmasked in a hot loop whose float division overflows. */
#define _GNU_SOURCE
#include <cpuid.h>
#include <immintrin.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#define N 4000
#define MX_DEFAULT 0x1f80u
#define RC_DOWN 0x2000u
#define RC_UP 0x4000u
#define RC_ZERO 0x6000u
#define FTZ 0x8000u
#define DAZ 0x0040u
#define ZM 0x0200u

static int has_avx, has_fma, has_xsave;
static uint8_t fx_area[512] __attribute__((aligned(16)));
static uint8_t xs_area[4096] __attribute__((aligned(64)));

/* Operands: normal values that round, denormals, tiny ones, a zero. */
static volatile double vd[16] = {
    1.0 / 3, 2.0 / 7, 10.1, -3.3, 1e-310, -2.5e-312, 1e-200, 7.5, -0.1, 2.5, 3.5, -1.5,
    1e-160, 123456.789, -9.99e-5, 0.0,
};
static volatile float vf[16] = {
    1.0f / 3, 2.0f / 7, 10.1f, -3.3f, 1e-40f, -2.5e-42f, 1e-20f, 7.5f, -0.1f, 2.5f, 3.5f, -1.5f,
    1e-25f, 12345.678f, -9.99e-5f, 0.0f,
};

static uint64_t digest;

static void mix(uint64_t v)
{
    digest = (digest ^ v) * 0x100000001b3ull;
}

static void mix128(__m128i v)
{
    uint64_t q[2];
    memcpy(q, &v, 16);
    mix(q[0]);
    mix(q[1]);
}

static uint32_t mxcsr_get(void)
{
    uint32_t m;
    __asm__ volatile("stmxcsr %0" : "=m"(m) : : "memory");
    return m;
}

static void mxcsr_set(uint32_t m)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(m) : "memory");
}

/* One step of the hot loop: SSE scalar and packed, float and double. */
static __attribute__((noinline)) void step_sse(int i)
{
    __m128d a = _mm_set_pd(vd[i & 15], vd[(i + 3) & 15]);
    __m128d b = _mm_set_pd(vd[(i * 7 + 1) & 15] + 1.0, vd[(i * 5 + 2) & 15] - 2.0);
    __m128 fa = _mm_set_ps(vf[i & 15], vf[(i + 1) & 15], vf[(i + 4) & 15], vf[(i + 9) & 15]);
    __m128 fb = _mm_set_ps(vf[(i * 3) & 15], 3.0f, vf[(i * 7 + 1) & 15] + 1.0f, -7.0f);
    mix128(_mm_castpd_si128(_mm_div_pd(a, b)));
    mix128(_mm_castpd_si128(_mm_mul_pd(a, b)));
    mix128(_mm_castpd_si128(_mm_add_sd(a, b)));
    mix128(_mm_castpd_si128(_mm_sub_pd(a, b)));
    mix128(_mm_castpd_si128(_mm_sqrt_pd(_mm_max_pd(a, _mm_setzero_pd()))));
    mix128(_mm_castpd_si128(_mm_min_pd(a, b)));
    mix128(_mm_castpd_si128(_mm_cmplt_pd(a, b)));
    mix128(_mm_castps_si128(_mm_div_ps(fa, fb)));
    mix128(_mm_castps_si128(_mm_mul_ps(fa, fb)));
    mix128(_mm_castps_si128(_mm_add_ss(fa, fb)));
    mix128(_mm_castps_si128(_mm_sqrt_ss(_mm_max_ss(fa, _mm_setzero_ps()))));
    mix128(_mm_cvtps_epi32(_mm_mul_ps(fa, _mm_set1_ps(10.0f))));
    mix128(_mm_cvtpd_epi32(_mm_mul_pd(a, _mm_set1_pd(10.0))));
    mix((uint64_t)(int64_t)_mm_cvtsd_si64(_mm_mul_sd(a, _mm_set_sd(4.0))));
    mix((uint32_t)_mm_cvtss_si32(_mm_mul_ss(fa, _mm_set_ss(4.0f))));
    mix128(_mm_castps_si128(_mm_cvtpd_ps(_mm_div_pd(a, b))));
    mix128(_mm_castpd_si128(_mm_cvtps_pd(_mm_div_ps(fa, fb))));
    mix128(_mm_castps_si128(_mm_cvtsi32_ss(fa, i * 16777217 + 1)));
    mix128(_mm_castpd_si128(_mm_cvtsi64_sd(a, (int64_t)i * 9007199254740993ll)));
    mix((uint64_t)_mm_comilt_sd(a, b) << 1 | (uint64_t)_mm_ucomieq_ss(fa, fb));
}

/* The same with VEX encodings and FMA (256-bit too). */
static __attribute__((noinline, target("avx,fma"))) void step_avx(int i)
{
    __m256d a = _mm256_set_pd(vd[i & 15], vd[(i + 3) & 15], vd[(i + 6) & 15], 1.0 / 3);
    __m256d b = _mm256_set_pd(vd[(i * 7 + 1) & 15] + 1.0, 3.0, vd[(i * 5 + 2) & 15] - 2.0, 7.0);
    __m256d r[4] = { _mm256_div_pd(a, b), _mm256_mul_pd(a, b), _mm256_sqrt_pd(_mm256_andnot_pd(_mm256_set1_pd(-0.0), a)),
                     _mm256_fmadd_pd(a, b, _mm256_set1_pd(1e-300)) };
    for (int k = 0; k < 4; k++) {
        mix128(_mm_castpd_si128(_mm256_castpd256_pd128(r[k])));
        mix128(_mm_castpd_si128(_mm256_extractf128_pd(r[k], 1)));
    }
    __m128 fa = _mm_set_ps(vf[i & 15], vf[(i + 1) & 15], 0.1f, vf[(i + 9) & 15]);
    mix128(_mm_castps_si128(_mm_fmadd_ss(fa, fa, _mm_set1_ps(-0.01f))));
    mix128(_mm_castps_si128(_mm_div_ps(fa, _mm_set1_ps(3.0f))));
    mix128(_mm256_cvtpd_epi32(_mm256_mul_pd(a, _mm256_set1_pd(10.0))));
}

static void step(int i)
{
    step_sse(i);
    if (has_avx && has_fma)
        step_avx(i);
}

/* ---- the ways to change MXCSR ---- */

static volatile int fpe_count;             /* SIGFPEs (on_fpe) and the last si_code */
static volatile int fpe_code;

enum how { BY_LDMXCSR, BY_FXRSTOR, BY_XRSTOR, BY_SIGNAL };
static const char *const how_name[] = { "ldmxcsr", "fxrstor", "xrstor", "signal frame" };

static volatile uint32_t frame_mx;         /* what the handler writes to its frame */
static volatile uint32_t handler_mx;       /* MXCSR the handler found */
static volatile uint64_t handler_div;      /* the handler's own division */

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ctx;
    volatile double x = 1.0, y = 3.0;
    double q = x / y;                       /* in the handler's clean MXCSR */
    memcpy((void *)&handler_div, &q, 8);
    handler_mx = mxcsr_get();
    uc->uc_mcontext.fpregs->mxcsr = frame_mx;
}

static void change(enum how how, uint32_t mx)
{
    switch (how) {
    case BY_LDMXCSR:
        mxcsr_set(mx);
        break;
    case BY_FXRSTOR:
        __asm__ volatile("fxsave %0" : "=m"(fx_area) : : "memory");
        memcpy(fx_area + 24, &mx, 4);
        __asm__ volatile("fxrstor %0" : : "m"(fx_area) : "memory");
        break;
    case BY_XRSTOR:
        __asm__ volatile("xsave %0" : "=m"(xs_area) : "a"(3), "d"(0) : "memory");
        memcpy(xs_area + 24, &mx, 4);
        __asm__ volatile("xrstor %0" : : "m"(xs_area), "a"(3), "d"(0) : "memory");
        break;
    case BY_SIGNAL:
        frame_mx = mx;
        raise(SIGUSR1);
        printf("    handler: mxcsr %#x, 1/3 %#llx\n", handler_mx,
               (unsigned long long)handler_div);
        break;
    }
}

/* A hot loop with the change halfway, run twice. */
static void hot_loop(enum how how, uint32_t mx)
{
    if (how == BY_XRSTOR && !has_xsave)
        return;
    printf("%s -> %#x\n", how_name[how], mx);
    for (int run = 0; run < 2; run++) {
        mxcsr_set(MX_DEFAULT);
        fpe_count = fpe_code = 0;
        digest = 0xcbf29ce484222325ull;
        for (int i = 0; i < N; i++) {
            if (i == N / 2) {
                printf("  run %d before: %016llx mxcsr %#x\n", run, (unsigned long long)digest,
                       mxcsr_get());
                digest = 0xcbf29ce484222325ull;
                change(how, mx);
            }
            step(i);
        }
        printf("  run %d after:  %016llx mxcsr %#x sigfpe %d code %d\n", run,
               (unsigned long long)digest, mxcsr_get(), fpe_count, fpe_code);
    }
    mxcsr_set(MX_DEFAULT);
}

/* MXCSR changed and used in one run of straight-line code (one
 * translated block): ldmxcsr, divide, fxrstor, divide, ldmxcsr, divide.
 * fxrstor also loads every XMM register: operands stay in memory. */
static void same_block(void)
{
    uint64_t acc = 0;
    uint32_t up = MX_DEFAULT | RC_UP, def = MX_DEFAULT;
    __asm__ volatile("fxsave %0" : "=m"(fx_area) : : "memory");
    memcpy(fx_area + 24, &def, 4);
    for (int i = 0; i < N; i++) {
        double x = vd[i & 15], y = vd[(i + 1) & 15] + 1.0, q[3];
        __asm__ volatile("ldmxcsr %[up]\n\t"
                         "movsd %[x], %%xmm0\n\t"
                         "divsd %[y], %%xmm0\n\t"
                         "movsd %%xmm0, %[q0]\n\t"
                         "fxrstor %[fx]\n\t"
                         "movsd %[x], %%xmm0\n\t"
                         "divsd %[y], %%xmm0\n\t"
                         "movsd %%xmm0, %[q1]\n\t"
                         "ldmxcsr %[up]\n\t"
                         "movsd %[x], %%xmm0\n\t"
                         "divsd %[y], %%xmm0\n\t"
                         "movsd %%xmm0, %[q2]\n\t"
                         "ldmxcsr %[def]"
                         : [q0] "=m"(q[0]), [q1] "=m"(q[1]), [q2] "=m"(q[2])
                         : [x] "m"(x), [y] "m"(y), [up] "m"(up), [def] "m"(def),
                           [fx] "m"(fx_area)
                         : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                           "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
                           "xmm15");
        uint64_t b[3];
        memcpy(b, q, sizeof b);
        acc = (acc ^ b[0] ^ b[1] * 3 ^ b[2] * 5) * 0x100000001b3ull;
    }
    printf("same block: %016llx mxcsr %#x\n", (unsigned long long)acc, mxcsr_get());
}

/* ---- unmasked divide-by-zero mid-loop ---- */


static void on_fpe(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    ucontext_t *uc = ctx;
    fpe_count++;
    fpe_code = si->si_code;
    /* mask every exception again, round up from here on; the op runs again */
    uc->uc_mcontext.fpregs->mxcsr = uc->uc_mcontext.fpregs->mxcsr | 0x1f80u | RC_UP;
}

static void unmask_loop(void)
{
    for (int run = 0; run < 2; run++) {
        uint64_t acc = 0;
        fpe_count = 0;
        mxcsr_set(MX_DEFAULT);
        for (int i = 0; i < N; i++) {
            if (i == N / 4)
                mxcsr_set(MX_DEFAULT & ~ZM);
            double y = i == N / 2 ? 0.0 : vd[(i + 2) & 15] + 1.0;
            __m128d q = _mm_div_sd(_mm_set_sd(vd[i & 15]), _mm_set_sd(y));
            uint64_t b;
            memcpy(&b, &q, 8);
            acc = (acc ^ b) * 0x100000001b3ull;
            if (i == N / 2)
                printf("  at the zero: %016llx mxcsr %#x\n", (unsigned long long)b, mxcsr_get());
        }
        printf("unmasked ZE run %d: %016llx sigfpe %d code %d mxcsr %#x\n", run,
               (unsigned long long)acc, fpe_count, fpe_code, mxcsr_get());
    }
    mxcsr_set(MX_DEFAULT);
}

int main(void)
{
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    has_xsave = (c >> 27) & 1;
    has_avx = has_xsave && ((c >> 28) & 1);
    has_fma = has_avx && ((c >> 12) & 1);
    struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_sigaction = on_fpe;
    sigaction(SIGFPE, &sa, NULL);

    static const uint32_t modes[] = {
        MX_DEFAULT | RC_UP, MX_DEFAULT | RC_DOWN, MX_DEFAULT | RC_ZERO,
        MX_DEFAULT | DAZ, MX_DEFAULT | FTZ, MX_DEFAULT | FTZ | DAZ | RC_ZERO,
        MX_DEFAULT & ~0x0400u,              /* OE unmasked: a float division overflows */
        MX_DEFAULT,                         /* the default again */
    };
    for (int h = BY_LDMXCSR; h <= BY_SIGNAL; h++)
        for (unsigned m = 0; m < sizeof modes / sizeof modes[0]; m++)
            hot_loop((enum how)h, modes[m]);
    same_block();
    unmask_loop();
    return 0;
}
