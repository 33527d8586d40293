/* stack_child.h -- for the main stack's guests (stack_grow.c,
 * stack_hole.c): a descent that touches every page of its frames, and a
 * case run in a child whose ending is printed. */
#ifndef STACK_CHILD_H
#define STACK_CHILD_H
#include <signal.h>
#include <stdio.h>
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
