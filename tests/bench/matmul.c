/* matmul.c -- benchmark: dense double-precision matrix multiply (i-k-j
 * order, auto-vectorized SSE2 at -O2) and a checksum. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    enum { N = 400 };
    double *a = malloc(sizeof(double) * N * N), *b = malloc(sizeof(double) * N * N);
    double *c = calloc(N * N, sizeof(double));
    for (int i = 0; i < N * N; i++) {
        a[i] = (i % 17) * 0.25 - 2;
        b[i] = (i % 13) * 0.5 + 1;
    }
    for (int rep = 0; rep < 3; rep++)
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++) {
                double aik = a[i * N + k];
                for (int j = 0; j < N; j++)
                    c[i * N + j] += aik * b[k * N + j];
            }
    double sum = 0;
    for (int i = 0; i < N * N; i++)
        sum += c[i] * ((i % 7) - 3);
    printf("checksum %.6f\n", sum);
    return 0;
}
