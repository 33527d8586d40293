/* strings.c -- string.h on many lengths and alignments: glibc picks its
 * SSE2 (or wider) implementations, which read in 16-byte chunks, use
 * pcmpeqb/pmovmskb/pminub and handle page-crossing tails. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXLEN 300
static char bufa[MAXLEN + 64], bufb[MAXLEN + 64];

static uint32_t hash_bytes(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    while (n--)
        h = (h ^ (unsigned char)*p++) * 16777619u;
    return h;
}

static void fill(char *p, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        p[i] = 'a' + (i * 7 + seed) % 26;
    p[len] = 0;
}

static int sign(int v) { return (v > 0) - (v < 0); }

static void one(size_t len, unsigned ao, unsigned bo)
{
    char *a = bufa + ao, *b = bufb + bo;
    memset(bufa, 'x', sizeof bufa);
    memset(bufb, 'y', sizeof bufb);
    fill(a, len, 3);
    memcpy(b, a, len + 1);
    int eq = strcmp(a, b), meq = memcmp(a, b, len);
    size_t l1 = strlen(a), l2 = strnlen(a, len / 2);
    const char *c = strchr(a, 'q'), *r = strrchr(a, 'q'), *m = memchr(a, 'z', len);
    if (len > 0)
        b[len - 1] ^= 1;
    int ne = strcmp(a, b), mne = memcmp(a, b, len), nne = strncmp(a, b, len / 2);
    memmove(a + 1, a, len / 2);
    uint32_t h = hash_bytes(bufa, sizeof bufa);
    char *s = strstr(a, "hov");
    size_t span = strspn(a, "abcdefghij"), cspan = strcspn(a, "xyz");
    strcpy(b, a);
    strncat(b, "tail", 3);
    printf("len %3zu a+%u b+%u: %d %d %zu %zu %td %td %td %d %d %d %08x %td %zu %zu %zu\n",
           len, ao, bo, eq, meq, l1, l2, c ? c - a : -1, r ? r - a : -1,
           m ? m - a : -1, sign(ne), sign(mne), sign(nne), h, s ? s - a : -1,
           span, cspan, strlen(b));
}

static void misc(void)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s-%s", "left", "right");
    char *dup = strdup(buf);
    char *save = NULL, *tok;
    printf("dup %s\n", dup);
    for (tok = strtok_r(dup, "-", &save); tok; tok = strtok_r(NULL, "-", &save))
        printf("token %s\n", tok);
    free(dup);
    printf("strcasecmp %d strncasecmp %d\n", sign(strcasecmp("HeLLo", "hello")),
           sign(strncasecmp("ABCx", "abcy", 3)));
    printf("strtol %ld %ld %lu %lld\n", strtol("-12345", NULL, 10),
           strtol("0x7fff", NULL, 16), strtoul("777", NULL, 8),
           strtoll("-9223372036854775808", NULL, 10));
    printf("atoi %d atof %.3f\n", atoi("  42abc"), atof("3.25e2"));
}

int main(void)
{
    for (size_t len = 0; len <= MAXLEN; len += (len < 70 ? 1 : 23))
        for (unsigned ao = 0; ao < 16; ao += 5)
            for (unsigned bo = 0; bo < 16; bo += 7)
                one(len, ao, bo);
    misc();
    return 0;
}
