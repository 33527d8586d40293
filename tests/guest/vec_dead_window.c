/* vec_dead_window.c -- blocks of several SSE writes where a vector
 * result's env store is dropped because a later op overwrites the whole
 * register before anything could see env (backends/x86_64/x64_vec.c
 * `pend`; a64_vec.c `dead` for the adjacent case), and blocks where
 * something in between does see env, so the first store must stay: a
 * guest load or store that faults (the signal frame), a conditional exit
 * taken to a block that faults, a helper (pcmpistri, a float op's slow
 * path under a non-default MXCSR) that reads the register from env, an
 * integer read of the register, a read from env after the register left
 * the host's cache.  And stores dropped across guest accesses: the fault
 * map names the host register that holds the register's value (x86-64
 * host), at a fault between the write and the overwrite and at one after
 * the drop (rdx = &mem).  With the address in registers loaded from
 * memory (r8 = &mem, r9 = a PROT_NONE page, r10 = 16: nothing for the
 * translator to fold), a vld right behind the write, faulting, and the
 * matmul shape (two loads, a mulpd whose input is the first and an addpd
 * finishing it: the AArch64 host defers the first load's store behind the
 * second, a64_vec.c defer_across_load, and stores it only on the fused
 * pair's slow path).  Output: the frame's xmm0-xmm3, MXCSR and rip (from the case's
 * function) at the fault, which ends each case (a load from NULL). */
//@cflags: -msse4.2 -maes
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include "signal_cases.h"

static uintptr_t case_fn;           /* the running case's function */

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig;
    (void)si;
    signal_cases_print_xmm(uc, 4);
    printf("  rip fn+%#lx\n", (unsigned long)(uc->uc_mcontext.gregs[REG_RIP] - case_fn));
    siglongjmp(back, 1);
}

static const uint32_t v0[4] = { 0x3ff80000, 0x01020304, 0xc0020000, 0x7f7f0001 };
static const uint32_t v1[4] = { 0x40080000, 0x11121314, 0x3fe00000, 0x00ff00ff };
static const uint32_t v2[4] = { 0x01020304, 0x11121314, 0x21222324, 0x31323334 };
static const uint32_t v3[4] = { 0x41424344, 0x51525354, 0x61626364, 0x71727374 };
static const uint32_t mem[8] = { 0xa1a2a3a4, 0xb1b2b3b4, 0xc1c2c3c4, 0xd1d2d3d4,
                                 0xe1e2e3e4, 0xf1f2f3f4, 0x81828384, 0x91929394 };
static const uint32_t mxcsr_default = 0x1f80, mxcsr_rz = 0x7f80;

static uintptr_t ptrs[4];           /* &mem, a PROT_NONE page, 16, &den (main) */
static const uint32_t den[4] = { 1, 0, 0, 0x3ff80000 };    /* a denormal, 1.5 */

/* xmm0-3 = v0-v3, MXCSR = mode, rax = 0, the setup (of the registers
 * below); the ops; a load from NULL (the ops may fault first). */
#define CASE_SETUP(name, mode, setup, ops)                                    \
    static void name(void)                                                    \
    {                                                                         \
        printf("%s\n", #name);                                                \
        case_fn = (uintptr_t)name;                                            \
        if (sigsetjmp(back, 1))                                               \
            return;                                                           \
        __asm__ volatile("ldmxcsr %4\n\t"                                     \
                         "movdqu %0, %%xmm0\n\t"                              \
                         "movdqu %1, %%xmm1\n\t"                              \
                         "movdqu %2, %%xmm2\n\t"                              \
                         "movdqu %3, %%xmm3\n\t"                              \
                         "xor %%eax, %%eax\n\t"                               \
                         setup                                                \
                         ops "\n\t"                                           \
                         "mov (%%rax), %%rax\n\t"                             \
                         : : "m"(v0), "m"(v1), "m"(v2), "m"(v3), "m"(mode), "m"(mem), \
                           "m"(ptrs)                                          \
                         : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11",     \
                           "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", \
                           "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", \
                           "xmm13", "memory");                                \
        __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr_default));               \
    }
/* rcx = 5, rdx = mem */
#define CASE_MODE(name, mode, ops)                                            \
    CASE_SETUP(name, mode, "mov $5, %%ecx\n\tlea %5, %%rdx\n\t", ops)
#define CASE(name, ops) CASE_MODE(name, mxcsr_default, ops)
/* r8-r11 = ptrs[0..3] */
#define CASE_P(name, ops)                                                     \
    CASE_SETUP(name, mxcsr_default,                                           \
               "mov %6, %%r8\n\tmov 8+%6, %%r9\n\tmov 16+%6, %%r10\n\tmov 24+%6, %%r11\n\t", ops)
#define TOUCH(k) "paddd %%xmm1, %%xmm" #k "\n\t"

/* Dropped: each first write of xmm0/xmm1 is overwritten, reads between
 * come from the host register. */
CASE(several_writes, "paddd %%xmm2, %%xmm0\n\tpaddd %%xmm2, %%xmm1\n\tpaddd %%xmm0, %%xmm3\n\t"
                     "pxor %%xmm1, %%xmm0\n\tpshufd $0x4e, %%xmm3, %%xmm1\n\tpaddd %%xmm0, %%xmm3")
CASE(int_ops_between, "paddd %%xmm2, %%xmm0\n\tadd $3, %%ecx\n\tpaddd %%xmm0, %%xmm1\n\t"
                      "imul %%ecx, %%ecx\n\tpsubd %%xmm1, %%xmm0\n\tpunpcklbw %%xmm2, %%xmm1")
CASE(float_between, "paddd %%xmm2, %%xmm0\n\tmulpd %%xmm1, %%xmm3\n\taddpd %%xmm0, %%xmm3\n\t"
                    "pxor %%xmm3, %%xmm0\n\tsubpd %%xmm0, %%xmm1")
CASE(aes_between, "paddd %%xmm2, %%xmm0\n\taesenc %%xmm0, %%xmm3\n\tpxor %%xmm3, %%xmm0\n\t"
                  "aesenclast %%xmm1, %%xmm3")
/* Dropped or deferred across a faulting vld whose address is in registers. */
CASE_P(regaddr_vld_fault, "paddd %%xmm2, %%xmm0\n\tmovdqu (%%r9), %%xmm1\n\tpxor %%xmm2, %%xmm0")
CASE_P(regidx_vld_fault, "paddd %%xmm2, %%xmm0\n\tmovdqu (%%r9,%%r10), %%xmm1\n\t"
                         "pxor %%xmm2, %%xmm0")
/* matmul's shape: the second load faults; the pair's fast path (xmm2's
 * lanes normal); its slow path (a denormal in xmm0's low lane). */
CASE_P(mul_add_fault, "movdqu (%%r8), %%xmm0\n\tmovdqu (%%r9,%%r10), %%xmm3\n\t"
                      "mulpd %%xmm2, %%xmm0\n\taddpd %%xmm3, %%xmm0")
CASE_P(mul_add_fast, "movdqu (%%r8), %%xmm0\n\tmovdqu (%%r8,%%r10), %%xmm3\n\t"
                     "mulpd %%xmm2, %%xmm0\n\taddpd %%xmm3, %%xmm0")
CASE_P(mul_add_slow, "movdqu (%%r11), %%xmm0\n\tmovdqu (%%r8,%%r10), %%xmm3\n\t"
                     "mulpd %%xmm2, %%xmm0\n\taddpd %%xmm3, %%xmm0")
/* Kept: a fault between the write and the overwrite. */
CASE(fault_ld_between, "paddd %%xmm2, %%xmm0\n\tpaddd %%xmm0, %%xmm1\n\tmov (%%rax), %%rcx\n\t"
                       "pxor %%xmm2, %%xmm0\n\tpxor %%xmm2, %%xmm1")
CASE(fault_st_between, "paddd %%xmm2, %%xmm0\n\tadd $1, %%ecx\n\tmov %%rcx, (%%rax)\n\t"
                       "pxor %%xmm2, %%xmm0")
CASE(fault_vld_between, "paddd %%xmm2, %%xmm0\n\tpshufd $0x1b, %%xmm0, %%xmm1\n\t"
                        "movdqu (%%rax), %%xmm3\n\tpxor %%xmm2, %%xmm0\n\tpxor %%xmm2, %%xmm1")
CASE(fault_vst_between, "paddd %%xmm2, %%xmm0\n\tmovdqu %%xmm1, (%%rax)\n\tpxor %%xmm2, %%xmm0")
CASE(fault_memop_between, "paddd %%xmm2, %%xmm0\n\tpaddd (%%rax), %%xmm1\n\tpxor %%xmm2, %%xmm0")
/* Dropped across a guest access that does not fault, then a fault: the
 * fault map's points after the dropped store moved with the code. */
CASE(fault_after_drop, "paddd %%xmm2, %%xmm0\n\tmov (%%rdx), %%rcx\n\tpxor %%xmm2, %%xmm0\n\t"
                       "paddd %%xmm0, %%xmm1\n\tmov 8(%%rdx), %%rcx\n\tpsubd %%xmm2, %%xmm1")
/* Several stores dropped at once across a faulting access; the loaded
 * register's own store too (rdx = &v0). */
CASE(fault_several_pending, "movdqu 16(%%rdx), %%xmm0\n\tpaddd %%xmm2, %%xmm1\n\tpaddd %%xmm0, %%xmm3\n\t"
                            "mov (%%rax), %%rcx\n\tpxor %%xmm2, %%xmm0\n\tpxor %%xmm2, %%xmm1\n\t"
                            "pxor %%xmm2, %%xmm3")
CASE(fault_vld_after_vld, "movdqu 16(%%rdx), %%xmm0\n\tmovdqu (%%rax), %%xmm1\n\tpaddd %%xmm2, %%xmm0")
/* The register left the cache before the faulting access: kept. */
CASE(fault_evicted, "paddd %%xmm2, %%xmm0\n\t" TOUCH(4) TOUCH(5) TOUCH(6) TOUCH(7) TOUCH(8)
                    TOUCH(9) TOUCH(10) TOUCH(11) TOUCH(12) TOUCH(13)
                    "mov (%%rax), %%rcx\n\tpxor %%xmm2, %%xmm0")
/* Kept: a taken conditional exit between (the next block faults). */
CASE(exit_between, "paddd %%xmm2, %%xmm0\n\tpaddd %%xmm0, %%xmm1\n\ttest %%eax, %%eax\n\t"
                   "jz 1f\n\tpxor %%xmm2, %%xmm0\n\tpxor %%xmm2, %%xmm1\n1:")
/* Kept: a helper reads the register from env between. */
CASE(helper_between, "paddd %%xmm2, %%xmm0\n\tpcmpistri $0x0c, %%xmm0, %%xmm1\n\t"
                     "movd %%ecx, %%xmm3\n\tpxor %%xmm2, %%xmm0")
CASE_MODE(slow_between, mxcsr_rz, "paddd %%xmm2, %%xmm0\n\taddpd %%xmm0, %%xmm3\n\t"
                                  "pxor %%xmm2, %%xmm0")
CASE(int_read_between, "paddd %%xmm2, %%xmm0\n\tpextrd $2, %%xmm0, %%ecx\n\tmovd %%ecx, %%xmm3\n\t"
                       "movq %%xmm0, %%rdx\n\tpinsrq $1, %%rdx, %%xmm3\n\tpxor %%xmm2, %%xmm0")
/* Kept: the register left the host's cache (eight others loaded since),
 * so the op reading it between loads it from env. */
CASE(evicted_between, "paddd %%xmm2, %%xmm0\n\t" TOUCH(4) TOUCH(5) TOUCH(6) TOUCH(7) TOUCH(8)
                      TOUCH(9) TOUCH(10) TOUCH(11) TOUCH(12) TOUCH(13)
                      "paddd %%xmm0, %%xmm3\n\tpxor %%xmm2, %%xmm0")
CASE(partial_between, "paddd %%xmm2, %%xmm0\n\tmovss %%xmm1, %%xmm0\n\tpshufd $0x1b, %%xmm0, %%xmm3\n\t"
                      "movsd %%xmm2, %%xmm0\n\tpaddd %%xmm0, %%xmm1\n\tpxor %%xmm2, %%xmm0")

int main(void)
{
    static const int sigs[] = { SIGSEGV };
    signal_cases_catch(on_segv, sigs, 1);
    void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (none == MAP_FAILED)
        return 1;
    ptrs[0] = (uintptr_t)mem;
    ptrs[1] = (uintptr_t)none;
    ptrs[2] = 16;
    ptrs[3] = (uintptr_t)den;
    several_writes();
    int_ops_between();
    float_between();
    aes_between();
    fault_ld_between();
    fault_st_between();
    fault_vld_between();
    fault_vst_between();
    fault_memop_between();
    fault_after_drop();
    fault_several_pending();
    fault_vld_after_vld();
    fault_evicted();
    exit_between();
    helper_between();
    slow_between();
    int_read_between();
    evicted_between();
    partial_between();
    regaddr_vld_fault();
    regidx_vld_fault();
    mul_add_fault();
    mul_add_fast();
    mul_add_slow();
    return 0;
}
