/* recursion.c -- deep and branchy recursion: fib, ackermann, a quicksort of
 * our own, permutations, and a deep (100k frames) recursion on the stack. */
#include <stdint.h>
#include <stdio.h>

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static unsigned ack(unsigned m, unsigned n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

static void swap(int *a, int *b) { int t = *a; *a = *b; *b = t; }

static void quicksort(int *v, int lo, int hi)
{
    if (lo >= hi)
        return;
    int pivot = v[(lo + hi) / 2], i = lo, j = hi;
    while (i <= j) {
        while (v[i] < pivot) i++;
        while (v[j] > pivot) j--;
        if (i <= j)
            swap(&v[i++], &v[j--]);
    }
    quicksort(v, lo, j);
    quicksort(v, i, hi);
}

static int count_perms(int *v, int k, int n)
{
    if (k == n)
        return v[0] < v[n - 1];
    int c = 0;
    for (int i = k; i < n; i++) {
        swap(&v[k], &v[i]);
        c += count_perms(v, k + 1, n);
        swap(&v[k], &v[i]);
    }
    return c;
}

static uint64_t deep(int n, uint64_t acc)
{
    volatile char pad[32];
    pad[n % 32] = (char)n;
    if (n == 0)
        return acc;
    return deep(n - 1, acc * 3 + pad[n % 32]) + 1;
}

int main(void)
{
    static int v[5000];
    uint32_t x = 12345;
    for (int i = 0; i <= 27; i++)
        printf("fib(%d) = %ld\n", i, fib(i));
    for (unsigned m = 0; m <= 2; m++)
        for (unsigned n = 0; n <= 6; n++)
            printf("ack(%u,%u) = %u\n", m, n, ack(m, n));
    printf("ack(3,5) = %u\n", ack(3, 5));
    for (int i = 0; i < 5000; i++) {
        x = x * 1103515245 + 12345;
        v[i] = (int)(x >> 8) - (1 << 22);
    }
    quicksort(v, 0, 4999);
    int sorted = 1;
    for (int i = 1; i < 5000; i++)
        sorted &= v[i - 1] <= v[i];
    printf("sorted %d min %d max %d median %d\n", sorted, v[0], v[4999], v[2500]);
    int p[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    printf("perms with first<last: %d\n", count_perms(p, 0, 8));
    printf("deep %llu\n", (unsigned long long)deep(100000, 1));
    return 0;
}
