/* dead_vstore.c -- straight-line SSE sequences of two or three ops writing
 * the same register, then a faulting load in the same block: the x86-64
 * backend drops a vector result's env store when the next op overwrites
 * the whole slot with nothing that can observe env in between
 * (backends/x86_64/x64_vec.c `dead`), and so does the AArch64 backend
 * (a64_vec.c `dead`), whose second op may take its slow path (a denormal
 * or NaN operand), which must store the first op's result before its
 * helper reads it from env.  The signal frame's xmm0-xmm2 must be
 * exact at the fault, also when the second op writes only part of the
 * register (scalar float ops, movss, movq, cvtsi2sd), only reads it
 * (comisd) or is a guest load.  Output: the frame's registers in hex and
 * MXCSR (each case starts with its flags clear). */
#include <stdint.h>

#include "signal_cases.h"

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    signal_cases_print_xmm(ucv, 3);
    siglongjmp(back, 1);
}

static const double seed[2] = { 1.5, -2.25 }, other[2] = { 3.0, 0.5 };
static const uint32_t ints[4] = { 0x01020304, 0x11121314, 0x21222324, 0x31323334 };
static const uint32_t mxcsr_default = 0x1f80;

/* xmm0 = seed, xmm1 = other, xmm2 = ints; the ops; a load from NULL. */
#define CASE(name, ops)                                                       \
    static void name(void)                                                    \
    {                                                                         \
        printf("%s\n", #name);                                                \
        if (sigsetjmp(back, 1))                                               \
            return;                                                           \
        __asm__ volatile("ldmxcsr %3\n\t"                                     \
                         "movupd %0, %%xmm0\n\t"                              \
                         "movupd %1, %%xmm1\n\t"                              \
                         "movdqu %2, %%xmm2\n\t"                              \
                         "xor %%eax, %%eax\n\t"                               \
                         ops "\n\t"                                           \
                         "mov (%%rax), %%rax\n\t"                             \
                         : : "m"(seed), "m"(other), "m"(ints), "m"(mxcsr_default) \
                         : "rax", "rcx", "xmm0", "xmm1", "xmm2", "memory");   \
    }

CASE(mul_add, "mulpd %%xmm1, %%xmm0\n\taddpd %%xmm1, %%xmm0")
CASE(three_int, "paddd %%xmm2, %%xmm0\n\tpshufd $0x1b, %%xmm0, %%xmm0\n\tpxor %%xmm2, %%xmm0")
CASE(then_addsd, "mulpd %%xmm1, %%xmm0\n\taddsd %%xmm1, %%xmm0")
CASE(then_movss, "paddd %%xmm2, %%xmm0\n\tmovss %%xmm2, %%xmm0")
CASE(then_movq, "paddd %%xmm2, %%xmm0\n\tmovq %%xmm0, %%xmm0")
CASE(then_cvtsi2sd, "paddd %%xmm2, %%xmm0\n\tmov $7, %%ecx\n\tcvtsi2sd %%ecx, %%xmm0")
CASE(then_comisd, "mulpd %%xmm1, %%xmm0\n\tcomisd %%xmm1, %%xmm0")
CASE(then_pextr, "paddd %%xmm2, %%xmm0\n\tmovd %%xmm0, %%ecx\n\tpaddd %%xmm0, %%xmm0")
/* xmm2 = the smallest denormal (lane 0) or NaNs: the second op's slow
 * path, the first op's (mulpd's) store dropped. */
#define DENORMAL_XMM2 "mov $1, %%ecx\n\tmovq %%rcx, %%xmm2\n\t"
CASE(mul_add_denormal, DENORMAL_XMM2 "mulpd %%xmm1, %%xmm0\n\taddpd %%xmm2, %%xmm0")
CASE(mul_add_nan, "pcmpeqd %%xmm2, %%xmm2\n\tmulpd %%xmm1, %%xmm0\n\taddpd %%xmm2, %%xmm0")
CASE(mul_slow_mul, DENORMAL_XMM2 "mulpd %%xmm1, %%xmm0\n\taddpd %%xmm2, %%xmm0\n\t"
                   "mulpd %%xmm1, %%xmm0\n\tsubpd %%xmm1, %%xmm0")
CASE(slow_then_add, DENORMAL_XMM2 "mulpd %%xmm2, %%xmm0\n\taddpd %%xmm1, %%xmm0")
CASE(sub_max_cmp, "subpd %%xmm1, %%xmm0\n\tmaxpd %%xmm1, %%xmm0\n\tcmpltpd %%xmm1, %%xmm0")
CASE(ps_chain, "mulps %%xmm1, %%xmm0\n\tdivps %%xmm1, %%xmm0\n\tminps %%xmm2, %%xmm0\n\t"
               "paddd %%xmm2, %%xmm0")
/* Scalar chains: each op reads the lane the op before stored (the AArch64
 * backend forwards it in v2, a64_vec.c `lane`), also after a slow path. */
CASE(scalar_chain, "mulsd %%xmm1, %%xmm0\n\taddsd %%xmm1, %%xmm0\n\tdivsd %%xmm1, %%xmm0\n\t"
                   "sqrtsd %%xmm0, %%xmm0\n\tsubsd %%xmm0, %%xmm1")
CASE(scalar_slow_chain, DENORMAL_XMM2 "mulsd %%xmm2, %%xmm0\n\taddsd %%xmm1, %%xmm0\n\t"
                        "mulsd %%xmm0, %%xmm0\n\taddsd %%xmm2, %%xmm0\n\tmulsd %%xmm1, %%xmm0")
CASE(scalar_nan_chain, "xorpd %%xmm2, %%xmm2\n\tdivsd %%xmm2, %%xmm2\n\taddsd %%xmm1, %%xmm2\n\t"
                       "mulsd %%xmm2, %%xmm0\n\tdivss %%xmm1, %%xmm1\n\taddss %%xmm1, %%xmm1")
CASE(scalar_other, "mulsd %%xmm1, %%xmm0\n\taddsd %%xmm1, %%xmm2\n\taddsd %%xmm0, %%xmm1")
CASE(scalar_single, "mov $3, %%ecx\n\tcvtsi2sd %%ecx, %%xmm0\n\tmulsd %%xmm1, %%xmm0\n\t"
                    "cvtsd2ss %%xmm0, %%xmm0\n\taddss %%xmm0, %%xmm0\n\tmulsd %%xmm1, %%xmm0")
CASE(then_load, "paddd %%xmm2, %%xmm0\n\tmovdqu (%%rax), %%xmm0")
CASE(then_pinsr, "paddd %%xmm2, %%xmm0\n\tmov $9, %%ecx\n\tpinsrw $3, %%ecx, %%xmm0\n\tpaddd %%xmm2, %%xmm0")
CASE(other_reg, "paddd %%xmm2, %%xmm0\n\tpaddd %%xmm0, %%xmm1\n\tpaddd %%xmm1, %%xmm0")

int main(void)
{
    signal_cases_catch(on_segv, (const int[]){ SIGSEGV }, 1);
    mul_add();
    three_int();
    then_addsd();
    then_movss();
    then_movq();
    then_cvtsi2sd();
    then_comisd();
    then_pextr();
    mul_add_denormal();
    mul_add_nan();
    mul_slow_mul();
    slow_then_add();
    sub_max_cmp();
    ps_chain();
    scalar_chain();
    scalar_slow_chain();
    scalar_nan_chain();
    scalar_other();
    scalar_single();
    then_load();
    then_pinsr();
    other_reg();
    return 0;
}
