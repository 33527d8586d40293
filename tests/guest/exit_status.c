/* exit_status.c -- a non-zero exit status after output on both streams,
 * with atexit handlers (run in reverse order) and unflushed stdio buffers. */
#include <stdio.h>
#include <stdlib.h>

static void first(void) { printf("atexit: registered first, runs last\n"); }
static void second(void) { fprintf(stderr, "atexit: registered second, runs first\n"); }

int main(void)
{
    atexit(first);
    atexit(second);
    printf("stdout line without flush");
    fprintf(stderr, "error: something went wrong (on purpose)\n");
    exit(42);
}
