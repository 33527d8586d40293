/* strmem.c -- a measuring aid (session 29), not a workload: glibc's
 * strlen, memchr, memcmp and strchr over buffers of many lengths and
 * alignments, a checksum printed so that a run under ferry can be
 * compared with the native one.  Under ferry (x86-64-v3) glibc picks its
 * AVX2 variants: the loops are vpcmpeqb/vpminub + vpmovmskb + tzcnt, and
 * every call ends with vzeroupper.
 *   strmem [ROUNDS]    (default 40) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BUF = 4096 + 64 };

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 40;
    static unsigned char a[BUF], b[BUF];
    unsigned x = 12345;
    for (int i = 0; i < BUF; i++) {
        x = x * 1103515245u + 12345u;
        a[i] = (unsigned char)(1 + (x >> 16) % 255);   /* no zero byte */
        b[i] = a[i];
    }
    unsigned long sum = 0;
    for (int r = 0; r < rounds; r++)
        for (int len = 1; len < 2048; len += 37) {
            int off = (r * 7 + len) % 61;
            unsigned char keep = a[off + len];
            a[off + len] = 0;
            sum += strlen((char *)a + off);
            a[off + len] = keep;
            const unsigned char *p = memchr(a + off, a[off + len - 1], (size_t)len);
            sum += p ? (unsigned long)(p - a) : 7;
            b[off + len - 1] ^= 0x80;
            sum += (unsigned long)(memcmp(a + off, b + off, (size_t)len) + 300);
            b[off + len - 1] ^= 0x80;
            sum += (unsigned long)(memcmp(a + off, b + off, (size_t)len) + 500);
            const char *q = strchr((char *)a + off, a[off + len / 2]);
            sum += q ? (unsigned long)(q - (char *)a) : 11;
            sum = sum * 31 + (unsigned long)len;
        }
    printf("%lu\n", sum);
    return 0;
}
