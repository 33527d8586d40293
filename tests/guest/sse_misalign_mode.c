/* sse_misalign_mode.c -- AMD's misaligned SSE mode: MXCSR bit 17 (MM),
 * writable where CPUID has MisAlignSse (Zen 5; /proc/cpuinfo
 * "misalignsse").  There fxsave/xsave store MXCSR_MASK 0x2ffff (else
 * 0xffff), ldmxcsr, fxrstor, xrstor and sigreturn accept MM, and while MM
 * is set a legacy SSE instruction with a misaligned 16-byte memory operand
 * runs instead of raising #GP -- but movaps/movapd/movdqa, the movnt*
 * stores, movntdqa and the VEX aligned moves still fault.  Each case runs
 * with MM clear and set, alone and with another MXCSR control bit (RC) on,
 * and in a loop, and prints which signal it got; where the CPU has no MM
 * every ldmxcsr of it faults, and the output says so the same way. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#define MM 0x20000u
#define RC_DOWN 0x2000u

static sigjmp_buf jb;
static volatile int got;
static uint32_t frame_mask, frame_mxcsr;
static char buf[256] __attribute__((aligned(64)));
static uint32_t want;                   /* MXCSR each case loads first */

static void on_fault(int s, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    got = s;
    frame_mask = uc->uc_mcontext.fpregs->mxcr_mask;
    frame_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    siglongjmp(jb, 1);
}

/* A handler that sets MM in its frame: sigreturn loads it (or refuses). */
static void on_usr1(int s, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    uc->uc_mcontext.fpregs->mxcsr |= MM;
}

static uint32_t stmxcsr(void)
{
    uint32_t v;
    __asm__ volatile("stmxcsr %0" : "=m"(v));
    return v;
}

static void ldmxcsr(uint32_t v)
{
    __asm__ volatile("ldmxcsr %0" ::"m"(v));
}

/* Loads `want`, runs the instruction n times on buf + 1; prints the signal
 * (0: none) and MXCSR afterwards. */
#define CASE(name, n, insn)                                                                    \
    do {                                                                                       \
        got = 0;                                                                               \
        if (!sigsetjmp(jb, 1)) {                                                               \
            ldmxcsr(want);                                                                     \
            for (int i_ = 0; i_ < (n); i_++)                                                   \
                __asm__ volatile(insn ::"r"(buf + 1) : "xmm0", "xmm1", "memory", "cc");        \
        }                                                                                      \
        printf("  %-22s sig %2d mxcsr %#x", name, got, stmxcsr());                             \
        if (got)                                                                               \
            printf(" frame mxcsr %#x mask %#x", frame_mxcsr, frame_mask);                      \
        printf("\n");                                                                          \
    } while (0)

static void cases(uint32_t mx, int n)
{
    want = mx;
    printf("MXCSR %#x, %d run(s):\n", mx, n);
    CASE("paddd", n, "paddd (%0), %%xmm0");
    CASE("addps", n, "addps (%0), %%xmm0");
    CASE("mulpd", n, "mulpd (%0), %%xmm0");
    CASE("pshufd", n, "pshufd $0x1b, (%0), %%xmm0");
    CASE("cvtdq2ps", n, "cvtdq2ps (%0), %%xmm0");
    CASE("pcmpeqb", n, "pcmpeqb (%0), %%xmm0");
    CASE("pshufb", n, "pshufb (%0), %%xmm0");
    CASE("ptest", n, "ptest (%0), %%xmm0");
    CASE("roundps", n, "roundps $1, (%0), %%xmm0");
    CASE("aesenc", n, "aesenc (%0), %%xmm0");
    CASE("pclmulqdq", n, "pclmulqdq $0, (%0), %%xmm0");
    CASE("sqrtps", n, "sqrtps (%0), %%xmm1");
    CASE("movaps load", n, "movaps (%0), %%xmm0");
    CASE("movapd load", n, "movapd (%0), %%xmm0");
    CASE("movdqa load", n, "movdqa (%0), %%xmm0");
    CASE("movaps store", n, "movaps %%xmm0, (%0)");
    CASE("movdqa store", n, "movdqa %%xmm0, (%0)");
    CASE("movntps", n, "movntps %%xmm0, (%0)");
    CASE("movntdq", n, "movntdq %%xmm0, (%0)");
    CASE("movntdqa", n, "movntdqa (%0), %%xmm0");
    CASE("vmovaps", n, "vmovaps (%0), %%xmm0");
    CASE("vmovdqa ymm", n, "vmovdqa (%0), %%ymm0");
    CASE("movups", n, "movups (%0), %%xmm0");
}

static void print_masks(void)
{
    static uint8_t fx[512] __attribute__((aligned(64)));
    static uint8_t xs[1024] __attribute__((aligned(64)));
    uint32_t m;
    __asm__ volatile("fxsave %0" : "=m"(fx));
    memcpy(&m, fx + 28, 4);
    printf("fxsave MXCSR_MASK %#x\n", m);
    memset(xs, 0, sizeof xs);
    __asm__ volatile("xsave %0" : "+m"(xs) : "a"(3), "d"(0));
    memcpy(&m, xs + 28, 4);
    printf("xsave MXCSR_MASK %#x\n", m);
}

/* fxrstor/xrstor of an image whose MXCSR has MM: loaded or #GP. */
static void restore_with_mm(void)
{
    static uint8_t fx[512] __attribute__((aligned(64)));
    static uint8_t xs[1024] __attribute__((aligned(64)));
    uint32_t mx = 0x1f80u | MM;
    __asm__ volatile("fxsave %0" : "=m"(fx));
    memcpy(fx + 24, &mx, 4);
    ldmxcsr(0x1f80u);
    got = 0;
    if (!sigsetjmp(jb, 1))
        __asm__ volatile("fxrstor %0" ::"m"(fx));
    printf("  %-22s sig %2d mxcsr %#x\n", "fxrstor MM", got, stmxcsr());
    memset(xs, 0, sizeof xs);
    __asm__ volatile("xsave %0" : "+m"(xs) : "a"(3), "d"(0));
    memcpy(xs + 24, &mx, 4);
    ldmxcsr(0x1f80u);
    got = 0;
    if (!sigsetjmp(jb, 1))
        __asm__ volatile("xrstor %0" ::"m"(xs), "a"(3), "d"(0));
    printf("  %-22s sig %2d mxcsr %#x\n", "xrstor MM", got, stmxcsr());
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sa.sa_sigaction = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);

    print_masks();
    want = 0x1f80u | MM;
    CASE("ldmxcsr MM", 1, "nop");
    want = 0x1f80u | 0x40000u;
    CASE("ldmxcsr bit 18", 1, "nop");

    cases(0x1f80u, 1);
    cases(0x1f80u | MM, 1);
    cases(0x1f80u | MM, 200);            /* translated, and run again */
    cases(0x1f80u | RC_DOWN, 3);         /* another control bit, MM clear */
    cases(0x1f80u | RC_DOWN | MM, 3);

    /* Where the CPU has no MM, the kernel's sigreturn cannot load the
     * frame's MXCSR and raises SIGSEGV (SI_KERNEL) instead of returning:
     * on_fault needs a jump buffer of a live frame here. */
    ldmxcsr(0x1f80u);
    got = 0;
    if (!sigsetjmp(jb, 1))
        raise(SIGUSR1);
    printf("after sigreturn with MM in the frame: sig %d mxcsr %#x\n", got, stmxcsr());
    got = 0;
    if (!sigsetjmp(jb, 1))
        __asm__ volatile("paddd (%0), %%xmm0" ::"r"(buf + 1) : "xmm0");
    printf("  paddd then: sig %d\n", got);

    restore_with_mm();
    ldmxcsr(0x1f80u);
    return 0;
}
