/* ras_corners.c -- calls and returns that do not pair up, for ferry's
 * return-address stack (--ras / FERRY_RAS=1): longjmp out of deep
 * recursion, signal handlers that return and that siglongjmp, swapcontext
 * coroutines, recursion deeper than the ring, fork in the middle of a deep
 * call chain, returns to rewritten return addresses, call/pop thunks, and
 * self-modifying code at a return target.  Output compared with native;
 * FERRY_RAS=1 turns the return-address stack on under ferry. */
//@env: FERRY_RAS=1
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static jmp_buf jb;
static sigjmp_buf sjb;
static volatile long sink;

__attribute__((noinline)) static long dive(int n, int jump_at)
{
    if (n == jump_at)
        longjmp(jb, n + 1);
    if (n == 0)
        return 1;
    long r = dive(n - 1, jump_at) + n;
    sink += r;
    return r;
}

static void test_longjmp(void)
{
    long total = 0;
    for (int round = 0; round < 200; round++) {
        int v = setjmp(jb);
        if (v == 0)
            total += dive(100 + round % 7, round % 50);
        else
            total += v * 3;
    }
    printf("longjmp: %ld\n", total);
}

static volatile int handled;

static void on_usr1(int sig)
{
    handled += sig;
}

static void on_usr2(int sig)
{
    siglongjmp(sjb, sig);
}

__attribute__((noinline)) static long dive_raise(int n, int sig)
{
    if (n == 0) {
        raise(sig);
        return 7;
    }
    return dive_raise(n - 1, sig) + 1;
}

static void test_signals(void)
{
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, on_usr2);
    long total = 0;
    for (int k = 0; k < 50; k++) {
        total += dive_raise(k, SIGUSR1);
        int v = sigsetjmp(sjb, 1);
        if (v == 0)
            total += dive_raise(k + 40, SIGUSR2);
        else
            total += v;
    }
    printf("signals: %ld handled %d\n", total, handled);
}

static ucontext_t main_ctx, co_ctx;
static long co_value;

__attribute__((noinline)) static void co_yield_deep(int n, long v)
{
    if (n == 0) {
        co_value = v;
        swapcontext(&co_ctx, &main_ctx);
        return;
    }
    co_yield_deep(n - 1, v);
}

static void co_body(void)
{
    for (long v = 0;; v++)
        co_yield_deep((int)(v % 45), v * v);
}

static void test_coroutines(void)
{
    static char stack[256 * 1024];
    getcontext(&co_ctx);
    co_ctx.uc_stack.ss_sp = stack;
    co_ctx.uc_stack.ss_size = sizeof(stack);
    co_ctx.uc_link = &main_ctx;
    makecontext(&co_ctx, co_body, 0);
    long total = 0;
    for (int k = 0; k < 300; k++) {
        swapcontext(&main_ctx, &co_ctx);
        total += co_value;
    }
    printf("coroutines: %ld\n", total);
}

__attribute__((noinline)) static long odd_deep(long n);
__attribute__((noinline)) static long even_deep(long n)
{
    return n == 0 ? 1 : odd_deep(n - 1) * 3 % 1000003;
}

__attribute__((noinline)) static long odd_deep(long n)
{
    return n == 0 ? 2 : even_deep(n - 1) + 5;
}

static void test_deep(void)
{
    long total = 0;
    for (long d = 1; d < 3000; d += 97)
        total += even_deep(d);
    for (long d = 3000; d < 20000; d += 997)     /* past x86-64's 4,096 entries */
        total += even_deep(d);
    printf("deep: %ld\n", total);
}

static pid_t forked;

/* Forks at the bottom of a 100-frame chain: child and parent both unwind it. */
__attribute__((noinline)) static long dive_fork(int n)
{
    if (n == 0) {
        fflush(stdout);
        forked = fork();
        return forked == 0 ? 11 : 13;
    }
    return dive_fork(n - 1) * 3 % 100003 + n;
}

static void test_fork(void)
{
    long r = dive_fork(100);
    if (forked == 0) {
        printf("fork child: %ld\n", r);
        fflush(stdout);
        _exit(3);
    }
    int st;
    waitpid(forked, &st, 0);
    printf("fork parent: %ld, child status %d\n", r, WEXITSTATUS(st));
}

/* Returns through rewritten return addresses and a call/pop thunk. */
long ras_modret(void);
long ras_skipframe(void);
long ras_thunk(void);
__asm__(".text\n"
        "ras_modret:\n"
        "    call 1f\n"
        "    mov $100, %eax\n"          /* the pushed return pc: never returned to */
        "    ret\n"
        "1:  lea 2f(%rip), %rcx\n"
        "    mov %rcx, (%rsp)\n"
        "    ret\n"
        "2:  mov $1, %eax\n"
        "    ret\n"
        "ras_skipframe:\n"              /* inner returns straight to our caller */
        "    call 3f\n"
        "    mov $200, %eax\n"
        "    ret\n"
        "3:  add $8, %rsp\n"
        "    mov $2, %eax\n"
        "    ret\n"
        "ras_thunk:\n"                  /* call next; pop: no ret at all */
        "    call 4f\n"
        "4:  pop %rax\n"
        "    lea 4b(%rip), %rcx\n"
        "    sub %rcx, %rax\n"
        "    add $3, %rax\n"
        "    ret\n");

static void test_asm(void)
{
    long total = 0;
    for (int k = 0; k < 1000; k++)
        total += ras_modret() + ras_skipframe() * 10 + ras_thunk() * 100;
    printf("asm: %ld\n", total);
}

/* code: call f; mov $imm, %eax; ret; f: ret -- the imm at the return
 * target is rewritten between runs. */
static void test_smc(void)
{
    uint8_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        printf("smc: no rwx mapping\n");
        return;
    }
    static const uint8_t code[] = {
        0xe8, 0x06, 0x00, 0x00, 0x00,           /* call +6 -> f */
        0xb8, 0x00, 0x00, 0x00, 0x00,           /* mov $imm, %eax */
        0xc3,                                   /* ret */
        0xc3,                                   /* f: ret */
    };
    memcpy(p, code, sizeof(code));
    long total = 0;
    for (int k = 0; k < 300; k++) {
        int32_t imm = k / 3 * 7 + 1;
        if (k % 3 == 0) {
            memcpy(p + 6, &imm, 4);
            __builtin___clear_cache((char *)p, (char *)p + sizeof(code));
        }
        total += ((int (*)(void))p)();
    }
    printf("smc: %ld\n", total);
    munmap(p, 4096);
}

/* Threads: each vCPU has its own stack of return addresses. */
static void *thread_body(void *arg)
{
    long n = (long)arg, total = 0;
    for (int k = 0; k < 200; k++)
        total += even_deep(n + k % 50);
    return (void *)total;
}

static void test_threads(void)
{
    pthread_t t[3];
    for (long k = 0; k < 3; k++)
        pthread_create(&t[k], NULL, thread_body, (void *)(100 + 37 * k));
    long total = 0;
    for (int k = 0; k < 3; k++) {
        void *r;
        pthread_join(t[k], &r);
        total += (long)r;
    }
    printf("threads: %ld\n", total);
}

int main(void)
{
    test_longjmp();
    test_signals();
    test_coroutines();
    test_deep();
    test_asm();
    test_smc();
    test_threads();
    test_fork();
    return 0;
}
