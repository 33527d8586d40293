/* masked_vec_pages.c -- masked vector accesses next to unmapped and
 * read-only pages (SDM vol. 2, VMASKMOV / VPMASKMOV / VPGATHER: a masked-out
 * element never faults, whether its page is unmapped or read-only; a
 * masked-in one faults with the page's address; an all-zero mask touches
 * nothing): vmaskmovps/pd and vpmaskmovd/q loads and stores at 128 and 256
 * bits straddling into a PROT_NONE page and onto a read-only page, every
 * mask pattern of 4 elements; vpgatherdd/qq with masked-out elements on
 * an unmapped page.  Printed: signal, si_code, fault address relative to
 * the page boundary, the result register and the destination bytes. */
//@cflags: -mavx2
#define _GNU_SOURCE
#include <immintrin.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf jb;
static volatile int g_sig, g_code; static volatile long g_addr;
static void on_sig(int sig, siginfo_t *si, void *ctx)
{
    g_sig = sig; g_code = si->si_code; g_addr = (long)si->si_addr;
    siglongjmp(jb, 1);
}

static unsigned char *pg;     /* [rw page][PROT_NONE page][read-only page] */
static void show(const char *name, int m, long off, __m256i r, const unsigned char *dst)
{
    long a = g_sig ? g_addr - (long)(pg + 4096) : 0;
    printf("%-12s m %x off %4ld sig %2d code %d addr %+ld r %016llx %016llx %016llx %016llx |", name, m, off, g_sig,
           g_sig ? g_code : 0, a, (unsigned long long)r[0], (unsigned long long)r[1], (unsigned long long)r[2],
           (unsigned long long)r[3]);
    for (int i = 0; i < 32; i++) printf("%02x", dst[i]);
    printf("\n");
}

static __m256i mask_of(int m, int wide)
{
    if (wide) return _mm256_set_epi64x(m & 8 ? -1 : 0, m & 4 ? -1 : 0, m & 2 ? -1 : 0, m & 1 ? -1 : 0);
    return _mm256_set_epi32(m & 128 ? -1 : 0, m & 64 ? -1 : 0, m & 32 ? -1 : 0, m & 16 ? -1 : 0,
                            m & 8 ? -1 : 0, m & 4 ? -1 : 0, m & 2 ? -1 : 0, m & 1 ? -1 : 0);
}

int main(void)
{
    setvbuf(stdout, 0, _IOLBF, 0);
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_sig; sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, 0); sigaction(SIGBUS, &sa, 0);
    pg = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 3 * 4096; i++) pg[i] = (unsigned char)(i * 13 + 5);
    mprotect(pg + 4096, 4096, PROT_NONE);
    mprotect(pg + 8192, 4096, PROT_READ);
    static const long offs[] = { -16, -12, -8, -4, 8192 - 4096 };
    static unsigned char dst[32];
    for (unsigned o = 0; o < sizeof offs / sizeof *offs; o++)
        for (int m = 0; m < 16; m++) {
            long off = offs[o];
            unsigned char *p = pg + 4096 + off;
            volatile __m256i r;
#define LOAD(NAME, EXPR) \
            g_sig = 0; r = _mm256_set1_epi8(0x77); \
            if (!sigsetjmp(jb, 1)) { r = EXPR; } \
            show(NAME, m, off, r, pg + 4096 - 32);
            LOAD("maskmovps", _mm256_castps_si256(_mm256_castps128_ps256(_mm_maskload_ps((float *)p, _mm256_castsi256_si128(mask_of(m, 0))))))
            LOAD("maskmovps256", _mm256_castps_si256(_mm256_maskload_ps((float *)(p - 16), mask_of(m << 4, 0))))
            LOAD("maskmovpd256", _mm256_castpd_si256(_mm256_maskload_pd((double *)(p - 16), mask_of(m, 1))))
            LOAD("pmaskmovd", _mm256_castsi128_si256(_mm_maskload_epi32((int *)p, _mm256_castsi256_si128(mask_of(m, 0)))))
            LOAD("pmaskmovq256", _mm256_maskload_epi64((long long *)(p - 16), mask_of(m, 1)))
#define STORE(NAME, STMT) \
            g_sig = 0; r = _mm256_setzero_si256(); \
            if (!sigsetjmp(jb, 1)) { STMT; } \
            memcpy(dst, off < 0 ? pg + 4096 - 32 : pg + 8192, 32); \
            show(NAME, m, off, r, dst); \
            for (int i = 0; i < 4096; i++) pg[i] = (unsigned char)(i * 13 + 5);
            __m256i v = _mm256_set1_epi32(0x5a5a5a5a);
            STORE("st_maskmovps", _mm_maskstore_ps((float *)p, _mm256_castsi256_si128(mask_of(m, 0)), _mm256_castps256_ps128(_mm256_castsi256_ps(v))))
            STORE("st_maskmovpd256", _mm256_maskstore_pd((double *)(p - 16), mask_of(m, 1), _mm256_castsi256_pd(v)))
            STORE("st_pmaskmovd256", _mm256_maskstore_epi32((int *)(p - 16), mask_of(m << 4 | m, 0), v))
            STORE("st_pmaskmovq", _mm_maskstore_epi64((long long *)p, _mm256_castsi256_si128(mask_of(m & 3, 1)), _mm256_castsi256_si128(v)))
        }
    /* gathers: elements 0..3 at pg+4096-8+8*i, i.e. two on the rw page, two on the PROT_NONE page */
    for (int m = 0; m < 16; m++) {
        volatile __m256i r;
        __m128i idx = _mm_set_epi32(3, 2, 1, 0);
        int *base = (int *)(pg + 4096 - 8);
        g_sig = 0; r = _mm256_set1_epi8(0x33);
        if (!sigsetjmp(jb, 1)) r = _mm256_castsi128_si256(_mm_mask_i32gather_epi32(_mm_set1_epi32(-7), base, idx, _mm256_castsi256_si128(mask_of(m, 0)), 4));
        show("gatherdd", m, -8, r, pg + 4096 - 32);
        g_sig = 0; r = _mm256_set1_epi8(0x33);
        if (!sigsetjmp(jb, 1)) r = _mm256_mask_i32gather_epi64(_mm256_set1_epi64x(-7), (long long *)(pg + 4096 - 16), idx, mask_of(m, 1), 8);
        show("gatherdq", m, -16, r, pg + 4096 - 32);
    }
    return 0;
}
