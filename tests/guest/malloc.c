/* malloc.c -- malloc/calloc/realloc/free over many sizes (small bins, large
 * chunks served by mmap, growing and shrinking reallocs), checking contents
 * survive; exercises brk and mmap/munmap/mremap in the syscall layer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng = 2463534242u;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static int check(const unsigned char *p, size_t n, unsigned char tag)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(tag + i))
            return 0;
    return 1;
}

static void stamp(unsigned char *p, size_t n, unsigned char tag)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(tag + i);
}

int main(void)
{
    enum { SLOTS = 512 };
    static unsigned char *ptr[SLOTS];
    static size_t size[SLOTS];
    int bad = 0;
    for (int round = 0; round < 6000; round++) {
        unsigned s = next() % SLOTS;
        uint32_t r = next();
        size_t n = r % 13 == 0 ? r % (1 << 18) : r % 7 == 1 ? r % 4096 : r % 200;
        if (ptr[s]) {
            bad += !check(ptr[s], size[s], (unsigned char)s);
            if (r % 3 == 0) {
                unsigned char *q = realloc(ptr[s], n + 1);
                size_t keep = size[s] < n + 1 ? size[s] : n + 1;
                bad += !check(q, keep, (unsigned char)s);
                ptr[s] = q;
                size[s] = n + 1;
                stamp(q, n + 1, (unsigned char)s);
                continue;
            }
            free(ptr[s]);
            ptr[s] = NULL;
            continue;
        }
        ptr[s] = r % 5 == 0 ? calloc(1, n + 1) : malloc(n + 1);
        if (!ptr[s]) {
            printf("allocation of %zu failed\n", n + 1);
            return 1;
        }
        if (r % 5 == 0)
            for (size_t i = 0; i <= n; i++)
                bad += ptr[s][i] != 0;
        size[s] = n + 1;
        stamp(ptr[s], n + 1, (unsigned char)s);
    }
    size_t live = 0;
    for (int s = 0; s < SLOTS; s++) {
        if (ptr[s]) {
            bad += !check(ptr[s], size[s], (unsigned char)s);
            live += size[s];
        }
        free(ptr[s]);
    }
    printf("malloc rounds done, corrupt %d, live bytes at end %zu\n", bad, live);
    char *big = malloc(16 << 20);
    memset(big, 7, 16 << 20);
    big = realloc(big, 32 << 20);
    printf("big %d %d\n", big[0], big[(16 << 20) - 1]);
    free(big);
    return bad != 0;
}
