/* async_signals.c -- asynchronous signals reach a guest that never makes a
 * syscall: a setitimer tick handler counts while the main loop spins on a
 * volatile counter (a chained loop of translated blocks), then alarm(1)
 * interrupts an infinite loop whose SIGALRM handler exits; the same in a
 * second thread while main waits in pthread_join. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile int ticks;
static volatile unsigned long spins;

static void on_tick(int sig) { ticks++; }

static void on_alarm(int sig)
{
    printf("alarm after spinning: %s\n", spins > 0 ? "yes" : "no");
    fflush(stdout);
    _exit(3);
}

static void count_ticks(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_tick;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    while (ticks < 5)
        spins++;
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    printf("ticks counted while spinning: %d\n", ticks >= 5);
}

static void *spin_forever(void *arg)
{
    alarm(1);
    for (;;)
        spins++;
    return NULL;
}

int main(void)
{
    count_ticks();
    signal(SIGALRM, on_alarm);
    spins = 0;
    pthread_t t;
    pthread_create(&t, NULL, spin_forever, NULL);
    pthread_join(t, NULL);
    return 0;
}
