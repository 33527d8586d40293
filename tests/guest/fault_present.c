/* fault_present.c -- the page-fault error code's P bit as Linux reports it
 * for pages that were or were not touched before the fault: a store to a
 * read-only page never touched has no PTE (P clear), one read first has
 * (P set); a jump into a readable page without PROT_EXEC always shows P,
 * as Linux maps the page on the first fetch (taken as a read) and the
 * fetch faults again on NX -- after which a store to it sees P too; a
 * PROT_NONE page never has P.  Each case prints the signal, si_code,
 * REG_TRAPNO and REG_ERR. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf back;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    const ucontext_t *uc = ctx;
    printf("  sig %d code %d trap %lld err %#llx\n", sig, si->si_code,
           (long long)uc->uc_mcontext.gregs[REG_TRAPNO], (long long)uc->uc_mcontext.gregs[REG_ERR]);
    siglongjmp(back, 1);
}

static unsigned char *fresh_page(int prot)
{
    unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED && prot != (PROT_READ | PROT_WRITE))
        mprotect(p, 4096, prot);
    return p;
}

static void store(unsigned char *p, const char *what)
{
    printf("store to %s\n", what);
    if (!sigsetjmp(back, 1)) {
        *(volatile unsigned char *)(p + 8) = 1;
        printf("  stored\n");
    }
}

static void jump(unsigned char *p, const char *what)
{
    printf("jump into %s\n", what);
    if (!sigsetjmp(back, 1)) {
        ((void (*)(void))p)();
        printf("  returned\n");
    }
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);

    unsigned char *p = fresh_page(PROT_READ);
    store(p, "an untouched read-only page");
    store(p, "it again");
    (void)*(volatile unsigned char *)p;
    store(p, "it after a read");

    p = fresh_page(PROT_READ | PROT_WRITE);
    jump(p, "an untouched read-write page");
    mprotect(p, 4096, PROT_READ);
    store(p, "it, made read-only after the jump");

    p = fresh_page(PROT_READ);
    jump(p, "an untouched read-only page");
    store(p, "it after the jump");

    p = fresh_page(PROT_READ | PROT_WRITE);
    p[0] = 0xc3;
    jump(p, "a written read-write page");

    p = fresh_page(PROT_NONE);
    jump(p, "a PROT_NONE page");
    store(p, "it");
    return 0;
}
