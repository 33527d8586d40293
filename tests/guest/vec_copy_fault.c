/* vec_copy_fault.c -- register-to-register vector moves (movdqa, movaps,
 * vmovdqa) followed by ops that overwrite the copy, with a fault before,
 * inside or after them: the translator forwards a copy into the op that
 * overwrites it and drops the copy when nothing can see it in between
 * (translator/ir_vcopy.c), so the signal frame must still show the copy
 * done wherever a fault can see it -- a faulting memory operand of the op
 * itself, a faulting load between the two, a SIGFPE of a float op in an
 * unmasked MXCSR mode -- and the op's result when the fault comes after.
 * Also the forms the rewrite must get right: d = op(a, d) (vpandn), a
 * denormal operand (a float op's slow path with a apart from d), copies of
 * copies, a source overwritten before the op.  Output: the frame's xmm0-3
 * in hex and MXCSR. */
//@cflags: -mavx2
#include <stdint.h>

#include "signal_cases.h"

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
    printf("  sig %d\n", sig);
    signal_cases_print_xmm(ucv, 4);
    siglongjmp(back, 1);
}

static const double seed[2] = { 1.5, -2.25 }, other[2] = { 3.0, 0.5 };
static const uint32_t ints[4] = { 0x01020304, 0x11121314, 0x21222324, 0x31323334 };
static const uint32_t ints3[4] = { 0x8899aabb, 0x44556677, 0xf0e0d0c0, 0x0a0b0c0d };
static const uint32_t mxcsr_default = 0x1f80, mxcsr_zm_unmasked = 0x1d80;

/* xmm0 = seed, xmm1 = other, xmm2 = ints, xmm3 = ints3, rax = 0; the ops;
 * a load from NULL (the case's end, when nothing faulted before). */
#define CASE(name, csr, ops)                                                  \
    static void name(void)                                                    \
    {                                                                         \
        printf("%s\n", #name);                                                \
        if (sigsetjmp(back, 1))                                               \
            return;                                                           \
        __asm__ volatile("ldmxcsr %5\n\t"                                     \
                         "movupd %0, %%xmm0\n\t"                              \
                         "movupd %1, %%xmm1\n\t"                              \
                         "movdqu %2, %%xmm2\n\t"                              \
                         "movdqu %3, %%xmm3\n\t"                              \
                         "xor %%eax, %%eax\n\t"                               \
                         ops "\n\t"                                           \
                         "mov (%%rax), %%rax\n\t"                             \
                         : : "m"(seed), "m"(other), "m"(ints), "m"(ints3),    \
                           "m"(mxcsr_default), "m"(csr)                       \
                         : "rax", "rcx", "xmm0", "xmm1", "xmm2", "xmm3", "memory"); \
    }

/* the copy dropped, the fault after */
CASE(copy_add, mxcsr_default, "movdqa %%xmm2, %%xmm0\n\tpaddd %%xmm3, %%xmm0")
CASE(copy_self, mxcsr_default, "movdqa %%xmm2, %%xmm0\n\tpsubd %%xmm0, %%xmm0\n\tpaddd %%xmm3, %%xmm0")
CASE(copy_palignr, mxcsr_default, "movdqa %%xmm3, %%xmm0\n\tpalignr $4, %%xmm2, %%xmm0\n\t"
                                  "paddd %%xmm0, %%xmm1")
CASE(copy_shift, mxcsr_default, "movdqa %%xmm3, %%xmm0\n\tpsrldq $3, %%xmm0")
CASE(copy_pshufd, mxcsr_default, "movdqa %%xmm3, %%xmm0\n\tpshufd $0x1b, %%xmm0, %%xmm0")
CASE(copy_of_copy, mxcsr_default, "movdqa %%xmm2, %%xmm0\n\tmovdqa %%xmm0, %%xmm1\n\t"
                                  "pxor %%xmm3, %%xmm0\n\tpsubq %%xmm3, %%xmm1")
CASE(copy_mulpd, mxcsr_default, "movapd %%xmm1, %%xmm0\n\tmulpd %%xmm0, %%xmm0\n\tsubpd %%xmm1, %%xmm0")
CASE(copy_denormal, mxcsr_default, "mov $1, %%ecx\n\tmovq %%rcx, %%xmm3\n\t"
                                   "movapd %%xmm1, %%xmm0\n\taddpd %%xmm3, %%xmm0")
CASE(copy_scalar, mxcsr_default, "movapd %%xmm1, %%xmm0\n\taddsd %%xmm2, %%xmm0")
CASE(copy_src_changed, mxcsr_default, "movdqa %%xmm2, %%xmm0\n\tpaddd %%xmm3, %%xmm2\n\t"
                                      "paddd %%xmm3, %%xmm0")
CASE(copy_read_between, mxcsr_default, "movdqa %%xmm2, %%xmm0\n\tmovd %%xmm0, %%ecx\n\t"
                                       "paddd %%xmm3, %%xmm0")
/* the fault between the copy and the op, or in the op's memory operand */
CASE(copy_fault_between, mxcsr_default, "movdqa %%xmm2, %%xmm0\n\tmov (%%rax), %%rcx\n\t"
                                        "paddd %%xmm3, %%xmm0")
CASE(copy_fault_operand, mxcsr_default, "movdqa %%xmm2, %%xmm0\n\tpaddd (%%rax), %%xmm0")
CASE(copy_fault_load, mxcsr_default, "movdqa %%xmm2, %%xmm0\n\tmovdqu (%%rax), %%xmm0")
CASE(copy_fault_vex, mxcsr_default, "vmovdqa %%xmm2, %%xmm0\n\tvpaddd (%%rax), %%xmm0, %%xmm0")
/* SIGFPE: divide by zero unmasked, the copy done, the quotient not */
CASE(copy_divzero, mxcsr_zm_unmasked, "xorpd %%xmm3, %%xmm3\n\tmovapd %%xmm1, %%xmm0\n\t"
                                      "divpd %%xmm3, %%xmm0")
/* AVX: d = op(a, d) that does not commute; ymm copies */
CASE(vpandn_d_is_b, mxcsr_default, "vpandn %%xmm0, %%xmm2, %%xmm0\n\tvpsubb %%xmm0, %%xmm3, %%xmm0")
CASE(vpandn_ymm, mxcsr_default, "vpcmpeqb %%ymm2, %%ymm3, %%ymm1\n\tvpandn %%ymm1, %%ymm2, %%ymm1\n\t"
                                "vmovdqa %%ymm1, %%ymm0\n\tvpsubd %%ymm3, %%ymm0, %%ymm0\n\t"
                                "vextracti128 $1, %%ymm0, %%xmm2\n\tvzeroupper")
CASE(vmovdqa_ymm_op, mxcsr_default, "vinserti128 $1, %%xmm3, %%ymm2, %%ymm2\n\t"
                                    "vmovdqa %%ymm2, %%ymm1\n\tvpshufb %%ymm3, %%ymm1, %%ymm1\n\t"
                                    "vextracti128 $1, %%ymm1, %%xmm0\n\tvzeroupper")

int main(void)
{
    signal_cases_catch(on_signal, (const int[]){ SIGSEGV, SIGFPE }, 2);
    copy_add();
    copy_self();
    copy_palignr();
    copy_shift();
    copy_pshufd();
    copy_of_copy();
    copy_mulpd();
    copy_denormal();
    copy_scalar();
    copy_src_changed();
    copy_read_between();
    copy_fault_between();
    copy_fault_operand();
    copy_fault_load();
    copy_fault_vex();
    copy_divzero();
    vpandn_d_is_b();
    vpandn_ymm();
    vmovdqa_ymm_op();
    return 0;
}
