/* strings_v2.c -- the x86-64-v2 CPU as glibc sees it: the features
 * __builtin_cpu_supports reports, and the string functions glibc's
 * ifuncs now pick (SSSE3 memmove/strcasecmp, SSE4.2 strcspn/strspn/
 * strpbrk via pcmpistri, SSE4.1 memcmp, ...) on strings of every length
 * and alignment, including strings that end at an unmapped page. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <wchar.h>
#include <math.h>

static unsigned long hash = 5381;
static void mix(long v) { hash = hash * 33 + (unsigned long)v; }

static unsigned rng = 12345;
static unsigned next(void) { rng = rng * 1103515245u + 12345u; return rng >> 16; }

static void fill(char *s, int n, const char *alphabet)
{
    int k = (int)strlen(alphabet);
    for (int i = 0; i < n; i++)
        s[i] = alphabet[next() % k];
    s[n] = 0;
}

static void test_span(void)
{
    char s[200], set[40];
    for (int n = 0; n < 120; n++)
        for (int m = 0; m < 20; m += 3) {
            fill(s, n, "abcdefgABC-_ ");
            fill(set, m, "abcXYZ- ");
            mix((long)strspn(s, set));
            mix((long)strcspn(s, set));
            char *p = strpbrk(s, set);
            mix(p ? p - s : -1);
        }
    printf("span %lx\n", hash);
}

static void test_case(void)
{
    char a[100], b[100];
    for (int n = 0; n < 80; n++) {
        fill(a, n, "aAbBcC");
        for (int i = 0; i <= n; i++)
            b[i] = (char)(next() % 2 ? a[i] ^ 0x20 * (a[i] >= 'A') : a[i]);
        if (n && next() % 3 == 0)
            b[next() % n] = 'z';
        int r1 = strcasecmp(a, b), r2 = strncasecmp(a, b, (size_t)(n / 2));
        mix(r1 < 0 ? -1 : r1 > 0); mix(r2 < 0 ? -1 : r2 > 0);
        int r3 = strcmp(a, b), r4 = memcmp(a, b, (size_t)n), r5 = strncmp(a, b, (size_t)n);
        mix(r3 < 0 ? -1 : r3 > 0); mix(r4 < 0 ? -1 : r4 > 0); mix(r5 < 0 ? -1 : r5 > 0);
    }
    printf("case %lx\n", hash);
}

static void test_strstr(void)
{
    char hay[300], needle[20];
    for (int n = 0; n < 260; n += 7)
        for (int m = 0; m < 12; m++) {
            fill(hay, n, "aab");
            fill(needle, m, "ab");
            char *p = strstr(hay, needle);
            mix(p ? p - hay : -1);
            p = strcasestr(hay, needle);
            mix(p ? p - hay : -1);
        }
    printf("strstr %lx\n", hash);
}

static void test_memmove(void)
{
    static unsigned char buf[1024 + 64], ref[1024 + 64];
    for (int size = 0; size < 600; size = size < 80 ? size + 1 : size * 5 / 4)
        for (int src = 0; src < 16; src += 3)
            for (int dst = 0; dst < 40; dst += 5) {
                for (int i = 0; i < (int)sizeof buf; i++)
                    buf[i] = ref[i] = (unsigned char)(i * 7 + size);
                memmove(buf + dst, buf + src, (size_t)size);
                for (int i = size - 1; src < dst && i >= 0; i--)
                    ref[dst + i] = ref[src + i];
                for (int i = 0; src >= dst && i < size; i++)
                    ref[dst + i] = ref[src + i];
                mix(memcmp(buf, ref, sizeof buf) != 0);
                mix(buf[dst + size / 2]);
                memcpy(buf + 512 + dst, buf + src, (size_t)(size < 400 ? size : 400));
                mix(buf[512 + dst]);
            }
    printf("memmove %lx\n", hash);
}

/* Strings whose last byte is the last byte before an unmapped page. */
static void test_page_end(void)
{
    long pg = 4096;
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || mprotect(m + pg, pg, PROT_NONE)) {
        printf("mmap failed\n");
        return;
    }
    for (int len = 0; len < 100; len++) {
        char *s = m + pg - len - 1;
        memset(s, 'x', (size_t)len);
        s[len] = 0;
        if (len > 3)
            s[len / 2] = 'y';
        mix((long)strlen(s));
        mix((long)strnlen(s, 50));
        char *p = strchr(s, 'y'); mix(p ? p - s : -1);
        p = strrchr(s, 'x'); mix(p ? p - s : -1);
        p = memchr(s, 'y', (size_t)len); mix(p ? p - s : -1);
        p = rawmemchr(s, 0); mix(p - s);
        mix((long)strspn(s, "x"));
        mix((long)strcspn(s, "y"));
        p = strpbrk(s, "yz"); mix(p ? p - s : -1);
        mix(strcasecmp(s, s));
        char *t = m + pg - len - 1 - 200;
        strcpy(t, s);
        mix(strcmp(t, s));
    }
    wchar_t *w = (wchar_t *)(m + pg) - 20;
    for (int i = 0; i < 19; i++)
        w[i] = L'a' + i;
    w[19] = 0;
    mix((long)wcslen(w)); mix((long)wcsnlen(w, 10));
    wchar_t *q = wmemchr(w, L'k', 19); mix(q ? q - w : -1);
    printf("page end %lx\n", hash);
}

/* libm's SSE4.1 variants (roundsd) */
static void test_round(void)
{
    volatile double v[] = { 2.5, -2.5, 3.7, -0.2, 1e300, 0.49999999999999994, -7.5 };
    for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++)
        printf("%g %g %g %g %g %g\n", floor(v[i]), ceil(v[i]), trunc(v[i]), rint(v[i]),
               nearbyint(v[i]), roundeven(v[i]));
}

int main(void)
{
    __builtin_cpu_init();
    printf("mmx %d sse3 %d ssse3 %d sse4.1 %d sse4.2 %d popcnt %d\n",
           !!__builtin_cpu_supports("mmx"), !!__builtin_cpu_supports("sse3"), !!__builtin_cpu_supports("ssse3"),
           !!__builtin_cpu_supports("sse4.1"), !!__builtin_cpu_supports("sse4.2"),
           !!__builtin_cpu_supports("popcnt"));
    test_span();
    test_case();
    test_strstr();
    test_memmove();
    test_page_end();
    test_round();
    return 0;
}
