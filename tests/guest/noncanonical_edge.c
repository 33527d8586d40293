/* noncanonical_edge.c -- an 8-byte load that starts in the last page of
 * the user half and ends past 2^47: #GP (SIGSEGV, SI_KERNEL, trap 13, no
 * si_addr), not a page fault.  x86-64 build only: the AArch64 build
 * checks where an access starts, so there it is a page fault at the
 * never-mapped top page (issue 10, remaining). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf back;

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    printf("signal %d code %d addr %s trapno %lld err %lld\n", sig, si->si_code,
           si->si_addr ? "set" : "0", (long long)uc->uc_mcontext.gregs[REG_TRAPNO],
           (long long)uc->uc_mcontext.gregs[REG_ERR]);
    siglongjmp(back, 1);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    if (!sigsetjmp(back, 1)) {
        uint64_t v, p = 0x00007ffffffffffcull;
        __asm__ volatile("mov (%1), %0" : "=r"(v) : "r"(p) : "memory");
        printf("ran\n");
    }
    return 0;
}
