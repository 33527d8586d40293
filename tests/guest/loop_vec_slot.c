/* loop_vec_slot.c -- self-looping blocks whose vector ops read an XMM
 * register the loop never writes (matmul's `aik` in xmm1): the AArch64
 * backend loads it once before the loop entry and keeps it in a register
 * (a64_hoist.c).  Checked against native: the invariant operand normal and
 * denormal (the op's C helper runs inside the loop); loops that read xmm1
 * and then write it (addpd, pinsrq, movq from a general register, movsd:
 * nothing may be kept then); and a guest fault inside such a
 * loop whose handler changes xmm1 in the signal frame and returns, so the
 * loop must go on with the new value. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

typedef struct { double d[2]; } v2d;

static void show(const char *name, const v2d *v, const v2d *k)
{
    uint64_t w[4];
    memcpy(w, v, 16);
    memcpy(w + 2, k, 16);
    printf("%-12s %016llx %016llx xmm1 %016llx %016llx\n", name, (unsigned long long)w[0],
           (unsigned long long)w[1], (unsigned long long)w[2], (unsigned long long)w[3]);
}

/* y[i] += x[i] * k over n pairs (matmul's inner loop); k stays in xmm1. */
static void axpy(v2d *y, const v2d *x, v2d *k, long n)
{
    long i = 0;
    __asm__ volatile("movupd %3, %%xmm1\n\t"
                     "1: movupd (%1,%0), %%xmm0\n\t"
                     "movupd (%2,%0), %%xmm5\n\t"
                     "mulpd %%xmm1, %%xmm0\n\t"
                     "addpd %%xmm5, %%xmm0\n\t"
                     "movupd %%xmm0, (%2,%0)\n\t"
                     "add $16, %0\n\t"
                     "cmp %4, %0\n\t"
                     "jne 1b\n\t"
                     "movupd %%xmm1, %3"
                     : "+r"(i) : "r"(x), "r"(y), "m"(*k), "r"(n * 16)
                     : "xmm0", "xmm1", "xmm5", "cc", "memory");
}

/* acc = acc * k + x[i], then k rewritten by WRITE in the same block:
 * xmm1 is read first and written later, so no pass may reuse a copy. */
#define REWRITE_LOOP(NAME, WRITE)                                                        \
    static void NAME(v2d *acc, const v2d *x, v2d *k, long n)                             \
    {                                                                                    \
        long i = 0, c = 0x3ff0000000000000;                                              \
        __asm__ volatile("movupd %3, %%xmm1\n\t"                                           \
                         "movupd %4, %%xmm0\n\t"                                           \
                         "1: mulpd %%xmm1, %%xmm0\n\t"                                     \
                         "movupd (%2,%0), %%xmm5\n\t"                                      \
                         "addpd %%xmm5, %%xmm0\n\t"                                        \
                         "add $0x1000, %1\n\t"                                             \
                         WRITE "\n\t"                                                      \
                         "add $16, %0\n\t"                                                 \
                         "cmp %5, %0\n\t"                                                  \
                         "jne 1b\n\t"                                                      \
                         "movupd %%xmm1, %3\n\t"                                           \
                         "movupd %%xmm0, %4"                                               \
                         : "+r"(i), "+r"(c) : "r"(x), "m"(*k), "m"(*acc), "r"(n * 16)      \
                         : "xmm0", "xmm1", "xmm5", "cc", "memory");                        \
    }
REWRITE_LOOP(rewrite_addpd, "addpd %%xmm5, %%xmm1")
REWRITE_LOOP(rewrite_pinsrq, "pinsrq $1, %1, %%xmm1")
REWRITE_LOOP(rewrite_movq, "movq %1, %%xmm1")
REWRITE_LOOP(rewrite_movsd, "movsd %%xmm5, %%xmm1")

/* ---- a fault inside the loop ---- */

static uint8_t *pages;
static int faults;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    uint64_t *xmm1 = (uint64_t *)&uc->uc_mcontext.fpregs->_xmm[1];
    printf("fault %d at page offset %#lx, xmm1 %016llx %016llx\n", faults,
           (long)((uint8_t *)si->si_addr - pages), (unsigned long long)xmm1[0],
           (unsigned long long)xmm1[1]);
    double three[2] = { 3.0, -0.5 };
    memcpy(xmm1, three, 16);            /* the loop goes on with the new k */
    mprotect(pages + 4096, 4096, PROT_READ | PROT_WRITE);
    faults++;
}

static void fault_inside(void)
{
    pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    v2d *x = (v2d *)pages, *y = (v2d *)(pages + 4096 - 16 * 64);
    for (int i = 0; i < 8192 / 16; i++)
        x[i] = (v2d){ { i * 0.25, 1.0 - i } };
    mprotect(pages + 4096, 4096, PROT_NONE);    /* y runs into it */
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    v2d k = { { 2.0, 0.5 } };
    axpy(y, x, &k, 128);
    signal(SIGSEGV, SIG_DFL);
    v2d sum = { { 0, 0 } };
    for (int i = 0; i < 128; i++) {
        sum.d[0] += y[i].d[0];
        sum.d[1] += y[i].d[1];
    }
    show("fault", &sum, &k);
    munmap(pages, 8192);
}

int main(void)
{
    static v2d x[256], y[256];
    for (int i = 0; i < 256; i++) {
        x[i] = (v2d){ { 1.0 / (i + 1), i * 0.5 - 3 } };
        y[i] = (v2d){ { i * 1e-3, 2.0 - i } };
    }
    v2d k = { { 1.5, -0.75 } };
    axpy(y, x, &k, 256);
    show("axpy", &y[255], &k);
    v2d tiny = { { 4.9e-324, 1e-310 } };     /* denormal k: the helper on every pass */
    axpy(y, x, &tiny, 256);
    show("axpy-denorm", &y[17], &tiny);
    static void (*const rewrites[])(v2d *, const v2d *, v2d *, long) = {
        rewrite_addpd, rewrite_pinsrq, rewrite_movq, rewrite_movsd,
    };
    for (int how = 0; how < 4; how++) {
        v2d acc = { { 1.0, 2.0 } }, kk = { { 0.5, 0.25 } };
        rewrites[how](&acc, x, &kk, 64);
        char name[16];
        snprintf(name, sizeof name, "rewrite-%d", how);
        show(name, &acc, &kk);
    }
    fault_inside();
    return 0;
}
