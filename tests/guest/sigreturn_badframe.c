/* sigreturn_badframe.c -- rt_sigreturn of a frame the kernel rejects.  A
 * handler breaks its own frame (reserved bits of the XSAVE header set, or
 * fpstate pointing at unmapped memory); Linux
 * restores the general registers and the mask, makes the call return 0 and
 * forces SIGSEGV (SI_KERNEL): a SIGSEGV handler runs and returning from it
 * resumes the interrupted code; with SIGSEGV blocked in the frame's mask
 * the process dies of it.  Each case runs in a child; the parent prints
 * what the handlers saw and how the child ended. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

/* (A misaligned fpstate is left out: fxrstor's alignment #GP is the
 * CPU's choice, and this AMD restores it.) */
enum breakage { XSTATE_RESERVED, FPSTATE_UNMAPPED };

static enum breakage how;
static int block_segv;
static void *unmapped;

static void on_usr1(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig, (void)si;
    uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
    if (how == XSTATE_RESERVED)
        ((uint64_t *)(fp + 512))[2] = 0xfffffff;    /* header's reserved words */
    else
        uc->uc_mcontext.fpregs = unmapped;
    if (block_segv)
        sigaddset(&uc->uc_sigmask, SIGSEGV);
}

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    printf("  SIGSEGV: signo %d code %#x addr %p rax %lld r12 %#llx\n", sig, si->si_code,
           si->si_addr, (long long)uc->uc_mcontext.gregs[REG_RAX],
           (unsigned long long)uc->uc_mcontext.gregs[REG_R12]);
}

static void set_handler(int sig, void (*fn)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* raise(SIGUSR1) with a known value in callee-saved r12 across it. */
static long raise_marked(void)
{
    register long r12 __asm__("r12") = 0x5eed5eed;
    __asm__ volatile("" : "+r"(r12));
    raise(SIGUSR1);
    __asm__ volatile("" : "+r"(r12));
    return r12;
}

static void run_case(const char *name, enum breakage b, int blocked)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        how = b;
        block_segv = blocked;
        set_handler(SIGUSR1, on_usr1);
        set_handler(SIGSEGV, on_segv);
        long r12 = raise_marked();
        sigset_t now;
        sigprocmask(SIG_SETMASK, NULL, &now);
        printf("  back: r12 %#lx usr1-blocked %d segv-blocked %d\n", r12,
               sigismember(&now, SIGUSR1), sigismember(&now, SIGSEGV));
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("%s%s: %s %d\n", name, blocked ? " (SIGSEGV blocked)" : "",
           WIFSIGNALED(st) ? "killed by signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

int main(void)
{
    unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(unmapped, 4096);
    run_case("xstate reserved", XSTATE_RESERVED, 0);
    run_case("fpstate unmapped", FPSTATE_UNMAPPED, 0);
    run_case("xstate reserved", XSTATE_RESERVED, 1);
    return 0;
}
