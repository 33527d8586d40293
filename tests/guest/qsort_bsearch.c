/* qsort_bsearch.c -- libc qsort (merge sort with indirect calls to the
 * comparator) over ints, doubles, strings and structs; bsearch of every
 * element and of absent keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec { int key; char name[12]; double weight; };

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}
static int cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    if (x->key != y->key)
        return x->key - y->key;
    return strcmp(x->name, y->name);
}

int main(void)
{
    enum { N = 3000 };
    static int iv[N];
    static double dv[N];
    static char *sv[N];
    static struct rec rv[N];
    unsigned x = 1;
    for (int i = 0; i < N; i++) {
        x = x * 69069 + 1;
        iv[i] = (int)(x >> 4) % 100000 - 50000;
        dv[i] = (double)iv[i] / 7.0;
        sv[i] = malloc(16);
        snprintf(sv[i], 16, "k%07u", x % 9999991);
        rv[i].key = iv[i] % 50;
        snprintf(rv[i].name, sizeof rv[i].name, "n%u", x % 1000);
        rv[i].weight = dv[i];
    }
    qsort(iv, N, sizeof iv[0], cmp_int);
    qsort(dv, N, sizeof dv[0], cmp_double);
    qsort(sv, N, sizeof sv[0], cmp_str);
    qsort(rv, N, sizeof rv[0], cmp_rec);
    for (int i = 0; i < N; i += 97)
        printf("%d %d %.6f %s %d:%s\n", i, iv[i], dv[i], sv[i], rv[i].key, rv[i].name);
    int found = 0, absent = 0;
    for (int i = 0; i < N; i++)
        found += bsearch(&iv[i], iv, N, sizeof iv[0], cmp_int) != NULL;
    for (int k = -60000; k < 60000; k += 777) {
        int *p = bsearch(&k, iv, N, sizeof iv[0], cmp_int);
        absent += p == NULL;
    }
    printf("found %d absent %d\n", found, absent);
    return 0;
}
