/* thread_munmap.c -- threads that keep running the same code (the
 * program's own and a function JITed once into an RX page) while they,
 * and the other threads, map, mprotect and unmap data pages in a loop.
 * Changing pages that hold no code must leave every translation alone
 * (and must not stop the other threads).  Output is compared with the
 * native run.  argv[1]: iterations per thread (default 2000). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define THREADS 4
#define PAGE 4096

typedef uint64_t (*fn_t)(uint64_t, uint64_t);
static fn_t mix;                        /* JITed: (a * 31) ^ b */
static long iterations = 2000;

static fn_t jit_mix(void)
{
    static const uint8_t code[] = {
        0x48, 0x6b, 0xc7, 0x1f,         /* imul rax, rdi, 31 */
        0x48, 0x31, 0xf0,               /* xor rax, rsi */
        0xc3,                           /* ret */
    };
    uint8_t *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    memcpy(p, code, sizeof code);
    mprotect(p, PAGE, PROT_READ | PROT_EXEC);
    return (fn_t)(uintptr_t)p;
}

/* One round: four fresh pages, the middle two changed and dropped
 * separately, the data checked through the JITed code. */
static uint64_t round_of(uint64_t id, long i, uint64_t h)
{
    uint8_t *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return h;
    for (int k = 0; k < 4; k++)
        p[k * PAGE + (i % 100)] = (uint8_t)(id + k + i);
    mprotect(p + PAGE, PAGE, PROT_READ);
    munmap(p + 2 * PAGE, PAGE);
    for (int k = 0; k != 4; k += k == 1 ? 2 : 1)
        h = mix(h, p[k * PAGE + (i % 100)]);
    munmap(p, 4 * PAGE);
    return h;
}

static void *worker(void *arg)
{
    uint64_t id = (uintptr_t)arg, h = id;
    for (long i = 0; i < iterations; i++)
        h = round_of(id, i, h);
    return (void *)(uintptr_t)h;
}

int main(int argc, char **argv)
{
    pthread_t t[THREADS];
    if (argc > 1)
        iterations = atol(argv[1]);
    if (!(mix = jit_mix())) {
        perror("mmap");
        return 1;
    }
    for (uintptr_t k = 0; k < THREADS; k++)
        pthread_create(&t[k], NULL, worker, (void *)k);
    for (int k = 0; k < THREADS; k++) {
        void *h;
        pthread_join(t[k], &h);
        printf("thread %d: %016llx\n", k, (unsigned long long)(uintptr_t)h);
    }
    return 0;
}
