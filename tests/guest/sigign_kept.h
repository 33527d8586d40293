/* sigign_kept.h -- what sigign_kept_exec.c and sigign_kept_exec_segv.c
 * share: the program ignores the signals of its `kept[]` (the raw
 * rt_sigaction: glibc refuses 32 and 33), tries an exec that fails in
 * the kernel (an argument over MAX_ARG_STRLEN), checks that a SIGSEGV
 * handler installed after it still catches a fault (the failed exec must
 * leave the process as it was), ignores SIGSEGV again if it is in kept[],
 * and runs itself three times: exec'ed by a forked child, exec'ed by a
 * forked child that started a thread of its own first (the exec of a
 * multi-threaded process), and posix_spawn'ed while a second thread runs; each
 * new image prints each disposition and /proc/self/status's SigIgn (its
 * bits of kept[]). */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <spawn.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_strings.h"

#define NKEPT (sizeof kept / sizeof kept[0])

/* The kernel's struct sigaction: the handler first. */
static uint64_t handler_of(int sig)
{
    uint64_t k[4] = { 0 };
    if (syscall(SYS_rt_sigaction, sig, NULL, k, 8) != 0)
        return ~0ull;
    return k[0];
}

static int ignore(int sig)
{
    uint64_t k[4] = { (uint64_t)(uintptr_t)SIG_IGN, 0, 0, 0 };
    return (int)syscall(SYS_rt_sigaction, sig, k, NULL, 8);
}

static const char *disposition(int sig)
{
    uint64_t h = handler_of(sig);
    return h == ~0ull ? "error" : h == (uint64_t)(uintptr_t)SIG_IGN ? "ignored" : h == 0 ? "default" : "caught";
}

static sigjmp_buf back;
static void on_segv(int sig)
{
    (void)sig;
    siglongjmp(back, 1);
}

/* After the failed exec: a handler on SIGSEGV catches a real fault (a
 * write to a read-only page: the host's fault, not a check of ferry's). */
static void fault_after_failed_exec(void)
{
    int *volatile page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(back, 1) == 0) {
        *page = 1;
        printf("no fault\n");
    } else {
        printf("fault caught after the failed exec\n");
    }
    signal(SIGSEGV, SIG_DFL);
    for (size_t i = 0; i < NKEPT; i++)
        if (kept[i] == SIGSEGV)
            ignore(SIGSEGV);
}

static void print_after_exec(void)
{
    static char text[1 << 14];
    for (size_t i = 0; i < NKEPT; i++)
        printf("signal %d: %s\n", kept[i], disposition(kept[i]));
    unsigned long long ign = 0, mine = 0;
    for (size_t i = 0; i < NKEPT; i++)
        mine |= 1ull << (kept[i] - 1);
    proc_slurp(AT_FDCWD, "/proc/self/status", text, sizeof text);
    char *l = strstr(text, "SigIgn:");
    if (l && sscanf(l, "SigIgn: %llx", &ign) == 1)     /* (what started the test may ignore others) */
        printf("SigIgn, these signals: %llx\n", ign & mine);
    (void)proc_print_strings;
}

/* A forked child execs this program ("after-exec"): the exec of a
 * single-threaded process, as a shell's or make's child makes it. */
static void exec_in_child(char *self)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/proc/self/exe", self, "after-exec", (char *)0);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("exec'ed child: status %d\n", st);
}

static int hold[2];
static void *held_thread(void *arg)
{
    char c;
    (void)arg;
    read(hold[0], &c, 1);           /* until the process ends */
    return NULL;
}

/* posix_spawn (vfork) of this program while a second thread runs: the
 * spawned child is single-threaded whatever its parent is. */
static void spawn_beside_a_thread(char *self)
{
    pthread_t t;
    char *args[] = { self, "after-exec", NULL };
    pid_t pid;
    if (pipe(hold) || pthread_create(&t, NULL, held_thread, NULL))
        return;
    fflush(stdout);
    int err = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, NULL);
    int st = -1;
    if (!err)
        waitpid(pid, &st, 0);
    printf("spawned child beside a thread: %s, status %d\n", strerror(err), st);
}

/* A forked child starts a second thread, then execs this program: the
 * exec of a multi-threaded process (the kernel ends the other thread and
 * the dispositions pass on as from any exec). */
static void exec_beside_a_thread(char *self)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t;
        if (pipe(hold) || pthread_create(&t, NULL, held_thread, NULL))
            _exit(126);
        execl("/proc/self/exe", self, "after-exec", (char *)0);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("exec'ed child beside a thread: status %d\n", st);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        print_after_exec();
        return 0;
    }
    for (size_t i = 0; i < NKEPT; i++)
        if (ignore(kept[i]) != 0)
            printf("signal %d: rt_sigaction failed\n", kept[i]);
    static char too_long[200000];      /* over MAX_ARG_STRLEN: the kernel's execve fails */
    memset(too_long, 'x', sizeof too_long - 1);
    execl("/proc/self/exe", argv[0], too_long, (char *)0);
    printf("failed exec: %s\n", strerror(errno));
    fault_after_failed_exec();
    exec_in_child(argv[0]);
    exec_beside_a_thread(argv[0]);     /* first: qemu-user 7.2 aborts a forked child's
                                         * new thread where the parent has two */
    spawn_beside_a_thread(argv[0]);
    return 0;
}
