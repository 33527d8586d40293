/* smc_successor.c -- code that jumps into code the program rewrites: the
 * jumping block must not drop flags because its successor, as it was when
 * translated, overwrote them.  A block does `cmp edi, esi` and jumps to
 * a routine on another writable page; the routine is first `xor eax, eax`
 * (the compare's flags die there), then rewritten to `setb al` (they are
 * read).  The first call after the rewrite must see the compare's CF. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*fn_t)(int, int);

/* xor eax, eax; ret */
static const uint8_t writer[] = { 0x31, 0xc0, 0xc3 };
/* mov eax, 0; setb al; ret */
static const uint8_t reader[] = { 0xb8, 0, 0, 0, 0, 0x0f, 0x92, 0xc0, 0xc3 };
/* mov eax, 0; setbe al; ret (a jcc-free reader of CF and ZF) */
static const uint8_t reader_be[] = { 0xb8, 0, 0, 0, 0, 0x0f, 0x96, 0xc0, 0xc3 };

int main(void)
{
    uint8_t *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) { perror("mmap"); return 1; }
    uint8_t *a = m + 4096 - 16, *b = m + 4096 + 64;
    a[0] = 0x39, a[1] = 0xf7;                   /* cmp edi, esi */
    a[2] = 0xe9;                                /* jmp b */
    int32_t rel = (int32_t)(b - (a + 7));
    memcpy(a + 3, &rel, 4);
    fn_t f = (fn_t)(void *)a;
    const uint8_t *versions[] = { reader, reader_be };
    for (int v = 0; v < 2; v++) {
        memcpy(b, writer, sizeof writer);
        int sum = 0;
        for (int i = 0; i < 20000; i++)         /* long enough to be chained */
            sum += f(1, 2);
        printf("writer: %d\n", sum);
        memcpy(b, versions[v], sizeof reader);
        int r1 = f(1, 2), r2 = f(2, 1), r3 = f(2, 2);
        printf("reader %d: %d %d %d\n", v, r1, r2, r3);
    }
    return 0;
}
