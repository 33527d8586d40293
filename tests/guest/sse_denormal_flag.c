/* sse_denormal_flag.c -- MXCSR.DE (the denormal-operand flag) as every
 * reader of MXCSR sees it: each SSE/AVX float form (add, mul, div, sqrt,
 * min/max, cmp, comis/ucomis, conversions; scalar and packed, binary32 and
 * binary64) runs from a clean MXCSR on operands with a denormal in the
 * lane it reads or only in a lane it ignores, next to the cases x86 gives
 * no DE (a NaN or a zero divisor first, integer conversions, rcp/rsqrt,
 * tiny results of normal operands), and prints MXCSR's flags from stmxcsr
 * and fxsave (also vstmxcsr and xsave where the CPU has them).  Then the
 * flag's life: kept by later ops, cleared by ldmxcsr and fxrstor, set by
 * them; across signal handlers (raise: the frame holds it, the handler
 * starts clean, sigreturn restores it; a fault right after the op; a
 * timer signal while exact ops spin after it); and in
 * a second thread (what it starts with, its own flag apart from the
 * creator's). */
//@cflags: -pthread
#define _GNU_SOURCE
#include <cpuid.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>

typedef struct { uint32_t w[4]; } v128;

#define ONE32 0x3f800000u
#define DEN32 0x00000001u
#define MIN32 0x00800000u                   /* the smallest normal: no DE */
#define QNAN32 0x7fc00000u
#define ONE64 0x3ff0000000000000ull
#define DEN64 0x000fffffffffffffull
#define MIN64 0x0010000000000000ull
#define LO(q) (uint32_t)(q)
#define HI(q) (uint32_t)((q) >> 32)

static const v128 s_one = { { ONE32, ONE32, ONE32, ONE32 } };
static const v128 s_den_lo = { { DEN32, ONE32, ONE32, ONE32 } };
static const v128 s_den_hi = { { ONE32, ONE32, ONE32, DEN32 } };
static const v128 s_nden_lo = { { DEN32 | 0x80000000u, ONE32, ONE32, ONE32 } };
static const v128 s_min = { { MIN32, MIN32, MIN32, MIN32 } };
static const v128 s_nan = { { QNAN32, ONE32, ONE32, ONE32 } };
static const v128 zero = { { 0, 0, 0, 0 } };
static const v128 d_one = { { LO(ONE64), HI(ONE64), LO(ONE64), HI(ONE64) } };
static const v128 d_den_lo = { { LO(DEN64), HI(DEN64), LO(ONE64), HI(ONE64) } };
static const v128 d_den_hi = { { LO(ONE64), HI(ONE64), LO(DEN64), HI(DEN64) } };
static const v128 d_min = { { LO(MIN64), HI(MIN64), LO(MIN64), HI(MIN64) } };
static const v128 ints = { { 7, 0xfffffff0u, 3, 1 } };

static const uint32_t mx_default = 0x1f80;
static int has_avx, has_fma, has_xsave;

static uint8_t fx_area[512] __attribute__((aligned(64)));
static uint8_t xs_area[4096] __attribute__((aligned(64)));

static uint32_t fx_mxcsr(void)
{
    uint32_t m;
    __asm__ volatile("fxsave %0" : "=m"(fx_area));
    memcpy(&m, fx_area + 24, 4);
    return m;
}

static uint32_t xs_mxcsr(void)
{
    uint32_t m;
    memset(xs_area, 0, 1024);
    __asm__ volatile("xsave %0" : "+m"(xs_area) : "a"(3), "d"(0));
    memcpy(&m, xs_area + 24, 4);
    return m;
}

static uint32_t st_mxcsr(void)
{
    uint32_t m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    return m;
}

static void ld_mxcsr(uint32_t m)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(m));
}

/* Prints the flags stmxcsr saw right after the op, then fxsave's. */
static void show(const char *name, uint32_t st)
{
    printf("%-28s st %02x fx %02x\n", name, st & 0x3f, fx_mxcsr() & 0x3f);
}

/* insn on xmm1 (a) and xmm2 (b), from the default MXCSR; eax scratch. */
#define OP(name, insn, a, b) do { \
        uint32_t st_; \
        __asm__ volatile("ldmxcsr %[def]\n\t" "movdqu %[va], %%xmm1\n\t" \
                         "movdqu %[vb], %%xmm2\n\t" insn "\n\t" "stmxcsr %[st]" \
                         : [st] "=m"(st_) \
                         : [def] "m"(mx_default), [va] "m"(a), [vb] "m"(b) \
                         : "xmm1", "xmm2", "rax", "cc", "memory"); \
        show(name, st_); \
    } while (0)

/* The same with ymm1/ymm2 loaded from a (low half) and b (high half). */
#define VOP(name, insn, a, b) do { \
        uint32_t st_; \
        __asm__ volatile("ldmxcsr %[def]\n\t" "vmovdqu %[va], %%xmm1\n\t" \
                         "vinsertf128 $1, %[vb], %%ymm1, %%ymm1\n\t" \
                         "vmovdqa %%ymm1, %%ymm2\n\t" "vmovdqa %%ymm1, %%ymm3\n\t" \
                         insn "\n\t" "vstmxcsr %[st]\n\t" "vzeroupper" \
                         : [st] "=m"(st_) \
                         : [def] "m"(mx_default), [va] "m"(a), [vb] "m"(b) \
                         : "xmm1", "xmm2", "xmm3", "rax", "cc", "memory"); \
        show(name, st_); \
    } while (0)

static void single_forms(void)
{
    OP("addss den", "addss %%xmm2, %%xmm1", s_one, s_den_lo);
    OP("addss den first", "addss %%xmm2, %%xmm1", s_den_lo, s_one);
    OP("addss den unused lane", "addss %%xmm2, %%xmm1", s_one, s_den_hi);
    OP("addps den lane 3", "addps %%xmm2, %%xmm1", s_one, s_den_hi);
    OP("subps den first", "subps %%xmm2, %%xmm1", s_den_lo, s_one);
    OP("mulss den", "mulss %%xmm2, %%xmm1", s_one, s_den_lo);
    OP("mulps den lane 3", "mulps %%xmm2, %%xmm1", s_one, s_den_hi);
    OP("mulps min*min", "mulps %%xmm2, %%xmm1", s_min, s_min);
    OP("divss den divisor", "divss %%xmm2, %%xmm1", s_one, s_den_lo);
    OP("divps den dividend", "divps %%xmm2, %%xmm1", s_den_hi, s_one);
    OP("divss den/0", "divss %%xmm2, %%xmm1", s_den_lo, zero);
    OP("sqrtss den", "sqrtss %%xmm2, %%xmm1", s_one, s_den_lo);
    OP("sqrtss -den", "sqrtss %%xmm2, %%xmm1", s_one, s_nden_lo);
    OP("sqrtps den lane 3", "sqrtps %%xmm2, %%xmm1", s_one, s_den_hi);
    OP("addss qnan+den", "addss %%xmm2, %%xmm1", s_nan, s_den_lo);
    OP("minss den", "minss %%xmm2, %%xmm1", s_one, s_den_lo);
    OP("maxps den lane 3", "maxps %%xmm2, %%xmm1", s_one, s_den_hi);
    OP("cmpltss den", "cmpltss %%xmm2, %%xmm1", s_one, s_den_lo);
    OP("cmpeqps den lane 3", "cmpeqps %%xmm2, %%xmm1", s_den_hi, s_one);
    OP("comiss den", "comiss %%xmm2, %%xmm1", s_one, s_den_lo);
    OP("ucomiss den first", "ucomiss %%xmm2, %%xmm1", s_den_lo, s_one);
    OP("ucomiss den unused lane", "ucomiss %%xmm2, %%xmm1", s_den_hi, s_one);
    OP("cvtss2sd den", "cvtss2sd %%xmm2, %%xmm1", s_one, s_den_lo);
    OP("cvtps2pd den lane 3", "cvtps2pd %%xmm2, %%xmm1", s_one, s_den_hi);
    OP("cvtps2pd den lane 0", "cvtps2pd %%xmm2, %%xmm1", s_one, s_den_lo);
    OP("cvtss2si den", "cvtss2si %%xmm2, %%eax", s_one, s_den_lo);
    OP("cvttps2dq den", "cvttps2dq %%xmm2, %%xmm1", s_one, s_den_lo);
    OP("cvtdq2ps", "cvtdq2ps %%xmm2, %%xmm1", s_one, ints);
    OP("rcpps den", "rcpps %%xmm2, %%xmm1", s_one, s_den_lo);
    OP("rsqrtss den", "rsqrtss %%xmm2, %%xmm1", s_one, s_den_lo);
    OP("haddps den", "haddps %%xmm2, %%xmm1", s_one, s_den_hi);
}

static void double_forms(void)
{
    OP("addsd den", "addsd %%xmm2, %%xmm1", d_one, d_den_lo);
    OP("addsd den unused lane", "addsd %%xmm2, %%xmm1", d_one, d_den_hi);
    OP("addpd den lane 1", "addpd %%xmm2, %%xmm1", d_one, d_den_hi);
    OP("mulsd den first", "mulsd %%xmm2, %%xmm1", d_den_lo, d_one);
    OP("mulpd den lane 1", "mulpd %%xmm2, %%xmm1", d_one, d_den_hi);
    OP("mulpd min*min", "mulpd %%xmm2, %%xmm1", d_min, d_min);
    OP("divsd den divisor", "divsd %%xmm2, %%xmm1", d_one, d_den_lo);
    OP("divpd den dividend", "divpd %%xmm2, %%xmm1", d_den_hi, d_one);
    OP("divsd den/0", "divsd %%xmm2, %%xmm1", d_den_lo, zero);
    OP("sqrtsd den", "sqrtsd %%xmm2, %%xmm1", d_one, d_den_lo);
    OP("sqrtpd den lane 1", "sqrtpd %%xmm2, %%xmm1", d_one, d_den_hi);
    OP("maxsd den", "maxsd %%xmm2, %%xmm1", d_one, d_den_lo);
    OP("cmplesd den", "cmplesd %%xmm2, %%xmm1", d_one, d_den_lo);
    OP("cmpunordpd den lane 1", "cmpunordpd %%xmm2, %%xmm1", d_den_hi, d_one);
    OP("comisd den", "comisd %%xmm2, %%xmm1", d_one, d_den_lo);
    OP("ucomisd den unused lane", "ucomisd %%xmm2, %%xmm1", d_one, d_den_hi);
    OP("cvtsd2ss den", "cvtsd2ss %%xmm2, %%xmm1", s_one, d_den_lo);
    OP("cvtsd2ss min", "cvtsd2ss %%xmm2, %%xmm1", s_one, d_min);
    OP("cvtpd2ps den lane 1", "cvtpd2ps %%xmm2, %%xmm1", s_one, d_den_hi);
    OP("cvtsd2si den", "cvtsd2si %%xmm2, %%eax", d_one, d_den_lo);
    OP("cvttpd2dq den", "cvttpd2dq %%xmm2, %%xmm1", d_one, d_den_lo);
}

static void avx_forms(void)
{
    if (!has_avx) {
        printf("avx: not on this CPU\n");
        return;
    }
    VOP("vaddps ymm den high half", "vaddps %%ymm2, %%ymm1, %%ymm1", s_one, s_den_hi);
    VOP("vmulps ymm one", "vmulps %%ymm2, %%ymm1, %%ymm1", s_one, s_one);
    VOP("vaddss den unused lane", "vaddss %%xmm2, %%xmm1, %%xmm1", s_den_hi, s_one);
    VOP("vsqrtpd ymm den lane 2", "vsqrtpd %%ymm2, %%ymm1", d_one, d_den_lo);
    VOP("vdivsd den", "vdivsd %%xmm2, %%xmm3, %%xmm1", d_den_lo, d_one);
    VOP("vcmpps ymm den high", "vcmpltps %%ymm2, %%ymm3, %%ymm1", s_one, s_den_hi);
    VOP("vcvtps2pd ymm den", "vcvtps2pd %%xmm2, %%ymm1", s_den_hi, s_one);
    VOP("vcomiss den", "vcomiss %%xmm2, %%xmm1", s_den_lo, s_one);
    if (has_fma) {
        VOP("vfmadd231ps den high", "vfmadd231ps %%ymm2, %%ymm3, %%ymm1", s_one, s_den_hi);
        VOP("vfmadd213sd den", "vfmadd213sd %%xmm2, %%xmm3, %%xmm1", d_den_lo, d_one);
    }
}

/* DE stays until MXCSR is written. */
static void lifetime(void)
{
    OP("den then normal op", "addss %%xmm2, %%xmm1\n\t" "mulps %%xmm1, %%xmm1", s_one, s_den_lo);
    show("later read", st_mxcsr());
    ld_mxcsr(mx_default);
    show("after ldmxcsr 0x1f80", st_mxcsr());
    OP("den again", "addss %%xmm2, %%xmm1", s_one, s_den_lo);
    fx_mxcsr();                             /* fxrstor an image without DE */
    uint32_t clean = mx_default;
    memcpy(fx_area + 24, &clean, 4);
    __asm__ volatile("fxrstor %0" : : "m"(fx_area));
    show("after fxrstor without DE", st_mxcsr());
    uint32_t with = mx_default | 2;         /* ... and with it */
    memcpy(fx_area + 24, &with, 4);
    __asm__ volatile("fxrstor %0" : : "m"(fx_area));
    show("after fxrstor with DE", st_mxcsr());
    ld_mxcsr(mx_default | 2);
    show("after ldmxcsr 0x1f82", st_mxcsr());
    OP("normal op after that", "addps %%xmm2, %%xmm1", s_one, s_one);
    if (has_xsave) {
        OP("den, xsave", "addsd %%xmm2, %%xmm1", d_one, d_den_lo);
        printf("xsave mxcsr flags %02x\n", xs_mxcsr() & 0x3f);
    }
}

static volatile uint32_t h_entry, h_frame, h_after;

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    h_entry = st_mxcsr();
    h_frame = uc->uc_mcontext.fpregs->mxcsr;
    __asm__ volatile("movdqu %0, %%xmm2\n\t" "mulss %%xmm2, %%xmm2" : : "m"(s_den_lo) : "xmm2");
    h_after = st_mxcsr();
}

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    h_entry = st_mxcsr();
    h_frame = uc->uc_mcontext.fpregs->mxcsr;
    uc->uc_mcontext.gregs[REG_RIP] += 2;    /* mov (%rax), %eax */
}

static void print_handler(const char *name)
{
    printf("%-28s handler entry %02x frame %02x after own op %02x, back %02x\n", name,
           h_entry & 0x3f, h_frame & 0x3f, h_after & 0x3f, st_mxcsr() & 0x3f);
    h_entry = h_frame = h_after = 0;
}

static void signals(void)
{
    struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
    sigaction(SIGUSR1, &sa, NULL);
    OP("den, then raise", "addps %%xmm2, %%xmm1", s_one, s_den_hi);
    raise(SIGUSR1);
    print_handler("raise after den");
    ld_mxcsr(mx_default);
    raise(SIGUSR1);
    print_handler("raise from clean");
    sa.sa_sigaction = on_segv;
    sigaction(SIGSEGV, &sa, NULL);
    __asm__ volatile("ldmxcsr %[def]\n\t" "movdqu %[b], %%xmm2\n\t" "movdqu %[a], %%xmm3\n\t"
                     "addsd %%xmm2, %%xmm3\n\t" "xor %%eax, %%eax\n\t"
                     ".byte 0x8b, 0x00"                             /* mov (%rax), %eax */
                     : : [def] "m"(mx_default), [a] "m"(d_one), [b] "m"(d_den_lo)
                     : "xmm2", "xmm3", "rax", "memory");
    print_handler("fault after den");
}

static volatile int alarmed;

static void on_alarm(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    h_entry = st_mxcsr();
    h_frame = uc->uc_mcontext.fpregs->mxcsr;
    alarmed = 1;
}

/* A timer signal while exact float ops spin after a denormal one: the
 * frame holds DE wherever the signal lands. */
static void timer_signal(void)
{
    struct sigaction sa = { .sa_sigaction = on_alarm, .sa_flags = SA_SIGINFO };
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { .it_value = { 0, 20000 } };
    OP("den, then spin", "mulsd %%xmm2, %%xmm1", d_one, d_den_lo);
    setitimer(ITIMER_REAL, &it, NULL);
    __asm__ volatile("movdqu %0, %%xmm1\n\t" "movdqu %0, %%xmm2" : : "m"(s_one) : "xmm1", "xmm2");
    while (!alarmed)
        __asm__ volatile("mulps %%xmm2, %%xmm1\n\t" "minps %%xmm2, %%xmm1" : : : "xmm1");
    print_handler("timer signal while spinning");
}

static uint32_t t_start, t_clear, t_normal, t_den;

static void *thread_main(void *arg)
{
    t_start = st_mxcsr();
    ld_mxcsr(mx_default);
    t_clear = st_mxcsr();
    __asm__ volatile("movdqu %0, %%xmm2\n\t" "addps %%xmm2, %%xmm2" : : "m"(s_one) : "xmm2");
    t_normal = st_mxcsr();
    __asm__ volatile("movdqu %0, %%xmm2\n\t" "sqrtsd %%xmm2, %%xmm2" : : "m"(d_den_lo) : "xmm2");
    t_den = st_mxcsr();
    return NULL;
}

static void threads(void)
{
    OP("den, then a thread", "cmpltps %%xmm2, %%xmm1", s_one, s_den_hi);
    pthread_t t;
    pthread_create(&t, NULL, thread_main, NULL);
    pthread_join(t, NULL);
    printf("thread: start %02x cleared %02x normal op %02x den op %02x\n", t_start & 0x3f,
           t_clear & 0x3f, t_normal & 0x3f, t_den & 0x3f);
    show("creator after join", st_mxcsr());
}

int main(void)
{
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    has_xsave = (c >> 27) & 1;              /* OSXSAVE */
    has_avx = has_xsave && ((c >> 28) & 1);
    has_fma = has_avx && ((c >> 12) & 1);
    single_forms();
    double_forms();
    avx_forms();
    lifetime();
    signals();
    timer_signal();
    threads();
    return 0;
}
