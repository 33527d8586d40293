/* hello.c -- the good static program the malformed fixtures start from. */
#include <stdio.h>

int main(void)
{
    puts("hello");
    return 0;
}
