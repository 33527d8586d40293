/* argv_cpu.c -- prints its argv; with --cpu also the CPUID brand string,
 * which tells whether it ran under ferry (check-binfmt.sh). */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = %s\n", i, argv[i]);
    if (argc > 1 && strcmp(argv[1], "--cpu") == 0) {
        unsigned r[12];
        for (unsigned l = 0; l < 3; l++)
            __cpuid(0x80000002 + l, r[4 * l], r[4 * l + 1], r[4 * l + 2], r[4 * l + 3]);
        printf("cpu: %.48s\n", (char *)r);
    }
    return argc;
}
