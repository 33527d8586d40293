/* stack_strings.c -- the layout between argv[0] and AT_PLATFORM on the
 * initial stack.  Linux aligns down to 16 before pushing the platform
 * string (arch_align_stack; its ASLR offset only adds more zeros), so the
 * bytes of argv[0]'s aligned 16-byte block below argv[0] are zeros.  SSE2
 * string functions (glibc's strrchr(argv[0], '/') at start-up) read that
 * block, and the vector registers they leave behind show it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

//@args: a b

int main(int argc, char **argv)
{
    const char *a0 = argv[0];
    const char *block = (const char *)((uintptr_t)a0 & ~(uintptr_t)15);
    int zeros = 1;
    for (const char *p = block; p < a0; p++)
        zeros &= *p == 0;
    printf("bytes before argv[0] in its 16-byte block are zero: %d\n", zeros);
    const char *plat = (const char *)getauxval(AT_PLATFORM);
    printf("AT_PLATFORM ends below argv[0]'s block: %d\n",
           plat && plat + strlen(plat) < block);
    const char *rnd = (const char *)getauxval(AT_RANDOM);
    printf("AT_RANDOM below AT_PLATFORM: %d\n", rnd && plat && rnd + 16 <= plat);
    printf("argc %d\n", argc);
    return 0;
}
