/* signal_xstate.c -- the signal frame's FP state in the XSAVE layout, as
 * Linux writes it on a CPU with XSAVE: what a handler may rely on (both
 * magics, extended_size == xstate_size + 4, x87|SSE in xfeatures and in
 * XSTATE_BV, a standard-form header, uc_flags, a 64-byte aligned fpstate
 * above the ucontext, the interrupted XMM value), and what rt_sigreturn
 * makes of a frame the handler edited: an XMM register changed in place;
 * the same without the first or the second magic (Linux falls back to
 * fxrstor of the legacy region); XSTATE_BV without SSE or x87 (those
 * components get their init state, MXCSR still from the frame); xfeatures
 * without SSE (init state, MXCSR 0x1f80); and frames that make
 * rt_sigreturn fail (XCOMP_BV set, a reserved MXCSR bit: SIGSEGV).
 * The AVX component: the upper halves of ymm5/ymm6 (set and read with
 * xrstor/xsave, which need no AVX instructions) are in the frame at 576
 * with XSTATE_BV bit 2, the handler starts with them zero, an edit of
 * ymm5's in the frame comes back, and XSTATE_BV or xfeatures without
 * AVX, and the fxrstor fallback, give init (zero) upper halves; a frame
 * turned into the compacted form is restored as XRSTOR does.
 * Sizes and xfeatures beyond x87|SSE|AVX depend on the CPU's XCR0 and are
 * not printed. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define MAGIC1 0x46505853u
#define MAGIC2 0x46505845u

enum { EDIT_XMM, NO_MAGIC1, NO_MAGIC2, BV_NO_SSE, BV_NO_X87, XF_NO_SSE, BV_NO_AVX, XF_NO_AVX,
       COMPACTED, BAD_XCOMP, BAD_MXCSR, BAD_MXCSR_FX, N_MODES };
static const char *const mode_name[N_MODES] = {
    "edit xmm5", "no magic1", "no magic2", "xstate_bv without SSE", "xstate_bv without x87",
    "xfeatures without SSE", "xstate_bv without AVX", "xfeatures without AVX",
    "compacted form", "XCOMP_BV set", "reserved mxcsr bit", "reserved mxcsr bit, no magic1",
};

static int mode;
static unsigned char xin[2][16], xout[2][16], xnew[16];
/* XSAVE areas with the YMM upper halves (bytes 576 + 16 * i) */
static unsigned char yin[1024] __attribute__((aligned(64))), yout[1024] __attribute__((aligned(64)));
static unsigned char yhandler[1024] __attribute__((aligned(64)));
static unsigned char ynew[16];
#define YMM_HI(area, i) ((area) + 576 + 16 * (i))

struct sw_bytes { uint32_t magic1, extended_size; uint64_t xfeatures; uint32_t xstate_size; };

static void on_usr1(int sig, siginfo_t *info, void *ctx)
{
    ucontext_t *uc = ctx;
    unsigned char *fp = (unsigned char *)uc->uc_mcontext.fpregs;
    struct sw_bytes sw;
    uint64_t bv, xcomp[2];
    uint32_t magic2;
    __asm__ volatile("xsave %0" : "+m"(yhandler) : "a"(4), "d"(0));
    memcpy(&sw, fp + 464, sizeof sw);
    memcpy(&bv, fp + 512, 8);
    memcpy(xcomp, fp + 520, 16);
    if (mode == EDIT_XMM) {
        static const unsigned char zero[256];
        memcpy(&magic2, fp + sw.xstate_size, 4);
        printf("uc_flags %#lx, fpstate 64-aligned %d, above the ucontext %d\n",
               (unsigned long)uc->uc_flags, ((uintptr_t)fp & 63) == 0, (void *)fp > (void *)uc);
        printf("magic1 %d, magic2 %d, extended_size == xstate_size + 4: %d, xstate_size >= 576: %d\n",
               sw.magic1 == MAGIC1, magic2 == MAGIC2, sw.extended_size == sw.xstate_size + 4,
               sw.xstate_size >= 576);
        printf("xfeatures x87|SSE %llu, xstate_bv x87|SSE %llu, XCOMP_BV and next 0: %d\n",
               (unsigned long long)(sw.xfeatures & 3), (unsigned long long)(bv & 3),
               xcomp[0] == 0 && xcomp[1] == 0);
        printf("frame xmm5 == value before kill: %d, xmm6: %d, mxcsr %#x, fcw %#x\n",
               memcmp(fp + 160 + 5 * 16, xin[0], 16) == 0,
               memcmp(fp + 160 + 6 * 16, xin[1], 16) == 0,
               *(uint32_t *)(fp + 24), *(uint16_t *)fp);
        printf("xfeatures AVX %llu, xstate_bv AVX %llu, xstate_size >= 832: %d, "
               "frame ymm5 upper == value before kill: %d, ymm6: %d, handler's upper halves zero: %d\n",
               (unsigned long long)(sw.xfeatures >> 2 & 1), (unsigned long long)(bv >> 2 & 1),
               sw.xstate_size >= 832, memcmp(YMM_HI(fp, 5), YMM_HI(yin, 5), 16) == 0,
               memcmp(YMM_HI(fp, 6), YMM_HI(yin, 6), 16) == 0,
               memcmp(YMM_HI(yhandler, 0), zero, 256) == 0);
    }
    memcpy(fp + 160 + 5 * 16, xnew, 16);
    memcpy(YMM_HI(fp, 5), ynew, 16);
    uint64_t compact[2] = { bv & 7, 7 | 1ull << 63 };
    uint32_t mx = 0x3f80;
    uint64_t one = 1;
    switch (mode) {
    case NO_MAGIC1: memset(fp + 464, 0, 4); break;
    case NO_MAGIC2: memset(fp + sw.xstate_size, 0, 4); break;
    case BV_NO_SSE: bv &= ~2ull; memcpy(fp + 512, &bv, 8); memcpy(fp + 24, &mx, 4); break;
    case BV_NO_X87: bv &= ~1ull; memcpy(fp + 512, &bv, 8); break;
    case XF_NO_SSE: sw.xfeatures &= ~2ull; memcpy(fp + 464, &sw, sizeof sw);
        memcpy(fp + 24, &mx, 4); break;
    case BV_NO_AVX: bv &= ~4ull; memcpy(fp + 512, &bv, 8); break;
    case XF_NO_AVX: sw.xfeatures &= ~4ull; memcpy(fp + 464, &sw, sizeof sw); break;
    case COMPACTED: memcpy(fp + 512, compact, 16); break;
    case BAD_XCOMP: memcpy(fp + 520, &one, 8); break;
    case BAD_MXCSR: mx = 0x80001f80u; memcpy(fp + 24, &mx, 4); break;
    case BAD_MXCSR_FX: mx = 0x80001f80u; memcpy(fp + 24, &mx, 4); memset(fp + 464, 0, 4); break;
    }
}

static const char *ymm_state(const unsigned char *v)
{
    static const unsigned char zero[16];
    return !memcmp(v, ynew, 16) ? "edited" : !memcmp(v, zero, 16) ? "zero"
           : !memcmp(v, YMM_HI(yin, 5), 16) ? "old" : "other";
}

/* xmm5/xmm6, their upper halves (xrstor of yin: MXCSR from it too), MXCSR
 * (round down) and FCW (53-bit precision) live across a kill() made by
 * inline asm; what the state is after the handler. */
static void run(void)
{
    unsigned mx = 0x3f80, omx = 0, defmx = 0x1f80;
    unsigned short cw = 0x027f, ocw = 0, defcw = 0x037f;
    long pid = getpid();
    memcpy(yin + 24, &mx, 4);
    uint64_t ymm_bv = 4;
    memcpy(yin + 512, &ymm_bv, 8);
    memset(yout, 0, sizeof yout);
    __asm__ volatile("ldmxcsr %[mx]\n\tfldcw %[cw]\n\t"
                     "movdqu 0(%[xi]), %%xmm5\n\tmovdqu 16(%[xi]), %%xmm6\n\t"
                     "mov $4, %%eax\n\txor %%edx, %%edx\n\txrstor %[yi]\n\t"
                     "mov $62, %%eax\n\tmov %[pid], %%rdi\n\tmov $10, %%esi\n\tsyscall\n\t"
                     "mov $4, %%eax\n\txor %%edx, %%edx\n\txsave %[yo]\n\t"
                     "movdqu %%xmm5, 0(%[xo])\n\tmovdqu %%xmm6, 16(%[xo])\n\t"
                     "stmxcsr %[omx]\n\tfnstcw %[ocw]\n\tldmxcsr %[defmx]\n\tfldcw %[defcw]"
                     : [omx] "=m"(omx), [ocw] "=m"(ocw), [yo] "+m"(yout)
                     : [mx] "m"(mx), [cw] "m"(cw), [pid] "m"(pid), [xi] "r"(xin), [xo] "r"(xout),
                       [defmx] "m"(defmx), [defcw] "m"(defcw), [yi] "m"(yin)
                     : "rax", "rdx", "rdi", "rsi", "rcx", "r11", "memory", "xmm5", "xmm6");
    static const unsigned char zero[16];
    printf("%s: after: xmm5 %s, xmm6 kept %d, mxcsr %#x, fcw %#x, ymm5 upper %s, ymm6 upper kept %d\n",
           mode_name[mode],
           !memcmp(xout[0], xnew, 16) ? "edited" : !memcmp(xout[0], zero, 16) ? "zero"
           : !memcmp(xout[0], xin[0], 16) ? "old" : "other",
           !memcmp(xout[1], xin[1], 16), omx, ocw, ymm_state(YMM_HI(yout, 5)),
           !memcmp(YMM_HI(yout, 6), YMM_HI(yin, 6), 16));
    /* the upper halves back to init for the C code */
    static unsigned char yinit[1024] __attribute__((aligned(64)));
    memcpy(yinit + 24, &defmx, 4);
    __asm__ volatile("xrstor %0" : : "m"(yinit), "a"(4), "d"(0) : "memory");
}

/* rt_sigreturn fails: the child dies of SIGSEGV. */
static void run_child(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        run();
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("%s: %s %d\n", mode_name[mode], WIFSIGNALED(st) ? "killed by signal" : "exit",
           WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

int main(void)
{
    for (int i = 0; i < 16; i++)
        xin[0][i] = (unsigned char)(0x10 + i), xin[1][i] = (unsigned char)(0x80 + i),
        xnew[i] = (unsigned char)(0xe0 + i), ynew[i] = (unsigned char)(0x40 + i);
    for (int i = 0; i < 256; i++)
        yin[576 + i] = (unsigned char)(0x90 ^ i);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    for (mode = 0; mode < N_MODES; mode++) {
        if (mode >= BAD_XCOMP)
            run_child();
        else
            run();
    }
    return 0;
}
