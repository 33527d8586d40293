/* clone3.c -- clone3 (issue 9): glibc 2.34+ creates threads and
 * posix_spawn children with clone3 (and falls back on clone after ENOSYS);
 * a raw fork-like clone3 with parent/child tid words, a child on its own
 * stack, and the arguments clone3 refuses (sizes, tails, stacks, signals). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static long clone3_raw(struct clone_args *ca, size_t size)
{
    return syscall(SYS_clone3, ca, size);
}

static void *worker(void *arg)
{
    return (void *)((intptr_t)arg * 3);
}

static void threads(void)
{
    pthread_t t[4];
    long sum = 0;
    for (intptr_t i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, worker, (void *)(i + 1));
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (intptr_t)r;
    }
    printf("threads: sum=%ld\n", sum);
}

static void spawn(void)
{
    char *av[] = { "/bin/sh", "-c", "exit 9", NULL };
    char *bad[] = { "/nonexistent/prog", NULL };
    pid_t pid;
    int st, r = posix_spawn(&pid, av[0], NULL, NULL, av, environ);
    waitpid(pid, &st, 0);
    printf("posix_spawn: %d status=%d\n", r, WEXITSTATUS(st));
    r = posix_spawn(&pid, bad[0], NULL, NULL, bad, environ);
    printf("posix_spawn missing: %s\n", strerror(r));
}

static void raw_fork(void)
{
    int32_t ptid = 0, ctid = 0;
    struct clone_args ca = { .flags = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID,
                             .exit_signal = SIGCHLD, .parent_tid = (uintptr_t)&ptid,
                             .child_tid = (uintptr_t)&ctid };
    fflush(stdout);
    long pid = clone3_raw(&ca, sizeof ca);
    if (pid == 0) {
        printf("raw child: ctid is me %d\n", ctid == (int32_t)syscall(SYS_gettid));
        fflush(stdout);
        _exit(5);
    }
    int st;
    waitpid((pid_t)pid, &st, 0);
    printf("raw fork: ptid is child %d status=%d\n", ptid == (int32_t)pid, WEXITSTATUS(st));
}

/* The child runs on a stack of its own (the top of `stack`): it exits at
 * once with (rsp - stack) / 4096, from assembly (it cannot return). */
static char child_stack[65536] __attribute__((aligned(16)));
static void raw_stack(void)
{
    struct clone_args ca = { .exit_signal = SIGCHLD, .stack = (uintptr_t)child_stack,
                             .stack_size = sizeof child_stack };
    long pid;
    fflush(stdout);
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "mov %%rsp, %%rdi\n\t"
                     "sub %[base], %%rdi\n\t"
                     "shr $12, %%rdi\n\t"
                     "mov $231, %%eax\n\t"
                     "syscall\n"
                     "1:"
                     : "=a"(pid)
                     : "0"((long)SYS_clone3), "D"(&ca), "S"(sizeof ca),
                       [base] "r"((uintptr_t)child_stack)
                     : "rcx", "r11", "memory");
    int st;
    waitpid((pid_t)pid, &st, 0);
    printf("own stack: status=%d\n", WEXITSTATUS(st));
}

static void bad(const char *what, struct clone_args *ca, size_t size)
{
    long r = clone3_raw(ca, size);
    if (r == 0)
        _exit(0);
    printf("%s: %s\n", what, r < 0 ? strerror(errno) : "child");
    if (r > 0)
        waitpid((pid_t)r, NULL, 0);
}

static void refused(void)
{
    struct { struct clone_args ca; uint64_t tail[2]; } big = { .ca = { .exit_signal = SIGCHLD } };
    struct clone_args ca = { .exit_signal = SIGCHLD };
    bad("size 32", &ca, 32);
    bad("size 8192", &ca, 8192);
    big.tail[1] = 1;
    bad("non-zero tail", &big.ca, sizeof big);
    ca.stack = (uintptr_t)child_stack;
    bad("stack without size", &ca, sizeof ca);
    ca = (struct clone_args){ .exit_signal = 65 };
    bad("exit_signal 65", &ca, sizeof ca);
    ca = (struct clone_args){ .flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, .exit_signal = SIGCHLD };
    bad("thread with exit_signal", &ca, sizeof ca);
    bad("bad pointer", (struct clone_args *)8, sizeof ca);
    big.tail[1] = 0;
    big.ca.exit_signal = SIGCHLD;
    bad("zero tail", &big.ca, sizeof big);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    threads();
    spawn();
    raw_fork();
    raw_stack();
    refused();
    return 0;
}
