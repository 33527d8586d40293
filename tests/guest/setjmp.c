/* setjmp.c -- setjmp/longjmp (and sigsetjmp/siglongjmp) out of deep calls:
 * glibc mangles the saved rsp/rip/rbp with a pointer guard (fs:0x30) and
 * restores callee-saved registers, so this checks TLS and indirect jumps. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;
static sigjmp_buf senv;
static volatile int depth_reached;

static void dive(int depth, int target)
{
    volatile char pad[64];
    pad[depth % 64] = 1;
    depth_reached = depth;
    if (depth == target)
        longjmp(env, depth + pad[depth % 64]);
    if (depth < target)
        dive(depth + 1, target);
}

int main(void)
{
    for (int target = 0; target < 2000; target += 333) {
        volatile int local = target * 3;
        int r = setjmp(env);
        if (r == 0) {
            dive(0, target);
            printf("not reached\n");
        }
        printf("target %d: longjmp returned %d, depth %d, local %d\n", target,
               r, depth_reached, local);
    }
    volatile int count = 0;
    if (sigsetjmp(senv, 1) < 5) {
        count++;
        siglongjmp(senv, count);
    }
    printf("siglongjmp loop ran %d times\n", count);
    return 0;
}
