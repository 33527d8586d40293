/* asyncflags.c -- a probe, not a test (session 33, branch flagsx64): the
 * flags a SIGALRM handler finds in uc_mcontext while a loop spins whose
 * flags are dead at a block boundary.  `cmp A; jmp 1f` then, at 1:, a
 * load and `cmp B; jrcxz back`: the successor scan proves A's flags dead
 * at 1: (cmp B overwrites them), so the jmp stores none -- yet 1: starts
 * the block with the backward exit, i.e. with the exit_request test,
 * where ferry delivers async signals: the handler sees the stale state
 * in env instead of A's flags.  Natively every signal finds the flags of
 * the last cmp before its RIP.  As of session 33 ferry prints "some" for
 * A on both hosts (x86-64 and AArch64 builds: ~2000 of 2000 signals); a
 * fix (docs/status.md, session 33 flagsx64, Left) turns this into a guest
 * test.  Build: gcc -static -O2 asyncflags.c */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>

extern char ad_spin[], ad_a_end[], ad_b[], ad_b_end[], ad_end[];
volatile int ad_stop;
static volatile unsigned long hits, bad_a, bad_b, outside;

__asm__(".text\n.globl ad_spin, ad_a_end, ad_b, ad_b_end, ad_end\n"
        "ad_loop:\n"
        "  mov $1, %rax\n  mov $2, %rbx\n"
        "ad_spin:\n"
        "  cmp %rbx, %rax\n"        /* A: 1 - 2: CF SF AF PF */
        "ad_a_end:\n"
        "  jmp 1f\n"
        "1:\n"
        "  mov ad_stop(%rip), %ecx\n"
        "ad_b:\n"
        "  cmp %rax, %rbx\n"        /* B: 2 - 1: none */
        "ad_b_end:\n"
        "  jrcxz ad_spin\n"
        "ad_end:\n"
        "  ret\n");

static void on_alarm(int sig, siginfo_t *si, void *ctx)
{
    (void)sig; (void)si;
    ucontext_t *uc = ctx;
    uintptr_t ip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    unsigned long efl = uc->uc_mcontext.gregs[REG_EFL] & 0x8d5;
    hits++;
    if (ip > (uintptr_t)ad_spin && ip <= (uintptr_t)ad_b) {
        if (efl != 0x95) bad_a++;       /* CF PF AF SF */
    } else if ((ip > (uintptr_t)ad_b && ip < (uintptr_t)ad_end) || ip == (uintptr_t)ad_spin) {
        if (efl != 0) bad_b++;
    } else
        outside++;
    if (hits >= 2000) ad_stop = 1;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_alarm;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 200 }, { 0, 200 } };
    setitimer(ITIMER_REAL, &it, NULL);
    __asm__ volatile("call ad_loop" : : : "rax", "rbx", "rcx", "cc", "memory");
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    printf("wrong flags after A: %s, after B: %s\n", bad_a ? "some" : "none",
           bad_b ? "some" : "none");
    fprintf(stderr, "hits %lu bad_a %lu bad_b %lu outside %lu\n", hits, bad_a, bad_b, outside);
    return 0;
}
