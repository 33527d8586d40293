/* vec_fault_context.c -- vector instructions that fault, and the frame
 * the handler sees (session 42 probe): misaligned movaps/movdqa/addps/
 * movntdqa and VEX vmovaps/vmovdqa/vmovntdq (#GP: SIGSEGV SI_KERNEL,
 * si_addr 0) against an unaligned VEX arithmetic operand (no fault),
 * 256-bit loads and stores across into a PROT_NONE page, vpmaskmovd
 * loads/stores whose active elements reach it (and whose masked-off ones
 * do not fault), a vpgatherdd whose fourth element faults (the done
 * elements and the cleared mask bits in the frame), misaligned fxsave and
 * xsave, and ldmxcsr with a reserved bit: signal, code, trap, error code,
 * rip, MXCSR and ymm0/ymm2/ymm7 as the frame's XSAVE area holds them. */
//@cflags: -mavx2
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <immintrin.h>

static volatile int g_sig, g_code; static volatile long g_trap, g_err, g_addr, g_rip;
static uint8_t ymmhi[16][16], xmmv[16][16]; static uint32_t g_mxcsr;
static volatile long resume;
static void h(int s, siginfo_t *si, void *c)
{
    ucontext_t *u = c;
    uint8_t *fp = (uint8_t *)u->uc_mcontext.fpregs;
    g_sig = s; g_code = si->si_code; g_addr = (long)si->si_addr;
    g_trap = u->uc_mcontext.gregs[REG_TRAPNO]; g_err = u->uc_mcontext.gregs[REG_ERR];
    g_rip = u->uc_mcontext.gregs[REG_RIP];
    memcpy(xmmv, fp + 160, 256);
    memcpy(ymmhi, fp + 576, 256);
    g_mxcsr = u->uc_mcontext.fpregs->mxcsr;
    u->uc_mcontext.gregs[REG_RIP] = resume;
}
static uint8_t buf[256] __attribute__((aligned(64)));
#define FAULT(NAME, TEXT, ...) do { g_sig = 0; \
    __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, %[res]\n\tlea 2f(%%rip), %%rax\n\tmov %%rax, %[st]\n\t" \
                     "vpcmpeqd %%ymm2, %%ymm2, %%ymm2\n\tvpxor %%ymm7, %%ymm7, %%ymm7\n\tvpsrlw $3, %%ymm2, %%ymm0\n2:\n\t" TEXT "\n1:" \
                     : [res] "=m"(resume), [st] "=m"(start) : __VA_ARGS__ : "rax", "rcx", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm7"); \
    if (!g_sig) { printf("%-10s no signal\n", NAME); break; } \
    printf("%-10s sig %d code %d trap %ld err %ld addr %s rip %+ld mx %04x\n", NAME, g_sig, g_code, g_trap, g_err, \
           g_addr == 0 ? "0" : g_addr >= (long)buf && g_addr < (long)buf + 256 ? "buf" : g_addr >= (long)pg && g_addr < (long)pg + 8192 ? "pg" : "?", \
           g_rip - start, g_mxcsr); \
    printf("  ymm7hi"); for (int i = 0; i < 16; i++) printf(" %02x", ymmhi[7][i]); \
    printf("\n  xmm7  "); for (int i = 0; i < 16; i++) printf(" %02x", xmmv[7][i]); \
    printf("\n  ymm2hi"); for (int i = 0; i < 16; i++) printf(" %02x", ymmhi[2][i]); \
    printf("\n  ymm0  "); for (int i = 0; i < 16; i++) printf(" %02x", xmmv[0][i]); \
    for (int i = 0; i < 16; i++) printf(" %02x", ymmhi[0][i]); \
    printf("\n"); } while (0)

int main(void)
{
    struct sigaction sa = { 0 }; sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0); sigaction(SIGBUS, &sa, 0);
    uint8_t *pg = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 8192; i++) pg[i] = (uint8_t)i;
    mprotect(pg + 4096, 4096, PROT_NONE);
    for (int i = 0; i < 256; i++) buf[i] = (uint8_t)(3 * i);
    long start;
    FAULT("movaps", "movaps 1(%[b]), %%xmm7", [b] "r"(buf));
    FAULT("movdqa st", "movdqa %%xmm2, 8(%[b])", [b] "r"(buf));
    FAULT("addps", "addps 4(%[b]), %%xmm7", [b] "r"(buf));
    FAULT("vmovaps y", "vmovaps 16(%[b]), %%ymm7", [b] "r"(buf));
    FAULT("vmovdqa st", "vmovdqa %%ymm2, 32+8(%[b])", [b] "r"(buf));
    FAULT("vmovntdq", "vmovntdq %%ymm2, 16(%[b])", [b] "r"(buf));
    FAULT("vaddps ok", "vaddps 1(%[b]), %%ymm2, %%ymm7", [b] "r"(buf));
    FAULT("movntdqa", "movntdqa 8(%[b]), %%xmm7", [b] "r"(buf));
    FAULT("vmovups pg", "vmovups 4096-16(%[b]), %%ymm7", [b] "r"(pg));
    FAULT("vmovups st", "vmovups %%ymm2, 4096-8(%[b])", [b] "r"(pg));
    FAULT("maskmov ok", "vpxor %%xmm3, %%xmm3, %%xmm3\n\tvpcmpeqd %%xmm0, %%xmm0, %%xmm0\n\tvpsrldq $8, %%xmm0, %%xmm0\n\tvinserti128 $1, %%xmm3, %%ymm0, %%ymm0\n\tvpmaskmovd 4096-8(%[b]), %%ymm0, %%ymm7", [b] "r"(pg));
    FAULT("maskmov f", "vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\tvpmaskmovd 4096-8(%[b]), %%ymm0, %%ymm7", [b] "r"(pg));
    FAULT("maskst f", "vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\tvpmaskmovd %%ymm2, %%ymm0, 4096-8(%[b])", [b] "r"(pg));
    FAULT("gather f", "vmovdqu %[ix], %%ymm1\n\tvpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\tvpgatherdd %%ymm0, (%[b],%%ymm1,4), %%ymm7\n\tvmovdqu %%ymm0, %%ymm2", [b] "r"(pg), [ix] "m"(*(const __m256i *)(const int[8]){ 0, 1, 2, 1022, 1023, 1024, 3, 5 }));
    FAULT("fxsave mis", "fxsave 8(%[b])", [b] "r"(buf));
    FAULT("xsave mis", "mov $7, %%eax\n\txor %%edx, %%edx\n\txsave 16(%[b])", [b] "r"(buf));
    FAULT("ldmxcsr", "movl $0x10000, (%[b])\n\tldmxcsr (%[b])", [b] "r"(buf));
    return 0;
}
