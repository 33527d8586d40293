/* sigill.c -- executes ud2: dies by SIGILL (status 132 in sh terms). */
#include <stdio.h>

int main(void)
{
    printf("about to execute ud2\n");
    fflush(stdout);
    __asm__ volatile("ud2");
    printf("not reached\n");
    return 0;
}
