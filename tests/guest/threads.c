/* threads.c -- POSIX threads (clone with CLONE_THREAD, futex, TLS per
 * thread): four workers bump a mutex-protected counter and return values
 * through pthread_join; a condition variable hands a token around; a
 * barrier lines them up; gettid differs per thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static long counter;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int turn;
static __thread long mine;
static pthread_barrier_t bar;
static pid_t tids[5];

static void *work(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&mu);
        counter += id;
        pthread_mutex_unlock(&mu);
        mine += id;
    }
    tids[id] = gettid();
    pthread_barrier_wait(&bar);
    for (int round = 0; round < 5; round++) {
        pthread_mutex_lock(&mu);
        while (turn % 4 != id - 1)
            pthread_cond_wait(&cv, &mu);
        turn++;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
    }
    return (void *)(mine * 10);
}

int main(void)
{
    pthread_t t[4];
    pthread_barrier_init(&bar, NULL, 4);
    tids[0] = gettid();
    for (long i = 0; i < 4; i++) {
        int err = pthread_create(&t[i], NULL, work, (void *)(i + 1));
        if (err) {
            printf("pthread_create failed: %d\n", err);
            return 1;
        }
    }
    long sum = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long)r;
    }
    printf("counter %ld, joined sum %ld, turns %d, main's TLS %ld\n", counter, sum, turn, mine);
    int distinct = 1;
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < i; j++)
            distinct &= tids[i] != tids[j];
    printf("main tid is pid: %d, all tids distinct: %d\n", tids[0] == getpid(), distinct);
    return 0;
}
