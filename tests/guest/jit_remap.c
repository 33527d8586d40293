/* jit_remap.c -- code that changes through the memory syscalls, the way
 * JITs and loaders change it: page A holds a loop that calls two
 * functions on page B (one by a direct call, one through a register) a
 * thousand times, so a translator chains A into B and caches B in its
 * jump caches.  Then only B changes -- mprotect RW/write/RX, munmap and
 * map again, MAP_FIXED over it, unmapped or PROT_NONE (the call must
 * fault), rewritten in place while RWX, moved away with mremap -- and A
 * runs again: no stale translation of B may run, and A's own code never
 * changes.  Meanwhile another thread keeps calling its own copy of A and
 * B, which never changes: dropping code from under it must not disturb
 * it.  Output is compared with the native run. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>

#include "code_bytes.h"

#define PAGE 4096
typedef uint64_t (*fn_t)(uint64_t);

static uint8_t *region;                 /* page A, page B */
static sigjmp_buf on_fault;

/* Page A: f(n) = sum over i = n..1 of g(i) + h(i), g called directly at
 * B, h through rax at B + 64 (both pc-relative: A and B may move). */
static void emit_a(uint8_t *a, const uint8_t *b)
{
    uint8_t *p = a;
    put(&p, "\x53\x41\x54\x48\x89\xfb\x45\x31\xe4", 9);   /* push rbx; push r12; mov rbx,rdi; xor r12d,r12d */
    uint8_t *loop = p;
    put(&p, "\x48\x89\xdf\xe8", 4);                      /* mov rdi,rbx; call g */
    put32(&p, (uint32_t)(b - (p + 4)));
    put(&p, "\x49\x01\xc4\x48\x89\xdf\x48\x8d\x05", 9);  /* add r12,rax; mov rdi,rbx; lea rax,[rip+h] */
    put32(&p, (uint32_t)(b + 64 - (p + 4)));
    put(&p, "\xff\xd0\x49\x01\xc4\x48\xff\xcb\x75", 9);  /* call rax; add r12,rax; dec rbx; jnz loop */
    *p = (uint8_t)(loop - (p + 1));
    p++;
    put(&p, "\x4c\x89\xe0\x41\x5c\x5b\xc3", 7);          /* mov rax,r12; pop r12; pop rbx; ret */
}

/* Page B: g(x) = x * k + c at B, h(x) = x + d at B + 64. */
static void emit_b(uint8_t *b, int32_t k, int32_t c, int32_t d)
{
    uint8_t *p = b;
    put_linear(&p, k, c);
    p = b + 64;
    put(&p, "\x48\x89\xf8\x48\x05", 5);                  /* mov rax,rdi; add rax,d */
    put32(&p, (uint32_t)d);
    put(&p, "\xc3", 1);
}

static void on_segv(int sig) { siglongjmp(on_fault, 1); }

static void run(const char *what, const uint8_t *a)
{
    if (sigsetjmp(on_fault, 1)) {
        printf("%-28s fault\n", what);
        return;
    }
    uint64_t r = ((fn_t)(uintptr_t)a)(1000);
    printf("%-28s %llu\n", what, (unsigned long long)r);
}

static uint8_t *page_b(void) { return region + PAGE; }

/* B written while RW, then made RX (W^X). */
static void write_b(int32_t k, int32_t c, int32_t d)
{
    mprotect(page_b(), PAGE, PROT_READ | PROT_WRITE);
    emit_b(page_b(), k, c, d);
    mprotect(page_b(), PAGE, PROT_READ | PROT_EXEC);
}

static void map_b_fixed(int prot)
{
    if (mmap(page_b(), PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        perror("mmap fixed");
}

static void replace_b(void)
{
    write_b(3, 1, 5);
    run("mprotect RW, write, RX:", region);
    munmap(page_b(), PAGE);
    map_b_fixed(PROT_READ | PROT_WRITE);
    write_b(4, -2, 6);
    run("munmap, map again:", region);
    map_b_fixed(PROT_READ | PROT_WRITE);
    write_b(5, 7, -3);
    run("MAP_FIXED over it:", region);
}

static void unmap_b(void)
{
    munmap(page_b(), PAGE);
    run("B unmapped:", region);
    map_b_fixed(PROT_NONE);
    run("B PROT_NONE:", region);
    write_b(6, 0, 1);
    run("B mapped again:", region);
}

/* No syscall tells the translator: the RWX page checks itself. */
static void rewrite_b_in_place(void)
{
    mprotect(page_b(), PAGE, PROT_READ | PROT_WRITE | PROT_EXEC);
    emit_b(page_b(), 7, 3, 2);
    run("RWX B:", region);
    emit_b(page_b(), 8, -5, 9);
    run("RWX B rewritten:", region);
}

/* A and B move together (the call is relative); the old place faults,
 * then holds new code. */
static void move_region(void)
{
    uint8_t *to = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *old = region;
    mprotect(page_b(), PAGE, PROT_READ | PROT_EXEC);
    region = mremap(old, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, to);
    if (region == MAP_FAILED) {
        perror("mremap");
        region = old;
        return;
    }
    run("moved:", region);
    run("old place after the move:", old);
    if (mmap(old, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        perror("mmap old");
    emit_a(old, old + PAGE);
    emit_b(old + PAGE, 9, 9, 9);
    mprotect(old, 2 * PAGE, PROT_READ | PROT_EXEC);
    run("old place, new code:", old);
    run("moved, still the same:", region);
}

/* The other thread: its own A and B, called until main is done. */
static struct {
    uint8_t *code;
    int stop, started, wrong;
} bystander;

static void *bystander_run(void *arg)
{
    fn_t f = (fn_t)(uintptr_t)bystander.code;
    uint64_t want = f(1000);
    __atomic_store_n(&bystander.started, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&bystander.stop, __ATOMIC_SEQ_CST))
        if (f(1000) != want)
            bystander.wrong++;
    return NULL;
}

static void start_bystander(pthread_t *t)
{
    uint8_t *c = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    emit_a(c, c + PAGE);
    emit_b(c + PAGE, 11, 1, 2);
    mprotect(c, 2 * PAGE, PROT_READ | PROT_EXEC);
    bystander.code = c;
    pthread_create(t, NULL, bystander_run, NULL);
    while (!__atomic_load_n(&bystander.started, __ATOMIC_SEQ_CST))
        sched_yield();
}

static void stop_bystander(pthread_t t)
{
    __atomic_store_n(&bystander.stop, 1, __ATOMIC_SEQ_CST);
    pthread_join(t, NULL);
    printf("%-28s %s\n", "the other thread:", bystander.wrong ? "wrong results" : "right");
}

int main(void)
{
    pthread_t other;
    signal(SIGSEGV, on_segv);
    start_bystander(&other);
    region = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    emit_a(region, page_b());
    emit_b(page_b(), 2, 0, 0);
    mprotect(region, 2 * PAGE, PROT_READ | PROT_EXEC);
    run("first:", region);
    run("again:", region);
    replace_b();
    unmap_b();
    rewrite_b_in_place();
    move_region();
    stop_bystander(other);
    return 0;
}
