/* vec_indexed_fault.c -- SSE loads and stores at [base + index] that
 * fault, right behind other guest accesses in the same block: the AArch64
 * backend folds the address add into the access (`ldr q0, [xn, xm]`,
 * a64_mem.c a64_fold_address_add) and moves the access's fault point back
 * with it; a fault must still report the faulting instruction's rip, the
 * address, the error code's write bit and the registers as they were.
 * Output: per case, rip relative to the instruction, the fault address
 * relative to the base, the write bit, rcx, rdx and xmm0's low word. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf back;
static uintptr_t expect_rip, base;
static long idx;                    /* the index, from memory: no constant to fold */

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    (void)sig;
    printf("  rip%+ld addr%+ld write %ld rcx %lx rdx %lx xmm0 %08x\n",
           (long)((uintptr_t)g[REG_RIP] - expect_rip), (long)((uintptr_t)si->si_addr - base),
           (long)(g[REG_ERR] >> 1 & 1), (unsigned long)g[REG_RCX], (unsigned long)g[REG_RDX],
           uc->uc_mcontext.fpregs->_xmm[0].element[0]);
    siglongjmp(back, 1);
}

static uint64_t cell = 0x1234;
static const uint32_t init[4] = { 0x11, 0x22, 0x33, 0x44 };

/* rbx = base (an unmapped page), rax = index; before the op: a guest load
 * into rcx, a store, an increment (state the fault must show); `ops`
 * contains label 1: at the faulting instruction. */
#define CASE(name, index, ops)                                                \
    static void name(void)                                                    \
    {                                                                         \
        printf("%s\n", #name);                                                \
        if (sigsetjmp(back, 1))                                               \
            return;                                                           \
        idx = (index);                                                        \
        __asm__ volatile("mov %4, %%rax\n\t"                                  \
                         "movdqu %3, %%xmm0\n\t"                              \
                         "lea 1f(%%rip), %%rcx\n\t"                           \
                         "mov %%rcx, %0\n\t"                                  \
                         "mov %1, %%rcx\n\t"                                  \
                         "mov %%rcx, %1\n\t"                                  \
                         "lea 5(%%rcx), %%rdx\n\t"                            \
                         ops "\n\t"                                           \
                         : "=m"(expect_rip), "+m"(cell)                       \
                         : "b"(base), "m"(init), "m"(idx)                     \
                         : "rax", "rcx", "rdx", "xmm0", "xmm1", "memory");    \
    }

CASE(load_u, 16, "1: movdqu (%%rbx,%%rax), %%xmm0")
CASE(load_ups, 32, "1: movups (%%rbx,%%rax), %%xmm0")
CASE(load_then, 48, "1: movupd (%%rbx,%%rax), %%xmm0\n\tmov $9, %%ecx")
CASE(load_op, 64, "1: addps (%%rbx,%%rax), %%xmm0")
CASE(load_sd, 8, "1: movsd (%%rbx,%%rax), %%xmm0")
CASE(store_u, 80, "1: movdqu %%xmm0, (%%rbx,%%rax)")
CASE(store_ups, 96, "1: movups %%xmm0, (%%rbx,%%rax)")
CASE(two_loads, 112, "movdqu (%%rsp,%%rax), %%xmm1\n\t1: movdqu (%%rbx,%%rax), %%xmm0")
CASE(load_neg, -16, "1: movdqu (%%rbx,%%rax), %%xmm0")

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    void *p = mmap(NULL, 3 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    base = (uintptr_t)p + 4096;
    load_u();
    load_ups();
    load_then();
    load_op();
    load_sd();
    store_u();
    store_ups();
    two_loads();
    load_neg();
    return 0;
}
