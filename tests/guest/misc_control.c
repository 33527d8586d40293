/* misc_control.c -- control flow a translator must get right: dense switch
 * jump tables (indirect jumps through a table), function pointers, varargs,
 * computed goto, tail calls, and a struct returned in memory. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

static int classify(int c)
{
    switch (c) {
    case 0: return 10; case 1: return 21; case 2: return 32; case 3: return 43;
    case 4: return 54; case 5: return 65; case 6: return 76; case 7: return 87;
    case 8: return 98; case 9: return 109; case 10: return 7; case 11: return 3;
    case 12: return 99; case 13: return -5; case 14: return 12; case 15: return 0;
    default: return -1;
    }
}

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }
static int (*const ops[])(int, int) = { add, sub, mul };

static long sum_va(int n, ...)
{
    va_list ap;
    long s = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        s += i % 2 ? (long)va_arg(ap, double) : va_arg(ap, int);
    va_end(ap);
    return s;
}

static int interpret(const unsigned char *prog)
{
    static void *labels[] = { &&op_inc, &&op_dbl, &&op_neg, &&op_end };
    int acc = 1;
    goto *labels[*prog++];
op_inc: acc++; goto *labels[*prog++];
op_dbl: acc *= 2; goto *labels[*prog++];
op_neg: acc = -acc; goto *labels[*prog++];
op_end: return acc;
}

struct big { int64_t a, b, c, d; };
static struct big make_big(int64_t x)
{
    struct big r = { x, x * 2, x * 3, x * 4 };
    return r;
}

static unsigned gcd(unsigned a, unsigned b) { return b ? gcd(b, a % b) : a; }

int main(void)
{
    int h = 0;
    for (int i = -3; i < 40; i++)
        h = h * 7 + classify(i % 19);
    printf("switch hash %d\n", h);
    for (int i = 0; i < 9; i++)
        printf("op %d: %d\n", i, ops[i % 3](i * 5, i + 1));
    printf("varargs %ld %ld\n", sum_va(4, 1, 2.5, 3, 4.75), sum_va(6, -1, -2.0, 5, 1e3, 7, 0.5));
    unsigned char prog[] = { 0, 1, 1, 0, 2, 1, 0, 3 };
    printf("interpret %d\n", interpret(prog));
    struct big b = make_big(-12345);
    printf("big %lld %lld %lld %lld\n", (long long)b.a, (long long)b.b,
           (long long)b.c, (long long)b.d);
    printf("gcd %u %u\n", gcd(1071, 462), gcd(1u << 31, 3u << 20));
    return 0;
}
