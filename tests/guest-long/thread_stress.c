/* thread_stress.c -- many short-lived threads: 200 rounds of 8 threads
 * that each hammer a lock-free counter, a mutex-protected one and a
 * condition-variable handoff, then exit; joined totals must be exact.
 * Stresses thread creation/exit, futex wake-ups on exit (pthread_join)
 * and translation from many threads at once. */
#include <pthread.h>
#include <stdio.h>

#define ROUNDS 200
#define THREADS 8

static long atomic_total, locked_total;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int turn;

static void *work(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < 500; i++) {
        __atomic_fetch_add(&atomic_total, id, __ATOMIC_SEQ_CST);
        pthread_mutex_lock(&mu);
        locked_total += id;
        pthread_mutex_unlock(&mu);
    }
    pthread_mutex_lock(&mu);
    while (turn % THREADS != id)
        pthread_cond_wait(&cv, &mu);
    turn++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    return (void *)id;
}

int main(void)
{
    long joined = 0;
    for (int r = 0; r < ROUNDS; r++) {
        pthread_t t[THREADS];
        for (long i = 0; i < THREADS; i++)
            pthread_create(&t[i], NULL, work, (void *)i);
        for (int i = 0; i < THREADS; i++) {
            void *v;
            pthread_join(t[i], &v);
            joined += (long)v;
        }
    }
    printf("atomic %ld locked %ld joined %ld turns %d\n", atomic_total, locked_total, joined, turn);
    return 0;
}
