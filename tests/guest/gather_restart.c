/* gather_restart.c -- a vpgatherdd whose elements 1, 3, 6 and 7 are on a
 * PROT_NONE page faults; the handler makes the page readable and returns,
 * having left the frame's mask alone, dropped element 7 from it, or
 * cleared it: the gather restarts from the state in the frame (the done
 * elements, the mask as edited).  Also a vpmaskmovd load restarted the
 * same way.  Printed: faults, destination, final mask, and the mask the
 * handler saw (session 42 probe). */
//@cflags: -mavx2
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <immintrin.h>

static uint8_t *pg; static int faults, edit;
static uint32_t mask_seen[8];
static void h(int s, siginfo_t *si, void *c)
{
    ucontext_t *u = c;
    uint8_t *fp = (uint8_t *)u->uc_mcontext.fpregs;
    faults++;
    memcpy(mask_seen, fp + 160 + 0 * 16, 16);           /* ymm0 = mask */
    memcpy(mask_seen + 4, fp + 576 + 0 * 16, 16);
    if (edit == 1) {                                      /* drop element 7 from the mask */
        memset(fp + 576 + 12, 0, 4);
    }
    if (edit == 2) {                                      /* clear the whole mask: nothing more loads */
        memset(fp + 160, 0, 16); memset(fp + 576, 0, 16);
    }
    mprotect(pg + 4096, 4096, PROT_READ);
    (void)s; (void)si;
}
int main(void)
{
    struct sigaction sa = { 0 }; sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO; sigaction(SIGSEGV, &sa, 0);
    pg = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 2048; i++) ((uint32_t *)pg)[i] = 0x1000 + i;
    static const int idx[8] = { 0, 1030, 2, 1025, 4, 5, 1100, 1200 };
    for (edit = 0; edit < 3; edit++) {
        mprotect(pg + 4096, 4096, PROT_NONE);
        faults = 0;
        __m256i d = _mm256_set1_epi32(-7), m = _mm256_set1_epi32(-1), ix = _mm256_loadu_si256((const __m256i *)idx);
        __asm__ volatile("vmovdqa %[m], %%ymm0\n\tvmovdqa %[d], %%ymm7\n\tvpgatherdd %%ymm0, (%[b],%[ix],4), %%ymm7\n\tvmovdqa %%ymm7, %[d]\n\tvmovdqa %%ymm0, %[m]"
                         : [d] "+x"(d), [m] "+x"(m) : [b] "r"(pg), [ix] "x"(ix) : "xmm0", "xmm7", "memory");
        uint32_t dv[8], mv[8]; memcpy(dv, &d, 32); memcpy(mv, &m, 32);
        printf("edit %d faults %d\n  dest", edit, faults);
        for (int i = 0; i < 8; i++) printf(" %08x", dv[i]);
        printf("\n  mask"); for (int i = 0; i < 8; i++) printf(" %08x", mv[i]);
        printf("\n  seen"); for (int i = 0; i < 8; i++) printf(" %08x", mask_seen[i]);
        printf("\n");
    }
    /* vmaskmovps load restarted */
    mprotect(pg + 4096, 4096, PROT_NONE);
    faults = 0; edit = 0;
    __m256i r;
    __m256i mk = _mm256_setr_epi32(-1, 0, -1, 0, -1, -1, 0, -1);
    __asm__ volatile("vmovdqa %[mk], %%ymm0\n\tvpmaskmovd 4096-16(%[b]), %%ymm0, %[r]" : [r] "=x"(r) : [mk] "x"(mk), [b] "r"(pg) : "xmm0", "memory");
    uint32_t rv[8]; memcpy(rv, &r, 32);
    printf("maskmov faults %d:", faults); for (int i = 0; i < 8; i++) printf(" %08x", rv[i]); printf("\n");
    return 0;
}
