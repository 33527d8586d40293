/* thread_signals.c -- signals and threads: pthread_kill reaches exactly the
 * thread it names (the handler sees that thread's TLS), a process-directed
 * signal goes to the one thread that does not block it, each thread has its
 * own mask and alternate stack, a real-time signal can be sent to a thread,
 * a thread takes a blocked signal with sigwait, and a fatal signal from a
 * thread kills the whole process. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static __thread int my_id;
static volatile int got[4][2];       /* [thread][0: USR1, 1: USR2] */
static volatile int rt_got;
static volatile int on_altstack[4];
static pthread_barrier_t bar;

static void on_sig(int sig)
{
    got[my_id][sig == SIGUSR2]++;
    stack_t ss;
    sigaltstack(NULL, &ss);
    if (ss.ss_flags & SS_ONSTACK)
        on_altstack[my_id]++;
}

static void on_rt(int sig) { rt_got = my_id * 100 + (sig - SIGRTMIN); }

static void *worker(void *arg)
{
    my_id = (int)(long)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    /* Only thread 2 accepts the process-directed SIGUSR2. */
    pthread_sigmask(my_id == 2 ? SIG_UNBLOCK : SIG_BLOCK, &set, NULL);
    if (my_id == 3) {
        static char alt[65536];
        stack_t ss = { .ss_sp = alt, .ss_size = sizeof alt };
        sigaltstack(&ss, NULL);
    }
    pthread_barrier_wait(&bar);     /* masks set */
    pthread_barrier_wait(&bar);     /* signals sent */
    while (!got[my_id][0] || (my_id == 2 && !got[2][1]) || (my_id == 1 && !rt_got))
        usleep(1000);
    return NULL;
}

/* SIGTERM is blocked everywhere; this thread takes it with sigwait. */
static void *waiter(void *arg)
{
    sigset_t set;
    int sig = 0;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigwait(&set, &sig);
    return (void *)(long)sig;
}

static void sigwait_thread(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, waiter, NULL);
    usleep(20000);
    kill(getpid(), SIGTERM);
    pthread_join(t, &r);
    printf("sigwait returned signal %ld\n", (long)r);
}

static void fatal_from_thread(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t;
        pthread_create(&t, NULL, (void *(*)(void *))abort, NULL);
        for (;;)
            pause();
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child killed by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sig;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sa.sa_handler = on_rt;
    sigaction(SIGRTMIN + 1, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);     /* main blocks SIGUSR2 too */

    pthread_barrier_init(&bar, NULL, 4);
    pthread_t t[4];
    for (long i = 1; i < 4; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    pthread_barrier_wait(&bar);
    for (int i = 1; i < 4; i++)
        pthread_kill(t[i], SIGUSR1);
    kill(getpid(), SIGUSR2);
    pthread_kill(t[1], SIGRTMIN + 1);
    pthread_barrier_wait(&bar);
    for (int i = 1; i < 4; i++)
        pthread_join(t[i], NULL);
    for (int i = 1; i < 4; i++)
        printf("thread %d: SIGUSR1 %d SIGUSR2 %d on altstack %d\n", i, got[i][0], got[i][1],
               on_altstack[i]);
    printf("main: SIGUSR1 %d SIGUSR2 %d; rt signal %d\n", got[0][0], got[0][1], rt_got);
    sigwait_thread();
    fatal_from_thread();
    return 0;
}
