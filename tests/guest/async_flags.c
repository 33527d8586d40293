/* async_flags.c -- the arithmetic flags an asynchronous signal's handler
 * finds in uc_mcontext (REG_EFL) are the CPU's at the interrupted
 * instruction, also where the flags are dead: loops whose `cmp A; jmp` is
 * followed by code that overwrites A's flags before reading them (ferry's
 * successor scan drops their lazy stores), where a timer's SIGALRM lands
 * at the next block's entry -- through a direct jmp, through `dec; jnz`
 * (all flags but CF over dead ones, a jcc both ways), with the exit
 * request caught by the guard page (a slow timer) and by the flag test (a
 * fast one); and after a syscall (a signal sent to itself, one that
 * interrupts pause), where the handler also flips CF in the context and
 * the code after it reads the flags.  Every handler computes what the
 * flags must be from the context's registers (the same instructions,
 * run in the handler) and counts mismatches; the program prints only
 * whether there were any.  Before session 34 ferry's handlers saw env's
 * older flags at those entries (2,000 of 2,000 signals). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#include "async_cases.h"

extern char s_after[], p_after[];
unsigned long s_run(long pid, long tid, long sig);
unsigned long p_run(void);
volatile int c_stop;

__asm__(".text\n"
        DEAD_FLAG_LOOPS("c_stop")
        ".globl s_run, s_after\n"   /* tgkill(pid, tid, sig) after cmp A */
        "s_run:\n"
        "  mov $234, %eax\n"
        "  mov $1, %r8\n  mov $2, %r9\n"
        "  cmp %r9, %r8\n"
        "  syscall\n"
        "s_after:\n"
        "  pushfq\n  pop %rax\n  ret\n"
        ".globl p_run, p_after\n"   /* pause() after cmp A */
        "p_run:\n"
        "  mov $34, %eax\n"
        "  mov $1, %r8\n  mov $2, %r9\n"
        "  cmp %r9, %r8\n"
        "  syscall\n"
        "p_after:\n"
        "  pushfq\n  pop %rax\n  ret\n");

static volatile struct landings tally;

static void loop_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)sig; (void)si;
    const greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    unsigned long want = 0;
    int in = dead_flag_loops_want((uintptr_t)g[REG_RIP], g[REG_R8], g[REG_R9], g[REG_RDX], &want);
    if (landed(&tally, in, (unsigned long)g[REG_EFL] & ARITH, want))
        c_stop = 1;
}

static void run_loop(const char *what, void (*loop)(void), long usec, unsigned long n)
{
    c_stop = 0;
    landings_start(&tally, n, loop_signal, usec);
    loop();
    set_timer(0);
    printf("%s: %s\n", what, tally.bad ? "wrong flags" : "flags as the CPU's");
}

/* After a syscall: the handler checks it interrupted the insn after the
 * syscall with A's flags, and flips CF in the context. */
static volatile uintptr_t after_at;
static volatile int after_ok, after_seen;

static void after_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)sig; (void)si;
    greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    unsigned long want = flags_cmp(g[REG_R8], g[REG_R9]);
    after_seen++;
    after_ok = (uintptr_t)g[REG_RIP] == after_at && ((unsigned long)g[REG_EFL] & ARITH) == want;
    g[REG_EFL] ^= 1;
}

static void report_after(const char *what, unsigned long flags)
{
    unsigned long want = flags_cmp(1, 2) ^ 1;
    printf("%s: delivered %d, flags at delivery %s, handler's CF %s\n", what, after_seen,
           after_ok ? "as the CPU's" : "wrong", (flags & ARITH) == want ? "kept" : "lost");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    run_loop("jmp into dead flags, guard-page requests", j_loop, 25000, 6);
    run_loop("jmp into dead flags", j_loop, 200, 500);
    run_loop("dec; jnz into dead flags", d_loop, 200, 500);

    on_signal(SIGUSR1, after_signal);
    after_at = (uintptr_t)s_after;
    after_seen = 0;
    unsigned long f = s_run(getpid(), syscall(SYS_gettid), SIGUSR1);
    report_after("signal sent by a syscall", f);

    on_signal(SIGALRM, after_signal);
    after_at = (uintptr_t)p_after;
    after_seen = 0;
    struct itimerval once = { { 0, 0 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &once, NULL);
    f = p_run();
    report_after("signal in pause", f);
    return 0;
}
