/* stack_child.h -- for the main stack's guests (stack_grow.c,
 * stack_hole.c, stack_room.c, stack_limit.c): a descent that touches every
 * page of its frames, a SIGSEGV handler on an alternate stack, and a case
 * run in a child whose ending is printed. */
#ifndef STACK_CHILD_H
#define STACK_CHILD_H
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* n frames of about 4 KiB, each page written. */
static __attribute__((noinline, unused)) int descend(int n)
{
    volatile char page[4000];
    page[0] = (char)n;
    page[3999] = (char)n;
    return n ? descend(n - 1) + page[0] : page[3999];
}

/* The name of a SIGSEGV's si_code. */
static __attribute__((unused)) const char *segv_code(const siginfo_t *si)
{
    return si->si_code == SEGV_MAPERR ? "SEGV_MAPERR" : si->si_code == SEGV_ACCERR ? "SEGV_ACCERR" : "another code";
}

static char segv_altstack[64 * 1024];

/* fn as the SIGSEGV handler (SA_SIGINFO), on segv_altstack. */
static __attribute__((unused)) void catch_segv(void (*fn)(int, siginfo_t *, void *))
{
    stack_t ss = { .ss_sp = segv_altstack, .ss_size = sizeof segv_altstack };
    struct sigaction sa = { .sa_sigaction = fn, .sa_flags = SA_SIGINFO | SA_ONSTACK };
    sigaltstack(&ss, NULL);
    sigaction(SIGSEGV, &sa, NULL);
}

/* Whether RLIMIT_STACK is the usual 8..64 MiB (or unlimited, where
 * unlimited_ok), under an unlimited hard limit where hard_unlimited;
 * else the cases are skipped, and said to be. */
static __attribute__((unused)) int stack_limit_usual(int unlimited_ok, int hard_unlimited)
{
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    int ok = (!hard_unlimited || rl.rlim_max == RLIM_INFINITY) &&
             (rl.rlim_cur == RLIM_INFINITY ? unlimited_ok : rl.rlim_cur >= (8ul << 20) && rl.rlim_cur <= (64ul << 20));
    if (!ok)
        printf("RLIMIT_STACK not 8..64 MiB%s: cases skipped\n", hard_unlimited ? " under an unlimited hard limit" : "");
    return ok;
}

/* Runs fn in a child; prints how it ended, what padded to width. */
static void run_child(const char *what, int width, void (*fn)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    if (WIFSIGNALED(st))
        printf("%-*s killed by %s\n", width, what, strsignal(WTERMSIG(st)));
    else
        printf("%-*s exit %d\n", width, what, WEXITSTATUS(st));
}
#endif
