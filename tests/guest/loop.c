/* loop.c -- a hot loop (many executions of few blocks): the --stats test
 * uses it to see that chained blocks keep it out of the dispatcher. */
#include <stdint.h>
#include <stdio.h>

static uint64_t mix(uint64_t h, uint64_t i)
{
    h ^= i;
    h *= 0x100000001b3ull;
    return h ^ (h >> 29);
}

int main(void)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint64_t i = 0; i < 3000000; i++) {
        if (i % 3 == 0)
            h = mix(h, i);
        else
            h += i * 7;
    }
    printf("loop hash %016llx\n", (unsigned long long)h);
    return 0;
}
