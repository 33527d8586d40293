/* thread_misc.c -- thread lifecycle: exit values through pthread_exit and
 * return, detached threads, deferred pthread_cancel, fork from a threaded
 * program (the child has one thread and can create more), a code-cache
 * flush (mprotect over translated code) while another thread spins in a
 * loop, and the process status coming from the last thread's exit while
 * main has already called pthread_exit. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int stop, spinning;
static volatile long spun;
static volatile int detached_done;

static void *ret_value(void *arg) { return (void *)((long)arg * 7); }

static void *exit_value(void *arg)
{
    pthread_exit((void *)((long)arg + 1000));
}

static void *detached(void *arg)
{
    __atomic_store_n(&detached_done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void *cancel_me(void *arg)
{
    for (;;)
        pthread_testcancel();
    return NULL;
}

static void *spin(void *arg)
{
    spinning = 1;
    while (!stop)
        spun++;
    return (void *)1;
}

/* mprotect of the page holding this function: ferry drops its
 * translations while the spinning thread runs in them. */
static void flush_while_spinning(void)
{
    pthread_t t;
    pthread_create(&t, NULL, spin, NULL);
    while (!spinning)
        ;
    long page = sysconf(_SC_PAGESIZE);
    void *text = (void *)((uintptr_t)&spin & ~(uintptr_t)(page - 1));
    for (int i = 0; i < 20; i++)
        mprotect(text, (size_t)page, PROT_READ | PROT_EXEC);
    stop = 1;
    void *r;
    pthread_join(t, &r);
    printf("flush while spinning: joined %ld, spun %s\n", (long)r, spun > 0 ? "yes" : "no");
}

static void fork_child(void)
{
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, ret_value, (void *)6);
    pthread_join(t, &r);
    printf("child: thread returned %ld\n", (long)r);
    fflush(stdout);
    _exit(5);
}

static void *last_one(void *arg)
{
    usleep(20000);
    printf("last thread exits with 42\n");
    fflush(stdout);
    exit(42);
}

int main(void)
{
    pthread_t t[4];
    void *r;
    for (long i = 0; i < 2; i++) {
        pthread_create(&t[i], NULL, ret_value, (void *)(i + 1));
        pthread_create(&t[i + 2], NULL, exit_value, (void *)i);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], &r);
        printf("thread %d returned %ld\n", i, (long)r);
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(&t[0], &attr, detached, NULL);
    while (!__atomic_load_n(&detached_done, __ATOMIC_SEQ_CST))
        usleep(1000);
    printf("detached thread ran\n");

    pthread_create(&t[0], NULL, cancel_me, NULL);
    pthread_cancel(t[0]);
    pthread_join(t[0], &r);
    printf("cancelled: %d\n", r == PTHREAD_CANCELED);

    flush_while_spinning();

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        fork_child();
    int st;
    waitpid(pid, &st, 0);
    printf("child exit status %d\n", WEXITSTATUS(st));

    fflush(stdout);
    pthread_create(&t[0], NULL, last_one, NULL);
    pthread_exit(NULL);
}
