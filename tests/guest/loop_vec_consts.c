/* loop_vec_consts.c -- loops that jump back to their own start and run
 * SSE float ops next to integer constants no host instruction takes as
 * an immediate: the AArch64 backend builds both (the integer constants
 * and its float checks' all-ones vector) once before the block's loop
 * entry (a64_hoist.c).  Checked here, against native: the loops' vectors
 * and MXCSR, with passes whose operands are denormal or whose products are
 * tiny (the op's C helper runs inside the loop); a loop touching all
 * sixteen XMM registers; one whose integer vector ops evict the all-ones
 * register from the cache (so it is not built before the loop); a loop
 * stopped by a signal at its exit-request load whose result is recomputed
 * for the passes it ran; a guest fault in such a loop (general and XMM
 * registers, MXCSR from the signal frame). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>

typedef struct { double d[2]; } v2d;

static void ld_mxcsr(uint32_t m) { __asm__ volatile("ldmxcsr %0" : : "m"(m)); }
static uint32_t st_mxcsr(void) { uint32_t m; __asm__ volatile("stmxcsr %0" : "=m"(m)); return m; }

static void show(const char *name, const v2d *v, uint64_t h)
{
    uint64_t a, b;
    memcpy(&a, &v->d[0], 8);
    memcpy(&b, &v->d[1], 8);
    printf("%-10s %016llx %016llx h %#llx mxcsr %#x\n", name, (unsigned long long)a,
           (unsigned long long)b, (unsigned long long)h, st_mxcsr());
}

/* acc = acc * x[i] + y[i] over n pairs, h = h * 0x1000193 + 0x12345678. */
static void mul_add_loop(v2d *acc, const v2d *x, const v2d *y, long n, uint64_t *h)
{
    long i = 0;
    uint64_t hh = *h;
    __asm__ volatile("movupd %0, %%xmm0\n\t"
                     "1: movupd (%2,%1), %%xmm1\n\t"
                     "mulpd %%xmm1, %%xmm0\n\t"
                     "movupd (%3,%1), %%xmm2\n\t"
                     "addpd %%xmm2, %%xmm0\n\t"
                     "imul $0x1000193, %4, %4\n\t"
                     "add $0x12345678, %4\n\t"
                     "add $16, %1\n\t"
                     "cmp %5, %1\n\t"
                     "jne 1b\n\t"
                     "movupd %%xmm0, %0"
                     : "+m"(*acc), "+r"(i), "+r"(x), "+r"(y), "+r"(hh)
                     : "r"(n * 16) : "xmm0", "xmm1", "xmm2", "cc", "memory");
    *h = hh;
}

/* Divides and compares in every XMM register on each pass. */
static void sixteen_loop(v2d *out, long n)
{
    static const v2d init[8] = { { { 1.5, 2.5 } }, { { 3.0, 0.75 } }, { { 1e-300, 7.0 } },
                                 { { 1.25, 1.125 } }, { { 9.0, 1e300 } }, { { 0.1, 0.2 } },
                                 { { 5.0, 6.0 } }, { { 1.0 / 3, 2.0 / 3 } } };
    __asm__ volatile("movupd 0(%1), %%xmm0\n\t" "movupd 16(%1), %%xmm1\n\t"
                     "movupd 32(%1), %%xmm2\n\t" "movupd 48(%1), %%xmm3\n\t"
                     "movupd 64(%1), %%xmm4\n\t" "movupd 80(%1), %%xmm5\n\t"
                     "movupd 96(%1), %%xmm6\n\t" "movupd 112(%1), %%xmm7\n\t"
                     "movapd %%xmm0, %%xmm8\n\t" "movapd %%xmm1, %%xmm9\n\t"
                     "movapd %%xmm2, %%xmm10\n\t" "movapd %%xmm3, %%xmm11\n\t"
                     "movapd %%xmm4, %%xmm12\n\t" "movapd %%xmm5, %%xmm13\n\t"
                     "movapd %%xmm6, %%xmm14\n\t" "movapd %%xmm7, %%xmm15\n\t"
                     "1: mulpd %%xmm1, %%xmm0\n\t" "divpd %%xmm3, %%xmm2\n\t"
                     "addpd %%xmm5, %%xmm4\n\t" "mulpd %%xmm7, %%xmm6\n\t"
                     "maxpd %%xmm9, %%xmm8\n\t" "minpd %%xmm11, %%xmm10\n\t"
                     "mulpd %%xmm13, %%xmm12\n\t" "subpd %%xmm15, %%xmm14\n\t"
                     "cmpltpd %%xmm0, %%xmm1\n\t" "mulpd %%xmm2, %%xmm3\n\t"
                     "divpd %%xmm4, %%xmm5\n\t" "addpd %%xmm6, %%xmm7\n\t"
                     "mulpd %%xmm8, %%xmm9\n\t" "addpd %%xmm10, %%xmm11\n\t"
                     "divpd %%xmm12, %%xmm13\n\t" "mulpd %%xmm14, %%xmm15\n\t"
                     "sub $1, %0\n\t"
                     "cmp $0x12345, %0\n\t"
                     "jne 1b\n\t"
                     "movupd %%xmm0, 0(%2)\n\t" "movupd %%xmm2, 16(%2)\n\t"
                     "movupd %%xmm5, 32(%2)\n\t" "movupd %%xmm7, 48(%2)\n\t"
                     "movupd %%xmm9, 64(%2)\n\t" "movupd %%xmm11, 80(%2)\n\t"
                     "movupd %%xmm13, 96(%2)\n\t" "movupd %%xmm15, 112(%2)"
                     : "+r"(n) : "r"(init), "r"(out)
                     : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                       "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "cc",
                       "memory");
}

/* One float op, then integer ops over every other XMM register: more
 * slots than the vector cache has registers, so the float checks' all-ones
 * register is the least recently used one when the loop ends. */
static void evict_loop(v2d *out, long n)
{
    static const v2d init[4] = { { { 1.5, 2.5 } }, { { 1.0000001, 0.999 } },
                                 { { 1e-310, 3.0 } }, { { 7.0, 8.0 } } };
    __asm__ volatile("movupd 0(%1), %%xmm0\n\t" "movupd 16(%1), %%xmm1\n\t"
                     "movupd 32(%1), %%xmm2\n\t" "movupd 48(%1), %%xmm3\n\t"
                     "movapd %%xmm2, %%xmm4\n\t" "movapd %%xmm3, %%xmm5\n\t"
                     "movapd %%xmm2, %%xmm6\n\t" "movapd %%xmm3, %%xmm7\n\t"
                     "movapd %%xmm2, %%xmm8\n\t" "movapd %%xmm3, %%xmm9\n\t"
                     "movapd %%xmm2, %%xmm10\n\t" "movapd %%xmm3, %%xmm11\n\t"
                     "movapd %%xmm2, %%xmm12\n\t" "movapd %%xmm3, %%xmm13\n\t"
                     "movapd %%xmm2, %%xmm14\n\t" "movapd %%xmm3, %%xmm15\n\t"
                     "1: mulpd %%xmm1, %%xmm0\n\t"
                     "paddq %%xmm3, %%xmm2\n\t" "paddq %%xmm5, %%xmm4\n\t"
                     "paddq %%xmm7, %%xmm6\n\t" "paddq %%xmm9, %%xmm8\n\t"
                     "paddq %%xmm11, %%xmm10\n\t" "paddq %%xmm13, %%xmm12\n\t"
                     "paddq %%xmm15, %%xmm14\n\t" "psubq %%xmm2, %%xmm3\n\t"
                     "psubq %%xmm4, %%xmm5\n\t" "psubq %%xmm6, %%xmm7\n\t"
                     "psubq %%xmm8, %%xmm9\n\t" "psubq %%xmm10, %%xmm11\n\t"
                     "psubq %%xmm12, %%xmm13\n\t" "psubq %%xmm14, %%xmm15\n\t"
                     "sub $1, %0\n\t"
                     "cmp $0x54321, %0\n\t"
                     "jne 1b\n\t"
                     "movupd %%xmm0, 0(%2)\n\t" "movupd %%xmm3, 16(%2)\n\t"
                     "movupd %%xmm8, 32(%2)\n\t" "movupd %%xmm15, 48(%2)"
                     : "+r"(n) : "r"(init), "r"(out)
                     : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                       "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "cc",
                       "memory");
}

static volatile int stop;

static void on_alarm(int sig) { (void)sig; stop = 1; }

/* Until SIGALRM: v = v * 1.0 + 1.0 (exact: v counts the passes), h mixed. */
static uint64_t count_until_stopped(double *v, uint64_t *h)
{
    static const v2d one = { { 1.0, 1.0 } };
    uint64_t n = 0, hh = *h;
    v2d acc = { { 0, 0 } };
    __asm__ volatile("movupd %0, %%xmm0\n\t"
                     "movupd %4, %%xmm1\n\t"
                     "1: mulpd %%xmm1, %%xmm0\n\t"
                     "addpd %%xmm1, %%xmm0\n\t"
                     "imul $0x1000193, %1, %1\n\t"
                     "xor $0x7654321, %1\n\t"
                     "add $1, %2\n\t"
                     "cmpl $0, %3\n\t"
                     "je 1b\n\t"
                     "movupd %%xmm0, %0"
                     : "+m"(acc), "+r"(hh), "+r"(n) : "m"(stop), "m"(one)
                     : "xmm0", "xmm1", "cc");
    *v = acc.d[0] == acc.d[1] ? acc.d[0] : -1;
    *h = hh;
    return n;
}

static uint64_t mix_ref(uint64_t h, uint64_t n)
{
    for (volatile uint64_t k = 0; k < n; k++)
        h = (h * 0x1000193) ^ 0x7654321;
    return h;
}

static sigjmp_buf back;
static unsigned char *page;

static void on_segv(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;
    greg_t *g = uc->uc_mcontext.gregs;
    const uint32_t *x0 = uc->uc_mcontext.fpregs->_xmm[0].element;
    const uint32_t *x1 = uc->uc_mcontext.fpregs->_xmm[1].element;
    printf("fault at page+%#lx: rdi page+%#llx rdx %#llx xmm0 %08x%08x %08x%08x "
           "xmm1 %08x%08x mxcsr %#x sig %d\n",
           (unsigned long)((unsigned char *)si->si_addr - page),
           (unsigned long long)((unsigned char *)g[REG_RDI] - page),
           (unsigned long long)g[REG_RDX], x0[1], x0[0], x0[3], x0[2], x1[1], x1[0],
           uc->uc_mcontext.fpregs->mxcsr, sig);
    siglongjmp(back, 1);
}

/* Vector loads up a mapped page into an unmapped one, scaled and summed. */
static void fault_in_loop(void)
{
    static const v2d scale = { { 0.5, 3.0 } };
    __asm__ volatile("mov %0, %%rdi\n\t"
                     "xor %%edx, %%edx\n\t"
                     "xorpd %%xmm0, %%xmm0\n\t"
                     "movupd %1, %%xmm2\n\t"
                     "1: movupd (%%rdi), %%xmm1\n\t"
                     "mulpd %%xmm2, %%xmm1\n\t"
                     "addpd %%xmm1, %%xmm0\n\t"
                     "add $0x123456, %%rdx\n\t"
                     "add $0x230, %%rdi\n\t"
                     "cmp $0x7777777, %%rdx\n\t"
                     "jb 1b"
                     : : "r"(page), "m"(scale)
                     : "rdi", "rdx", "xmm0", "xmm1", "xmm2", "cc", "memory");
}

int main(void)
{
    enum { N = 64 };
    static v2d x[N], y[N];
    for (int k = 0; k < N; k++) {
        x[k].d[0] = 1.0 + k / 128.0;
        x[k].d[1] = k % 9 == 4 ? 0x1p-1070 : 0.75;     /* denormal operands */
        y[k].d[0] = k % 13 == 7 ? 0x1.8p-1022 : 0.5;
        y[k].d[1] = 1e-300;                            /* tiny products */
    }
    static const uint32_t modes[] = { 0x1f80, 0x1f80 | 0x8000, 0x1f80 | 0x2000 };
    for (int m = 0; m < 3; m++)
        for (long n = 1; n <= N; n = n * 2 + 1) {
            v2d acc = { { 1.0, 2.0 } };
            uint64_t h = 5;
            ld_mxcsr(modes[m]);
            mul_add_loop(&acc, x, y, n, &h);
            char name[32];
            snprintf(name, sizeof name, "mul_add %d %ld", m, n);
            show(name, &acc, h);
        }
    ld_mxcsr(0x1f80);

    v2d out[8];
    sixteen_loop(out, 0x12345 + 300);
    for (int k = 0; k < 8; k++)
        show("sixteen", &out[k], (uint64_t)k);
    ld_mxcsr(0x1f80);
    evict_loop(out, 0x54321 + 1000);
    for (int k = 0; k < 4; k++)
        show("evict", &out[k], (uint64_t)k);
    ld_mxcsr(0x1f80);

    signal(SIGALRM, on_alarm);
    struct itimerval t = { .it_value = { .tv_usec = 20000 } };
    setitimer(ITIMER_REAL, &t, NULL);
    double v;
    uint64_t h = 0x1234, n = count_until_stopped(&v, &h);
    printf("stopped loop: %s\n",
           n > 0 && v == (double)n && h == mix_ref(0x1234, n) ? "consistent" : "WRONG");

    page = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int k = 0; k < 0x1000 / 8; k++)
        ((double *)page)[k] = k * 0.25 + (k % 5 == 2 ? 0x1p-1060 : 0);
    munmap(page + 0x1000, 0x1000);
    struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
    sigaction(SIGSEGV, &sa, NULL);
    ld_mxcsr(0x1f80);
    if (!sigsetjmp(back, 1))
        fault_in_loop();
    printf("after the fault: mxcsr %#x\n", st_mxcsr());
    return 0;
}
