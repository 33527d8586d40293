/* x86_sse_fp.c -- helpers of the SSE/SSE2 floating-point arithmetic and
 * compare instructions (packed ps/pd on every lane, scalar ss/sd on lane 0
 * keeping the rest of the destination).  Per-lane semantics live in
 * x86_sse_float.c.
 */
#include "x86_sse.h"
#include "x86_sse_float.h"

/* lanes: 4 or 1 single-precision lanes, 2 or 1 double-precision lanes. */
static void sse_arith32(struct x86_cpu *env, enum sse_fop op, uint64_t d, uint64_t s, int lanes)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    bool plain = !(env->mxcsr & SSE_MXCSR_MODE_BITS);     /* the common case */
    int saved = sse_round_enter(env);       /* also for the host DE (sqrtf's own test) */
    for (int i = 0; i < lanes; i++)
        D->d[i] = plain ? sse_f32_op_default(env, op, D->d[i], S->d[i])
                          : sse_f32_op(env, op, D->d[i], S->d[i]);
    sse_round_leave(saved);
}

static void sse_arith64(struct x86_cpu *env, enum sse_fop op, uint64_t d, uint64_t s, int lanes)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    bool plain = !(env->mxcsr & SSE_MXCSR_MODE_BITS);     /* the common case */
    int saved = sse_round_enter(env);       /* also for the host DE (sqrtf's own test) */
    for (int i = 0; i < lanes; i++)
        D->q[i] = plain ? sse_f64_op_default(env, op, D->q[i], S->q[i])
                          : sse_f64_op(env, op, D->q[i], S->q[i]);
    sse_round_leave(saved);
}

#define SSE_ARITH(name, OP) \
    SSE_HELPER(name##ps) { sse_arith32(env, OP, d, s, 4); return 0; } \
    SSE_HELPER(name##ss) { sse_arith32(env, OP, d, s, 1); return 0; } \
    SSE_HELPER(name##pd) { sse_arith64(env, OP, d, s, 2); return 0; } \
    SSE_HELPER(name##sd) { sse_arith64(env, OP, d, s, 1); return 0; }

SSE_ARITH(add, SSE_FADD)
SSE_ARITH(sub, SSE_FSUB)
SSE_ARITH(mul, SSE_FMUL)
SSE_ARITH(div, SSE_FDIV)
SSE_ARITH(min, SSE_FMIN)
SSE_ARITH(max, SSE_FMAX)
SSE_ARITH(sqrt, SSE_FSQRT)

SSE_HELPER(rcpps)   { sse_arith32(env, SSE_FRCP, d, s, 4); return 0; }
SSE_HELPER(rcpss)   { sse_arith32(env, SSE_FRCP, d, s, 1); return 0; }
SSE_HELPER(rsqrtps) { sse_arith32(env, SSE_FRSQRT, d, s, 4); return 0; }
SSE_HELPER(rsqrtss) { sse_arith32(env, SSE_FRSQRT, d, s, 1); return 0; }

/* cmpps & co: each lane becomes all ones when predicate imm&7 holds. */
static void sse_cmp32(struct x86_cpu *env, uint64_t d, uint64_t s, int pred, int lanes)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < lanes; i++)
        D->d[i] = sse_f32_cmp(env, pred, D->d[i], S->d[i]) ? ~0u : 0;
}

static void sse_cmp64(struct x86_cpu *env, uint64_t d, uint64_t s, int pred, int lanes)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < lanes; i++)
        D->q[i] = sse_f64_cmp(env, pred, D->q[i], S->q[i]) ? ~0ull : 0;
}

SSE_HELPER(cmpps) { sse_cmp32(env, d, s, imm & 7, 4); return 0; }
SSE_HELPER(cmpss) { sse_cmp32(env, d, s, imm & 7, 1); return 0; }
SSE_HELPER(cmppd) { sse_cmp64(env, d, s, imm & 7, 2); return 0; }
SSE_HELPER(cmpsd) { sse_cmp64(env, d, s, imm & 7, 1); return 0; }

/* ucomis* signal invalid only for SNaN, comis* for any NaN. */
SSE_HELPER(ucomiss)
{
    return sse_f32_eflags(env, sse_reg(env, d)->d[0], sse_reg(env, s)->d[0], false);
}

SSE_HELPER(ucomisd)
{
    return sse_f64_eflags(env, sse_reg(env, d)->q[0], sse_reg(env, s)->q[0], false);
}

SSE_HELPER(comiss)
{
    return sse_f32_eflags(env, sse_reg(env, d)->d[0], sse_reg(env, s)->d[0], true);
}

SSE_HELPER(comisd)
{
    return sse_f64_eflags(env, sse_reg(env, d)->q[0], sse_reg(env, s)->q[0], true);
}
