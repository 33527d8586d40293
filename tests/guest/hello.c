/* hello.c -- the smallest guest: one line on stdout, one on stderr. */
#include <stdio.h>

int main(void)
{
    printf("Hello from the guest!\n");
    fprintf(stderr, "and a line on stderr\n");
    return 0;
}
