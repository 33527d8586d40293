/* syscall_nt_flag.c -- RFLAGS across the SYSCALL instruction: r11 holds
 * the flags the call was entered with (arithmetic ones, DF, AC, ID, NT);
 * the flags after it are those, NT too on Intel (Linux 6.18 on Sapphire
 * Rapids, as Linux's kselftest syscall_nt expects), except NT on the AMD
 * Zen 5 measured, where the same kernel returns it clear.  rt_sigreturn of
 * a frame with NT set returns with NT clear on both. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <ucontext.h>

#define NT 0x4000ul

static void set_nt(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig, (void)si;
    uc->uc_mcontext.gregs[REG_EFL] |= NT;
}

/* getpid with RFLAGS = flags on entry; the flags after it and r11. */
static void call_with(unsigned long flags, unsigned long *after, unsigned long *r11)
{
    __asm__ volatile("pushq %2\n\tpopfq\n\tsyscall\n\tpushfq\n\tpopq %0\n\tmov %%r11, %1\n\t"
                     "pushq $0x202\n\tpopfq"
                     : "=&r"(*after), "=&r"(*r11)
                     : "r"(flags), "a"((long)SYS_getpid)
                     : "rcx", "r11", "memory", "cc");
}

int main(void)
{
    static const unsigned long in[] = { 0x202, 0x4202, 0x4ad7, 0x40202, 0x200202, 0x244ed7 };
    for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
        unsigned long after, r11;
        call_with(in[i], &after, &r11);
        printf("entered %#lx: after %#lx r11 %#lx\n", in[i], after, r11);
    }
    struct sigaction sa = { .sa_sigaction = set_nt, .sa_flags = SA_SIGINFO };
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    unsigned long now;
    __asm__ volatile("pushfq\n\tpopq %0" : "=r"(now));
    printf("after a handler set NT: NT %s\n", now & NT ? "set" : "clear");
    return 0;
}
