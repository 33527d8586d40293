/* printf_int.c -- printf of integers: every width, signed and unsigned,
 * flags (- + space 0 #), field widths and precisions, %d %i %u %x %X %o %c. */
#include <stdint.h>
#include <stdio.h>

static const long long values[] = {
    0, 1, -1, 7, -8, 42, 255, -128, 32767, -32768, 65535, 2147483647,
    -2147483647 - 1, 4294967295LL, 1234567890123LL, INT64_MAX, INT64_MIN,
};

int main(void)
{
    for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++) {
        long long v = values[i];
        printf("[%d] [%i] [%u] [%x] [%X] [%o]\n", (int)v, (int)v, (unsigned)v,
               (unsigned)v, (unsigned)v, (unsigned)v);
        printf("[%hhd] [%hhu] [%hd] [%hu] [%hhx] [%hx]\n", (signed char)v,
               (unsigned char)v, (short)v, (unsigned short)v, (unsigned char)v,
               (unsigned short)v);
        printf("[%lld] [%llu] [%llx] [%llo] [%jd] [%zu]\n", v,
               (unsigned long long)v, (unsigned long long)v,
               (unsigned long long)v, (intmax_t)v, (size_t)v);
        printf("[%8d] [%-8d] [%08d] [%+d] [% d] [%.5d] [%8.3d] [%-+6d]\n",
               (int)v, (int)v, (int)v, (int)v, (int)v, (int)v, (int)v, (int)v);
        printf("[%#x] [%#o] [%#10llx] [%-#12llo] [%020lld] [%*d] [%-*d] [%.*d]\n",
               (unsigned)v, (unsigned)v, (unsigned long long)v,
               (unsigned long long)v, v, 7, (int)v, 7, (int)v, 4, (int)v);
    }
    printf("[%c%c%c] [%5c] [%-5c] [%%] [%s] [%.3s] [%10s] [%-10s|]\n", 'a', 'B',
           '0', 'x', 'y', "string", "string", "right", "left");
    printf("[%p] [%p]\n", (void *)0, (void *)0x1234);
    int n1 = 0, n2 = 0;
    printf("abc%n defgh%n\n", &n1, &n2);
    printf("counted %d %d\n", n1, n2);
    char buf[16];
    int w = snprintf(buf, sizeof buf, "%d-%d-%d-%d", 1000, 2000, 3000, 4000);
    printf("snprintf %d [%s]\n", w, buf);
    return 0;
}
