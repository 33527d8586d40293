/* threads2.c -- the 2-thread CPU-bound benchmark: two pthreads each hash
 * their own half of a generated table (translated code running on two
 * host threads at once), merging into a shared total with an atomic add
 * every 4096 rows (the locked instructions a translator must keep
 * atomic).  Built dynamically linked, like the Debian programs beside it.
 * Prints the total, which does not depend on the threads' interleaving.
 *   threads2 [ROUNDS]      (passes over each half; default 500) */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define ROWS   (1u << 20)

static uint32_t *table;
static uint64_t total;
static int rounds = 500;

static uint64_t mix(uint64_t h, uint32_t v)
{
    h ^= v;
    h *= 0x100000001b3ull;
    return h ^ (h >> 29);
}

static void *worker(void *arg)
{
    uint32_t first = (uint32_t)(uintptr_t)arg * (ROWS / 2);
    uint64_t h = 0xcbf29ce484222325ull;
    for (int r = 0; r < rounds; r++)
        for (uint32_t i = first; i < first + ROWS / 2; i++) {
            h = mix(h, table[i] + (uint32_t)r);
            if ((i & 4095) == 4095)
                __atomic_fetch_add(&total, h & 0xffff, __ATOMIC_SEQ_CST);
        }
    __atomic_fetch_add(&total, h, __ATOMIC_SEQ_CST);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t[2];
    uint32_t x = 1;
    if (argc > 1)
        rounds = atoi(argv[1]);
    table = malloc(ROWS * sizeof *table);
    if (!table)
        return 1;
    for (uint32_t i = 0; i < ROWS; i++)
        table[i] = x = x * 69069 + 1;
    for (int k = 0; k < 2; k++)
        pthread_create(&t[k], NULL, worker, (void *)(uintptr_t)k);
    for (int k = 0; k < 2; k++)
        pthread_join(t[k], NULL);
    printf("%llu\n", (unsigned long long)total);
    return 0;
}
