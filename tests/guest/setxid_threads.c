/* setxid_threads.c -- glibc's internal signals between the guest's own
 * threads while the target sleeps in a blocking syscall.  set*id and
 * setgroups in a threaded process broadcast SIGSETXID (33) to every
 * thread and wait until each has run the call too; pthread_cancel sends
 * SIGCANCEL (32).  Python's test_posix.test_initgroups hung under ferry:
 * regrtest's faulthandler watchdog thread sat in a timed futex wait, and
 * ferry posted 33 to it without waking it.  Also ferry's own glibc takes
 * its handlers for 32/33 back at ferry's first pthread_create. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static sem_t sem;
static int pipefd[2];

static void *timed_waiter(void *arg)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += 600;                    /* a hang guard, never reached */
    int r;
    while ((r = sem_timedwait(&sem, &t)) != 0 && errno == EINTR)
        ;
    return (void *)(long)(r == 0 ? 0 : errno);
}

static void *reader(void *arg)
{
    char c;
    for (;;)
        if (read(pipefd[0], &c, 1) <= 0 && errno != EINTR)
            break;
    return NULL;
}

int main(void)
{
    pthread_t w, r;
    void *ret;
    sem_init(&sem, 0, 0);
    if (pipe(pipefd) != 0)
        return 1;
    pthread_create(&w, NULL, timed_waiter, NULL);
    pthread_create(&r, NULL, reader, NULL);
    usleep(1000);       /* not needed for the result: the calls work whenever they start */
    int e = setresuid((uid_t)-1, (uid_t)-1, (uid_t)-1);
    printf("setresuid(-1, -1, -1) with two threads blocked: %d\n", e);
    gid_t g[64];
    int n = getgroups(64, g);
    e = setgroups(n > 0 ? (size_t)n : 0, g);
    printf("setgroups(same): %s\n", e == 0 ? "ok" : strerror(errno));
    printf("pthread_cancel(reader): %d\n", pthread_cancel(r));
    printf("join reader: %s\n", pthread_join(r, &ret) == 0 && ret == PTHREAD_CANCELED ? "canceled" : "?");
    sem_post(&sem);
    pthread_join(w, &ret);
    printf("timed waiter: %ld\n", (long)ret);
    return 0;
}
