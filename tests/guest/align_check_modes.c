/* align_check_modes.c -- #AC follows EFLAGS.AC wherever it changes
 * (Linux's CR0.AM): the same code run with AC clear, set, clear again (its
 * blocks translated for one must not serve the other); popf clearing or
 * setting AC mid-block, popfw leaving it; iretq setting it; a signal
 * handler setting it in the frame (sigreturn) and the handler itself
 * running with it; a thread with AC next to one without; a child forked
 * with AC set.  Compared with the native run. */
//@cflags: -mno-red-zone
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static __thread volatile uint64_t saved_sp, resume_at;
static __thread volatile int faults;
static volatile int usr1_handler_ac;
static unsigned char buf[256] __attribute__((aligned(64)));

#define AC_ON "pushfq\n\torq $0x40000, (%%rsp)\n\tpopfq\n\t"
#define AC_OFF "pushfq\n\tandq $~0x40000, (%%rsp)\n\tpopfq\n\t"

static void on_bus(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    faults++;
    uc->uc_mcontext.gregs[REG_EFL] &= ~0x40000ull;
    uc->uc_mcontext.gregs[REG_RIP] = (long)resume_at;
    uc->uc_mcontext.gregs[REG_RSP] = (long)saved_sp;
}

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    uint64_t fl;
    __asm__ volatile("pushfq\n\tpopq %0" : "=r"(fl));
    usr1_handler_ac = !!(fl & 0x40000);
    uc->uc_mcontext.gregs[REG_EFL] |= 0x40000;          /* back with AC set */
}

/* body (r9 = buf + 1) runs between the resume bookkeeping and label 1,
 * the handler's target; AC is cleared after it. */
#define GUARDED(body)                                                                      \
    __asm__ volatile("mov %%rsp, %%fs:saved_sp@tpoff\n\t"                                  \
                     "lea 1f(%%rip), %%rax\n\tmov %%rax, %%fs:resume_at@tpoff\n\t"         \
                     "lea buf+1(%%rip), %%r9\n\t" body "\n1:\n\t" AC_OFF                   \
                     ::: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",      \
                       "memory", "cc")
#define KILL_SELF_USR1 "mov $39, %%eax\n\tsyscall\n\tmov %%eax, %%edi\n\tmov $10, %%esi\n\t" \
                       "mov $62, %%eax\n\tsyscall\n\t"

static __attribute__((noinline)) void load_odd(void)
{
    GUARDED("movl (%%r9), %%eax");
}

static void report(const char *name)
{
    printf("%-28s faults %d\n", name, faults);
    faults = 0;
}

static void *thread_ac(void *arg)
{
    (void)arg;
    for (int k = 0; k < 3; k++)
        GUARDED(AC_ON "movq (%%r9), %%rax");
    report("thread with AC");
    return 0;
}

int main(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_bus; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, 0);
    sa.sa_sigaction = on_usr1;
    sigaction(SIGUSR1, &sa, 0);

    /* the same function with AC off, on, off, on ... */
    for (int k = 0; k < 6; k++) {
        if (k & 1) __asm__ volatile(AC_ON ::: "cc");
        load_odd();
        printf("round %d ac %d faults %d\n", k, k & 1, faults);
        faults = 0;
    }
    /* popf in the middle of a block */
    GUARDED(AC_ON AC_OFF "movl (%%r9), %%eax\n\tmovq 2(%%r9), %%rax");
    report("popf clears, loads");
    GUARDED(AC_ON "movw (%%r9), %%ax");
    report("popf sets, load");
    GUARDED("movb (%%r9), %%al\n\t" AC_ON "movb 1(%%r9), %%al");
    report("popf sets, byte loads");
    GUARDED(AC_ON "pushw $0\n\tpopfw\n\tmovl 2(%%r9), %%eax");
    report("popfw keeps AC");
    GUARDED(AC_ON "pushfq\n\tpopfq\n\tmovl 3(%%r9), %%eax\n\tmovl (%%r9), %%eax");
    report("popfq same AC");
    /* iretq to the next instruction with AC in its RFLAGS */
    GUARDED("mov %%ss, %%eax\n\tpush %%rax\n\tlea 8(%%rsp), %%rax\n\tpush %%rax\n\t"
            "pushfq\n\torq $0x40000, (%%rsp)\n\tmov %%cs, %%eax\n\tpush %%rax\n\t"
            "lea 2f(%%rip), %%rax\n\tpush %%rax\n\tiretq\n2:\n\tmovl (%%r9), %%eax");
    report("iretq sets AC");
    /* a handler returning with AC set in its frame (sigreturn) */
    GUARDED(KILL_SELF_USR1 "movl (%%r9), %%eax");
    printf("%-28s faults %d handler_ac %d\n", "sigreturn sets AC", faults, usr1_handler_ac);
    faults = 0;
    /* a signal raised with AC set: the handler runs with it */
    GUARDED(AC_ON KILL_SELF_USR1 AC_OFF "movl (%%r9), %%eax");
    printf("%-28s faults %d handler_ac %d\n", "signal with AC set", faults, usr1_handler_ac);
    faults = 0;
    /* a thread sets AC; this one, without, loads misaligned meanwhile */
    pthread_t t;
    pthread_create(&t, 0, thread_ac, 0);
    for (int k = 0; k < 1000; k++)
        GUARDED("movq (%%r9), %%rax");
    pthread_join(t, 0);
    report("main thread without AC");
    /* fork (the raw call) with AC set: both processes fault */
    fflush(stdout);
    long r;
    __asm__ volatile("mov %%rsp, %%fs:saved_sp@tpoff\n\t"
                     "lea 1f(%%rip), %%rax\n\tmov %%rax, %%fs:resume_at@tpoff\n\t"
                     AC_ON "mov $57, %%eax\n\tsyscall\n\tmov %%rax, %%rdi\n\t"
                     "movl (%%rsi), %%eax\n1:\n\t" AC_OFF
                     : "=D"(r) : "S"(buf + 1) : "rax", "rcx", "rdx", "r8", "r11", "memory", "cc");
    if (r == 0) {
        report("forked child");
        fflush(stdout);
        _exit(0);
    }
    waitpid((pid_t)r, 0, 0);
    report("parent");
    return 0;
}
