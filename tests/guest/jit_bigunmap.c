/* jit_bigunmap.c -- code on many pages of one large mapping, all of it
 * run, then the whole mapping unmapped (or mapped over with MAP_FIXED)
 * and mapped again with other code at the same addresses: a change that
 * spans more pages than hold code, which a translator may handle by
 * walking everything it translated rather than each page of the range.
 * No stale translation may run.  Three rounds, so code is dropped and
 * translated again on the same pages.  Output is compared with the
 * native run. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE 4096
#define REGION_PAGES 2048               /* 8 MiB: more pages than any run has code on */
#define STRIDE 29                       /* pages between functions: spread over the range */
#define FUNCS (REGION_PAGES / STRIDE)

typedef uint32_t (*fn_t)(void);

static void *map_region(void *at)
{
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | (at ? MAP_FIXED : 0);
    void *p = mmap(at, (size_t)REGION_PAGES * PAGE, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return NULL;
    }
    return p;
}

/* Each function: mov eax, value; ret -- at a different offset in its page. */
static void write_code(uint8_t *region, uint32_t round)
{
    for (int k = 0; k < FUNCS; k++) {
        uint8_t *f = region + (size_t)k * STRIDE * PAGE + (k * 48) % (PAGE - 16);
        uint32_t value = round * 1000003u + (uint32_t)k * 7919u;
        f[0] = 0xb8;
        memcpy(f + 1, &value, 4);
        f[5] = 0xc3;
    }
    mprotect(region, (size_t)REGION_PAGES * PAGE, PROT_READ | PROT_EXEC);
}

static uint32_t run_all(uint8_t *region)
{
    uint32_t sum = 0;
    for (int rep = 0; rep < 3; rep++)
        for (int k = 0; k < FUNCS; k++) {
            fn_t f = (fn_t)(void *)(region + (size_t)k * STRIDE * PAGE + (k * 48) % (PAGE - 16));
            sum = sum * 31 + f();
        }
    return sum;
}

int main(void)
{
    uint8_t *region = map_region(NULL);
    if (!region)
        return 1;
    for (uint32_t round = 0; round < 3; round++) {
        write_code(region, round);
        printf("round %u: %08x\n", round, run_all(region));
        if (round == 0) {               /* unmapped, then mapped again at the same place */
            munmap(region, (size_t)REGION_PAGES * PAGE);
            if (map_region(region) != region)
                return 1;
        } else if (!map_region(region)) {   /* MAP_FIXED over the whole of it */
            return 1;
        }
    }
    return 0;
}
