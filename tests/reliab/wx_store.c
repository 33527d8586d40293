/* wx_store.c -- a store through a wild pointer into code faults and changes
 * nothing.  argv[1] names a file: under ferry, FERRY_DEBUG_CODE_CACHE made
 * ferry write its code cache's executable range there ("START END" in
 * hex), so the stores aim at translated code; natively there is no file
 * and they aim at this program's own code, which faults the same way.
 * Each store must raise SIGSEGV, and the code must still run afterwards. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf back;

static void on_segv(int sig)
{
    (void)sig;
    siglongjmp(back, 1);
}

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

/* Four targets inside [start, end): its first bytes, two inside, the last. */
static int targets_from(const char *path, uintptr_t *t)
{
    unsigned long start, end;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int n = fscanf(f, "%lx %lx", &start, &end);
    fclose(f);
    if (n != 2 || end <= start + 64)
        return 0;
    t[0] = start;
    t[1] = start + (end - start) / 3;
    t[2] = start + (end - start) / 2;
    t[3] = end - 1;
    return 1;
}

int main(int argc, char **argv)
{
    uintptr_t t[4];
    if (argc < 2 || !targets_from(argv[1], t))
        for (int k = 0; k < 4; k++)
            t[k] = (uintptr_t)&fib + (uintptr_t)k;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_segv;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    printf("before: fib(20) = %d\n", fib(20));
    for (int k = 0; k < 4; k++) {
        volatile uint8_t *p = (volatile uint8_t *)t[k];
        if (sigsetjmp(back, 1) == 0) {
            *p = 0xcc;          /* int3 on x86, garbage on AArch64 */
            printf("store %d: went through\n", k);
        } else {
            printf("store %d: SIGSEGV\n", k);
        }
    }
    printf("after: fib(21) = %d\n", fib(21));
    return 0;
}
