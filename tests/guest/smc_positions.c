/* smc_positions.c -- a one-byte change anywhere in JIT code on an RWX page
 * must be seen at the code's next run.  A translator compares the bytes of
 * such code with its copy in pieces (8 or 16 bytes, the last one
 * overlapping the one before); a piece it forgets, or one that stops
 * short of the end, misses a change there.  Functions of every size from
 * 11 to 60 bytes and some up to 170 (mov eax,1; mov ecx,2; N nops; ret)
 * are run, then each of their nops in turn becomes xchg eax,ecx (0x91,
 * the result 2 instead of 1) and back, each version called at once and
 * again after a warm-up of calls.  Output is compared with the native run. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*fn_t)(void);

enum { HEAD = 10, PAGE = 4096 };

/* mov eax,1; mov ecx,2; nops bytes of nop; ret -- at p. */
static void emit(uint8_t *p, int nops)
{
    static const uint8_t head[HEAD] = { 0xb8, 1, 0, 0, 0, 0xb9, 2, 0, 0, 0 };
    memcpy(p, head, HEAD);
    memset(p + HEAD, 0x90, (size_t)nops);
    p[HEAD + nops] = 0xc3;
}

/* Each nop of the function at p becomes xchg eax,ecx and back; returns
 * how many calls gave the wrong answer (printed as they happen). */
static int flip_each(uint8_t *p, int nops)
{
    fn_t f = (fn_t)(void *)p;
    int bad = 0;
    for (int k = 0; k < nops; k++) {
        p[HEAD + k] = 0x91;
        int a = f(), b = 0;
        for (int r = 0; r < 3; r++)
            b += f();
        p[HEAD + k] = 0x90;
        int c = f();
        if (a != 2 || b != 6 || c != 1) {
            printf("size %d, byte %d: %d %d %d\n", HEAD + nops + 1, HEAD + k, a, b, c);
            bad++;
        }
    }
    return bad;
}

int main(void)
{
    uint8_t *page = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    int sizes = 0, bad = 0, flips = 0;
    for (int nops = 0; nops <= 160; nops += nops < 50 ? 1 : 11) {
        /* At the page's start, and ending at the next page's 5th byte. */
        uint8_t *at[2] = { page, page + PAGE + 5 - (HEAD + nops + 1) };
        for (int w = 0; w < 2; w++) {
            emit(at[w], nops);
            fn_t f = (fn_t)(void *)at[w];
            int warm = 0;
            for (int r = 0; r < 4; r++)
                warm += f();
            if (warm != 4)
                printf("size %d: warm %d\n", HEAD + nops + 1, warm), bad++;
            bad += flip_each(at[w], nops);
            flips += nops;
        }
        sizes++;
    }
    printf("%d sizes, %d one-byte changes, %d missed\n", sizes, flips, bad);
    return bad != 0;
}
