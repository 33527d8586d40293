/* strings.c -- benchmark: string-heavy work through glibc (snprintf,
 * strlen, strstr, memcpy, strcmp-based qsort of many short strings). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    enum { N = 200000 };
    char **v = malloc(N * sizeof *v);
    char *pool = malloc((size_t)N * 48);
    unsigned x = 1;
    size_t total = 0, hits = 0;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245 + 12345;
        v[i] = pool + (size_t)i * 48;
        snprintf(v[i], 48, "%08x-record-%d-%s", x, i % 977, x & 1 ? "odd" : "even");
        total += strlen(v[i]);
        hits += strstr(v[i], "-9") != NULL;
    }
    qsort(v, N, sizeof *v, cmp);
    char buf[64];
    for (int round = 0; round < 20; round++)
        for (int i = 0; i < N; i += 3) {
            memcpy(buf, v[i], 48);
            hits += buf[round % 16] == 'a';
        }
    printf("%zu bytes, %zu hits, first %s, last %s\n", total, hits, v[0], v[N - 1]);
    return 0;
}
