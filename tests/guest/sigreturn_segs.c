/* sigreturn_segs.c -- rt_sigreturn with edited segment selectors in the
 * frame (x86-64 Linux: the frame's cs gets RPL 3; a selector the CPU
 * refuses on the return to user mode is SIGSEGV SI_KERNEL with the frame's
 * registers; ss is loaded from the frame when uc_flags has UC_STRICT_RESTORE_SS,
 * else set to __USER_DS).  Each case in a child: a SIGUSR1 handler edits cs
 * or ss (and uc_flags) and returns; the child prints whether the code after
 * raise() ran and what a SIGSEGV handler saw (si_code, trapno, err, cs and ss
 * of its own frame); the parent prints how the child ended.  (Session 43
 * probe: ferry resumed in 64-bit mode after any cs but 0x23; Linux's iret
 * faults on 0x2b, 0x1237, 0x3b, 0x13, 0xb and the null selector.) */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef UC_STRICT_RESTORE_SS
#define UC_STRICT_RESTORE_SS 0x4
#endif
static unsigned new_cs, new_ss, strict;
static void on_usr1(int s, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    uint64_t v = uc->uc_mcontext.gregs[REG_CSGSFS];
    if (new_cs != ~0u) v = (v & ~0xffffull) | new_cs;
    if (new_ss != ~0u) v = (v & ~(0xffffull << 48)) | ((uint64_t)new_ss << 48);
    uc->uc_mcontext.gregs[REG_CSGSFS] = v;
    if (strict) uc->uc_flags |= UC_STRICT_RESTORE_SS;
    else uc->uc_flags &= ~UC_STRICT_RESTORE_SS;
}
static void on_segv(int s, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    uint64_t v = uc->uc_mcontext.gregs[REG_CSGSFS];
    printf("  segv code %d trap %lld err %#llx cs %#llx ss %#llx\n", si->si_code, (long long)uc->uc_mcontext.gregs[REG_TRAPNO],
           (long long)uc->uc_mcontext.gregs[REG_ERR], (unsigned long long)(v & 0xffff), (unsigned long long)(v >> 48));
    fflush(stdout);
    _exit(3);
}

static void run(unsigned cs, unsigned ss, unsigned st)
{
    printf("cs %#x ss %#x strict %u\n", cs, ss, st);
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        new_cs = cs; new_ss = ss; strict = st;
        struct sigaction sa = { 0 };
        sa.sa_sigaction = on_usr1; sa.sa_flags = SA_SIGINFO;
        sigaction(SIGUSR1, &sa, 0);
        sa.sa_sigaction = on_segv;
        sigaction(SIGSEGV, &sa, 0);
        raise(SIGUSR1);
        unsigned short c, s2;
        __asm__ volatile("mov %%cs, %0\n\tmov %%ss, %1" : "=r"(c), "=r"(s2));
        printf("  resumed cs %#x ss %#x\n", c, s2);
        fflush(stdout);
        _exit(0);
    }
    int st2; waitpid(p, &st2, 0);
    if (WIFSIGNALED(st2)) printf("  killed by %d\n", WTERMSIG(st2)); else printf("  exit %d\n", WEXITSTATUS(st2));
}

int main(void)
{
    setvbuf(stdout, 0, _IOLBF, 0);
    static const unsigned css[] = { ~0u, 0x33, 0x30, 0x31, 0x2b, 0x1234, 0, 0x3b, 0x13, 0x8 };
    for (unsigned i = 0; i < sizeof css / sizeof *css; i++) run(css[i], ~0u, 0);
    static const unsigned sss[] = { 0x2b, 0x28, 0, 3, 0x33, 0x1233, 0x23, 0x2f };
    for (unsigned i = 0; i < sizeof sss / sizeof *sss; i++) { run(~0u, sss[i], 0); run(~0u, sss[i], 1); }
    return 0;
}
