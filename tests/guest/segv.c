/* segv.c -- a null pointer store: dies by SIGSEGV (status 139 in sh terms),
 * after output that was flushed before the fault. */
#include <stdio.h>

int main(void)
{
    printf("about to dereference NULL\n");
    fflush(stdout);
    *(volatile int *)0 = 1;
    printf("not reached\n");
    return 0;
}
