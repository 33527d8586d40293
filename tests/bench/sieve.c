/* sieve.c -- benchmark: sieve of Eratosthenes over 20M numbers, repeated
 * (byte stores, strided loops, a counting pass). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    enum { N = 20000000 };
    char *composite = malloc(N + 1);
    long total = 0;
    for (int round = 0; round < 2; round++) {
        memset(composite, 0, N + 1);
        for (long i = 2; i * i <= N; i++)
            if (!composite[i])
                for (long j = i * i; j <= N; j += i)
                    composite[j] = 1;
        long count = 0;
        for (long i = 2; i <= N; i++)
            count += !composite[i];
        total += count;
    }
    printf("primes below %d: %ld\n", N, total / 2);
    free(composite);
    return 0;
}
