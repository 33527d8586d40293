/* divzero.c -- integer division by zero: the div instruction raises #DE and
 * the process dies by SIGFPE (status 136 in sh terms). */
#include <stdio.h>

int main(int argc, char **argv)
{
    volatile int zero = argc - 1;
    printf("dividing by zero\n");
    fflush(stdout);
    printf("%d\n", 100 / zero);
    return 0;
}
