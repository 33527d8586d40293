/* signal_fpstate.c -- the FP state across signal delivery: the frame's
 * fpstate (FXSAVE format) holds the interrupted XMM, MXCSR and x87 state,
 * the handler starts with a clean FP state (Linux's fpu__clear_user_states:
 * MXCSR 0x1f80, x87 control word 0x037f, XMM zero), and rt_sigreturn
 * restores the interrupted state even though the handler clobbered it. */
#include <fenv.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#define XMM_ALL "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
    "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

#define XMM_LOAD(p) \
    "movdqu 0(" p "), %%xmm0\n\t" "movdqu 16(" p "), %%xmm1\n\t" \
    "movdqu 32(" p "), %%xmm2\n\t" "movdqu 48(" p "), %%xmm3\n\t" \
    "movdqu 64(" p "), %%xmm4\n\t" "movdqu 80(" p "), %%xmm5\n\t" \
    "movdqu 96(" p "), %%xmm6\n\t" "movdqu 112(" p "), %%xmm7\n\t" \
    "movdqu 128(" p "), %%xmm8\n\t" "movdqu 144(" p "), %%xmm9\n\t" \
    "movdqu 160(" p "), %%xmm10\n\t" "movdqu 176(" p "), %%xmm11\n\t" \
    "movdqu 192(" p "), %%xmm12\n\t" "movdqu 208(" p "), %%xmm13\n\t" \
    "movdqu 224(" p "), %%xmm14\n\t" "movdqu 240(" p "), %%xmm15\n\t"
#define XMM_STORE(p) \
    "movdqu %%xmm0, 0(" p ")\n\t" "movdqu %%xmm1, 16(" p ")\n\t" \
    "movdqu %%xmm2, 32(" p ")\n\t" "movdqu %%xmm3, 48(" p ")\n\t" \
    "movdqu %%xmm4, 64(" p ")\n\t" "movdqu %%xmm5, 80(" p ")\n\t" \
    "movdqu %%xmm6, 96(" p ")\n\t" "movdqu %%xmm7, 112(" p ")\n\t" \
    "movdqu %%xmm8, 128(" p ")\n\t" "movdqu %%xmm9, 144(" p ")\n\t" \
    "movdqu %%xmm10, 160(" p ")\n\t" "movdqu %%xmm11, 176(" p ")\n\t" \
    "movdqu %%xmm12, 192(" p ")\n\t" "movdqu %%xmm13, 208(" p ")\n\t" \
    "movdqu %%xmm14, 224(" p ")\n\t" "movdqu %%xmm15, 240(" p ")\n\t"

static unsigned char xin[16][16], xout[16][16], xjunk[16][16], xentry[16][16];

/* What the handler saw: its own entry state and the frame's fpstate. */
static struct {
    unsigned mxcsr, cwd;                /* live at entry */
    unsigned fp_mxcsr, fp_cwd, fp_top, fp_ftw;
    unsigned char fp_st[2][10], fp_xmm0[16], fp_xmm15[16];
} seen;

static void dump(const char *name, const unsigned char *p, int n)
{
    printf("%s:", name);
    for (int i = 0; i < n; i++)
        printf(" %02x", p[i]);
    printf("\n");
}

static void on_usr1(int sig, siginfo_t *info, void *ctx)
{
    /* First, before the compiler can touch them: the entry FP state. */
    unsigned short cw;
    __asm__ volatile(XMM_STORE("%0") : : "r"(xentry) : "memory");
    __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(seen.mxcsr), "=m"(cw));
    seen.cwd = cw;

    const struct _libc_fpstate *fp = ((ucontext_t *)ctx)->uc_mcontext.fpregs;
    seen.fp_mxcsr = fp->mxcsr;
    seen.fp_cwd = fp->cwd;
    seen.fp_top = (fp->swd >> 11) & 7;
    seen.fp_ftw = fp->ftw;
    memcpy(seen.fp_st[0], &fp->_st[0], 10);
    memcpy(seen.fp_st[1], &fp->_st[1], 10);
    memcpy(seen.fp_xmm0, &fp->_xmm[0], 16);
    memcpy(seen.fp_xmm15, &fp->_xmm[15], 16);

    /* Clobber everything; rt_sigreturn must undo it. Two x87 values are
     * left pushed on purpose. */
    unsigned short junk_cw = 0x0c7f;
    unsigned junk_mx = 0x7f80;
    __asm__ volatile(XMM_LOAD("%0") "ldmxcsr %1\n\tfldcw %2\n\tfld1\n\tfldpi"
                     : : "r"(xjunk), "m"(junk_mx), "m"(junk_cw) : "memory", XMM_ALL);
}

/* Part 1: registers live across a kill() made by inline asm. */
static void xmm_x87_mxcsr(void)
{
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++)
            xin[i][j] = (unsigned char)(i * 16 + j), xjunk[i][j] = 0xa5;
    long double a = 1.25L, b = -3.5L, oa = 0, ob = 0;
    unsigned mx = 0x3f80, omx = 0, defmx = 0x1f80;      /* round down */
    unsigned short cw = 0x0b7f, ocw = 0, defcw = 0x037f; /* round up */
    long pid = getpid();
    __asm__ volatile("ldmxcsr %[mx]\n\tfldcw %[cw]\n\tfldt %[a]\n\tfldt %[b]\n\t"
                     XMM_LOAD("%[xi]")
                     "mov $62, %%eax\n\tmov %[pid], %%rdi\n\tmov $10, %%esi\n\tsyscall\n\t"
                     XMM_STORE("%[xo]")
                     "stmxcsr %[omx]\n\tfnstcw %[ocw]\n\tfstpt %[ob]\n\tfstpt %[oa]\n\t"
                     "ldmxcsr %[defmx]\n\tfldcw %[defcw]"
                     : [omx] "=m"(omx), [ocw] "=m"(ocw), [oa] "=m"(oa), [ob] "=m"(ob)
                     : [mx] "m"(mx), [cw] "m"(cw), [a] "m"(a), [b] "m"(b), [pid] "m"(pid),
                       [xi] "r"(xin), [xo] "r"(xout), [defmx] "m"(defmx), [defcw] "m"(defcw)
                     : "rax", "rdi", "rsi", "rcx", "r11", "memory", XMM_ALL);

    int zero = 1;
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++)
            zero &= xentry[i][j] == 0;
    printf("handler entry: mxcsr %#x fcw %#x xmm all zero %d\n", seen.mxcsr, seen.cwd, zero);
    printf("fpstate: mxcsr %#x fcw %#x top %u ftw %#x\n", seen.fp_mxcsr, seen.fp_cwd,
           seen.fp_top, seen.fp_ftw);
    dump("fpstate st0", seen.fp_st[0], 10);
    dump("fpstate st1", seen.fp_st[1], 10);
    dump("fpstate xmm0", seen.fp_xmm0, 16);
    dump("fpstate xmm15", seen.fp_xmm15, 16);
    printf("after: mxcsr %#x fcw %#x st0 %Lg st1 %Lg xmm intact %d\n", omx, ocw, ob, oa,
           memcmp(xin, xout, sizeof xin) == 0);
    for (int i = 0; i < 16; i++)
        if (memcmp(xin[i], xout[i], 16))
            dump("  xmm changed", xout[i], 16);
}

/* Part 2: raise(SIGALRM) from C with a rounding mode and long doubles. */
static volatile int entry_round;
static volatile double h_d;
static volatile long double h_ld;

static void on_alrm(int sig)
{
    entry_round = fegetround();
    fesetround(FE_UPWARD);
    volatile double one = 1, three = 3;
    volatile long double lone = 1, lthree = 3;
    h_d = one / three;
    h_ld = lone / lthree;
}

static void rounding_mode(void)
{
    signal(SIGALRM, on_alrm);
    fesetround(FE_DOWNWARD);
    volatile double one = 1, three = 3;
    volatile long double lone = 1, lthree = 3;
    long double before = lone / lthree;
    raise(SIGALRM);
    long double after = lone / lthree;
    double d = one / three;
    printf("handler: entry round nearest %d, 1/3 up %a %La\n", entry_round == FE_TONEAREST,
           h_d, h_ld);
    printf("main: round down %d, 1/3 down %a %La, same ld %d\n", fegetround() == FE_DOWNWARD,
           d, after, before == after);
    fesetround(FE_TONEAREST);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    xmm_x87_mxcsr();
    rounding_mode();
    return 0;
}
