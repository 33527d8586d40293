/* mqueue_notify.c -- mq_notify (issue 9): by signal (SIGEV_SIGNAL: si_code,
 * si_value, one registration at a time, removal) and by thread (glibc's
 * SIGEV_THREAD over a netlink socket).  Not on the AArch64 build here:
 * qemu-user 7.2, which runs it, has no mq_notify (GUEST_NOT_aarch64). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <time.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mqueue_io.h"

static void by_signal(mqd_t q)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1,
                           .sigev_value.sival_int = 77 };
    result("notify", mq_notify(q, &ev));
    result("notify again", mq_notify(q, &ev));
    mq_send(q, "wake", 4, 2);
    siginfo_t si;
    int sig = sigwaitinfo(&s, &si);
    printf("signal %d code=%d value=%d from self %d\n", sig, si.si_code, si.si_value.sival_int,
           si.si_pid == getpid());
    receive(q, "after signal");
    result("notify removed", mq_notify(q, NULL));
}

static sem_t notified;
static int notified_value;
static void on_message(union sigval v)
{
    notified_value = v.sival_int;
    sem_post(&notified);
}

static void by_thread(mqd_t q)
{
    sem_init(&notified, 0, 0);
    struct sigevent ev = { .sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_message,
                           .sigev_value.sival_int = 99 };
    result("thread notify", mq_notify(q, &ev));
    mq_send(q, "t", 1, 0);
    sem_wait(&notified);
    printf("thread got %d\n", notified_value);
    receive(q, "after thread");
}

int main(void)
{
    char name[64];
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* pid plus the clock: a queue left by a killed earlier run in a container
       whose pids repeat must not make this run fail (queues outlive processes). */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(name, sizeof name, "/ferry-mqueue-notify-%d-%ld", (int)getpid(), (long)now.tv_nsec);
    mq_unlink(name);
    struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 64 };
    mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
    if (q < 0) {
        printf("mq_open: %s\n", strerror(errno));
        return 1;
    }
    by_signal(q);
    by_thread(q);
    result("bad fd", mq_notify((mqd_t)99, NULL));
    result("bad sigevent", mq_notify(q, &(struct sigevent){ .sigev_notify = 77 }));
    mq_close(q);
    result("unlink", mq_unlink(name));
    return 0;
}
