/* vfork_threads.c -- a vfork in a threaded process stops only the calling
 * thread: the others keep writing memory near the caller's stack while
 * the child runs (Go's os/exec vforks from one goroutine while others
 * run on stacks and heap right above it).  Natively the child writes
 * only what it writes; ferry's child is a fork that sends back what it
 * changed of the parent's stack (sys_vfork.c), and must not send back
 * bytes it did not write -- that would undo the other threads' writes
 * made while it ran.  A second thread counts into a word in main's
 * frame, above the vforking call's stack pointer, during a vfork whose
 * child sleeps, and during a posix_spawn; no count may be lost.  The
 * vfork child also writes a word of that frame: the parent must see it.
 * Then four threads posix_spawn at once with stdout to a pipe: the span
 * the child compares may run past a thread's stack top into the next
 * stack's guard page, which the child must not read (it died there). */
#define _GNU_SOURCE
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct shared {
    long counter;               /* the thread's atomic increments */
    long child_wrote;           /* the vfork child's store */
    int stop, started;
};

static long counted;            /* the increments, as the thread counted them */

static void *counter_thread(void *arg)
{
    struct shared *s = arg;
    long n = 0;
    while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
        __atomic_fetch_add(&s->counter, 1, __ATOMIC_RELAXED);
        if (++n == 1000)
            __atomic_store_n(&s->started, 1, __ATOMIC_RELEASE);
    }
    counted = n;
    return NULL;
}

static __attribute__((noinline)) int do_vfork(struct shared *s)
{
    pid_t pid = vfork();
    if (pid == 0) {
        struct timespec ts = { 0, 30 * 1000 * 1000 };
        nanosleep(&ts, NULL);           /* the other thread counts meanwhile */
        s->child_wrote = 42;
        _exit(3);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WEXITSTATUS(st);
}

static __attribute__((noinline)) int do_spawn(void)
{
    char *av[] = { "/bin/sh", "-c", "exit 5", NULL };
    pid_t pid;
    int st = 0;
    if (posix_spawn(&pid, "/bin/sh", NULL, NULL, av, environ))
        return -1;
    waitpid(pid, &st, 0);
    return WEXITSTATUS(st);
}

/* Three spawns whose stdout is a pipe; how many said "hi". */
static void *spawn_thread(void *arg)
{
    long ok = 0;
    for (int k = 0; k < 3; k++) {
        int p[2];
        char buf[16];
        pid_t pid;
        int st;
        if (pipe2(p, O_CLOEXEC))
            continue;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, p[1], 1);
        char *av[] = { "/bin/sh", "-c", "echo hi", NULL };
        int r = posix_spawn(&pid, "/bin/sh", &fa, NULL, av, environ);
        close(p[1]);
        ok += !r && read(p[0], buf, sizeof buf) == 3;
        close(p[0]);
        if (!r)
            waitpid(pid, &st, 0);
        posix_spawn_file_actions_destroy(&fa);
    }
    return (void *)ok;
}

static void spawn_threads(void)
{
    pthread_t t[4];
    long total = 0;
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, spawn_thread, NULL);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        total += (long)r;
    }
    printf("spawns from 4 threads that read \"hi\": %ld of 12\n", total);
}

int main(void)
{
    struct shared s = { 0 };
    pthread_t t;
    pthread_create(&t, NULL, counter_thread, &s);
    while (!__atomic_load_n(&s.started, __ATOMIC_ACQUIRE))
        ;
    int v = do_vfork(&s);
    int p = do_spawn();
    __atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    printf("vfork child status %d, wrote %ld\n", v, s.child_wrote);
    printf("spawn status %d\n", p);
    printf("counts lost: %s\n", s.counter == counted ? "none" : "some");
    if (s.counter != counted)
        printf("counter %ld, thread counted %ld\n", s.counter, counted);
    spawn_threads();
    return 0;
}
