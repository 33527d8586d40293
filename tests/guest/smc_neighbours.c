/* smc_neighbours.c -- a JIT patching one routine among many on a page, as
 * HotSpot patches a call site or an nmethod's entry: 32 small routines
 * share an RWX page (one of them crosses into the next page) with a
 * caller that calls one of them.  Each round rewrites one routine's
 * immediate (every few rounds also stores a routine's own bytes again,
 * which changes nothing), then calls every routine often enough to run
 * chained and through the jump cache.  Every later rewrite of a routine
 * that survived an earlier one must be seen, as must the caller's call
 * into a rewritten routine.  Prints a sum per round; the last line counts
 * the rewrites (tests/check-cli.sh: only the rewritten routines' blocks
 * may be dropped, not the whole page's). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

enum { ROUTINES = 33, SPACING = 128, ROUNDS = 64, CALLS = 20 };

typedef int (*fn_t)(int);

/* mov eax, imm32; add eax, edi; ret */
static void emit_routine(uint8_t *p, int32_t imm)
{
    p[0] = 0xb8;
    memcpy(p + 1, &imm, 4);
    p[5] = 0x01, p[6] = 0xf8, p[7] = 0xc3;
}

/* call rel32 <to>; add eax, 1; ret */
static void emit_caller(uint8_t *p, const uint8_t *to)
{
    int32_t rel = (int32_t)(to - (p + 5));
    p[0] = 0xe8;
    memcpy(p + 1, &rel, 4);
    p[5] = 0x83, p[6] = 0xc0, p[7] = 0x01, p[8] = 0xc3;
}

int main(void)
{
    uint8_t *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    memset(m, 0xcc, 8192);
    uint8_t *routine[ROUTINES];
    for (int k = 0; k < ROUTINES - 1; k++)
        routine[k] = m + k * SPACING;
    routine[ROUTINES - 1] = m + 4096 - 5;       /* its add and ret on the next page */
    for (int k = 0; k < ROUTINES; k++)
        emit_routine(routine[k], k);
    uint8_t *caller = m + 4096 + 256;
    emit_caller(caller, routine[5]);
    int rewrites = 0;
    for (int r = 0; r < ROUNDS; r++) {
        int k = r * 7 % ROUTINES;
        emit_routine(routine[k], r * 1000 + k);
        rewrites++;
        if (r % 8 == 3) {                       /* the same bytes again */
            uint8_t same[8];
            memcpy(same, routine[(k + 1) % ROUTINES], 8);
            memcpy(routine[(k + 1) % ROUTINES], same, 8);
        }
        long sum = 0;
        for (int c = 0; c < CALLS; c++) {
            for (int j = 0; j < ROUTINES; j++)
                sum += ((fn_t)(void *)routine[j])(c);
            sum += ((fn_t)(void *)caller)(c);
        }
        printf("round %d: rewrote %d, sum %ld\n", r, k, sum);
    }
    printf("rewrites %d\n", rewrites);
    return 0;
}
