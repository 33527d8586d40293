/* sig_context_edit.c -- a SIGILL handler edits the interrupted context
 * and returns (session 42 probe): rip past the ud2, rax, the arithmetic
 * flags and DF (and ID/NT/IOPL, which rt_sigreturn does not restore),
 * xmm3 in the legacy area, ymm3's upper half in the XSAVE area (with
 * XSTATE_BV's AVX bit), MXCSR (round to zero, FTZ, DAZ), the x87 control
 * word and st0's register image; the code after the ud2 reads them all. */
//@cflags: -mavx2
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static int mode;

static void on_ill(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    mcontext_t *mc = &uc->uc_mcontext;
    struct _libc_fpstate *fp = mc->fpregs;
    uint8_t *x = (uint8_t *)fp;
    mc->gregs[REG_RIP] += 2;
    mc->gregs[REG_RAX] = 0x1111222233334444ull;
    if (mode == 0)
        mc->gregs[REG_EFL] = (mc->gregs[REG_EFL] & ~0xcd5ull) | 0x1 | 0x40 | 0x800; /* CF ZF OF */
    else if (mode == 1)
        mc->gregs[REG_EFL] = (mc->gregs[REG_EFL] & ~0xcd5ull) | 0x4 | 0x80 | 0x10 | 0x400; /* PF SF AF DF */
    else
        mc->gregs[REG_EFL] |= 0x200000 | 0x4000 | 0x3000; /* ID, NT, IOPL: what survives */
    for (int i = 0; i < 16; i++) x[160 + 3 * 16 + i] = 0xa0 + i;          /* xmm3 */
    for (int i = 0; i < 16; i++) x[576 + 3 * 16 + i] = 0x50 + i;          /* ymm3 hi */
    x[512 + 0] |= 4;                                                      /* XSTATE_BV |= AVX */
    fp->mxcsr = 0x7f80 | 0x8040 ;                                          /* RZ, FTZ, DAZ */
    fp->cwd = 0x037f & ~0x0300;                                           /* PC single */
    /* st0 = 1.25 (physical register of top) */
    int top = (fp->swd >> 11) & 7; (void)top;
    uint8_t st[10] = { 0, 0, 0, 0, 0, 0, 0, 0xa0, 0xff, 0x3f };
    memcpy(&fp->_st[0], st, 10);
    fp->ftw |= 1;
    (void)sig; (void)si;
}

int main(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_ill;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, 0);
    for (mode = 0; mode < 3; mode++) {
        uint64_t rax = 0, fl;
        uint8_t xmm[16], yhi[16];
        uint32_t mx; uint16_t cw; long double st0 = 0;
        __asm__ volatile("fld1\n\t"
                         "vpxor %%ymm3, %%ymm3, %%ymm3\n\t"
                         "ud2\n\t"
                         "pushfq\n\tpopq %1\n\t"
                         "vmovdqu %%xmm3, %2\n\t"
                         "vextracti128 $1, %%ymm3, %3\n\t"
                         "stmxcsr %4\n\t"
                         "fnstcw %5\n\t"
                         "fstpt %6\n\t"
                         "cld\n\t"
                         : "+a"(rax), "=r"(fl), "=m"(xmm), "=m"(yhi), "=m"(mx), "=m"(cw), "=m"(st0)
                         :: "xmm3", "memory", "cc");
        uint32_t def = 0x1f80; __asm__ volatile("ldmxcsr %0" :: "m"(def));
        uint16_t dcw = 0x37f; __asm__ volatile("fldcw %0" :: "m"(dcw));
        printf("mode %d rax %016llx fl %08llx mx %08x cw %04x st0 %Lg\nxmm3", mode, (unsigned long long)rax, (unsigned long long)fl, mx, cw, st0);
        for (int i = 0; i < 16; i++) printf(" %02x", xmm[i]);
        printf("\nyhi ");
        for (int i = 0; i < 16; i++) printf(" %02x", yhi[i]);
        printf("\n");
    }
    return 0;
}
