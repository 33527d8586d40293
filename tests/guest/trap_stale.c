/* trap_stale.c -- REG_TRAPNO, REG_ERR and cr2 in the frames of signals
 * other than the fault just taken: Linux fills them from the thread's last
 * trap (thread.trap_nr, error_code, cr2), so a raise() after a page fault
 * shows 14, its error code and address, a later #UD keeps the old cr2, a
 * new thread and a forked child inherit them, and a misaligned vsyscall
 * call (SIGSEGV forced by the kernel) changes none of them.  (Session 42
 * probe: ferry showed 0 in an asynchronous signal's frame.) */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <ucontext.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/wait.h>
#include <sys/mman.h>
static volatile long tr, er, cr; static volatile long resume, resume_sp;
static char page[4096] __attribute__((aligned(4096)));
static void h(int s, siginfo_t *si, void *c)
{
    ucontext_t *u = c;
    tr = u->uc_mcontext.gregs[REG_TRAPNO]; er = u->uc_mcontext.gregs[REG_ERR]; cr = u->uc_mcontext.gregs[REG_CR2];
    if (s != SIGUSR1) {
        u->uc_mcontext.gregs[REG_RIP] = resume;
        u->uc_mcontext.gregs[REG_RSP] = resume_sp;  /* (the vsyscall call pushed) */
    }
}
#define SHOW(what) printf("%-12s trap %2ld err %2ld cr2 %s\n", what, tr, er, cr == 0 ? "0" : cr == 16 ? "16" : cr == (long)page + 8 ? "page+8" : "other")
static void *th(void *a) { raise(SIGUSR1); SHOW("thread usr1"); return 0; }
#define FAULT(TEXT) __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, %0\n\tmov %%rsp, %1\n\t" TEXT "\n1:" \
                                     : "=m"(resume), "=m"(resume_sp) :: "rax", "rcx", "rdx", "memory")
int main(void)
{
    struct sigaction sa = { 0 }; sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0); sigaction(SIGUSR1, &sa, 0); sigaction(SIGILL, &sa, 0); sigaction(SIGFPE, &sa, 0); sigaction(SIGTRAP, &sa, 0);
    raise(SIGUSR1); SHOW("fresh usr1");
    FAULT("mov $16, %%eax\n\tmov (%%rax), %%eax"); SHOW("load 16");
    raise(SIGUSR1); SHOW("usr1");
    pthread_t t; pthread_create(&t, 0, th, 0); pthread_join(t, 0);
    FAULT("ud2"); SHOW("ud2");
    raise(SIGUSR1); SHOW("usr1");
    FAULT("xor %%ecx, %%ecx\n\tdiv %%ecx"); SHOW("div0");
    FAULT("int3"); SHOW("int3");
    FAULT("hlt"); SHOW("hlt");
    raise(SIGUSR1); SHOW("usr1");
    __builtin_memset(page, 1, 8);
    mprotect(page, 4096, PROT_READ);
    FAULT("lea page+8(%%rip), %%rax\n\tmovl $1, (%%rax)"); SHOW("store ro");
    FAULT("ud2"); SHOW("ud2");
    FAULT("movabs $0xffffffffff600100, %%rcx\n\tcall *%%rcx"); SHOW("vsys +0x100");
    FAULT("int $0x20"); SHOW("int 0x20");
    FAULT("movabs $0xffffffffff600100, %%rcx\n\tcall *%%rcx"); SHOW("vsys +0x100");
    raise(SIGUSR1); SHOW("usr1");
    fflush(stdout);
    if (fork() == 0) { raise(SIGUSR1); SHOW("child usr1"); fflush(stdout); _exit(0); }
    wait(0);
    return 0;
}
