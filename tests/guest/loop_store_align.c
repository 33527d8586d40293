/* loop_store_align.c -- self-loops whose 16-byte store (movdqu, which
 * may be unaligned) runs up to an unmapped page, with the address in the
 * loop's own registers, [rdi + rax] or [rdi]: started 16-aligned and
 * stepped by 16 (faulting on the second page's first byte, no pass
 * crosses), started 8 bytes off (a pass crosses the edge), started
 * aligned but stepped by 8, by 24 (rax and rdi both step), by 16 with rdi
 * toggled by a xor each pass, or with rdi reloaded from memory.  x86
 * writes nothing of a store that crosses into a page it cannot write; the
 * AArch64 host's `str q` may write the part below, so every crossing store
 * must be probed first.  The AArch64 backend drops that test in a loop
 * whose store address steps by multiples of 16 from a 16-aligned start
 * (a64_vec.c aligned_loop_store, a64_hoist.c a64_hoist_align): each case
 * here where a pass crosses must still go to the probes.  The frame's
 * xmm0-xmm3, rax, rdi, rip and the 8 bytes below the edge, compared to
 * native. */
//@cflags: -msse4.2
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "signal_cases.h"

static uint32_t src[160] __attribute__((aligned(16)));
static unsigned char warm[2048] __attribute__((aligned(16)));
static uintptr_t case_fn;
static sigjmp_buf back;
static unsigned char *below;

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig;
    (void)si;
    signal_cases_print_xmm(uc, 4);
    printf("  rax %#llx rdi-edge %lld rip fn+%#lx\n",
           (unsigned long long)uc->uc_mcontext.gregs[REG_RAX],
           (long long)((uintptr_t)uc->uc_mcontext.gregs[REG_RDI] - (uintptr_t)(below + 8)),
           (unsigned long)(uc->uc_mcontext.gregs[REG_RIP] - case_fn));
    siglongjmp(back, 1);
}

#define CLOBBERS "rax", "rcx", "xmm0", "xmm1", "xmm2", "xmm3", "memory", "cc"
/* xmm1 = 1 in each lane, xmm3 the pass count, xmm0 loaded from src each
 * pass plus xmm3 (what a pass stores differs from the pass before's even
 * where both read the same bytes of src) */
#define SETUP "pxor %%xmm0, %%xmm0\n\tpxor %%xmm2, %%xmm2\n\tpxor %%xmm3, %%xmm3\n\t" \
              "pcmpeqd %%xmm1, %%xmm1\n\tpsrld $31, %%xmm1\n\txor %%eax, %%eax\n"
#define LOAD_ADD "movdqu (%%rsi,%%rax), %%xmm0\n\tpaddd %%xmm1, %%xmm3\n\tpaddd %%xmm3, %%xmm0\n\t"
#define TAIL "cmp $512, %%rax\n\tjb 1b\n\t"
#define STORE_AT_RAX "movdqu %%xmm0, (%%rdi,%%rax)\n\t"
/* One case's loop from d: its store, then how its addresses step. */
#define LOOP(STORE, STEPS)                                                     \
    __asm__ volatile(SETUP "1:\n\t" LOAD_ADD STORE STEPS TAIL                  \
                     : "+D"(d) : "S"(src) : CLOBBERS)

enum kind { STEP16, STEP8, STEP24, XOR_BASE, LOAD_BASE, BASE_ONLY };

static unsigned char *volatile base_cell;

/* The loop from start; its back edge is chained after a first run. */
__attribute__((noinline)) static void run(unsigned char *start, enum kind k)
{
    unsigned char *d = start;
    base_cell = start;
    switch (k) {
    case STEP16: LOOP(STORE_AT_RAX, "add $16, %%rax\n\t"); break;
    case STEP8: LOOP(STORE_AT_RAX, "add $8, %%rax\n\t"); break;
    /* rax and rdi by 12 each: not a multiple of 16 */
    case STEP24: LOOP(STORE_AT_RAX, "add $12, %%rax\n\tadd $12, %%rdi\n\t"); break;
    case XOR_BASE: LOOP(STORE_AT_RAX, "xor $8, %%rdi\n\tadd $16, %%rax\n\t"); break;
    case LOAD_BASE:     /* rdi from memory each pass, the cell 8 more each pass */
        __asm__ volatile(SETUP "1:\n\t" LOAD_ADD "movdqu %%xmm0, (%%rdi,%%rax)\n\t"
                         "mov (%%rcx), %%rdi\n\taddq $8, (%%rcx)\n\tadd $16, %%rax\n\t" TAIL
                         : "+D"(d) : "S"(src), "c"(&base_cell) : "rax", "xmm0", "xmm1",
                           "xmm2", "xmm3", "memory", "cc");
        break;
    case BASE_ONLY: LOOP("movdqu %%xmm0, (%%rdi)\n\t", "add $16, %%rdi\n\tadd $16, %%rax\n\t"); break;
    }
}

/* Once through warm (no fault: the loop's back edge chained to its own
 * loop entry, so that the second run's passes after its first do not go
 * through the preamble again), then from start. */
static void loop(const char *name, unsigned char *start, enum kind k)
{
    printf("%s\n", name);
    run(warm, k);
    memset(below, 0xa5, 8);
    case_fn = (uintptr_t)run;
    if (sigsetjmp(back, 1) == 0) {
        run(start, k);
        printf("  no fault\n");
    }
    printf("  below the edge:");
    for (int j = 0; j < 8; j++)
        printf(" %02x", below[j]);
    printf("\n");
}

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (two == MAP_FAILED)
        return 1;
    munmap(two + page, page);
    unsigned char *edge = two + page;
    below = edge - 8;
    for (int k = 0; k < 160; k++)
        src[k] = 0x10001u * (unsigned)k + 0x40302010u;
    static const int segv[] = { SIGSEGV };
    signal_cases_catch(on_segv, segv, 1);
    /* The loop's own block may start at its label or take in the
     * instructions before it (then its preamble sees the second pass's
     * address): the cases that must still cross come in pairs, one with
     * the first pass's address 16-aligned, one with the second's. */
    /* by 16, 16-aligned: the sixth pass's store at the edge itself */
    loop("step16_aligned", edge - 80, STEP16);
    /* by 16, 8 bytes off: the sixth pass crosses */
    loop("step16_off8", edge - 88, STEP16);
    /* by 8: the eighth pass crosses; the ninth */
    loop("step8_first_aligned", edge - 64, STEP8);
    loop("step8_second_aligned", edge - 72, STEP8);
    /* by 24: the second pass crosses; the third */
    loop("step24_first_aligned", edge - 32, STEP24);
    loop("step24_second_aligned", edge - 56, STEP24);
    /* by 16, rdi ^= 8 after each store: the sixth pass crosses; the seventh */
    loop("xor_base_first_aligned", edge - 96, XOR_BASE);
    loop("xor_base_second_aligned", edge - 104, XOR_BASE);
    /* rdi reloaded, 8 more each pass: the first two passes 16-aligned,
     * the third crosses */
    loop("load_base", edge - 48, LOAD_BASE);
    /* [rdi] by 16: 16-aligned, then 8 off */
    loop("base_only_aligned", edge - 80, BASE_ONLY);
    loop("base_only_off8", edge - 88, BASE_ONLY);
    return 0;
}
