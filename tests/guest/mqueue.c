/* mqueue.c -- POSIX message queues (issue 9): mq_open with attributes,
 * priority order, non-blocking and timed calls, sizes the kernel refuses,
 * poll, a forked sender, and the errors of open/unlink (mq_notify:
 * mqueue_notify.c).  The queue's name has the pid in it (not printed). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mqueue_io.h"

static char name[64];

static void attrs(mqd_t q, const char *what)
{
    struct mq_attr a;
    mq_getattr(q, &a);
    printf("%s: flags=%#lx maxmsg=%ld msgsize=%ld curmsgs=%ld\n", what, a.mq_flags, a.mq_maxmsg,
           a.mq_msgsize, a.mq_curmsgs);
}

static void order(mqd_t q)
{
    mq_send(q, "low", 3, 1);
    mq_send(q, "high", 4, 5);
    mq_send(q, "mid", 3, 3);
    mq_send(q, "mid2", 4, 3);
    attrs(q, "four queued");
    result("full, non-blocking", mq_send(q, "x", 1, 0));
    for (int i = 0; i < 4; i++)
        receive(q, "in order");
    receive(q, "empty, non-blocking");
}

static void sizes_and_times(mqd_t q)
{
    char big[65] = { 0 }, small[8];
    result("too big", mq_send(q, big, sizeof big, 0));
    mq_send(q, "abc", 3, 0);
    result("buffer too small", mq_receive(q, small, sizeof small, NULL));
    struct mq_attr blocking = { .mq_flags = 0 }, old;
    mq_setattr(q, &blocking, &old);
    printf("old flags %#lx\n", old.mq_flags);
    attrs(q, "blocking");
    receive(q, "blocking");
    struct timespec past = { .tv_sec = 1 };
    char buf[64];
    result("timed out", mq_timedreceive(q, buf, sizeof buf, NULL, &past));
    result("bad timeout", mq_timedreceive(q, buf, sizeof buf, NULL,
                                          &(struct timespec){ .tv_nsec = 2000000000 }));
}

static void from_child(mqd_t q)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(20000);
        mq_send(q, "child", 5, 4);
        _exit(0);
    }
    struct pollfd p = { .fd = q, .events = POLLIN };
    int r = poll(&p, 1, 10000);
    printf("poll %d revents %#x\n", r, p.revents);
    receive(q, "from child");
    waitpid(pid, NULL, 0);
}

static void errors(void)
{
    struct mq_attr bad = { .mq_maxmsg = 0, .mq_msgsize = 8 };
    result("exists", mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL));
    char other[80];
    snprintf(other, sizeof other, "%s-x", name);
    result("missing", mq_open(other, O_RDWR));
    result("bad attr", mq_open(other, O_RDWR | O_CREAT, 0600, &bad));
    result("unlink missing", mq_unlink(other));
    result("no name", mq_open("/", O_RDWR | O_CREAT, 0600, NULL));
    result("closed descriptor", mq_send((mqd_t)99, "x", 1, 0));
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* pid plus the clock: a queue left by a killed earlier run in a container
       whose pids repeat must not make this run fail (queues outlive processes). */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(name, sizeof name, "/ferry-mqueue-test-%d-%ld", (int)getpid(), (long)now.tv_nsec);
    mq_unlink(name);
    struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 64 };
    mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC, 0600, &a);
    if (q < 0) {
        printf("mq_open: %s\n", strerror(errno));
        return 1;
    }
    printf("cloexec %d\n", (fcntl(q, F_GETFD) & FD_CLOEXEC) != 0);
    attrs(q, "created");
    order(q);
    sizes_and_times(q);
    from_child(q);
    errors();
    mq_close(q);
    result("unlink", mq_unlink(name));
    return 0;
}
