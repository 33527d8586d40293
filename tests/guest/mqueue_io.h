/* mqueue_io.h -- what mqueue.c and mqueue_notify.c both print: a call's
 * result (ok or its errno's text) and a received message with its
 * priority. */
#include <errno.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>

static void result(const char *what, long r)
{
    printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ok");
}

static void receive(mqd_t q, const char *what)
{
    char buf[64];
    unsigned prio = 0;
    ssize_t n = mq_receive(q, buf, sizeof buf, &prio);
    if (n < 0)
        printf("%s: %s\n", what, strerror(errno));
    else
        printf("%s: '%.*s' prio %u\n", what, (int)n, buf, prio);
}
