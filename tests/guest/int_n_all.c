/* int_n_all.c -- int $n for every n in 64-bit mode, as Linux reports each:
 * the IDT gates user code may use (3 and 4: SIGTRAP / SIGSEGV as #BP/#OF
 * traps, 0x80: the i386 system call) and the rest #GP with error code
 * n*8+2 (SIGSEGV SI_KERNEL); also int3 and icebp (f1), and popf of each
 * EFLAGS bit (which stick: AC, ID, DF, NT; IOPL, VM, VIF, VIP, RF do not).
 * Printed: signal, si_code, trapno, err, rip relative to the instruction. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static volatile int g_sig, g_code; static volatile long g_trap, g_err, g_rip, g_fl;
static void on_sig(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    g_sig = sig; g_code = si->si_code;
    g_trap = uc->uc_mcontext.gregs[REG_TRAPNO]; g_err = uc->uc_mcontext.gregs[REG_ERR];
    g_rip = uc->uc_mcontext.gregs[REG_RIP]; g_fl = uc->uc_mcontext.gregs[REG_EFL];
    uc->uc_mcontext.gregs[REG_RIP] = uc->uc_mcontext.gregs[REG_RBX];   /* the return point */
    uc->uc_mcontext.gregs[REG_RSP] += 8;                                /* (the call's push) */
}

int main(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_sig; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, 0); sigaction(SIGSEGV, &sa, 0); sigaction(SIGTRAP, &sa, 0);
    sigaction(SIGBUS, &sa, 0);
    unsigned char *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int n = 0; n < 256; n++) {
        if (n == 0x80) continue;                 /* a system call: insn_traps.c */
        code[0] = 0xcd; code[1] = n; code[2] = 0xc3;      /* int $n; ret */
        if (n == 256 - 1) { code[0] = 0xcd; }
        g_sig = 0; g_trap = g_err = g_rip = -1;
        __asm__ volatile("lea 1f(%%rip), %%rbx\n\tcall *%0\n1:" : : "r"(code) : "rbx", "memory", "cc");
        printf("int %02x sig %2d code %4d trap %2ld err %#6lx rip %+ld\n", n, g_sig, g_code, g_trap, g_err,
               g_sig ? g_rip - (long)code : 0);
    }
    static const unsigned char other[][3] = { { 0xcc, 0xc3 }, { 0xf1, 0xc3 }, { 0xce, 0xc3 }, { 0x0f, 0x0b, 0xc3 },
                                              { 0xf4, 0xc3 }, { 0x0f, 0x05 - 0, 0xc3 } };
    for (int i = 0; i < 5; i++) {
        memcpy(code, other[i], 3);
        g_sig = 0; g_trap = g_err = g_rip = -1;
        __asm__ volatile("lea 1f(%%rip), %%rbx\n\tcall *%0\n1:" : : "r"(code) : "rbx", "memory", "cc");
        printf("op %02x sig %2d code %4d trap %2ld err %#6lx rip %+ld\n", other[i][0], g_sig, g_code, g_trap, g_err,
               g_sig ? g_rip - (long)code : 0);
    }
    for (int b = 0; b < 32; b++) {
        if (b == 8 || b == 17) continue;          /* TF: single_step.c; VM */
        unsigned long in = 0x202ul | (1ul << b), out;
        __asm__ volatile("pushfq\n\tpush %1\n\tpopfq\n\tpushfq\n\tpop %0\n\tpopfq" : "=r"(out) : "r"(in) : "cc");
        printf("popf bit %2d in %#lx out %#lx\n", b, in, out);
    }
    return 0;
}
