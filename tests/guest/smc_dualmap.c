/* smc_dualmap.c -- JIT code written through a second mapping of the same
 * memory (the W^X "dual mapping" of V8 and others): a memfd mapped twice,
 * once read+write, once read+exec.  The code runs from the exec view and
 * changes only through the other one, which no store to the exec view's
 * addresses and no syscall announces.  Then the exec view flips between
 * RX and RWX (mprotect) while the writes go on through either view.
 * Every call after a write must see it (same thread), and a second thread
 * that keeps calling the exec view must see a write of the first thread
 * (cross-modifying code: within a bounded number of calls, as the CPU).
 * Output is compared with the native run. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { PAGE = 4096 };

typedef uint32_t (*fn_t)(uint32_t);

static uint8_t *rw, *rx;

/* lea eax, [rdi + imm32]; ret -- the immediate at offset 3. */
static void emit(uint8_t *p, uint32_t imm)
{
    static const uint8_t code[] = { 0x8d, 0x87, 0, 0, 0, 0, 0xc3 };
    memcpy(p, code, sizeof(code));
    memcpy(p + 2, &imm, 4);
}

/* A loop in the exec view calling the function at offset 64 n times:
 * push rbx; mov ebx, edi; xor eax, eax; l: mov edi, eax; call f; dec ebx;
 * jnz l; pop rbx; ret -- so the call is chained in translated code. */
static void emit_loop(uint8_t *p)
{
    static const uint8_t code[] = {
        0x53, 0x89, 0xfb, 0x31, 0xc0,           /* push rbx; mov ebx,edi; xor eax,eax */
        0x89, 0xc7, 0xe8, 0, 0, 0, 0,           /* l: mov edi,eax; call rel32 */
        0xff, 0xcb, 0x75, 0xf5, 0x5b, 0xc3,     /* dec ebx; jnz l; pop rbx; ret */
    };
    memcpy(p, code, sizeof(code));
    int32_t rel = 64 - 12;
    memcpy(p + 8, &rel, 4);
}

static uint32_t call_f(uint32_t x) { return ((fn_t)(void *)(rx + 64))(x); }
static uint32_t call_loop(uint32_t n) { return ((fn_t)(void *)rx)(n); }

static volatile uint32_t seen_by_thread;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* Calls the exec view until it gives what the last write says (for at
 * most 20 s: a translation that never sees the write fails, not hangs). */
static void *watcher(void *arg)
{
    uint32_t want = (uint32_t)(uintptr_t)arg;
    double until = now() + 20;
    for (long n = 0;; n++) {
        if (call_f(0) == want) {
            seen_by_thread = want;
            return NULL;
        }
        if (!(n & 0xfffff) && now() > until)
            return NULL;
    }
}

static void same_thread(int rounds, int flip)
{
    for (int r = 0; r < rounds; r++) {
        if (flip && mprotect(rx, PAGE, (r & 1) ? PROT_READ | PROT_EXEC
                                               : PROT_READ | PROT_WRITE | PROT_EXEC)) {
            perror("mprotect");
            return;
        }
        /* Through the writable exec view in odd RWX rounds, else the other. */
        uint8_t *w = flip && !(r & 1) && (r & 2) ? rx : rw;
        emit(w + 64, (uint32_t)r * 10);
        uint32_t a = call_f(5), b = call_loop(100);
        printf("round %d%s: f(5) = %u, loop = %u\n", r, flip ? " (flip)" : "", a, b);
    }
}

int main(void)
{
    int fd = memfd_create("jit", 0);
    if (fd < 0 || ftruncate(fd, PAGE)) {
        perror("memfd");
        return 1;
    }
    rw = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    rx = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    if (rw == MAP_FAILED || rx == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    emit_loop(rw);
    emit(rw + 64, 7);
    uint32_t warm = 0;
    for (int k = 0; k < 1000; k++)
        warm += call_f(1) + call_loop(10);
    printf("warm: %u\n", warm);
    same_thread(12, 0);
    same_thread(12, 1);
    if (mprotect(rx, PAGE, PROT_READ | PROT_EXEC))
        perror("mprotect");
    for (uint32_t v = 1000; v < 1005; v++) {
        pthread_t t;
        emit(rw + 64, v - 1);
        if (pthread_create(&t, NULL, watcher, (void *)(uintptr_t)v))
            return 1;
        usleep(2000);                          /* the thread runs the old code */
        emit(rw + 64, v);
        pthread_join(t, NULL);
        printf("thread saw %u: %s\n", v, seen_by_thread == v ? "yes" : "no");
    }
    return 0;
}
