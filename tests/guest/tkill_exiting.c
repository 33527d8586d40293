/* tkill_exiting.c -- a signal sent by tgkill to a thread while it exits.
 * Threads are created and end one after another while a sender thread
 * sends SIGTRAP (ignored) to the newest one without pause.  On Linux the
 * signal finds a live thread (ignored), an exiting one (dropped) or none
 * (ESRCH).  ferry posts SIGTRAP between guest threads itself (its host
 * disposition is ferry's); a target already gone from ferry's thread
 * registry but not yet from the kernel once got the host signal, whose
 * default action killed the whole process. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ROUNDS 600

static volatile pid_t newest;
static volatile int stop;

static void *short_lived(void *arg)
{
    __atomic_store_n(&newest, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
    return NULL;
}

static void *sender(void *arg)
{
    long sent = 0;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        pid_t tid = __atomic_load_n(&newest, __ATOMIC_ACQUIRE);
        if (tid)
            syscall(SYS_tgkill, getpid(), tid, SIGTRAP), sent++;
    }
    return (void *)sent;
}

int main(void)
{
    pthread_t s, t;
    void *sent;
    signal(SIGTRAP, SIG_IGN);
    pthread_create(&s, NULL, sender, NULL);
    for (int i = 0; i < ROUNDS; i++) {
        pthread_create(&t, NULL, short_lived, NULL);
        pthread_join(t, NULL);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(s, &sent);
    printf("%d threads ended, signals sent: %s\n", ROUNDS, sent ? "yes" : "no");
    return 0;
}
