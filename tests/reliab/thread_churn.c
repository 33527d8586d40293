/* thread_churn.c -- many short threads in bounded memory: every ended
 * thread must give back what it had (its stack, ferry's per-thread state).
 *   thread_churn N    creates N threads, 8 at a time, each joined; prints
 *                     whether resident memory after them stayed within
 *                     64 MiB of what it was after the first quarter
 * (CHURN_VERBOSE: both numbers on stderr, for comparing with qemu-user's
 * own per-thread growth when ferry runs under it.) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long rss_kib(void)
{
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6))
            kib = atol(line + 6);
    if (f)
        fclose(f);
    return kib;
}

static void *work(void *arg)
{
    volatile char buf[4096];
    buf[0] = (char)(long)arg;
    buf[4095] = buf[0];
    return (void *)(long)(buf[4095] + 1);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 20000, sum = 0, base = -1;
    for (long i = 0; i < n; i += 8) {
        pthread_t t[8];
        int k, made = 0;
        for (k = 0; k < 8 && i + k < n; k++, made++)
            if (pthread_create(&t[k], NULL, work, (void *)(i + k)) != 0) {
                printf("pthread_create failed after %ld threads\n", i + k);
                return 1;
            }
        for (k = 0; k < made; k++) {
            void *r;
            pthread_join(t[k], &r);
            sum += (long)r;
        }
        if (i + 8 >= n / 4 && base < 0)
            base = rss_kib();
    }
    long end = rss_kib();
    printf("%ld threads, sum %ld, memory %s\n", n, sum,
           end - base < 64 * 1024 ? "bounded" : "grew");
    if (getenv("CHURN_VERBOSE"))
        fprintf(stderr, "rss growth: %ld KiB\n", end - base);
    return 0;
}
