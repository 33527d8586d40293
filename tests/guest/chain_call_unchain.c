/* chain_call_unchain.c -- a chained direct call goes back to its stub
 * when its callee's code changes.  Page A (never rewritten, read-only
 * while it runs) holds a loop whose head block is `setc cl; mov rdi, rbx;
 * call B`: it writes no flag (no successor scan needs B) and reads CF
 * first (a scan from its entry stops there, before the call), so a
 * translator has no reason to read B while translating it and its
 * translation stays valid when only B changes.  (jit_remap's call block
 * starts with a plain `mov`: ferry's entry scan follows the call into B,
 * the block depends on B's page and is dropped with it, so that test
 * passes even if the call is never unchained.)
 * After a thousand calls the call is chained straight into B's
 * translation; then B alone is rewritten (mprotect RW / write / RX, or
 * unmapped and mapped again with other code, single-threaded) and A runs
 * again: the call must reach B's new code, not the translation of the old.
 * Output is compared with the native run. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "code_bytes.h"

#define PAGE 4096
typedef uint64_t (*fn_t)(uint64_t);

static uint8_t *region;                 /* page A, page B */

/* Page A: f(n) = sum over i = n..1 of g(i), g called directly at B. */
static void emit_a(uint8_t *a, const uint8_t *b)
{
    uint8_t *p = a;
    put(&p, "\x53\x41\x54\x48\x89\xfb\x45\x31\xe4", 9);   /* push rbx; push r12; mov rbx,rdi; xor r12d,r12d */
    put(&p, "\xeb\x00", 2);                              /* jmp loop (the head starts a block of its own) */
    uint8_t *loop = p;
    put(&p, "\x0f\x92\xc1\x48\x89\xdf\xe8", 7);          /* loop: setc cl; mov rdi,rbx; call g */
    put32(&p, (uint32_t)(b - (p + 4)));
    put(&p, "\x49\x01\xc4\x48\xff\xcb\x75", 7);          /* add r12,rax; dec rbx; jnz loop */
    *p = (uint8_t)(loop - (p + 1));
    p++;
    put(&p, "\x4c\x89\xe0\x41\x5c\x5b\xc3", 7);          /* mov rax,r12; pop r12; pop rbx; ret */
}

/* Page B: g(x) = x * k + c. */
static void emit_b(uint8_t *b, int32_t k, int32_t c)
{
    uint8_t *p = b;
    put_linear(&p, k, c);
}

static uint8_t *page_b(void) { return region + PAGE; }

static void run(const char *what)
{
    uint64_t r = ((fn_t)(uintptr_t)region)(1000);
    printf("%-26s %llu\n", what, (unsigned long long)r);
}

/* B written while RW, then made RX (W^X). */
static void write_b(int32_t k, int32_t c)
{
    mprotect(page_b(), PAGE, PROT_READ | PROT_WRITE);
    emit_b(page_b(), k, c);
    mprotect(page_b(), PAGE, PROT_READ | PROT_EXEC);
}

static void map_b_again(int32_t k, int32_t c)
{
    munmap(page_b(), PAGE);
    if (mmap(page_b(), PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
             -1, 0) == MAP_FAILED)
        perror("mmap fixed");
    write_b(k, c);
}

int main(void)
{
    region = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    emit_a(region, page_b());
    emit_b(page_b(), 2, 0);
    mprotect(region, 2 * PAGE, PROT_READ | PROT_EXEC);
    run("first:");
    run("again (chained):");
    write_b(3, 1);
    run("mprotect RW, write, RX:");
    run("again:");
    map_b_again(4, -2);
    run("munmap, map again:");
    write_b(5, 7);
    run("rewritten once more:");
    return 0;
}
