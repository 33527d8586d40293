/* align_check_ac.c -- EFLAGS.AC set by popf: Linux runs user code with
 * CR0.AM set, so a misaligned load then raises #AC (SIGBUS, BUS_ADRALN,
 * REG_TRAPNO 17) and the handler's frame still has AC set (session 42
 * probe; ferry models it since session 43: frontends/x86_64/
 * x86_align_check.c, align_check_matrix.c for the wider table). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <ucontext.h>

static volatile int got_sig, got_code; static volatile long got_trap, got_err, got_fl;
extern char ac_resume[];
static void on_sig(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    got_sig = sig; got_code = si->si_code;
    got_trap = uc->uc_mcontext.gregs[REG_TRAPNO]; got_err = uc->uc_mcontext.gregs[REG_ERR];
    got_fl = uc->uc_mcontext.gregs[REG_EFL];
    uc->uc_mcontext.gregs[REG_EFL] &= ~0x40000ull;
    uc->uc_mcontext.gregs[REG_RIP] = (long)ac_resume;
}
static char buf[64] __attribute__((aligned(16)));
int main(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_sig; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, 0); sigaction(SIGSEGV, &sa, 0);
    uint64_t fl;
    __asm__ volatile("pushfq\n\torq $0x40000, (%%rsp)\n\tpopfq\n\tpushfq\n\tpopq %0\n\tpushfq\n\tandq $~0x40000, (%%rsp)\n\tpopfq" : "=r"(fl) :: "cc");
    printf("AC readback %d\n", !!(fl & 0x40000));
    uint32_t v = 0;
    __asm__ volatile("pushfq\n\torq $0x40000, (%%rsp)\n\tpopfq\n\tmovl 1(%1), %0\n"
                     ".globl ac_resume\nac_resume:\n\tpushfq\n\tandq $~0x40000, (%%rsp)\n\tpopfq" : "+r"(v) : "r"(buf) : "cc", "memory");
    printf("sig %d code %d trap %ld err %ld ac %d\n", got_sig, got_code, got_trap, got_err, !!(got_fl & 0x40000));
    return 0;
}
