/* vcache.c -- straight-line SSE/AVX sequences where a vector register is
 * computed, then changed by something other than a full-width vector op
 * (a partial write: movss/movsd/movlps/movhps/movq/movd/pinsr*, a scalar
 * conversion; a C helper: pcmpistrm, fxrstor, xrstor; a vzeroupper; a
 * branch), then read again: the x86-64 backend's env-slot cache
 * (backends/x86_64/backends/vcache.c) must not hand back the value from before
 * the change.  Each sequence is one asm statement, so one guest block
 * where it has no branch.  Output: the registers in hex. */
//@cflags: -march=x86-64-v3 -mno-avx2
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint32_t v4 __attribute__((vector_size(16)));

static const v4 seed = { 0x3f800000, 0x40000000, 0x40400000, 0x40800000 };
static const v4 other = { 0x11111111, 0x22222222, 0x33333333, 0x44444444 };

static void show(const char *name, const void *p, int n)
{
    const uint32_t *w = p;
    printf("%-10s", name);
    for (int k = 0; k < n; k++)
        printf(" %08x", w[k]);
    printf("\n");
}

/* paddd makes xmm0 cached (an integer op: no slow path); the partial
 * write follows; paddd reads it. */
#define PARTIAL(name, insn, ...)                                              \
    static void name(void)                                                    \
    {                                                                         \
        v4 out[2];                                                            \
        __asm__ volatile("movups %2, %%xmm0\n\t"                              \
                         "movups %3, %%xmm1\n\t"                              \
                         "paddd %%xmm0, %%xmm0\n\t"                           \
                         "paddd %%xmm1, %%xmm1\n\t"                           \
                         insn "\n\t"                                          \
                         "paddd %%xmm0, %%xmm0\n\t"                           \
                         "movups %%xmm0, %0\n\t"                              \
                         "movups %%xmm1, %1\n\t"                              \
                         : "=m"(out[0]), "=m"(out[1])                         \
                         : "m"(seed), "m"(other), ##__VA_ARGS__               \
                         : "xmm0", "xmm1", "rax", "memory");                  \
        show(#name, out, 8);                                                  \
    }

static const uint64_t q = 0x0123456789abcdefull;
PARTIAL(movss_rr, "movss %%xmm1, %%xmm0")
PARTIAL(movsd_rr, "movsd %%xmm1, %%xmm0")
PARTIAL(movss_ld, "movss %4, %%xmm0", "m"(q))
PARTIAL(movlps_ld, "movlps %4, %%xmm0", "m"(q))
PARTIAL(movhps_ld, "movhps %4, %%xmm0", "m"(q))
PARTIAL(movq_gpr, "movq %4, %%xmm0", "r"(q))
PARTIAL(movd_gpr, "movd %k4, %%xmm0", "r"(q))
PARTIAL(pinsrd, "pinsrd $2, %k4, %%xmm0", "r"(q))
PARTIAL(pinsrw, "pinsrw $5, %k4, %%xmm0", "r"(q))
PARTIAL(pinsrb, "pinsrb $9, %k4, %%xmm0", "r"(q))
PARTIAL(pinsrq, "pinsrq $1, %4, %%xmm0", "r"(q))
PARTIAL(cvtsi2ss, "cvtsi2ss %k4, %%xmm0", "r"(q))
PARTIAL(cvtsi2sd, "cvtsi2sdq %4, %%xmm0", "r"(q))
PARTIAL(cvtsd2ss, "cvtsd2ss %%xmm1, %%xmm0")
PARTIAL(movq_rr, "movq %%xmm1, %%xmm0")
PARTIAL(insertps, "insertps $0x90, %%xmm1, %%xmm0")
PARTIAL(pcmpistrm, "pcmpistrm $0x40, %%xmm1, %%xmm1")    /* helper writes xmm0 */
PARTIAL(movmsk_br, "movmskps %%xmm1, %%eax\n\ttest %%eax, %%eax\n\tjnz 1f\n\t"
                   "movaps %%xmm1, %%xmm0\n1:\tmovss %%xmm1, %%xmm0")
PARTIAL(branch, "xor %%eax, %%eax\n\ttest %%eax, %%eax\n\tjnz 1f\n\t"
                "movaps %%xmm1, %%xmm0\n1:")

/* A float op's slow path (the C helper, when MXCSR is not in its default
 * state or an operand is denormal) may be taken before the fast path
 * loaded an operand into the cache register that is to hold it. */
static void slow_path(uint32_t mxcsr, const v4 *b)
{
    uint32_t old;
    v4 out[2];
    __asm__ volatile("stmxcsr %0\n\tldmxcsr %1" : "=m"(old) : "m"(mxcsr));
    __asm__ volatile("movups %2, %%xmm0\n\t"
                     "movups %3, %%xmm1\n\t"
                     "pinsrd $3, %k4, %%xmm0\n\t"
                     "addps %%xmm0, %%xmm1\n\t"
                     "paddd %%xmm0, %%xmm0\n\t"
                     "paddd %%xmm1, %%xmm1\n\t"
                     "movups %%xmm0, %0\n\t"
                     "movups %%xmm1, %1\n\t"
                     : "=m"(out[0]), "=m"(out[1])
                     : "m"(*b), "m"(seed), "r"(0x3f800000)
                     : "xmm0", "xmm1", "memory");
    __asm__ volatile("ldmxcsr %0" : : "m"(old));
    show("slow_path", out, 8);
}

/* fxrstor (a helper) rewrites xmm0 from memory written after xmm0 was cached. */
static void fxrstor_case(void)
{
    static uint8_t area[512] __attribute__((aligned(64)));
    v4 out;
    __asm__ volatile("movups %1, %%xmm0\n\t"
                     "paddd %%xmm0, %%xmm0\n\t"
                     "fxsave (%3)\n\t"
                     "movups %2, %%xmm1\n\t"
                     "movups %%xmm1, 160(%3)\n\t"    /* xmm0's image */
                     "fxrstor (%3)\n\t"
                     "paddd %%xmm0, %%xmm0\n\t"
                     "movups %%xmm0, %0\n\t"
                     : "=m"(out)
                     : "m"(seed), "m"(other), "r"(area)
                     : "xmm0", "xmm1", "memory");
    show("fxrstor", &out, 4);
}

/* vzeroupper and a VEX movss clear ymm0's high half after it was cached. */
static void vex_upper(void)
{
    uint32_t out[16];
    __asm__ volatile("vmovups %2, %%xmm0\n\t"
                     "vinsertf128 $1, %%xmm0, %%ymm0, %%ymm0\n\t"
                     "vorps %%ymm0, %%ymm0, %%ymm0\n\t"
                     "vzeroupper\n\t"
                     "vorps %%ymm0, %%ymm0, %%ymm1\n\t"
                     "vmovups %%ymm1, %0\n\t"
                     "vinsertf128 $1, %%xmm0, %%ymm0, %%ymm0\n\t"
                     "vorps %%ymm0, %%ymm0, %%ymm0\n\t"
                     "vmovss %%xmm1, %%xmm0, %%xmm0\n\t"
                     "vorps %%ymm0, %%ymm0, %%ymm0\n\t"
                     "vmovups %%ymm0, %1\n\t"
                     "vzeroupper\n\t"
                     : "=m"(*(uint32_t(*)[8])out), "=m"(*(uint32_t(*)[8])(out + 8))
                     : "m"(seed)
                     : "xmm0", "xmm1", "memory");
    show("vex_upper", out, 16);
}

int main(void)
{
    movss_rr(); movsd_rr(); movss_ld(); movlps_ld(); movhps_ld();
    movq_gpr(); movd_gpr(); pinsrd(); pinsrw(); pinsrb(); pinsrq();
    cvtsi2ss(); cvtsi2sd(); cvtsd2ss(); movq_rr(); insertps();
    pcmpistrm(); movmsk_br(); branch();
    static const v4 denormal = { 1, 0x00400000, 0x3f800000, 0x80000003 };
    slow_path(0x1f80 | 0x6000, &other);     /* round toward zero */
    slow_path(0x1f80, &denormal);
    fxrstor_case();
    if (__builtin_cpu_supports("avx"))
        vex_upper();
    return 0;
}
