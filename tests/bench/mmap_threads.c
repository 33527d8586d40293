/* mmap_threads.c -- benchmark: four threads that each map a 64 KiB
 * anonymous region, fill and read a page of it and unmap it, 5,000 times.
 * Issue 8 measured such a program at 60x native under ferry when every
 * munmap flushed the code cache and stopped the other threads (QEMU: 6x);
 * with page-granular invalidation a munmap over pages without translated
 * code stops nobody.  Prints a checksum so the run can be compared. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define THREADS 4
#define ROUNDS 5000
#define REGION 65536

static unsigned long sums[THREADS];

static unsigned long one_round(long i)
{
    unsigned char *p = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 0;
    memset(p, (int)(i & 0xff), 4096);
    unsigned long s = 0;
    for (int k = 0; k < 4096; k += 64)
        s += p[k] + (unsigned long)k;
    munmap(p, REGION);
    return s;
}

static void *worker(void *arg)
{
    long t = (long)arg;
    unsigned long s = 0;
    for (long i = 0; i < ROUNDS; i++)
        s += one_round(i + t);
    sums[t] = s;
    return NULL;
}

int main(void)
{
    pthread_t th[THREADS];
    for (long t = 0; t < THREADS; t++)
        if (pthread_create(&th[t], NULL, worker, (void *)t) != 0)
            return 1;
    unsigned long total = 0;
    for (long t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        total += sums[t];
    }
    printf("mmap_threads: %lu\n", total);
    return 0;
}
