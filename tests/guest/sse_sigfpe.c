/* sse_sigfpe.c -- unmasked SIMD floating-point exceptions (#XM): with an
 * exception unmasked in MXCSR, an SSE/AVX/FMA/F16C instruction that
 * raises it delivers SIGFPE at that instruction.  Each case sets MXCSR
 * (masks and sticky flags), loads YMM1/YMM2 (and rax, EFLAGS, a memory
 * word), runs one instruction and prints what the handler sees: si_code,
 * REG_TRAPNO, REG_ERR, si_addr and RIP against the instruction, MXCSR in
 * the frame, the destination (all 256 bits of YMM1 from the XSAVE area,
 * rax, EFLAGS, memory) -- unchanged on #XM -- or, without a fault, the
 * results.  Flags of the other exceptions show which of them the CPU
 * records when an unmasked one stops the instruction (pre- and
 * post-computation exceptions).  Also: feenableexcept and C division, a
 * handler that masks the exception in the frame and returns (the
 * instruction runs again, masked), a loop whose mode changes between
 * runs, and the state after a signal handler returns. */
#define _GNU_SOURCE
#include <fenv.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf back;
static volatile int resume_masked;
static volatile int faults;
static const char *volatile expect_at;
static volatile int sweeping;
static volatile uint32_t sweep_mxcsr;

/* The YMM upper half i in the frame's XSAVE area (Linux's layout). */
static const unsigned char *ymm_hi(const ucontext_t *uc, int i)
{
    return (const unsigned char *)uc->uc_mcontext.fpregs + 576 + 16 * i;
}

static void print_ymm1(const char *tag, const unsigned char *lo, const unsigned char *hi)
{
    uint32_t v[8];
    memcpy(v, lo, 16);
    memcpy(v + 4, hi, 16);
    printf("    %s", tag);
    for (int i = 7; i >= 0; i--)
        printf(" %08x", v[i]);
    printf("\n");
}

static void on_fpe(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    greg_t *g = uc->uc_mcontext.gregs;
    faults++;
    if (sweeping) {                     /* judged_sweep: only MXCSR */
        sweep_mxcsr = fp->mxcsr;
        siglongjmp(back, 1);
    }
    printf("  %s code %d trapno %lld err %lld addr==rip %d mxcsr %04x\n",
           sig == SIGFPE ? "SIGFPE" : "SIGSEGV", si->si_code, (long long)g[REG_TRAPNO],
           (long long)g[REG_ERR], si->si_addr == (void *)g[REG_RIP], fp->mxcsr);
    if (expect_at) {                    /* registers the case set */
        printf("    rip-at %lld\n", (long long)(g[REG_RIP] - (greg_t)expect_at));
        print_ymm1("ymm1", (const unsigned char *)&fp->_xmm[1], ymm_hi(uc, 1));
        printf("    rax %016llx eflags %03llx\n", (unsigned long long)g[REG_RAX],
               (unsigned long long)g[REG_EFL] & 0x8d5);
    }
    if (resume_masked) {
        fp->mxcsr |= 0x1f80;            /* mask all: the instruction runs again */
        return;
    }
    siglongjmp(back, 1);
}

static uint32_t y1[8], y2[8];
static volatile uint64_t memword;

#define F_ONE 0x3f800000u
#define F_MAX 0x7f7fffffu
#define F_MIN 0x00800000u
#define F_DEN 0x00000001u
#define F_QNAN 0x7fc00000u
#define F_SNAN 0x7f800001u
#define F_THIRD 0x3eaaaaabu
#define F_BIG 0x60ad78ecu               /* 1e20: no int32 */
#define F_TWO_M30 0x30800000u           /* 2^-30 */
#define F_MAX_1 0x7f7ffffeu             /* max + this: inexact even unbounded */
#define F_MIN_X 0x00c00001u             /* min * 1.5...: so is this * third */

static void fill(uint32_t *y, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t hi)
{
    y[0] = a; y[1] = b; y[2] = c; y[3] = d;
    for (int i = 4; i < 8; i++)
        y[i] = hi + (uint32_t)i;
}

static void after(const char *name, uint32_t mx_after)
{
    uint32_t out[8];
    uint64_t rax;
    __asm__ volatile("vmovdqu %%ymm1, %0\n\tmov %%rax, %1" : "=m"(out), "=r"(rax));
    (void)rax;
    printf("  no fault: mxcsr %04x\n", mx_after);
    print_ymm1("ymm1", (const unsigned char *)out, (const unsigned char *)(out + 4));
}

/* MXCSR := mx, ymm1 = y1, ymm2 = y2, rax = 0x1234, EFLAGS = 0x8d5 pattern,
 * then INSN at label NAME_at; MXCSR read back after it. */
#define CASE(NAME, MX, INSN)                                                   \
    do {                                                                      \
        extern char NAME##_at[];                                              \
        uint32_t mx = (MX), mx_after = 0;                                     \
        printf("%s: mxcsr %04x\n", #NAME, mx);                                \
        expect_at = NAME##_at;                                                \
        if (sigsetjmp(back, 1) == 0) {                                        \
            __asm__ volatile("vmovdqu %[a], %%ymm1\n\tvmovdqu %[b], %%ymm2\n\t" \
                             "mov $0x8d5, %%eax\n\tpush %%rax\n\tpopf\n\t"    \
                             "mov $0x1234, %%eax\n\tldmxcsr %[m]\n\t"         \
                             ".globl " #NAME "_at\n" #NAME "_at:\n\t" INSN "\n\t" \
                             "stmxcsr %[o]\n\t"                               \
                             : [o] "=m"(mx_after)                             \
                             : [a] "m"(y1), [b] "m"(y2), [m] "m"(mx),         \
                               [w] "m"(memword)                               \
                             : "rax", "xmm1", "xmm2", "xmm3", "memory", "cc"); \
            after(#NAME, mx_after);                                           \
        }                                                                     \
        printf("    memory %016llx\n", (unsigned long long)memword);          \
        __asm__ volatile("vzeroupper");                                       \
        uint32_t dflt = 0x1f80;                                               \
        __asm__ volatile("ldmxcsr %0" : : "m"(dflt));                         \
    } while (0)

/* MXCSR masks: all masked 0x1f80; unmask IE 0x80, DE 0x100, ZE 0x200,
 * OE 0x400, UE 0x800, PE 0x1000. */
#define UNMASK(bits) (0x1f80u & ~(uint32_t)(bits))

static double divide(double a, double b) { return a / b; }

static void c_division(void)
{
    volatile double zero = 0.0;
    printf("feenableexcept(FE_DIVBYZERO), 1.0 / 0.0 in C\n");
    expect_at = NULL;
    if (sigsetjmp(back, 1) == 0) {
        feenableexcept(FE_DIVBYZERO);
        volatile double r = divide(1.0, zero);
        printf("  no fault %g\n", r);
    }
    fedisableexcept(FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    printf("  after: fegetexcept %x\n", fegetexcept());
}

/* A loop translated while masked, run unmasked, then masked again. */
static __attribute__((noinline)) float loop_sum(const float *v, int n)
{
    float s = 0;
    for (int i = 0; i < n; i++) {
        float t;
        __asm__ volatile("movss %1, %0\n\tdivss %2, %0" : "=&x"(t) : "m"(v[i]), "m"(v[i + 1]));
        s += t;
    }
    return s;
}

static void mode_changes(void)
{
    static float v[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1 };
    printf("loop: masked, unmasked ZE without and with a zero divisor, masked again\n");
    expect_at = NULL;
    printf("  masked: %a\n", loop_sum(v, 11));
    uint32_t z = UNMASK(0x200);
    __asm__ volatile("ldmxcsr %0" : : "m"(z));
    printf("  unmasked, no zero: %a\n", loop_sum(v, 9));
    if (sigsetjmp(back, 1) == 0)
        printf("  unmasked with zero: %a (no fault)\n", loop_sum(v, 11));
    uint32_t m = 0x1f80;
    __asm__ volatile("ldmxcsr %0" : : "m"(m));
    printf("  masked again: %a\n", loop_sum(v, 11));
}

/* ldmxcsr in a loop: masked for the first rounds (the block after it is
 * chained), then unmasking ZE right before a division by zero. */
static __attribute__((noinline)) float loop_ldmxcsr(const float *v, int n, int unmask_at)
{
    float s = 0;
    for (int i = 0; i < n; i++) {
        uint32_t mx = i >= unmask_at ? UNMASK(0x200) : 0x1f80u;
        float t;
        __asm__ volatile("ldmxcsr %3\n\tmovss %1, %0\n\tdivss %2, %0"
                         : "=&x"(t) : "m"(v[i]), "m"(v[i + 1]), "m"(mx));
        s += t;
    }
    return s;
}

static void ldmxcsr_in_loop(void)
{
    static float v[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1 };
    printf("ldmxcsr in a chained loop, unmasking ZE before 10 / 0\n");
    expect_at = NULL;
    if (sigsetjmp(back, 1) == 0)
        printf("  no fault %a\n", loop_ldmxcsr(v, 11, 9));
    uint32_t m = 0x1f80;
    __asm__ volatile("ldmxcsr %0" : : "m"(m));
    printf("  masked throughout: %a\n", loop_ldmxcsr(v, 11, 99));
}

static void on_usr1(int sig) { (void)sig; }

/* The handler starts with MXCSR 0x1f80; sigreturn restores the unmasked
 * one, and a division by zero after it faults again. */
static void across_signal(void)
{
    static float v[3] = { 1, 0, 1 };
    printf("unmasked ZE across a signal handler\n");
    signal(SIGUSR1, on_usr1);
    uint32_t z = UNMASK(0x200);
    __asm__ volatile("ldmxcsr %0" : : "m"(z));
    raise(SIGUSR1);
    uint32_t now;
    __asm__ volatile("stmxcsr %0" : "=m"(now));
    printf("  mxcsr after the handler %04x\n", now);
    if (sigsetjmp(back, 1) == 0)
        printf("  no fault %a\n", loop_sum(v, 1));
    uint32_t m = 0x1f80;
    __asm__ volatile("ldmxcsr %0" : : "m"(m));
}

/* Fixed-seed operands near the overflow and underflow thresholds, run
 * with OE and UE unmasked (each RC): the MXCSR the handler sees (or after
 * the instruction) and the result, per instruction -- FMA at both widths,
 * the narrowing conversions, a product for comparison. */
static uint64_t sweep_seed = 0x9e3779b97f4a7c15ull;

static uint64_t sweep_rand(void)
{
    sweep_seed ^= sweep_seed << 13;
    sweep_seed ^= sweep_seed >> 7;
    sweep_seed ^= sweep_seed << 17;
    return sweep_seed;
}

/* A float whose square lands near the top (hi) or bottom of the range,
 * often with few significant bits so that exact results occur. */
static uint32_t sweep_f32(int hi)
{
    uint64_t r = sweep_rand();
    uint32_t e = hi ? 190 + (uint32_t)(r % 3) : 60 + (uint32_t)(r % 8);
    uint32_t m = (uint32_t)(r >> 8) & 0x7fffff;
    if (r >> 40 & 1)
        m &= 0x7f0000;
    return (uint32_t)(r >> 50 & 1) << 31 | e << 23 | m;
}

static uint64_t sweep_f64(int hi)
{
    uint64_t r = sweep_rand();
    uint64_t e = hi ? 1534 + r % 3 : 504 + r % 14;
    uint64_t m = sweep_rand() & 0xfffffffffffffull;
    if (r >> 40 & 1)
        m &= 0xffff000000000ull;
    return (r >> 50 & 1) << 63 | e << 52 | m;
}

#define SWEEP_RUN(TEXT)                                                        \
    do {                                                                      \
        sweep_mxcsr = 0;                                                      \
        if (sigsetjmp(back, 1) == 0) {                                        \
            __asm__ volatile("vmovdqu %[a], %%xmm1\n\tvmovdqu %[b], %%xmm2\n\t" \
                             "vmovdqu %[c], %%xmm3\n\tldmxcsr %[m]\n\t" TEXT    \
                             "\n\tstmxcsr %[o]\n\tvmovdqu %%xmm1, %[r]"       \
                             : [o] "=m"(sweep_mxcsr), [r] "=m"(res)           \
                             : [a] "m"(va), [b] "m"(vb), [c] "m"(vc), [m] "m"(mx) \
                             : "xmm1", "xmm2", "xmm3", "memory");             \
        } else {                                                              \
            res[0] = res[1] = 0xdead;                                         \
        }                                                                     \
        printf("%s %016llx %016llx %016llx %04x -> %04x %016llx\n", name,     \
               (unsigned long long)va[0], (unsigned long long)vb[0],           \
               (unsigned long long)vc[0], mx, sweep_mxcsr, (unsigned long long)res[0]); \
        uint32_t dflt = 0x1f80;                                               \
        __asm__ volatile("ldmxcsr %0" : : "m"(dflt));                         \
    } while (0)

static void judged_sweep(void)
{
    sweeping = 1;
    for (int n = 0; n < 240; n++) {
        int hi = n & 1, kind = n / 2 % 6;
        uint32_t mx = (n / 12 % 3 == 0 ? UNMASK(0xc00) : n / 12 % 3 == 1 ? UNMASK(0x400)
                       : UNMASK(0x800)) | (uint32_t)(sweep_rand() & 3) << 13;
        uint64_t va[2] = { 0, 0 }, vb[2] = { 0, 0 }, vc[2] = { 0, 0 }, res[2];
        const char *name;
        if (kind == 0 || kind == 4) {
            va[0] = sweep_f32(hi);
            vb[0] = sweep_f32(hi);
            vc[0] = sweep_rand() & 1 ? 0 : sweep_f32(hi) ^ (sweep_rand() & 0x3000000u);
        } else if (kind == 1) {
            va[0] = sweep_f64(hi);
            vb[0] = sweep_f64(hi);
            vc[0] = sweep_rand() & 1 ? 0 : sweep_f64(hi) ^ (sweep_rand() & 0x0300000000000000ull);
        } else if (kind == 2) {
            uint64_t r = sweep_rand(), m = r & 0xfffffffffffffull;
            va[0] = (r >> 63) << 63 | (hi ? 1150 + r % 4 : 870 + r % 30) << 52 | (r >> 52 & 1 ? m : m & ~0x1fffffffull);
        } else if (kind == 3) {
            uint64_t r = sweep_rand();
            uint32_t f = (uint32_t)(r >> 63) << 31 | (uint32_t)(hi ? 142 + r % 2 : 100 + r % 12) << 23 |
                         (uint32_t)(r >> 8 & (r >> 52 & 1 ? 0x7fffff : 0x7fe000));
            va[0] = f;
        } else {
            va[0] = sweep_f64(hi);
            vb[0] = sweep_f64(hi);
        }
        switch (kind) {
        case 0: name = "vfmadd231ss"; SWEEP_RUN("vfmadd231ss %%xmm2, %%xmm1, %%xmm3\n\tvmovaps %%xmm3, %%xmm1"); break;
        case 1: name = "vfmsub213sd"; SWEEP_RUN("vfmsub213sd %%xmm3, %%xmm2, %%xmm1"); break;
        case 2: name = "cvtsd2ss"; SWEEP_RUN("cvtsd2ss %%xmm1, %%xmm1"); break;
        case 3: name = "vcvtps2ph"; SWEEP_RUN("vcvtps2ph $4, %%xmm1, %%xmm1"); break;
        case 4: name = "vfnmadd132ps"; SWEEP_RUN("vfnmadd132ps %%xmm2, %%xmm3, %%xmm1"); break;
        default: name = "mulsd"; SWEEP_RUN("mulsd %%xmm2, %%xmm1"); break;
        }
    }
    sweeping = 0;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGFPE, &sa, 0);
    sigaction(SIGSEGV, &sa, 0);
    setvbuf(stdout, 0, _IONBF, 0);

    /* one exception, each unmasked and masked */
    fill(y1, F_ONE, F_ONE, F_ONE, F_ONE, 0x100);
    fill(y2, 0, F_ONE, F_ONE, F_ONE, 0x200);
    CASE(divss_ze, UNMASK(0x200), "divss %%xmm2, %%xmm1");
    CASE(divss_ze_masked, UNMASK(0x1000), "divss %%xmm2, %%xmm1");
    CASE(divps_ze_lane3, UNMASK(0x200), "divps %%xmm2, %%xmm1");
    fill(y2, F_ONE, F_ONE, F_ONE, 0, 0x200);
    CASE(divps_ze_lane0ok, UNMASK(0x200), "divps %%xmm2, %%xmm1");
    fill(y1, 0xbf800000u, F_ONE, F_ONE, F_ONE, 0x100);
    CASE(sqrtss_ie, UNMASK(0x80), "sqrtss %%xmm1, %%xmm1");
    /* with OE or UE unmasked the CPU sets PE only if the result is inexact
     * with an unbounded exponent (max + max, min * 0.5 are exact), and UE
     * for an exact tiny result too */
    fill(y1, F_MAX, F_MAX, F_ONE, F_ONE, 0x100);
    fill(y2, F_MAX, F_MAX_1, F_ONE, F_ONE, 0x200);
    CASE(addss_oe_exact, UNMASK(0x400), "addss %%xmm2, %%xmm1");
    CASE(addps_oe_exact_and_not, UNMASK(0x400), "addps %%xmm2, %%xmm1");
    CASE(mulss_oe_exact, UNMASK(0x400), "mulss %%xmm2, %%xmm1");
    CASE(addsd_oe_exact, UNMASK(0x400), "addsd %%xmm2, %%xmm1");
    CASE(subss_oe_rz, UNMASK(0x400) | 0x6000, "subss %%xmm2, %%xmm1");
    fill(y1, F_MIN, F_MIN_X, F_ONE, F_ONE, 0x100);
    fill(y2, 0x3f000000u, F_THIRD, F_ONE, F_ONE, 0x200);
    CASE(mulss_ue_exact_tiny, UNMASK(0x800), "mulss %%xmm2, %%xmm1");
    CASE(mulps_ue_exact_and_not, UNMASK(0x800), "mulps %%xmm2, %%xmm1");
    CASE(mulss_ue_exact_tiny_ftz, UNMASK(0x800) | 0x8000, "mulss %%xmm2, %%xmm1");
    CASE(divss_ue_exact_tiny, UNMASK(0x800), "divss %%xmm2, %%xmm1");
    fill(y2, F_MIN, F_MIN, F_ONE, F_ONE, 0x200);
    CASE(mulss_ue_to_zero, UNMASK(0x800), "mulss %%xmm2, %%xmm1");
    CASE(subss_ue_exact_denormal, UNMASK(0x800), "subss %%xmm2, %%xmm1");
    fill(y1, F_MAX, F_ONE, F_ONE, F_ONE, 0x100);
    fill(y2, F_MAX_1, F_ONE, F_ONE, F_ONE, 0x200);
    fill(y1, F_MAX, F_ONE, F_ONE, F_ONE, 0x100);
    fill(y2, F_MAX_1, F_ONE, F_ONE, F_ONE, 0x200);
    CASE(addss_oe, UNMASK(0x400), "addss %%xmm2, %%xmm1");
    CASE(addss_oe_pe, UNMASK(0x1400), "addss %%xmm2, %%xmm1");
    CASE(addss_pe_only, UNMASK(0x1000), "addss %%xmm2, %%xmm1");
    fill(y1, F_MIN_X, F_ONE, F_ONE, F_ONE, 0x100);
    fill(y2, F_THIRD, F_ONE, F_ONE, F_ONE, 0x200);
    CASE(mulss_ue, UNMASK(0x800), "mulss %%xmm2, %%xmm1");
    CASE(mulss_ue_ftz, UNMASK(0x800) | 0x8000, "mulss %%xmm2, %%xmm1");
    CASE(mulss_ue_masked_ftz, UNMASK(0x1000) | 0x8000, "mulss %%xmm2, %%xmm1");
    fill(y1, F_MIN, F_ONE, F_ONE, F_ONE, 0x100);
    fill(y2, 0x3f000000u, F_ONE, F_ONE, F_ONE, 0x200);   /* min * 0.5: exact tiny */
    CASE(mulss_exact_tiny_pe_unmasked, UNMASK(0x1000), "mulss %%xmm2, %%xmm1");
    fill(y1, F_ONE, F_ONE, F_ONE, F_ONE, 0x100);
    fill(y2, F_TWO_M30, F_ONE, F_ONE, F_ONE, 0x200);
    CASE(addss_pe, UNMASK(0x1000), "addss %%xmm2, %%xmm1");
    fill(y2, F_DEN, F_ONE, F_ONE, F_ONE, 0x200);
    CASE(addss_de, UNMASK(0x100), "addss %%xmm2, %%xmm1");
    CASE(addss_de_daz, UNMASK(0x100) | 0x40, "addss %%xmm2, %%xmm1");

    /* pre-computation (IE DE ZE) and post-computation (OE UE PE) together */
    fill(y1, F_SNAN, F_MAX, F_ONE, F_ONE, 0x100);
    fill(y2, F_ONE, F_MAX, F_TWO_M30, F_ONE, 0x200);
    CASE(addps_ie_unmasked_oe_pe, UNMASK(0x80), "addps %%xmm2, %%xmm1");
    CASE(addps_ie_masked_oe_unmasked, UNMASK(0x400), "addps %%xmm2, %%xmm1");
    CASE(addps_pe_unmasked, UNMASK(0x1000), "addps %%xmm2, %%xmm1");
    CASE(addps_all_unmasked, 0x0000, "addps %%xmm2, %%xmm1");
    fill(y1, F_ONE, F_DEN, F_ONE, F_ONE, 0x100);
    fill(y2, 0, F_ONE, F_ONE, F_ONE, 0x200);
    CASE(divps_ze_de_unmasked_ze, UNMASK(0x200), "divps %%xmm2, %%xmm1");

    /* sticky flags decide si_code; a sticky unmasked flag alone does not fault */
    fill(y1, F_ONE, F_ONE, F_ONE, F_ONE, 0x100);
    fill(y2, F_TWO_M30, F_ONE, F_ONE, F_ONE, 0x200);
    CASE(sticky_ze_then_pe, UNMASK(0x1200) | 0x04, "addss %%xmm2, %%xmm1");
    CASE(sticky_ze_no_new, UNMASK(0x200) | 0x04, "addss %%xmm2, %%xmm1");
    CASE(sticky_ie_masked_then_pe, UNMASK(0x1000) | 0x01, "addss %%xmm2, %%xmm1");

    /* compares, conversions, other forms */
    fill(y1, F_QNAN, F_ONE, F_ONE, F_ONE, 0x100);
    fill(y2, F_ONE, F_ONE, F_ONE, F_ONE, 0x200);
    CASE(comiss_qnan, UNMASK(0x80), "comiss %%xmm2, %%xmm1");
    CASE(ucomiss_qnan, UNMASK(0x80), "ucomiss %%xmm2, %%xmm1");
    CASE(cmpltps_qnan, UNMASK(0x80), "cmpltps %%xmm2, %%xmm1");
    CASE(cmpeqps_qnan, UNMASK(0x80), "cmpeqps %%xmm2, %%xmm1");
    fill(y1, F_SNAN, F_ONE, F_ONE, F_ONE, 0x100);
    CASE(ucomiss_snan, UNMASK(0x80), "ucomiss %%xmm2, %%xmm1");
    CASE(maxss_snan, UNMASK(0x80), "maxss %%xmm2, %%xmm1");
    fill(y1, F_BIG, F_THIRD, F_ONE, F_ONE, 0x100);
    CASE(cvtss2si_ie, UNMASK(0x80), "cvtss2si %%xmm1, %%eax");
    CASE(cvttss2si_ie64, UNMASK(0x80), "cvttss2si %%xmm1, %%rax");
    CASE(cvtps2dq_ie, UNMASK(0x80), "cvtps2dq %%xmm1, %%xmm1");
    CASE(cvtps2dq_pe, UNMASK(0x1000), "cvtps2dq %%xmm1, %%xmm1");
    CASE(cvtss2sd_ok, UNMASK(0x1000), "cvtss2sd %%xmm1, %%xmm1");
    CASE(cvtsd2ss_pe, UNMASK(0x1000), "cvtsd2ss %%xmm1, %%xmm1");
    CASE(cvtsi2ss_pe, UNMASK(0x1000), "mov $0x7fffffff, %%eax\n\tcvtsi2ss %%eax, %%xmm1");
    CASE(cvtps2pi_ie, UNMASK(0x80), "cvtps2pi %%xmm1, %%mm0\n\temms");
    CASE(roundps_pe, UNMASK(0x1000), "roundps $4, %%xmm1, %%xmm1");
    CASE(roundps_pe_suppressed, UNMASK(0x1000), "roundps $0xc, %%xmm1, %%xmm1");
    CASE(haddps_pe, UNMASK(0x1000), "haddps %%xmm1, %%xmm1");
    CASE(dpps_pe, UNMASK(0x1000), "dpps $0xff, %%xmm1, %%xmm1");
    CASE(mulss_mem_pe, UNMASK(0x1000), "movl $0x3eaaaaab, %[w]\n\tmulss %[w], %%xmm1");
    CASE(andps_no_exc, 0x0000, "andps %%xmm2, %%xmm1");
    CASE(mulss_mem_segv, UNMASK(0x1200) | 0x20, "mulss 0x10, %%xmm1");

    /* VEX: 256 bits (an exception in the upper half), non-destructive forms */
    fill(y1, F_ONE, F_ONE, F_ONE, F_ONE, 0x3f800000u);
    fill(y2, F_ONE, F_ONE, F_ONE, F_ONE, 0x3f800000u);
    y2[6] = 0;
    CASE(vdivps_ymm_ze_hi, UNMASK(0x200), "vdivps %%ymm2, %%ymm1, %%ymm1");
    CASE(vdivps_ymm_ze_nd, UNMASK(0x200), "vdivps %%ymm2, %%ymm2, %%ymm1");
    CASE(vdivps_xmm_ok_hi_zeroed, UNMASK(0x200), "vdivps %%xmm2, %%xmm1, %%xmm1");
    y2[6] = F_ONE;
    y2[0] = 0;
    CASE(vdivss_ze, UNMASK(0x200), "vmovaps %%xmm1, %%xmm3\n\tvdivss %%xmm2, %%xmm3, %%xmm1");
    CASE(vdivss_ze_masked, 0x1f80, "vmovaps %%xmm1, %%xmm3\n\tvdivss %%xmm2, %%xmm3, %%xmm1");
    fill(y1, F_MAX, F_ONE, F_ONE, F_ONE, 0x7f7ffff0u);
    fill(y2, F_MAX, F_ONE, F_ONE, F_ONE, 0x7f7ffff0u);
    CASE(vfmadd231ps_oe, UNMASK(0x400), "vfmadd231ps %%ymm2, %%ymm2, %%ymm1");
    CASE(vfmadd213ss_oe, UNMASK(0x400), "vfmadd213ss %%xmm2, %%xmm2, %%xmm1");
    CASE(vcvtps2ph_oe_mem, UNMASK(0x400), "movq $0x55, %[w]\n\tvcvtps2ph $0, %%xmm1, %[w]");
    CASE(vcvtps2ph_oe_reg, UNMASK(0x400), "vcvtps2ph $0, %%ymm1, %%xmm1");
    CASE(vcvtps2ph_pe_masked, UNMASK(0x80), "movq $0x55, %[w]\n\tvcvtps2ph $0, %%xmm1, %[w]");
    CASE(cvtsd2ss_oe, UNMASK(0x400), "vmovaps %%xmm2, %%xmm3\n\tcvtps2pd %%xmm3, %%xmm3\n\tmulsd %%xmm3, %%xmm3\n\tcvtsd2ss %%xmm3, %%xmm1");
    CASE(dpps_oe, UNMASK(0x400), "dpps $0xff, %%xmm1, %%xmm1");
    CASE(vmulps_oe, UNMASK(0x400), "vmulps %%ymm1, %%ymm1, %%ymm1");
    CASE(vcvtss2si_ie, UNMASK(0x80), "vcvtss2si %%xmm1, %%rax");
    CASE(vcomiss_ok, UNMASK(0x80), "vcomiss %%xmm2, %%xmm1");
    CASE(vsqrtpd_ymm_pe, UNMASK(0x1000), "vsqrtpd %%ymm2, %%ymm1");

    /* FMA and the narrowing conversions with OE or UE unmasked: the result
     * rounded with an unbounded exponent decides PE (exact overflow: OE
     * alone), an exact tiny result raises UE */
    fill(y1, 0, F_MAX, 0, 0, 0x100);             /* c (and destination) */
    fill(y2, 0x5f800000u, F_MAX, F_ONE, F_ONE, 0x200);   /* a = b: 2^64 */
    CASE(vfmadd231ss_oe_exact, UNMASK(0x400), "vfmadd231ss %%xmm2, %%xmm2, %%xmm1");
    CASE(vfmadd231ps_oe_exact_and_not, UNMASK(0x400), "vfmadd231ps %%xmm2, %%xmm2, %%xmm1");
    CASE(vfmsub231ss_oe_exact_rz, UNMASK(0x400) | 0x6000, "vfmsub231ss %%xmm2, %%xmm2, %%xmm1");
    CASE(vfmadd231ss_oe_pe_unmasked, UNMASK(0x1400), "vfmadd231ss %%xmm2, %%xmm2, %%xmm1");
    CASE(vfnmsub213ss_oe_exact, UNMASK(0x400), "vfnmsub213ss %%xmm1, %%xmm2, %%xmm2");
    fill(y2, 0x1c800000u, 0x1c800001u, F_ONE, F_ONE, 0x200);   /* 2^-70, 2^-70 (1 + 2^-23) */
    CASE(vfmadd231ss_ue_exact_tiny, UNMASK(0x800), "vfmadd231ss %%xmm2, %%xmm2, %%xmm1");
    CASE(vfmadd231ps_ue_exact_and_not, UNMASK(0x800), "vfmadd231ps %%xmm2, %%xmm2, %%xmm1");
    CASE(vfmadd231ss_ue_exact_ftz, UNMASK(0x800) | 0x8000, "vfmadd231ss %%xmm2, %%xmm2, %%xmm1");
    CASE(vfnmadd231ss_ue_exact_pe_unmasked, UNMASK(0x1800), "vfnmadd231ss %%xmm2, %%xmm2, %%xmm1");
    CASE(vfmadd231ss_exact_tiny_masked_ue, UNMASK(0x1000), "vfmadd231ss %%xmm2, %%xmm2, %%xmm1");
    CASE(vfmaddsub231ps_ue_exact, UNMASK(0x800), "vfmaddsub231ps %%xmm2, %%xmm2, %%xmm1");
    fill(y1, 0, 0, 0, 0, 0x100);                 /* doubles: 2^600 * 2^600, 2^-540 * 2^-540 */
    fill(y2, 0, 0x65700000u, 0, 0x1e300000u, 0x200);
    CASE(vfmadd231sd_oe_exact, UNMASK(0x400), "vfmadd231sd %%xmm2, %%xmm2, %%xmm1");
    CASE(vfmadd231pd_oe_ue_exact, UNMASK(0xc00), "vfmadd231pd %%xmm2, %%xmm2, %%xmm1");
    CASE(vfmadd231pd_ue_exact, UNMASK(0x800), "vfmadd231pd %%xmm2, %%xmm2, %%xmm1");
    /* cvtsd2ss/cvtpd2ps: 2^128, 2^-140 exact; near 1e300, (1 + 2^-40) 2^-140 not */
    fill(y1, 0, 0x47f00000u, 0, 0x37300000u, 0x100);
    fill(y2, 0x12345678u, 0x7e37e43cu, 0x00001000u, 0x37300000u, 0x200);
    CASE(cvtsd2ss_oe_exact, UNMASK(0x400), "cvtsd2ss %%xmm1, %%xmm1");
    CASE(cvtsd2ss_oe_inexact, UNMASK(0x400), "cvtsd2ss %%xmm2, %%xmm1");
    CASE(cvtsd2ss_oe_exact_pe_unmasked, UNMASK(0x1400), "cvtsd2ss %%xmm1, %%xmm1");
    CASE(cvtsd2ss_oe_exact_rz, UNMASK(0x400) | 0x6000, "cvtsd2ss %%xmm1, %%xmm1");
    CASE(cvtsd2ss_oe_masked_pe_unmasked, UNMASK(0x1000), "cvtsd2ss %%xmm1, %%xmm1");
    CASE(cvtpd2ps_ue_exact, UNMASK(0x800), "pshufd $0xee, %%xmm1, %%xmm3\n\tcvtpd2ps %%xmm3, %%xmm1");
    CASE(cvtpd2ps_ue_inexact, UNMASK(0x800), "pshufd $0xee, %%xmm2, %%xmm3\n\tcvtpd2ps %%xmm3, %%xmm1");
    CASE(cvtpd2ps_ue_exact_ftz, UNMASK(0x800) | 0x8000, "pshufd $0xee, %%xmm1, %%xmm3\n\tcvtpd2ps %%xmm3, %%xmm1");
    CASE(cvtpd2ps_oe_ue_exact, UNMASK(0xc00), "cvtpd2ps %%xmm1, %%xmm1");
    CASE(cvtpd2ps_ue_masked_pe, UNMASK(0x1000), "pshufd $0xee, %%xmm1, %%xmm3\n\tcvtpd2ps %%xmm3, %%xmm1");
    CASE(vcvtsd2ss_ue_exact, UNMASK(0x800), "pshufd $0xee, %%xmm1, %%xmm3\n\tvcvtsd2ss %%xmm3, %%xmm2, %%xmm1");
    CASE(vcvtpd2ps_ymm_oe_exact, UNMASK(0x400), "vcvtpd2ps %%ymm1, %%xmm1");
    CASE(vcvtpd2psx_ue_exact, UNMASK(0x800), "vpshufd $0xee, %%xmm1, %%xmm3\n\tvcvtpd2ps %%xmm3, %%xmm1");
    /* vcvtps2ph: 2^16 exact, 2^-20 exact (a half denormal), 2^16 + 2^-7 not */
    fill(y1, 0x47800000u, 0x35800000u, F_ONE, 0x47800001u, 0x100);
    CASE(vcvtps2ph_oe_exact, UNMASK(0x400), "vpshufd $0, %%xmm1, %%xmm3\n\tvcvtps2ph $0, %%xmm3, %%xmm1");
    CASE(vcvtps2ph_oe_exact_mem, UNMASK(0x400), "movq $0x55, %[w]\n\tvpshufd $0, %%xmm1, %%xmm3\n\tvcvtps2ph $0, %%xmm3, %[w]");
    CASE(vcvtps2ph_ue_exact, UNMASK(0x800), "vpshufd $0x55, %%xmm1, %%xmm3\n\tvcvtps2ph $0, %%xmm3, %%xmm1");
    CASE(vcvtps2ph_ue_exact_ymm, UNMASK(0x800), "vpshufd $0x55, %%xmm1, %%xmm3\n\tvinsertf128 $1, %%xmm3, %%ymm3, %%ymm3\n\tvcvtps2ph $4, %%ymm3, %%xmm1");
    CASE(vcvtps2ph_oe_inexact, UNMASK(0x400), "vpshufd $0xff, %%xmm1, %%xmm3\n\tvcvtps2ph $0, %%xmm3, %%xmm1");
    CASE(vcvtps2ph_oe_exact_pe_unmasked, UNMASK(0x1400), "vpshufd $0, %%xmm1, %%xmm3\n\tvcvtps2ph $0, %%xmm3, %%xmm1");

    /* horizontal and dot-product forms: max + max (exact), 2^64 * 2^64 (exact),
     * 2^-70 * 2^-70 (exact tiny) */
    fill(y1, F_MAX, F_MAX, F_ONE, F_ONE, 0x100);
    CASE(haddps_oe_exact, UNMASK(0x400), "haddps %%xmm1, %%xmm1");
    CASE(vhaddps_oe_exact, UNMASK(0x400), "vhaddps %%xmm1, %%xmm1, %%xmm1");
    CASE(addsubps_oe_exact, UNMASK(0x400), "addsubps %%xmm1, %%xmm1");
    fill(y1, 0x5f800000u, 0, 0, 0, 0x100);
    CASE(dpps_oe_exact, UNMASK(0x400), "dpps $0x11, %%xmm1, %%xmm1");
    fill(y1, 0x1c800000u, 0, 0, 0, 0x100);
    CASE(dpps_ue_exact, UNMASK(0x800), "dpps $0x11, %%xmm1, %%xmm1");
    fill(y1, 0x1c800001u, 0, 0, 0, 0x100);      /* a tiny inexact product, then DE in the sum */
    CASE(dpps_de_after_masked_ue, UNMASK(0x100), "dpps $0x11, %%xmm1, %%xmm1");
    CASE(dpps_ue_inexact, UNMASK(0x800), "dpps $0x11, %%xmm1, %%xmm1");
    fill(y1, 0, 0x65700000u, 0, 0, 0x100);
    CASE(dppd_oe_exact, UNMASK(0x400), "dppd $0x11, %%xmm1, %%xmm1");

    /* a handler that masks the exception in the frame: the instruction runs again */
    resume_masked = 1;
    fill(y1, F_ONE, F_ONE, F_ONE, F_ONE, 0x100);
    fill(y2, 0, F_ONE, F_ONE, F_ONE, 0x200);
    CASE(divss_ze_resumed, UNMASK(0x200), "divss %%xmm2, %%xmm1");
    resume_masked = 0;

    judged_sweep();
    c_division();
    mode_changes();
    ldmxcsr_in_loop();
    across_signal();
    printf("faults %d\n", faults);
    return 0;
}
