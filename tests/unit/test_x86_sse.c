/* test_x86_sse.c -- the SSE/SSE2 helpers against the real CPU.
 *
 * Each helper runs on chosen and random inputs (NaNs with payloads, SNaNs,
 * infinities, denormals, +-0, values at the integer-conversion limits)
 * under several MXCSR settings (rounding modes, FTZ, DAZ); the same
 * instruction runs natively via inline asm on the same inputs, and the
 * results, the MXCSR exception flags and the
 * returned GPR/EFLAGS values must agree bit for bit.  x86-64 host only.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "x86_sse.h"
#include "x86_sse_float.h"
#include "x86_x87.h"

typedef long long v2di __attribute__((vector_size(16)));
typedef uint64_t sse_fn(struct x86_cpu *, uint64_t, uint64_t, uint64_t);

#define MX_DEFAULT 0x1f80u
#define MX_FLAGS   0x003fu
#define MX_UNTRACKED 0u
#define ITERS 3000

/* ---- inputs ----------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const uint32_t f32_special[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000,
    0x7fc00000, 0xffc00000, 0x7fa00001, 0xff800123, 0x7fc12345, 0x00000001,
    0x807fffff, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff, 0x4f000000,
    0xcf000000, 0x4effffff, 0xcf000001, 0x5f000000, 0xdf000000, 0x5effffff,
    0x3f000000, 0x3fc00000, 0x40200000, 0xbfc00000, 0xbf000000, 0x4b800001,
    0x00400000, 0x0c000000, 0x72800000,
};
static const uint64_t f64_special[] = {
    0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
    0xfff8000000000000ull, 0x7ff4000000000001ull, 0xfff0000000000123ull,
    0x7ff8123456789abcull, 1, 0x800fffffffffffffull, 0x0010000000000000ull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x41e0000000000000ull,
    0xc1e0000000000000ull, 0x41dfffffffffffffull, 0xc1e0000000200000ull,
    0xc1e00000001fffffull, 0x43e0000000000000ull, 0xc3e0000000000000ull,
    0x43dfffffffffffffull, 0x3fe0000000000000ull, 0x3ff8000000000000ull,
    0x4004000000000000ull, 0xbff8000000000000ull, 0x41dfffffffc00000ull,
    0x380fffffffffffffull, 0x3690000000000000ull, 0x47efffffe0000000ull,
    0x47efffffefffffffull, 0x47efffff00000001ull, 0x0008000000000000ull,
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t gen_f32(void)
{
    switch (rnd() % 5) {
    case 0:  return f32_special[rnd() % COUNT(f32_special)];
    case 1:  return (uint32_t)rnd();
    case 2:  return f32_bits((float)((int)(rnd() % 400) - 200) / 4);
    case 3:  return ((uint32_t)rnd() & 0x807fffffu) | (uint32_t)(110 + rnd() % 40) << 23;
    default: return ((uint32_t)rnd() & 0x80ffffffu) | (uint32_t)(rnd() % 3) << 23;
    }
}

static uint64_t gen_f64(void)
{
    switch (rnd() % 5) {
    case 0:  return f64_special[rnd() % COUNT(f64_special)];
    case 1:  return rnd();
    case 2:  return f64_bits((double)((int)(rnd() % 400) - 200) / 4);
    case 3:  return (rnd() & 0x800fffffffffffffull) | (1000 + rnd() % 70) << 52;
    default: return (rnd() & 0x801fffffffffffffull) | (rnd() % 3) << 52;
    }
}

static const uint16_t w_special[] = { 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x8080, 0x7f80 };

static uint64_t gen_int64(void)
{
    uint64_t v = 0;
    for (int i = 0; i < 4; i++) {
        uint16_t w = rnd() % 2 ? (uint16_t)rnd() : w_special[rnd() % COUNT(w_special)];
        v |= (uint64_t)w << (16 * i);
    }
    return v;
}

enum kind { K_F32, K_F64, K_INT };

static void gen_xmm(x86_xmm *x, enum kind k)
{
    for (int i = 0; i < 4 && k == K_F32; i++)
        x->d[i] = gen_f32();
    for (int i = 0; i < 2 && k != K_F32; i++)
        x->q[i] = k == K_F64 ? gen_f64() : gen_int64();
}

/* A lane b such that a*b or a/b lands within a few ulps of the smallest
 * normal: the edge of tininess (FTZ, underflow flag). */
static void gen_near_min_normal(x86_xmm *a, x86_xmm *b, enum kind k, int i)
{
    int delta = (int)(rnd() % 9) - 4;
    if (k == K_F32 && f32_val(a->d[i]) != 0) {
        float q = rnd() % 2 ? 0x1p-126f / f32_val(a->d[i]) : f32_val(a->d[i]) / 0x1p-126f;
        b->d[i] = f32_bits(q) + delta;
    } else if (k == K_F64 && i < 2 && f64_val(a->q[i]) != 0) {
        double q = rnd() % 2 ? 0x1p-1022 / f64_val(a->q[i]) : f64_val(a->q[i]) / 0x1p-1022;
        b->q[i] = f64_bits(q) + delta;
    }
}

/* Makes some lanes equal so that comparisons see ties, and some products
 * and quotients land at the edge of the normal range. */
static void gen_pair(x86_xmm *a, x86_xmm *b, enum kind k)
{
    gen_xmm(a, k);
    gen_xmm(b, k);
    for (int i = 0; i < 4; i++) {
        if (rnd() % 8 == 0)
            b->d[i] = a->d[i];
        else if (rnd() % 8 == 0)
            gen_near_min_normal(a, b, k, i);
    }
}

static const uint32_t fp_mxcsr[] = {
    MX_DEFAULT, MX_DEFAULT | 1u << 13, MX_DEFAULT | 2u << 13, MX_DEFAULT | 3u << 13,
    MX_DEFAULT | SSE_MXCSR_FTZ, MX_DEFAULT | SSE_MXCSR_DAZ,
    MX_DEFAULT | SSE_MXCSR_FTZ | SSE_MXCSR_DAZ | 1u << 13,
};

/* ---- running both sides ------------------------------------------------- */

static struct x86_cpu env;

static void ferry_enter(uint32_t mxcsr)
{
    memset(&env, 0, sizeof env);
    x86_sse_helper_ldmxcsr(&env, 0, mxcsr, 0);
}

static uint32_t ferry_leave(void)
{
    return (uint32_t)x86_sse_helper_stmxcsr(&env, 0, 0, 0);
}

static void native_enter(uint32_t mxcsr)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
}

static uint32_t native_leave(void)
{
    uint32_t out, def = MX_DEFAULT;
    __asm__ volatile("stmxcsr %0" : "=m"(out));
    __asm__ volatile("ldmxcsr %0" : : "m"(def));
    return out;
}

static v2di vec(const x86_xmm *x)
{
    v2di v;
    memcpy(&v, x, 16);
    return v;
}

static int failures;

static void report(const char *name, uint32_t mx, const x86_xmm *a, const x86_xmm *b,
                   const char *what, uint64_t got_hi, uint64_t got_lo, uint64_t exp_hi,
                   uint64_t exp_lo)
{
    if (failures++ < 8 || getenv("SSE_ALL_FAILURES"))
        cr_log_error("%s mxcsr=%04x a=%016llx:%016llx b=%016llx:%016llx: %s ferry %016llx:%016llx"
                     " native %016llx:%016llx", name, mx,
                     (unsigned long long)a->q[1], (unsigned long long)a->q[0],
                     (unsigned long long)b->q[1], (unsigned long long)b->q[0], what,
                     (unsigned long long)got_hi, (unsigned long long)got_lo,
                     (unsigned long long)exp_hi, (unsigned long long)exp_lo);
}

static void check_flags(const char *name, uint32_t mx, const x86_xmm *a, const x86_xmm *b,
                        uint32_t got, uint32_t exp)
{
    if ((got ^ exp) & ~MX_UNTRACKED)
        report(name, mx, a, b, "mxcsr", 0, got, 0, exp);
}

/* ---- xmm <- op(xmm, xmm/mem [, imm]) ------------------------------------ */

typedef void native_xx(v2di *a, v2di b);
#define NAT(insn) \
    static void nat_##insn(v2di *a, v2di b) { __asm__ volatile(#insn " %1, %0" : "+x"(*a) : "x"(b)); }
#define NATI(insn, imm) \
    static void nat_##insn##_##imm(v2di *a, v2di b) \
    { __asm__ volatile(#insn " $" #imm ", %1, %0" : "+x"(*a) : "x"(b)); }

struct xx_case {
    const char *name;
    sse_fn *helper;
    native_xx *native;
    enum kind kind;
    uint8_t imm;
};
#define XC(insn, k) { #insn, x86_sse_helper_##insn, nat_##insn, k, 0 }
#define XCI(insn, imm, k) { #insn " " #imm, x86_sse_helper_##insn, nat_##insn##_##imm, k, imm }

/* Runs one case natively and in ferry; `same` uses one register for both. */
static void run_xx(const struct xx_case *c, const x86_xmm *a, const x86_xmm *b,
                   uint32_t mx, bool same)
{
    v2di va = vec(a);
    native_enter(mx);
    c->native(&va, same ? va : vec(b));
    uint32_t nmx = native_leave();

    ferry_enter(mx);
    env.xmm[3] = *a;
    env.xmm_tmp[0] = *b;
    c->helper(&env, 3, same ? 3 : SSE_TMP0, c->imm);
    uint32_t fmx = ferry_leave();

    x86_xmm n;
    memcpy(&n, &va, 16);
    if (memcmp(&n, &env.xmm[3], 16))
        report(c->name, mx, a, same ? a : b, same ? "result (same reg)" : "result",
               env.xmm[3].q[1], env.xmm[3].q[0], n.q[1], n.q[0]);
    check_flags(c->name, mx, a, b, fmx, nmx);
}

static void sweep_xx(const struct xx_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct xx_case *c = &cases[i];
        size_t nmx = c->kind == K_INT ? 1 : COUNT(fp_mxcsr);
        for (size_t m = 0; m < nmx; m++)
            for (int it = 0; it < ITERS; it++) {
                x86_xmm a, b;
                gen_pair(&a, &b, c->kind);
                run_xx(c, &a, &b, fp_mxcsr[m], it % 16 == 0);
            }
    }
    cr_expect_eq(failures, 0, "%d mismatches with the native CPU", failures);
}

NAT(paddb) NAT(paddw) NAT(paddd) NAT(paddq) NAT(psubb) NAT(psubw) NAT(psubd) NAT(psubq)
NAT(paddsb) NAT(paddsw) NAT(paddusb) NAT(paddusw) NAT(psubsb) NAT(psubsw) NAT(psubusb)
NAT(psubusw) NAT(pmullw) NAT(pmulhw) NAT(pmulhuw) NAT(pmuludq) NAT(pmaddwd) NAT(psadbw)
NAT(pavgb) NAT(pavgw) NAT(pminub) NAT(pmaxub) NAT(pminsw) NAT(pmaxsw)
NAT(pcmpeqb) NAT(pcmpeqw) NAT(pcmpeqd) NAT(pcmpgtb) NAT(pcmpgtw) NAT(pcmpgtd)

static const struct xx_case int_cases[] = {
    XC(paddb, K_INT), XC(paddw, K_INT), XC(paddd, K_INT), XC(paddq, K_INT),
    XC(psubb, K_INT), XC(psubw, K_INT), XC(psubd, K_INT), XC(psubq, K_INT),
    XC(paddsb, K_INT), XC(paddsw, K_INT), XC(paddusb, K_INT), XC(paddusw, K_INT),
    XC(psubsb, K_INT), XC(psubsw, K_INT), XC(psubusb, K_INT), XC(psubusw, K_INT),
    XC(pmullw, K_INT), XC(pmulhw, K_INT), XC(pmulhuw, K_INT), XC(pmuludq, K_INT),
    XC(pmaddwd, K_INT), XC(psadbw, K_INT), XC(pavgb, K_INT), XC(pavgw, K_INT),
    XC(pminub, K_INT), XC(pmaxub, K_INT), XC(pminsw, K_INT), XC(pmaxsw, K_INT),
    XC(pcmpeqb, K_INT), XC(pcmpeqw, K_INT), XC(pcmpeqd, K_INT),
    XC(pcmpgtb, K_INT), XC(pcmpgtw, K_INT), XC(pcmpgtd, K_INT),
};

Test(x86_sse, packed_integer)
{
    sweep_xx(int_cases, COUNT(int_cases));
}

NAT(packsswb) NAT(packssdw) NAT(packuswb)
NAT(punpcklbw) NAT(punpcklwd) NAT(punpckldq) NAT(punpcklqdq)
NAT(punpckhbw) NAT(punpckhwd) NAT(punpckhdq) NAT(punpckhqdq)
NAT(unpcklps) NAT(unpckhps) NAT(unpcklpd) NAT(unpckhpd)
NATI(pshufd, 0x1b) NATI(pshufd, 0x00) NATI(pshufd, 0xe4) NATI(pshufd, 0x4e)
NATI(pshuflw, 0x1b) NATI(pshuflw, 0xb1) NATI(pshufhw, 0x1b) NATI(pshufhw, 0x72)
NATI(shufps, 0x1b) NATI(shufps, 0x44) NATI(shufps, 0xee) NATI(shufps, 0x93)
NATI(shufpd, 0) NATI(shufpd, 1) NATI(shufpd, 2) NATI(shufpd, 3)

static const struct xx_case shuffle_cases[] = {
    XC(packsswb, K_INT), XC(packssdw, K_INT), XC(packuswb, K_INT),
    XC(punpcklbw, K_INT), XC(punpcklwd, K_INT), XC(punpckldq, K_INT), XC(punpcklqdq, K_INT),
    XC(punpckhbw, K_INT), XC(punpckhwd, K_INT), XC(punpckhdq, K_INT), XC(punpckhqdq, K_INT),
    XC(unpcklps, K_INT), XC(unpckhps, K_INT), XC(unpcklpd, K_INT), XC(unpckhpd, K_INT),
    XCI(pshufd, 0x1b, K_INT), XCI(pshufd, 0x00, K_INT), XCI(pshufd, 0xe4, K_INT),
    XCI(pshufd, 0x4e, K_INT), XCI(pshuflw, 0x1b, K_INT), XCI(pshuflw, 0xb1, K_INT),
    XCI(pshufhw, 0x1b, K_INT), XCI(pshufhw, 0x72, K_INT),
    XCI(shufps, 0x1b, K_INT), XCI(shufps, 0x44, K_INT), XCI(shufps, 0xee, K_INT),
    XCI(shufps, 0x93, K_INT), XCI(shufpd, 0, K_INT), XCI(shufpd, 1, K_INT),
    XCI(shufpd, 2, K_INT), XCI(shufpd, 3, K_INT),
};

Test(x86_sse, shuffles)
{
    sweep_xx(shuffle_cases, COUNT(shuffle_cases));
}

NAT(addps) NAT(addss) NAT(addpd) NAT(addsd) NAT(subps) NAT(subss) NAT(subpd) NAT(subsd)
NAT(mulps) NAT(mulss) NAT(mulpd) NAT(mulsd) NAT(divps) NAT(divss) NAT(divpd) NAT(divsd)
NAT(minps) NAT(minss) NAT(minpd) NAT(minsd) NAT(maxps) NAT(maxss) NAT(maxpd) NAT(maxsd)
NAT(sqrtps) NAT(sqrtss) NAT(sqrtpd) NAT(sqrtsd)

static const struct xx_case fp_cases[] = {
    XC(addps, K_F32), XC(addss, K_F32), XC(addpd, K_F64), XC(addsd, K_F64),
    XC(subps, K_F32), XC(subss, K_F32), XC(subpd, K_F64), XC(subsd, K_F64),
    XC(mulps, K_F32), XC(mulss, K_F32), XC(mulpd, K_F64), XC(mulsd, K_F64),
    XC(divps, K_F32), XC(divss, K_F32), XC(divpd, K_F64), XC(divsd, K_F64),
    XC(minps, K_F32), XC(minss, K_F32), XC(minpd, K_F64), XC(minsd, K_F64),
    XC(maxps, K_F32), XC(maxss, K_F32), XC(maxpd, K_F64), XC(maxsd, K_F64),
    XC(sqrtps, K_F32), XC(sqrtss, K_F32), XC(sqrtpd, K_F64), XC(sqrtsd, K_F64),
};

Test(x86_sse, fp_arithmetic)
{
    sweep_xx(fp_cases, COUNT(fp_cases));
}

#define NATCMP(insn) NATI(insn, 0) NATI(insn, 1) NATI(insn, 2) NATI(insn, 3) \
    NATI(insn, 4) NATI(insn, 5) NATI(insn, 6) NATI(insn, 7)
#define XCCMP(insn, k) XCI(insn, 0, k), XCI(insn, 1, k), XCI(insn, 2, k), XCI(insn, 3, k), \
    XCI(insn, 4, k), XCI(insn, 5, k), XCI(insn, 6, k), XCI(insn, 7, k)
NATCMP(cmpps) NATCMP(cmpss) NATCMP(cmppd) NATCMP(cmpsd)

static const struct xx_case cmp_cases[] = {
    XCCMP(cmpps, K_F32), XCCMP(cmpss, K_F32), XCCMP(cmppd, K_F64), XCCMP(cmpsd, K_F64),
};

Test(x86_sse, fp_compare)
{
    sweep_xx(cmp_cases, COUNT(cmp_cases));
}

NAT(cvtss2sd) NAT(cvtsd2ss) NAT(cvtdq2ps) NAT(cvtps2dq) NAT(cvttps2dq) NAT(cvtdq2pd)
NAT(cvtpd2dq) NAT(cvttpd2dq) NAT(cvtps2pd) NAT(cvtpd2ps)

static const struct xx_case cvt_cases[] = {
    XC(cvtss2sd, K_F32), XC(cvtsd2ss, K_F64), XC(cvtdq2ps, K_INT), XC(cvtps2dq, K_F32),
    XC(cvttps2dq, K_F32), XC(cvtdq2pd, K_INT), XC(cvtpd2dq, K_F64), XC(cvttpd2dq, K_F64),
    XC(cvtps2pd, K_F32), XC(cvtpd2ps, K_F64), XC(cvtdq2ps, K_F32),
};

/* Conversions run under every MXCSR setting, integer sources included. */
Test(x86_sse, fp_convert_packed)
{
    for (size_t i = 0; i < COUNT(cvt_cases); i++)
        for (size_t m = 0; m < COUNT(fp_mxcsr); m++)
            for (int it = 0; it < ITERS; it++) {
                x86_xmm a, b;
                gen_pair(&a, &b, cvt_cases[i].kind);
                run_xx(&cvt_cases[i], &a, &b, fp_mxcsr[m], it % 16 == 0);
            }
    cr_expect_eq(failures, 0, "%d mismatches with the native CPU", failures);
}

/* ---- rcp/rsqrt: only ~12 bits are architectural ------------------------- */

NAT(rcpps) NAT(rcpss) NAT(rsqrtps) NAT(rsqrtss)

/* Special results (0, inf, NaN, flushed) must match exactly; finite ones
 * within 2^-10 relative of the native approximation (each is within
 * 1.5*2^-12 of the true value). */
static bool approx_ok(uint32_t got, uint32_t exp)
{
    float g = f32_val(got), e = f32_val(exp);
    if (f32_is_nan(exp) || (exp & 0x7f800000u) == 0x7f800000u || (exp & 0x7fffffffu) == 0)
        return got == exp;
    float rel = (g - e) / e;
    return rel < 1.0f / 1024 && rel > -1.0f / 1024;
}

Test(x86_sse, rcp_rsqrt_approximation)
{
    static const struct xx_case cases[] = {
        XC(rcpps, K_F32), XC(rcpss, K_F32), XC(rsqrtps, K_F32), XC(rsqrtss, K_F32),
    };
    for (size_t i = 0; i < COUNT(cases); i++)
        for (int it = 0; it < ITERS; it++) {
            x86_xmm a, b, n;
            gen_pair(&a, &b, K_F32);
            v2di va = vec(&a);
            native_enter(MX_DEFAULT);
            cases[i].native(&va, vec(&b));
            uint32_t nmx = native_leave();
            memcpy(&n, &va, 16);
            ferry_enter(MX_DEFAULT);
            env.xmm[3] = a;
            env.xmm_tmp[0] = b;
            cases[i].helper(&env, 3, SSE_TMP0, 0);
            check_flags(cases[i].name, MX_DEFAULT, &a, &b, ferry_leave(), nmx);
            for (int l = 0; l < 4; l++)
                if (!approx_ok(env.xmm[3].d[l], n.d[l]))
                    report(cases[i].name, MX_DEFAULT, &a, &b, "lane", l, env.xmm[3].d[l], l, n.d[l]);
        }
    cr_expect_eq(failures, 0, "%d mismatches with the native CPU", failures);
}

/* ---- shifts: by xmm count and by imm8 ------------------------------------ */

NAT(psllw) NAT(pslld) NAT(psllq) NAT(psrlw) NAT(psrld) NAT(psrlq) NAT(psraw) NAT(psrad)

static const struct xx_case shift_cases[] = {
    XC(psllw, K_INT), XC(pslld, K_INT), XC(psllq, K_INT), XC(psrlw, K_INT),
    XC(psrld, K_INT), XC(psrlq, K_INT), XC(psraw, K_INT), XC(psrad, K_INT),
};

static uint64_t gen_count(void)
{
    switch (rnd() % 4) {
    case 0:  return rnd() % 18;
    case 1:  return rnd() % 70;
    case 2:  return rnd() % 2 ? 1ull << 32 : (1ull << 63) + rnd() % 4;
    default: return rnd() % 34;
    }
}

Test(x86_sse, shift_by_register)
{
    for (size_t i = 0; i < COUNT(shift_cases); i++)
        for (int it = 0; it < ITERS; it++) {
            x86_xmm a, b;
            gen_xmm(&a, K_INT);
            b.q[0] = gen_count();
            b.q[1] = rnd();
            run_xx(&shift_cases[i], &a, &b, MX_DEFAULT, false);
        }
    cr_expect_eq(failures, 0, "%d mismatches with the native CPU", failures);
}

#define NATS(insn, imm) \
    static void nats_##insn##_##imm(v2di *a, v2di b) { __asm__ volatile(#insn " $" #imm ", %0" : "+x"(*a)); }
#define NATS_ALL(insn) NATS(insn, 0) NATS(insn, 1) NATS(insn, 7) NATS(insn, 15) NATS(insn, 16) \
    NATS(insn, 31) NATS(insn, 32) NATS(insn, 63) NATS(insn, 64) NATS(insn, 255)
#define SC(insn, imm) { #insn " imm " #imm, x86_sse_helper_##insn, nats_##insn##_##imm, K_INT, imm }
#define SC_ALL(insn) SC(insn, 0), SC(insn, 1), SC(insn, 7), SC(insn, 15), SC(insn, 16), \
    SC(insn, 31), SC(insn, 32), SC(insn, 63), SC(insn, 64), SC(insn, 255)
NATS_ALL(psllw) NATS_ALL(pslld) NATS_ALL(psllq) NATS_ALL(psrlw) NATS_ALL(psrld)
NATS_ALL(psrlq) NATS_ALL(psraw) NATS_ALL(psrad) NATS_ALL(pslldq) NATS_ALL(psrldq)

/* The translator passes an imm8 count as the low quadword of xmm_tmp[0]. */
Test(x86_sse, shift_by_immediate)
{
    static const struct xx_case cases[] = {
        SC_ALL(psllw), SC_ALL(pslld), SC_ALL(psllq), SC_ALL(psrlw), SC_ALL(psrld),
        SC_ALL(psrlq), SC_ALL(psraw), SC_ALL(psrad), SC_ALL(pslldq), SC_ALL(psrldq),
    };
    for (size_t i = 0; i < COUNT(cases); i++)
        for (int it = 0; it < 200; it++) {
            x86_xmm a, b = { .q = { cases[i].imm, 0 } };
            gen_xmm(&a, K_INT);
            run_xx(&cases[i], &a, &b, MX_DEFAULT, false);
        }
    cr_expect_eq(failures, 0, "%d mismatches with the native CPU", failures);
}

/* ---- gpr <- op(xmm [, imm]) ---------------------------------------------- */

typedef uint64_t native_rx(v2di b);
#define NATR32(insn) static uint64_t natr32_##insn(v2di b) \
    { uint32_t r; __asm__ volatile(#insn " %1, %0" : "=r"(r) : "x"(b)); return r; }
#define NATR64(insn) static uint64_t natr64_##insn(v2di b) \
    { uint64_t r; __asm__ volatile(#insn " %1, %0" : "=r"(r) : "x"(b)); return r; }
#define NATRI(insn, imm) static uint64_t natri_##insn##_##imm(v2di b) \
    { uint32_t r; __asm__ volatile(#insn " $" #imm ", %1, %0" : "=r"(r) : "x"(b)); return r; }

struct rx_case {
    const char *name;
    sse_fn *helper;
    native_rx *native;
    enum kind kind;
    uint8_t imm;
};
#define RC32(insn, k) { #insn " r32", x86_sse_helper_##insn, natr32_##insn, k, 4 }
#define RC64(insn, k) { #insn " r64", x86_sse_helper_##insn, natr64_##insn, k, 8 }
#define RCI(insn, imm) { #insn " " #imm, x86_sse_helper_##insn, natri_##insn##_##imm, K_INT, imm }

NATR32(cvtss2si) NATR32(cvtsd2si) NATR32(cvttss2si) NATR32(cvttsd2si)
NATR64(cvtss2si) NATR64(cvtsd2si) NATR64(cvttss2si) NATR64(cvttsd2si)
NATR32(pmovmskb) NATR32(movmskps) NATR32(movmskpd)
NATRI(pextrw, 0) NATRI(pextrw, 3) NATRI(pextrw, 7) NATRI(pextrw, 9)

static const struct rx_case rx_cases[] = {
    RC32(cvtss2si, K_F32), RC32(cvtsd2si, K_F64), RC32(cvttss2si, K_F32), RC32(cvttsd2si, K_F64),
    RC64(cvtss2si, K_F32), RC64(cvtsd2si, K_F64), RC64(cvttss2si, K_F32), RC64(cvttsd2si, K_F64),
    { "pmovmskb", x86_sse_helper_pmovmskb, natr32_pmovmskb, K_INT, 0 },
    { "movmskps", x86_sse_helper_movmskps, natr32_movmskps, K_F32, 0 },
    { "movmskpd", x86_sse_helper_movmskpd, natr32_movmskpd, K_F64, 0 },
    RCI(pextrw, 0), RCI(pextrw, 3), RCI(pextrw, 7), RCI(pextrw, 9),
};

Test(x86_sse, to_general_register)
{
    for (size_t i = 0; i < COUNT(rx_cases); i++)
        for (size_t m = 0; m < COUNT(fp_mxcsr); m++)
            for (int it = 0; it < ITERS; it++) {
                const struct rx_case *c = &rx_cases[i];
                x86_xmm b;
                gen_xmm(&b, c->kind);
                native_enter(fp_mxcsr[m]);
                uint64_t nr = c->native(vec(&b));
                uint32_t nmx = native_leave();
                ferry_enter(fp_mxcsr[m]);
                env.xmm_tmp[0] = b;
                uint64_t fr = c->helper(&env, 0, SSE_TMP0, c->imm);
                uint32_t fmx = ferry_leave();
                if (fr != nr)
                    report(c->name, fp_mxcsr[m], &b, &b, "gpr", 0, fr, 0, nr);
                check_flags(c->name, fp_mxcsr[m], &b, &b, fmx, nmx);
            }
    cr_expect_eq(failures, 0, "%d mismatches with the native CPU", failures);
}

/* ---- xmm <- op(xmm, gpr [, imm]) ----------------------------------------- */

typedef void native_xr(v2di *a, uint64_t v);
#define NATX32(insn) static void natx32_##insn(v2di *a, uint64_t v) \
    { uint32_t x = (uint32_t)v; __asm__ volatile(#insn "l %1, %0" : "+x"(*a) : "r"(x)); }
#define NATX64(insn) static void natx64_##insn(v2di *a, uint64_t v) \
    { __asm__ volatile(#insn "q %1, %0" : "+x"(*a) : "r"(v)); }
#define NATXI(insn, imm) static void natxi_##insn##_##imm(v2di *a, uint64_t v) \
    { uint32_t x = (uint32_t)v; __asm__ volatile(#insn " $" #imm ", %1, %0" : "+x"(*a) : "r"(x)); }
NATX32(cvtsi2ss) NATX32(cvtsi2sd) NATX64(cvtsi2ss) NATX64(cvtsi2sd)
NATXI(pinsrw, 0) NATXI(pinsrw, 5) NATXI(pinsrw, 7) NATXI(pinsrw, 12)

struct xr_case {
    const char *name;
    sse_fn *helper;
    native_xr *native;
    uint8_t imm;
};

static uint64_t gen_int_source(void)
{
    switch (rnd() % 4) {
    case 0:  return rnd();
    case 1:  return (uint64_t)(int64_t)(int32_t)rnd();
    case 2:  return rnd() >> (rnd() % 64);
    default: return -(rnd() >> (rnd() % 64));
    }
}

Test(x86_sse, from_general_register)
{
    static const struct xr_case cases[] = {
        { "cvtsi2ss r32", x86_sse_helper_cvtsi2ss, natx32_cvtsi2ss, 4 },
        { "cvtsi2sd r32", x86_sse_helper_cvtsi2sd, natx32_cvtsi2sd, 4 },
        { "cvtsi2ss r64", x86_sse_helper_cvtsi2ss, natx64_cvtsi2ss, 8 },
        { "cvtsi2sd r64", x86_sse_helper_cvtsi2sd, natx64_cvtsi2sd, 8 },
        { "pinsrw 0", x86_sse_helper_pinsrw, natxi_pinsrw_0, 0 },
        { "pinsrw 5", x86_sse_helper_pinsrw, natxi_pinsrw_5, 5 },
        { "pinsrw 7", x86_sse_helper_pinsrw, natxi_pinsrw_7, 7 },
        { "pinsrw 12", x86_sse_helper_pinsrw, natxi_pinsrw_12, 12 },
    };
    for (size_t i = 0; i < COUNT(cases); i++)
        for (size_t m = 0; m < COUNT(fp_mxcsr); m++)
            for (int it = 0; it < ITERS; it++) {
                x86_xmm a, n;
                gen_xmm(&a, K_INT);
                uint64_t v = gen_int_source();
                v2di va = vec(&a);
                native_enter(fp_mxcsr[m]);
                cases[i].native(&va, v);
                uint32_t nmx = native_leave();
                ferry_enter(fp_mxcsr[m]);
                env.xmm[3] = a;
                cases[i].helper(&env, 3, v, cases[i].imm);
                uint32_t fmx = ferry_leave();
                memcpy(&n, &va, 16);
                if (memcmp(&n, &env.xmm[3], 16))
                    report(cases[i].name, fp_mxcsr[m], &a, &a, "result", env.xmm[3].q[1],
                           env.xmm[3].q[0], n.q[1], n.q[0]);
                check_flags(cases[i].name, fp_mxcsr[m], &a, &a, fmx, nmx);
            }
    cr_expect_eq(failures, 0, "%d mismatches with the native CPU", failures);
}

/* ---- EFLAGS from ucomis/comis -------------------------------------------- */

#define ARITH_FLAGS (X86_CF | X86_PF | X86_AF | X86_ZF | X86_SF | X86_OF)
#define NATF(insn) static uint64_t natf_##insn(v2di a, v2di b) \
    { uint32_t ax; uint8_t of; \
      __asm__ volatile(#insn " %3, %2; lahf; seto %1" : "=a"(ax), "=r"(of) : "x"(a), "x"(b)); \
      return ((ax >> 8) & 0xd5) | (uint64_t)of << 11; }
NATF(ucomiss) NATF(ucomisd) NATF(comiss) NATF(comisd)

Test(x86_sse, compare_to_eflags)
{
    static const struct {
        const char *name;
        sse_fn *helper;
        uint64_t (*native)(v2di, v2di);
        enum kind kind;
    } cases[] = {
        { "ucomiss", x86_sse_helper_ucomiss, natf_ucomiss, K_F32 },
        { "ucomisd", x86_sse_helper_ucomisd, natf_ucomisd, K_F64 },
        { "comiss", x86_sse_helper_comiss, natf_comiss, K_F32 },
        { "comisd", x86_sse_helper_comisd, natf_comisd, K_F64 },
    };
    for (size_t i = 0; i < COUNT(cases); i++)
        for (size_t m = 0; m < COUNT(fp_mxcsr); m++)
            for (int it = 0; it < ITERS; it++) {
                x86_xmm a, b;
                gen_pair(&a, &b, cases[i].kind);
                native_enter(fp_mxcsr[m]);
                uint64_t nf = cases[i].native(vec(&a), vec(&b));
                uint32_t nmx = native_leave();
                ferry_enter(fp_mxcsr[m]);
                env.xmm[3] = a;
                env.xmm_tmp[0] = b;
                uint64_t ff = cases[i].helper(&env, 3, SSE_TMP0, 0) & ARITH_FLAGS;
                uint32_t fmx = ferry_leave();
                if (ff != nf)
                    report(cases[i].name, fp_mxcsr[m], &a, &b, "eflags", 0, ff, 0, nf);
                check_flags(cases[i].name, fp_mxcsr[m], &a, &b, fmx, nmx);
            }
    cr_expect_eq(failures, 0, "%d mismatches with the native CPU", failures);
}

/* ---- state: MXCSR, fxsave/fxrstor, maskmovdqu ---------------------------- */

Test(x86_sse, mxcsr_round_trip)
{
    static const uint32_t values[] = {
        0x1f80, 0x1fbf, 0x9fc0, 0x7f80, 0x3f80, 0x5f80, 0x0000, 0xffff, 0x1f81, 0x1fa0,
    };
    for (size_t i = 0; i < COUNT(values); i++) {
        native_enter(values[i]);
        uint32_t nmx = native_leave();
        ferry_enter(values[i]);
        uint32_t fmx = ferry_leave();
        cr_expect_eq(fmx, nmx, "mxcsr %04x: ferry %04x native %04x", values[i], fmx, nmx);
    }
}

/* Native fxsave of chosen xmm registers and MXCSR: the SSE part of the
 * image (MXCSR at 24, XMM0-15 at 160) must match ferry's. */
Test(x86_sse, fxsave_fxrstor)
{
    static x86_xmm regs[16];
    static uint8_t nat[512] __attribute__((aligned(16))), fer[512] __attribute__((aligned(16)));
    for (int i = 0; i < 16; i++)
        gen_xmm(&regs[i], K_INT);
    uint32_t mx = 0x1f80 | 2u << 13 | SSE_MXCSR_PE;
    native_enter(mx);
    __asm__ volatile(
        "movdqu 0(%1), %%xmm0\n movdqu 16(%1), %%xmm1\n movdqu 32(%1), %%xmm2\n"
        "movdqu 48(%1), %%xmm3\n movdqu 64(%1), %%xmm4\n movdqu 80(%1), %%xmm5\n"
        "movdqu 96(%1), %%xmm6\n movdqu 112(%1), %%xmm7\n movdqu 128(%1), %%xmm8\n"
        "movdqu 144(%1), %%xmm9\n movdqu 160(%1), %%xmm10\n movdqu 176(%1), %%xmm11\n"
        "movdqu 192(%1), %%xmm12\n movdqu 208(%1), %%xmm13\n movdqu 224(%1), %%xmm14\n"
        "movdqu 240(%1), %%xmm15\n fxsave64 %0"
        : "=m"(nat) : "r"(regs)
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    native_leave();

    ferry_enter(mx);
    memcpy(env.xmm, regs, sizeof regs);
    env.fcw = X87_FCW_RESET;                    /* as fe_x86_64.reset leaves it */
    x86_sse_helper_fxsave(&env, 0, (uintptr_t)fer, 0);
    cr_expect_eq(memcmp(nat + 24, fer + 24, 4), 0, "fxsave MXCSR");
    cr_expect_eq(memcmp(nat + 160, fer + 160, 256), 0, "fxsave XMM registers");
    cr_expect_eq(memcmp(nat, fer, 2), 0, "fxsave FCW (x87 reset state)");

    memset(&env, 0, sizeof env);
    x86_sse_helper_fxrstor(&env, 0, (uintptr_t)nat, 0);
    cr_expect_eq(memcmp(env.xmm, regs, sizeof regs), 0, "fxrstor XMM registers");
    cr_expect_eq(ferry_leave(), mx, "fxrstor MXCSR");
}

Test(x86_sse, maskmovdqu)
{
    for (int it = 0; it < 500; it++) {
        uint8_t nat[16], fer[16];
        x86_xmm data, mask;
        gen_xmm(&data, K_INT);
        gen_xmm(&mask, K_INT);
        for (int i = 0; i < 16; i++)
            nat[i] = fer[i] = (uint8_t)rnd();
        __asm__ volatile("maskmovdqu %1, %0" : : "x"(vec(&data)), "x"(vec(&mask)), "D"(nat)
                         : "memory");
        memset(&env, 0, sizeof env);
        env.xmm[1] = data;
        env.xmm[2] = mask;
        x86_sse_helper_maskmovdqu(&env, 1, (uintptr_t)fer, 2);
        cr_expect_eq(memcmp(nat, fer, 16), 0, "maskmovdqu iteration %d", it);
    }
}

/* ---- x87: instruction sequences through the helper vs. the FPU ---------- */

/* One x87 instruction given by its two bytes (opcode, ModRM) for the
 * native run, and for ferry as the helper calls x86_x87_translate.c emits
 * for it (memory operands loaded and stored as its IR does); memory forms
 * use [rax], which points at the test's memory operand. */
static uint64_t ldm(const uint8_t *m, int bytes)
{
    uint64_t v = 0;
    memcpy(&v, m, bytes);
    return v;
}

static void stm(uint8_t *m, int bytes, uint64_t v)
{
    memcpy(m, &v, bytes);
}

#define FER(name, body) static void name(uint8_t *m) { (void)m; body; }
FER(f_faddp, x87_h_arith(&env, X87_ADD, 1, 0, 1, 1))
FER(f_fmulp, x87_h_arith(&env, X87_MUL, 1, 0, 1, 1))
FER(f_fsubp, x87_h_arith(&env, X87_SUB, 1, 0, 1, 1))
FER(f_fsubrp, x87_h_arith(&env, X87_SUBR, 1, 0, 1, 1))
FER(f_fdivp, x87_h_arith(&env, X87_DIV, 1, 0, 1, 1))
FER(f_fdivrp, x87_h_arith(&env, X87_DIVR, 1, 0, 1, 1))
FER(f_fadd01, x87_h_arith(&env, X87_ADD, 0, 1, 0, 0))
FER(f_fsub10, x87_h_arith(&env, X87_SUB, 1, 0, 1, 0))
FER(f_fdivr10, x87_h_arith(&env, X87_DIVR, 1, 0, 1, 0))
FER(f_fsqrt, x87_h_unary(&env, 0xfa))
FER(f_frndint, x87_h_unary(&env, 0xfc))
FER(f_fabs, x87_h_unary(&env, 0xe1))
FER(f_fchs, x87_h_unary(&env, 0xe0))
FER(f_fscale, x87_h_misc(&env, X87_FSCALE))
FER(f_fprem, x87_h_misc(&env, X87_FPREM))
FER(f_fprem1, x87_h_misc(&env, X87_FPREM1))
FER(f_fxtract, x87_h_misc(&env, X87_FXTRACT))
FER(f_fxch, x87_h_fxch(&env, 1))
FER(f_fld1st, x87_h_fld(&env, 1))
FER(f_fstp1, x87_h_fst(&env, 1, 1))
FER(f_fcom, x87_h_com(&env, 1, 0, 0))
FER(f_fucompp, x87_h_com(&env, 1, 1, 2))
FER(f_fcompp, x87_h_com(&env, 1, 0, 2))
FER(f_ftst, x87_h_misc(&env, X87_FTST))
FER(f_fxam, x87_h_misc(&env, X87_FXAM))
FER(f_fldpi, x87_h_fld_const(&env, 3))
FER(f_fldl2t, x87_h_fld_const(&env, 1))
FER(f_fldl2e, x87_h_fld_const(&env, 2))
FER(f_fldlg2, x87_h_fld_const(&env, 4))
FER(f_fldln2, x87_h_fld_const(&env, 5))
FER(f_fld1, x87_h_fld_const(&env, 0))
FER(f_fldz, x87_h_fld_const(&env, 6))
FER(f_fincstp, x87_h_misc(&env, X87_FINCSTP))
FER(f_ffree, x87_h_ffree(&env, 1, 0))
FER(f_fadd_m64, x87_h_arith_m(&env, X87_ADD, X87_M_F64, ldm(m, 8)))
FER(f_fsubr_m32, x87_h_arith_m(&env, X87_SUBR, X87_M_F32, ldm(m, 4)))
FER(f_fidiv_m32, x87_h_arith_m(&env, X87_DIV, X87_M_I32, ldm(m, 4)))
FER(f_fimul_m16, x87_h_arith_m(&env, X87_MUL, X87_M_I16, ldm(m, 2)))
FER(f_fcomp_m64, x87_h_com_m(&env, X87_M_F64, ldm(m, 8), 1))
FER(f_fld_m32, x87_h_fld_m(&env, X87_M_F32, ldm(m, 4)))
FER(f_fld_m64, x87_h_fld_m(&env, X87_M_F64, ldm(m, 8)))
FER(f_fild_m16, x87_h_fld_m(&env, X87_M_I16, ldm(m, 2)))
FER(f_fild_m32, x87_h_fld_m(&env, X87_M_I32, ldm(m, 4)))
FER(f_fild_m64, x87_h_fld_m(&env, X87_M_I64, ldm(m, 8)))
FER(f_fst_m32, stm(m, 4, x87_h_fst_m(&env, X87_M_F32, 0, 0, (uintptr_t)m)))
FER(f_fstp_m64, stm(m, 8, x87_h_fst_m(&env, X87_M_F64, 0, 1, (uintptr_t)m)))
FER(f_fist_m16, stm(m, 2, x87_h_fst_m(&env, X87_M_I16, 0, 0, (uintptr_t)m)))
FER(f_fistp_m32, stm(m, 4, x87_h_fst_m(&env, X87_M_I32, 0, 1, (uintptr_t)m)))
FER(f_fistp_m64, stm(m, 8, x87_h_fst_m(&env, X87_M_I64, 0, 1, (uintptr_t)m)))
FER(f_fisttp_m64, stm(m, 8, x87_h_fst_m(&env, X87_M_I64, 1, 1, (uintptr_t)m)))
FER(f_fisttp_m16, stm(m, 2, x87_h_fst_m(&env, X87_M_I16, 1, 1, (uintptr_t)m)))
FER(f_fstp_m80, x87_h_fst_m80(&env, (uintptr_t)m))
FER(f_fld_m80, x87_h_fld_m80(&env, ldm(m, 8), ldm(m + 8, 2)))
FER(f_fbstp, x87_h_fbstp(&env, (uintptr_t)m))

struct x87_case {
    const char *name;
    uint8_t op, modrm;
    uint8_t mem_bytes;      /* size of the memory operand (loads and stores) */
    void (*ferry)(uint8_t *mem);
};

static const struct x87_case x87_cases[] = {
    { "faddp", 0xde, 0xc1, 0, f_faddp }, { "fmulp", 0xde, 0xc9, 0, f_fmulp },
    { "fsubp", 0xde, 0xe9, 0, f_fsubp }, { "fsubrp", 0xde, 0xe1, 0, f_fsubrp },
    { "fdivp", 0xde, 0xf9, 0, f_fdivp }, { "fdivrp", 0xde, 0xf1, 0, f_fdivrp },
    { "fadd st0,st1", 0xd8, 0xc1, 0, f_fadd01 }, { "fsub st1,st0", 0xdc, 0xe9, 0, f_fsub10 },
    { "fdivr st1,st0", 0xdc, 0xf1, 0, f_fdivr10 }, { "fsqrt", 0xd9, 0xfa, 0, f_fsqrt },
    { "frndint", 0xd9, 0xfc, 0, f_frndint }, { "fabs", 0xd9, 0xe1, 0, f_fabs },
    { "fchs", 0xd9, 0xe0, 0, f_fchs }, { "fscale", 0xd9, 0xfd, 0, f_fscale },
    { "fprem", 0xd9, 0xf8, 0, f_fprem }, { "fprem1", 0xd9, 0xf5, 0, f_fprem1 },
    { "fxtract", 0xd9, 0xf4, 0, f_fxtract }, { "fxch", 0xd9, 0xc9, 0, f_fxch },
    { "fld st1", 0xd9, 0xc1, 0, f_fld1st }, { "fstp st1", 0xdd, 0xd9, 0, f_fstp1 },
    { "fcom", 0xd8, 0xd1, 0, f_fcom }, { "fucompp", 0xda, 0xe9, 0, f_fucompp },
    { "fcompp", 0xde, 0xd9, 0, f_fcompp }, { "ftst", 0xd9, 0xe4, 0, f_ftst },
    { "fxam", 0xd9, 0xe5, 0, f_fxam }, { "fldpi", 0xd9, 0xeb, 0, f_fldpi },
    { "fldl2t", 0xd9, 0xe9, 0, f_fldl2t }, { "fldl2e", 0xd9, 0xea, 0, f_fldl2e },
    { "fldlg2", 0xd9, 0xec, 0, f_fldlg2 }, { "fldln2", 0xd9, 0xed, 0, f_fldln2 },
    { "fld1", 0xd9, 0xe8, 0, f_fld1 }, { "fldz", 0xd9, 0xee, 0, f_fldz },
    { "fincstp", 0xd9, 0xf7, 0, f_fincstp }, { "ffree st1", 0xdd, 0xc1, 0, f_ffree },
    { "fadd m64", 0xdc, 0x00, 8, f_fadd_m64 }, { "fsubr m32", 0xd8, 0x28, 4, f_fsubr_m32 },
    { "fidiv m32", 0xda, 0x30, 4, f_fidiv_m32 }, { "fimul m16", 0xde, 0x08, 2, f_fimul_m16 },
    { "fcomp m64", 0xdc, 0x18, 8, f_fcomp_m64 },
    { "fld m32", 0xd9, 0x00, 4, f_fld_m32 }, { "fld m64", 0xdd, 0x00, 8, f_fld_m64 },
    { "fild m16", 0xdf, 0x00, 2, f_fild_m16 }, { "fild m32", 0xdb, 0x00, 4, f_fild_m32 },
    { "fild m64", 0xdf, 0x28, 8, f_fild_m64 },
    { "fst m32", 0xd9, 0x10, 4, f_fst_m32 }, { "fstp m64", 0xdd, 0x18, 8, f_fstp_m64 },
    { "fist m16", 0xdf, 0x10, 2, f_fist_m16 }, { "fistp m32", 0xdb, 0x18, 4, f_fistp_m32 },
    { "fistp m64", 0xdf, 0x38, 8, f_fistp_m64 }, { "fisttp m64", 0xdd, 0x08, 8, f_fisttp_m64 },
    { "fisttp m16", 0xdf, 0x08, 2, f_fisttp_m16 }, { "fstp m80", 0xdb, 0x38, 10, f_fstp_m80 },
    { "fld m80", 0xdb, 0x28, 10, f_fld_m80 }, { "fbstp m80", 0xdf, 0x30, 10, f_fbstp },
};

struct x87_image {                  /* fnsave */
    uint16_t fcw, r0, fsw, r1, ftw, r2;
    uint32_t ptrs[4];
    uint8_t st[8][10];
} __attribute__((packed));

static const uint8_t *x87_native_code(const struct x87_case *c)
{
    static uint8_t *code;
    if (!code)
        code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    /* the instruction, then ret: run as a function, rax = operand */
    code[0] = c->op;
    code[1] = c->modrm;
    code[2] = 0xc3;
    return code;
}

static uint64_t gen_x87_bits(int bytes)
{
    if (bytes == 4)
        return gen_f32();
    if (bytes == 8)
        return rnd() % 2 ? gen_f64() : gen_int64();
    return bytes == 2 ? (uint16_t)gen_int64() : gen_f64();
}

/* An 80-bit input: a converted double, or raw bits with a random exponent. */
static void gen_f80(uint8_t out[10])
{
    uint64_t m = rnd() | 1ull << 63;
    uint16_t se = (uint16_t)(0x3fff + (int)(rnd() % 130) - 65) | (uint16_t)(rnd() % 2) << 15;
    if (rnd() % 4 == 0) {
        long double v = f64_val(gen_f64());
        memcpy(out, &v, 10);
        return;
    }
    if (rnd() % 8 == 0)
        se = (uint16_t)((rnd() % 2 ? 0x7fff : 0) | (se & 0x8000));
    memcpy(out, &m, 8);
    memcpy(out + 8, &se, 2);
}

static void x87_run_native(const struct x87_case *c, uint16_t fcw, const uint8_t a[10],
                           const uint8_t b[10], uint8_t *mem, struct x87_image *img)
{
    void (*fn)(void) = (void (*)(void))(uintptr_t)x87_native_code(c);
    __asm__ volatile("fninit\n fldcw %1\n fldt %2\n fldt %3\n call *%4\n fnsave %0\n fninit"
                     : "=m"(*img) : "m"(fcw), "m"(*(const uint8_t(*)[10])a),
                       "m"(*(const uint8_t(*)[10])b), "r"(fn), "a"(mem)
                     : "memory", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "cc");
}

static void x87_run_ferry(const struct x87_case *c, uint16_t fcw, const uint8_t a[10],
                          const uint8_t b[10], uint8_t *mem, struct x87_image *img)
{
    memset(&env, 0, sizeof env);
    x87_h_misc(&env, X87_FNINIT);
    x87_h_fldcw(&env, fcw);
    x87_h_fld_m80(&env, ldm(a, 8), ldm(a + 8, 2));
    x87_h_fld_m80(&env, ldm(b, 8), ldm(b + 8, 2));
    c->ferry(mem);
    x87_h_image(&env, 2, (uintptr_t)img);                           /* fnsave */
}

/* Control word, condition codes, TOP, tags, non-empty registers. */
static bool x87_same(const struct x87_image *f, const struct x87_image *n)
{
    if (f->fcw != n->fcw || (f->fsw & 0x7f00) != (n->fsw & 0x7f00) || f->ftw != n->ftw)
        return false;
    for (int i = 0; i < 8; i++) {
        int phys = (i + (n->fsw >> 11 & 7)) & 7;
        if ((n->ftw >> (2 * phys) & 3) != 3 && memcmp(f->st[i], n->st[i], 10))
            return false;
    }
    return true;
}

Test(x86_sse, x87_instructions)
{
    for (size_t i = 0; i < COUNT(x87_cases); i++)
        for (int it = 0; it < 400; it++) {
            const struct x87_case *c = &x87_cases[i];
            uint16_t fcw = (uint16_t)(0x037f | (it % 4) << 10);
            uint8_t a[10], b[10], nmem[16] = { 0 }, fmem[16];
            struct x87_image nimg, fimg;
            gen_f80(a);
            gen_f80(b);
            uint64_t bits = gen_x87_bits(c->mem_bytes);
            memcpy(nmem, &bits, 8);
            if (c->mem_bytes == 10)
                gen_f80(nmem);
            memcpy(fmem, nmem, sizeof fmem);
            x87_run_native(c, fcw, a, b, nmem, &nimg);
            x87_run_ferry(c, fcw, a, b, fmem, &fimg);
            if (!x87_same(&fimg, &nimg) || memcmp(fmem, nmem, sizeof nmem)) {
                x86_xmm xa = { .q = { 0, 0 } }, xb = { .q = { 0, 0 } };
                memcpy(&xa, a, 10);
                memcpy(&xb, b, 10);
                uint64_t fst0, nst0;
                memcpy(&fst0, fimg.st[0], 8);
                memcpy(&nst0, nimg.st[0], 8);
                report(c->name, fcw, &xa, &xb, "fsw.ftw:st0", (uint64_t)fimg.fsw << 16 | fimg.ftw, fst0,
                       (uint64_t)nimg.fsw << 16 | nimg.ftw, nst0);
            }
        }
    cr_expect_eq(failures, 0, "%d mismatches with the native FPU", failures);
}
