/* signal_fxsave_frame.c -- the signal frame's FP layout follows CPUID's
 * XSAVE bit (CPUID.1:ECX bit 26), as Linux's (arch/x86/kernel/fpu/
 * signal.c, 6.x):
 *   with XSAVE     uc_flags has UC_FP_XSTATE; the XSAVE area with
 *                  FP_XSTATE_MAGIC2 after it and x87|SSE in XSTATE_BV;
 *                  the software bytes' xfeatures within XCR0;
 *   without XSAVE  uc_flags without UC_FP_XSTATE; a 512-byte FXSAVE
 *                  region only (nothing written past it: no header, no
 *                  magic2); the software bytes still say FP_XSTATE_MAGIC1,
 *                  xstate_size 512, extended_size 516, xfeatures 0
 *                  (save_sw_bytes from the task's fpstate: user_size 512,
 *                  user_xfeatures 0 without XSAVE; kernels before 5.16
 *                  left these bytes zero);
 * either way the area 64-byte aligned right below the stack's top (the
 * alternate stack here, filled with a pattern first), uc_flags' other
 * bits UC_SIGCONTEXT_SS|UC_STRICT_RESTORE_SS, and rt_sigreturn loads XMM0
 * and MXCSR from the frame's legacy region (the handler changes them
 * there).  ARCH_GET_XCOMP_SUPP is XCR0's x87|SSE|AVX with XSAVE, 3 (the
 * legacy features) without; ARCH_GET_XCOMP_PERM's x87|SSE|AVX XCR0's with
 * XSAVE, 0 without (the kernel's default features stay 0 without XSAVE);
 * AT_MINSIGSTKSZ Linux's max_frame_size: sizeof(struct sigframe_ia32) 732
 * + 15 + the FP area (CPUID.(0xD,0):EBX + 4 with XSAVE, 512 without)
 * + the fsave header 112 + 63, rounded up to 16 (3,632 natively here).
 *
 * Each line prints a relation between what the frame and the kernel say
 * and what CPUID says, so the native run (this CPU has XSAVE) prints the
 * same lines as a ferry imitating it.  Then the program runs itself again
 * with FERRY_X86_MACHINE naming this vendor without XSAVE: natively the
 * variable means nothing and the same lines print (the XSAVE side of
 * each relation, measured); under ferry the machine lacks XSAVE, and the
 * lines print 1 only if the frame takes the kernel's no-XSAVE side (those
 * values come from the kernel source named above, not from a run: no CPU
 * here lacks XSAVE). */
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "machine_rerun.h"

#define MAGIC1 0x46505853u
#define MAGIC2 0x46505845u
#define ARCH_GET_XCOMP_SUPP 0x1021
#define ARCH_GET_XCOMP_PERM 0x1022
#define UC_FP_XSTATE 1ul
#define PATTERN 0xa5
#define XMM0_MARK 0x0123456789abcdefull
#define MXCSR_MARK 0x3f80u          /* default with round-toward-zero */
#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

struct sw_bytes { uint32_t magic1, extended_size; uint64_t xfeatures; uint32_t xstate_size; };

static _Alignas(64) unsigned char altstack[65536];
static struct sw_bytes sw;
static unsigned long uc_flags;
static uintptr_t fp_addr;
static uint32_t magic2;
static uint64_t xstate_bv;

static void on_usr1(int sig, siginfo_t *info, void *ctx)
{
    ucontext_t *uc = ctx;
    unsigned char *fp = (unsigned char *)uc->uc_mcontext.fpregs;
    (void)sig, (void)info;
    uc_flags = uc->uc_flags;
    fp_addr = (uintptr_t)fp;
    memcpy(&sw, fp + 464, sizeof sw);
    memcpy(&magic2, fp + (sw.xstate_size < 4096 ? sw.xstate_size : 512), 4);
    memcpy(&xstate_bv, fp + 512, 8);
    uint64_t mark = XMM0_MARK;
    uint32_t mxcsr = MXCSR_MARK;
    memcpy(fp + 160, &mark, 8);     /* XMM0's low half */
    memcpy(fp + 24, &mxcsr, 4);
}

static uint64_t xcr0(int osxsave)
{
    uint32_t lo = 0, hi = 0;
    if (osxsave)                    /* xgetbv is #UD without it */
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

static int untouched(uintptr_t p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((unsigned char *)p)[i] != PATTERN)
            return 0;
    return 1;
}

static void raise_on_altstack(uint64_t *xmm0, uint32_t *mxcsr)
{
    memset(altstack, PATTERN, sizeof altstack);
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);
    struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO | SA_ONSTACK };
    sigaction(SIGUSR1, &sa, NULL);
    long nr = SYS_tgkill, pid = getpid(), tid = syscall(SYS_gettid);
    /* in one asm: the signal comes as tgkill returns, nothing between
     * the handler's return and the reads may touch XMM0 */
    __asm__ volatile("pxor %%xmm0, %%xmm0\n\tsyscall\n\tmovq %%xmm0, %1\n\tstmxcsr %2"
                     : "+a"(nr), "=r"(*xmm0), "=m"(*mxcsr)
                     : "D"(pid), "S"(tid), "d"((long)SIGUSR1)
                     : "rcx", "r11", "xmm0", "memory");
    uint32_t dflt = 0x1f80;
    __asm__ volatile("ldmxcsr %0" :: "m"(dflt));
}

static void report(const char *label)
{
    unsigned a, b, c, d, ebx0xd = 0;
    __cpuid(1, a, b, c, d);
    int xsave = c >> 26 & 1, osxsave = c >> 27 & 1;
    if (xsave)
        __cpuid_count(0xd, 0, a, ebx0xd, c, d);
    uint64_t x = xcr0(osxsave), supp = 0, perm = 0;
    syscall(SYS_arch_prctl, ARCH_GET_XCOMP_SUPP, &supp);
    syscall(SYS_arch_prctl, ARCH_GET_XCOMP_PERM, &perm);
    uint64_t xmm0;
    uint32_t mxcsr;
    raise_on_altstack(&xmm0, &mxcsr);

    uint32_t area = xsave ? sw.xstate_size + 4 : 512;
    uintptr_t top = (uintptr_t)altstack + sizeof altstack;
    unsigned long minsig = getauxval(AT_MINSIGSTKSZ);
    unsigned long linux_min = (732 + 15 + (xsave ? ebx0xd + 4 : 512) + 112 + 63 + 15) & ~15ul;
    printf("%s: UC_FP_XSTATE as CPUID's XSAVE %d, other uc_flags 6 %d, magic1 %d, "
           "extended_size %d\n", label, !!(uc_flags & UC_FP_XSTATE) == xsave,
           (uc_flags & ~UC_FP_XSTATE) == 6, sw.magic1 == MAGIC1,
           sw.extended_size == sw.xstate_size + 4);
    printf("%s: xstate_size as the layout's %d, xfeatures as the layout's %d, "
           "area 64-aligned below the top %d\n", label,
           xsave ? sw.xstate_size >= 576 && sw.xstate_size <= ebx0xd : sw.xstate_size == 512,
           xsave ? (sw.xfeatures & 3) == 3 && (sw.xfeatures & ~x) == 0 : sw.xfeatures == 0,
           fp_addr == ((top - area) & ~(uintptr_t)63));
    printf("%s: past the legacy region as the layout's %d, XMM0 from the frame %d, "
           "MXCSR from the frame %d\n", label,
           xsave ? magic2 == MAGIC2 && (xstate_bv & 3) == 3 : untouched(fp_addr + 512, top - fp_addr - 512),
           xmm0 == XMM0_MARK, mxcsr == MXCSR_MARK);
    printf("%s: XCOMP_SUPP as the layout's %d, XCOMP_PERM as the layout's %d, "
           "AT_MINSIGSTKSZ as Linux's %d\n", label,
           xsave ? (supp & 7) == (x & 7) : supp == 3, xsave ? (perm & 7) == (x & 7) : perm == 0,
           minsig == linux_min);
}

int main(int argc, char **argv)
{
    report(argc > 1 ? "without XSAVE" : "this machine");
    fflush(stdout);
    return argc > 1 ? 0 : machine_rerun(argv, "noxsave");
}
