/* leak.c -- the smallest LeakSanitizer case: no argument, the block stays
 * reachable (exit 0, "hi"); with one, its last pointer is dropped
 * (LeakSanitizer reports 40 bytes, exit 1).  Under ferry, before ptrace
 * was emulated, both ended "LeakSanitizer has encountered a fatal error"
 * with exit status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *keep;

int main(int argc, char **argv)
{
    char *p = malloc(40);
    strcpy(p, "hi");
    keep = argc > 1 ? NULL : p;
    printf("%s\n", keep ? (char *)keep : "none");
    return 0;
}
